"""Dependencies shared by controllers: the caller, If-Match parsing, pagination limits."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.di import Provide

from prison_liaison.api.middleware import client_address
from prison_liaison.planning.errors import PreconditionRequired, StaleVersion, Unauthorized
from prison_liaison.services.context import Caller, anonymous

_ETAG_RE = re.compile(r'^(?:W/)?"v(\d+)"$')


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    user = request.scope.get("user")
    if isinstance(user, Caller):
        return user
    raise Unauthorized("authentication required")


def provide_anonymous(request: Request[Any, Any, Any]) -> Caller:
    """For public endpoints (login): who is asking, without an account."""
    return anonymous(client_address(request.scope), request.scope.get("state", {}).get("request_id", ""))


def etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(value: str | None) -> int:
    """Writes need the version the client last saw: 428 without it, 412 if it does not parse or match."""
    if not value:
        raise PreconditionRequired(
            "send If-Match with the ETag of the version you are changing", field="If-Match"
        )
    match = _ETAG_RE.match(value.strip())
    if not match:
        raise StaleVersion("If-Match does not name a version of this record", field="If-Match")
    return int(match.group(1))


DEPENDENCIES = {
    "caller": Provide(provide_caller, sync_to_thread=False),
    "anon": Provide(provide_anonymous, sync_to_thread=False),
}
