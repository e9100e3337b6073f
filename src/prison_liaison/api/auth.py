"""Logging in with username and password; who am I; my tokens."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from prison_liaison.api.schemas import ListOf, TokenInfo, TokenRead, TokenRequest, UserRead
from prison_liaison.services import auth as auth_service
from prison_liaison.services import users as users_service
from prison_liaison.services.context import Caller


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/token", operation_id="createToken", status_code=201)
    async def create_token(self, data: JSONBody[TokenRequest], anon: NamedDependency[Caller]) -> TokenRead:
        """Exchange username and password for a bearer token."""
        issued = await auth_service.login(data.username, data.password, caller=anon, kind="api", name=data.name)
        return TokenRead(token=issued.token, expires_at=issued.expires_at)

    @get("/me", operation_id="getMe")
    async def me(self, caller: NamedDependency[Caller]) -> UserRead:
        """The signed-in user with role and prison."""
        assert caller.user_id is not None
        return UserRead.from_domain(await users_service.get_user(caller, caller.user_id))

    @get("/me/tokens", operation_id="listMyTokens")
    async def list_tokens(self, caller: NamedDependency[Caller]) -> ListOf[TokenInfo]:
        """My API tokens and sessions, with last use."""
        rows = await auth_service.list_tokens(caller)
        return ListOf(items=[TokenInfo(**r) for r in rows])  # type: ignore[arg-type]

    @delete("/me/tokens/{token_id:uuid}", operation_id="revokeMyToken", status_code=204)
    async def revoke_token(
        self, token_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> None:
        """Revoke one of my tokens at once."""
        await auth_service.revoke_token(caller, token_id)
