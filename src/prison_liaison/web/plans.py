"""Plan and release-date pages: change an item's status with a reason, start a plan from the template, record
an official release date and see what moved — through the same services as the API."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from prison_liaison.planning.errors import DomainError, ValidationFailed
from prison_liaison.services import participants as participants_service
from prison_liaison.services import plans as plans_service
from prison_liaison.services import release_dates as release_dates_service
from prison_liaison.web.auth import WebSession, read_form


def _back(
    participant_id: str | UUID, anchor: str, *, ok: str | None = None, error: DomainError | None = None
) -> Redirect:
    if ok:
        return Redirect(f"/web/participants/{participant_id}?ok={ok}#{anchor}", status_code=303)
    field = f"&field={quote(error.field)}" if error is not None and error.field else ""
    return Redirect(
        f"/web/participants/{participant_id}?error={error.code if error else 'error'}{field}#{anchor}", status_code=303
    )


@post("/plan-items/{item_id:uuid}/status", name="plan_item_status")
async def item_status(
    request: Request[Any, Any, Any], item_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Change an item's status; done/not needed/declined record who and when, the last two need a reason."""
    form = await read_form(request, session)
    participant_id = form.get("participant_id", "")
    try:
        UUID(participant_id)
        version = int(form.get("version", "0") or 0)
        changes: dict[str, Any] = {"status": form.get("status", "")}
        if form.get("reason", "").strip():
            changes["status_reason"] = form["reason"].strip()[:500]
        await plans_service.update_item(session.caller, item_id, changes, expected_version=version)
    except ValueError:
        return Redirect("/web/", status_code=303)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(participant_id, f"item-{item_id}", error=exc)
    return _back(participant_id, f"item-{item_id}", ok="item_status_changed")


@post("/participants/{participant_id:uuid}/plan", name="plan_create")
async def plan_create(
    request: Request[Any, Any, Any], participant_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Redirect:
    """Start the plan from the programme's checklist template."""
    await read_form(request, session)
    try:
        await plans_service.create_plan(session.caller, participant_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(participant_id, "plan", error=exc)
    return _back(participant_id, "plan", ok="plan_created")


@post("/participants/{participant_id:uuid}/release-dates", name="release_date_add")
async def release_date_add(
    request: Request[Any, Any, Any], participant_id: FromPath[UUID], session: NamedDependency[WebSession]
) -> Template | Redirect:
    """Record an official date (prison letter or court decision) and show what moved in the plan."""
    form = await read_form(request, session)
    try:
        try:
            day = date.fromisoformat(form.get("date", "").strip())
        except ValueError as exc:
            raise ValidationFailed("enter a date", field="date") from exc
        recorded = await release_dates_service.record_entry(
            session.caller,
            participant_id,
            kind=form.get("kind", ""),
            source=form.get("source", ""),
            day=day,
            note=form.get("note", "")[:500],
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _back(participant_id, "release-dates", error=exc)
    from prison_liaison.web.pages import _participant_page

    participant = await participants_service.get_participant_unaudited(session.caller, participant_id)
    return await _participant_page(
        request, session, participant, ok=session.t("release_date_recorded"), replan=recorded.replan, status_code=201
    )


PLAN_HANDLERS: list[Any] = [item_status, plan_create, release_date_add]
