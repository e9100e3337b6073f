"""Release-date estimates (Germany, NRW by default) and the planning-date rule — pure functions.

The prison's official sentence calculation always wins; these are estimates with flags for every case
the domain rules mark as uncertain ("prüfen"). See docs: shared/domain/release-dates.md.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec
from dateutil.relativedelta import relativedelta

from prison_liaison.planning import workdays
from prison_liaison.planning.errors import ValidationFailed

MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2100, 12, 31)
# A determinate sentence is at most 15 years (StGB §38(2)); several sentences executed one after another
# can add up to more, so the calculator accepts up to 30 years and flags anything above 15.
MAX_TERM_YEARS = 30
STATUTORY_MAX_YEARS = 15
LIFE_MINIMUM_YEARS = 15
HALF_MINIMUM_MONTHS = 6
TWO_THIRDS_MINIMUM_MONTHS = 2
YOUTH_MINIMUM_MONTHS = 6
HALF_TIME_FIRST_SENTENCE_MAX = relativedelta(years=2)


class DateKind(enum.StrEnum):
    SENTENCE_START = "sentence_start"
    SENTENCE_END = "sentence_end"
    HALF_TIME = "half_time"
    TWO_THIRDS = "two_thirds"
    LIFE_MINIMUM = "life_minimum"
    YOUTH_EARLIEST = "youth_earliest"
    EARLIEST_RELEASE_DAY = "earliest_release_day"
    PLANNED_RELEASE = "planned_release"


class DateSource(enum.StrEnum):
    COMPUTED = "computed"
    PRISON_LETTER = "prison_letter"
    COURT_DECISION = "court_decision"
    MENTOR_ESTIMATE = "mentor_estimate"


OFFICIAL_SOURCES = frozenset({DateSource.PRISON_LETTER, DateSource.COURT_DECISION})
# kinds a participant can be planned on (ParticipantTable.planning_basis)
PLANNING_BASES = (
    "sentence_end",
    "earliest_release_day",
    "half_time",
    "two_thirds",
    "life_minimum",
    "youth_earliest",
)


class Term(msgspec.Struct, frozen=True, kw_only=True):
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    @property
    def is_zero(self) -> bool:
        return not (self.years or self.months or self.weeks or self.days)


class Sentence(msgspec.Struct, frozen=True, kw_only=True):
    sentence_start: date
    term: Term = Term()
    life: bool = False
    pretrial_credit_days: int = 0
    land: str = workdays.DEFAULT_LAND
    youth: bool = False
    first_sentence: bool = True
    federal_rule: bool = False  # use StVollzG §16 instead of the Land's own release-day rule


class SentenceRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_id: UUID
    sentence: Sentence
    court: str = ""
    note: str = ""
    version: int = 1
    updated_at: datetime | None = None


class Flag(msgspec.Struct, frozen=True, kw_only=True):
    """Something a person must look at; level "pruefen" = check against the official calculation."""

    code: str
    level: str  # "pruefen" | "info"
    message: str
    kind: str | None = None


class Calculation(msgspec.Struct, frozen=True, kw_only=True):
    sentence_end: date | None
    earliest_release_day: date | None
    half_time: date | None
    two_thirds: date | None
    life_minimum: date | None = None
    youth_earliest: date | None = None
    half_time_first_sentence: bool = False  # StGB §57(2) Nr. 1: first prison sentence of at most two years
    youth: bool = False
    release_day_rule: str = "NW"
    flags: tuple[Flag, ...] = ()


# --- input checks -------------------------------------------------------------------------------------------


def parse_date(value: object, field: str) -> date:
    """A calendar date from ``YYYY-MM-DD``; impossible dates (31 Feb) and absurd years are refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        if not isinstance(value, str):
            raise ValidationFailed("expected a date YYYY-MM-DD", field=field, code="invalid_date")
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationFailed(
                "not a calendar date (YYYY-MM-DD, a day that exists)", field=field, code="invalid_date"
            ) from exc
        if len(value) != 10:
            raise ValidationFailed("expected a date YYYY-MM-DD", field=field, code="invalid_date")
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationFailed(
            f"date must lie between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}",
            field=field,
            code="date_out_of_range",
        )
    return day


