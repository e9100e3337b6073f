"""Sharing a plan with a prison: consent, scope, expiry, revocation — and prison staff's access following."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import audit as audit_repo
from prison_liaison.services import shares as shares_service
from prison_liaison.services.context import Caller
from prison_liaison.services.demo import load_demo
from tests.support import World, login

DOMAINS = ["housing", "identity", "income", "health", "probation", "release_day"]


def caller_of(world: World, username: str) -> Caller:
    user = world.users[username]
    return Caller(user_id=user.id, username=username, role=user.role, prison_id=user.prison_id)


async def share(world: World, by: str, code: str, prison: str, **overrides: Any) -> Any:
    body = {
        "prison_id": str(world.prisons[prison]),
        "scope": DOMAINS,
        "consent_date": "2026-03-01",
        "consent_scope": "Entlassungsvorbereitung mit dem Sozialdienst",
        **overrides,
    }
    return await world.post(by, f"/api/v1/participants/{world.participants[code]}/shares", json=body)


async def test_share_by_mentor_records_consent_and_is_audited(world, fixed_clock) -> None:
    response = await share(world, "mentor1", "T-0001", "JVA-A", expires_on="2026-12-31")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "participant_id": str(world.participants["T-0001"]),
        "prison_id": str(world.prisons["JVA-A"]),
        "scope": DOMAINS,
        "consent_date": "2026-03-01",
        "consent_scope": "Entlassungsvorbereitung mit dem Sozialdienst",
        "consent_recorded_by": str(world.users["mentor1"].id),
        "expires_on": "2026-12-31",
        "revoked_at": None,
        "revoked_by": None,
        "created_at": "2026-03-10T08:00:00Z",
        "active": True,
    }
    events, _ = await audit_repo.query(action_prefix="plan.shared")
    assert [(e["actor_username"], e["subject_id"], e["participant_id"]) for e in events] == [
        ("mentor1", body["id"], world.participants["T-0001"])
    ]
    assert events[0]["detail"]["scope"] == DOMAINS


async def test_prison_staff_see_a_participant_only_while_shared(world) -> None:
    pid = world.participants["T-0001"]
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 404
    assert (await world.get("prison1", "/api/v1/participants")).json()["items"] == []

    share_id = (await share(world, "mentor1", "T-0001", "JVA-A")).json()["id"]
    read = await world.get("prison1", f"/api/v1/participants/{pid}")
    assert read.status_code == 200
    assert (read.json()["code"], read.json()["initials"]) == ("T-0001", "A.A.")
    assert (read.json()["first_name"], read.json()["last_name"], read.json()["notes"]) == (None, None, None)
    listed = (await world.get("prison1", "/api/v1/participants")).json()["items"]
    assert [p["code"] for p in listed] == ["T-0001"]

    revoked = await world.delete("mentor1", f"/api/v1/shares/{share_id}")
    assert revoked.status_code == 200
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 404
    assert (await world.get("prison1", "/api/v1/participants")).json()["items"] == []


async def test_share_with_one_prison_opens_nothing_to_another(world) -> None:
    pid = world.participants["T-0001"]
    assert (await share(world, "mentor1", "T-0001", "JVA-B")).status_code == 201
    assert (await world.get("prison2", f"/api/v1/participants/{pid}")).status_code == 200
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 404
    assert (await world.get("prison1", "/api/v1/participants")).json()["items"] == []


async def test_prison_staff_cannot_change_a_shared_participant(world) -> None:
    pid = world.participants["T-0001"]
    share_id = (await share(world, "mentor1", "T-0001", "JVA-A")).json()["id"]
    patch = await world.patch(
        "prison1", f"/api/v1/participants/{pid}", json={"cadence_days": 7}, headers={"If-Match": '"v1"'}
    )
    assert (patch.status_code, patch.json()["code"]) == (403, "read_only")
    again = await share(world, "prison1", "T-0001", "JVA-B")
    assert (again.status_code, again.json()["code"]) == (403, "read_only")
    revoke = await world.delete("prison1", f"/api/v1/shares/{share_id}")
    assert (revoke.status_code, revoke.json()["code"]) == (403, "read_only")
    coordinator_view = await world.get("coordinator", f"/api/v1/participants/{pid}")
    assert coordinator_view.json()["cadence_days"] == 14
    shares = (await world.get("coordinator", f"/api/v1/participants/{pid}/shares")).json()["items"]
    assert [(s["id"], s["active"]) for s in shares] == [(share_id, True)]


async def test_deradicalisation_is_never_shareable(world) -> None:
    response = await share(world, "mentor1", "T-0001", "JVA-A", scope=["housing", "deradicalisation"])
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("domain_not_shareable", "scope")
    listed = await world.get("mentor1", f"/api/v1/participants/{world.participants['T-0001']}/shares")
    assert listed.json()["items"] == []


async def test_share_input_rules_name_the_field(world, fixed_clock) -> None:
    cases = [
        ({"scope": ["housing", "astrology"]}, "scope", "unknown_domain"),
        ({"scope": []}, "scope", "scope_empty"),
        ({"consent_date": "2026-03-11"}, "consent_date", "consent_in_future"),
        ({"expires_on": "2026-03-09"}, "expires_on", "expiry_in_past"),
        ({"consent_scope": "   "}, "consent_scope", "consent_scope_missing"),
        ({"prison_id": "00000000-0000-4000-8000-000000000000"}, "prison_id", "unknown_prison"),
    ]
    for overrides, field, code in cases:
        response = await share(world, "mentor1", "T-0001", "JVA-A", **overrides)
        assert response.status_code == 422, (overrides, response.text)
        assert (response.json()["field"], response.json()["code"]) == (field, code)
    unknown_field = await share(world, "mentor1", "T-0001", "JVA-A", fields=["notes"])
    assert unknown_field.status_code == 400
    listed = await world.get("mentor1", f"/api/v1/participants/{world.participants['T-0001']}/shares")
    assert listed.json()["items"] == []


async def test_second_active_share_with_the_same_prison_conflicts(world) -> None:
    first = (await share(world, "mentor1", "T-0001", "JVA-A")).json()
    second = await share(world, "coordinator", "T-0001", "JVA-A", scope=["housing"])
    assert second.status_code == 409
    assert (second.json()["code"], second.json()["share_id"]) == ("share_exists", first["id"])
    await world.delete("mentor1", f"/api/v1/shares/{first['id']}")
    assert (await share(world, "coordinator", "T-0001", "JVA-A", scope=["housing"])).status_code == 201


async def test_revocation_keeps_the_record_with_who_and_when(world, fixed_clock) -> None:
    share_id = (await share(world, "mentor1", "T-0001", "JVA-A")).json()["id"]
    fixed_clock.instant = datetime(2026, 3, 12, 15, 30, tzinfo=UTC)
    revoked = await world.delete("mentor2", f"/api/v1/shares/{share_id}")
    assert revoked.status_code == 200
    assert (revoked.json()["revoked_at"], revoked.json()["revoked_by"], revoked.json()["active"]) == (
        "2026-03-12T15:30:00Z",
        str(world.users["mentor2"].id),
        False,
    )
    again = await world.delete("coordinator", f"/api/v1/shares/{share_id}")
    assert (again.status_code, again.json()["code"]) == (409, "share_revoked")
    pid = world.participants["T-0001"]
    history = (await world.get("coordinator", f"/api/v1/participants/{pid}/shares")).json()
    mentor2 = str(world.users["mentor2"].id)
    assert [(s["id"], s["revoked_by"]) for s in history["items"]] == [(share_id, mentor2)]
    events, _ = await audit_repo.query(action_prefix="plan.share_revoked")
    assert [(e["actor_username"], e["subject_id"]) for e in events] == [("mentor2", share_id)]


async def test_expired_share_stops_working_the_day_after(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    assert (await share(world, "mentor1", "T-0001", "JVA-A", expires_on="2026-03-12")).status_code == 201
    fixed_clock.instant = datetime(2026, 3, 12, 22, 59, tzinfo=UTC)  # 23:59 in Berlin: still the 12th
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 200
    fixed_clock.instant = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)  # midnight in Berlin
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 404
    assert (await world.get("prison1", "/api/v1/participants")).json()["items"] == []
    shares = (await world.get("mentor1", f"/api/v1/participants/{pid}/shares")).json()["items"]
    assert [s["active"] for s in shares] == [False]


async def test_prison_staff_list_only_their_prisons_active_share(world) -> None:
    pid = world.participants["T-0001"]
    mine = (await share(world, "mentor1", "T-0001", "JVA-A", scope=["housing"])).json()["id"]
    await share(world, "mentor1", "T-0001", "JVA-B")
    listed = await world.get("prison1", f"/api/v1/participants/{pid}/shares")
    assert [(s["id"], s["scope"]) for s in listed.json()["items"]] == [(mine, ["housing"])]
    assert len((await world.get("mentor1", f"/api/v1/participants/{pid}/shares")).json()["items"]) == 2


async def test_cases_in_intake_or_closed_stay_hidden_from_prisons_even_when_shared(world) -> None:
    pid = world.participants["T-0001"]
    await share(world, "mentor1", "T-0001", "JVA-A")
    seen = []
    # a path through the stage rules that passes every stage a case can be in after custody
    for status in ("released", "withdrawn", "intake", "in_custody", "released", "completed"):
        changed = await world.post(
            "coordinator",
            f"/api/v1/participants/{pid}/stage",
            json={"to_stage": status, "on_date": clock.today().isoformat(), "reason": "Test"},
        )
        assert changed.status_code == 200, changed.text
        seen.append((status, (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code))
    assert seen == [("released", 200), ("withdrawn", 404), ("intake", 404), ("in_custody", 200), ("released", 200),
                    ("completed", 404)]


async def test_mentor_taken_off_a_case_can_no_longer_share_or_read(world) -> None:
    pid = world.participants["T-0001"]
    moved = await world.put(
        "coordinator",
        f"/api/v1/participants/{pid}/mentors",
        json={"lead_id": str(world.users["mentor3"].id), "co_id": str(world.users["mentor2"].id)},
    )
    assert moved.status_code == 200
    assert (await share(world, "mentor1", "T-0001", "JVA-A")).status_code == 404
    assert (await world.get("mentor1", f"/api/v1/participants/{pid}")).status_code == 404
    assert (await share(world, "mentor3", "T-0001", "JVA-A")).status_code == 201


async def test_shared_domains_tells_plans_what_a_prison_may_see(world) -> None:
    pid: UUID = world.participants["T-0001"]
    await share(world, "mentor1", "T-0001", "JVA-A", scope=["release_day", "housing"])
    assert await shares_service.shared_domains(caller_of(world, "mentor1"), pid) is None
    assert await shares_service.shared_domains(caller_of(world, "coordinator"), pid) is None
    assert await shares_service.shared_domains(caller_of(world, "prison1"), pid) == {"housing", "release_day"}
    assert await shares_service.shared_domains(caller_of(world, "prison2"), pid) == set()
    shared = await shares_service.shared_domains(caller_of(world, "prison1"), pid)
    candidates = ("housing", "deradicalisation", "health")
    assert [d for d in candidates if shares_service.is_visible_domain(d, shared)] == ["housing"]


async def test_demo_programme_shares_plans_with_both_staff_logins(client, db, fixed_clock) -> None:
    result = await load_demo()
    assert result.password
    seen = {}
    for username in ("prison1", "prison2"):
        token = await login(client, username, result.password)
        listed = await client.get("/api/v1/participants", headers={"Authorization": f"Bearer {token}"})
        seen[username] = [(p["code"], p["first_name"], p["notes"]) for p in listed.json()["items"]]
    assert seen == {
        "prison1": [("L-2026-002", None, None), ("L-2026-003", None, None)],
        "prison2": [("L-2026-004", None, None), ("L-2026-006", None, None)],
    }
    coordinator = await login(client, "coordinator", result.password)
    auth = {"Authorization": f"Bearer {coordinator}"}
    listed = await client.get("/api/v1/participants?code=L-2026-011", headers=auth)
    pid = listed.json()["items"][0]["id"]
    shares = await client.get(f"/api/v1/participants/{pid}/shares", headers=auth)
    [withdrawn] = shares.json()["items"]
    assert (withdrawn["active"], withdrawn["revoked_at"] is not None) == (False, True)
    assert withdrawn["scope"] == DOMAINS
    assert withdrawn["consent_scope"].startswith("Schriftliche Einwilligung")
