"""Feeds as real clients read them: Python's icalendar and Mozilla's ical.js (Thunderbird) must agree with the
database on every event's start in UTC, across both 2026 DST switches, and follow moves and cancellations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from prison_liaison.services.feeds import feed_cache
from tests.feeds_support import (
    add_appointment,
    add_plan_item,
    add_visit,
    move_visit,
    set_planning_date,
    set_visit_status,
    utc,
)

pytestmark = pytest.mark.e2e

# (UTC start, minutes): both sides of the March and October switches, and a visit across the March gap
VISIT_STARTS = [
    (utc(2026, 3, 27, 9, 0), 60),  # Fri 10:00 CET
    (utc(2026, 3, 29, 0, 30), 90),  # Sun 01:30 CET → 04:00 CEST (the clock jumps inside the visit)
    (utc(2026, 3, 30, 8, 0), 60),  # Mon 10:00 CEST
    (utc(2026, 10, 23, 8, 0), 60),  # Fri 10:00 CEST
    (utc(2026, 10, 26, 9, 0), 60),  # Mon 10:00 CET
    (utc(2026, 12, 21, 13, 15), 45),  # winter afternoon
    (utc(2027, 7, 1, 6, 0), 60),  # next summer
]


def _python_view(body: bytes) -> dict[str, tuple[Any, Any]]:
    out = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if isinstance(start, datetime):
            out[str(event["UID"])] = (start.astimezone(UTC), end.astimezone(UTC))
        else:
            out[str(event["UID"])] = (start, end)
    return out


def _icaljs_view(parsed: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    def value(when: dict[str, Any]) -> Any:
        if when["all_day"]:
            return date.fromisoformat(when["date"])
        assert when["zone"] == "Europe/Berlin", when  # converted by the feed's own VTIMEZONE
        return datetime.fromisoformat(when["utc"].replace("Z", "+00:00"))

    return {e["uid"]: (value(e["start"]), value(e["end"])) for e in parsed["events"]}


async def _get(world: Any, path: str) -> bytes:
    feed_cache.clear()
    response = await world.client.get(path)
    assert response.status_code == 200, response.text
    return bytes(response.content)


async def test_feed_clients_agree_with_the_database_across_dst(fixed_clock, world, icaljs) -> None:
    mentor = world.users["mentor1"].id
    p1, p2 = world.participants["T-0001"], world.participants["T-0002"]
    expected: dict[str, tuple[Any, Any]] = {}
    for start, minutes in VISIT_STARTS:
        visit = await add_visit(p1, world.prisons["JVA-A"], start, minutes=minutes, mentor_ids=[mentor])
        expected[f"visit-{visit}@prison-liaison"] = (start, start + timedelta(minutes=minutes))
    appointment = await add_appointment(p2, utc(2026, 10, 26, 10, 0), minutes=30)
    expected[f"appointment-{appointment}@prison-liaison"] = (
        utc(2026, 10, 26, 10, 0),
        utc(2026, 10, 26, 10, 30),
    )
    await set_planning_date(p1, date(2026, 10, 25))  # the day the clocks go back
    expected[f"release-{p1}@prison-liaison"] = (date(2026, 10, 25), date(2026, 10, 26))
    item = await add_plan_item(p2, date(2026, 3, 29))
    expected[f"deadline-{item}@prison-liaison"] = (date(2026, 3, 29), date(2026, 3, 30))

    created = (await world.post("mentor1", "/api/v1/calendar-subscriptions", json={"scope": "mentor"})).json()
    path = "/" + created["url"].split("/", 3)[3]
    body = await _get(world, path)

    parsed = icaljs(body)
    assert parsed["name"] == "Ausstiegsbegleitung"
    assert parsed["timezone"] == "Europe/Berlin"
    assert parsed["refresh_interval"] == "PT1H"
    assert parsed["timezones"] == ["Europe/Berlin"]
    assert _python_view(body) == expected
    assert _icaljs_view(parsed) == expected
    all_day = {e["uid"]: e["transp"] for e in parsed["events"] if e["start"]["all_day"]}
    assert all_day == {
        f"release-{p1}@prison-liaison": "TRANSPARENT",
        f"deadline-{item}@prison-liaison": "TRANSPARENT",
    }


async def test_feed_clients_follow_a_move_a_cancellation_and_a_revocation(fixed_clock, world, icaljs) -> None:
    mentor = world.users["mentor1"].id
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 27, 9, 0),
        mentor_ids=[mentor],
        status="confirmed",
    )
    uid = f"visit-{visit}@prison-liaison"
    created = (await world.post("mentor1", "/api/v1/calendar-subscriptions", json={"scope": "mentor"})).json()
    path = "/" + created["url"].split("/", 3)[3]

    def the_event(body: bytes) -> dict[str, Any]:
        (event,) = [e for e in icaljs(body)["events"] if e["uid"] == uid]
        (py,) = [e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]) == uid]
        assert int(py["SEQUENCE"]) == event["sequence"]
        assert str(py["STATUS"]) == event["status"]
        assert str(py["SUMMARY"]) == event["summary"]
        return event

    before = the_event(await _get(world, path))
    assert (before["status"], before["summary"]) == ("CONFIRMED", "Besuch T-0001 (A.A.)")

    fixed_clock.instant += timedelta(minutes=5)
    await move_visit(visit, utc(2026, 3, 30, 8, 0))  # across the switch: still 10:00 on the wall clock
    moved = the_event(await _get(world, path))
    assert moved["sequence"] > before["sequence"]
    assert moved["start"]["utc"] == "2026-03-30T08:00:00.000Z"

    fixed_clock.instant += timedelta(minutes=5)
    await set_visit_status(visit, "cancelled", cancel_reason="participant_declined", cancel_note="Anna Alpha")
    body = await _get(world, path)
    cancelled = the_event(body)
    assert cancelled["sequence"] > moved["sequence"]
    assert (cancelled["status"], cancelled["summary"]) == ("CANCELLED", "ABGESAGT: Besuch T-0001 (A.A.)")
    text = body.decode()
    assert "Anna" not in text and "Alpha" not in text and "declined" not in text

    assert (await world.delete("mentor1", f"/api/v1/calendar-subscriptions/{created['id']}")).status_code == 204
    assert (await world.client.get(path)).status_code == 404
