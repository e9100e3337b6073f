"""Downloads from the pages: the printable plan (PDF or HTML) and a prison's day list, through the same
documents service as the API (same audience filtering for prison staff, audited)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from prison_liaison import clock
from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.services import documents as documents_service
from prison_liaison.services.documents import RenderedDocument
from prison_liaison.web.auth import WebSession


def _download(doc: RenderedDocument, fmt: str) -> Response[bytes]:
    disposition = "inline" if fmt == "html" else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{doc.filename}"'}
    if doc.content_security_policy:
        headers["Content-Security-Policy"] = doc.content_security_policy
    return Response(doc.body, media_type=doc.media_type, headers=headers)


@get("/participants/{participant_id:uuid}/plan.pdf", name="plan_pdf")
async def plan_pdf(participant_id: FromPath[UUID], session: NamedDependency[WebSession]) -> Response[bytes]:
    """The printable plan as PDF, in the page's language."""
    doc = await documents_service.plan_document(session.caller, participant_id, language=session.lang, fmt="pdf")
    return _download(doc, "pdf")


@get("/participants/{participant_id:uuid}/plan.html", name="plan_html")
async def plan_html(participant_id: FromPath[UUID], session: NamedDependency[WebSession]) -> Response[bytes]:
    """The printable plan as a web page (the browser prints it)."""
    doc = await documents_service.plan_document(session.caller, participant_id, language=session.lang, fmt="html")
    return _download(doc, "html")


@get("/prisons/{prison_id:uuid}/day.pdf", name="day_list_pdf")
async def day_list_pdf(
    prison_id: FromPath[UUID], session: NamedDependency[WebSession], day: FromQuery[str | None] = None
) -> Response[bytes]:
    """A prison's visitor list for one day as PDF."""
    try:
        on = date.fromisoformat(day) if day else clock.today()
    except ValueError as exc:
        raise ValidationFailed("not a calendar date", field="day") from exc
    doc = await documents_service.day_list_document(session.caller, prison_id, on, language=session.lang, fmt="pdf")
    return _download(doc, "pdf")


DOCUMENT_HANDLERS: list[Any] = [plan_pdf, plan_html, day_list_pdf]
