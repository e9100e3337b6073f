"""Pages for everyone signed in: login/logout, the start page, participants.

Handlers stay thin: read the form (CSRF checked), call one service, render or redirect (303, so reloads do not
post twice). Errors from a form re-render the page with the message; other domain errors render the error page
with the same status the API gives (404 for a participant you may not see).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from prison_liaison import clock
from prison_liaison.planning.errors import DomainError, NotFound, TooManyRequests, Unauthorized
from prison_liaison.planning.models import Participant, Prison, Role
from prison_liaison.planning.plans import ItemStatus
from prison_liaison.planning.shares import DEFAULT_SHARED_DOMAINS, SHAREABLE_DOMAINS
from prison_liaison.planning.visits import OPEN_STATUSES, CancelledBy, CancelReason
from prison_liaison.services import auth as auth_service
from prison_liaison.services import participants as participants_service
from prison_liaison.services import plans as plans_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import release_dates as release_dates_service
from prison_liaison.services import shares as shares_service
from prison_liaison.services import visits as visits_service
from prison_liaison.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    WebSession,
    client_of,
    error_message,
    lang_of,
    read_form,
    render,
    safe_next,
    secure_cookies,
)
from prison_liaison.web.i18n import Translator

LIST_LIMIT = 200
OPEN_VISIT_STATUSES = sorted(s.value for s in OPEN_STATUSES)


@get("/", name="web_root", include_in_schema=False)
async def root_redirect() -> Redirect:
    """The front door leads to the pages."""
    return Redirect("/web/", status_code=303)


# ---------------------------------------------------------------- login / logout


def _login_page(
    request: Request[Any, Any, Any],
    *,
    next_url: str,
    message: str | None = None,
    ok: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Template:
    # Login CSRF: a random value in a cookie and in the form must match (no session exists yet).
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    cookie = Cookie(
        key=LOGIN_CSRF_COOKIE,
        value=token,
        path="/web/login",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(),
        max_age=3600,
    )
    return render(
        request,
        "login.html",
        status_code=status_code,
        cookies=[cookie],
        login_csrf=token,
        next_url=next_url,
        message=message,
        ok=ok,
        username=username,
    )


@get("/login", name="login_form")
async def login_form(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None, out: FromQuery[str | None] = None
) -> Template:
    """The login form."""
    t = Translator(lang_of(request))
    return _login_page(request, next_url=safe_next(next), ok=t("logged_out") if out else None)


@post("/login", name="login")
async def login(request: Request[Any, Any, Any]) -> Template | Redirect:
    """Check the password through the auth service, set the session cookie, go to the page asked for."""
    form = await request.form()
    t = Translator(lang_of(request))
    next_url = safe_next(str(form.get("next") or ""))
    username = str(form.get("username") or "").strip()[:80]
    sent_nonce = str(form.get("login_csrf") or "")
    cookie_nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent_nonce or not secrets.compare_digest(sent_nonce, cookie_nonce):
        return _login_page(request, next_url=next_url, message=t("csrf_failed"), username=username, status_code=403)
    try:
        issued = await auth_service.login(
            username, str(form.get("password") or ""), caller=client_of(request), kind="session", name="web"
        )
    except TooManyRequests as exc:
        minutes = max(1, (exc.retry_after + 59) // 60)
        return _login_page(
            request,
            next_url=next_url,
            message=t("login_throttled", minutes=minutes),
            username=username,
            status_code=429,
        )
    except Unauthorized:
        return _login_page(request, next_url=next_url, message=t("login_failed"), username=username, status_code=401)
    max_age = int((issued.expires_at - clock.now()).total_seconds())
    return Redirect(
        next_url,
        status_code=303,
        cookies=[
            Cookie(
                key=SESSION_COOKIE,
                value=issued.token,
                path="/",
                httponly=True,
                samesite="strict",
                secure=secure_cookies(),
                max_age=max_age,
            ),
            Cookie(key=LOGIN_CSRF_COOKIE, value="", path="/web/login", max_age=0, httponly=True),
        ],
    )


@post("/logout", name="logout")
async def logout(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Redirect:
    """End the session (server side) and drop the cookie."""
    await read_form(request, session)
    await auth_service.logout(request.cookies.get(SESSION_COOKIE, ""), session.caller)
    return Redirect(
        "/web/login?out=1",
        status_code=303,
        cookies=[
            Cookie(
                key=SESSION_COOKIE,
                value="",
                path="/",
                max_age=0,
                httponly=True,
                samesite="strict",
                secure=secure_cookies(),
            )
        ],
    )


# ---------------------------------------------------------------- start page and participants


def days_until(participant: Participant) -> int | None:
    if participant.planning_date is None:
        return None
    return (participant.planning_date - clock.today()).days


async def _prison_names(session: WebSession) -> dict[UUID, Prison]:
    prisons, _ = await prisons_service.list_prisons(session.caller, limit=LIST_LIMIT, cursor=None)
    return {p.id: p for p in prisons}


@get("/", name="start")
async def start(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Template:
    """Mentors and coordinators: the agenda and caseload; prison staff: the plans shared with their prison."""
    participants, _ = await participants_service.list_participants(
        session.caller, limit=LIST_LIMIT, order="planning_date", status=None
    )
    prisons = await _prison_names(session)
    if session.caller.role == Role.PRISON_STAFF:
        return render(
            request,
            "staff_start.html",
            session=session,
            participants=participants,
            prisons=prisons,
            days_until=days_until,
        )
    open_cases = [p for p in participants if not p.is_closed]
    today = clock.today()
    mine = session.caller.user_id if session.caller.role == Role.MENTOR else None
    upcoming, _ = await visits_service.list_visits(
        session.caller,
        limit=20,
        mentor_id=mine,
        start=today,
        end=today + timedelta(days=14),
        statuses=OPEN_VISIT_STATUSES,
    )
    overdue = await visits_service.cadence(session.caller, overdue_only=True)
    agenda = await plans_service.agenda(session.caller, start=today, end=today + timedelta(days=14))
    return render(
        request,
        "start.html",
        session=session,
        participants=open_cases,
        prisons=prisons,
        days_until=days_until,
        upcoming=upcoming,
        overdue=overdue,
        agenda=agenda,
    )


@get("/participants", name="participants")
async def participants_list(
    request: Request[Any, Any, Any], session: NamedDependency[WebSession], q: FromQuery[str | None] = None
) -> Template:
    """Every visible participant, soonest release first; filter by code."""
    participants, _ = await participants_service.list_participants(
        session.caller, limit=LIST_LIMIT, order="planning_date", code_prefix=(q or "").strip() or None
    )
    prisons = await _prison_names(session)
    return render(
        request,
        "participants.html",
        session=session,
        participants=participants,
        prisons=prisons,
        days_until=days_until,
        q=q or "",
    )


async def _participant_page(
    request: Request[Any, Any, Any],
    session: WebSession,
    participant: Participant,
    *,
    ok: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    replan: dict[str, Any] | None = None,
) -> Template:
    prisons = await _prison_names(session)
    visits: list[Any] = []
    shares = await shares_service.list_shares(session.caller, participant.id)
    plan = await plans_service.get_plan(session.caller, participant.id)
    release = None
    if session.caller.role != Role.PRISON_STAFF:
        release = await release_dates_service.get_release_dates(session.caller, participant.id)
        visits, _ = await visits_service.list_visits(session.caller, limit=LIST_LIMIT, participant_id=participant.id)
    now = clock.now()
    planned = sorted(
        (v for v in visits if v.ends_at >= now and v.status.value in OPEN_VISIT_STATUSES),
        key=lambda v: v.starts_at,
    )
    past = sorted((v for v in visits if v not in planned), key=lambda v: v.starts_at, reverse=True)
    return render(
        request,
        "participant.html",
        session=session,
        p=participant,
        prisons=prisons,
        days_until=days_until(participant),
        planned_visits=planned,
        past_visits=past,
        shares=shares,
        plan=plan,
        release=release,
        replan=replan,
        item_statuses=[s.value for s in ItemStatus],
        shareable=SHAREABLE_DOMAINS,
        default_shared=DEFAULT_SHARED_DOMAINS,
        today=clock.today(),
        cancel_reasons=[r.value for r in CancelReason],
        cancelled_by=[c.value for c in CancelledBy],
        now=now,
        ok=ok,
        error=error,
        status_code=status_code,
    )


@get("/participants/{participant_id:uuid}", name="participant")
async def participant_page(
    request: Request[Any, Any, Any],
    participant_id: FromPath[UUID],
    session: NamedDependency[WebSession],
    *,
    ok: FromQuery[str | None] = None,
    error: FromQuery[str | None] = None,
    field: FromQuery[str | None] = None,
) -> Template:
    """One participant: base data, visits (and, as their services arrive, dates, plan, shares)."""
    participant = await participants_service.get_participant(session.caller, participant_id)
    return await _participant_page(
        request, session, participant, ok=_ok(session, ok), error=_error_code(session, error, field)
    )


@post("/participants/{participant_id:uuid}/base", name="participant_base")
async def participant_update(
    request: Request[Any, Any, Any], participant_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Mentors change the cadence and notes of their cases (optimistic concurrency via the form's version)."""
    form = await read_form(request, session)
    changes: dict[str, Any] = {}
    if form.get("cadence_days", "").strip():
        try:
            changes["cadence_days"] = int(form["cadence_days"])
        except ValueError:
            changes["cadence_days"] = -1  # the service names the field and the rule
    if "notes" in form:
        changes["notes"] = form["notes"][:10_000]
    try:
        version = int(form.get("version", "0"))
    except ValueError:
        version = 0
    try:
        await participants_service.update_participant(session.caller, participant_id, changes, expected_version=version)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        participant = await participants_service.get_participant_unaudited(session.caller, participant_id)
        return await _participant_page(
            request, session, participant, error=error_message(session.t, exc), status_code=exc.status
        )
    return Redirect(f"/web/participants/{participant_id}?ok=saved", status_code=303)


