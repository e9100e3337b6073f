"""Prison visits over HTTP: booking against the rules, the lifecycle, moves, review after transfer/release.

World: JVA-A (lead time 2 days) and JVA-B (7 days), both open Monday–Friday 09:00–12:00 Berlin, at most 90
minutes. The clock stands at Tuesday 2026-03-10 09:00 Berlin. T-0001 and T-0002 have mentor1 + mentor2
at JVA-A.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.planning.models import Role
from prison_liaison.services import visits as visits_service
from prison_liaison.services.context import Caller
from tests.support import login

VISITS = "/api/v1/visits"

pytestmark = pytest.mark.usefixtures("fixed_clock")


def body(
    world: Any,
    code: str = "T-0001",
    start: str = "2026-03-12T10:00:00+01:00",
    end: str = "2026-03-12T11:00:00+01:00",
    mentors: tuple[str, ...] = ("mentor1", "mentor2"),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "participant_id": str(world.participants[code]),
        "starts_at": start,
        "ends_at": end,
        "mentor_ids": [str(world.users[m].id) for m in mentors],
        **extra,
    }


async def move_clock(world: Any, fixed_clock: Any, instant: Any) -> None:
    """Move 'now'; the tokens issued at the old 'now' may have expired, so everyone logs in again."""
    fixed_clock.instant = instant
    for name in world.tokens:
        world.tokens[name] = await login(world.client, name)


async def book(world: Any, user: str = "mentor1", **kw: Any) -> Any:
    return await world.post(user, VISITS, json=body(world, **kw))


async def test_visit_booked_inside_a_window_is_planned(world) -> None:
    response = await book(world)
    assert response.status_code == 201, response.text
    visit = response.json()
    assert visit["participant_id"] == str(world.participants["T-0001"])
    assert visit["prison_id"] == str(world.prisons["JVA-A"])
    assert visit["starts_at"] == "2026-03-12T09:00:00Z"
    assert visit["ends_at"] == "2026-03-12T10:00:00Z"
    assert sorted(visit["mentor_ids"]) == sorted(str(world.users[m].id) for m in ("mentor1", "mentor2"))
    assert (visit["status"], visit["revision"], visit["kind"], visit["needs_review"]) == (
        "planned",
        0,
        "prison_visit",
        False,
    )
    assert response.headers["etag"] == '"v1"'


async def test_visit_same_slot_again_is_refused_as_participant_busy(world) -> None:
    first = (await book(world)).json()
    response = await book(world, mentors=("mentor1",))
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "participant_busy"
    assert problem["conflict"]["id"] == first["id"]
    assert problem["conflict"]["type"] == "visit"


async def test_visit_at_night_is_outside_the_visiting_window(world) -> None:
    response = await book(world, start="2026-03-12T23:00:00+01:00", end="2026-03-12T23:30:00+01:00")
    assert response.status_code == 409
    assert response.json()["code"] == "outside_visiting_window"
    assert response.json()["conflict"]["id"] == str(world.prisons["JVA-A"])


async def test_visit_on_a_closure_day_is_refused_as_prison_closed(world) -> None:
    added = await world.post(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-A']}/closures",
        json={"start_date": "2026-03-12", "end_date": "2026-03-13", "reason": "Lockdown"},
    )
    assert added.status_code == 201
    response = await book(world)
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "prison_closed"
    assert problem["conflict"]["reason"] == "Lockdown"
    assert problem["conflict"]["id"] == added.json()["closures"][0]["id"]


async def test_visit_overlapping_the_co_mentors_other_visit_is_mentor_busy(world) -> None:
    other = (await book(world, code="T-0002")).json()
    response = await book(
        world,
        code="T-0001",
        start="2026-03-12T10:30:00+01:00",
        end="2026-03-12T11:30:00+01:00",
        mentors=("mentor2",),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "mentor_busy"
    assert problem["conflict"]["id"] == other["id"]
    assert problem["conflict"]["mentor_id"] == str(world.users["mentor2"].id)


async def test_visits_back_to_back_for_the_same_mentors_pass(world) -> None:
    first = await book(
        world, code="T-0002", start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:30:00+01:00"
    )
    second = await book(
        world, code="T-0001", start="2026-03-12T10:30:00+01:00", end="2026-03-12T12:00:00+01:00"
    )
    assert (first.status_code, second.status_code) == (201, 201)


async def test_travel_buffer_keeps_mentors_visits_apart(world) -> None:
    prison = await world.get("coordinator", f"/api/v1/prisons/{world.prisons['JVA-A']}")
    await world.patch(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-A']}",
        json={"travel_buffer_minutes": 30},
        headers={"If-Match": prison.headers["etag"]},
    )
    await book(world, code="T-0002", start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00")
    too_close = await book(world, start="2026-03-12T10:15:00+01:00", end="2026-03-12T11:00:00+01:00")
    assert too_close.json()["code"] == "mentor_busy"
    just_far_enough = await book(world, start="2026-03-12T10:30:00+01:00", end="2026-03-12T11:30:00+01:00")
    assert just_far_enough.status_code == 201, just_far_enough.text


async def test_visit_at_the_window_edges_passes_and_a_minute_beyond_fails(world) -> None:
    at_start = await book(
        world, code="T-0001", start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00"
    )
    at_end = await book(
        world, code="T-0002", start="2026-03-12T11:00:00+01:00", end="2026-03-12T12:00:00+01:00"
    )
    before = await book(
        world, code="T-0001", start="2026-03-13T08:59:00+01:00", end="2026-03-13T09:59:00+01:00"
    )
    after = await book(
        world, code="T-0001", start="2026-03-13T11:01:00+01:00", end="2026-03-13T12:01:00+01:00"
    )
    assert (at_start.status_code, at_end.status_code) == (201, 201)
    assert [before.json()["code"], after.json()["code"]] == ["outside_visiting_window"] * 2


async def test_lead_time_passes_to_the_day_and_fails_a_day_earlier(world) -> None:
    too_soon = await book(world, start="2026-03-11T10:00:00+01:00", end="2026-03-11T11:00:00+01:00")
    assert too_soon.status_code == 409
    assert too_soon.json()["code"] == "lead_time"
    assert too_soon.json()["conflict"]["earliest_date"] == "2026-03-12"
    on_the_day = await book(world, start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00")
    assert on_the_day.status_code == 201


async def test_coordinator_overrides_lead_time_with_a_reason_mentor_may_not(world) -> None:
    urgent = dict(
        start="2026-03-11T10:00:00+01:00",
        end="2026-03-11T11:00:00+01:00",
        lead_time_override_reason="Krisengespräch",
    )
    refused = await book(world, "mentor1", **urgent)
    assert refused.status_code == 403
    assert refused.json()["code"] == "override_not_allowed"
    accepted = await book(world, "coordinator", **urgent)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["lead_time_override_reason"] == "Krisengespräch"


async def test_visit_longer_than_the_maximum_is_too_long_and_the_maximum_passes(world) -> None:
    too_long = await book(world, start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:31:00+01:00")
    assert too_long.json()["code"] == "too_long"
    assert too_long.json()["conflict"]["max_visit_minutes"] == "90"
    longest = await book(world, start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:30:00+01:00")
    assert longest.status_code == 201


async def test_visit_on_a_statutory_holiday_is_refused_unless_the_prison_opens(world) -> None:
    good_friday = dict(start="2026-04-03T10:00:00+02:00", end="2026-04-03T11:00:00+02:00")
    refused = await book(world, **good_friday)
    assert refused.json()["code"] == "public_holiday"
    assert refused.json()["conflict"]["date"] == "2026-04-03"
    prison = await world.get("coordinator", f"/api/v1/prisons/{world.prisons['JVA-A']}")
    opened = await world.patch(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-A']}",
        json={"open_on_holidays": ["2026-04-03"]},
        headers={"If-Match": prison.headers["etag"]},
    )
    assert opened.status_code == 200
    assert (await book(world, **good_friday)).status_code == 201


async def test_visits_on_dst_weekends_follow_the_prisons_wall_clock(world) -> None:
    # after the March switch 09:00 Berlin is 07:00 UTC; the week before it was 08:00 UTC
    summer = await book(world, start="2026-03-30T07:00:00Z", end="2026-03-30T08:30:00Z")
    winter = await book(world, start="2026-03-27T07:00:00Z", end="2026-03-27T08:00:00Z")
    assert summer.status_code == 201, summer.text
    assert winter.json()["code"] == "outside_visiting_window"
    # after the October switch 09:00 Berlin is 08:00 UTC again
    october_after = await book(world, start="2026-10-26T07:00:00Z", end="2026-10-26T08:00:00Z")
    october_before = await book(world, start="2026-10-23T07:00:00Z", end="2026-10-23T08:00:00Z")
    assert october_after.json()["code"] == "outside_visiting_window"
    assert october_before.status_code == 201, october_before.text


async def test_visit_on_or_after_planned_release_is_refused(world) -> None:
    # the planning date comes from the release-date ledger (another area): set it directly here
    await participants_repo.update_participant(
        world.participants["T-0001"],
        {"planning_date": date(2026, 3, 13)},
        expected_version=None,
        now=clock.now(),
    )
    on_release = await book(world, start="2026-03-13T10:00:00+01:00", end="2026-03-13T11:00:00+01:00")
    assert on_release.json()["code"] == "after_release"
    assert on_release.json()["conflict"]["planning_date"] == "2026-03-13"
    day_before = await book(world, start="2026-03-12T10:00:00+01:00", end="2026-03-12T11:00:00+01:00")
    assert day_before.status_code == 201


async def test_visit_without_mentor_is_refused_and_strangers_are_not_mentors(world) -> None:
    none = await book(world, mentors=())
    assert none.status_code == 409
    assert none.json()["code"] == "no_mentor"
    stranger = await book(world, mentors=("mentor3",))
    assert stranger.status_code == 422
    assert (stranger.json()["code"], stranger.json()["field"]) == ("not_a_mentor", "mentor_ids")
    one = await book(world, mentors=("mentor2",))
    assert one.status_code == 201


async def test_visit_of_someone_elses_participant_is_not_found(world) -> None:
    response = await book(world, "mentor3", code="T-0001")
    assert response.status_code == 404
    visit = (await book(world)).json()
    assert (await world.get("mentor3", f"{VISITS}/{visit['id']}")).status_code == 404


async def test_visit_bad_input_is_a_problem_naming_the_field(world) -> None:
    naive = await book(world, start="2026-03-12T10:00:00", end="2026-03-12T11:00:00")
    assert (naive.status_code, naive.json()["field"]) == (422, "starts_at")
    backwards = await book(world, start="2026-03-12T11:00:00+01:00", end="2026-03-12T10:00:00+01:00")
    assert (backwards.status_code, backwards.json()["field"]) == (422, "ends_at")
    unknown = await world.post("mentor1", VISITS, json={**body(world), "colour": "red"})
    assert unknown.status_code == 400


# --- lifecycle ----------------------------------------------------------------------------------------------


async def test_visit_lifecycle_records_every_transition_and_attendance(world, fixed_clock) -> None:
    visit = (await book(world)).json()
    url = f"{VISITS}/{visit['id']}"
    assert (await world.post("mentor1", f"{url}/request")).json()["status"] == "requested"
    confirmed = await world.post("mentor2", f"{url}/confirm", json={"room": "Besuchsraum 2"})
    assert (confirmed.json()["status"], confirmed.json()["room"]) == ("confirmed", "Besuchsraum 2")
    early = await world.post("mentor1", f"{url}/complete")
    assert (early.status_code, early.json()["code"]) == (409, "visit_not_started")
    await move_clock(world, fixed_clock, datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    done = await world.post(
        "mentor1",
        f"{url}/complete",
        json={"attendance": [{"mentor_id": str(world.users["mentor2"].id), "attended": False}]},
    )
    assert done.status_code == 200, done.text
    attendance = {a["display_name"]: a["attended"] for a in done.json()["attendees"]}
    assert attendance == {"Mentor1": True, "Mentor2": False}
    again = await world.post(
        "mentor1", f"{url}/cancel", json={"reason": "other", "cancelled_by": "mentor", "note": "x"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    read = (await world.get("mentor1", url)).json()
    steps = [(t["from_status"], t["to_status"], t["actor_name"]) for t in read["transitions"]]
    assert steps == [
        ("", "planned", "Mentor1"),
        ("planned", "requested", "Mentor1"),
        ("requested", "confirmed", "Mentor2"),
        ("confirmed", "completed", "Mentor1"),
    ]


async def test_visit_cancel_needs_a_reason_code_and_keeps_the_visit(world) -> None:
    visit = (await book(world)).json()
    url = f"{VISITS}/{visit['id']}"
    bad = await world.post("mentor1", f"{url}/cancel", json={"reason": "bored", "cancelled_by": "mentor"})
    assert bad.status_code == 400
    other = await world.post("mentor1", f"{url}/cancel", json={"reason": "other", "cancelled_by": "mentor"})
    assert (other.status_code, other.json()["field"]) == (422, "note")
    done = await world.post("mentor1", f"{url}/cancel", json={"reason": "lockdown", "cancelled_by": "prison"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["cancel_reason"], done.json()["cancelled_by"]) == (
        "cancelled",
        "lockdown",
        "prison",
    )
    # a cancelled visit frees the slot
    assert (await book(world)).status_code == 201
    # who cancelled defaults to the mentors
    later = (await book(world, start="2026-03-13T10:00:00+01:00", end="2026-03-13T11:00:00+01:00")).json()
    plain = await world.post("mentor1", f"{VISITS}/{later['id']}/cancel", json={"reason": "lockdown"})
    assert (plain.json()["cancel_reason"], plain.json()["cancelled_by"]) == ("lockdown", "mentor")
    cancelled = (await world.get("mentor1", f"{VISITS}?status=cancelled")).json()["items"]
    assert [v["id"] for v in cancelled] == [visit["id"], later["id"]]


async def test_no_show_is_recorded_after_the_start(world, fixed_clock) -> None:
    visit = (await book(world)).json()
    url = f"{VISITS}/{visit['id']}"
    await world.post("mentor1", f"{url}/request")
    await world.post("mentor1", f"{url}/confirm")
    await move_clock(world, fixed_clock, datetime(2026, 3, 12, 9, 30, tzinfo=UTC))
    response = await world.post("mentor1", f"{url}/no_show", json={"note": "Verlegt in Krankenstation"})
    assert response.json()["status"] == "no_show"


async def test_moving_a_visit_keeps_its_id_bumps_revision_and_asks_the_prison_again(world) -> None:
    visit = (await book(world)).json()
    url = f"{VISITS}/{visit['id']}"
    await world.post("mentor1", f"{url}/request")
    current = await world.get("mentor1", url)
    no_match = await world.patch("mentor1", url, json={"starts_at": "2026-03-13T09:00:00+01:00"})
    assert no_match.status_code == 428
    moved = await world.patch(
        "mentor1",
        url,
        json={"starts_at": "2026-03-13T09:00:00+01:00", "ends_at": "2026-03-13T10:00:00+01:00"},
        headers={"If-Match": current.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["id"], moved.json()["revision"], moved.json()["status"]) == (
        visit["id"],
        1,
        "planned",
    )
    stale = await world.patch(
        "mentor1", url, json={"room": "B"}, headers={"If-Match": current.headers["etag"]}
    )
    assert stale.status_code == 412
    blocked = await world.patch(
        "mentor1",
        url,
        json={"starts_at": "2026-03-13T23:00:00+01:00", "ends_at": "2026-03-13T23:30:00+01:00"},
        headers={"If-Match": moved.headers["etag"]},
    )
    assert blocked.json()["code"] == "outside_visiting_window"
    assert (await world.get("mentor1", url)).json()["starts_at"] == "2026-03-13T08:00:00Z"


async def test_visit_list_filters_and_paginates_within_scope(world) -> None:
    await book(world, code="T-0001", start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00")
    await book(world, code="T-0002", start="2026-03-13T09:00:00+01:00", end="2026-03-13T10:00:00+01:00")
    await book(
        world,
        "mentor3",
        code="T-0004",
        start="2026-03-16T09:00:00+01:00",
        end="2026-03-16T10:00:00+01:00",
        mentors=("mentor3",),
    )
    page1 = (await world.get("mentor1", f"{VISITS}?limit=1")).json()
    page2 = (await world.get("mentor1", f"{VISITS}?limit=1&cursor={page1['next_cursor']}")).json()
    assert [v["participant_code"] for v in page1["items"] + page2["items"]] == ["T-0001", "T-0002"]
    assert page2["next_cursor"] is None
    by_date = (await world.get("coordinator", f"{VISITS}?from=2026-03-13&to=2026-03-16")).json()["items"]
    assert [v["participant_code"] for v in by_date] == ["T-0002", "T-0004"]
    by_mentor = (await world.get("coordinator", f"{VISITS}?mentor_id={world.users['mentor3'].id}")).json()
    assert [v["participant_code"] for v in by_mentor["items"]] == ["T-0004"]


# --- slot finder --------------------------------------------------------------------------------------------


async def test_slot_finder_proposes_bookable_slots_in_date_order(world) -> None:
    pid = world.participants["T-0001"]
    await book(world, code="T-0002", start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00")
    response = await world.get(
        "mentor1", f"/api/v1/participants/{pid}/visit-slots?from=2026-03-10&to=2026-03-13&minutes=60&limit=5"
    )
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"starts_at": "2026-03-12T09:00:00Z", "ends_at": "2026-03-12T10:00:00Z"},
        {"starts_at": "2026-03-12T09:30:00Z", "ends_at": "2026-03-12T10:30:00Z"},
        {"starts_at": "2026-03-12T10:00:00Z", "ends_at": "2026-03-12T11:00:00Z"},
        {"starts_at": "2026-03-13T08:00:00Z", "ends_at": "2026-03-13T09:00:00Z"},
        {"starts_at": "2026-03-13T08:30:00Z", "ends_at": "2026-03-13T09:30:00Z"},
    ]
    first = response.json()[0]
    booked = await world.post(
        "mentor1", VISITS, json=body(world, start=first["starts_at"], end=first["ends_at"])
    )
    assert booked.status_code == 201


async def test_slot_finder_refuses_a_length_beyond_the_prisons_maximum(world) -> None:
    pid = world.participants["T-0001"]
    response = await world.get("mentor1", f"/api/v1/participants/{pid}/visit-slots?minutes=120")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        422,
        "too_long",
        "minutes",
    )


# --- review after transfer and release ----------------------------------------------------------------------


async def test_transfer_flags_future_visits_for_review_and_each_resolution_clears_it(world) -> None:
    visits = [
        (await book(world, start=f"2026-03-{d}T09:00:00+01:00", end=f"2026-03-{d}T10:00:00+01:00")).json()
        for d in (12, 13, 16)
    ]
    participant = await world.get("coordinator", f"/api/v1/participants/{world.participants['T-0001']}")
    moved = await world.patch(
        "coordinator",
        f"/api/v1/participants/{world.participants['T-0001']}",
        json={"prison_id": str(world.prisons["JVA-B"])},
        headers={"If-Match": participant.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    review = (await world.get("mentor1", f"{VISITS}/review")).json()["items"]
    assert [v["id"] for v in review] == [v["id"] for v in visits]
    assert {v["review_reason"] for v in review} == {"participant_transferred"}
    # resolve: move to the new prison (7 days' notice), cancel, keep
    first = await world.get("mentor1", f"{VISITS}/{visits[0]['id']}")
    rebooked = await world.patch(
        "mentor1",
        f"{VISITS}/{visits[0]['id']}",
        json={"starts_at": "2026-03-17T09:00:00+01:00", "ends_at": "2026-03-17T10:00:00+01:00"},
        headers={"If-Match": first.headers["etag"]},
    )
    assert rebooked.status_code == 200, rebooked.text
    assert (rebooked.json()["prison_id"], rebooked.json()["needs_review"]) == (
        str(world.prisons["JVA-B"]),
        False,
    )
    cancelled = await world.post(
        "mentor1",
        f"{VISITS}/{visits[1]['id']}/cancel",
        json={"reason": "participant_transferred", "cancelled_by": "prison"},
    )
    assert cancelled.json()["needs_review"] is False
    kept = await world.post(
        "mentor1", f"{VISITS}/{visits[2]['id']}/keep", json={"reason": "Rückverlegung geplant"}
    )
    assert (kept.json()["needs_review"], kept.json()["review_note"]) == (False, "Rückverlegung geplant")
    assert (await world.get("mentor1", f"{VISITS}/review")).json()["items"] == []


async def test_release_flags_future_prison_visits(world) -> None:
    visit = (await book(world)).json()
    participant = await world.get("coordinator", f"/api/v1/participants/{world.participants['T-0001']}")
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{world.participants['T-0001']}",
        json={"status": "released"},
        headers={"If-Match": participant.headers["etag"]},
    )
    review = (await world.get("coordinator", f"{VISITS}/review")).json()["items"]
    assert [(v["id"], v["review_reason"]) for v in review] == [(visit["id"], "participant_released")]
    # after release, meetings need no prison
    meeting = await book(
        world, kind="meeting", start="2026-03-11T18:00:00+01:00", end="2026-03-11T19:00:00+01:00"
    )
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["prison_id"] is None
    prison_visit = await book(world, start="2026-03-13T09:00:00+01:00", end="2026-03-13T10:00:00+01:00")
    assert prison_visit.json()["code"] == "after_release"


# --- cadence, series, day list ------------------------------------------------------------------------------


async def test_cadence_lists_the_callers_participants_with_due_dates(world, fixed_clock) -> None:
    visit = (await book(world)).json()
    for step in ("request", "confirm"):
        await world.post("mentor1", f"{VISITS}/{visit['id']}/{step}")
    await move_clock(world, fixed_clock, datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    await world.post("mentor1", f"{VISITS}/{visit['id']}/complete")
    await move_clock(world, fixed_clock, datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    items = (await world.get("mentor1", f"{VISITS}/cadence")).json()["items"]
    by_code = {i["code"]: i for i in items}
    assert set(by_code) == {"T-0001", "T-0002"}
    assert by_code["T-0001"]["last_visit_on"] == "2026-03-12"
    assert by_code["T-0001"]["next_due_on"] == "2026-03-26"
    assert (by_code["T-0001"]["is_overdue"], by_code["T-0001"]["days_overdue"]) == (True, 4)
    assert by_code["T-0001"]["initials"] == "A.A."
    overdue = (await world.get("mentor1", f"{VISITS}/cadence?overdue=true")).json()["items"]
    assert "T-0001" in {i["code"] for i in overdue}


async def test_series_lists_created_and_refused_occurrences(world) -> None:
    await world.post(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-A']}/closures",
        json={"start_date": "2026-04-14", "end_date": "2026-04-14", "reason": "Personalversammlung"},
    )
    response = await world.post(
        "mentor1",
        f"{VISITS}/series",
        json={
            "participant_id": str(world.participants["T-0001"]),
            "first_date": "2026-03-17",
            "start_time": "10:00:00",
            "minutes": 60,
            "every_weeks": 2,
            "until": "2026-06-16",
            "mentor_ids": [str(world.users["mentor1"].id), str(world.users["mentor2"].id)],
        },
    )
    assert response.status_code == 201, response.text
    result = response.json()
    created = [v["starts_at"] for v in result["created"]]
    refused = [(r["starts_at"], r["code"]) for r in result["refused"]]
    assert refused == [("2026-04-14T08:00:00Z", "prison_closed")]
    assert created[:2] == [
        "2026-03-17T09:00:00Z",
        "2026-03-31T08:00:00Z",
    ]  # 10:00 Berlin across the DST switch
    assert len(created) + len(refused) == 7
    assert {v["series_id"] for v in result["created"]} == {result["series_id"]}


async def test_prison_day_list_shows_staff_only_confirmed_visits_without_names(world) -> None:
    confirmed = (await book(world)).json()
    for step in ("request", "confirm"):
        await world.post("mentor1", f"{VISITS}/{confirmed['id']}/{step}")
    await book(world, code="T-0002", start="2026-03-12T11:00:00+01:00", end="2026-03-12T12:00:00+01:00")
    url = f"/api/v1/prisons/{world.prisons['JVA-A']}/visits?date=2026-03-12"
    staff = (await world.get("prison1", url)).json()
    assert staff["items"] == [
        {
            "participant_code": "T-0001",
            "starts_at": "2026-03-12T09:00:00Z",
            "ends_at": "2026-03-12T10:00:00Z",
            "mentor_names": ["Mentor1", "Mentor2"],
            "room": "",
            "id": None,
            "status": None,
            "kind": None,
        }
    ]
    coordinator = (await world.get("coordinator", url)).json()
    assert [(i["participant_code"], i["status"]) for i in coordinator["items"]] == [
        ("T-0001", "confirmed"),
        ("T-0002", "planned"),
    ]
    assert (await world.get("prison2", url)).status_code == 404
    assert (await world.get("mentor1", url)).status_code == 404


async def test_three_bookings_of_the_same_mentor_at_once_only_one_wins(world) -> None:
    same_time = {"start": "2026-03-19T10:00:00+01:00", "end": "2026-03-19T11:00:00+01:00"}
    responses = await asyncio.gather(
        book(world, "mentor1", code="T-0001", mentors=("mentor1", "mentor2"), **same_time),
        book(world, "mentor1", code="T-0002", mentors=("mentor2",), **same_time),
        book(world, "mentor3", code="T-0003", mentors=("mentor3", "mentor2"), **same_time),
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409], [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"mentor_busy"}


async def test_issue_done_when_scenario(world) -> None:
    """A mentor books a proposed slot; four wrong bookings get four distinct codes; a transfer flags."""
    pid = world.participants["T-0001"]
    slot = (await world.get("mentor1", f"/api/v1/participants/{pid}/visit-slots?minutes=60&limit=1")).json()[
        0
    ]
    booked = await world.post(
        "mentor1", VISITS, json=body(world, start=slot["starts_at"], end=slot["ends_at"])
    )
    assert booked.status_code == 201
    await world.post(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-A']}/closures",
        json={"start_date": "2026-03-20", "end_date": "2026-03-20", "reason": "Personalmangel"},
    )
    co_visit = await book(
        world,
        code="T-0002",
        start="2026-03-19T09:00:00+01:00",
        end="2026-03-19T10:00:00+01:00",
        mentors=("mentor2",),
    )
    assert co_visit.status_code == 201
    attempts = [
        body(world, start=slot["starts_at"], end=slot["ends_at"]),
        body(world, start="2026-03-18T02:00:00+01:00", end="2026-03-18T03:00:00+01:00"),
        body(world, start="2026-03-20T10:00:00+01:00", end="2026-03-20T11:00:00+01:00"),
        body(world, start="2026-03-19T09:30:00+01:00", end="2026-03-19T10:30:00+01:00"),
    ]
    codes = [(await world.post("mentor1", VISITS, json=a)).json()["code"] for a in attempts]
    assert codes == ["participant_busy", "outside_visiting_window", "prison_closed", "mentor_busy"]
    participant = await world.get("coordinator", f"/api/v1/participants/{pid}")
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"prison_id": str(world.prisons["JVA-B"])},
        headers={"If-Match": participant.headers["etag"]},
    )
    review = (await world.get("mentor1", f"{VISITS}/review")).json()["items"]
    assert [v["id"] for v in review] == [booked.json()["id"]]


async def test_far_off_dates_are_input_errors_not_crashes(world) -> None:
    pid = world.participants["T-0001"]
    slots = await world.get("mentor1", f"/api/v1/participants/{pid}/visit-slots?from=9999-12-31")
    listed = await world.get("mentor1", f"{VISITS}?to=9999-12-31")
    booked = await book(world, start="9999-12-31T10:00:00+01:00", end="9999-12-31T11:00:00+01:00")
    assert [(r.status_code, r.json()["field"]) for r in (slots, listed, booked)] == [
        (422, "from"),
        (422, "to"),
        (422, "starts_at"),
    ]


async def test_release_date_moved_earlier_flags_visits_on_or_after_it(world) -> None:
    before = (await book(world, start="2026-03-12T09:00:00+01:00", end="2026-03-12T10:00:00+01:00")).json()
    after = (await book(world, start="2026-03-13T09:00:00+01:00", end="2026-03-13T10:00:00+01:00")).json()
    caller = Caller(user_id=world.users["coordinator"].id, username="coordinator", role=Role.COORDINATOR)
    async with db.transaction():
        flagged = await visits_service.flag_after_release_date(
            caller, world.participants["T-0001"], date(2026, 3, 13)
        )
    assert flagged == 1
    review = (await world.get("mentor1", f"{VISITS}/review")).json()["items"]
    assert [(v["id"], v["review_reason"]) for v in review] == [(after["id"], "release_date_changed")]
    assert before["id"] not in {v["id"] for v in review}


async def test_prison_staff_see_only_visits_their_prison_was_asked_for_without_notes(world, fixed_clock) -> None:
    shared = await world.post("mentor1", f"/api/v1/participants/{world.participants['T-0001']}/shares", json={
        "prison_id": str(world.prisons["JVA-A"]), "scope": ["housing"], "consent_date": "2026-03-01",
        "consent_scope": "Wohnen",
    })
    assert shared.status_code == 201, shared.text
    planned = (await book(world)).json()
    assert (await world.get("prison1", f"{VISITS}/{planned['id']}")).status_code == 404
    assert planned["id"] not in {v["id"] for v in (await world.get("prison1", VISITS)).json()["items"]}
    requested = await world.post("mentor1", f"{VISITS}/{planned['id']}/request")
    assert requested.json()["status"] == "requested"
    seen = await world.get("prison1", f"{VISITS}/{planned['id']}")
    assert seen.status_code == 200
    assert (seen.json()["status"], seen.json()["transitions"]) == ("requested", [])
    assert [v["id"] for v in (await world.get("prison1", VISITS)).json()["items"]] == [planned["id"]]
    # another prison's staff see nothing of it
    assert (await world.get("prison2", f"{VISITS}/{planned['id']}")).status_code == 404
