"""The demo programme: clearly fictional prisons, people and cases, loaded once (idempotent).

Each area of the product adds its part in its own step function below; `load_demo` runs them in order on a
fresh database only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta

from prison_liaison import clock
from prison_liaison.planning.errors import Conflict
from prison_liaison.planning.models import Participant, ParticipantStatus, Role, User, VisitingWindow
from prison_liaison.planning.release_dates import Sentence, Term, corresponding_day
from prison_liaison.services import intake as intake_service
from prison_liaison.services import participants as participants_service
from prison_liaison.services import plans as plans_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import release_dates as release_dates_service
from prison_liaison.services import users as users_service
from prison_liaison.services.context import Caller, system
from prison_liaison.services.security import generate_password
from prison_liaison.settings import get_settings

DEMO_USERS = ("coordinator", "mentor1", "mentor2", "mentor3", "prison1", "prison2")


@dataclass
class DemoResult:
    created: bool
    password: str | None
    usernames: tuple[str, ...] = DEMO_USERS


@dataclass
class DemoContext:
    """What the base step created, for the steps that add sentences, plans, visits and shares."""

    today: date
    coordinator: Caller
    users: dict[str, User] = field(default_factory=dict)
    callers: dict[str, Caller] = field(default_factory=dict)
    prisons: dict[str, UUID] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    # per participant code: the stage it is at and the release date the demo intends
    stage: dict[str, str] = field(default_factory=dict)
    release: dict[str, date] = field(default_factory=dict)
    admitted: dict[str, date] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _windows(spec: list[tuple[int, str, str]]) -> list[VisitingWindow]:
    return [
        VisitingWindow(weekday=d, start_time=time.fromisoformat(s), end_time=time.fromisoformat(e))
        for d, s, e in spec
    ]


PRISONS = [
    {
        "code": "JVA-MST",
        "name": "JVA Musterstadt (fiktiv)",
        "address": "Beispielweg 1, 40000 Musterstadt",
        "social_service_contact": "Sozialdienst, Tel. 0000 123-0 (fiktiv)",
        "lead_time_days": 3,
        "max_visit_minutes": 90,
        "visitor_requirements": "Personalausweis, Besuchserlaubnis",
        "security_check_required": True,
        "windows": _windows(
            [(0, "09:00", "11:30"), (0, "13:30", "16:00"), (1, "09:00", "11:30"), (2, "09:00", "11:30"),
             (2, "13:30", "16:00"), (3, "09:00", "11:30"), (4, "09:00", "11:00")]
        ),
    },
    {
        "code": "JVA-BSB",
        "name": "JVA Beispielburg (fiktiv)",
        "address": "Am Exempel 7, 44000 Beispielburg",
        "social_service_contact": "Sozialdienst Haus B, Tel. 0000 456-0 (fiktiv)",
        "lead_time_days": 7,
        "max_visit_minutes": 60,
        "visitor_requirements": "Personalausweis; Anmeldung eine Woche vorher",
        "security_check_required": True,
        "windows": _windows([(1, "08:30", "11:30"), (3, "08:30", "11:30"), (3, "13:00", "15:30")]),
    },
    {
        "code": "JVA-NGW",
        "name": "Jugendanstalt Nirgendwo (fiktiv)",
        "address": "Fiktivstraße 3, 48000 Nirgendwo",
        "social_service_contact": "Sozialdienst, Tel. 0000 789-0 (fiktiv)",
        "lead_time_days": 2,
        "max_visit_minutes": 90,
        "visitor_requirements": "Personalausweis",
        "security_check_required": False,
        "windows": _windows([(0, "14:00", "17:00"), (2, "14:00", "17:00"), (4, "14:00", "17:00")]),
    },
]

# code, first name, last name, prison, status, admitted (days ago), release (days from today), lead, co
PARTICIPANTS: list[tuple[str, str, str, str, str, int, int, str, str]] = [
    ("L-2026-001", "Erik", "Beispiel", "JVA-MST", "in_custody", 20, 900, "mentor1", "mentor2"),
    ("L-2026-002", "Jonas", "Muster", "JVA-MST", "in_custody", 400, 180, "mentor1", "mentor2"),
    ("L-2026-003", "Timo", "Platzhalter", "JVA-MST", "in_custody", 700, 21, "mentor1", "mentor3"),
    ("L-2026-004", "Kevin", "Fiktiv", "JVA-BSB", "in_custody", 250, 120, "mentor2", "mentor1"),
    ("L-2026-005", "Dennis", "Erfunden", "JVA-BSB", "in_custody", 60, 540, "mentor2", "mentor3"),
    ("L-2026-006", "Marco", "Probe", "JVA-BSB", "in_custody", 900, 25, "mentor3", "mentor2"),
    ("L-2026-007", "Nico", "Testmann", "JVA-NGW", "in_custody", 10, 400, "mentor3", "mentor1"),
    ("L-2026-008", "Lukas", "Vorlage", "JVA-NGW", "in_custody", 300, 200, "mentor1", "mentor3"),
    ("L-2026-009", "Sven", "Schablone", "JVA-MST", "released", 800, -30, "mentor2", "mentor1"),
    ("L-2026-010", "Paul", "Entwurf", "JVA-NGW", "released", 600, -20, "mentor3", "mentor2"),
    ("L-2026-011", "Felix", "Skizze", "JVA-BSB", "in_custody", 150, 75, "mentor1", "mentor2"),
    ("L-2026-012", "Ben", "Modell", "JVA-MST", "in_custody", 5, 1200, "mentor2", "mentor3"),
]


async def load_demo(*, demo_password_file: Path | None = None) -> DemoResult:
    """Load the demo programme unless its coordinator exists already."""
    if await users_service.find_by_username("coordinator") is not None:
        password = get_settings().demo_password or (
            demo_password_file.read_text().strip() if demo_password_file and demo_password_file.exists() else None
        )
        return DemoResult(created=False, password=password)
    password = get_settings().demo_password or generate_password()
    if not get_settings().demo_password and demo_password_file is not None:
        demo_password_file.parent.mkdir(parents=True, exist_ok=True)
        demo_password_file.write_text(password)
        demo_password_file.chmod(0o600)
    ctx = await _demo_base(password)
    for step in (_demo_release_dates, _demo_plans, _demo_visits, _demo_shares, _demo_intake):
        await step(ctx)
    return DemoResult(created=True, password=password)


def _caller(user: User) -> Caller:
    return Caller(user_id=user.id, username=user.username, role=user.role, prison_id=user.prison_id,
                  client="demo", display_name=user.display_name)


async def _demo_base(password: str) -> DemoContext:
    operator = system("demo")
    today = clock.today()
    coordinator, _ = await users_service.create_user(
        operator, username="coordinator", role=Role.COORDINATOR, display_name="Clara Koordination",
        password=password, email="koordination@example.invalid",
    )
    ctx = DemoContext(today=today, coordinator=_caller(coordinator))
    ctx.users["coordinator"] = coordinator
    for spec in PRISONS:
        prison = await prisons_service.create_prison(ctx.coordinator, dict(spec))
        ctx.prisons[prison.code] = prison.id
    for username, name, phone in (
        ("mentor1", "Mara Mentorin", "0151 0000001"),
        ("mentor2", "Tom Begleiter", "0151 0000002"),
        ("mentor3", "Aylin Ausstieg", "0151 0000003"),
    ):
        user, _ = await users_service.create_user(
            ctx.coordinator, username=username, role=Role.MENTOR, display_name=name, password=password,
            email=f"{username}@example.invalid", phone=phone,
        )
        ctx.users[username] = user
    for username, prison_code, name in (
        ("prison1", "JVA-MST", "Sozialdienst Musterstadt"),
        ("prison2", "JVA-BSB", "Sozialdienst Beispielburg"),
    ):
        user, _ = await users_service.create_user(
            ctx.coordinator, username=username, role=Role.PRISON_STAFF, display_name=name,
            prison_id=ctx.prisons[prison_code], password=password,
        )
        ctx.users[username] = user
    ctx.callers = {name: _caller(user) for name, user in ctx.users.items()}
    for code, first, last, prison_code, status, admitted_ago, release_in, lead, co in PARTICIPANTS:
        participant = await participants_service.create_participant(
            ctx.coordinator,
            {
                "code": code,
                "first_name": first,
                "last_name": last,
                "prison_id": ctx.prisons[prison_code],
                "status": status,
                "admitted_on": today - timedelta(days=admitted_ago),
                "cadence_days": 14,
                "notes": f"Fiktive Fallnotiz für {code}.",
                "lead_id": ctx.users[lead].id,
                "co_id": ctx.users[co].id,
            },
        )
        ctx.participants[code] = participant
        ctx.stage[code] = status
        ctx.release[code] = today + timedelta(days=release_in)
        ctx.admitted[code] = today - timedelta(days=admitted_ago)
    return ctx


# participants whose prison has sent its official sentence calculation (a letter confirming the release day)
DEMO_PRISON_LETTERS = ("L-2026-003", "L-2026-006", "L-2026-011", "L-2026-009")
# items the demo leaves open although they are past due, so that the agenda has something overdue
DEMO_LEFT_OVERDUE = {("L-2026-002", "debts"), ("L-2026-003", "health_insurance"), ("L-2026-006", "bank_account"),
                     ("L-2026-011", "identity"), ("L-2026-004", "sentence_calculation")}


def _demo_term(admitted: date, release: date) -> Term:
    """A term that starts on admission and ends (last day served) on the intended release date."""
    delta = relativedelta(release + timedelta(days=1), admitted)
    term = Term(years=delta.years, months=delta.months, days=delta.days)
    if corresponding_day(admitted, term) != release + timedelta(days=1):
        term = Term(days=(release + timedelta(days=1) - admitted).days)
    return term


def _lead(ctx: DemoContext, code: str) -> Caller:
    lead = next(m for m in ctx.participants[code].mentors if m.role.value == "lead")
    return next(c for c in ctx.callers.values() if c.user_id == lead.mentor_id)


async def _demo_release_dates(ctx: DemoContext) -> None:
    """Sentences and release-date ledgers (release dates and plans)."""
    for code in ctx.participants:
        caller = _lead(ctx, code)
        pid = ctx.participants[code].id
        sentence = Sentence(sentence_start=ctx.admitted[code], term=_demo_term(ctx.admitted[code], ctx.release[code]),
                            land="NW", first_sentence=code not in ("L-2026-006", "L-2026-010"))
        await release_dates_service.set_sentence(caller, pid, sentence, court="LG Musterstadt (fiktiv)",
                                                 note="Demo: fiktives Urteil")
        if code in DEMO_PRISON_LETTERS:
            await release_dates_service.record_entry(
                caller, pid, kind="planned_release", source="prison_letter", day=ctx.release[code],
                note="Schreiben des Sozialdienstes: Entlassung am Vormittag (fiktiv)",
            )


async def _demo_plans(ctx: DemoContext) -> None:
    """Release-preparation plans from the default template (release dates and plans)."""
    berlin = clock.BERLIN
    for code, stage in ctx.stage.items():
        if stage not in ("in_custody", "released"):
            continue
        caller = _lead(ctx, code)
        plan = await plans_service.create_plan(caller, ctx.participants[code].id)
        for item in plan.items:
            due = item.latest_due
            if due is None or (code, item.item_key) in DEMO_LEFT_OVERDUE:
                continue
            if code == "L-2026-005" and item.item_key == "addiction":
                await plans_service.update_item(
                    caller, item.id, {"status": "declined", "status_reason": "kein Bedarf laut Teilnehmer (fiktiv)"},
                    expected_version=item.version,
                )
            elif due < ctx.today - timedelta(days=7):
                try:
                    await plans_service.update_item(caller, item.id, {"status": "done"}, expected_version=item.version)
                except Conflict:
                    continue  # a dependency was left open on purpose: this one stays overdue too
        items = {i.item_key: i for i in plan.items}
        release = ctx.release[code]
        appointments: list[tuple[date, time, int, str, str, str, str]] = []
        if code in ("L-2026-003", "L-2026-006"):
            appointments += [
                (release, time(11, 0), 60, "Jobcenter Musterstadt (fiktiv)", "Hauptstraße 5, Zimmer 112",
                 "Entlassungsschein, Personalausweis, Bürgergeld-Antrag", "benefits"),
                (release + timedelta(days=3), time(9, 30), 30, "Bürgeramt Musterstadt (fiktiv)", "Rathausplatz 1",
                 "Personalausweis, Wohnungsgeberbestätigung", "registration"),
            ]
        if code in ("L-2026-002", "L-2026-011"):
            appointments.append((ctx.today + timedelta(days=9), time(10, 0), 60, "Schuldnerberatung (fiktiv)",
                                 "Beratungsstelle am Markt 3", "Mahnschreiben, Kontoauszüge", "debts"))
        for day, start, minutes, agency, place, bring, key in appointments:
            starts = datetime.combine(day, start, tzinfo=berlin)
            await plans_service.create_appointment(caller, ctx.participants[code].id, {
                "starts_at": starts, "ends_at": starts + timedelta(minutes=minutes), "agency": agency, "place": place,
                "what_to_bring": bring, "plan_item_id": items[key].id if key in items else None,
            })


async def _demo_visits(ctx: DemoContext) -> None:
    """Past and future prison visits (visits), booked through the real rules: each takes the first slot the
    finder proposes, so nothing lies outside a window or collides. The past is replayed on a moved clock."""
    from datetime import UTC, datetime

    from prison_liaison.services import visits as visits_service

    for prison_id in ctx.prisons.values():
        # mentors drive between prisons: half an hour between two visits at different places
        prison = await prisons_service.get_prison(ctx.coordinator, prison_id)
        await prisons_service.update_prison(ctx.coordinator, prison_id, {"travel_buffer_minutes": 30},
                                            expected_version=prison.version)
    for index, (code, participant) in enumerate(ctx.participants.items()):
        lead_id = participant.mentors[0].mentor_id
        lead = ctx.callers[next(u for u, user in ctx.users.items() if user.id == lead_id)]
        mentor_ids = [m.mentor_id for m in participant.mentors]
        if ctx.stage[code] != "in_custody":
            # after release mentors meet the participant anywhere: one meeting next week, 17:00 Berlin
            day = ctx.today + timedelta(days=5 + index)
            start = datetime.combine(day, time(17, 0), tzinfo=clock.BERLIN)
            await visits_service.create_visit(
                lead, participant_id=participant.id, starts_at=start, ends_at=start + timedelta(hours=1),
                mentor_ids=mentor_ids, kind="meeting", location="Beratungsstelle (fiktiv)",
            )
            continue
        for days_ago in (35, 17):
            if (ctx.today - ctx.admitted[code]).days < days_ago:
                continue
            then = datetime.combine(ctx.today - timedelta(days=days_ago + 7), time(7, 0), tzinfo=UTC)
            with _clock_at(then):
                slots = await visits_service.find_slots(
                    lead, participant.id, start=ctx.today - timedelta(days=days_ago),
                    end=ctx.today - timedelta(days=2), minutes=60, limit=1,
                )
                if not slots:
                    continue
                visit = await visits_service.create_visit(
                    lead, participant_id=participant.id, starts_at=slots[0].starts_at,
                    ends_at=slots[0].ends_at, mentor_ids=mentor_ids,
                )
                await visits_service.request_visit(lead, visit.id)
                await visits_service.confirm_visit(lead, visit.id, room="Besuchsraum 1")
            with _clock_at(visit.ends_at + timedelta(hours=1)):
                await visits_service.complete_visit(lead, visit.id, attendance=None)
        for offset, confirm in ((4, True), (18, False)):
            slots = await visits_service.find_slots(
                lead, participant.id, start=ctx.today + timedelta(days=offset),
                end=ctx.today + timedelta(days=offset + 21), minutes=60, limit=1,
            )
            if not slots:
                continue
            visit = await visits_service.create_visit(
                lead, participant_id=participant.id, starts_at=slots[0].starts_at, ends_at=slots[0].ends_at,
                mentor_ids=mentor_ids,
            )
            if confirm:
                await visits_service.request_visit(lead, visit.id)
                await visits_service.confirm_visit(lead, visit.id, room="Besuchsraum 2")


@contextlib.contextmanager
def _clock_at(instant: Any) -> Iterator[None]:
    """Replay the past through the real rules: 'now' stands at ``instant`` inside the block."""
    previous = clock._now  # restore exactly what was there: a test's fixed clock or the system clock
    clock.set_clock(clock.FixedClock(instant))
    try:
        yield
    finally:
        clock.set_clock(previous)


# code, prison, consent given (days ago), the mentor recording the consent, whether it was withdrawn since
DEMO_SHARES: list[tuple[str, str, int, str, bool]] = [
    ("L-2026-002", "JVA-MST", 30, "mentor1", False),
    ("L-2026-003", "JVA-MST", 90, "mentor1", False),
    ("L-2026-004", "JVA-BSB", 45, "mentor2", False),
    ("L-2026-006", "JVA-BSB", 120, "mentor3", False),
    ("L-2026-011", "JVA-BSB", 60, "mentor1", True),  # withdrawn: the revoked share stays as history
]


async def _demo_shares(ctx: DemoContext) -> None:
    """Plans shared with the prisons of prison1 and prison2, with consent (access control and sharing)."""
    from prison_liaison.planning.shares import DEFAULT_SHARED_DOMAINS
    from prison_liaison.services import shares as shares_service

    for code, prison_code, consent_ago, mentor, withdrawn in DEMO_SHARES:
        caller = ctx.callers[mentor]
        share = await shares_service.create_share(
            caller,
            ctx.participants[code].id,
            prison_id=ctx.prisons[prison_code],
            scope=list(DEFAULT_SHARED_DOMAINS),
            consent_date=ctx.today - timedelta(days=consent_ago),
            consent_scope="Schriftliche Einwilligung: Entlassungsvorbereitung mit dem Sozialdienst der JVA "
            "(Wohnen, Ausweis, Einkommen, Gesundheit, Bewährungshilfe, Entlassungstag)",
            expires_on=ctx.release[code] + timedelta(days=90),
        )
        if withdrawn:
            await shares_service.revoke_share(caller, share.id)


# source, organisation, first, last, received (days ago), intake (days ago), consent (days ago), prison,
# mentors, closing stage with reason
DemoReferral = tuple[
    str,
    str,
    str,
    str,
    int,
    int | None,
    int | None,
    str | None,
    tuple[str, str] | None,
    tuple[str, int, str] | None,
]
DEMO_REFERRALS: list[DemoReferral] = [
    (
        "police",
        "Polizeipräsidium Musterstadt, Staatsschutz (fiktiv)",
        "Rico",
        "Anfrage",
        90,
        80,
        75,
        "JVA-NGW",
        ("mentor3", "mentor1"),
        None,
    ),
    (
        "justice",
        "Staatsanwaltschaft Beispielburg (fiktiv)",
        "Leon",
        "Absage",
        60,
        None,
        None,
        None,
        None,
        ("declined", 45, "Kein Ausstiegswille erkennbar; Verweis an Beratungsstelle"),
    ),
    (
        "police",
        "Kriminalpolizei Nirgendwo (fiktiv)",
        "Jan",
        "Zuweisung",
        40,
        25,
        20,
        None,
        ("mentor1", "mentor3"),
        None,
    ),
    (
        "prison",
        "Sozialdienst JVA Beispielburg (fiktiv)",
        "Tim",
        "Kontakt",
        30,
        10,
        None,
        "JVA-BSB",
        None,
        None,
    ),
    ("self", "", "Max", "Selbstmeldung", 12, None, None, None, None, None),
    (
        "other_programme",
        "Ausstiegsprogramm Nachbarland (fiktiv)",
        "Finn",
        "Übergabe",
        5,
        None,
        None,
        None,
        None,
        None,
    ),
]


async def _demo_intake(ctx: DemoContext) -> None:
    """Inquiries and intakes from different referral sources (intake)."""
    coordinator = ctx.coordinator
    for (
        source,
        organisation,
        first,
        last,
        received,
        intake,
        consent,
        prison,
        mentors,
        closing,
    ) in DEMO_REFERRALS:
        participant, _ = await intake_service.create_referral(
            coordinator,
            {
                "source": source,
                "organisation": organisation,
                "contact": "Tel. 0000 000-000 (fiktiv)",
                "received_on": ctx.today - timedelta(days=received),
                "first_name": first,
                "last_name": last,
                "prison_id": ctx.prisons[prison] if prison else None,
            },
        )
        if intake is not None:
            await intake_service.change_stage(
                coordinator,
                participant.id,
                to_stage=ParticipantStatus.INTAKE,
                on_date=ctx.today - timedelta(days=intake),
                reason="Erstgespräch geführt",
                expected_version=None,
            )
        if consent is not None:
            await intake_service.update_referral(
                coordinator,
                participant.id,
                {"consent_date": ctx.today - timedelta(days=consent), "consent_form": "schriftlich v3"},
                expected_version=None,
            )
        if mentors is not None:
            participant = await participants_service.set_mentors(
                coordinator, participant.id, ctx.users[mentors[0]].id, ctx.users[mentors[1]].id
            )
        if closing is not None:
            stage, days_ago, reason = closing
            participant = await intake_service.change_stage(
                coordinator,
                participant.id,
                to_stage=ParticipantStatus(stage),
                on_date=ctx.today - timedelta(days=days_ago),
                reason=reason,
                expected_version=None,
            )
        ctx.participants[participant.code] = participant
        ctx.stage[participant.code] = participant.status.value