def check_sentence(s: Sentence) -> None:
    """Refuse what cannot be a sentence; the errors name the field and the rule."""
    workdays.check_land(s.land)
    parse_date(s.sentence_start, "sentence_start")
    for name in ("years", "months", "weeks", "days"):
        if getattr(s.term, name) < 0:
            raise ValidationFailed("a term cannot be negative", field=f"term.{name}", code="negative_term")
    limits = {
        "years": MAX_TERM_YEARS,
        "months": MAX_TERM_YEARS * 12,
        "weeks": MAX_TERM_YEARS * 53,
        "days": MAX_TERM_YEARS * 366,
    }
    for name, limit in limits.items():
        if getattr(s.term, name) > limit:
            raise ValidationFailed(
                f"term.{name} is implausibly large (at most {limit})",
                field=f"term.{name}",
                code="term_too_long",
            )
    if s.pretrial_credit_days < 0:
        raise ValidationFailed(
            "credit cannot be negative", field="pretrial_credit_days", code="negative_credit"
        )
    if s.life:
        if not s.term.is_zero:
            raise ValidationFailed(
                "a life sentence has no term; leave term empty", field="term", code="life_with_term"
            )
        if s.pretrial_credit_days > LIFE_MINIMUM_YEARS * 366:
            raise ValidationFailed(
                "credit is longer than the minimum term",
                field="pretrial_credit_days",
                code="credit_exceeds_term",
            )
        return
    if s.term.is_zero:
        raise ValidationFailed("a term needs at least one day", field="term", code="empty_term")
    corresponding = corresponding_day(s.sentence_start, s.term)
    if corresponding > s.sentence_start + relativedelta(years=MAX_TERM_YEARS):
        raise ValidationFailed(
            f"the term adds up to more than {MAX_TERM_YEARS} years", field="term", code="term_too_long"
        )
    if corresponding > MAX_DATE:
        raise ValidationFailed("the sentence would end after 2100", field="term", code="date_out_of_range")
    if s.pretrial_credit_days > (corresponding - s.sentence_start).days:
        raise ValidationFailed(
            "credit is longer than the term", field="pretrial_credit_days", code="credit_exceeds_term"
        )


# --- the rules ----------------------------------------------------------------------------------------------


def add_calendar(start: date, years: int = 0, months: int = 0) -> date:
    """Years and months by the calendar to the corresponding day; the month's last day if it is shorter."""
    return start + relativedelta(years=years, months=months)


def corresponding_day(start: date, term: Term) -> date:
    """StVollstrO §37(4),(5): years and months by the calendar, then weeks and days."""
    return add_calendar(start, term.years, term.months) + timedelta(weeks=term.weeks, days=term.days)


def _is_month_end_ambiguous(start: date, term: Term) -> bool:
    if not (term.years or term.months):
        return False
    target = add_calendar(start, term.years, term.months)
    last_of_start_month = (start + relativedelta(day=31)) == start
    return target.day != start.day or (last_of_start_month and start.day < 31)