@get("/{rest:path}", name="web_not_found")
async def not_found(rest: FromPath[str]) -> Template:
    """Any other address under /web: the same 404 page as a participant one may not see."""
    raise NotFound("no such page")


OK_KEYS = frozenset(
    {
        "saved",
        "item_status_changed",
        "plan_created",
        "share_created",
        "share_revoked",
        "calendar_revoked",
        "visit_booked",
        "visit_moved",
        "done_request",
        "done_confirm",
        "done_complete",
        "done_cancel",
        "closure_added",
        "closure_removed",
        "user_deactivated",
        "user_activated",
        "window_added",
        "window_removed",
    }
)


def _ok(session: WebSession, key: str | None) -> str | None:
    return session.t(key) if key in OK_KEYS else None


def _error_code(session: WebSession, code: str | None, field: str | None = None) -> str | None:
    """An error code carried over a redirect: worded from the catalogue only, never echoed."""
    if not code:
        return None
    if code == "validation_failed" and field and session.t.knows_field(field):
        return session.t("check_field", field=session.t.field(field))
    for key in (f"rule_{code}", code):
        if key in ERROR_KEYS or (key.startswith("rule_") and session.t.has(key)):
            return session.t(key)
    return session.t("error_generic")


ERROR_KEYS = frozenset({"stale_version", "csrf_failed"})


PAGE_HANDLERS: list[Any] = [
    login_form,
    login,
    logout,
    start,
    participants_list,
    participant_page,
    participant_update,
    not_found,
]
