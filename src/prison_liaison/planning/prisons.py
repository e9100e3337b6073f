"""Rules for prison data as coordinators enter it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from zoneinfo import available_timezones

from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.models import Closure, VisitingWindow

LANDS = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,19}$")


def check_land(land: str, field: str = "land") -> str:
    if land not in LANDS:
        raise ValidationFailed(f"unknown Land {land!r}; use one of {', '.join(LANDS)}", field=field)
    return land


def check_timezone(tz: str) -> str:
    if tz not in available_timezones():
        raise ValidationFailed(f"unknown time zone {tz!r}", field="timezone")
    return tz


def check_code(code: str) -> str:
    if not CODE_RE.match(code):
        raise ValidationFailed("code: 2–20 letters, digits, '-' or '_'", field="code")
    return code


def check_windows(windows: Iterable[VisitingWindow]) -> None:
    for i, w in enumerate(windows):
        if not 0 <= w.weekday <= 6:
            raise ValidationFailed("weekday must be 0 (Monday) to 6 (Sunday)", field=f"windows[{i}].weekday")
        if w.start_time >= w.end_time:
            raise ValidationFailed("a window must end after it starts", field=f"windows[{i}].end_time")
        if w.valid_from and w.valid_to and w.valid_from > w.valid_to:
            raise ValidationFailed("valid_to must not be before valid_from", field=f"windows[{i}].valid_to")


def check_closures(closures: Iterable[Closure]) -> None:
    for i, c in enumerate(closures):
        if c.start_date > c.end_date:
            raise ValidationFailed("a closure must not end before it starts", field=f"closures[{i}].end_date")
        if (c.end_date - c.start_date).days > 366:
            raise ValidationFailed("a closure may span at most a year", field=f"closures[{i}].end_date")
