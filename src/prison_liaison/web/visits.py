"""Visit planner pages: pick a participant and a range, see the slot finder's proposals, book one; book a
time of your own and see, in plain words, which rule it breaks; cancel or move a visit; the prison day list.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from prison_liaison import clock
from prison_liaison.planning.errors import DomainError, ValidationFailed
from prison_liaison.planning.models import ParticipantStatus, Role
from prison_liaison.planning.visits import CancelledBy, CancelReason
from prison_liaison.services import access
from prison_liaison.services import participants as participants_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import visits as visits_service
from prison_liaison.web.auth import WebSession, error_message, read_form, render
from prison_liaison.web.i18n import BERLIN
from prison_liaison.web.pages import LIST_LIMIT

DEFAULT_MINUTES = 60
DEFAULT_RANGE_DAYS = 21


def _date_or(value: str | None, default: date, field: str) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("enter a date (YYYY-MM-DD)", field=field) from exc


def _minutes(value: str | None) -> int:
    try:
        minutes = int(value or DEFAULT_MINUTES)
    except ValueError as exc:
        raise ValidationFailed("enter the length in minutes", field="minutes") from exc
    if not 15 <= minutes <= 480:
        raise ValidationFailed("between 15 and 480 minutes", field="minutes")
    return minutes


def _instant(value: str, field: str) -> datetime:
    """An instant from a form: ISO 8601 with offset (hidden fields) or local Berlin time (datetime-local)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed("enter a date and time", field=field) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)


def _local_start(day: str, start: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(start), tzinfo=BERLIN)
    except ValueError as exc:
        raise ValidationFailed("enter a date and a start time", field="starts_at") from exc


