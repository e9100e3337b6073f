"""The single source of "now": the system clock, replaceable by a fixed clock in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _now()


def today() -> date:
    """Today's date where the programme works (Europe/Berlin)."""
    return now().astimezone(BERLIN).date()


def set_clock(func: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the system clock."""
    global _now  # noqa: PLW0603
    _now = func if func is not None else (lambda: datetime.now(UTC))


class FixedClock:
    """A clock that stands still until moved; for tests and the demo loader."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant
