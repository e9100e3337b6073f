"""Piccolo tables for every core record. Only this package imports them.

Every mutable record carries ``created_at``, ``updated_at`` (UTC) and ``version`` (optimistic concurrency).
Identifiers are random UUIDs so that URLs are not guessable.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Record(Table):
    """Mixin: identity, timestamps and version."""

    id = UUID(primary_key=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class PrisonTable(Record, tablename="prison"):
    code = Varchar(length=20, unique=True)
    name = Varchar(length=200)
    address = Text(default="")
    timezone = Varchar(length=64, default="Europe/Berlin")
    land = Varchar(length=2, default="NW")
    social_service_contact = Text(default="")
    lead_time_days = Integer(default=0)
    max_visit_minutes = Integer(default=90)
    travel_buffer_minutes = Integer(default=0)
    visitor_requirements = Text(default="")
    security_check_required = Boolean(default=False)
    open_on_holidays = JSON(default=[])  # ISO dates of statutory holidays on which visits happen anyway
    archived_at = Timestamptz(null=True, default=None)


class VisitingWindowTable(Record, tablename="visiting_window"):
    prison = ForeignKey(references=PrisonTable, null=False, index=True)
    weekday = Integer()  # 0 = Monday … 6 = Sunday
    start_time = Time()
    end_time = Time()
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    visit_kind = Varchar(length=40, null=True, default=None)


class PrisonClosureTable(Record, tablename="prison_closure"):
    prison = ForeignKey(references=PrisonTable, null=False, index=True)
    start_date = Date()
    end_date = Date()
    reason = Text(default="")


class UserTable(Record, tablename="app_user"):
    username = Varchar(length=80, unique=True)
    display_name = Varchar(length=200, default="")
    email = Varchar(length=200, default="")
    phone = Varchar(length=60, default="")
    role = Varchar(length=20)  # coordinator | mentor | prison_staff
    prison = ForeignKey(references=PrisonTable, null=True, default=None)
    password_hash = Text(default="")
    active = Boolean(default=True)
    password_changed_at = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)


class ApiTokenTable(Record, tablename="api_token"):
    user = ForeignKey(references=UserTable, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=20, default="api")  # api | session
    name = Varchar(length=100, default="")
    csrf_token = Varchar(length=64, default="")
    client = Varchar(length=100, default="")
    expires_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginAttemptTable(Table, tablename="login_attempt"):
    id = UUID(primary_key=True)
    username = Varchar(length=80, index=True)
    client = Varchar(length=100, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    success = Boolean(default=False)


class ParticipantTable(Record, tablename="participant"):
    code = Varchar(length=40, unique=True)
    first_name = Varchar(length=120, default="")
    last_name = Varchar(length=120, default="")
    prison = ForeignKey(references=PrisonTable, null=True, default=None, index=True)
    status = Varchar(length=20, default="in_custody", index=True)
    status_since = Date(null=True, default=None)
    cadence_days = Integer(default=14)
    planning_basis = Varchar(length=30, default="sentence_end")  # which computed date the mentors chose
    planning_date = Date(null=True, default=None, index=True)  # derived from the ledger, kept for ordering
    notes_encrypted = Text(default="")
    admitted_on = Date(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    archived_at = Timestamptz(null=True, default=None)


class MentorAssignmentTable(Record, tablename="mentor_assignment"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    mentor = ForeignKey(references=UserTable, null=False, index=True)
    role = Varchar(length=10)  # lead | co
    valid_from = Timestamptz(default=TimestamptzNow())
    valid_to = Timestamptz(null=True, default=None)


class SentenceTable(Record, tablename="sentence"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    sentence_start = Date()
    term_years = Integer(default=0)
    term_months = Integer(default=0)
    term_weeks = Integer(default=0)
    term_days = Integer(default=0)
    life = Boolean(default=False)
    pretrial_credit_days = Integer(default=0)
    land = Varchar(length=2, default="NW")
    youth = Boolean(default=False)
    first_sentence = Boolean(default=True)
    court = Varchar(length=200, default="")
    note = Text(default="")


class ReleaseDateEntryTable(Record, tablename="release_date_entry"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    kind = Varchar(length=30)
    date = Date(null=True, default=None)
    source = Varchar(length=30)  # computed | prison_letter | court_decision | mentor_estimate
    note = Text(default="")
    flags = JSON(default=[])
    previous_date = Date(null=True, default=None)
    replan_diff = JSON(default={})
    recorded_by = ForeignKey(references=UserTable, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class VisitTable(Record, tablename="visit"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    prison = ForeignKey(references=PrisonTable, null=True, default=None, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    kind = Varchar(length=40, default="prison_visit")
    status = Varchar(length=20, default="planned", index=True)
    revision = Integer(default=0)
    location = Varchar(length=200, default="")
    room = Varchar(length=100, default="")
    cancel_reason = Varchar(length=40, default="")
    cancelled_by_party = Varchar(length=20, default="")
    cancel_note = Text(default="")
    lead_time_override_reason = Text(default="")
    requested_at = Timestamptz(null=True, default=None)
    needs_review = Boolean(default=False)
    review_reason = Varchar(length=40, default="")
    review_note = Text(default="")
    series_id = UUID(null=True, default=None)
    notes_encrypted = Text(default="")
    created_by = ForeignKey(references=UserTable, null=True, default=None)


class VisitAttendeeTable(Record, tablename="visit_attendee"):
    visit = ForeignKey(references=VisitTable, null=False, index=True)
    user = ForeignKey(references=UserTable, null=False, index=True)
    attended = Boolean(null=True, default=None)


class VisitTransitionTable(Record, tablename="visit_transition"):
    visit = ForeignKey(references=VisitTable, null=False, index=True)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    actor = ForeignKey(references=UserTable, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
    reason = Text(default="")


class ChecklistTemplateTable(Record, tablename="checklist_template"):
    key = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    items = JSON(default=[])  # item definitions; edits bump ``version`` and never touch existing plans
    active = Boolean(default=True)


class PlanItemTable(Record, tablename="plan_item"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    template_key = Varchar(length=60, default="")
    template_version = Integer(null=True, default=None)
    item_key = Varchar(length=60, default="")
    domain = Varchar(length=40)
    title_de = Text()
    title_en = Text(default="")
    owner_role = Varchar(length=20, default="mentor")
    anchor = Varchar(length=30, default="planning_date")
    start_offset_days = Integer(null=True, default=None)
    due_offset_days = Integer(null=True, default=None)
    earliest_start = Date(null=True, default=None)
    latest_due = Date(null=True, default=None)
    dates_set_by_hand = Boolean(default=False)
    depends_on = JSON(default=[])
    status = Varchar(length=20, default="open")
    status_by = ForeignKey(references=UserTable, null=True, default=None)
    status_at = Timestamptz(null=True, default=None)
    status_reason = Text(default="")
    shared_with_prison = Boolean(default=False)
    position = Integer(default=0)
    notes_encrypted = Text(default="")


class PlanItemStatusChangeTable(Record, tablename="plan_item_status_change"):
    plan_item = ForeignKey(references=PlanItemTable, null=False, index=True)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    actor = ForeignKey(references=UserTable, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
    reason = Text(default="")


class AppointmentTable(Record, tablename="appointment"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    plan_item = ForeignKey(references=PlanItemTable, null=True, default=None)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    agency = Varchar(length=200)
    place = Text(default="")
    contact = Text(default="")
    what_to_bring = Text(default="")
    status = Varchar(length=20, default="planned")
    sequence = Integer(default=0)
    shared_with_prison = Boolean(default=True)


class ShareTable(Record, tablename="share"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    prison = ForeignKey(references=PrisonTable, null=False, index=True)
    scope = JSON(default=[])  # plan domains shared
    consent_date = Date()
    consent_scope = Text(default="")
    consent_recorded_by = ForeignKey(references=UserTable, null=True, default=None)
    expires_on = Date(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=UserTable, null=True, default=None)


class CalendarSubscriptionTable(Record, tablename="calendar_subscription"):
    user = ForeignKey(references=UserTable, null=False, index=True)
    scope = Varchar(length=20)  # mentor | participant | prison
    content = Varchar(length=20, default="all")  # all | visits | deadlines
    participant = ForeignKey(references=ParticipantTable, null=True, default=None)
    prison = ForeignKey(references=PrisonTable, null=True, default=None)
    token_hash = Varchar(length=64, unique=True)
    name = Varchar(length=100, default="")
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PlanPrintTable(Record, tablename="plan_print"):
    """What an audience last printed, so the next print can say what changed since."""

    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    audience = Varchar(length=80)
    printed_by = ForeignKey(references=UserTable, null=True, default=None)
    snapshot = JSON(default={})


class ReferralTable(Record, tablename="referral"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    source = Varchar(length=30)
    source_text = Text(default="")
    organisation_encrypted = Text(default="")
    contact_encrypted = Text(default="")
    received_on = Date()
    consent_date = Date(null=True, default=None)
    consent_form = Varchar(length=40, default="")


class StageChangeTable(Record, tablename="stage_change"):
    participant = ForeignKey(references=ParticipantTable, null=False, index=True)
    from_stage = Varchar(length=20, default="")
    to_stage = Varchar(length=20)
    on_date = Date()
    reason = Text(default="")
    actor = ForeignKey(references=UserTable, null=True, default=None)


class AuditEventTable(Table, tablename="audit_event"):
    """Append-only. No foreign keys, so that the history survives a purge of the case it describes."""

    id = UUID(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = UUID(null=True, default=None, index=True)
    actor_username = Varchar(length=80, default="")
    actor_role = Varchar(length=20, default="")
    action = Varchar(length=60, index=True)
    subject_type = Varchar(length=40, default="")
    subject_id = Varchar(length=60, default="")
    participant_id = UUID(null=True, default=None, index=True)
    client = Varchar(length=100, default="")
    request_id = Varchar(length=64, default="")
    detail = JSON(default={})


class FeedChangeTable(Table, tablename="feed_change"):
    """Written only by database triggers (migration 2026-11-24T20:33): a row whenever something a calendar feed
    shows changes, keyed by the participant, prison or mentor it concerns.

    A feed's version takes the newest id among its keys, one index probe per key, instead of aggregating every
    event in the feed on every fetch; triggers see every write, whichever code (or operator) makes it.
    """

    id = BigSerial(primary_key=True)
    key = UUID()


ALL_TABLES: tuple[type[Table], ...] = (
    PrisonTable,
    VisitingWindowTable,
    PrisonClosureTable,
    UserTable,
    ApiTokenTable,
    LoginAttemptTable,
    ParticipantTable,
    MentorAssignmentTable,
    SentenceTable,
    ReleaseDateEntryTable,
    VisitTable,
    VisitAttendeeTable,
    VisitTransitionTable,
    ChecklistTemplateTable,
    PlanItemTable,
    PlanItemStatusChangeTable,
    AppointmentTable,
    ShareTable,
    CalendarSubscriptionTable,
    PlanPrintTable,
    ReferralTable,
    StageChangeTable,
    AuditEventTable,
    FeedChangeTable,
)
