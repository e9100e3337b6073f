"""Calendar subscriptions and the read queries behind a feed: one query per kind of event, one version query.

The version query is what makes an unchanged feed cheap: a single statement of scalar sub-selects (the token's
credentials, summaries of the prisons and cases, the newest trigger-written ``feed_change`` among the feed's
keys) decides a 304 without loading any event.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from prison_liaison.persistence import db
from prison_liaison.persistence.common import utc
from prison_liaison.persistence.participants import scope_condition
from prison_liaison.persistence.tables import (
    AppointmentTable,
    CalendarSubscriptionTable,
    ParticipantTable,
    PlanItemTable,
    PrisonTable,
    VisitAttendeeTable,
    VisitTable,
    VisitTransitionTable,
)
from prison_liaison.planning.feeds import (
    OPEN_PLAN_STATUSES,
    PRISON_VISIBLE_STATUSES,
    CalendarSubscription,
    FeedAppointment,
    FeedContent,
    FeedDeadline,
    FeedRecords,
    FeedReleaseDay,
    FeedScope,
    FeedSelection,
    FeedVisit,
    initials_of,
)
from prison_liaison.planning.models import CLOSED_STATUSES, Role, User

CLOSED = [s.value for s in CLOSED_STATUSES]
TOUCH_INTERVAL = timedelta(minutes=1)


# --- subscriptions ------------------------------------------------------------------------------------------


def _subscription(row: dict[str, Any]) -> CalendarSubscription:
    return CalendarSubscription(
        id=row["id"],
        user_id=row["user"],
        scope=FeedScope(row["scope"]),
        content=FeedContent(row["content"]),
        participant_id=row["participant"],
        prison_id=row["prison"],
        name=row["name"],
        created_at=_at(row["created_at"]),
        updated_at=_at(row["updated_at"]),
        last_used_at=utc(row["last_used_at"]),
        revoked_at=utc(row["revoked_at"]),
        version=row["version"],
    )


_SUBSCRIPTION_COLUMNS = (
    CalendarSubscriptionTable.id,
    CalendarSubscriptionTable.user,
    CalendarSubscriptionTable.scope,
    CalendarSubscriptionTable.content,
    CalendarSubscriptionTable.participant,
    CalendarSubscriptionTable.prison,
    CalendarSubscriptionTable.name,
    CalendarSubscriptionTable.created_at,
    CalendarSubscriptionTable.updated_at,
    CalendarSubscriptionTable.last_used_at,
    CalendarSubscriptionTable.revoked_at,
    CalendarSubscriptionTable.version,
)


async def insert_subscription(
    *,
    user_id: UUID,
    scope: FeedScope,
    content: FeedContent,
    participant_id: UUID | None,
    prison_id: UUID | None,
    name: str,
    token_hash: str,
    now: datetime,
) -> CalendarSubscription:
    subscription_id = uuid4()
    await CalendarSubscriptionTable.insert(
        CalendarSubscriptionTable(
            id=subscription_id,
            user=user_id,
            scope=scope.value,
            content=content.value,
            participant=participant_id,
            prison=prison_id,
            name=name,
            token_hash=token_hash,
            created_at=now,
            updated_at=now,
        )
    )
    found = await get_subscription(subscription_id, user_id)
    assert found is not None
    return found


async def get_subscription(subscription_id: UUID, user_id: UUID) -> CalendarSubscription | None:
    """The caller's own, unrevoked subscription."""
    row = (
        await CalendarSubscriptionTable.select(*_SUBSCRIPTION_COLUMNS)
        .where(
            (CalendarSubscriptionTable.id == subscription_id)
            & (CalendarSubscriptionTable.user == user_id)
            & CalendarSubscriptionTable.revoked_at.is_null()
        )
        .first()
    )
    return _subscription(row) if row else None


async def list_subscriptions(user_id: UUID) -> list[CalendarSubscription]:
    rows = (
        await CalendarSubscriptionTable.select(*_SUBSCRIPTION_COLUMNS)
        .where((CalendarSubscriptionTable.user == user_id) & CalendarSubscriptionTable.revoked_at.is_null())
        .order_by(CalendarSubscriptionTable.created_at, CalendarSubscriptionTable.id)
    )
    return [_subscription(r) for r in rows]


