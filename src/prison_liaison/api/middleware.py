"""Request ids, access logs without personal data or secrets, security headers, and authentication."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from prison_liaison.planning.errors import Forbidden, Unauthorized
from prison_liaison.services import auth as auth_service

SESSION_COOKIE = "pl_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

access_log = logging.getLogger("prison_liaison.access")

# Paths whose last segment is a secret (calendar feed tokens): never written to a log.
_SECRET_PATH = re.compile(r"^(/(?:api/v1/)?(?:feeds|calendar)/)[^/]+")

PUBLIC_PATHS = (
    r"^/health$",
    r"^/schema",
    r"^/api/v1/auth/token$",
    r"^/feeds/",
    r"^/static/",
    r"^/favicon.ico$",
    r"^/$",
    r"^/web(/|$)",
)

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger/Redoc pages load their assets from a CDN and use inline scripts; allow that for /schema only.
SCHEMA_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com https://fonts.googleapis.com; "
    "img-src 'self' data: https://cdn.jsdelivr.net; font-src 'self' https://fonts.gstatic.com; "
    "frame-ancestors 'none'"
)


def redact_path(path: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", path)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class RequestContextMiddleware:
    """Outermost: a request id, security headers on every answer, one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope.get("path", "")
        started = time.perf_counter()
        status_holder: dict[str, int] = {}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            access_log.info(
                "%s %s %s %.1fms rid=%s",
                scope.get("method", ""),
                redact_path(path),
                status_holder.get("status", 0),
                (time.perf_counter() - started) * 1000,
                request_id,
            )


async def security_headers(message: Message, scope: Scope) -> None:
    """App-level before_send hook: runs for every answer, routed or not (404, 405 included)."""
    if message["type"] != "http.response.start":
        return
    path = scope.get("path", "")
    headers = list(message.get("headers", []))
    present = {bytes(k).lower() for k, _ in headers}
    request_id = scope.get("state", {}).get("request_id") or secrets.token_hex(8)

    def add(name: bytes, value: str) -> None:
        if name not in present:
            headers.append((name, value.encode("latin-1")))

    add(b"x-request-id", request_id)
    add(b"x-content-type-options", "nosniff")
    add(b"referrer-policy", "no-referrer")
    add(b"x-frame-options", "DENY")
    add(b"cross-origin-opener-policy", "same-origin")
    add(b"permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    add(b"content-security-policy", SCHEMA_CSP if path.startswith("/schema") else PAGE_CSP)
    if not path.startswith(("/static/", "/schema")):
        add(b"cache-control", "no-store")
    message["headers"] = headers


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Bearer tokens for API clients, a session cookie (+ CSRF header on writes) for the web pages."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        request_id = connection.scope.get("state", {}).get("request_id", "")
        client = client_address(connection.scope)
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use 'Authorization: Bearer <token>'", code="token_invalid")
            result = await auth_service.authenticate(token.strip(), client=client, request_id=request_id, kind="api")
            return AuthenticationResult(user=result.caller, auth=result)
        cookie = connection.cookies.get(SESSION_COOKIE)
        if cookie:
            result = await auth_service.authenticate(cookie, client=client, request_id=request_id, kind="session")
            method = connection.scope.get("method", "GET")
            if method in UNSAFE and connection.url.path.startswith("/api/"):
                sent = connection.headers.get(CSRF_HEADER, "")
                if not sent or not secrets.compare_digest(sent, result.csrf_token):
                    raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
            return AuthenticationResult(user=result.caller, auth=result)
        raise Unauthorized("authentication required: send a bearer token", code="token_missing")


def auth_middleware_factory() -> Any:
    from litestar.middleware.base import DefineMiddleware

    return DefineMiddleware(
        TokenAuthenticationMiddleware,
        exclude=list(PUBLIC_PATHS),
        exclude_http_methods=["OPTIONS"],
    )
