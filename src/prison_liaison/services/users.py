"""User management: coordinators create, deactivate and reset users."""

from __future__ import annotations

import re
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.persistence import users as users_repo
from prison_liaison.planning.errors import Conflict, NotFound, ValidationFailed
from prison_liaison.planning.models import Role, User
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import MIN_PASSWORD_LENGTH, generate_password, hash_password

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password: at least {MIN_PASSWORD_LENGTH} characters", field="password")


async def create_user(
    caller: Caller,
    *,
    username: str,
    role: Role,
    display_name: str = "",
    prison_id: UUID | None = None,
    password: str | None = None,
    email: str = "",
    phone: str = "",
) -> tuple[User, str]:
    """Create a user; returns the user and the initial password (generated if not given)."""
    access.require_coordinator_or_operator(caller)
    if not USERNAME_RE.match(username):
        raise ValidationFailed("username: 2–80 lower-case letters, digits, '.', '_' or '-'", field="username")
    if role == Role.PRISON_STAFF and prison_id is None:
        raise ValidationFailed("prison staff need a prison", field="prison_id")
    if role != Role.PRISON_STAFF and prison_id is not None:
        raise ValidationFailed("only prison staff belong to a prison", field="prison_id")
    password = password or generate_password()
    _check_password(password)
    async with db.transaction():
        if prison_id is not None and await prisons_repo.get_prison(prison_id) is None:
            raise ValidationFailed("no such prison", field="prison_id")
        if await users_repo.username_exists(username):
            raise Conflict(f"username {username!r} is taken", code="duplicate_username", field="username")
        user = await users_repo.insert_user(
            username=username,
            display_name=display_name or username,
            role=role,
            prison_id=prison_id,
            password_hash=hash_password(password),
            email=email,
            phone=phone,
            now=clock.now(),
        )
        await audit.record(caller, "user.created", subject_type="user", subject_id=user.id, role=role.value)
    return user, password


async def list_users(caller: Caller) -> list[User]:
    access.require_role(caller, Role.COORDINATOR)
    return await users_repo.list_users()


async def get_user(caller: Caller, user_id: UUID) -> User:
    access.require_user(caller)
    if not caller.is_coordinator and caller.user_id != user_id:
        raise NotFound("user not found")
    user = await users_repo.get_user(user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def set_active(caller: Caller, user_id: UUID, active: bool) -> User:
    """Deactivation revokes every token and session of the user at once."""
    access.require_role(caller, Role.COORDINATOR)
    if user_id == caller.user_id and not active:
        raise Conflict("you cannot deactivate yourself", code="self_deactivation")
    async with db.transaction():
        if await users_repo.get_user(user_id) is None:
            raise NotFound("user not found")
        now = clock.now()
        await users_repo.update_user(user_id, {"active": active}, expected_version=None, now=now)
        if not active:
            await users_repo.revoke_all_tokens(user_id, now)
        await audit.record(
            caller, "user.activated" if active else "user.deactivated", subject_type="user", subject_id=user_id
        )
    return await get_user(caller, user_id)


async def reset_password(caller: Caller, user_id: UUID, password: str | None = None) -> str:
    """Set a new password (generated if not given) and end the user's sessions; returns the password."""
    access.require_coordinator_or_operator(caller)
    password = password or generate_password()
    _check_password(password)
    async with db.transaction():
        if await users_repo.get_user(user_id) is None:
            raise NotFound("user not found")
        now = clock.now()
        await users_repo.update_user(
            user_id, {"password_hash": hash_password(password), "password_changed_at": now},
            expected_version=None, now=now,
        )
        await users_repo.revoke_all_tokens(user_id, now)
        await audit.record(caller, "user.password_reset", subject_type="user", subject_id=user_id)
    return password


async def find_by_username(username: str) -> User | None:
    found = await users_repo.get_user_by_username(username)
    return found[0] if found else None
