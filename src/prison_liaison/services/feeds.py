"""Calendar subscriptions and feeds: create, list, revoke; serve a feed by its secret token.

A feed URL is a bearer secret (256 random bits, stored only as SHA-256). Access is decided at fetch time from
the owner's current role and assignments, so a mentor taken off a case stops seeing it at the next refresh,
and a deactivated account's feeds answer 404 like revoked ones. Every fetch is audited.

Unchanged feeds are cheap: one version query decides the ETag, or none at all while the change watch (a
notification on PostgreSQL, a trigger-kept counter on SQLite) vouches that nothing it reads has changed since
the token's last fetch; a matching ``If-None-Match`` answers 304 without loading an event, and an unchanged
feed is served from the bytes cached under its version.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import date, datetime
from urllib.parse import quote
from uuid import UUID

import anyio
import msgspec

from prison_liaison import clock
from prison_liaison.persistence import changes, db
from prison_liaison.persistence import feeds as feeds_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.planning.errors import NotFound, ValidationFailed
from prison_liaison.planning.feeds import (
    CalendarSubscription,
    FeedContent,
    FeedRecords,
    FeedScope,
    FeedSelection,
    calendar_name,
    events_of,
    kinds_for,
    window,
)
from prison_liaison.planning.models import ParticipantScope, Role, User
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import new_token, token_digest
from prison_liaison.settings import get_settings

# Bump when the rendering changes, so that cached bytes and clients' ETags from an older build are not reused.
FEED_FORMAT = 1
CACHE_ENTRIES = 256
MAX_TOKEN_LENGTH = 100


class SubscriptionLinks(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    webcal_url: str
    google_url: str


class FeedAnswer(msgspec.Struct, frozen=True, kw_only=True):
    etag: str
    last_modified: datetime | None
    body: bytes | None  # None: the client's copy is current (304)

    @property
    def not_modified(self) -> bool:
        return self.body is None


# --- links ------------------------------------------------------------------------------------------------


def links(token: str) -> SubscriptionLinks:
    url = f"{get_settings().public_base_url}/feeds/{token}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    return SubscriptionLinks(
        url=url,
        webcal_url=webcal,
        # Google's "add by URL" (it fetches server-side, so the feed must be reachable from the internet)
        google_url="https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    )


# --- subscriptions ------------------------------------------------------------------------------------------


async def create_subscription(
    caller: Caller,
    *,
    scope: FeedScope,
    content: FeedContent = FeedContent.ALL,
    participant_id: UUID | None = None,
    prison_id: UUID | None = None,
    name: str = "",
) -> tuple[CalendarSubscription, str]:
    """A new feed for the caller; the token is returned once and stored only as its hash."""
    access.require_user(caller)
    assert caller.user_id is not None
    participant_for_audit: UUID | None = None
    if scope == FeedScope.MENTOR:
        if caller.role != Role.MENTOR:
            raise ValidationFailed("mentor feeds are for mentors", code="scope_not_allowed", field="scope")
        _must_be_absent(participant_id=participant_id, prison_id=prison_id)
    elif scope == FeedScope.PARTICIPANT:
        if caller.role not in (Role.MENTOR, Role.COORDINATOR):
            raise ValidationFailed(
                "participant feeds are for mentors and coordinators", code="scope_not_allowed", field="scope"
            )
        _must_be_absent(prison_id=prison_id)
        if participant_id is None:
            raise ValidationFailed(
                "a participant feed needs participant_id", code="required", field="participant_id"
            )
        await access.load_participant(caller, participant_id)  # 404 unless the caller may see it
        participant_for_audit = participant_id
    else:
        if caller.role == Role.PRISON_STAFF:
            prison_id = prison_id or caller.prison_id
            if prison_id != caller.prison_id:
                raise NotFound("prison not found")
        elif caller.role != Role.COORDINATOR:
            raise ValidationFailed(
                "prison feeds are for prison staff and coordinators", code="scope_not_allowed", field="scope"
            )
        _must_be_absent(participant_id=participant_id)
        if prison_id is None:
            raise ValidationFailed("a prison feed needs prison_id", code="required", field="prison_id")
        if await prisons_repo.get_prison(prison_id) is None:
            raise NotFound("prison not found")
        if content == FeedContent.DEADLINES:
            raise ValidationFailed(
                "a prison feed lists visits only", code="content_not_allowed", field="content"
            )
    token = new_token()
    async with db.transaction():
        subscription = await feeds_repo.insert_subscription(
            user_id=caller.user_id,
            scope=scope,
            content=content,
            participant_id=participant_id,
            prison_id=prison_id,
            name=name.strip(),
            token_hash=token_digest(token),
            now=clock.now(),
        )
        await audit.record(
            caller,
            "calendar_subscription.created",
            subject_type="calendar_subscription",
            subject_id=subscription.id,
            participant_id=participant_for_audit,
            scope=scope.value,
            content=content.value,
            prison_id=prison_id,
        )
    return subscription, token


def _must_be_absent(**values: UUID | None) -> None:
    for field, value in values.items():
        if value is not None:
            raise ValidationFailed(f"{field} does not belong to this scope", code="not_allowed", field=field)


async def list_subscriptions(caller: Caller) -> list[CalendarSubscription]:
    """The caller's own active subscriptions (never their tokens: those were shown once)."""
    access.require_user(caller)
    assert caller.user_id is not None
    return await feeds_repo.list_subscriptions(caller.user_id)


