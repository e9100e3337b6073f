"""Shares (a prison's social service may read named plan domains, with the participant's consent) and calendar
subscriptions (feeds), through the same services as the API."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from prison_liaison.planning.errors import DomainError, ValidationFailed
from prison_liaison.planning.feeds import FeedContent, FeedScope
from prison_liaison.services import feeds as feeds_service
from prison_liaison.services import participants as participants_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import shares as shares_service
from prison_liaison.web.auth import WebSession, error_message, read_form, render
from prison_liaison.web.pages import LIST_LIMIT, _ok


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed("enter a date (YYYY-MM-DD)", field=field) from exc


def _to_participant(participant_id: UUID, *, ok: str | None = None, error: DomainError | None = None) -> Redirect:
    if ok:
        return Redirect(f"/web/participants/{participant_id}?ok={ok}#shares", status_code=303)
    field = f"&field={error.field}" if error is not None and error.field else ""
    code = error.code if error is not None else "error"
    return Redirect(f"/web/participants/{participant_id}?error={code}{field}#shares", status_code=303)


@post("/participants/{participant_id:uuid}/shares", name="share_create")
async def share_create(
    request: Request[Any, Any, Any], participant_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Share plan domains with a prison, recording the participant's consent."""
    form = await read_form(request, session)
    raw = await request.form()
    try:
        prison_id = UUID(form.get("prison_id", ""))
    except ValueError:
        return _to_participant(participant_id, error=ValidationFailed("choose a prison", field="prison_id"))
    try:
        await shares_service.create_share(
            session.caller,
            participant_id,
            prison_id=prison_id,
            scope=[str(v) for v in raw.getall("scope", [])],
            consent_date=_date(form.get("consent_date", ""), "consent_date"),
            consent_scope=form.get("consent_scope", "")[:500],
            expires_on=_date(form["expires_on"], "expires_on") if form.get("expires_on") else None,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _to_participant(participant_id, error=exc)
    return _to_participant(participant_id, ok="share_created")


@post("/shares/{share_id:uuid}/revoke", name="share_revoke")
async def share_revoke(
    request: Request[Any, Any, Any], share_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """End a share now (it stays on record)."""
    await read_form(request, session)
    share = await shares_service.revoke_share(session.caller, share_id)
    return _to_participant(share.participant_id, ok="share_revoked")


# ---------------------------------------------------------------- calendar subscriptions


async def _calendars_page(request: Request[Any, Any, Any], session: WebSession, **extra: Any) -> Template:
    subscriptions = await feeds_service.list_subscriptions(session.caller)
    participants: list[Any] = []
    if not session.caller.is_prison_staff:
        participants, _ = await participants_service.list_participants(session.caller, limit=LIST_LIMIT)
    prisons, _ = await prisons_service.list_prisons(session.caller, limit=LIST_LIMIT, cursor=None)
    return render(
        request,
        "calendars.html",
        session=session,
        subscriptions=subscriptions,
        participants={p.id: p for p in participants},
        prisons={p.id: p for p in prisons},
        **extra,
    )


@get("/calendars", name="calendars")
async def calendars_page(
    request: Request[Any, Any, Any], session: NamedDependency[WebSession], ok: FromQuery[str | None] = None
) -> Template:
    """The caller's calendar subscriptions: create, copy, subscribe, last used, revoke."""
    return await _calendars_page(request, session, ok=_ok(session, ok))


@post("/calendars", name="calendar_create")
async def calendar_create(request: Request[Any, Any, Any], session: NamedDependency[WebSession]) -> Template:
    """A new feed; its secret address is shown once, on this answer."""
    form = await read_form(request, session)
    try:
        try:
            scope = FeedScope(form.get("scope", ""))
        except ValueError as exc:
            raise ValidationFailed("choose what the calendar shows", field="scope") from exc
        try:
            content = FeedContent(form.get("content", "all") or "all")
        except ValueError as exc:
            raise ValidationFailed("choose what the calendar shows", field="content") from exc
        target = form.get("target", "")
        subscription, token = await feeds_service.create_subscription(
            session.caller,
            scope=scope,
            content=content,
            participant_id=UUID(target) if scope == FeedScope.PARTICIPANT and target else None,
            prison_id=(UUID(target) if target else session.caller.prison_id) if scope == FeedScope.PRISON else None,
            name=form.get("name", "")[:100],
        )
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        err = exc if isinstance(exc, DomainError) else ValidationFailed("unknown choice", field="target")
        return await _calendars_page(
            request, session, error=error_message(session.t, err), status_code=getattr(err, "status", 422)
        )
    return await _calendars_page(
        request, session, created=subscription, links=feeds_service.links(token), status_code=201
    )


@post("/calendars/{subscription_id:uuid}/revoke", name="calendar_revoke")
async def calendar_revoke(
    request: Request[Any, Any, Any], subscription_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Revoke a feed: its address answers 404 from the next request on."""
    await read_form(request, session)
    await feeds_service.revoke_subscription(session.caller, subscription_id)
    return Redirect("/web/calendars?ok=calendar_revoked", status_code=303)


SHARING_HANDLERS: list[Any] = [share_create, share_revoke, calendars_page, calendar_create, calendar_revoke]
