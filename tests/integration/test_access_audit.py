"""The audit log: an event for every audited action, coordinators' queries, a participant's access history."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from prison_liaison.persistence import audit as audit_repo
from prison_liaison.planning.errors import Unauthorized
from prison_liaison.planning.models import Role
from prison_liaison.services import users as users_service
from prison_liaison.services.context import anonymous
from tests.support import PASSWORD, World


async def all_events(world: World, **params: Any) -> list[dict[str, Any]]:
    response = await world.get("coordinator", "/api/v1/audit-events", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_every_audited_action_leaves_an_event(world) -> None:
    p1, p2 = str(world.participants["T-0001"]), str(world.participants["T-0002"])
    mentor1 = world.users["mentor1"]
    await world.client.post("/api/v1/auth/token", json={"username": "mentor2", "password": "a wrong one"})
    listed = await world.get("mentor1", "/api/v1/participants")
    read = await world.get("mentor1", f"/api/v1/participants/{p1}")
    await world.patch(
        "mentor1",
        f"/api/v1/participants/{p1}",
        json={"notes": "neu"},
        headers={"If-Match": read.headers["ETag"]},
    )
    created = await world.post(
        "coordinator", "/api/v1/participants", json={"code": "T-0099", "status": "intake"}
    )
    share = await world.post(
        "mentor1",
        f"/api/v1/participants/{p1}/shares",
        json={
            "prison_id": str(world.prisons["JVA-A"]),
            "scope": ["housing"],
            "consent_date": "2026-01-02",
            "consent_scope": "Wohnen",
        },
    )
    await world.delete("mentor1", f"/api/v1/shares/{share.json()['id']}")
    new_user = await world.post(
        "coordinator", "/api/v1/users", json={"username": "mentor9", "role": "mentor"}
    )
    new_id = new_user.json()["user"]["id"]
    await world.patch("coordinator", f"/api/v1/users/{new_id}", json={"active": False})
    await world.post("coordinator", f"/api/v1/users/{new_id}/reset-password", json={})
    await world.get("coordinator", f"/api/v1/participants/{p1}/export")
    await world.get("coordinator", f"/api/v1/participants/{p1}/access-history")

    events = await all_events(world)
    seen = {(e["action"], e["actor_username"], e["participant_id"]) for e in events}
    expected = {
        ("auth.login_failed", "mentor2", None),
        ("auth.login", "mentor1", None),
        ("participant.listed", "mentor1", None),
        ("participant.read", "mentor1", p1),
        ("participant.updated", "mentor1", p1),
        ("participant.created", "coordinator", created.json()["id"]),
        ("plan.shared", "mentor1", p1),
        ("plan.share_revoked", "mentor1", p1),
        ("user.created", "coordinator", None),
        ("user.deactivated", "coordinator", None),
        ("user.password_reset", "coordinator", None),
        ("participant.exported", "coordinator", p1),
        ("participant.access_history_exported", "coordinator", p1),
    }
    assert expected <= seen, expected - seen
    # who, from where and which request: the read carries the request id the client was given
    [read_event] = [e for e in events if e["action"] == "participant.read"]
    assert read_event["request_id"] == read.headers["x-request-id"]
    assert (read_event["client"], read_event["actor_id"], read_event["actor_role"]) == (
        "127.0.0.1",
        str(mentor1.id),
        "mentor",
    )
    [list_event] = [e for e in events if e["action"] == "participant.listed"]
    assert list_event["detail"]["ids"] == [p["id"] for p in listed.json()["items"]]
    assert p2 in list_event["detail"]["ids"]


async def test_audit_log_holds_no_secret_values(world) -> None:
    await world.client.post(
        "/api/v1/auth/token", json={"username": "mentor1", "password": "Sup3r-Secret-Guess"}
    )
    created = await world.post(
        "coordinator",
        "/api/v1/participants",
        json={"code": "T-0100", "first_name": "Zora", "notes": "Vertraulicher Vermerk 5150"},
    )
    reset = await world.post(
        "coordinator", f"/api/v1/users/{world.users['mentor2'].id}/reset-password", json={}
    )
    dump = json.dumps(await all_events(world))
    for secret in ("Sup3r-Secret-Guess", "Vertraulicher Vermerk 5150", reset.json()["password"], PASSWORD):
        assert secret not in dump
    for token in world.tokens.values():
        assert token not in dump
    assert created.json()["id"] in dump


async def test_audit_query_filters_by_participant_actor_action_and_time(world, fixed_clock) -> None:
    p1, p2 = world.participants["T-0001"], world.participants["T-0002"]
    start = fixed_clock.instant
    fixed_clock.instant = start + timedelta(hours=1)
    await world.get("mentor1", f"/api/v1/participants/{p1}")
    fixed_clock.instant = start + timedelta(hours=2)
    await world.get("mentor2", f"/api/v1/participants/{p1}")
    await world.get("mentor2", f"/api/v1/participants/{p2}")

    by_participant = await all_events(world, participant_id=str(p1), action="participant.read")
    assert [e["actor_username"] for e in by_participant] == ["mentor2", "mentor1"]  # newest first
    by_actor = await all_events(world, actor_id=str(world.users["mentor2"].id), action="participant.")
    assert {e["participant_id"] for e in by_actor} == {str(p1), str(p2)}
    window = await all_events(
        world,
        action="participant.read",
        **{
            "from": (start + timedelta(minutes=30)).isoformat(),
            "to": (start + timedelta(minutes=90)).isoformat(),
        },
    )
    assert [(e["actor_username"], e["at"]) for e in window] == [("mentor1", "2026-03-10T09:00:00Z")]


async def test_audit_query_pages_with_a_cursor(world) -> None:
    everything = await all_events(world)
    pages: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await world.get("coordinator", "/api/v1/audit-events", params=params)
        pages.extend(e["id"] for e in response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    # the paging itself adds audit.queried events after the first listing; every earlier event is seen once
    assert len(pages) == len(set(pages))
    assert {e["id"] for e in everything} <= set(pages)
    bad = await world.get("coordinator", "/api/v1/audit-events", params={"cursor": "not-a-cursor"})
    assert (bad.status_code, bad.json()["field"]) == (422, "cursor")


async def test_reading_the_audit_log_is_itself_audited(world) -> None:
    pid = str(world.participants["T-0001"])
    await all_events(world, participant_id=pid)
    events = await all_events(world, action="audit.queried")
    assert any(e["participant_id"] == pid for e in events)


async def test_access_history_holds_every_read_of_one_participant(world) -> None:
    p1, p2 = world.participants["T-0001"], world.participants["T-0002"]
    await world.get("mentor1", f"/api/v1/participants/{p1}")
    await world.get("mentor2", "/api/v1/participants")
    await world.get("mentor1", f"/api/v1/participants/{p2}")
    await world.get("mentor3", "/api/v1/participants")  # mentor3 does not see T-0001: not in its history
    response = await world.get("coordinator", f"/api/v1/participants/{p1}/access-history")
    assert response.status_code == 200
    history = [(e["action"], e["actor_username"]) for e in response.json()["items"]]
    assert history == [
        ("participant.created", "coordinator"),
        ("participant.read", "mentor1"),
        ("participant.listed", "mentor2"),
    ]
    again = await world.get("coordinator", f"/api/v1/participants/{p1}/access-history")
    assert again.json()["items"][-1]["action"] == "participant.access_history_exported"


async def test_access_history_of_an_archived_participant_stays_available(world) -> None:
    pid = world.participants["T-0002"]
    assert (await world.delete("coordinator", f"/api/v1/participants/{pid}")).status_code == 204
    response = await world.get("coordinator", f"/api/v1/participants/{pid}/access-history")
    assert response.status_code == 200
    assert response.json()["items"][-1]["action"] == "participant.archived"


async def test_an_anonymous_caller_cannot_act_as_the_operator(db) -> None:
    with pytest.raises(Unauthorized):
        await users_service.create_user(anonymous("203.0.113.9"), username="intruder", role=Role.COORDINATOR)
    assert await users_service.find_by_username("intruder") is None
    assert await audit_repo.count() == 0


async def test_audit_query_by_subject_and_with_naive_instants(world, fixed_clock) -> None:
    mentor2 = world.users["mentor2"]
    await world.patch("coordinator", f"/api/v1/users/{mentor2.id}", json={"active": False})
    about = await all_events(world, subject_id=str(mentor2.id), action="user.")
    assert sorted(e["action"] for e in about) == ["user.created", "user.deactivated"]
    [deactivated] = [e for e in about if e["action"] == "user.deactivated"]
    assert deactivated["at"] == "2026-03-10T08:00:00Z"
    window = {"to": "2026-03-10T09:00:00"}
    naive = await all_events(world, action="user.", **window, **{"from": "2026-03-10T07:59:00"})
    assert [e["id"] for e in naive] == [deactivated["id"]]
    offset = await all_events(world, action="user.", **window, **{"from": "2026-03-10T09:59:00+02:00"})
    assert [e["id"] for e in offset] == [deactivated["id"]]  # 07:59 UTC
    assert await all_events(world, action="user.", **window, **{"from": "2026-03-10T08:01:00"}) == []


async def test_refused_reads_and_writes_of_an_existing_case_are_audited_and_still_404(world) -> None:
    p1 = str(world.participants["T-0001"])  # mentor1's and mentor2's case, not mentor3's
    read = await world.get("mentor3", f"/api/v1/participants/{p1}")
    assert read.status_code == 404
    # a write: the check runs inside the write's transaction, which rolls back; the refusal must survive it
    write = await world.patch(
        "mentor3", f"/api/v1/participants/{p1}", json={"notes": "x"}, headers={"If-Match": '"v1"'}
    )
    assert write.status_code == 404
    staff = await world.get("prison2", f"/api/v1/participants/{p1}")  # not shared with JVA-B
    assert staff.status_code == 404
    refused = await all_events(world, action="participant.access_refused")
    assert sorted((e["actor_username"], e["participant_id"], e["detail"]["write"]) for e in refused) == [
        ("mentor3", p1, False),
        ("mentor3", p1, True),
        ("prison2", p1, False),
    ]
    # the participant's access history shows who tried
    history = await world.get("coordinator", f"/api/v1/participants/{p1}/access-history")
    assert history.status_code == 200, history.text
    assert "participant.access_refused" in {e["action"] for e in history.json()["items"]}


async def test_unknown_ids_leave_no_refusal_in_the_log(world) -> None:
    response = await world.get("mentor3", "/api/v1/participants/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert await all_events(world, action="participant.access_refused") == []