async def revoke_subscription(subscription_id: UUID, user_id: UUID, now: datetime) -> bool:
    rows = (
        await CalendarSubscriptionTable.update(
            {
                CalendarSubscriptionTable.revoked_at: now,
                CalendarSubscriptionTable.updated_at: now,
                CalendarSubscriptionTable.version: CalendarSubscriptionTable.version + 1,
            }
        )
        .where(
            (CalendarSubscriptionTable.id == subscription_id)
            & (CalendarSubscriptionTable.user == user_id)
            & CalendarSubscriptionTable.revoked_at.is_null()
        )
        .returning(CalendarSubscriptionTable.id)
    )
    return bool(rows)


async def find_by_token(token_hash: str) -> tuple[CalendarSubscription, User] | None:
    """The unrevoked subscription with this token and its owner, if the owner's account is active."""
    row = (
        await CalendarSubscriptionTable.select(
            *_SUBSCRIPTION_COLUMNS,
            CalendarSubscriptionTable.user.username.as_alias("u_username"),
            CalendarSubscriptionTable.user.role.as_alias("u_role"),
            CalendarSubscriptionTable.user.prison.as_alias("u_prison"),
        )
        .where(
            (CalendarSubscriptionTable.token_hash == token_hash)
            & CalendarSubscriptionTable.revoked_at.is_null()
            & (CalendarSubscriptionTable.user.active == True)  # noqa: E712 — Piccolo needs the comparison
        )
        .first()
    )
    if row is None:
        return None
    owner = User(
        id=row["user"],
        username=row["u_username"],
        display_name="",
        role=Role(row["u_role"]),
        prison_id=row["u_prison"],
        active=True,
    )
    return _subscription(row), owner


async def touch_subscription(subscription_id: UUID, now: datetime) -> None:
    """Record the last use, at most once a minute (a feed polled by many devices is not a write storm)."""
    await CalendarSubscriptionTable.update({CalendarSubscriptionTable.last_used_at: now}).where(
        (CalendarSubscriptionTable.id == subscription_id)
        & (
            CalendarSubscriptionTable.last_used_at.is_null()
            | (CalendarSubscriptionTable.last_used_at < now - TOUCH_INTERVAL)
        )
    )


async def prison_name(prison_id: UUID) -> str | None:
    row = await PrisonTable.select(PrisonTable.name).where(PrisonTable.id == prison_id).first()
    return row["name"] if row else None


async def participant_code(participant_id: UUID) -> str | None:
    row = (
        await ParticipantTable.select(ParticipantTable.code)
        .where(ParticipantTable.id == participant_id)
        .first()
    )
    return row["code"] if row else None


# --- what a feed shows -------------------------------------------------------------------------------------


def _all(conditions: list[Any]) -> Any:
    where = conditions[0]
    for condition in conditions[1:]:
        where = where & condition
    return where


def _participant_conditions(sel: FeedSelection, column: Any) -> list[Any]:
    """The participant side of every kind: visible to the owner now, not archived, the one of the feed."""
    conditions = []
    scope = scope_condition(sel.participant_scope, column)
    if scope is not None:
        conditions.append(scope)
    if sel.participant_id is not None:
        conditions.append(column == sel.participant_id)
    return conditions


def _visit_where(sel: FeedSelection) -> Any:
    conditions = [
        VisitTable.starts_at >= sel.starts_from,
        VisitTable.starts_at < sel.starts_before,
        VisitTable.participant.archived_at.is_null(),
        # a cancelled visit stays (marked) until its day has passed, then drops out
        (VisitTable.status != "cancelled") | (VisitTable.starts_at >= sel.today_starts),
    ]
    if sel.prison_id is not None:
        # the prison's visitor list: confirmed visits, and the cancellation of a visit it had confirmed
        conditions.append(VisitTable.prison == sel.prison_id)
        conditions.append(
            VisitTable.status.is_in(list(PRISON_VISIBLE_STATUSES))
            | (
                (VisitTable.status == "cancelled")
                & VisitTable.id.is_in(
                    VisitTransitionTable.select(VisitTransitionTable.visit).where(
                        (VisitTransitionTable.from_status == "confirmed")
                        & (VisitTransitionTable.to_status == "cancelled")
                    )
                )
            )
        )
    else:
        conditions += _participant_conditions(sel, VisitTable.participant)
    if sel.attendee_id is not None:
        conditions.append(
            VisitTable.id.is_in(
                VisitAttendeeTable.select(VisitAttendeeTable.visit).where(
                    VisitAttendeeTable.user == sel.attendee_id
                )
            )
        )
    return _all(conditions)