async def _planner(
    request: Request[Any, Any, Any],
    session: WebSession,
    *,
    participant_id: UUID | None,
    start: str | None,
    end: str | None,
    minutes: str | None,
    error: str | None = None,
    ok: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Template:
    access.require_role(session.caller, Role.COORDINATOR, Role.MENTOR)  # prison staff do not plan visits
    participants, _ = await participants_service.list_participants(
        session.caller, limit=LIST_LIMIT, order="planning_date", status=[ParticipantStatus.IN_CUSTODY.value]
    )
    today = clock.today()
    chosen = next((p for p in participants if p.id == participant_id), None)
    slots: list[Any] = []
    search_error = None
    try:
        from_day = _date_or(start, today, "from")
        to_day = _date_or(end, from_day + timedelta(days=DEFAULT_RANGE_DAYS), "to")
        length = _minutes(minutes)
        if participant_id is not None:
            slots = await visits_service.find_slots(
                session.caller, participant_id, start=from_day, end=to_day, minutes=length
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        search_error = error_message(session.t, exc)
        from_day, to_day, length = today, today + timedelta(days=DEFAULT_RANGE_DAYS), DEFAULT_MINUTES
    prisons = {p.id: p for p in (await prisons_service.list_prisons(session.caller, limit=LIST_LIMIT, cursor=None))[0]}
    return render(
        request,
        "planner.html",
        session=session,
        participants=participants,
        chosen=chosen,
        prison=prisons.get(chosen.prison_id) if chosen and chosen.prison_id else None,
        slots=slots,
        from_day=from_day,
        to_day=to_day,
        minutes=length,
        error=error or search_error,
        ok=ok,
        form=form or {},
        status_code=status_code,
    )


@get("/planner", name="planner")
async def planner_page(
    request: Request[Any, Any, Any],
    session: NamedDependency[WebSession],
    *,
    participant_id: FromQuery[UUID | None] = None,
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
    minutes: FromQuery[str | None] = None,
) -> Template:
    """Participant and range in, the slot finder's proposals out, each with a button to book it."""
    return await _planner(request, session, participant_id=participant_id, start=start, end=end, minutes=minutes)


@post("/visits", name="visit_book")
async def book_visit(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Template | Redirect:
    """Book a proposed slot (or a time of one's own): both mentors attend; a broken rule is explained."""
    form = await read_form(request, session)
    try:
        participant_id = UUID(form.get("participant_id", ""))
    except ValueError:
        return await _planner(
            request,
            session,
            participant_id=None,
            start=None,
            end=None,
            minutes=None,
            error=session.t("choose_participant"),
            status_code=422,
        )
    try:
        if form.get("starts_at"):
            starts_at = _instant(form["starts_at"], "starts_at")
            ends_at = _instant(form["ends_at"], "ends_at")
        else:
            starts_at = _local_start(form.get("day", ""), form.get("start_time", ""))
            ends_at = starts_at + timedelta(minutes=_minutes(form.get("length")))
        participant = await participants_service.get_participant_unaudited(session.caller, participant_id)
        visit = await visits_service.create_visit(
            session.caller,
            participant_id=participant_id,
            starts_at=starts_at,
            ends_at=ends_at,
            mentor_ids=[m.mentor_id for m in participant.mentors],
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _planner(
            request,
            session,
            participant_id=participant_id,
            start=form.get("from"),
            end=form.get("to"),
            minutes=form.get("minutes"),
            error=_violations(session, exc),
            status_code=exc.status,
            form=form,
        )
    return Redirect(f"/web/participants/{visit.participant_id}?ok=visit_booked#visits", status_code=303)


def _violations(session: WebSession, exc: DomainError) -> str:
    """Every broken rule of a refused booking, in plain words."""
    listed = exc.extra.get("violations") if isinstance(exc.extra, dict) else None
    if not listed:
        return error_message(session.t, exc)
    words = []
    for v in listed:
        code = v.get("code", "")
        words.append(session.t(f"rule_{code}") if session.t.has(f"rule_{code}") else v.get("detail", ""))
    return " ".join(dict.fromkeys(words))


def _back(form: dict[str, str], *, ok: str | None = None, error: DomainError | None = None) -> Redirect:
    """Back to the participant's visits; an error travels as its stable code (the page words it)."""
    try:
        participant_id = UUID(form.get("participant_id", ""))
    except ValueError:
        return Redirect("/web/", status_code=303)
    query = f"ok={ok}" if ok else f"error={error.code if error else 'error'}"
    if error is not None and error.field:
        query += "&field=" + quote(error.field)
    return Redirect(f"/web/participants/{participant_id}?{query}#visits", status_code=303)


@post("/visits/{visit_id:uuid}/cancel", name="visit_cancel")
async def cancel_visit(
    request: Request[Any, Any, Any], visit_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Cancel with a reason code and who cancelled; the visit stays on record."""
    form = await read_form(request, session)
    try:
        await visits_service.cancel_visit(
            session.caller,
            visit_id,
            reason=form.get("reason", ""),
            cancelled_by=form.get("cancelled_by", "mentor"),
            note=form.get("note", "")[:500],
            expected_version=_version(form),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(form, error=exc)
    return _back(form, ok="done_cancel")


@post("/visits/{visit_id:uuid}/move", name="visit_move")
async def move_visit(
    request: Request[Any, Any, Any], visit_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Move a visit: same visit (same calendar entry), new revision, every rule checked again."""
    form = await read_form(request, session)
    try:
        starts_at = _local_start(form.get("day", ""), form.get("start_time", ""))
        ends_at = starts_at + timedelta(minutes=_minutes(form.get("length")))
        await visits_service.update_visit(
            session.caller,
            visit_id,
            {"starts_at": starts_at, "ends_at": ends_at},
            expected_version=_version(form) or 0,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(form, error=exc)
    return _back(form, ok="visit_moved")


@post("/visits/{visit_id:uuid}/status", name="visit_status")
async def visit_status(
    request: Request[Any, Any, Any], visit_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Record the next step of a visit: asked at the prison, confirmed by the prison, or took place."""
    form = await read_form(request, session)
    step = form.get("step", "")
    try:
        if step == "request":
            await visits_service.request_visit(session.caller, visit_id, expected_version=_version(form))
        elif step == "confirm":
            await visits_service.confirm_visit(session.caller, visit_id, expected_version=_version(form))
        elif step == "complete":
            await visits_service.complete_visit(
                session.caller, visit_id, attendance=None, expected_version=_version(form)
            )
        else:
            raise ValidationFailed("unknown step", field="step")
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(form, error=exc)
    return _back(form, ok=f"done_{step}")


def _version(form: dict[str, str]) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


@get("/prisons/{prison_id:uuid}/day", name="prison_day")
async def prison_day(
    request: Request[Any, Any, Any],
    prison_id: FromPath[UUID],
    session: NamedDependency[WebSession],
    day: FromQuery[str | None] = None,
) -> Template:
    """One prison's visits on one day: the list the gate and the social service print."""
    on = _date_or(day, clock.today(), "day")
    prison, visits = await visits_service.prison_day(session.caller, prison_id, on)
    return render(
        request,
        "prison_day.html",
        session=session,
        prison=prison,
        visits=visits,
        day=on,
        prev_day=on - timedelta(days=1),
        next_day=on + timedelta(days=1),
    )


CANCEL_REASONS = [r.value for r in CancelReason]
CANCELLED_BY = [c.value for c in CancelledBy]
VISIT_HANDLERS: list[Any] = [planner_page, book_visit, cancel_visit, move_visit, visit_status, prison_day]
