"""Stage rules, referral checks, programme codes and the next step of the intake queue."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from prison_liaison.planning.errors import Conflict, ValidationFailed
from prison_liaison.planning.intake import (
    ALLOWED_TRANSITIONS,
    NextStep,
    ReferralSource,
    Stage,
    check_referral,
    check_transition,
    next_programme_code,
    next_step,
    ready_for_custody,
)

TODAY = date(2026, 3, 10)


def test_forward_path_is_allowed() -> None:
    path = [Stage.INQUIRY, Stage.INTAKE, Stage.IN_CUSTODY, Stage.RELEASED, Stage.COMPLETED]
    for current, following in itertools.pairwise(path):
        check_transition(current, following, on_date=TODAY, reason="", today=TODAY)


def test_completed_is_final() -> None:
    assert ALLOWED_TRANSITIONS[Stage.COMPLETED] == frozenset()
    with pytest.raises(Conflict) as err:
        check_transition(Stage.COMPLETED, Stage.INQUIRY, on_date=TODAY, reason="x", today=TODAY)
    assert err.value.code == "stage_transition_not_allowed"
    assert err.value.extra["allowed"] == []


def test_skipping_intake_is_not_allowed() -> None:
    with pytest.raises(Conflict) as err:
        check_transition(Stage.INQUIRY, Stage.IN_CUSTODY, on_date=TODAY, reason="", today=TODAY)
    assert (err.value.code, err.value.field) == ("stage_transition_not_allowed", "to_stage")


@pytest.mark.parametrize("closing", [Stage.WITHDRAWN, Stage.DECLINED])
def test_closing_needs_a_reason(closing: Stage) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_transition(Stage.INQUIRY, closing, on_date=TODAY, reason="  ", today=TODAY)
    assert (err.value.code, err.value.field) == ("reason_required", "reason")
    check_transition(Stage.INQUIRY, closing, on_date=TODAY, reason="kein Kontakt mehr", today=TODAY)


def test_same_stage_is_a_conflict() -> None:
    with pytest.raises(Conflict) as err:
        check_transition(Stage.INTAKE, Stage.INTAKE, on_date=TODAY, reason="", today=TODAY)
    assert err.value.code == "stage_unchanged"


def test_dates_neither_future_nor_before_previous() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_transition(Stage.INQUIRY, Stage.INTAKE, on_date=date(2026, 3, 11), reason="", today=TODAY)
    assert err.value.code == "stage_date_in_future"
    with pytest.raises(ValidationFailed) as err:
        check_transition(
            Stage.INQUIRY,
            Stage.INTAKE,
            on_date=date(2026, 3, 1),
            reason="",
            today=TODAY,
            previous_on=date(2026, 3, 2),
        )
    assert err.value.code == "stage_date_before_previous"


def test_custody_needs_a_prison() -> None:
    with pytest.raises(Conflict) as err:
        check_transition(
            Stage.INTAKE, Stage.IN_CUSTODY, on_date=TODAY, reason="", today=TODAY, has_prison=False
        )
    assert (err.value.code, err.value.field) == ("prison_required", "prison_id")


def test_referral_checks() -> None:
    base = {"source_text": "", "received_on": TODAY, "consent_date": None, "consent_form": "", "today": TODAY}
    check_referral(source=ReferralSource.POLICE, **base)
    with pytest.raises(ValidationFailed) as err:
        check_referral(source=ReferralSource.OTHER, **base)
    assert err.value.field == "source_text"
    with pytest.raises(ValidationFailed) as err:
        check_referral(source=ReferralSource.SELF, **(base | {"consent_date": TODAY}))
    assert err.value.code == "consent_form_required"
    with pytest.raises(ValidationFailed) as err:
        check_referral(source=ReferralSource.SELF, **(base | {"consent_form": "schriftlich"}))
    assert err.value.code == "consent_date_required"
    with pytest.raises(ValidationFailed) as err:
        check_referral(source=ReferralSource.SELF, **(base | {"received_on": date(2026, 3, 11)}))
    assert err.value.field == "received_on"


def test_next_programme_code() -> None:
    assert next_programme_code([], 2026) == "L-2026-001"
    assert next_programme_code(["L-2026-009", "L-2026-011", "L-2025-040", "X-1"], 2026) == "L-2026-012"
    assert next_programme_code(["L-2026-999"], 2026) == "L-2026-1000"


def test_next_step_of_intake_cases() -> None:
    def step(stage: Stage, consent: bool = True, mentors: int = 2, prison: bool = True) -> NextStep | None:
        return next_step(stage, has_consent=consent, mentor_count=mentors, has_prison=prison)

    assert step(Stage.INQUIRY) == NextStep.FIRST_MEETING
    assert step(Stage.INTAKE, consent=False, mentors=0, prison=False) == NextStep.OBTAIN_CONSENT
    assert step(Stage.INTAKE, mentors=1, prison=False) == NextStep.ASSIGN_MENTORS
    assert step(Stage.INTAKE, prison=False) == NextStep.RECORD_PRISON
    assert step(Stage.INTAKE) == NextStep.START_CUSTODY_CARE
    assert step(Stage.IN_CUSTODY) is None
    assert ready_for_custody(Stage.INTAKE, has_consent=True, mentor_count=2, has_prison=True)
    assert not ready_for_custody(Stage.INQUIRY, has_consent=True, mentor_count=2, has_prison=True)
