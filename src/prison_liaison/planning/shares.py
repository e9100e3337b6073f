"""Sharing a participant's plan with a prison: what may be shared, and when a share is active.

A share is the participant's consent (date, scope, who recorded it) that one prison's social service may read
the named plan domains until it expires or is revoked. Deradicalisation is never shared with prison staff.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from prison_liaison.planning.errors import ValidationFailed

# The plan domains (keys of release-preparation.md's table). Plans, prints and feeds use the same keys.
PLAN_DOMAINS: tuple[str, ...] = (
    "release_dates",
    "early_release",
    "leave",
    "housing",
    "protection",
    "identity",
    "finances",
    "income",
    "work_training",
    "health",
    "addiction",
    "probation",
    "deradicalisation",
    "family_social",
    "release_day",
    "after_release",
)
NEVER_SHARED: frozenset[str] = frozenset({"deradicalisation"})
SHAREABLE_DOMAINS: tuple[str, ...] = tuple(d for d in PLAN_DOMAINS if d not in NEVER_SHARED)
# What prison social services usually need (release-preparation.md, "Who sees what").
DEFAULT_SHARED_DOMAINS: tuple[str, ...] = (
    "housing", "identity", "income", "health", "probation", "release_day",
)


class Share(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_id: UUID
    prison_id: UUID
    scope: tuple[str, ...]
    consent_date: date
    consent_scope: str
    consent_recorded_by: UUID | None
    expires_on: date | None = None
    revoked_at: datetime | None = None
    revoked_by: UUID | None = None
    created_at: datetime | None = None
    version: int = 1

    def is_active(self, today: date) -> bool:
        """Not revoked and not expired (a share expiring today still counts today)."""
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)


def check_scope(scope: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Shared domains, de-duplicated, in canonical order; deradicalisation and unknown keys are refused."""
    if not scope:
        raise ValidationFailed("share at least one plan domain", field="scope", code="scope_empty")
    for domain in scope:
        if domain in NEVER_SHARED:
            raise ValidationFailed(
                f"the domain {domain!r} is never shared with prison staff",
                field="scope",
                code="domain_not_shareable",
            )
        if domain not in PLAN_DOMAINS:
            raise ValidationFailed(
                f"unknown plan domain {domain!r}; known: {', '.join(SHAREABLE_DOMAINS)}",
                field="scope",
                code="unknown_domain",
            )
    wanted = set(scope)
    return tuple(d for d in PLAN_DOMAINS if d in wanted)


def check_dates(*, consent_date: date, expires_on: date | None, today: date) -> None:
    """Consent lies in the past (or today); an expiry lies after the consent and not in the past."""
    if consent_date > today:
        raise ValidationFailed(
            "consent_date cannot be in the future", field="consent_date", code="consent_in_future"
        )
    if expires_on is not None:
        if expires_on < today:
            raise ValidationFailed("expires_on is in the past", field="expires_on", code="expiry_in_past")
        if expires_on < consent_date:
            raise ValidationFailed(
                "expires_on is before the consent date", field="expires_on", code="expiry_before_consent"
            )
