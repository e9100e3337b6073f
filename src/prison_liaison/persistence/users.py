"""Users, API tokens, sessions and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence.common import utc, versioned_update
from prison_liaison.persistence.tables import ApiTokenTable, LoginAttemptTable, UserTable
from prison_liaison.planning.models import Role, User


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        prison_id=row["prison"],
        active=row["active"],
        email=row["email"],
        phone=row["phone"],
        created_at=utc(row["created_at"]),
        last_login_at=utc(row["last_login_at"]),
        version=row["version"],
    )


async def get_user(user_id: UUID) -> User | None:
    row = await UserTable.select().where(UserTable.id == user_id).first()
    return _user(row) if row else None


async def get_user_by_username(username: str) -> tuple[User, str] | None:
    """The user and their password hash."""
    row = await UserTable.select().where(UserTable.username == username).first()
    return (_user(row), row["password_hash"]) if row else None


async def list_users() -> list[User]:
    rows = await UserTable.select().order_by(UserTable.username)
    return [_user(r) for r in rows]


async def users_by_ids(ids: list[UUID]) -> dict[UUID, User]:
    if not ids:
        return {}
    rows = await UserTable.select().where(UserTable.id.is_in(list(ids)))
    return {r["id"]: _user(r) for r in rows}


async def insert_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    prison_id: UUID | None,
    password_hash: str,
    email: str = "",
    phone: str = "",
    now: datetime,
) -> User:
    user_id = uuid4()
    await UserTable.insert(
        UserTable(
            id=user_id,
            username=username,
            display_name=display_name,
            role=role.value,
            prison=prison_id,
            password_hash=password_hash,
            email=email,
            phone=phone,
            active=True,
            password_changed_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    user = await get_user(user_id)
    assert user is not None
    return user


async def username_exists(username: str) -> bool:
    return bool(await UserTable.exists().where(UserTable.username == username))


async def update_user(user_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime) -> int:
    return await versioned_update(UserTable, user_id, values, expected_version=expected_version, now=now)


async def set_last_login(user_id: UUID, now: datetime) -> None:
    await UserTable.update({UserTable.last_login_at: now}).where(UserTable.id == user_id)


# --- tokens -------------------------------------------------------------------------------------------


async def insert_token(
    *,
    user_id: UUID,
    token_hash: str,
    kind: str,
    name: str,
    expires_at: datetime,
    csrf_token: str = "",
    client: str = "",
    now: datetime,
) -> UUID:
    token_id = uuid4()
    await ApiTokenTable.insert(
        ApiTokenTable(
            id=token_id,
            user=user_id,
            token_hash=token_hash,
            kind=kind,
            name=name,
            expires_at=expires_at,
            csrf_token=csrf_token,
            client=client[:100],
            created_at=now,
            updated_at=now,
        )
    )
    return token_id


# Every authenticated request runs this lookup. Built with Piccolo's query builder it cost more CPU than the
# database did (foreign-key column copies for ``user.all_columns()``); written out once, it is one plain query.
_CALLER_BY_DIGEST_SQL = (
    'SELECT t."id", t."kind", t."csrf_token", t."expires_at", t."last_used_at", '
    'u."id" AS "u_id", u."username", u."display_name", u."role", u."prison", u."active", u."email", u."phone", '
    'u."created_at", u."last_login_at", u."version" '
    'FROM "api_token" t JOIN "app_user" u ON u."id" = t."user" '
    'WHERE t."token_hash" = {} AND t."revoked_at" IS NULL AND t."expires_at" > {} AND u."active" = {}'
)


async def find_active_token(token_hash: str, now: datetime) -> dict[str, Any] | None:
    """The token row joined with its user, if the token is unexpired, unrevoked and the user active."""
    rows = await ApiTokenTable.raw(_CALLER_BY_DIGEST_SQL, token_hash, now, True)
    if not rows:
        return None
    row = rows[0]
    user = _user({**row, "id": row["u_id"]})
    return {
        "id": row["id"],
        "kind": row["kind"],
        "csrf_token": row["csrf_token"],
        "expires_at": utc(row["expires_at"]),
        "last_used_at": utc(row["last_used_at"]),
        "user": user,
    }


async def touch_token(token_id: UUID, now: datetime) -> None:
    await ApiTokenTable.update({ApiTokenTable.last_used_at: now}).where(ApiTokenTable.id == token_id)


async def list_tokens(user_id: UUID) -> list[dict[str, Any]]:
    return list(
        await ApiTokenTable.select(
            ApiTokenTable.id,
            ApiTokenTable.kind,
            ApiTokenTable.name,
            ApiTokenTable.created_at,
            ApiTokenTable.expires_at,
            ApiTokenTable.last_used_at,
            ApiTokenTable.revoked_at,
        )
        .where(ApiTokenTable.user == user_id)
        .order_by(ApiTokenTable.created_at, ascending=False)
    )


async def revoke_token(token_id: UUID, user_id: UUID | None, now: datetime) -> bool:
    where = (ApiTokenTable.id == token_id) & ApiTokenTable.revoked_at.is_null()
    if user_id is not None:
        where = where & (ApiTokenTable.user == user_id)
    rows = await ApiTokenTable.update({ApiTokenTable.revoked_at: now}).where(where).returning(ApiTokenTable.id)
    return bool(rows)


async def revoke_token_by_hash(token_hash: str, now: datetime) -> None:
    await ApiTokenTable.update({ApiTokenTable.revoked_at: now}).where(
        (ApiTokenTable.token_hash == token_hash) & ApiTokenTable.revoked_at.is_null()
    )


async def revoke_all_tokens(user_id: UUID, now: datetime) -> None:
    await ApiTokenTable.update({ApiTokenTable.revoked_at: now}).where(
        (ApiTokenTable.user == user_id) & ApiTokenTable.revoked_at.is_null()
    )


# --- login throttling ---------------------------------------------------------------------------------


async def record_login_attempt(*, username: str, client: str, success: bool, now: datetime) -> None:
    await LoginAttemptTable.insert(
        LoginAttemptTable(id=uuid4(), username=username[:80], client=client[:100], success=success, at=now)
    )


async def recent_failures(
    *, username: str, client: str, since: datetime
) -> tuple[list[datetime], list[datetime]]:
    """When the account and the client address failed to log in since ``since``, oldest first."""
    rows = await LoginAttemptTable.select(
        LoginAttemptTable.username, LoginAttemptTable.client, LoginAttemptTable.at
    ).where(
        ((LoginAttemptTable.username == username) | (LoginAttemptTable.client == client))
        & (LoginAttemptTable.success == False)  # noqa: E712
        & (LoginAttemptTable.at > since)
    ).order_by(LoginAttemptTable.at)
    by_user = [utc(r["at"]) for r in rows if r["username"] == username]
    by_client = [utc(r["at"]) for r in rows if r["client"] == client]
    return by_user, by_client  # type: ignore[return-value]


async def clear_failures(username: str, since: datetime) -> None:
    await LoginAttemptTable.delete().where(
        (LoginAttemptTable.username == username) & (LoginAttemptTable.success == False)  # noqa: E712
        & (LoginAttemptTable.at > since)
    )