def _appointment_where(sel: FeedSelection) -> Any:
    return _all(
        [
            AppointmentTable.starts_at >= sel.starts_from,
            AppointmentTable.starts_at < sel.starts_before,
            AppointmentTable.participant.archived_at.is_null(),
            (AppointmentTable.status != "cancelled") | (AppointmentTable.starts_at >= sel.today_starts),
            *_participant_conditions(sel, AppointmentTable.participant),
        ]
    )


def _release_day_where(sel: FeedSelection) -> Any:
    return _all(
        [
            ParticipantTable.planning_date.is_not_null(),
            ParticipantTable.planning_date >= sel.date_from,
            ParticipantTable.planning_date < sel.date_to,
            ParticipantTable.archived_at.is_null(),
            ParticipantTable.status.not_in(CLOSED),
            *_participant_conditions(sel, ParticipantTable.id),
        ]
    )


def _deadline_where(sel: FeedSelection) -> Any:
    return _all(
        [
            PlanItemTable.latest_due.is_not_null(),
            PlanItemTable.latest_due >= sel.date_from,
            PlanItemTable.latest_due < sel.date_to,
            PlanItemTable.status.is_in(list(OPEN_PLAN_STATUSES)),
            PlanItemTable.participant.archived_at.is_null(),
            PlanItemTable.participant.status.not_in(CLOSED),
            *_participant_conditions(sel, PlanItemTable.participant),
        ]
    )


def _participants_where(sel: FeedSelection) -> Any | None:
    conditions = _participant_conditions(sel, ParticipantTable.id) if sel.prison_id is None else []
    return _all(conditions) if conditions else None


