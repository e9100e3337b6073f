"""Rules for participant records."""

from __future__ import annotations

import re
from uuid import UUID

from prison_liaison.planning.errors import ValidationFailed

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")
MIN_CADENCE_DAYS = 1
MAX_CADENCE_DAYS = 180


def check_code(code: str) -> str:
    if not CODE_RE.match(code):
        raise ValidationFailed(
            "programme code: 3–40 capital letters, digits or '-', e.g. L-2026-014", field="code"
        )
    return code


def check_cadence(days: int) -> int:
    if not MIN_CADENCE_DAYS <= days <= MAX_CADENCE_DAYS:
        raise ValidationFailed(
            f"cadence_days must be between {MIN_CADENCE_DAYS} and {MAX_CADENCE_DAYS}", field="cadence_days"
        )
    return days


def check_mentor_pair(lead_id: UUID, co_id: UUID | None) -> None:
    if co_id is not None and co_id == lead_id:
        raise ValidationFailed("lead and co-mentor must be two different people", field="co_id")
