"""Printable documents: the release plan (mentors, coordinators, prison staff) and the prison's day list.

Each audience gets its own copy: ``programme`` (mentors, coordinators) sees the whole plan; ``prison:<id>``
sees only items flagged for the prison in an actively shared domain, never deradicalisation, never notes.
What an audience printed last is kept (PlanPrintTable) so the next print can say what changed since.
Rendered documents are cached by (plan fingerprint, template version, language, audience, day, format):
a repeated download costs an access check, one aggregate query and the audit entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from prison_liaison import clock
from prison_liaison.exports import pdf as pdf_export
from prison_liaison.persistence import db
from prison_liaison.persistence import documents as documents_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.planning import documents as plan_docs
from prison_liaison.planning.errors import NotFound, StaleVersion, ValidationFailed
from prison_liaison.planning.models import Participant, Role
from prison_liaison.planning.visits import check_date
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text
from prison_liaison.settings import TEMPLATES_DIR, get_settings

Format = Literal["pdf", "html"]
PROGRAMME_AUDIENCE = "programme"
DAY_LIST_STATUSES = ("requested", "confirmed")
FILENAME_PREFIX = {"de": "Entlassungsplan", "en": "release-plan"}
DAY_LIST_PREFIX = {"de": "Besuchsliste", "en": "visitor-list"}
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html"}


class RenderedDocument(msgspec.Struct, frozen=True, kw_only=True):
    body: bytes
    media_type: str
    filename: str
    content_security_policy: str = ""
    from_cache: bool = False


def renderer() -> pdf_export.DocumentRenderer:
    return pdf_export.get_renderer(TEMPLATES_DIR / "documents", get_settings().pdf_threads)


# --- cache --------------------------------------------------------------------------------------------


class _DocumentCache:
    """A small in-process LRU, bounded by entries and bytes. PDFs differ byte-wise between renders of the
    same input, so the key is what went in, never a hash of what came out."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[Any, ...], RenderedDocument] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> RenderedDocument | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], doc: RenderedDocument) -> None:
        if len(doc.body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = doc
            self._bytes += len(doc.body)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_cache = _DocumentCache()


def clear_cache() -> None:
    _cache.clear()


# --- the release plan ---------------------------------------------------------------------------------


def audience_of(caller: Caller) -> str:
    if caller.role == Role.PRISON_STAFF:
        return f"prison:{caller.prison_id}"
    return PROGRAMME_AUDIENCE


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz)


async def _load_content(
    caller: Caller, participant: Participant, tz: ZoneInfo, today: date
) -> tuple[plan_docs.PlanContent, bool]:
    """What this caller's audience may see of the plan; and whether the release dates are shared."""
    pid = participant.id
    with_notes = await documents_repo.plan_items(pid)
    items = tuple(
        msgspec.structs.replace(item, notes=decrypt_text(encrypted) if encrypted else "")
        for item, encrypted in with_notes
    )
    appointments = tuple(
        msgspec.structs.replace(a, starts_at=_local(a.starts_at, tz), ends_at=_local(a.ends_at, tz))
        for a in await documents_repo.appointments(pid)
    )
    release_dates = plan_docs.current_release_dates(await documents_repo.release_date_entries(pid))
    mentors = tuple(
        plan_docs.MentorView(role=m.role.value, display_name=m.display_name, phone=m.phone, email=m.email)
        for m in participant.mentors
    )
    content = plan_docs.PlanContent(
        items=items,
        appointments=appointments,
        release_dates=release_dates,
        planning_date=participant.planning_date,
        planning_basis=participant.planning_basis,
        mentors=mentors,
    )
    if caller.role != Role.PRISON_STAFF:
        return content, True
    assert caller.prison_id is not None
    scope = plan_docs.active_share_scope(
        await documents_repo.shares_to_prison(pid, caller.prison_id), today=today
    )
    return plan_docs.for_prison(content, scope), plan_docs.RELEASE_DATES_DOMAIN in scope