def _at(value: Any) -> datetime:
    """A NOT NULL timestamp column, in UTC."""
    instant = utc(value)
    assert instant is not None
    return instant


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def load_records(sel: FeedSelection) -> FeedRecords:
    """Every event row of the feed: one query per kind (plus one for the visits' status-change counts)."""
    visits: list[FeedVisit] = []
    appointments: list[FeedAppointment] = []
    release_days: list[FeedReleaseDay] = []
    deadlines: list[FeedDeadline] = []
    if sel.visits:
        rows = await VisitTable.select(
            VisitTable.id,
            VisitTable.starts_at,
            VisitTable.ends_at,
            VisitTable.kind,
            VisitTable.status,
            VisitTable.revision,
            VisitTable.updated_at,
            VisitTable.participant.code.as_alias("code"),
            VisitTable.participant.first_name.as_alias("first_name"),
            VisitTable.participant.last_name.as_alias("last_name"),
            VisitTable.prison.name.as_alias("prison_name"),
        ).where(_visit_where(sel))
        status_changes = await _status_changes(sel) if rows else {}
        visits = [
            FeedVisit(
                id=r["id"],
                participant_code=r["code"],
                initials=initials_of(r["first_name"], r["last_name"]),
                prison_name=r["prison_name"] or "",
                starts_at=_at(r["starts_at"]),
                ends_at=_at(r["ends_at"]),
                kind=r["kind"],
                status=r["status"],
                # SEQUENCE: the revision counts moves and edits, the status changes count the lifecycle;
                # both only grow: the sum never decreases and rises on every change of time, place or status
                sequence=r["revision"] + status_changes.get(r["id"], 0),
                updated_at=_at(r["updated_at"]),
            )
            for r in rows
        ]
    if sel.appointments:
        rows = await AppointmentTable.select(
            AppointmentTable.id,
            AppointmentTable.starts_at,
            AppointmentTable.ends_at,
            AppointmentTable.agency,
            AppointmentTable.status,
            AppointmentTable.sequence,
            AppointmentTable.updated_at,
            AppointmentTable.participant.code.as_alias("code"),
            AppointmentTable.participant.first_name.as_alias("first_name"),
            AppointmentTable.participant.last_name.as_alias("last_name"),
        ).where(_appointment_where(sel))
        appointments = [
            FeedAppointment(
                id=r["id"],
                participant_code=r["code"],
                initials=initials_of(r["first_name"], r["last_name"]),
                agency=r["agency"],
                starts_at=_at(r["starts_at"]),
                ends_at=_at(r["ends_at"]),
                status=r["status"],
                sequence=r["sequence"],
                updated_at=_at(r["updated_at"]),
            )
            for r in rows
        ]
    if sel.release_days:
        rows = await ParticipantTable.select(
            ParticipantTable.id,
            ParticipantTable.code,
            ParticipantTable.first_name,
            ParticipantTable.last_name,
            ParticipantTable.planning_date,
            ParticipantTable.version,
            ParticipantTable.updated_at,
        ).where(_release_day_where(sel))
        release_days = [
            FeedReleaseDay(
                participant_id=r["id"],
                participant_code=r["code"],
                initials=initials_of(r["first_name"], r["last_name"]),
                day=_as_date(r["planning_date"]),
                # the participant's version counts every change of the record, the planning date included
                sequence=r["version"] - 1,
                updated_at=_at(r["updated_at"]),
            )
            for r in rows
        ]
    if sel.deadlines:
        rows = await PlanItemTable.select(
            PlanItemTable.id,
            PlanItemTable.title_de,
            PlanItemTable.domain,
            PlanItemTable.latest_due,
            PlanItemTable.version,
            PlanItemTable.updated_at,
            PlanItemTable.participant.code.as_alias("code"),
            PlanItemTable.participant.first_name.as_alias("first_name"),
            PlanItemTable.participant.last_name.as_alias("last_name"),
        ).where(_deadline_where(sel))
        deadlines = [
            FeedDeadline(
                id=r["id"],
                participant_code=r["code"],
                initials=initials_of(r["first_name"], r["last_name"]),
                title=r["title_de"],
                domain=r["domain"],
                day=_as_date(r["latest_due"]),
                sequence=r["version"] - 1,
                updated_at=_at(r["updated_at"]),
            )
            for r in rows
        ]
    return FeedRecords(
        visits=tuple(visits),
        appointments=tuple(appointments),
        release_days=tuple(release_days),
        deadlines=tuple(deadlines),
    )


async def _status_changes(sel: FeedSelection) -> dict[UUID, int]:
    """Lifecycle changes per visit of the feed, selected by the feed's own condition: a prison's visitor list
    can hold more visits than SQLite takes parameters, so the ids are never passed as a list."""
    rows = (
        await VisitTransitionTable.select(VisitTransitionTable.visit, Count(alias="n"))
        .where(
            VisitTransitionTable.visit.is_in(VisitTable.select(VisitTable.id).where(_visit_where(sel)))
            & (VisitTransitionTable.from_status != "")
        )
        .group_by(VisitTransitionTable.visit)
    )
    return {r["visit"]: int(r["n"]) for r in rows}


def _summary(table: Any, where: Any | None) -> QueryString:
    """One scalar sub-select: newest ``updated_at``, row count and sum of ``version`` as "max|count|sum".

    Every versioned write bumps ``version``, so the sum catches two changes within one clock tick; the count
    catches rows leaving the feed (a visit moved out of the window, a case taken away).
    """
    column = QueryString(
        "COALESCE(CAST(MAX({}) AS TEXT), '-') || '|' || CAST(COUNT(*) AS TEXT) || '|' || "
        "COALESCE(CAST(SUM({}) AS TEXT), '0')",
        table.updated_at,
        table.version,
        alias="summary",
    )
    query = table.select(column)
    if where is not None:
        query = query.where(where)
    return query.querystrings[0]


