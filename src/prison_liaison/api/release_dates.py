"""Release dates: the calculator, a participant's sentence and the append-only release-date ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import Meta, Struct

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.schemas import Input, ListOf
from prison_liaison.planning.release_dates import (
    Calculation,
    LedgerEntry,
    Sentence,
    SentenceRecord,
    Term,
    parse_date,
)
from prison_liaison.services import release_dates as service
from prison_liaison.services.context import Caller

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]
Day = date  # for fields named "date"
DateText = Annotated[
    str, Meta(max_length=40, description="a calendar date, YYYY-MM-DD", examples=["2025-03-10"])
]
Count = Annotated[int, Meta(description="whole number; negative or implausible values are refused with 422")]


class TermSchema(Input):
    years: Count = 0
    months: Count = 0
    weeks: Count = 0
    days: Count = 0

    def to_domain(self) -> Term:
        return Term(years=self.years, months=self.months, weeks=self.weeks, days=self.days)


class CalculationRequest(Input):
    sentence_start: DateText
    term: TermSchema = msgspec.field(default_factory=TermSchema)
    pretrial_credit_days: Count = 0
    land: Annotated[str, Meta(max_length=10)] = "NW"
    youth: bool = False
    first_sentence: bool = True
    life: bool = False
    federal_rule: bool = False

    def to_domain(self) -> Sentence:
        return Sentence(
            sentence_start=parse_date(self.sentence_start, "sentence_start"),
            term=self.term.to_domain(),
            pretrial_credit_days=self.pretrial_credit_days,
            land=self.land,
            youth=self.youth,
            first_sentence=self.first_sentence,
            life=self.life,
            federal_rule=self.federal_rule,
        )


class SentenceWrite(Input):
    sentence_start: DateText
    term: TermSchema = msgspec.field(default_factory=TermSchema)
    pretrial_credit_days: Count = 0
    land: Annotated[str, Meta(max_length=10, description="default: the Land of the prison")] = ""
    youth: bool = False
    first_sentence: bool = True
    life: bool = False
    court: Annotated[str, Meta(max_length=200)] = ""
    note: Annotated[str, Meta(max_length=2000)] = ""

    def to_domain(self) -> Sentence:
        return Sentence(
            sentence_start=parse_date(self.sentence_start, "sentence_start"),
            term=self.term.to_domain(),
            pretrial_credit_days=self.pretrial_credit_days,
            land=self.land,
            youth=self.youth,
            first_sentence=self.first_sentence,
            life=self.life,
        )


class FlagRead(Struct, kw_only=True):
    code: str
    level: str
    message: str
    kind: str | None = None


class CalculationRead(Struct, kw_only=True):
    sentence_end: date | None
    earliest_release_day: date | None
    half_time: date | None
    two_thirds: date | None
    life_minimum: date | None = None
    youth_earliest: date | None = None
    half_time_first_sentence: bool
    release_day_rule: str
    flags: list[FlagRead]

    @classmethod
    def from_domain(cls, c: Calculation) -> CalculationRead:
        return cls(
            sentence_end=c.sentence_end,
            earliest_release_day=c.earliest_release_day,
            half_time=c.half_time,
            two_thirds=c.two_thirds,
            life_minimum=c.life_minimum,
            youth_earliest=c.youth_earliest,
            half_time_first_sentence=c.half_time_first_sentence,
            release_day_rule=c.release_day_rule,
            flags=[FlagRead(code=f.code, level=f.level, message=f.message, kind=f.kind) for f in c.flags],
        )


class SentenceRead(Struct, kw_only=True):
    sentence_start: date
    term: dict[str, int]
    pretrial_credit_days: int
    land: str
    youth: bool
    first_sentence: bool
    life: bool
    court: str
    note: str
    version: int

    @classmethod
    def from_domain(cls, r: SentenceRecord) -> SentenceRead:
        s = r.sentence
        return cls(
            sentence_start=s.sentence_start,
            term={"years": s.term.years, "months": s.term.months, "weeks": s.term.weeks, "days": s.term.days},
            pretrial_credit_days=s.pretrial_credit_days,
            land=s.land,
            youth=s.youth,
            first_sentence=s.first_sentence,
            life=s.life,
            court=r.court,
            note=r.note,
            version=r.version,
        )


class EntryRead(Struct, kw_only=True):
    id: UUID
    kind: str
    date: Day | None
    source: str
    note: str
    flags: list[FlagRead]
    previous_date: Day | None
    recorded_by: UUID | None
    recorded_by_name: str
    recorded_at: datetime
    replan_diff: dict[str, Any] | None = None

    @classmethod
    def from_domain(cls, e: LedgerEntry) -> EntryRead:
        return cls(
            id=e.id,
            kind=e.kind,
            date=e.date,
            source=e.source,
            note=e.note,  # type: ignore[arg-type]
            flags=[FlagRead(code=f.code, level=f.level, message=f.message, kind=f.kind) for f in e.flags],
            previous_date=e.previous_date,
            recorded_by=e.recorded_by,  # type: ignore[arg-type]
            recorded_by_name=e.recorded_by_name,
            recorded_at=e.recorded_at,
            replan_diff=e.replan_diff or None,
        )


class ReleaseDatesRead(Struct, kw_only=True):
    participant_id: UUID
    planning_date: date | None
    planning_source: str
    planning_basis: str
    sentence: SentenceRead | None
    computed: CalculationRead | None
    items: list[EntryRead]
    next_cursor: str | None = None

    @classmethod
    def from_domain(cls, v: service.ReleaseDates) -> ReleaseDatesRead:
        return cls(
            participant_id=v.participant_id,
            planning_date=v.planning_date,
            planning_source=v.planning_source,
            planning_basis=v.planning_basis,
            sentence=SentenceRead.from_domain(v.sentence) if v.sentence else None,
            computed=CalculationRead.from_domain(v.calculation) if v.calculation else None,
            items=[EntryRead.from_domain(e) for e in v.entries],
        )


class RecordedRead(Struct, kw_only=True):
    release_dates: ReleaseDatesRead
    entries: list[EntryRead]
    replan: dict[str, Any] | None = None

    @classmethod
    def from_domain(cls, r: service.Recorded) -> RecordedRead:
        return cls(
            release_dates=ReleaseDatesRead.from_domain(r.release_dates),
            entries=[EntryRead.from_domain(e) for e in r.entries],
            replan=r.replan,
        )


class EntryCreate(Input):
    kind: Literal[
        "sentence_end",
        "earliest_release_day",
        "half_time",
        "two_thirds",
        "life_minimum",
        "youth_earliest",
        "planned_release",
        "sentence_start",
    ]
    source: Literal["prison_letter", "court_decision", "mentor_estimate"]
    date: DateText
    note: Annotated[str, Meta(max_length=2000)] = ""


class CalculatorController(Controller):
    path = "/api/v1/release-dates"
    tags = ["release dates"]

    @post("/calculate", operation_id="calculateReleaseDates", status_code=200)
    async def calculate(
        self, data: JSONBody[CalculationRequest], caller: NamedDependency[Caller]
    ) -> CalculationRead:
        """Estimate sentence end, earliest release day, half time and two thirds (flags say what to check)."""
        return CalculationRead.from_domain(service.calculate(caller, data.to_domain()))


class ParticipantReleaseDatesController(Controller):
    path = "/api/v1/participants/{participant_id:uuid}"
    tags = ["release dates"]

    @get("/release-dates", operation_id="getReleaseDates")
    async def get_release_dates(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ReleaseDatesRead:
        """The ledger (newest first), the sentence, its computed dates and the current planning date."""
        return ReleaseDatesRead.from_domain(await service.get_release_dates(caller, participant_id))

    @post("/release-dates", operation_id="recordReleaseDate", status_code=201)
    async def record_release_date(
        self, participant_id: FromPath[UUID], data: JSONBody[EntryCreate], caller: NamedDependency[Caller]
    ) -> RecordedRead:
        """Append an official or estimated date; the answer shows what the new planning date moved."""
        recorded = await service.record_entry(
            caller,
            participant_id,
            kind=data.kind,
            source=data.source,
            day=parse_date(data.date, "date"),
            note=data.note,
        )
        return RecordedRead.from_domain(recorded)

    @get("/sentence", operation_id="getSentence")
    async def get_sentence(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[SentenceRead]:
        """The sentence as recorded (404 until one is)."""
        record = await service.get_sentence(caller, participant_id)
        return Response(SentenceRead.from_domain(record), headers={"ETag": etag(record.version)})

    @put("/sentence", operation_id="setSentence")
    async def set_sentence(
        self,
        participant_id: FromPath[UUID],
        data: JSONBody[SentenceWrite],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> RecordedRead:
        """Record or correct the sentence (If-Match to change); changed dates become ledger entries."""
        version = parse_if_match(if_match) if if_match else None
        recorded = await service.set_sentence(
            caller,
            participant_id,
            data.to_domain(),
            court=data.court,
            note=data.note,
            expected_version=version,
        )
        return RecordedRead.from_domain(recorded)


__all__ = ["CalculatorController", "ListOf", "ParticipantReleaseDatesController"]
