"""Stages of a case and the intake queue: which stage changes are allowed, and what the next step of an open
case is. Pure: "today" is an argument.

A participant's ``status`` is its stage. The forward path is inquiry → intake → in_custody → released →
completed; a case may be withdrawn (the person stopped) or declined (the programme did not take it on), both
with a reason. A closed case can be re-opened as a new inquiry (or intake) when the person comes back.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from uuid import UUID

import msgspec

from prison_liaison.planning.errors import Conflict, ValidationFailed
from prison_liaison.planning.models import ParticipantStatus

Stage = ParticipantStatus

ALLOWED_TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.INQUIRY: frozenset({Stage.INTAKE, Stage.WITHDRAWN, Stage.DECLINED}),
    # someone referred shortly after release starts directly in aftercare
    Stage.INTAKE: frozenset({Stage.IN_CUSTODY, Stage.RELEASED, Stage.WITHDRAWN, Stage.DECLINED}),
    Stage.IN_CUSTODY: frozenset({Stage.RELEASED, Stage.WITHDRAWN}),
    # back in custody (revocation of parole, new sentence) keeps the same case
    Stage.RELEASED: frozenset({Stage.COMPLETED, Stage.IN_CUSTODY, Stage.WITHDRAWN}),
    Stage.COMPLETED: frozenset(),
    Stage.WITHDRAWN: frozenset({Stage.INQUIRY, Stage.INTAKE}),
    Stage.DECLINED: frozenset({Stage.INQUIRY}),
}

REASON_REQUIRED = frozenset({Stage.WITHDRAWN, Stage.DECLINED})
OPEN_INTAKE_STAGES = (Stage.INQUIRY, Stage.INTAKE)
MAX_REASON_LENGTH = 2000


class StageChange(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded change of stage: from what, to what, on which day, why, by whom, when recorded."""

    id: UUID
    participant_id: UUID
    from_stage: Stage | None
    to_stage: Stage
    on_date: date
    reason: str = ""
    actor_id: UUID | None = None
    actor_name: str = ""
    recorded_at: datetime | None = None


