"""Logging in with username and password; who am I; my tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from prison_liaison.api.middleware import SESSION_COOKIE
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

    @post("/auth/logout", operation_id="logout", status_code=204)
    async def logout(
        self, request: Request[Caller, auth_service.Authenticated, Any], caller: NamedDependency[Caller]
    ) -> Response[None]:
        """Revoke the token (or session) this request was made with; it stops working at once."""
        await auth_service.end_current(caller, request.auth.token_id)
        cookies = (
            [Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="strict", path="/")]
            if request.auth.kind == "session"
            else []
        )
        return Response(None, status_code=204, cookies=cookies)

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