def _digest(content: plan_docs.PlanContent) -> str:
    """Everything this audience's print shows (notes and contacts included): a new digest is a new version."""
    stable = msgspec.structs.replace(
        content,
        items=tuple(sorted(content.items, key=lambda i: str(i.id))),
        appointments=tuple(sorted(content.appointments, key=lambda a: str(a.id))),
    )
    return hashlib.sha256(msgspec.json.encode(stable)).hexdigest()


async def _record_print(
    caller: Caller,
    participant_id: UUID,
    *,
    audience: str,
    snap: dict[str, Any],
    digest: str,
    today: date,
    audit_detail: dict[str, Any],
) -> tuple[int, dict[str, Any] | None]:
    """Remember what this audience printed; answer (edition, the print to compare with).

    Printing unchanged content again keeps the edition and the comparison, so a reprint equals the print.
    """
    for _attempt in range(3):
        try:
            async with db.transaction():
                row = await documents_repo.last_print(participant_id, audience)
                now = clock.now()
                entry = {"digest": digest, "printed_on": today.isoformat(), "content": snap}
                if row is None:
                    await documents_repo.insert_print(
                        participant_id,
                        audience,
                        {**entry, "previous": None},
                        printed_by=caller.user_id,
                        now=now,
                    )
                    edition, previous = 1, None
                elif row["snapshot"].get("digest") == digest:
                    edition, previous = row["version"], row["snapshot"].get("previous")
                else:
                    old = row["snapshot"]
                    previous = {
                        "printed_on": old.get("printed_on"),
                        "edition": row["version"],
                        "content": old.get("content", {}),
                    }
                    edition = await documents_repo.update_print(
                        row["id"],
                        {**entry, "previous": previous},
                        expected_version=row["version"],
                        printed_by=caller.user_id,
                        now=now,
                    )
                await audit.record(
                    caller,
                    "document.downloaded",
                    subject_type="participant",
                    subject_id=participant_id,
                    participant_id=participant_id,
                    edition=edition,
                    **audit_detail,
                )
            return edition, previous
        except StaleVersion:
            continue  # someone printed the same plan at the same moment: read their record and go again
    raise StaleVersion("the plan is being printed concurrently; try again")


async def plan_document(
    caller: Caller, participant_id: UUID, *, language: str, fmt: Format
) -> RenderedDocument:
    """The release plan as this caller's audience may print it (the download is audited)."""
    if language not in ("de", "en"):
        raise ValidationFailed("language must be de or en", field="lang")
    participant, _ = await access.load_participant(caller, participant_id)
    audience = audience_of(caller)
    today = clock.today()
    render = renderer()
    fingerprint = await documents_repo.plan_fingerprint(participant_id)
    key = ("plan", participant_id, fingerprint, render.template_version, language, audience, today, fmt)
    detail = {"document": "plan", "format": fmt, "language": language, "audience": audience}
    cached = _cache.get(key)
    if cached is not None:
        await audit.record(
            caller,
            "document.downloaded",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            cached=True,
            **detail,
        )
        return msgspec.structs.replace(cached, from_cache=True)

    prison = await prisons_repo.get_prison(participant.prison_id) if participant.prison_id else None
    tz = ZoneInfo(prison.timezone if prison else "Europe/Berlin")
    content, dates_shared = await _load_content(caller, participant, tz, today)
    snap = plan_docs.snapshot(content)
    edition, previous = await _record_print(
        caller,
        participant_id,
        audience=audience,
        snap=snap,
        digest=_digest(content),
        today=today,
        audit_detail={**detail, "cached": False},
    )
    changes = plan_docs.changes_between(previous["content"], snap) if previous else ()
    doc = plan_docs.PlanDocument(
        language=language,
        code=participant.code,
        initials=participant.initials,
        prison_name=prison.name if prison else "",
        prison_code=prison.code if prison else "",
        is_prison_copy=caller.role == Role.PRISON_STAFF,
        stand=today,
        edition=edition,
        content=content,
        sections=plan_docs.group_by_domain(content.items),
        upcoming_appointments=plan_docs.upcoming(content.appointments, now_local=clock.now().astimezone(tz)),
        today=today,
        changes=changes,
        baseline_printed_on=date.fromisoformat(previous["printed_on"]) if previous else None,
        baseline_edition=previous["edition"] if previous else None,
        release_dates_shared=dates_shared,
    )
    filename = f"{FILENAME_PREFIX[language]}-{participant.code}.{fmt}"
    result = await _render(render, render.plan_html, doc, language=language, fmt=fmt, filename=filename)
    _cache.put(key, result)
    return result


