"""Coordinator pages: users, prisons (rules, visiting windows, closures) and the audit log.

Every service called here checks the coordinator role itself (others get 404), so these pages need no guard of
their own beyond the session.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from prison_liaison.planning.errors import DomainError, ValidationFailed
from prison_liaison.planning.models import Closure, Role, VisitingWindow
from prison_liaison.services import access
from prison_liaison.services import audit as audit_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import users as users_service
from prison_liaison.web.auth import WebSession, error_message, read_form, render
from prison_liaison.web.pages import LIST_LIMIT, _ok


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed("enter a date (YYYY-MM-DD)", field=field) from exc


def _parse_uuid(value: str, field: str) -> UUID | None:
    if not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError as exc:
        raise ValidationFailed("unknown value", field=field) from exc


# ---------------------------------------------------------------- users


async def _users_page(request: Request[Any, Any, Any], session: WebSession, **extra: Any) -> Template:
    users = await users_service.list_users(session.caller)
    prisons, _ = await prisons_service.list_prisons(session.caller, limit=LIST_LIMIT, cursor=None)
    return render(
        request,
        "admin_users.html",
        session=session,
        users=users,
        prisons={p.id: p for p in prisons},
        roles=list(Role),
        form=extra.pop("form", {}),
        **extra,
    )


@get("/admin/users", name="admin_users")
async def users_page(
    request: Request[Any, Any, Any], session: NamedDependency[WebSession], ok: FromQuery[str | None] = None
) -> Template:
    """All users, with create / deactivate / reset."""
    return await _users_page(request, session, ok=_ok(session, ok))


@post("/admin/users", name="admin_user_create")
async def user_create(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Template:
    """Create a user; the initial password is shown once, on this answer only."""
    form = await read_form(request, session)
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        role = None
    try:
        if role is None:
            raise ValidationFailed("choose a role", field="role")
        user, password = await users_service.create_user(
            session.caller,
            username=form.get("username", "").strip(),
            role=role,
            display_name=form.get("display_name", "").strip(),
            prison_id=_parse_uuid(form.get("prison_id", ""), "prison_id"),
            password=form.get("password") or None,
            email=form.get("email", "").strip(),
            phone=form.get("phone", "").strip(),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _users_page(
            request, session, error=error_message(session.t, exc), form=form, status_code=exc.status
        )
    return await _users_page(
        request,
        session,
        secret=session.t("user_created", username=user.username, password=password),
        status_code=201,
    )


@post("/admin/users/{user_id:uuid}/active", name="admin_user_active")
async def user_set_active(
    request: Request[Any, Any, Any], user_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Activate or deactivate a user (deactivation ends their sessions)."""
    form = await read_form(request, session)
    active = form.get("active") == "1"
    try:
        await users_service.set_active(session.caller, user_id, active)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _users_page(request, session, error=error_message(session.t, exc), status_code=exc.status)
    return Redirect(f"/web/admin/users?ok={'user_activated' if active else 'user_deactivated'}", status_code=303)


