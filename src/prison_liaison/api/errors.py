"""The one translator from errors to RFC 9457 problem+json answers."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from prison_liaison.planning.errors import DomainError, TooManyRequests

PROBLEM = "application/problem+json"
TYPE_BASE = "https://prison-liaison.invalid/problems/"
log = logging.getLogger("prison_liaison.errors")

_FIELD_RE = re.compile(r"at `\$\.?([^`]*)`")


def problem(
    status: int, title: str, detail: str, code: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if exc.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="prison-liaison"'}
    extra = {"field": exc.field, **_jsonable(exc.extra)}
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.detail}]
    return problem(exc.status, exc.title, exc.detail, exc.code, headers=headers, **extra)


def _field_of(item: dict[str, Any]) -> str | None:
    key = item.get("key")
    if key:
        return str(key)
    match = _FIELD_RE.search(str(item.get("message", "")))
    return match.group(1) if match and match.group(1) else None


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        field = _field_of(item)
        message = str(item.get("message", "invalid value"))
        # never echo what was sent: keep msgspec's description of the rule, drop any quoted input
        errors.append({"field": field, "source": item.get("source"), "message": message[:300]})
    detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors) or str(exc.detail)[:300]
    if "JSON is malformed" in detail or "Malformed" in detail:
        return problem(400, "Malformed JSON", "the request body is not valid JSON", "malformed_json", errors=errors)
    return problem(400, "Invalid request", detail, "invalid_request", errors=errors)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, NotFoundException) or status == 404:
        return problem(404, "Not found", "no such resource", "not_found")
    if status == 405:
        return problem(405, "Method not allowed", "this method is not allowed here", "method_not_allowed",
                       headers=exc.headers)
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 413: "payload_too_large",
            415: "unsupported_media_type", 429: "too_many_requests"}.get(status, "http_error")
    return problem(status, str(exc.detail) if status < 500 else "Server error", str(exc.detail)[:300], code,
                   headers=exc.headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.exception("unhandled error (request %s)", request_id)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Server error",
        "something went wrong on our side; the request id helps the operators find it",
        "internal_error",
        request_id=request_id,
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}



PROBLEM_STATUSES = {
    400: "Malformed or invalid request",
    401: "Authentication required or token invalid",
    403: "Read-only access or CSRF check failed",
    404: "Not found, or not yours (indistinguishable on purpose)",
    405: "Method not allowed",
    409: "A rule of the domain rejects the change",
    412: "Stale If-Match: the record changed since you read it",
    422: "Input breaks a rule of the domain",
    428: "If-Match required",
    429: "Too many requests (see Retry-After)",
    503: "Database unreachable",
}


def document_problem_responses(route_handlers: list[Any]) -> None:
    """Declare the problem+json answers on every operation, so the OpenAPI document tells clients the truth."""
    from litestar.handlers import HTTPRouteHandler
    from litestar.openapi.datastructures import ResponseSpec

    from prison_liaison.api.schemas import Problem

    for handler in route_handlers:
        if not isinstance(handler, HTTPRouteHandler):
            continue
        existing = dict(handler.responses or {})
        for status, description in PROBLEM_STATUSES.items():
            existing.setdefault(
                status,
                ResponseSpec(data_container=Problem, media_type=PROBLEM, description=description,
                             generate_examples=False),
            )
        handler.responses = existing