async def _render(
    render: pdf_export.DocumentRenderer, to_html: Any, doc: Any, *, language: str, fmt: Format, filename: str
) -> RenderedDocument:
    if fmt == "html":
        html = to_html(doc, inline_css=True)
        return RenderedDocument(
            body=html.encode("utf-8"),
            media_type=MEDIA_TYPES["html"],
            filename=filename,
            content_security_policy=html_csp(render),
        )
    body = await render.render_pdf(to_html(doc), language)
    return RenderedDocument(body=body, media_type=MEDIA_TYPES["pdf"], filename=filename)


def html_csp(render: pdf_export.DocumentRenderer) -> str:
    """The HTML copy may use its own inline stylesheet and nothing else: no scripts, no fetches."""
    return (
        f"default-src 'none'; style-src '{render.inline_style_hash}'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


# --- the prison's day list ----------------------------------------------------------------------------


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` starts and ends in the prison's time zone (23 or 25 hours at DST)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


async def day_list_document(
    caller: Caller, prison_id: UUID, day: date, *, language: str, fmt: Format
) -> RenderedDocument:
    """Who visits whom at a prison on a day, for its gate: its own staff and coordinators (audited)."""
    access.require_role(caller, Role.COORDINATOR, Role.PRISON_STAFF)
    if caller.role == Role.PRISON_STAFF and caller.prison_id != prison_id:
        raise NotFound("prison not found")
    if language not in ("de", "en"):
        raise ValidationFailed("language must be de or en", field="lang")
    check_date(day, "date")  # far-off years are typos, and day 9999-12-31 has no end to compute
    prison = await prisons_repo.get_prison(prison_id)
    if prison is None:
        raise NotFound("prison not found")
    tz = ZoneInfo(prison.timezone)
    start, end = day_bounds(day, tz)
    rows = await documents_repo.visits_at_prison(prison_id, start, end, DAY_LIST_STATUSES)
    visits = tuple(
        plan_docs.DayListVisit(
            starts_at=r["starts_at"].astimezone(tz),
            ends_at=r["ends_at"].astimezone(tz),
            code=r["code"],
            initials=plan_docs.initials_of(r["first_name"], r["last_name"]),
            mentors=tuple(r["mentors"]),
            room=r["room"] or "",
            status=r["status"],
        )
        for r in rows
    )
    # one event per participant on the list, so each participant's access history shows the print
    shown: list[UUID | None] = sorted({r["participant"] for r in rows}, key=str) or [None]
    async with db.transaction():
        for participant_id in shown:
            await audit.record(
                caller,
                "document.downloaded",
                subject_type="prison",
                subject_id=prison_id,
                participant_id=participant_id,
                document="day_list",
                format=fmt,
                language=language,
                day=day,
            )
    day_list = plan_docs.DayList(
        language=language,
        prison_name=prison.name,
        prison_code=prison.code,
        day=day,
        stand=clock.today(),
        visits=visits,
        visitor_requirements=prison.visitor_requirements,
    )
    render = renderer()
    filename = f"{DAY_LIST_PREFIX[language]}-{prison.code}-{day.isoformat()}.{fmt}"
    return await _render(
        render, render.day_list_html, day_list, language=language, fmt=fmt, filename=filename
    )