def check_transition(
    current: Stage,
    to_stage: Stage,
    *,
    on_date: date,
    reason: str,
    today: date,
    previous_on: date | None = None,
    has_prison: bool = True,
) -> None:
    """Raise if moving a case from ``current`` to ``to_stage`` on ``on_date`` breaks a rule; else return."""
    if to_stage == current:
        raise Conflict(
            f"the case is already at stage {current.value}",
            code="stage_unchanged",
            field="to_stage",
            stage=current.value,
        )
    allowed = ALLOWED_TRANSITIONS[current]
    if to_stage not in allowed:
        raise Conflict(
            f"a case at stage {current.value} cannot move to {to_stage.value}"
            + (f"; allowed: {', '.join(sorted(s.value for s in allowed))}" if allowed else "; it is closed"),
            code="stage_transition_not_allowed",
            field="to_stage",
            from_stage=current.value,
            to_stage=to_stage.value,
            allowed=sorted(s.value for s in allowed),
        )
    if to_stage in REASON_REQUIRED and not reason.strip():
        raise ValidationFailed(
            f"moving a case to {to_stage.value} needs a reason", code="reason_required", field="reason"
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(f"reason: at most {MAX_REASON_LENGTH} characters", field="reason")
    if on_date > today:
        raise ValidationFailed(
            "a stage change cannot be dated in the future", code="stage_date_in_future", field="on_date"
        )
    if previous_on is not None and on_date < previous_on:
        raise ValidationFailed(
            f"the previous stage change is dated {previous_on.isoformat()}; a later one cannot be earlier",
            code="stage_date_before_previous",
            field="on_date",
            previous_on=previous_on.isoformat(),
        )
    if to_stage == Stage.IN_CUSTODY and not has_prison:
        raise Conflict(
            "record the prison (JVA) before moving the case into custody",
            code="prison_required",
            field="prison_id",
        )


# --- referrals --------------------------------------------------------------------------------------------


class ReferralSource(enum.StrEnum):
    SELF = "self"
    POLICE = "police"
    JUSTICE = "justice"
    PRISON = "prison"
    OTHER_PROGRAMME = "other_programme"
    OTHER = "other"


class Referral(msgspec.Struct, frozen=True, kw_only=True):
    """How a person reached the programme. Organisation and contact are decrypted only for those who may see
    them."""

    id: UUID
    participant_id: UUID
    source: ReferralSource
    source_text: str
    organisation: str
    contact: str
    received_on: date
    consent_date: date | None
    consent_form: str
    version: int = 1


def check_referral(
    *,
    source: ReferralSource,
    source_text: str,
    received_on: date,
    consent_date: date | None,
    consent_form: str,
    today: date,
) -> None:
    if source == ReferralSource.OTHER and not source_text.strip():
        raise ValidationFailed(
            "say who referred the person when the source is 'other'",
            code="source_text_required",
            field="source_text",
        )
    if received_on > today:
        raise ValidationFailed(
            "a referral cannot be received in the future", code="date_in_future", field="received_on"
        )
    if consent_date is not None:
        if consent_date > today:
            raise ValidationFailed(
                "consent cannot be dated in the future", code="date_in_future", field="consent_date"
            )
        if not consent_form.strip():
            raise ValidationFailed(
                "name the consent form (e.g. 'schriftlich v3') with the consent date",
                code="consent_form_required",
                field="consent_form",
            )
    elif consent_form.strip():
        raise ValidationFailed(
            "a consent form needs the date the consent was given",
            code="consent_date_required",
            field="consent_date",
        )


_CODE_NUMBER = re.compile(r"^L-(\d{4})-(\d{3,})$")


def next_programme_code(taken: list[str], year: int) -> str:
    """The next free ``L-<year>-NNN`` after the highest one taken this year."""
    highest = 0
    for code in taken:
        match = _CODE_NUMBER.match(code)
        if match and int(match.group(1)) == year:
            highest = max(highest, int(match.group(2)))
    return f"L-{year}-{highest + 1:03d}"


# --- the intake queue ------------------------------------------------------------------------------------


class NextStep(enum.StrEnum):
    FIRST_MEETING = "first_meeting"
    OBTAIN_CONSENT = "obtain_consent"
    ASSIGN_MENTORS = "assign_mentors"
    RECORD_PRISON = "record_prison"
    START_CUSTODY_CARE = "start_custody_care"


NEXT_STEP_LABELS_DE = {
    NextStep.FIRST_MEETING: "Erstgespräch führen",
    NextStep.OBTAIN_CONSENT: "Einwilligung einholen",
    NextStep.ASSIGN_MENTORS: "Mentor:innen zuweisen",
    NextStep.RECORD_PRISON: "Haft/JVA erfassen",
    NextStep.START_CUSTODY_CARE: "In die Haftbetreuung übernehmen",
}


def next_step(stage: Stage, *, has_consent: bool, mentor_count: int, has_prison: bool) -> NextStep | None:
    """What the coordinators do next with an open inquiry or intake (None for other stages).

    An intake with consent, two mentors and a prison is ready for custody care; assigning the mentors moves
    a case on by itself (see ``ready_for_custody``).
    """
    if stage == Stage.INQUIRY:
        return NextStep.FIRST_MEETING
    if stage != Stage.INTAKE:
        return None
    if not has_consent:
        return NextStep.OBTAIN_CONSENT
    if mentor_count < 2:
        return NextStep.ASSIGN_MENTORS
    if not has_prison:
        return NextStep.RECORD_PRISON
    return NextStep.START_CUSTODY_CARE


def ready_for_custody(stage: Stage, *, has_consent: bool, mentor_count: int, has_prison: bool) -> bool:
    return (
        next_step(stage, has_consent=has_consent, mentor_count=mentor_count, has_prison=has_prison)
        == NextStep.START_CUSTODY_CARE
    )
