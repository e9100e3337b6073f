"""Feed rules without a database: the window, the wording of events, and what each scope and content shows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from prison_liaison.planning.feeds import (
    EventStatus,
    FeedAppointment,
    FeedContent,
    FeedDeadline,
    FeedRecords,
    FeedReleaseDay,
    FeedScope,
    FeedVisit,
    events_of,
    kinds_for,
    local_midnight_utc,
    visit_event,
    window,
)

ID = UUID("00000000-0000-4000-8000-000000000001")
AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _visit(status: str, kind: str = "prison_visit") -> FeedVisit:
    return FeedVisit(
        id=ID,
        participant_code="T-0001",
        initials="A.A.",
        prison_name="JVA Anfang",
        starts_at=datetime(2026, 3, 20, 9, tzinfo=UTC),
        ends_at=datetime(2026, 3, 20, 10, tzinfo=UTC),
        kind=kind,
        status=status,
        sequence=0,
        updated_at=AT,
    )


def test_window_is_90_days_back_and_18_months_ahead() -> None:
    assert window(date(2026, 3, 10)) == (date(2025, 12, 10), date(2027, 9, 10))
    assert window(date(2026, 8, 31)) == (date(2026, 6, 2), date(2028, 2, 29))


def test_local_midnight_follows_berlin_offsets() -> None:
    assert local_midnight_utc(date(2026, 3, 10)) == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert local_midnight_utc(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_visit_event_wording_follows_status() -> None:
    wording = {
        s: (visit_event(_visit(s)).summary, visit_event(_visit(s)).status)
        for s in ("planned", "requested", "confirmed", "completed", "cancelled")
    }
    assert wording == {
        "planned": ("Besuch T-0001 (A.A.) – geplant", EventStatus.TENTATIVE),
        "requested": ("Besuch T-0001 (A.A.) – angefragt", EventStatus.TENTATIVE),
        "confirmed": ("Besuch T-0001 (A.A.)", EventStatus.CONFIRMED),
        "completed": ("Besuch T-0001 (A.A.)", EventStatus.CONFIRMED),
        "cancelled": ("ABGESAGT: Besuch T-0001 (A.A.)", EventStatus.CANCELLED),
    }
    assert visit_event(_visit("confirmed", kind="meeting")).summary == "Treffen T-0001 (A.A.)"
    assert visit_event(_visit("confirmed")).uid == f"visit-{ID}@prison-liaison"


def test_events_are_ordered_by_start_then_uid() -> None:
    records = FeedRecords(
        visits=(_visit("confirmed"),),
        appointments=(
            FeedAppointment(
                id=ID,
                participant_code="T-0001",
                initials="",
                agency="Jobcenter",
                status="planned",
                sequence=2,
                starts_at=datetime(2026, 3, 19, 9, tzinfo=UTC),
                ends_at=datetime(2026, 3, 19, 10, tzinfo=UTC),
                updated_at=AT,
            ),
        ),
        release_days=(
            FeedReleaseDay(
                participant_id=ID,
                participant_code="T-0001",
                initials="A.A.",
                day=date(2026, 3, 20),
                sequence=1,
                updated_at=AT,
            ),
        ),
        deadlines=(
            FeedDeadline(
                id=ID,
                participant_code="T-0001",
                initials="A.A.",
                title="Ideologie",
                domain="deradicalisation",
                day=date(2026, 3, 1),
                sequence=0,
                updated_at=AT,
            ),
        ),
    )
    assert [e.summary for e in events_of(records)] == [
        "Frist: Begleitung – T-0001 (A.A.)",
        "Termin Jobcenter – T-0001",
        "Entlassung T-0001 (A.A.)",
        "Besuch T-0001 (A.A.)",
    ]


def test_kinds_per_scope_and_content() -> None:
    shown = {
        (scope.value, content.value): sorted(k for k, v in kinds_for(scope, content).items() if v)
        for scope in FeedScope
        for content in FeedContent
    }
    assert shown == {
        ("mentor", "all"): ["appointments", "deadlines", "release_days", "visits"],
        ("mentor", "visits"): ["appointments", "visits"],
        ("mentor", "deadlines"): ["deadlines", "release_days"],
        ("participant", "all"): ["appointments", "release_days", "visits"],
        ("participant", "visits"): ["appointments", "visits"],
        ("participant", "deadlines"): ["release_days"],
        ("prison", "all"): ["visits"],
        ("prison", "visits"): ["visits"],
        ("prison", "deadlines"): [],
    }