def _credentials(token_hash: str) -> QueryString:
    """The token's subscription and owner as they stand: NULL once revoked or the owner is deactivated.

    Any change of the subscription or of the owner's account (role, prison, activation: all bump ``version``)
    changes the value, so a caller that remembered them knows when to look the token up again.
    """
    return QueryString(
        'SELECT CAST(s."version" AS TEXT) || \'|\' || CAST(u."version" AS TEXT) || \'|\' || u."role" '
        "|| '|' || "
        'COALESCE(CAST(u."prison" AS TEXT), \'-\') FROM "calendar_subscription" s '
        'JOIN "app_user" u ON u."id" = s."user" '
        'WHERE s."token_hash" = {} AND s."revoked_at" IS NULL AND u."active" = {}',
        token_hash,
        True,
    )


def _changes(sel: FeedSelection) -> QueryString:
    """The newest ``feed_change`` id among the feed's keys (written by triggers, see the migration of
    2026-11-24T20:33): one index probe per key, however many events the feed holds."""
    if sel.prison_id is not None:
        return QueryString('SELECT MAX(f."id") FROM "feed_change" f WHERE f."key" = {}', sel.prison_id)
    where = _participants_where(sel)
    if where is None:  # every participant's events: any change at all
        return QueryString('SELECT MAX(f."id") FROM "feed_change" f')
    keys = ParticipantTable.select(ParticipantTable.id.as_alias("k")).where(where).querystrings[0]
    if sel.attendee_id is not None:  # the mentor's own key: their assignments began or ended
        keys = QueryString("{} UNION ALL SELECT {}", keys, sel.attendee_id)
    return QueryString(
        'SELECT MAX(x."m") FROM (SELECT (SELECT MAX(f."id") FROM "feed_change" f WHERE f."key" = s."k") AS m '
        "FROM ({}) AS s) AS x",
        keys,
    )


def _version_query(sel: FeedSelection, token_hash: str) -> tuple[list[str], QueryString]:
    parts: list[tuple[str, QueryString]] = [
        ("credentials", _credentials(token_hash)),
        # event locations are prison names: a renamed prison changes the feed
        ("prisons", _summary(PrisonTable, None)),
    ]
    if sel.prison_id is None:
        # codes, initials, planning dates and who may see which case (a prison's visitor list has the
        # participant rows in its changes: the trigger on participant keys the prisons it visits)
        parts.append(("participants", _summary(ParticipantTable, _participants_where(sel))))
    parts.append(("changes", _changes(sel)))
    template = "SELECT " + ", ".join(f"({{}}) AS {name}" for name, _ in parts)
    querystring = QueryString(template, *(q for _, q in parts))
    # compiled once per token and selection (which changes daily): building the SQL costs more than running
    # it, and this is the query every conditional request makes
    querystring.freeze(engine_type=db.engine().engine_type)
    return [name for name, _ in parts], querystring


_SUMMARIES = frozenset({"prisons", "participants"})
_compiled: OrderedDict[tuple[str, FeedSelection], tuple[list[str], QueryString]] = OrderedDict()
_COMPILED_ENTRIES = 1024


async def feed_version(
    sel: FeedSelection, token_hash: str
) -> tuple[str | None, tuple[str, ...], datetime | None]:
    """One statement: the token's credentials, summaries of the prisons and the cases, and the newest change
    among the feed's keys.

    Returns the credentials (None if the token no longer opens a feed), the values (for the ETag) and the
    newest ``updated_at`` among the summaries (a lower bound for Last-Modified).
    """
    key = (token_hash, sel)
    found = _compiled.get(key)
    if found is None:
        found = _version_query(sel, token_hash)
        _compiled[key] = found
        while len(_compiled) > _COMPILED_ENTRIES:
            _compiled.popitem(last=False)
    names, querystring = found
    rows = await db.engine().run_querystring(querystring)
    row = rows[0] if rows else {}
    credentials = row.get("credentials")
    values = tuple(str(row.get(name)) for name in names[1:])
    # only the summaries start with a timestamp ("max|count|sum"); credentials and changes do not
    instants = [_instant(str(row.get(name)).split("|", 1)[0]) for name in names if name in _SUMMARIES]
    newest = max((i for i in instants if i is not None), default=None)
    return (str(credentials) if credentials is not None else None), values, newest


def _instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
