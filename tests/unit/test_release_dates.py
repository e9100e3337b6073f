"""Release-date rules: the worked examples of the domain file and the invariants that must always hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prison_liaison.planning import workdays
from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.release_dates import (
    LedgerEntry,
    Sentence,
    Term,
    calculate,
    corresponding_day,
    parse_date,
    planning_date,
)

# case: start, term, expected (sentence end, earliest release day, half, two thirds)
WORKED_EXAMPLES = {
    "E1": (
        date(2003, 4, 26),
        Term(years=2, months=6),
        (date(2005, 10, 25), date(2005, 10, 25), date(2004, 7, 25), date(2004, 12, 24)),
    ),
    "E2": (
        date(2025, 3, 10),
        Term(years=1),
        (date(2026, 3, 9), date(2026, 3, 9), date(2025, 9, 9), date(2025, 11, 7)),
    ),
    "E3": (
        date(2025, 2, 19),
        Term(months=8),
        (date(2025, 10, 18), date(2025, 10, 17), date(2025, 8, 18), date(2025, 7, 29)),
    ),
    "E4": (
        date(2025, 4, 8),
        Term(years=1),
        (date(2026, 4, 7), date(2026, 4, 2), date(2025, 10, 7), date(2025, 12, 6)),
    ),
    "E5": (date(2025, 5, 5), Term(months=3), (date(2025, 8, 4), date(2025, 8, 4), None, date(2025, 7, 4))),
    "E6": (date(2025, 5, 5), Term(months=2), (date(2025, 7, 4), date(2025, 7, 4), None, None)),
}


@pytest.mark.parametrize("case", sorted(WORKED_EXAMPLES))
def test_calculate_worked_example_matches_domain_file(case: str) -> None:
    start, term, expected = WORKED_EXAMPLES[case]
    calc = calculate(Sentence(sentence_start=start, term=term))
    assert (calc.sentence_end, calc.earliest_release_day, calc.half_time, calc.two_thirds) == expected


def test_corresponding_day_clamps_to_month_end() -> None:
    assert corresponding_day(date(2025, 1, 31), Term(months=1)) == date(2025, 2, 28)


def test_calculate_month_end_start_is_flagged() -> None:
    calc = calculate(Sentence(sentence_start=date(2025, 1, 31), term=Term(months=1)))
    assert calc.sentence_end == date(2025, 2, 27)
    assert "month_end_start" in {f.code for f in calc.flags}


def test_calculate_one_month_term_ends_day_before_corresponding_day() -> None:
    # StVollstrO example: a one-month term from 23.06.2009 is served up to and including 22.07.2009
    assert calculate(Sentence(sentence_start=date(2009, 6, 23), term=Term(months=1))).sentence_end == date(
        2009, 7, 22
    )


def test_calculate_credit_moves_every_date_back() -> None:
    base = calculate(Sentence(sentence_start=date(2025, 3, 10), term=Term(years=1)))
    credited = calculate(
        Sentence(sentence_start=date(2025, 3, 10), term=Term(years=1), pretrial_credit_days=30)
    )
    assert credited.sentence_end == base.sentence_end - timedelta(days=30)  # type: ignore[operator]
    assert credited.two_thirds == base.two_thirds - timedelta(days=30)  # type: ignore[operator]


def test_calculate_year_end_window_nrw_versus_federal() -> None:
    # sentence end Mon 05.01.2026: inside the NRW window (22.12.–06.01.), outside the federal one (–02.01.)
    start = date(2025, 1, 6)
    nrw = calculate(Sentence(sentence_start=start, term=Term(years=1)))
    federal = calculate(Sentence(sentence_start=start, term=Term(years=1), federal_rule=True))
    assert nrw.sentence_end == date(2026, 1, 5)
    assert nrw.earliest_release_day == date(2025, 12, 19)
    assert federal.earliest_release_day == date(2026, 1, 5)


def test_calculate_other_land_uses_its_holidays_and_is_flagged() -> None:
    # 6 Jan is a holiday in Bavaria, not in NRW; the federal window ends 2 Jan
    calc = calculate(Sentence(sentence_start=date(2025, 1, 7), term=Term(years=1), land="BY"))
    assert calc.sentence_end == date(2026, 1, 6)
    assert calc.earliest_release_day == date(2026, 1, 5)
    assert "release_day_rule_unverified" in {f.code for f in calc.flags}


def test_calculate_life_sentence_gives_minimum_only() -> None:
    calc = calculate(Sentence(sentence_start=date(2010, 5, 3), life=True, pretrial_credit_days=100))
    assert calc.sentence_end is None
    assert calc.life_minimum == date(2025, 5, 2) - timedelta(days=100)
    assert "life_sentence" in {f.code for f in calc.flags}


def test_calculate_youth_has_no_two_thirds_and_needs_a_third() -> None:
    calc = calculate(Sentence(sentence_start=date(2025, 1, 1), term=Term(years=3), youth=True))
    assert (calc.half_time, calc.two_thirds) == (None, None)
    assert calc.youth_earliest == date(2025, 1, 1) + timedelta(days=1095 // 3 - 1)
    assert "youth_third_rounding" in {f.code for f in calc.flags}


def test_calculate_youth_short_term_waits_six_months() -> None:
    calc = calculate(Sentence(sentence_start=date(2025, 1, 1), term=Term(months=9), youth=True))
    assert calc.youth_earliest == date(2025, 6, 30)


def test_calculate_half_time_over_two_years_needs_special_circumstances() -> None:
    calc = calculate(Sentence(sentence_start=date(2003, 4, 26), term=Term(years=2, months=6)))
    assert calc.half_time_first_sentence is False
    assert "half_time_special_circumstances" in {f.code for f in calc.flags}
    short = calculate(Sentence(sentence_start=date(2025, 3, 10), term=Term(years=1)))
    assert short.half_time_first_sentence is True


def test_calculate_long_credit_means_possible_immediately() -> None:
    calc = calculate(Sentence(sentence_start=date(2025, 3, 10), term=Term(years=2), pretrial_credit_days=400))
    assert calc.half_time is not None and calc.half_time < date(2025, 3, 10)
    assert "possible_immediately" in {f.code for f in calc.flags}


@pytest.mark.parametrize(
    ("sentence", "field"),
    [
        (Sentence(sentence_start=date(2025, 1, 1), term=Term(months=-1)), "term.months"),
        (Sentence(sentence_start=date(2025, 1, 1), term=Term()), "term"),
        (Sentence(sentence_start=date(2025, 1, 1), term=Term(years=31)), "term.years"),
        (Sentence(sentence_start=date(2025, 1, 1), term=Term(years=25, months=70)), "term"),
        (
            Sentence(sentence_start=date(2025, 1, 1), term=Term(months=1), pretrial_credit_days=32),
            "pretrial_credit_days",
        ),
        (
            Sentence(sentence_start=date(2025, 1, 1), term=Term(months=1), pretrial_credit_days=-1),
            "pretrial_credit_days",
        ),
        (Sentence(sentence_start=date(2025, 1, 1), term=Term(months=1), land="XX"), "land"),
        (Sentence(sentence_start=date(2025, 1, 1), term=Term(months=1), life=True), "term"),
        (Sentence(sentence_start=date(1900, 1, 1), term=Term(months=1)), "sentence_start"),
    ],
)
def test_calculate_bad_input_names_the_field(sentence: Sentence, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        calculate(sentence)
    assert info.value.field == field


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "25-01-01", "yesterday", ""])
def test_parse_date_refuses_impossible_dates(value: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_date(value, "sentence_start")
    assert info.value.field == "sentence_start"


# --- invariants ---------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
terms = st.builds(
    Term,
    years=st.integers(0, 15),
    months=st.integers(0, 24),
    weeks=st.integers(0, 10),
    days=st.integers(0, 60),
).filter(lambda t: not t.is_zero)
lands = st.sampled_from(["NW", "NW", "BY", "BE", "HH"])


def _sentence(start: date, term: Term, credit_share: float, land: str = "NW") -> Sentence:
    total = (corresponding_day(start, term) - start).days
    return Sentence(
        sentence_start=start, term=term, pretrial_credit_days=int(total * credit_share), land=land
    )


@settings(max_examples=300, deadline=None)
@given(starts, terms, st.floats(0, 1), lands)
def test_earliest_release_day_is_a_free_working_day_close_before_the_end(start, term, share, land) -> None:
    s = _sentence(start, term, share, land)
    calc = calculate(s)
    assert calc.sentence_end is not None and calc.earliest_release_day is not None
    assert calc.sentence_end - timedelta(days=20) <= calc.earliest_release_day <= calc.sentence_end
    assert workdays.is_working_day(calc.earliest_release_day, land)
    assert not workdays.is_release_blocked(calc.earliest_release_day, land)


@settings(max_examples=300, deadline=None)
@given(starts, terms, st.floats(0, 1))
def test_fractions_are_before_the_end_or_absent(start, term, share) -> None:
    calc = calculate(_sentence(start, term, share))
    assert calc.sentence_end is not None
    for value in (calc.half_time, calc.two_thirds):
        assert value is None or value < calc.sentence_end
    if corresponding_day(start, term) <= start + timedelta(days=59):
        assert (calc.half_time, calc.two_thirds) == (None, None)


@settings(max_examples=300, deadline=None)
@given(starts, terms, st.integers(0, 400), st.integers(1, 200))
def test_more_credit_never_gives_a_later_date(start, term, credit, extra) -> None:
    total = (corresponding_day(start, term) - start).days
    credit = min(credit, total)
    more = min(credit + extra, total)
    a = calculate(Sentence(sentence_start=start, term=term, pretrial_credit_days=credit))
    b = calculate(Sentence(sentence_start=start, term=term, pretrial_credit_days=more))
    for x, y in (
        (a.sentence_end, b.sentence_end),
        (a.earliest_release_day, b.earliest_release_day),
        (a.half_time, b.half_time),
        (a.two_thirds, b.two_thirds),
    ):
        assert (x is None) == (y is None)
        if x is not None and y is not None:
            assert y <= x


@settings(max_examples=200, deadline=None)
@given(starts, terms)
def test_two_thirds_respects_the_two_month_minimum(start, term) -> None:
    calc = calculate(Sentence(sentence_start=start, term=term))
    if calc.two_thirds is not None:
        assert calc.two_thirds >= corresponding_day(start, Term(months=2)) - timedelta(days=1)
    if calc.half_time is not None:
        assert calc.half_time >= corresponding_day(start, Term(months=6)) - timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(starts, terms)
def test_longer_term_never_ends_earlier(start, term) -> None:
    longer = Term(years=term.years, months=term.months, weeks=term.weeks, days=term.days + 1)
    a, b = (
        calculate(Sentence(sentence_start=start, term=term)),
        calculate(Sentence(sentence_start=start, term=longer)),
    )
    assert b.sentence_end > a.sentence_end  # type: ignore[operator]
    assert b.earliest_release_day >= a.earliest_release_day  # type: ignore[operator]


# --- planning date ------------------------------------------------------------------------------------------


def _entry(kind: str, day: date | None, source: str, minute: int) -> LedgerEntry:
    return LedgerEntry(
        id=uuid4(),
        kind=kind,
        date=day,
        source=source,
        recorded_at=datetime(2026, 1, 1, 10, minute, tzinfo=UTC),
    )


def test_planning_date_prefers_latest_official_date() -> None:
    entries = [
        _entry("sentence_end", date(2026, 9, 1), "computed", 0),
        _entry("two_thirds", date(2026, 5, 1), "computed", 0),
        _entry("sentence_end", date(2026, 8, 28), "prison_letter", 1),
        _entry("planned_release", date(2026, 8, 20), "court_decision", 2),
    ]
    assert planning_date(entries, "two_thirds") == (date(2026, 8, 20), "court_decision:planned_release")


def test_planning_date_uses_chosen_basis_then_sentence_end_then_estimate() -> None:
    computed = [
        _entry("sentence_end", date(2026, 9, 1), "computed", 0),
        _entry("two_thirds", date(2026, 5, 1), "computed", 0),
        _entry("half_time", None, "computed", 0),
    ]
    assert planning_date(computed, "two_thirds")[0] == date(2026, 5, 1)
    assert planning_date(computed, "half_time")[0] == date(2026, 9, 1)
    estimate = [_entry("planned_release", date(2027, 1, 1), "mentor_estimate", 3)]
    assert planning_date(estimate, "sentence_end") == (date(2027, 1, 1), "mentor_estimate:planned_release")
    assert planning_date([], "sentence_end") == (None, "none")


def test_planning_date_follows_latest_computed_entry() -> None:
    entries = [
        _entry("sentence_end", date(2026, 9, 1), "computed", 0),
        _entry("sentence_end", date(2026, 7, 1), "computed", 5),
    ]
    assert planning_date(entries)[0] == date(2026, 7, 1)


def test_planning_date_prefers_prison_calculation_of_chosen_kind() -> None:
    entries = [
        _entry("two_thirds", date(2026, 5, 1), "computed", 0),
        _entry("two_thirds", date(2026, 4, 28), "prison_letter", 1),
        _entry("two_thirds", date(2026, 6, 1), "computed", 2),
    ]
    assert planning_date(entries, "two_thirds") == (date(2026, 4, 28), "prison_letter:two_thirds")


ledger_entries = st.lists(
    st.builds(
        _entry,
        st.sampled_from(
            ["sentence_end", "two_thirds", "half_time", "planned_release", "earliest_release_day"]
        ),
        st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
        st.sampled_from(["computed", "prison_letter", "court_decision", "mentor_estimate"]),
        st.integers(0, 59),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(ledger_entries, st.sampled_from(["sentence_end", "two_thirds", "half_time"]))
def test_planning_date_official_release_always_wins(entries, basis) -> None:
    day, source = planning_date(entries, basis)
    release_kinds = {"planned_release", "sentence_end", "earliest_release_day"}
    latest = {}
    for e in sorted(entries, key=lambda e: e.recorded_at):
        latest[(e.kind, e.source)] = e
    official = [
        e
        for e in latest.values()
        if e.source in ("prison_letter", "court_decision")
        and (e.kind in release_kinds or e.source == "court_decision")
    ]
    if official:
        newest = max(e.recorded_at for e in official)
        assert day in {e.date for e in official if e.recorded_at == newest}
        assert source.split(":")[0] in ("prison_letter", "court_decision")
    elif not entries:
        assert (day, source) == (None, "none")
    else:
        assert day in {e.date for e in entries}
        assert day is not None


def test_calculate_says_when_a_minimum_binds() -> None:
    e2 = calculate(Sentence(sentence_start=date(2025, 3, 10), term=Term(years=1)))
    e5 = calculate(Sentence(sentence_start=date(2025, 5, 5), term=Term(months=3)))
    assert {(f.code, f.kind) for f in e2.flags} == {("minimum_applies", "half_time")}
    assert ("minimum_applies", "two_thirds") in {(f.code, f.kind) for f in e5.flags}
