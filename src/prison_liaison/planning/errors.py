"""Domain errors with stable codes. Raised in planning/ and services/, translated once at the HTTP edge."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the service reports to a client."""

    code = "domain_error"
    status = 400
    title = "Request cannot be processed"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra


class ValidationFailed(DomainError):
    """The input breaks a rule of the domain (422)."""

    code = "validation_failed"
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    """Does not exist, or the caller may not see it: the two are indistinguishable on purpose (404)."""

    code = "not_found"
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The caller may see the object but not do this to it (403)."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401
    title = "Authentication required"


class Conflict(DomainError):
    """A rule of the domain rejects the change given the current state (409)."""

    code = "conflict"
    status = 409
    title = "Conflict"


class StaleVersion(DomainError):
    """Optimistic concurrency: the client's If-Match does not match the current version (412)."""

    code = "stale_version"
    status = 412
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    code = "precondition_required"
    status = 428
    title = "Precondition required"


class TooManyRequests(DomainError):
    code = "too_many_requests"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after
