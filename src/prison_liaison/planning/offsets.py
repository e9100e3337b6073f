"""Deadlines relative to a base date, as values: ``Offset(days=-56, anchor=Anchor.PLANNING_DATE)``."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, timedelta

import msgspec

from prison_liaison.planning import workdays


class Anchor(enum.StrEnum):
    PLANNING_DATE = "planning_date"  # E
    ADMISSION = "admission"
    HALF_TIME = "half_time"
    TWO_THIRDS = "two_thirds"
    DEPENDENCIES = "dependencies"  # the latest deadline among the items this one depends on


class Offset(msgspec.Struct, frozen=True, kw_only=True):
    days: int
    anchor: Anchor = Anchor.PLANNING_DATE
    # deadlines roll back to the preceding working day: agencies do not answer on Sundays
    working_day: bool = False

    def resolve(self, anchors: Mapping[str, date | None], land: str = workdays.DEFAULT_LAND) -> date | None:
        base = anchors.get(self.anchor.value)
        if base is None:
            return None
        day = base + timedelta(days=self.days)
        return workdays.previous_working_day(day, land) if self.working_day else day