def fraction_date(
    start: date, term: Term, credit: int, fraction: tuple[int, int], minimum_months: int
) -> date:
    """The days method: start + floor(T × f) − 1 − credit, never before (start + minimum) − 1 − credit."""
    total = (corresponding_day(start, term) - start).days
    numerator, denominator = fraction
    point = start + timedelta(days=total * numerator // denominator - 1 - credit)
    minimum = add_calendar(start, months=minimum_months) - timedelta(days=1 + credit)
    return max(point, minimum)


def calculate(s: Sentence) -> Calculation:
    """Every estimate for one sentence, with flags; validates first (ValidationFailed names the field)."""
    check_sentence(s)
    rule = workdays.release_day_rule(s.land, federal=s.federal_rule)
    flags: list[Flag] = []
    if not rule.verified or (s.land not in workdays.RELEASE_DAY_RULES and not s.federal_rule):
        flags.append(
            Flag(
                code="release_day_rule_unverified",
                level="pruefen",
                kind="earliest_release_day",
                message=f"Entlassungstag-Regel für {s.land} nicht geprüft; verwendet: {rule.statute}.",
            )
        )
    start, credit = s.sentence_start, s.pretrial_credit_days

    if s.life:
        minimum = add_calendar(start, years=LIFE_MINIMUM_YEARS) - timedelta(days=1 + credit)
        flags.append(
            Flag(
                code="life_sentence",
                level="pruefen",
                kind="life_minimum",
                message="Lebenslang: frühestens nach 15 Jahren (StGB §57a); Schwere der Schuld prüfen.",
            )
        )
        return Calculation(
            sentence_end=None,
            earliest_release_day=None,
            half_time=None,
            two_thirds=None,
            life_minimum=minimum,
            release_day_rule=rule.name,
            flags=tuple(flags),
        )

    corresponding = corresponding_day(start, s.term)
    sentence_end = corresponding - timedelta(days=1 + credit)
    earliest = workdays.earliest_release_day(sentence_end, s.land, rule)
    if _is_month_end_ambiguous(start, s.term):
        flags.append(
            Flag(
                code="month_end_start",
                level="pruefen",
                kind="sentence_end",
                message="Strafbeginn am Monatsende: der entsprechende Tag ist nicht eindeutig (prüfen).",
            )
        )
    if corresponding > add_calendar(start, years=STATUTORY_MAX_YEARS):
        flags.append(
            Flag(
                code="term_over_15_years",
                level="pruefen",
                kind="sentence_end",
                message="Mehr als 15 Jahre: mehrere Strafen in Anschlussvollstreckung? (prüfen)",
            )
        )
    if earliest != sentence_end:
        flags.append(
            Flag(
                code="release_day_brought_forward",
                level="info",
                kind="earliest_release_day",
                message=f"Strafende an gesperrtem Tag; Entlassung am {earliest.isoformat()} möglich "
                f"({rule.statute}, Ermessen).",
            )
        )

    half = two_thirds = youth_earliest = None
    first_condition = s.first_sentence and corresponding <= start + HALF_TIME_FIRST_SENTENCE_MAX
    longer_than_two_months = corresponding > add_calendar(start, months=2)
    if s.youth:
        # JGG §88: six months before release on probation; over one year at least one third. No 2/3 rule.
        if longer_than_two_months:
            point = fraction_date(start, s.term, credit, (0, 1), YOUTH_MINIMUM_MONTHS)
            if corresponding > add_calendar(start, years=1):
                point = max(point, fraction_date(start, s.term, credit, (1, 3), 0))
                flags.append(
                    Flag(
                        code="youth_third_rounding",
                        level="pruefen",
                        kind="youth_earliest",
                        message="Jugendstrafe über ein Jahr: Rundung des Drittels ungeregelt (prüfen).",
                    )
                )
            youth_earliest = point if point < sentence_end else None
        first_condition = False
    elif longer_than_two_months:
        h = fraction_date(start, s.term, credit, (1, 2), HALF_MINIMUM_MONTHS)
        t = fraction_date(start, s.term, credit, (2, 3), TWO_THIRDS_MINIMUM_MONTHS)
        half = h if h < sentence_end else None
        two_thirds = t if t < sentence_end else None
        for kind, value, months in (
            ("half_time", half, HALF_MINIMUM_MONTHS),
            ("two_thirds", two_thirds, TWO_THIRDS_MINIMUM_MONTHS),
        ):
            if value is not None and value == add_calendar(start, months=months) - timedelta(days=1 + credit):
                flags.append(
                    Flag(
                        code="minimum_applies",
                        level="info",
                        kind=kind,
                        message=f"Mindestverbüßung von {months} Monaten bestimmt den Termin (StGB §57).",
                    )
                )
        if half is not None and not first_condition:
            flags.append(
                Flag(
                    code="half_time_special_circumstances",
                    level="pruefen",
                    kind="half_time",
                    message="Halbstrafe nur bei besonderen Umständen (StGB §57(2), kein Erstverbüßer ≤ 2 J.)",
                )
            )
    for kind, value in (("half_time", half), ("two_thirds", two_thirds), ("youth_earliest", youth_earliest)):
        if value is None:
            continue
        if value < start:
            flags.append(
                Flag(
                    code="possible_immediately",
                    level="pruefen",
                    kind=kind,
                    message="Termin vor Strafbeginn (lange U-Haft): Entlassung sofort möglich (prüfen).",
                )
            )
        if workdays.is_release_blocked(value, s.land, rule):
            flags.append(
                Flag(
                    code="early_release_on_blocked_day",
                    level="pruefen",
                    kind=kind,
                    message="Wochenende/Feiertag/Jahreswechsel; ob vorverlegt wird, ist offen (prüfen).",
                )
            )
    return Calculation(
        sentence_end=sentence_end,
        earliest_release_day=earliest,
        half_time=half,
        two_thirds=two_thirds,
        youth_earliest=youth_earliest,
        half_time_first_sentence=first_condition,
        youth=s.youth,
        release_day_rule=rule.name,
        flags=tuple(flags),
    )


def computed_dates(calc: Calculation) -> dict[str, date | None]:
    """The kinds a sentence yields for the ledger (None = this sentence has no such date)."""
    if calc.life_minimum is not None:
        return {"life_minimum": calc.life_minimum}
    out: dict[str, date | None] = {
        "sentence_end": calc.sentence_end,
        "earliest_release_day": calc.earliest_release_day,
    }
    if calc.youth:
        out["youth_earliest"] = calc.youth_earliest
    else:
        out["half_time"] = calc.half_time
        out["two_thirds"] = calc.two_thirds
    return out


# --- the planning date --------------------------------------------------------------------------------------


Day = date  # for fields named "date"


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    kind: str
    date: Day | None
    source: str
    recorded_at: datetime
    note: str = ""
    flags: tuple[Flag, ...] = ()
    previous_date: Day | None = None
    recorded_by: UUID | None = None
    recorded_by_name: str = ""
    replan_diff: dict[str, object] = msgspec.field(default_factory=dict)


RELEASE_KINDS = frozenset({"planned_release", "sentence_end", "earliest_release_day"})


def current_entries(entries: Iterable[LedgerEntry]) -> dict[tuple[str, str], LedgerEntry]:
    """The latest entry per (kind, source): append-only, so later entries supersede earlier ones."""
    latest: dict[tuple[str, str], LedgerEntry] = {}
    for e in sorted(entries, key=lambda e: e.recorded_at):
        latest[(e.kind, e.source)] = e
    return latest


def planning_date(entries: Iterable[LedgerEntry], basis: str = "sentence_end") -> tuple[date | None, str]:
    """The date checklists and cadence hang off, and why.

    1. the most recently recorded official release date (prison letter, court decision), if any;
    2. else the date of the kind the mentors chose as basis (e.g. two thirds), official before computed;
    3. else the sentence end (or life minimum), official before computed;
    4. else the latest mentor estimate;
    5. else the latest date of any other kind (official before computed).
    """
    entries = list(entries)
    current = current_entries(entries)
    official = [
        e
        for e in current.values()
        if e.source in OFFICIAL_SOURCES
        and e.date is not None
        and (e.kind in RELEASE_KINDS or (e.source == DateSource.COURT_DECISION and e.kind in PLANNING_BASES))
    ]
    if official:
        latest = max(official, key=lambda e: e.recorded_at)
        return latest.date, f"{latest.source}:{latest.kind}"
    for kind in (basis, "sentence_end", "life_minimum"):
        # an official calculation of the chosen kind (e.g. the prison's two-thirds date) beats our estimate
        candidates = [
            e for (k, _), e in current.items() if k == kind and e.source != DateSource.MENTOR_ESTIMATE
        ]
        official_kind = [e for e in candidates if e.source in OFFICIAL_SOURCES]
        chosen = max(official_kind or candidates, key=lambda e: e.recorded_at, default=None)
        if chosen is not None and chosen.date is not None:
            return chosen.date, f"{chosen.source}:{kind}"
    estimates = [e for e in current.values() if e.source == DateSource.MENTOR_ESTIMATE and e.date is not None]
    if estimates:
        latest = max(estimates, key=lambda e: e.recorded_at)
        return latest.date, f"mentor_estimate:{latest.kind}"
    # only dates of other kinds (e.g. the prison's two-thirds date while planning on the sentence end, with no
    # sentence recorded): better to plan on the latest of them than on nothing
    others = [
        e for e in current.values() if e.date is not None and e.kind in (*PLANNING_BASES, *RELEASE_KINDS)
    ]
    if others:
        latest = max(others, key=lambda e: (e.source in OFFICIAL_SOURCES, e.recorded_at))
        return latest.date, f"{latest.source}:{latest.kind}"
    return None, "none"


def check_entry(kind: str, source: str, day: date | None, note: str) -> tuple[DateKind, DateSource]:
    try:
        k = DateKind(kind)
    except ValueError as exc:
        raise ValidationFailed(
            f"unknown kind; use one of {', '.join(k.value for k in DateKind)}", field="kind"
        ) from exc
    try:
        src = DateSource(source)
    except ValueError as exc:
        raise ValidationFailed(
            f"unknown source; use one of {', '.join(s.value for s in DateSource)}", field="source"
        ) from exc
    if src == DateSource.COMPUTED:
        raise ValidationFailed(
            "computed dates come from the sentence; record the sentence instead",
            field="source",
            code="computed_by_sentence",
        )
    if day is None:
        raise ValidationFailed("a date is required", field="date")
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationFailed("date out of range", field="date", code="date_out_of_range")
    if src == DateSource.COURT_DECISION and not note.strip():
        # §60(3) adjustments and decisions need a reference a colleague can find
        raise ValidationFailed(
            "a court decision needs a note (court, file number or reason)",
            field="note",
            code="reason_required",
        )
    return k, src


def best_date(entries: Iterable[LedgerEntry], kind: str) -> date | None:
    """The date of one kind to plan with: the latest official entry, else the latest computed one."""
    current = current_entries(entries)
    official = [e for (k, src), e in current.items() if k == kind and src in OFFICIAL_SOURCES]
    if official:
        return max(official, key=lambda e: e.recorded_at).date
    computed = current.get((kind, DateSource.COMPUTED))
    return computed.date if computed else None
