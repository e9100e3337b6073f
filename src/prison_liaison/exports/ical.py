"""iCalendar feeds: events in, RFC 5545 bytes out. Line folding, escaping and CRLF are the library's job.

What clients get wrong without it, and what this renderer therefore always does:
- one ``VTIMEZONE`` for Europe/Berlin written with yearly RRULEs (Outlook ignores the list-of-dates form that
  ``add_missing_timezones()`` writes) and every timed event in ``TZID=Europe/Berlin``;
- ``DTSTAMP`` = ``LAST-MODIFIED`` = the record's last change, never "now", so unchanged data gives identical
  bytes and an identical ETag;
- no ``METHOD`` (a published feed is not a scheduling message: with ``METHOD`` Outlook imports instead of
  subscribing), no ``ORGANIZER``/``ATTENDEE`` (no invitations, no names) and no ``VALARM``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

from prison_liaison.planning.feeds import BERLIN, EventStatus, FeedEvent

PRODID = "-//prison-liaison//Kalender//DE"
TZID = "Europe/Berlin"
REFRESH = timedelta(hours=1)


def berlin_timezone() -> Timezone:
    """Europe/Berlin as Outlook wants it: CET/CEST with the EU rule (last Sunday of March/October)."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _event(e: FeedEvent) -> Event:
    event = Event()
    event.add("uid", e.uid)
    event.add("dtstamp", e.updated_at)
    event.add("last-modified", e.updated_at)
    if e.day is not None:
        event.add("dtstart", e.day)
        event.add("dtend", e.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        assert e.starts_at is not None and e.ends_at is not None
        event.add("dtstart", e.starts_at.astimezone(BERLIN))
        event.add("dtend", e.ends_at.astimezone(BERLIN))
        event.add("transp", "TRANSPARENT" if e.status == EventStatus.CANCELLED else "OPAQUE")
    event.add("summary", e.summary)
    if e.location:
        event.add("location", e.location)
    event.add("status", e.status.value)
    event.add("sequence", e.sequence)
    # shared calendars (Outlook delegates, Google "see all event details") show only "busy"
    event.add("class", "PRIVATE")
    return event


def render_feed(events: Iterable[FeedEvent], *, name: str) -> bytes:
    """A complete VCALENDAR for a subscription."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(berlin_timezone())
    for e in events:
        cal.add_component(_event(e))
    return cal.to_ical()