async def revoke_subscription(caller: Caller, subscription_id: UUID) -> None:
    """Revoke at once: the URL answers 404 from the next request on. Someone else's subscription is 404."""
    access.require_user(caller)
    assert caller.user_id is not None
    async with db.transaction():
        subscription = await feeds_repo.get_subscription(subscription_id, caller.user_id)
        if subscription is None or not await feeds_repo.revoke_subscription(
            subscription_id, caller.user_id, clock.now()
        ):
            raise NotFound("calendar subscription not found")
        await audit.record(
            caller,
            "calendar_subscription.revoked",
            subject_type="calendar_subscription",
            subject_id=subscription_id,
            participant_id=subscription.participant_id,
            scope=subscription.scope.value,
        )


# --- the feed -----------------------------------------------------------------------------------------------


def selection(subscription: CalendarSubscription, owner: Caller, today: date) -> FeedSelection:
    """What the feed shows now, from the owner's current role and assignments (not those at creation)."""
    date_from, date_to = window(today)
    kinds = kinds_for(subscription.scope, subscription.content)
    nothing = dict.fromkeys(kinds, False)
    scope = access.participant_scope(owner)
    attendee_id = None
    prison_id = None
    if subscription.scope == FeedScope.MENTOR:
        if owner.role != Role.MENTOR:
            kinds = nothing
        attendee_id = owner.user_id
    elif subscription.scope == FeedScope.PARTICIPANT:
        if owner.role not in (Role.MENTOR, Role.COORDINATOR):
            kinds = nothing
    else:
        may_see = owner.role == Role.COORDINATOR or (
            owner.role == Role.PRISON_STAFF and owner.prison_id == subscription.prison_id
        )
        if not may_see:
            kinds = nothing
        # the prison's own visitor list: which cases are shared with it does not matter here
        scope = ParticipantScope(everything=True)
        prison_id = subscription.prison_id
    return FeedSelection(
        **kinds,
        participant_scope=scope,
        attendee_id=attendee_id,
        participant_id=subscription.participant_id,
        prison_id=prison_id,
        date_from=date_from,
        date_to=date_to,
        today=today,
    )


class _Rendered(msgspec.Struct, frozen=True):
    body: bytes
    last_modified: datetime | None


