"""Working days, public holidays and the release-day rule per Land: the one place that knows the calendar.

Public holidays come from the maintained ``holidays`` library; Easter Tuesday and Whit Tuesday (which the
prison acts treat like holidays for the release day) are derived from Easter with ``dateutil``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import msgspec
from dateutil.easter import easter

from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.prisons import LANDS

DEFAULT_LAND = "NW"


class ReleaseDayRule(msgspec.Struct, frozen=True, kw_only=True):
    """When a sentence end is "blocked" and the prison may release on the preceding working day."""

    name: str
    statute: str
    # the year-end window, inclusive: from (month, day) in December to (month, day) in January
    window_start: tuple[int, int]
    window_end: tuple[int, int]
    tuesdays_after_easter_and_whitsun: bool = True
    verified: bool = False  # checked against the Land's own statute; otherwise the result says "prüfen"


FEDERAL_RULE = ReleaseDayRule(
    name="federal", statute="StVollzG §16(2)", window_start=(12, 22), window_end=(1, 2), verified=True
)
NRW_RULE = ReleaseDayRule(
    name="NW",
    statute="StVollzG NRW §60(2) / JStVollzG NRW §47(2)",
    window_start=(12, 22),
    window_end=(1, 6),
    verified=True,
)
# Per-Land settings. Only NRW is verified; the other Länder fall back to the federal window and are flagged.
RELEASE_DAY_RULES: dict[str, ReleaseDayRule] = {"NW": NRW_RULE}


def check_land(land: str, field: str = "land") -> str:
    if land not in LANDS:
        raise ValidationFailed(f"unknown Land {land!r}; use one of {', '.join(LANDS)}", field=field)
    return land


def release_day_rule(land: str, *, federal: bool = False) -> ReleaseDayRule:
    check_land(land)
    if federal:
        return FEDERAL_RULE
    return RELEASE_DAY_RULES.get(land, FEDERAL_RULE)


@lru_cache(maxsize=512)
def _holidays(land: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv=land, years=year).keys())


def is_public_holiday(day: date, land: str = DEFAULT_LAND) -> bool:
    return day in _holidays(land, day.year)


def is_working_day(day: date, land: str = DEFAULT_LAND) -> bool:
    """Monday to Friday and not a public holiday of the Land."""
    return day.weekday() < 5 and not is_public_holiday(day, land)


def previous_working_day(day: date, land: str = DEFAULT_LAND) -> date:
    """``day`` itself if it is a working day, else the closest working day before it."""
    while not is_working_day(day, land):
        day -= timedelta(days=1)
    return day


def next_working_day(day: date, land: str = DEFAULT_LAND) -> date:
    while not is_working_day(day, land):
        day += timedelta(days=1)
    return day


def in_year_end_window(day: date, rule: ReleaseDayRule) -> bool:
    (sm, sd), (em, ed) = rule.window_start, rule.window_end
    return (day.month, day.day) >= (sm, sd) or (day.month, day.day) <= (em, ed)


def is_easter_or_whit_tuesday(day: date) -> bool:
    e = easter(day.year)
    return day in (e + timedelta(days=2), e + timedelta(days=51))


def is_release_blocked(day: date, land: str = DEFAULT_LAND, rule: ReleaseDayRule | None = None) -> bool:
    """Whether a release on ``day`` may be brought forward: weekend, holiday, Easter/Whit Tue, year end."""
    rule = rule or release_day_rule(land)
    return (
        not is_working_day(day, land)
        or (rule.tuesdays_after_easter_and_whitsun and is_easter_or_whit_tuesday(day))
        or in_year_end_window(day, rule)
    )


def earliest_release_day(
    sentence_end: date, land: str = DEFAULT_LAND, rule: ReleaseDayRule | None = None
) -> date:
    """Step back from the sentence end until the day is not blocked (itself if it is free)."""
    rule = rule or release_day_rule(land)
    day = sentence_end
    while is_release_blocked(day, land, rule):
        day -= timedelta(days=1)
    return day
