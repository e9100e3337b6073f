"""Calendar subscriptions and feeds over HTTP: the contract calendar apps rely on, and the privacy rules."""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from prison_liaison.persistence.tables import CalendarSubscriptionTable
from prison_liaison.services.feeds import feed_cache
from prison_liaison.services.security import token_digest
from tests.feeds_support import (
    add_appointment,
    add_plan_item,
    add_visit,
    move_visit,
    set_planning_date,
    set_visit_status,
    update_plan_item,
    utc,
)

API = "/api/v1/calendar-subscriptions"


async def subscribe(world: Any, username: str, **body: Any) -> dict[str, Any]:
    response = await world.post(username, API, json={"scope": "mentor", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def path_of(created: dict[str, Any]) -> str:
    return "/" + created["url"].split("/", 3)[3]


async def fetch(world: Any, created: dict[str, Any], **headers: str) -> Any:
    return await world.client.get(path_of(created), headers=headers)


async def feed(world: Any, created: dict[str, Any]) -> Calendar:
    response = await fetch(world, created)
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture(autouse=True)
def _empty_feed_cache() -> None:
    feed_cache.clear()


# --- subscriptions ------------------------------------------------------------------------------------------


async def test_subscription_create_returns_links_once_and_stores_only_the_hash(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1", name="Mein Kalender")
    token = created["url"].removeprefix("http://testserver.local/feeds/").removesuffix(".ics")
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    assert created["webcal_url"] == "webcal://testserver.local/feeds/" + token + ".ics"
    assert created["google_url"].startswith("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    assert {k: created[k] for k in ("scope", "content", "name", "participant_id", "last_used_at")} == {
        "scope": "mentor",
        "content": "all",
        "name": "Mein Kalender",
        "participant_id": None,
        "last_used_at": None,
    }
    rows = await CalendarSubscriptionTable.select(CalendarSubscriptionTable.token_hash)
    assert rows == [{"token_hash": token_digest(token)}]
    listed = (await world.get("mentor1", API)).json()["items"]
    assert [s["id"] for s in listed] == [created["id"]]
    assert token not in str(listed) and "url" not in listed[0]


async def test_subscription_list_shows_last_use_after_a_fetch(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    await fetch(world, created)
    listed = (await world.get("mentor1", API)).json()["items"]
    assert listed[0]["last_used_at"].startswith("2026-03-10T08:00:00")


@pytest.mark.parametrize(
    ("username", "body", "status", "code"),
    [
        ("coordinator", {"scope": "mentor"}, 422, "scope_not_allowed"),
        ("prison1", {"scope": "mentor"}, 422, "scope_not_allowed"),
        ("mentor1", {"scope": "prison", "prison": "JVA-A"}, 422, "scope_not_allowed"),
        ("prison1", {"scope": "participant", "participant": "T-0001"}, 422, "scope_not_allowed"),
        ("mentor1", {"scope": "participant", "participant": "T-0003"}, 404, "not_found"),
        ("mentor1", {"scope": "participant"}, 422, "required"),
        ("prison1", {"scope": "prison", "prison": "JVA-B"}, 404, "not_found"),
        ("prison1", {"scope": "prison", "content": "deadlines"}, 422, "content_not_allowed"),
        ("mentor1", {"scope": "mentor", "prison": "JVA-A"}, 422, "not_allowed"),
    ],
)
async def test_subscription_create_is_refused_outside_the_callers_reach(
    world, username, body, status, code
) -> None:
    body = dict(body)
    if "prison" in body:
        body["prison_id"] = str(world.prisons[body.pop("prison")])
    if "participant" in body:
        body["participant_id"] = str(world.participants[body.pop("participant")])
    response = await world.post(username, API, json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await CalendarSubscriptionTable.count() == 0


async def test_subscription_of_someone_else_cannot_be_revoked(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    response = await world.delete("mentor2", f"{API}/{created['id']}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (await fetch(world, created)).status_code == 200


async def test_subscription_revoked_answers_404_and_is_audited(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    assert (await fetch(world, created)).status_code == 200
    fixed_clock.instant += timedelta(seconds=1)
    assert (await world.delete("mentor1", f"{API}/{created['id']}")).status_code == 204
    response = await fetch(world, created)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert (await world.get("mentor1", API)).json()["items"] == []
    actions = [
        e["action"]
        for e in (await world.get("coordinator", "/api/v1/audit-events?action=calendar")).json()["items"]
    ]
    assert actions == ["calendar_subscription.revoked", "calendar_subscription.created"]


async def test_feed_unknown_token_is_404_problem(client, db) -> None:
    for path in ("/feeds/" + "x" * 43 + ".ics", "/feeds/nothing", "/feeds/" + "y" * 500 + ".ics"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- HTTP ---------------------------------------------------------------------------------------------------


async def test_feed_http_headers_are_what_calendar_clients_need(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    response = await fetch(world, created)
    assert response.status_code == 200
    assert response.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["last-modified"] == "Tue, 10 Mar 2026 08:00:00 GMT"
    assert response.headers["cache-control"] == "private"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


async def test_feed_if_none_match_answers_304_without_building_the_feed(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    first = await fetch(world, created)
    feed_cache.clear()
    response = await fetch(world, created, **{"If-None-Match": first.headers["etag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == first.headers["etag"]
    assert response.headers["cache-control"] == "private"
    # nothing was rendered (or cached) for the 304
    assert feed_cache.get((__import__("uuid").UUID(created["id"]), first.headers["etag"])) is None
    weak = await fetch(world, created, **{"If-None-Match": 'W/"other", W/' + first.headers["etag"]})
    assert weak.status_code == 304


async def test_feed_changes_etag_when_an_event_changes(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    first = await fetch(world, created)
    fixed_clock.instant += timedelta(minutes=5)
    await move_visit(visit, utc(2026, 3, 23, 9))
    response = await fetch(world, created, **{"If-None-Match": first.headers["etag"]})
    assert response.status_code == 200
    assert response.headers["etag"] != first.headers["etag"]
    assert b"20260323T100000" in response.content


async def test_feed_head_answers_headers_without_body(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    get = await fetch(world, created)
    head = await world.client.head(path_of(created))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


async def test_feed_is_byte_identical_when_nothing_changed(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    await set_planning_date(world.participants["T-0001"], date(2026, 9, 1))
    first = await fetch(world, created)
    feed_cache.clear()
    fixed_clock.instant += timedelta(minutes=30)
    second = await fetch(world, created)
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]


async def test_feed_fetches_are_audited_including_304(fixed_clock, world) -> None:
    created = await subscribe(
        world, "mentor1", scope="participant", participant_id=str(world.participants["T-0001"])
    )
    first = await fetch(world, created, **{"User-Agent": "Google-Calendar-Importer"})
    fixed_clock.instant += timedelta(seconds=1)
    await fetch(world, created, **{"If-None-Match": first.headers["etag"]})
    events_ = (await world.get("coordinator", "/api/v1/audit-events?action=feed.fetched")).json()["items"]
    assert [
        (e["actor_username"], e["subject_id"], e["participant_id"], e["detail"]["answer"]) for e in events_
    ] == [
        ("mentor1", created["id"], str(world.participants["T-0001"]), "not_modified"),
        ("mentor1", created["id"], str(world.participants["T-0001"]), "full"),
    ]
    assert events_[1]["detail"]["user_agent"] == "Google-Calendar-Importer"


async def test_feed_token_never_reaches_the_access_log(fixed_clock, world, caplog) -> None:
    created = await subscribe(world, "mentor1")
    token = created["url"].rsplit("/", 1)[1].removesuffix(".ics")
    with caplog.at_level(logging.INFO, logger="prison_liaison.access"):
        await fetch(world, created)
        await world.client.get("/feeds/" + token + "x.ics")
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "prison_liaison.access" and "/feeds/" in r.getMessage()
    ]
    assert len(lines) == 2
    assert all("/feeds/[redacted]" in line for line in lines)
    assert not any(token in line for line in lines)


# --- iCalendar correctness ----------------------------------------------------------------------------------


async def test_feed_calendar_properties_and_forbidden_ones(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1", content="all")
    await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    body = (await fetch(world, created)).content
    text = body.decode()
    assert "\r\nNAME:Ausstiegsbegleitung\r\n" in text
    assert "\r\nX-WR-CALNAME:Ausstiegsbegleitung\r\n" in text
    assert "\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" in text
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    for forbidden in ("METHOD", "VALARM", "ORGANIZER", "ATTENDEE"):
        assert f"\r\n{forbidden}" not in text and f"BEGIN:{forbidden}" not in text
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"\n" not in body.replace(b"\r\n", b"")


async def test_feed_uid_stable_unique_and_dtstamp_is_last_change(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    mentor = world.users["mentor1"].id
    v1 = await add_visit(
        world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9), mentor_ids=[mentor]
    )
    fixed_clock.instant += timedelta(hours=1)
    v2 = await add_visit(
        world.participants["T-0002"], world.prisons["JVA-A"], utc(2026, 3, 20, 11), mentor_ids=[mentor]
    )
    a1 = await add_appointment(world.participants["T-0001"], utc(2026, 4, 2, 9))
    d1 = await add_plan_item(world.participants["T-0002"], date(2026, 5, 4))
    await set_planning_date(world.participants["T-0001"], date(2026, 9, 1))
    first = events(await feed(world, created))
    assert set(first) == {
        f"visit-{v1}@prison-liaison",
        f"visit-{v2}@prison-liaison",
        f"appointment-{a1}@prison-liaison",
        f"deadline-{d1}@prison-liaison",
        f"release-{world.participants['T-0001']}@prison-liaison",
    }
    e1 = first[f"visit-{v1}@prison-liaison"]
    assert e1["DTSTAMP"].dt == e1["LAST-MODIFIED"].dt == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    e2 = first[f"visit-{v2}@prison-liaison"]
    assert e2["DTSTAMP"].dt == e2["LAST-MODIFIED"].dt == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    fixed_clock.instant += timedelta(hours=1)
    await move_visit(v1, utc(2026, 3, 24, 9))
    second = events(await feed(world, created))
    assert set(second) == set(first)
    assert second[f"visit-{v1}@prison-liaison"]["DTSTAMP"].dt == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    assert second[f"visit-{v2}@prison-liaison"].to_ical() == e2.to_ical()


async def test_feed_sequence_starts_at_zero_and_never_decreases(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    uid = f"visit-{visit}@prison-liaison"

    async def sequence() -> int:
        return int(events(await feed(world, created))[uid]["SEQUENCE"])

    seen = [await sequence()]
    for change in (
        lambda: set_visit_status(visit, "requested"),
        lambda: set_visit_status(visit, "confirmed"),
        lambda: move_visit(visit, utc(2026, 3, 23, 9)),  # back to planned: the prison must agree again
        lambda: set_visit_status(visit, "requested"),
        lambda: set_visit_status(visit, "cancelled", cancel_reason="lockdown"),
    ):
        fixed_clock.instant += timedelta(minutes=1)
        await change()
        seen.append(await sequence())
    assert seen[0] == 0
    assert all(later > earlier for earlier, later in itertools.pairwise(seen)), seen


async def test_feed_deadline_and_appointment_sequence_follow_their_records(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    item = await add_plan_item(world.participants["T-0001"], date(2026, 5, 4))
    appointment = await add_appointment(world.participants["T-0001"], utc(2026, 4, 2, 9), sequence=0)
    got = events(await feed(world, created))
    assert int(got[f"deadline-{item}@prison-liaison"]["SEQUENCE"]) == 0
    assert int(got[f"appointment-{appointment}@prison-liaison"]["SEQUENCE"]) == 0
    await update_plan_item(item, latest_due=date(2026, 5, 11))
    got = events(await feed(world, created))
    assert int(got[f"deadline-{item}@prison-liaison"]["SEQUENCE"]) == 1
    assert got[f"deadline-{item}@prison-liaison"]["DTSTART"].dt == date(2026, 5, 11)


async def test_feed_cancelled_visit_is_marked_until_its_day_has_passed(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
        status="confirmed",
    )
    await set_visit_status(visit, "cancelled", cancel_reason="lockdown", cancel_note="Frau Alpha ist krank")
    uid = f"visit-{visit}@prison-liaison"
    event = events(await feed(world, created))[uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "ABGESAGT: Besuch T-0001 (A.A.)"
    body = (await fetch(world, created)).content.decode()
    assert "lockdown" not in body and "krank" not in body
    fixed_clock.instant = datetime(2026, 3, 20, 22, 59, tzinfo=UTC)  # 23:59 in Berlin, the same day
    assert uid in events(await feed(world, created))
    fixed_clock.instant = datetime(2026, 3, 20, 23, 0, tzinfo=UTC)  # the next day in Berlin
    assert uid not in events(await feed(world, created))


@pytest.mark.parametrize(
    ("local", "utc_start"),
    [
        (datetime(2026, 3, 27, 10, 0), datetime(2026, 3, 27, 9, 0, tzinfo=UTC)),  # CET, before the switch
        (datetime(2026, 3, 30, 10, 0), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),  # CEST, after
        (datetime(2026, 10, 23, 10, 0), datetime(2026, 10, 23, 8, 0, tzinfo=UTC)),  # CEST, before
        (datetime(2026, 10, 26, 10, 0), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),  # CET, after
    ],
)
async def test_feed_times_are_berlin_wall_clock_across_dst(fixed_clock, world, local, utc_start) -> None:
    created = await subscribe(world, "mentor1")
    await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc_start,
        mentor_ids=[world.users["mentor1"].id],
    )
    body = (await fetch(world, created)).content.decode()
    assert f"DTSTART;TZID=Europe/Berlin:{local:%Y%m%dT%H%M%S}\r\n" in body
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert event["DTSTART"].dt.astimezone(UTC) == utc_start
    (tz,) = Calendar.from_ical(body).walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    rules = {c.name: c["RRULE"].to_ical().decode() for c in tz.subcomponents}
    assert rules == {
        "DAYLIGHT": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "STANDARD": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    }


async def test_feed_release_days_and_deadlines_are_all_day_and_transparent(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1", content="deadlines")
    await set_planning_date(world.participants["T-0001"], date(2026, 9, 1))
    item = await add_plan_item(world.participants["T-0001"], date(2026, 7, 1), title="Basiskonto eröffnen")
    await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    body = (await fetch(world, created)).content.decode()
    assert "DTSTART;VALUE=DATE:20260901\r\nDTEND;VALUE=DATE:20260902\r\n" in body
    assert "DTSTART;VALUE=DATE:20260701\r\nDTEND;VALUE=DATE:20260702\r\n" in body
    got = events(Calendar.from_ical(body))
    assert set(got) == {
        f"release-{world.participants['T-0001']}@prison-liaison",
        f"deadline-{item}@prison-liaison",
    }
    assert {str(e["TRANSP"]) for e in got.values()} == {"TRANSPARENT"}
    assert (
        str(got[f"deadline-{item}@prison-liaison"]["SUMMARY"]) == "Frist: Basiskonto eröffnen – T-0001 (A.A.)"
    )
    assert "\r\nX-WR-CALNAME:Ausstiegsbegleitung – Fristen\r\n" in body


async def test_feed_visits_content_leaves_out_all_day_events(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1", content="visits")
    await set_planning_date(world.participants["T-0001"], date(2026, 9, 1))
    await add_plan_item(world.participants["T-0001"], date(2026, 7, 1))
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    appointment = await add_appointment(world.participants["T-0002"], utc(2026, 4, 2, 9))
    assert set(events(await feed(world, created))) == {
        f"visit-{visit}@prison-liaison",
        f"appointment-{appointment}@prison-liaison",
    }


async def test_feed_window_is_90_days_back_and_18_months_ahead(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    mentor = [world.users["mentor1"].id]
    p, jva = world.participants["T-0001"], world.prisons["JVA-A"]
    inside = [
        await add_visit(p, jva, utc(2025, 12, 11, 9), mentor_ids=mentor),  # 89 days back
        await add_visit(p, jva, utc(2027, 9, 9, 9), mentor_ids=mentor),
    ]  # 18 months ahead, minus a day
    outside = [
        await add_visit(p, jva, utc(2025, 12, 9, 9), mentor_ids=mentor),
        await add_visit(p, jva, utc(2027, 9, 10, 9), mentor_ids=mentor),
    ]
    far = await add_plan_item(p, date(2027, 9, 10))
    got = set(events(await feed(world, created)))
    assert got == {f"visit-{v}@prison-liaison" for v in inside}
    assert (
        not {f"visit-{v}@prison-liaison" for v in outside} & got
        and f"deadline-{far}@prison-liaison" not in got
    )


# --- access and privacy -------------------------------------------------------------------------------------


async def test_feed_mentor_sees_own_visits_and_own_cases_only(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    m1, m2, m3 = (world.users[n].id for n in ("mentor1", "mentor2", "mentor3"))
    mine = await add_visit(
        world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9), mentor_ids=[m1]
    )
    await add_visit(
        world.participants["T-0002"], world.prisons["JVA-A"], utc(2026, 3, 20, 11), mentor_ids=[m2]
    )
    await add_visit(
        world.participants["T-0004"], world.prisons["JVA-A"], utc(2026, 3, 21, 9), mentor_ids=[m3]
    )
    await add_appointment(world.participants["T-0003"], utc(2026, 4, 2, 9))
    await set_planning_date(world.participants["T-0004"], date(2026, 9, 1))
    assert set(events(await feed(world, created))) == {f"visit-{mine}@prison-liaison"}


async def test_feed_mentor_taken_off_a_case_stops_seeing_it(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    per_case = await subscribe(
        world, "mentor1", scope="participant", participant_id=str(world.participants["T-0001"])
    )
    visit = await add_visit(
        world.participants["T-0001"],
        world.prisons["JVA-A"],
        utc(2026, 3, 20, 9),
        mentor_ids=[world.users["mentor1"].id],
    )
    first = await fetch(world, created)
    assert f"visit-{visit}@prison-liaison" in events(Calendar.from_ical(first.content))
    assert f"visit-{visit}@prison-liaison" in events(await feed(world, per_case))
    fixed_clock.instant += timedelta(minutes=1)
    response = await world.put(
        "coordinator",
        f"/api/v1/participants/{world.participants['T-0001']}/mentors",
        json={"lead_id": str(world.users["mentor3"].id)},
    )
    assert response.status_code == 200, response.text
    after = await fetch(world, created, **{"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert events(Calendar.from_ical(after.content)) == {}
    assert events(await feed(world, per_case)) == {}


async def test_feed_of_a_deactivated_user_is_404(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    assert (await fetch(world, created)).status_code == 200  # the token is known to the process now
    response = await world.patch(
        "coordinator", f"/api/v1/users/{world.users['mentor1'].id}", json={"active": False}
    )
    assert response.status_code == 200, response.text
    response = await fetch(world, created)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_feed_prison_shows_its_confirmed_visits_only(fixed_clock, world) -> None:
    created = await subscribe(world, "prison1", scope="prison")
    p1, p3 = world.participants["T-0001"], world.participants["T-0003"]
    jva_a, jva_b = world.prisons["JVA-A"], world.prisons["JVA-B"]
    m1 = [world.users["mentor1"].id]
    confirmed = await add_visit(p1, jva_a, utc(2026, 3, 20, 9), mentor_ids=m1, status="confirmed")
    await add_visit(p1, jva_a, utc(2026, 3, 23, 9), mentor_ids=m1, status="requested")
    await add_visit(p1, jva_a, utc(2026, 3, 24, 9), mentor_ids=m1, status="planned")
    never_confirmed = await add_visit(p1, jva_a, utc(2026, 3, 25, 9), mentor_ids=m1, status="requested")
    await set_visit_status(never_confirmed, "cancelled")
    called_off = await add_visit(p1, jva_a, utc(2026, 3, 26, 9), mentor_ids=m1, status="confirmed")
    await set_visit_status(called_off, "cancelled", cancel_reason="prison_cancelled")
    await add_visit(
        p3, jva_b, utc(2026, 3, 20, 9), mentor_ids=[world.users["mentor3"].id], status="confirmed"
    )
    await add_appointment(p1, utc(2026, 4, 2, 9))
    await set_planning_date(p1, date(2026, 9, 1))
    cal = await feed(world, created)
    got = events(cal)
    assert set(got) == {f"visit-{confirmed}@prison-liaison", f"visit-{called_off}@prison-liaison"}
    assert str(got[f"visit-{confirmed}@prison-liaison"]["SUMMARY"]) == "Besuch T-0001 (A.A.)"
    assert str(got[f"visit-{confirmed}@prison-liaison"]["LOCATION"]) == "JVA Anfang"
    assert str(got[f"visit-{called_off}@prison-liaison"]["STATUS"]) == "CANCELLED"
    assert str(cal["X-WR-CALNAME"]) == "Besuche JVA Anfang"


async def test_feed_never_contains_names_notes_or_sensitive_titles(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    mentor = [world.users["mentor1"].id]
    p1 = world.participants["T-0001"]
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{p1}",
        json={"notes": "Geheime Fallnotiz"},
        headers={"If-Match": '"v1"'},
    )
    visit = await add_visit(
        p1,
        None,
        utc(2026, 3, 20, 9),
        mentor_ids=mentor,
        kind="meeting",
        location="Café bei Anna Alpha zu Hause",
        room="Raum 3",
    )
    await set_visit_status(visit, "cancelled", cancel_reason="other", cancel_note="Anna Alpha ist umgezogen")
    await add_appointment(
        p1,
        utc(2026, 4, 2, 9),
        agency="Jobcenter",
        place="Musterstraße 1, Leipzig",
        contact="Herr Meier 0341 123",
        what_to_bring="Ausweis",
    )
    await add_plan_item(
        p1, date(2026, 6, 1), title="Reflexion ideologischer Denkmuster", domain="deradicalisation"
    )
    await set_planning_date(p1, date(2026, 9, 1))
    text = (await fetch(world, created)).content.decode()
    for secret in (
        "Anna",
        "Alpha",
        "Geheime",
        "Café",
        "umgezogen",
        "Musterstraße",
        "Leipzig",
        "Meier",
        "Ausweis",
        "ideolog",
        "Raum 3",
        "Mentor1",
        "other",
    ):
        assert secret not in text, secret
    assert "Frist: Begleitung – T-0001 (A.A.)" in text
    assert "Termin Jobcenter – T-0001 (A.A.)" in text
    assert "Entlassung T-0001 (A.A.)" in text
    assert "CLASS:PRIVATE" in text


async def test_feed_participant_scope_for_a_coordinator_and_an_archived_case(fixed_clock, world) -> None:
    p1 = world.participants["T-0001"]
    created = await subscribe(world, "coordinator", scope="participant", participant_id=str(p1))
    visit = await add_visit(
        p1, world.prisons["JVA-A"], utc(2026, 3, 20, 9), mentor_ids=[world.users["mentor2"].id]
    )
    await add_visit(world.participants["T-0002"], world.prisons["JVA-A"], utc(2026, 3, 20, 11))
    cal = await feed(world, created)
    assert set(events(cal)) == {f"visit-{visit}@prison-liaison"}
    assert str(cal["X-WR-CALNAME"]) == "Ausstiegsbegleitung T-0001"
    fixed_clock.instant += timedelta(minutes=1)
    response = await world.delete("coordinator", f"/api/v1/participants/{p1}")
    assert response.status_code == 204, response.text
    assert events(await feed(world, created)) == {}


async def test_feed_head_with_current_etag_is_304(fixed_clock, world) -> None:
    created = await subscribe(world, "mentor1")
    etag = (await fetch(world, created)).headers["etag"]
    head = await world.client.head(path_of(created), headers={"If-None-Match": etag})
    assert head.status_code == 304
    assert head.content == b""
    assert head.headers["etag"] == etag


# --- the version sees every write ---------------------------------------------------------------------------
# Each change below is made straight in the database, the way an operator's SQL or a forgotten code path
# would, without touching ``updated_at`` or ``version``: the feed's ETag must still change (feed_change rows
# are written by triggers, see the migration of 2026-11-24T20:33).


async def _etag_changes(world: Any, created: dict[str, Any], change: Any) -> None:
    before = await fetch(world, created)
    assert before.status_code == 200
    await change()
    after = await fetch(world, created, **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200, "the feed still answered 304 after the change"
    assert after.headers["etag"] != before.headers["etag"]
    assert after.content != before.content


async def test_feed_version_sees_changes_that_bypass_updated_at_and_version(fixed_clock, world) -> None:
    from prison_liaison.persistence.tables import (
        AppointmentTable,
        MentorAssignmentTable,
        ParticipantTable,
        PlanItemTable,
        VisitAttendeeTable,
        VisitTable,
    )

    created = await subscribe(world, "mentor1")
    p1, mentor1 = world.participants["T-0001"], world.users["mentor1"].id
    visit = await add_visit(p1, world.prisons["JVA-A"], utc(2026, 3, 20, 9), mentor_ids=[mentor1])
    other = await add_visit(p1, world.prisons["JVA-A"], utc(2026, 3, 21, 9), mentor_ids=[mentor1])
    appointment = await add_appointment(p1, utc(2026, 4, 2, 9))
    item = await add_plan_item(p1, date(2026, 4, 10))

    changes = [
        lambda: VisitTable.update(
            {VisitTable.starts_at: utc(2026, 3, 20, 10), VisitTable.ends_at: utc(2026, 3, 20, 11)}
        ).where(VisitTable.id == visit),
        lambda: AppointmentTable.update({AppointmentTable.agency: "Agentur für Arbeit"}).where(
            AppointmentTable.id == appointment
        ),
        lambda: PlanItemTable.update({PlanItemTable.title_de: "Ausweis abholen"}).where(PlanItemTable.id == item),
        # the mentor no longer attends one visit: it leaves their feed
        lambda: VisitAttendeeTable.delete().where(VisitAttendeeTable.visit == other),
        lambda: VisitTable.delete().where(VisitTable.id == visit),
        lambda: ParticipantTable.update({ParticipantTable.code: "T-0001X"}).where(ParticipantTable.id == p1),
        # taken off the case: every event of it leaves the feed
        lambda: MentorAssignmentTable.delete().where(
            (MentorAssignmentTable.participant == p1) & (MentorAssignmentTable.mentor == mentor1)
        ),
    ]
    for change in changes:
        await _etag_changes(world, created, change)


async def test_prison_feed_version_sees_a_participant_code_change_and_a_cancellation(fixed_clock, world) -> None:
    from prison_liaison.persistence.tables import ParticipantTable

    created = await subscribe(world, "prison1", scope="prison")
    p1 = world.participants["T-0001"]
    visit = await add_visit(
        p1, world.prisons["JVA-A"], utc(2026, 3, 20, 9), mentor_ids=[world.users["mentor1"].id], status="confirmed"
    )
    # the visitor list shows the code: a renamed case changes the prison's feed, though no visit changed
    await _etag_changes(
        world,
        created,
        lambda: ParticipantTable.update({ParticipantTable.code: "T-0001X"}).where(ParticipantTable.id == p1),
    )
    await _etag_changes(world, created, lambda: set_visit_status(visit, "cancelled"))
