"""The visit rules, pure: windows on the prison's wall clock (DST weekends), holidays, closures, lead time,
length, overlaps with travel buffer, release; the slot finder; cadence; series expansion."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.models import Closure, Participant, ParticipantStatus, Prison, VisitingWindow
from prison_liaison.planning.visits import (
    Busy,
    BusyIndex,
    Proposal,
    cadence_state,
    check_visit,
    expand_series,
    find_slots,
)

M1, M2 = UUID(int=1), UUID(int=2)
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # Tuesday 09:00 Berlin


def prison(**kw: object) -> Prison:
    values: dict[str, object] = dict(
        id=UUID(int=100),
        code="JVA-T",
        name="JVA Test",
        address="",
        timezone="Europe/Berlin",
        land="NW",
        social_service_contact="",
        lead_time_days=0,
        max_visit_minutes=90,
        travel_buffer_minutes=0,
        visitor_requirements="",
        security_check_required=False,
        windows=tuple(VisitingWindow(weekday=d, start_time=time(9), end_time=time(12)) for d in range(7)),
    )
    values.update(kw)
    return Prison(**values)  # type: ignore[arg-type]


def participant(**kw: object) -> Participant:
    values: dict[str, object] = dict(
        id=UUID(int=200),
        code="T-1",
        first_name="A",
        last_name="B",
        prison_id=UUID(int=100),
        status=ParticipantStatus.IN_CUSTODY,
        cadence_days=14,
        planning_basis="sentence_end",
        admitted_on=None,
    )
    values.update(kw)
    return Participant(**values)  # type: ignore[arg-type]


def berlin(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def codes(
    start: datetime,
    end: datetime,
    *,
    p: Prison | None = None,
    who: Participant | None = None,
    mentors: tuple[UUID, ...] = (M1, M2),
    mentor_busy: list[Busy] | None = None,
    participant_busy: list[Busy] | None = None,
    now: datetime = NOW,
    lead: bool = True,
) -> list[str]:
    found = check_visit(
        Proposal(starts_at=start, ends_at=end, mentor_ids=mentors),
        participant=who or participant(),
        prison=p or prison(),
        mentor_busy=BusyIndex(mentor_busy or []),
        participant_busy=BusyIndex(participant_busy or []),
        now=now,
        check_lead_time=lead,
    )
    return [v.code for v in found]


def test_window_edges_pass_and_a_minute_outside_fails() -> None:
    assert codes(berlin(2026, 3, 12, 9), berlin(2026, 3, 12, 10)) == []
    assert codes(berlin(2026, 3, 12, 11), berlin(2026, 3, 12, 12)) == []
    assert codes(berlin(2026, 3, 12, 8, 59), berlin(2026, 3, 12, 9, 59)) == ["outside_visiting_window"]
    assert codes(berlin(2026, 3, 12, 11, 1), berlin(2026, 3, 12, 12, 1)) == ["outside_visiting_window"]


def test_window_on_the_dst_sunday_in_march_is_on_the_wall_clock() -> None:
    # 2026-03-29: clocks go from 02:00 to 03:00; 09:00 local is 07:00 UTC
    assert codes(datetime(2026, 3, 29, 7, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 30, tzinfo=UTC)) == []
    assert codes(datetime(2026, 3, 29, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 9, 30, tzinfo=UTC)) == []
    assert codes(datetime(2026, 3, 28, 7, 0, tzinfo=UTC), datetime(2026, 3, 28, 8, 0, tzinfo=UTC)) == [
        "outside_visiting_window"
    ]


def test_window_on_the_dst_sunday_in_october_is_on_the_wall_clock() -> None:
    # 2026-10-25: clocks go from 03:00 back to 02:00; 09:00 local is 08:00 UTC, the day before 07:00 UTC
    assert codes(datetime(2026, 10, 25, 8, 0, tzinfo=UTC), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)) == []
    assert codes(datetime(2026, 10, 25, 7, 0, tzinfo=UTC), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)) == [
        "outside_visiting_window"
    ]
    assert codes(datetime(2026, 10, 24, 7, 0, tzinfo=UTC), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)) == []


def test_length_across_the_night_of_the_switch_is_the_real_length() -> None:
    night = prison(
        windows=(VisitingWindow(weekday=6, start_time=time(1), end_time=time(4)),), max_visit_minutes=60
    )
    # 01:30 → 03:30 local on 2026-03-29 is one real hour
    assert codes(berlin(2026, 3, 29, 1, 30), berlin(2026, 3, 29, 3, 30), p=night) == []
    assert codes(berlin(2026, 3, 29, 1, 0), berlin(2026, 3, 29, 3, 30), p=night) == ["too_long"]


def test_statutory_holiday_of_the_land_is_closed_unless_the_prison_opens() -> None:
    good_friday = (berlin(2026, 4, 3, 10), berlin(2026, 4, 3, 11))
    assert codes(*good_friday) == ["public_holiday"]
    assert codes(*good_friday, p=prison(open_on_holidays=(date(2026, 4, 3),))) == []
    # Corpus Christi is a holiday in NW, not in BE
    corpus_christi = (berlin(2026, 6, 4, 10), berlin(2026, 6, 4, 11))
    assert codes(*corpus_christi) == ["public_holiday"]
    assert codes(*corpus_christi, p=prison(land="BE")) == []


def test_closure_covers_its_first_and_last_day_only() -> None:
    closed = prison(
        closures=(Closure(start_date=date(2026, 3, 12), end_date=date(2026, 3, 13), reason="Streik"),)
    )
    assert codes(berlin(2026, 3, 12, 10), berlin(2026, 3, 12, 11), p=closed) == ["prison_closed"]
    assert codes(berlin(2026, 3, 13, 10), berlin(2026, 3, 13, 11), p=closed) == ["prison_closed"]
    assert codes(berlin(2026, 3, 14, 10), berlin(2026, 3, 14, 11), p=closed) == []


def test_lead_time_counts_days_in_the_prisons_calendar_and_can_be_waived() -> None:
    strict = prison(lead_time_days=3)
    assert codes(berlin(2026, 3, 13, 9), berlin(2026, 3, 13, 10), p=strict) == []
    assert codes(berlin(2026, 3, 12, 11), berlin(2026, 3, 12, 12), p=strict) == ["lead_time"]
    assert codes(berlin(2026, 3, 12, 11), berlin(2026, 3, 12, 12), p=strict, lead=False) == []


def test_visit_in_the_past_is_refused() -> None:
    assert codes(berlin(2026, 3, 10, 9), berlin(2026, 3, 10, 10)) == ["in_past"]


def test_mentor_overlap_respects_the_larger_travel_buffer_back_to_back_passes() -> None:
    other = Busy(
        starts_at=berlin(2026, 3, 12, 9), ends_at=berlin(2026, 3, 12, 10), kind="visit", id=uuid4(), who=M2
    )
    assert codes(berlin(2026, 3, 12, 10), berlin(2026, 3, 12, 11), mentor_busy=[other]) == []
    far = Busy(
        starts_at=other.starts_at, ends_at=other.ends_at, kind="visit", id=other.id, who=M2, buffer_minutes=30
    )
    assert codes(berlin(2026, 3, 12, 10, 15), berlin(2026, 3, 12, 11), mentor_busy=[far]) == ["mentor_busy"]
    assert codes(berlin(2026, 3, 12, 10, 30), berlin(2026, 3, 12, 11), mentor_busy=[far]) == []
    # a mentor who does not attend is not in the way
    assert (
        codes(berlin(2026, 3, 12, 9, 30), berlin(2026, 3, 12, 11), mentors=(M1,), mentor_busy=[other]) == []
    )


def test_participant_overlap_with_an_appointment_names_it() -> None:
    appointment = Busy(
        starts_at=berlin(2026, 3, 12, 9, 30),
        ends_at=berlin(2026, 3, 12, 10, 30),
        kind="appointment",
        id=uuid4(),
        who=UUID(int=200),
    )
    found = check_visit(
        Proposal(starts_at=berlin(2026, 3, 12, 10), ends_at=berlin(2026, 3, 12, 11), mentor_ids=(M1,)),
        participant=participant(),
        prison=prison(),
        mentor_busy=BusyIndex([]),
        participant_busy=BusyIndex([appointment]),
        now=NOW,
    )
    assert [(v.code, v.conflict["type"], v.conflict["id"]) for v in found] == [  # type: ignore[index]
        ("participant_busy", "appointment", str(appointment.id))
    ]


def test_release_date_bounds_visits_in_custody() -> None:
    who = participant(planning_date=date(2026, 3, 13))
    assert codes(berlin(2026, 3, 12, 9), berlin(2026, 3, 12, 10), who=who) == []
    assert codes(berlin(2026, 3, 13, 9), berlin(2026, 3, 13, 10), who=who) == ["after_release"]


def test_no_mentor_is_refused() -> None:
    assert codes(berlin(2026, 3, 12, 9), berlin(2026, 3, 12, 10), mentors=()) == ["no_mentor"]


# --- slot finder ---------------------------------------------------------------------------------------


busy_strategy = st.lists(
    st.tuples(
        st.integers(0, 40 * 24 * 4),
        st.integers(1, 12),
        st.sampled_from([M1, M2, UUID(int=200)]),
        st.sampled_from([0, 15, 30]),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    busy=busy_strategy,
    lead=st.integers(0, 7),
    buffer=st.sampled_from([0, 15, 45]),
    minutes=st.sampled_from([30, 45, 60, 90]),
    closed_from=st.integers(0, 30),
    closed_days=st.integers(0, 5),
)
def test_every_slot_the_finder_proposes_passes_every_rule(
    busy: list[tuple[int, int, UUID, int]],
    lead: int,
    buffer: int,
    minutes: int,
    closed_from: int,
    closed_days: int,
) -> None:
    start_day = date(2026, 3, 10)
    p = prison(
        lead_time_days=lead,
        travel_buffer_minutes=buffer,
        closures=(
            Closure(
                start_date=start_day + timedelta(days=closed_from),
                end_date=start_day + timedelta(days=closed_from + closed_days),
            ),
        ),
    )
    base = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    items = [
        Busy(
            starts_at=base + timedelta(minutes=15 * q),
            ends_at=base + timedelta(minutes=15 * (q + n)),
            kind="visit",
            id=uuid4(),
            who=who,
            buffer_minutes=b,
        )
        for q, n, who, b in busy
    ]
    mentor_busy = BusyIndex([b for b in items if b.who != UUID(int=200)])
    participant_busy = BusyIndex([b for b in items if b.who == UUID(int=200)])
    slots = find_slots(
        participant=participant(),
        prison=p,
        mentor_ids=[M1, M2],
        mentor_busy=mentor_busy,
        participant_busy=participant_busy,
        start_date=start_day,
        end_date=start_day + timedelta(days=40),
        minutes=minutes,
        now=NOW,
        limit=500,
    )
    assert slots == sorted(slots, key=lambda s: s.starts_at)
    for s in slots:
        assert (
            check_visit(
                Proposal(starts_at=s.starts_at, ends_at=s.ends_at, mentor_ids=(M1, M2)),
                participant=participant(),
                prison=p,
                mentor_busy=mentor_busy,
                participant_busy=participant_busy,
                now=NOW,
            )
            == []
        )


def test_slot_finder_skips_holidays_and_starts_after_the_lead_time() -> None:
    slots = find_slots(
        participant=participant(),
        prison=prison(lead_time_days=24),
        mentor_ids=[M1],
        mentor_busy=BusyIndex([]),
        participant_busy=BusyIndex([]),
        start_date=date(2026, 3, 10),
        end_date=date(2026, 4, 6),
        minutes=90,
        now=NOW,
        limit=100,
    )
    days = sorted({s.starts_at.date() for s in slots})
    assert days[0] == date(2026, 4, 3 + 1)  # 2026-04-03 is Good Friday: the first day is the Saturday
    assert date(2026, 4, 6) not in days  # Easter Monday


# --- cadence and series ------------------------------------------------------------------------------------


def test_cadence_due_after_the_last_visit_and_overdue_the_day_after() -> None:
    due = cadence_state(
        participant_id=M1,
        cadence_days=14,
        last_visit_on=date(2026, 3, 1),
        next_planned_on=None,
        since=date(2025, 1, 1),
        today=date(2026, 3, 15),
    )
    assert (due.next_due_on, due.is_overdue) == (date(2026, 3, 15), False)
    late = cadence_state(
        participant_id=M1,
        cadence_days=14,
        last_visit_on=date(2026, 3, 1),
        next_planned_on=None,
        since=date(2025, 1, 1),
        today=date(2026, 3, 16),
    )
    assert (late.is_overdue, late.days_overdue) == (True, 1)
    never = cadence_state(
        participant_id=M1,
        cadence_days=7,
        last_visit_on=None,
        next_planned_on=None,
        since=date(2026, 3, 1),
        today=date(2026, 3, 5),
    )
    assert (never.next_due_on, never.is_overdue) == (date(2026, 3, 8), False)


def test_series_keeps_the_wall_clock_time_across_the_dst_switch() -> None:
    slots = expand_series(
        first_day=date(2026, 3, 17),
        start_time=time(10),
        minutes=60,
        every_weeks=2,
        until=date(2026, 4, 14),
        tz_name="Europe/Berlin",
    )
    assert [s.starts_at for s in slots] == [
        datetime(2026, 3, 17, 9, tzinfo=UTC),
        datetime(2026, 3, 31, 8, tzinfo=UTC),
        datetime(2026, 4, 14, 8, tzinfo=UTC),
    ]


def test_series_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        expand_series(
            first_day=date(2026, 1, 1),
            start_time=time(10),
            minutes=60,
            every_weeks=1,
            until=date(2028, 1, 1),
            tz_name="Europe/Berlin",
        )
    assert err.value.field == "until"


def test_meeting_outside_prison_only_after_release() -> None:
    def meeting(who: Participant) -> list[str]:
        found = check_visit(
            Proposal(
                starts_at=berlin(2026, 3, 12, 18),
                ends_at=berlin(2026, 3, 12, 19),
                kind="meeting",
                mentor_ids=(M1,),
            ),
            participant=who,
            prison=None,
            mentor_busy=BusyIndex([]),
            participant_busy=BusyIndex([]),
            now=NOW,
        )
        return [v.code for v in found]

    assert meeting(participant()) == ["in_custody"]
    assert meeting(participant(status=ParticipantStatus.RELEASED)) == []
