"""Printable documents: a participant's release plan (PDF or HTML) and a prison's visitor list for one day."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.services import documents as documents_service
from prison_liaison.services.context import Caller
from prison_liaison.services.documents import Format, RenderedDocument

Language = Annotated[Literal["de", "en"], QueryParameter(name="lang", description="de (default) or en")]
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(pdf|html)$")


def _answer(doc: RenderedDocument, fmt: Format) -> Response[bytes]:
    headers = {
        "Content-Disposition": f'{"inline" if fmt == "html" else "attachment"}; filename="{doc.filename}"',
        "X-Document-Cache": "hit" if doc.from_cache else "miss",
    }
    if doc.content_security_policy:
        headers["Content-Security-Policy"] = doc.content_security_policy
    return Response(doc.body, media_type=doc.media_type, headers=headers)


def _parse_day_file(value: str) -> tuple[date, Format]:
    match = _DAY_FILE.match(value)
    if match is None:
        raise ValidationFailed("expected YYYY-MM-DD.pdf or YYYY-MM-DD.html", field="date")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise ValidationFailed("not a calendar date", field="date") from exc
    return day, "pdf" if match.group(2) == "pdf" else "html"


class DocumentController(Controller):
    tags = ["documents"]

    @get(
        "/api/v1/participants/{participant_id:uuid}/plan.pdf",
        operation_id="getPlanPdf",
        media_type="application/pdf",
    )
    async def plan_pdf(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller], lang: Language = "de"
    ) -> Response[bytes]:
        """The release plan as a tagged A4 PDF (prison staff get the shared part only; audited)."""
        doc = await documents_service.plan_document(caller, participant_id, language=lang, fmt="pdf")
        return _answer(doc, "pdf")

    @get(
        "/api/v1/participants/{participant_id:uuid}/plan.html",
        operation_id="getPlanHtml",
        media_type="text/html",
    )
    async def plan_html(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller], lang: Language = "de"
    ) -> Response[bytes]:
        """The release plan as HTML, from the same template as the PDF (audited)."""
        doc = await documents_service.plan_document(caller, participant_id, language=lang, fmt="html")
        return _answer(doc, "html")

    @get(
        "/api/v1/prisons/{prison_id:uuid}/visits/{day_file:str}",
        operation_id="getPrisonDayList",
        media_type="application/pdf",
    )
    async def day_list(
        self,
        prison_id: FromPath[UUID],
        day_file: FromPath[str],
        caller: NamedDependency[Caller],
        lang: Language = "de",
    ) -> Response[bytes]:
        """Who visits whom at a prison on a day (requested, confirmed): for its staff and coordinators."""
        day, fmt = _parse_day_file(day_file)
        doc = await documents_service.day_list_document(caller, prison_id, day, language=lang, fmt=fmt)
        return _answer(doc, fmt)
