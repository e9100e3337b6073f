"""Every route handler of the API, in one list the app registers (and the authorization matrix reads)."""

from __future__ import annotations

from typing import Any

from prison_liaison.api.agenda import agenda
from prison_liaison.api.audit import AuditController, ParticipantRecordsController
from prison_liaison.api.auth import AuthController
from prison_liaison.api.documents import DocumentController
from prison_liaison.api.feeds import CalendarSubscriptionController, calendar_feed
from prison_liaison.api.health import health
from prison_liaison.api.intake import IntakeQueueController, ReferralController, StageController
from prison_liaison.api.participants import ParticipantController
from prison_liaison.api.plans import (
    AppointmentController,
    ParticipantPlanController,
    PlanItemController,
    TemplateController,
)
from prison_liaison.api.prisons import PrisonController
from prison_liaison.api.release_dates import CalculatorController, ParticipantReleaseDatesController
from prison_liaison.api.shares import ShareController
from prison_liaison.api.statistics import StatisticsController, statistics_csv
from prison_liaison.api.users import UserController
from prison_liaison.api.visits import VisitController, find_visit_slots, prison_day_visits

ROUTE_HANDLERS: list[Any] = [
    health,
    AuthController,
    PrisonController,
    ParticipantController,
    UserController,
    AuditController,
    CalculatorController,
    ParticipantReleaseDatesController,
    TemplateController,
    ParticipantPlanController,
    PlanItemController,
    AppointmentController,
    agenda,
    VisitController,
    find_visit_slots,
    prison_day_visits,
    DocumentController,
    ParticipantRecordsController,
    ShareController,
    CalendarSubscriptionController,
    calendar_feed,
    StageController,
    ReferralController,
    IntakeQueueController,
    StatisticsController,
    statistics_csv,
]