class _FeedCache:
    """Rendered feeds by (subscription, version): an unchanged feed is served from bytes, not re-rendered.
    Each entry keeps the feed's Last-Modified (its newest event) with the bytes."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[UUID, str], _Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[UUID, str]) -> _Rendered | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple[UUID, str], body: _Rendered) -> None:
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


feed_cache = _FeedCache(CACHE_ENTRIES)
_render_limiter: anyio.CapacityLimiter | None = None


def _limiter() -> anyio.CapacityLimiter:
    global _render_limiter  # noqa: PLW0603
    if _render_limiter is None:
        _render_limiter = anyio.CapacityLimiter(2)
    return _render_limiter


def _render(records: FeedRecords, name: str) -> tuple[bytes, datetime | None]:
    """The feed's bytes and its newest event's ``updated_at``."""
    from prison_liaison.exports.ical import render_feed

    events = events_of(records)
    return render_feed(events, name=name), max((e.updated_at for e in events), default=None)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires; ``*`` matches any current feed."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for raw in if_none_match.split(","):
        candidate = raw.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


async def _subject(subscription: CalendarSubscription) -> str:
    if subscription.scope == FeedScope.PARTICIPANT and subscription.participant_id is not None:
        return await feeds_repo.participant_code(subscription.participant_id) or ""
    if subscription.scope == FeedScope.PRISON and subscription.prison_id is not None:
        return await feeds_repo.prison_name(subscription.prison_id) or ""
    return ""


class _KnownToken(msgspec.Struct, kw_only=True):
    """What a token opened at its last fetch; valid while its credentials and the day stay the same.

    With the feed version read at that fetch, and the change watch's epoch then: while the epoch has not
    moved, nothing the version query reads has changed, and the version is still the version."""

    subscription: CalendarSubscription
    user: User
    selection: FeedSelection
    credentials: str
    last_touched: datetime | None
    values: tuple[str, ...] = ()
    newest: datetime | None = None
    epoch: changes.Epoch | None = None


_known_tokens: OrderedDict[str, _KnownToken] = OrderedDict()
KNOWN_TOKENS = 4096


async def _open(token_hash: str, today: date) -> tuple[_KnownToken, tuple[str, ...], datetime | None]:
    """The token's subscription, owner and selection, and the feed's version: none, one or two statements.

    None while the change watch vouches that nothing the version query reads has changed since this token's
    last fetch (see ``persistence.changes``). Otherwise a token seen before is re-checked by the
    version query itself (its credentials are part of it): revoked, deactivated, or a changed role or prison
    makes them differ, and the token is looked up again.
    """
    epoch = changes.watch.epoch()  # before any query: a change during the query moves it
    known = _known_tokens.get(token_hash)
    if known is not None and known.selection.today == today:
        if epoch is not None and known.epoch == epoch:
            _known_tokens.move_to_end(token_hash)
            return known, known.values, known.newest
        credentials, values, newest = await feeds_repo.feed_version(known.selection, token_hash)
        if credentials == known.credentials:
            _known_tokens.move_to_end(token_hash)
            known.values, known.newest = values, newest
            known.epoch = epoch  # as it was before the query: a change during the query has moved it on
            return known, values, newest
    _known_tokens.pop(token_hash, None)
    found = await feeds_repo.find_by_token(token_hash)
    if found is None:
        raise NotFound("no such calendar feed")
    subscription, user = found
    sel = selection(subscription, _caller(user), today)
    credentials, values, newest = await feeds_repo.feed_version(sel, token_hash)
    if credentials is None:  # revoked between the two statements
        raise NotFound("no such calendar feed")
    known = _KnownToken(
        subscription=subscription, user=user, selection=sel, credentials=credentials,
        last_touched=subscription.last_used_at, values=values, newest=newest,
        epoch=epoch,
    )
    _known_tokens[token_hash] = known
    while len(_known_tokens) > KNOWN_TOKENS:
        _known_tokens.popitem(last=False)
    return known, values, newest


def _caller(user: User, client: str = "", request_id: str = "") -> Caller:
    return Caller(
        user_id=user.id, username=user.username, role=user.role, prison_id=user.prison_id, client=client,
        request_id=request_id,
    )


async def fetch_feed(
    token: str,
    *,
    if_none_match: str | None = None,
    client: str = "",
    request_id: str = "",
    user_agent: str = "",
    method: str = "GET",
) -> FeedAnswer:
    """The feed behind a token (404 if unknown, revoked or its owner deactivated); audited on every fetch."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound("no such calendar feed")
    token_hash = token_digest(token)
    today = clock.today()
    known, values, newest = await _open(token_hash, today)
    subscription, sel = known.subscription, known.selection
    owner = _caller(known.user, client, request_id)
    version = repr((FEED_FORMAT, str(subscription.id), today.isoformat(), known.credentials, values))
    etag = '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'
    cached = feed_cache.get((subscription.id, etag))
    body: bytes | None = None
    # a 304 never renders; it carries Last-Modified only when this process has the rendered feed at hand
    last_modified = cached.last_modified if cached is not None else None
    if not etag_matches(if_none_match, etag):
        if cached is None:
            records = await feeds_repo.load_records(sel)
            name = calendar_name(
                subscription.scope,
                subscription.content,
                custom=subscription.name,
                subject=await _subject(subscription),
            )
            rendered, newest_event = await anyio.to_thread.run_sync(_render, records, name, limiter=_limiter())
            last_modified = max((t for t in (newest, newest_event) if t is not None), default=None)
            cached = _Rendered(rendered, last_modified)
            feed_cache.put((subscription.id, etag), cached)
        body = cached.body
    now = clock.now()
    if known.last_touched is None or now - known.last_touched >= feeds_repo.TOUCH_INTERVAL:
        # last use is kept to the minute: a feed polled by several devices writes only its audit row
        await feeds_repo.touch_subscription(subscription.id, now)
        known.last_touched = now
    await audit.record(
        owner, "feed.fetched", subject_type="calendar_subscription", subject_id=subscription.id,
        participant_id=subscription.participant_id, scope=subscription.scope.value, method=method,
        answer="not_modified" if body is None else "full", user_agent=user_agent[:120],
    )
    return FeedAnswer(etag=etag, last_modified=last_modified, body=body)
