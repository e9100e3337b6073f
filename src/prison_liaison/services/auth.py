"""Logging in, tokens and sessions, and turning a presented token back into a caller."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import users as users_repo
from prison_liaison.planning.errors import NotFound, TooManyRequests, Unauthorized
from prison_liaison.services import audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import new_token, token_digest, verify_password
from prison_liaison.settings import get_settings

PER_CLIENT_FACTOR = 4  # a client address may fail for a few accounts before it is throttled


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    expires_at: datetime
    csrf_token: str = ""
    user_id: UUID | None = None


class Authenticated(msgspec.Struct, frozen=True, kw_only=True):
    caller: Caller
    token_id: UUID
    kind: str
    csrf_token: str


def _free_again(failures: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """When fewer than ``limit`` of the (sorted) failures fall inside the window again; None if already."""
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit] + window


async def _check_throttle(username: str, caller: Caller, now: datetime) -> None:
    """Per account and per client address: too many recent failures → 429 until the oldest expire."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    by_user, by_client = await users_repo.recent_failures(
        username=username, client=caller.client, since=now - window
    )
    limits = (
        _free_again(by_user, settings.login_max_failures, window),
        _free_again(by_client, settings.login_max_failures * PER_CLIENT_FACTOR, window),
    )
    blocked_until = max((t for t in limits if t is not None), default=None)
    if blocked_until is not None:
        await audit.record(
            Caller(user_id=None, username=username[:80], role=None, client=caller.client,
                   request_id=caller.request_id),
            "auth.login_throttled",
            subject_type="user",
        )
        retry = max(1, math.ceil((blocked_until - now).total_seconds()))
        raise TooManyRequests(
            "too many failed logins; wait before trying again", retry_after=retry, code="login_throttled"
        )


async def login(username: str, password: str, *, caller: Caller, kind: str = "api", name: str = "") -> IssuedToken:
    """Check the password (Argon2id), throttle failures per account and per client, issue a token."""
    now = clock.now()
    settings = get_settings()
    await _check_throttle(username, caller, now)
    found = await users_repo.get_user_by_username(username)
    ok = verify_password(found[1] if found else None, password) and found is not None and found[0].active
    if not ok or found is None:
        # committed before answering: the failure must count towards the throttle and stay in the audit log
        async with db.transaction():
            await users_repo.record_login_attempt(
                username=username, client=caller.client, success=False, now=now
            )
            await audit.record(
                Caller(user_id=None, username=username[:80], role=None, client=caller.client,
                       request_id=caller.request_id),
                "auth.login_failed",
                subject_type="user",
                kind=kind,
            )
        raise Unauthorized("unknown user or wrong password", code="invalid_credentials")
    async with db.transaction():
        await users_repo.record_login_attempt(username=username, client=caller.client, success=True, now=now)
        user = found[0]
        ttl = timedelta(hours=settings.session_ttl_hours if kind == "session" else settings.token_ttl_hours)
        token = new_token()
        csrf = new_token() if kind == "session" else ""
        await users_repo.insert_token(
            user_id=user.id,
            token_hash=token_digest(token),
            kind=kind,
            name=name,
            expires_at=now + ttl,
            csrf_token=csrf,
            client=caller.client,
            now=now,
        )
        await users_repo.set_last_login(user.id, now)
        await users_repo.clear_failures(username, now - timedelta(seconds=settings.login_window_seconds))
        who = Caller(user_id=user.id, username=user.username, role=user.role, client=caller.client,
                     request_id=caller.request_id)
        await audit.record(who, "auth.login", subject_type="user", subject_id=user.id, kind=kind)
    return IssuedToken(token=token, expires_at=now + ttl, csrf_token=csrf, user_id=user.id)


async def authenticate(token: str, *, client: str, request_id: str, kind: str | None = None) -> Authenticated:
    """The caller behind a bearer token or session cookie; 401 if unknown, expired, revoked or deactivated."""
    if not token or len(token) > 200:
        raise Unauthorized("a valid token is required", code="token_invalid")
    now = clock.now()
    row = await users_repo.find_active_token(token_digest(token), now)
    if row is None or (kind is not None and row["kind"] != kind):
        raise Unauthorized("the token is unknown, expired or revoked", code="token_invalid")
    user = row["user"]
    last = row["last_used_at"]
    if last is None or now - last > timedelta(minutes=1):
        await users_repo.touch_token(row["id"], now)
    return Authenticated(
        caller=Caller(
            user_id=user.id,
            username=user.username,
            role=user.role,
            prison_id=user.prison_id,
            client=client,
            request_id=request_id,
            display_name=user.display_name,
        ),
        token_id=row["id"],
        kind=row["kind"],
        csrf_token=row["csrf_token"],
    )


async def logout(token: str, caller: Caller) -> None:
    """End the session or token presented (web pages: the session cookie's value)."""
    async with db.transaction():
        await users_repo.revoke_token_by_hash(token_digest(token), clock.now())
        await audit.record(caller, "auth.logout", subject_type="user", subject_id=caller.user_id)


async def end_current(caller: Caller, token_id: UUID) -> None:
    """Log out: revoke the token or session this request was authenticated with, at once."""
    async with db.transaction():
        await users_repo.revoke_token(token_id, caller.user_id, clock.now())
        await audit.record(caller, "auth.logout", subject_type="api_token", subject_id=token_id)


async def list_tokens(caller: Caller) -> list[dict[str, object]]:
    assert caller.user_id is not None
    return await users_repo.list_tokens(caller.user_id)


async def revoke_token(caller: Caller, token_id: UUID) -> None:
    """Owners revoke their own tokens; a token of someone else is 404."""
    async with db.transaction():
        if not await users_repo.revoke_token(token_id, caller.user_id, clock.now()):
            raise NotFound("token not found")
        await audit.record(caller, "auth.token_revoked", subject_type="api_token", subject_id=token_id)