@post("/admin/users/{user_id:uuid}/reset-password", name="admin_user_reset")
async def user_reset(
    request: Request[Any, Any, Any], user_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template:
    """A new generated password, shown once; the user's sessions end."""
    await read_form(request, session)
    user = await users_service.get_user(session.caller, user_id)
    password = await users_service.reset_password(session.caller, user_id)
    return await _users_page(
        request, session, secret=session.t("password_reset_done", username=user.username, password=password)
    )


# ---------------------------------------------------------------- prisons


@get("/admin/prisons", name="admin_prisons")
async def prisons_page(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Template:
    """All prisons with their main rules."""
    access.require_role(session.caller, Role.COORDINATOR)
    prisons, _ = await prisons_service.list_prisons(session.caller, limit=LIST_LIMIT, cursor=None)
    return render(request, "admin_prisons.html", session=session, prisons=prisons)


async def _prison_page(request: Request[Any, Any, Any], session: WebSession, prison_id: UUID, **extra: Any) -> Template:
    access.require_role(session.caller, Role.COORDINATOR)
    prison = await prisons_service.get_prison(session.caller, prison_id)
    return render(request, "admin_prison.html", session=session, prison=prison, form=extra.pop("form", {}), **extra)


async def _prison_page_with_error(
    request: Request[Any, Any, Any], session: WebSession, prison_id: UUID, exc: DomainError, form: Any
) -> Template:
    """A rejected prison form: the page again with the rule in plain words (not-found stays a 404 page)."""
    if exc.status == 404:
        raise exc
    return await _prison_page(
        request, session, prison_id, error=error_message(session.t, exc), form=form, status_code=exc.status
    )


@get("/admin/prisons/{prison_id:uuid}", name="admin_prison")
async def prison_page(
    request: Request[Any, Any, Any],
    prison_id: FromPath[UUID],
    session: NamedDependency[WebSession],
    ok: FromQuery[str | None] = None,
) -> Template:
    """One prison: rules, visiting windows, closures (add / remove)."""
    return await _prison_page(request, session, prison_id, ok=_ok(session, ok))


@post("/admin/prisons/{prison_id:uuid}/closures", name="admin_closure_add")
async def closure_add(
    request: Request[Any, Any, Any], prison_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Add a closure day or range: no visits are proposed or booked on those days."""
    form = await read_form(request, session)
    try:
        start = _parse_date(form.get("start_date", ""), "start_date")
        end = _parse_date(form["end_date"], "end_date") if form.get("end_date", "").strip() else start
        await prisons_service.add_closure(
            session.caller,
            prison_id,
            Closure(start_date=start, end_date=end, reason=form.get("reason", "")[:200]),
        )
    except DomainError as exc:
        return await _prison_page_with_error(request, session, prison_id, exc, form)
    return Redirect(f"/web/admin/prisons/{prison_id}?ok=closure_added", status_code=303)


@post("/admin/prisons/{prison_id:uuid}/closures/{closure_id:uuid}/delete", name="admin_closure_remove")
async def closure_remove(
    request: Request[Any, Any, Any],
    prison_id: FromPath[UUID],
    closure_id: FromPath[UUID],
    session: NamedDependency[WebSession],
) -> Redirect:
    """Remove a closure."""
    await read_form(request, session)
    await prisons_service.remove_closure(session.caller, prison_id, closure_id)
    return Redirect(f"/web/admin/prisons/{prison_id}?ok=closure_removed", status_code=303)


@post("/admin/prisons/{prison_id:uuid}/rules", name="admin_prison_rules")
async def prison_rules(
    request: Request[Any, Any, Any], prison_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Change lead time, maximum length and travel buffer (optimistic concurrency via the form's version)."""
    form = await read_form(request, session)
    try:
        changes: dict[str, Any] = {}
        for field in ("lead_time_days", "max_visit_minutes", "travel_buffer_minutes"):
            try:
                changes[field] = int(form.get(field, ""))
            except ValueError as exc:
                raise ValidationFailed("enter a whole number", field=field) from exc
            if changes[field] < 0:
                raise ValidationFailed("must not be negative", field=field)
        changes["security_check_required"] = form.get("security_check_required") == "1"
        changes["visitor_requirements"] = form.get("visitor_requirements", "")[:1000]
        await prisons_service.update_prison(
            session.caller, prison_id, changes, expected_version=int(form.get("version", "0") or 0)
        )
    except DomainError as exc:
        return await _prison_page_with_error(request, session, prison_id, exc, form)
    return Redirect(f"/web/admin/prisons/{prison_id}?ok=saved", status_code=303)


def _parse_time(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed("enter a time (HH:MM)", field=field) from exc


@post("/admin/prisons/{prison_id:uuid}/windows", name="admin_window_add")
async def window_add(
    request: Request[Any, Any, Any], prison_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Add a visiting window (weekday, times, optional validity) to the prison's timetable."""
    form = await read_form(request, session)
    try:
        prison = await prisons_service.get_prison(session.caller, prison_id)
        try:
            weekday = int(form.get("weekday", ""))
        except ValueError as exc:
            raise ValidationFailed("choose a weekday", field="weekday") from exc
        window = VisitingWindow(
            weekday=weekday,
            start_time=_parse_time(form.get("start_time", ""), "start_time"),
            end_time=_parse_time(form.get("end_time", ""), "end_time"),
            valid_from=_parse_date(form["valid_from"], "valid_from") if form.get("valid_from") else None,
            valid_to=_parse_date(form["valid_to"], "valid_to") if form.get("valid_to") else None,
        )
        await prisons_service.update_prison(
            session.caller,
            prison_id,
            {"windows": [*prison.windows, window]},
            expected_version=int(form.get("version", "0") or 0),
        )
    except DomainError as exc:
        return await _prison_page_with_error(request, session, prison_id, exc, form)
    return Redirect(f"/web/admin/prisons/{prison_id}?ok=window_added", status_code=303)


@post("/admin/prisons/{prison_id:uuid}/windows/{window_id:uuid}/delete", name="admin_window_remove")
async def window_remove(
    request: Request[Any, Any, Any],
    prison_id: FromPath[UUID],
    window_id: FromPath[UUID],
    session: NamedDependency[WebSession],
) -> Template | Redirect:
    """Remove a visiting window; existing visits stay as they are."""
    form = await read_form(request, session)
    try:
        prison = await prisons_service.get_prison(session.caller, prison_id)
        windows = [w for w in prison.windows if w.id != window_id]
        await prisons_service.update_prison(
            session.caller,
            prison_id,
            {"windows": windows},
            expected_version=int(form.get("version", "0") or 0),
        )
    except DomainError as exc:
        return await _prison_page_with_error(request, session, prison_id, exc, {})
    return Redirect(f"/web/admin/prisons/{prison_id}?ok=window_removed", status_code=303)


# ---------------------------------------------------------------- audit log


@get("/admin/audit", name="admin_audit")
async def audit_page(
    request: Request[Any, Any, Any],
    *,
    session: NamedDependency[WebSession],
    action: FromQuery[str | None] = None,
    participant_id: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Template:
    """Search the audit log by action, participant and period."""
    access.require_role(session.caller, Role.COORDINATOR)
    error = None
    events: list[dict[str, Any]] = []
    next_cursor = None
    try:
        since_dt = datetime.combine(_parse_date(since, "since"), time.min, tzinfo=UTC) if since else None
        until_dt = datetime.combine(_parse_date(until, "until"), time.max, tzinfo=UTC) if until else None
        events, next_cursor = await audit_service.query_events(
            session.caller,
            participant_id=_parse_uuid(participant_id or "", "participant_id"),
            action=(action or "").strip() or None,
            since=since_dt,
            until=until_dt,
            limit=100,
            cursor=cursor,
        )
    except ValidationFailed as exc:
        error = error_message(session.t, exc)
    filters = {
        "action": action or "",
        "participant_id": participant_id or "",
        "since": since or "",
        "until": until or "",
    }
    return render(
        request,
        "admin_audit.html",
        session=session,
        events=events,
        next_cursor=next_cursor,
        filters=filters,
        error=error,
    )


ADMIN_HANDLERS: list[Any] = [
    users_page,
    user_create,
    user_set_active,
    user_reset,
    prisons_page,
    prison_page,
    closure_add,
    closure_remove,
    prison_rules,
    window_add,
    window_remove,
    audit_page,
]
