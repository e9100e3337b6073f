"""Test helpers for documents: write plan items, appointments, release dates, shares and visits straight into
their tables (the APIs that own them live on other branches), and read PDFs back."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


async def add_item(
    participant_id: UUID,
    title_de: str,
    *,
    domain: str = "housing",
    title_en: str = "",
    status: str = "open",
    latest_due: date | None = None,
    earliest_start: date | None = None,
    shared: bool = False,
    notes: str = "",
    position: int = 0,
) -> UUID:
    from prison_liaison.persistence.tables import PlanItemTable
    from prison_liaison.services.security import encrypt_text

    item_id = uuid4()
    await PlanItemTable.insert(
        PlanItemTable(
            id=item_id,
            participant=participant_id,
            domain=domain,
            title_de=title_de,
            title_en=title_en,
            status=status,
            latest_due=latest_due,
            earliest_start=earliest_start,
            shared_with_prison=shared,
            notes_encrypted=encrypt_text(notes) if notes else "",
            position=position,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return item_id


async def change_item(item_id: UUID, at: datetime, **values: Any) -> None:
    from prison_liaison.persistence.tables import PlanItemTable

    await PlanItemTable.update(
        {
            **{getattr(PlanItemTable, k): v for k, v in values.items()},
            PlanItemTable.updated_at: at,
            PlanItemTable.version: PlanItemTable.version + 1,
        }
    ).where(PlanItemTable.id == item_id)


async def add_appointment(
    participant_id: UUID,
    agency: str,
    starts_at: datetime,
    *,
    minutes: int = 60,
    place: str = "",
    what_to_bring: str = "",
    contact: str = "",
    plan_item: UUID | None = None,
    shared: bool = True,
    status: str = "planned",
) -> UUID:
    from datetime import timedelta

    from prison_liaison.persistence.tables import AppointmentTable

    appointment_id = uuid4()
    await AppointmentTable.insert(
        AppointmentTable(
            id=appointment_id,
            participant=participant_id,
            plan_item=plan_item,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            agency=agency,
            place=place,
            contact=contact,
            what_to_bring=what_to_bring,
            status=status,
            shared_with_prison=shared,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return appointment_id


async def add_release_date(
    participant_id: UUID,
    kind: str,
    on: date | None,
    source: str,
    *,
    flags: list[str] | None = None,
    recorded_at: datetime = NOW,
) -> None:
    from prison_liaison.persistence.tables import ReleaseDateEntryTable

    await ReleaseDateEntryTable.insert(
        ReleaseDateEntryTable(
            id=uuid4(),
            participant=participant_id,
            kind=kind,
            date=on,
            source=source,
            flags=flags or [],
            recorded_at=recorded_at,
            created_at=recorded_at,
            updated_at=recorded_at,
        )
    )


async def set_planning_date(participant_id: UUID, on: date | None, *, basis: str = "sentence_end") -> None:
    from prison_liaison.persistence.tables import ParticipantTable

    await ParticipantTable.update(
        {
            ParticipantTable.planning_date: on,
            ParticipantTable.planning_basis: basis,
            ParticipantTable.version: ParticipantTable.version + 1,
        }
    ).where(ParticipantTable.id == participant_id)


async def share(
    participant_id: UUID,
    prison_id: UUID,
    scope: list[str],
    *,
    expires_on: date | None = None,
    revoked: bool = False,
) -> UUID:
    from prison_liaison.persistence.tables import ShareTable

    share_id = uuid4()
    await ShareTable.insert(
        ShareTable(
            id=share_id,
            participant=participant_id,
            prison=prison_id,
            scope=scope,
            consent_date=date(2026, 3, 1),
            consent_scope="Entlassungsplan",
            expires_on=expires_on,
            revoked_at=NOW if revoked else None,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return share_id


async def add_visit(
    participant_id: UUID,
    prison_id: UUID,
    starts_at: datetime,
    mentor_ids: list[UUID],
    *,
    minutes: int = 60,
    status: str = "confirmed",
    room: str = "",
) -> UUID:
    from datetime import timedelta

    from prison_liaison.persistence.tables import VisitAttendeeTable, VisitTable

    visit_id = uuid4()
    await VisitTable.insert(
        VisitTable(
            id=visit_id,
            participant=participant_id,
            prison=prison_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            status=status,
            room=room,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    if mentor_ids:
        await VisitAttendeeTable.insert(
            *[
                VisitAttendeeTable(id=uuid4(), visit=visit_id, user=m, created_at=NOW, updated_at=NOW)
                for m in mentor_ids
            ]
        )
    return visit_id


def pdf_text(pdf: bytes) -> str:
    """The PDF's text by pypdf, with hyphenation at line ends undone so words can be asserted."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return _join_hyphens(text)


def pdftotext(pdf: bytes) -> str | None:
    """poppler's text extraction, when poppler-utils is installed (CI installs it)."""
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return _join_hyphens(done.stdout.decode("utf-8"))


def _join_hyphens(text: str) -> str:
    import re

    text = text.replace("\u00ad", "")
    return re.sub(r"(\w)[-‐]\n(\w)", r"\1\2", text)


def normalised(text: str) -> str:
    """Whitespace collapsed: table cells and line breaks vary between extractors."""
    return " ".join(text.split())
