"""User management for coordinators."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from prison_liaison.api.schemas import (
    ListOf,
    PasswordReset,
    PasswordResetRead,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)
from prison_liaison.services import users as users_service
from prison_liaison.services.context import Caller


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @get("/", operation_id="listUsers")
    async def list_users(self, caller: NamedDependency[Caller]) -> ListOf[UserRead]:
        """All users (coordinators)."""
        return ListOf(items=[UserRead.from_domain(u) for u in await users_service.list_users(caller)])

    @post("/", operation_id="createUser", status_code=201)
    async def create_user(self, data: JSONBody[UserCreate], caller: NamedDependency[Caller]) -> UserCreated:
        """Create a user; the initial password is shown once."""
        user, password = await users_service.create_user(
            caller, username=data.username, role=data.role, display_name=data.display_name,
            prison_id=data.prison_id, password=data.password, email=data.email, phone=data.phone,
        )
        return UserCreated(user=UserRead.from_domain(user), initial_password=password)

    @get("/{user_id:uuid}", operation_id="getUser")
    async def get_user(self, user_id: FromPath[UUID], caller: NamedDependency[Caller]) -> UserRead:
        """One user (coordinators, or yourself)."""
        return UserRead.from_domain(await users_service.get_user(caller, user_id))

    @patch("/{user_id:uuid}", operation_id="updateUser")
    async def update_user(
        self, user_id: FromPath[UUID], data: JSONBody[UserUpdate], caller: NamedDependency[Caller]
    ) -> UserRead:
        """Activate or deactivate a user; deactivation ends their tokens and sessions at once."""
        if isinstance(data.active, bool):
            return UserRead.from_domain(await users_service.set_active(caller, user_id, data.active))
        return UserRead.from_domain(await users_service.get_user(caller, user_id))

    @post("/{user_id:uuid}/reset-password", operation_id="resetPassword", status_code=200)
    async def reset_password(
        self, user_id: FromPath[UUID], data: JSONBody[PasswordReset], caller: NamedDependency[Caller]
    ) -> PasswordResetRead:
        """Set a new password (generated if none given) and end the user's sessions."""
        return PasswordResetRead(password=await users_service.reset_password(caller, user_id, data.password))
