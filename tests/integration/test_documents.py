"""Printable release plans and the prison's day list, end to end through HTTP, read back from the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.documents_support import (
    add_appointment,
    add_item,
    add_release_date,
    add_visit,
    change_item,
    normalised,
    pdf_text,
    pdftotext,
    set_planning_date,
    share,
)

HOUSING_NOTE = "Miete höchstens 450 € – Kontakt über „Haus Zuflucht“, Straße"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from prison_liaison.services import documents

    documents.clear_cache()


async def _plan(world: Any) -> dict[str, Any]:
    """T-0001 (mentor1 lead, mentor2 co, JVA-A) with a plan touching every section, shared with JVA-A."""
    pid = world.participants["T-0001"]
    await set_planning_date(pid, date(2026, 9, 9))
    await add_release_date(
        pid, "sentence_end", date(2026, 9, 10), "computed", recorded_at=datetime(2026, 1, 5, tzinfo=UTC)
    )
    await add_release_date(
        pid, "sentence_end", date(2026, 9, 9), "prison_letter", recorded_at=datetime(2026, 2, 5, tzinfo=UTC)
    )
    await add_release_date(pid, "two_thirds", date(2026, 5, 2), "computed", flags=["month_end_start"])
    ids = {
        "housing": await add_item(
            pid,
            "Wohnungssuche; Meldeadresse klären",
            domain="housing",
            title_en="Find housing; settle the registration address",
            latest_due=date(2026, 5, 1),
            shared=True,
            notes=HOUSING_NOTE,
        ),
        "identity": await add_item(
            pid,
            "Personalausweis beantragen",
            domain="identity",
            status="done",
            title_en="Apply for an identity card",
            latest_due=date(2026, 4, 1),
            shared=True,
        ),
        "income": await add_item(
            pid,
            "Bürgergeld-Antrag beim Jobcenter stellen",
            domain="income",
            latest_due=date(2026, 8, 12),
            earliest_start=date(2026, 7, 15),
            shared=True,
        ),
        "derad": await add_item(
            pid,
            "Reflexion ideologischer Denkmuster",
            domain="deradicalisation",
            status="in_progress",
            shared=True,
            notes="Gespräch über frühere Szene",
        ),
        "debts": await add_item(
            pid, "Schuldenübersicht erstellen", domain="finances", latest_due=date(2026, 2, 1), shared=False
        ),
        "health": await add_item(
            pid,
            "Krankenversicherung ab Entlassungstag klären",
            domain="health",
            latest_due=date(2026, 8, 12),
            shared=True,
        ),
    }
    await add_appointment(
        pid,
        "Jobcenter Musterstadt",
        datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        place="Hauptstraße 5, Raum 1.12",
        what_to_bring="Personalausweis, Entlassungsschein",
        contact="Frau Öztürk",
        plan_item=ids["income"],
    )
    await add_appointment(
        pid,
        "Schuldnerberatung Süd",
        datetime(2026, 3, 25, 13, 0, tzinfo=UTC),
        place="Am Markt 2",
        plan_item=ids["debts"],
    )
    await add_appointment(pid, "Bürgeramt (vergangen)", datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    # deradicalisation is in the scope on purpose: it must stay off the prison's copy anyway
    await share(
        pid, world.prisons["JVA-A"], ["housing", "identity", "income", "deradicalisation", "release_dates"]
    )
    return {"pid": pid, "ids": ids}


def _url(pid: Any, fmt: str = "pdf", lang: str | None = None) -> str:
    return f"/api/v1/participants/{pid}/plan.{fmt}" + (f"?lang={lang}" if lang else "")


async def test_plan_pdf_for_mentor_shows_every_section_in_german(world, fixed_clock) -> None:
    plan = await _plan(world)

    response = await world.get("mentor1", _url(plan["pid"]))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="Entlassungsplan-T-0001.pdf"'
    extracted = [pdf_text(response.content)]
    poppler = pdftotext(response.content)
    if poppler is not None:
        extracted.append(poppler)
    for raw in extracted:
        text = normalised(raw)
        for expected in (
            "Vertraulich – personenbezogene Daten",
            "Entlassungsplan T-0001",
            "T-0001 (A.A.)",
            "JVA Anfang (JVA-A)",
            "Stand: 10.03.2026 · Version 1",
            "Seite 1 von 2",
            "Änderungen seit dem letzten Ausdruck",
            "Erster Ausdruck",
            "Entlassungstermine",
            "Strafende",
            "Mi, 09.09.2026",
            "Schreiben der JVA",
            "Zwei-Drittel-Termin",
            "prüfen",
            "Planungsdatum",
            "Ausstiegsbegleitung",
            "Federführung",
            "Mentor1",
            "Co-Begleitung",
            "Mentor2",
            "Wohnen",
            "Wohnungssuche; Meldeadresse klären",
            HOUSING_NOTE,
            "Personalausweis beantragen",
            "erledigt",
            "Reflexion ideologischer Denkmuster",
            "Schuldenübersicht erstellen",
            "überfällig",
            "Anstehende Termine bei Behörden und Stellen",
            "Fr, 20.03.2026 10:00–11:00 Uhr",
            "Jobcenter Musterstadt",
            "Hauptstraße 5, Raum 1.12",
            "Personalausweis, Entlassungsschein",
            "Schuldnerberatung Süd",
            "Unterschriften",
            "Sozialdienst der JVA",
        ):
            assert expected in text, f"{expected!r} missing"
        # a pseudonymised print: never the full name; past appointments are not "upcoming"
        for absent in ("Anna", "Alpha", "Bürgeramt (vergangen)", "Version 2"):
            assert absent not in text
        # the stale ledger entry (computed 10.09.) is superseded by the prison's letter
        assert "10.09.2026" not in text


async def test_plan_pdf_is_a4_tagged_pdf_ua_with_embedded_fonts(world, fixed_clock) -> None:
    from pypdf import PdfReader

    plan = await _plan(world)
    response = await world.get("mentor1", _url(plan["pid"]))
    reader = PdfReader(io.BytesIO(response.content))

    assert len(reader.pages) >= 1
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1
        assert abs(float(page.mediabox.height) - 842) <= 1
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    assert all("Plan-Sans" in name for name in fonts), fonts  # our shipped fonts, not whatever the system has
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]) == "de"
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == "Entlassungsplan T-0001"


async def test_plan_pdf_for_prison_staff_shows_only_the_shared_part(world, fixed_clock) -> None:
    plan = await _plan(world)

    response = await world.get("prison1", _url(plan["pid"]))

    assert response.status_code == 200, response.text
    text = normalised(pdf_text(response.content))
    for expected in (
        "Ausfertigung für den Sozialdienst der JVA",
        "Wohnungssuche; Meldeadresse klären",
        "Personalausweis beantragen",
        "Bürgergeld-Antrag beim Jobcenter stellen",
        "Jobcenter Musterstadt",
        "Personalausweis, Entlassungsschein",
        "Strafende",
        "Mentor1",
        "T-0001 (A.A.)",
    ):
        assert expected in text, f"{expected!r} missing"
    for absent in (
        "Reflexion ideologischer Denkmuster",  # deradicalisation: never, although flagged and in scope
        "Distanzierung",
        "Gespräch über frühere Szene",
        "Schuldenübersicht erstellen",  # not flagged for the prison
        "Schuldnerberatung Süd",  # its appointment belongs to an unshared item
        "Krankenversicherung",  # flagged, but its domain is not shared
        HOUSING_NOTE,  # no notes on the prison's copy
        "Frau Öztürk",  # nor agency contacts
        "Anna",
        "Alpha",
    ):
        assert absent not in text, f"{absent!r} leaked"
    html = (await world.get("prison1", _url(plan["pid"], "html"))).text
    assert "Wohnungssuche; Meldeadresse klären" in html
    assert "Reflexion ideologischer Denkmuster" not in html and "Schuldenübersicht" not in html


async def test_plan_pdf_for_prison_staff_without_release_dates_in_scope_hides_them(
    world, fixed_clock
) -> None:
    plan = await _plan(world)
    from prison_liaison.persistence.tables import ShareTable

    await ShareTable.update({ShareTable.scope: ["housing"]}).where(ShareTable.participant == plan["pid"])

    text = normalised(pdf_text((await world.get("prison1", _url(plan["pid"]))).content))

    assert "Die Entlassungstermine sind nicht freigegeben." in text
    assert "Schreiben der JVA" not in text
    assert "Planungsdatum: Mi, 09.09.2026" in text
    assert "Personalausweis beantragen" not in text


async def test_plan_pdf_is_404_for_other_mentors_and_unshared_prisons(world, fixed_clock) -> None:
    plan = await _plan(world)

    for username in ("mentor3", "prison2"):
        response = await world.get(username, _url(plan["pid"]))
        assert response.status_code == 404, username
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "not_found"


async def test_plan_pdf_is_404_for_staff_once_the_share_expired(world, fixed_clock) -> None:
    pid = world.participants["T-0002"]
    await add_item(pid, "Wohnungssuche", shared=True)
    await share(pid, world.prisons["JVA-A"], ["housing"], expires_on=date(2026, 3, 9))

    response = await world.get("prison1", _url(pid))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_plan_note_with_html_and_outside_url_renders_as_text_and_fetches_nothing(
    world, fixed_clock, monkeypatch
) -> None:
    from prison_liaison.exports import pdf as pdf_export

    pid = world.participants["T-0001"]
    title = '<img src="https://evil.example/t.png"> Wohnung'
    note = '<link rel="stylesheet" href="http://evil.example/x.css"><b>fett</b> url(http://evil.example/y)'
    await add_item(pid, title, notes=note, latest_due=date(2026, 5, 1))
    requested: list[str] = []
    fetcher_class = pdf_export._fetcher_class()
    original = fetcher_class.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        requested.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(fetcher_class, "fetch", spy)

    response = await world.get("mentor1", _url(pid))
    html = await world.get("mentor1", _url(pid, "html"))

    assert response.status_code == 200
    text = normalised(pdf_text(response.content))
    assert title in text
    assert '<link rel="stylesheet" href="http://evil.example/x.css"><b>fett</b>' in text
    assert not [u for u in requested if "evil.example" in u]
    assert all(u.startswith(("file:", "data:")) for u in requested)
    assert "<img" not in html.text and "&lt;img src=&#34;https://evil.example/t.png&#34;&gt;" in html.text


def test_fetcher_refuses_network_and_files_outside_the_templates() -> None:
    from prison_liaison.exports import pdf as pdf_export
    from prison_liaison.settings import TEMPLATES_DIR

    fetcher = pdf_export.make_fetcher(TEMPLATES_DIR)
    font = (TEMPLATES_DIR / "documents" / "fonts" / "DejaVuSans.ttf").resolve()

    assert fetcher.fetch(font.as_uri()).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,SGFsbG8=").read() == b"Hallo"
    for url in (
        "http://evil.example/x.png",
        "https://evil.example/x.png",
        "ftp://evil.example/x",
        "file:///etc/passwd",
        (TEMPLATES_DIR / "documents" / ".." / ".." / "pyproject.toml").as_uri(),
        "//evil.example/x",
    ):
        with pytest.raises(pdf_export.FetchRefused):
            fetcher.fetch(url)


async def test_plan_download_is_audited_every_time(world, fixed_clock) -> None:
    plan = await _plan(world)

    first = await world.get("mentor1", _url(plan["pid"]))
    second = await world.get("mentor1", _url(plan["pid"]))
    events = await world.get("coordinator", f"/api/v1/audit-events?participant_id={plan['pid']}")

    assert first.headers["x-document-cache"] == "miss"
    assert second.headers["x-document-cache"] == "hit"
    downloads = [e for e in events.json()["items"] if e["action"] == "document.downloaded"]
    assert len(downloads) == 2
    assert {e["actor_username"] for e in downloads} == {"mentor1"}
    assert {e["subject_id"] for e in downloads} == {str(plan["pid"])}


async def test_plan_changes_since_last_print_per_audience(world, fixed_clock) -> None:
    plan = await _plan(world)
    ids = plan["ids"]
    assert (await world.get("mentor1", _url(plan["pid"]))).status_code == 200
    assert (await world.get("prison1", _url(plan["pid"]))).status_code == 200
    later = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    fixed_clock.instant = later
    await change_item(ids["housing"], later, latest_due=date(2026, 5, 15))
    await change_item(ids["identity"], later, status="open")
    await change_item(ids["income"], later, status="done")
    await change_item(ids["debts"], later, latest_due=date(2026, 2, 20))

    mentor = await world.get("mentor2", _url(plan["pid"]))
    staff = await world.get("prison1", _url(plan["pid"]))
    again = await world.get("mentor1", _url(plan["pid"]))

    mentor_text = normalised(pdf_text(mentor.content))
    assert "Stand: 12.03.2026 · Version 2" in mentor_text
    assert "Seit dem Ausdruck vom 10.03.2026 (Version 1):" in mentor_text
    assert (
        "„Wohnungssuche; Meldeadresse klären“: Frist verschoben 01.05.2026 → 15.05.2026 (14 Tage später)"
        in (mentor_text)
    )
    assert "„Personalausweis beantragen“: wieder offen (offen)" in mentor_text
    assert "„Bürgergeld-Antrag beim Jobcenter stellen“: abgeschlossen (erledigt)" in mentor_text
    assert (
        "„Schuldenübersicht erstellen“: Frist verschoben 01.02.2026 → 20.02.2026 (19 Tage später)"
        in mentor_text
    )
    staff_text = normalised(pdf_text(staff.content))
    assert "Version 2" in staff_text
    assert "Frist verschoben 01.05.2026 → 15.05.2026" in staff_text
    assert "Schuldenübersicht" not in staff_text
    # a reprint of unchanged content is the same document: same version, same changes, from the cache
    assert again.headers["x-document-cache"] == "hit"
    assert normalised(pdf_text(again.content)) == mentor_text


async def test_plan_pdf_in_english(world, fixed_clock) -> None:
    plan = await _plan(world)

    response = await world.get("mentor1", _url(plan["pid"], lang="en"))

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="release-plan-T-0001.pdf"'
    text = normalised(pdf_text(response.content))
    for expected in (
        "Release plan T-0001",
        "Confidential – personal data",
        "Page 1 of",
        "As of: 10 Mar 2026 · Version 1",
        "Sentence end",
        "prison letter",
        "Find housing; settle the registration address",
        "Lead mentor",
        "Changes since the last print",
        "Upcoming agency appointments",
        "Fri, 20 Mar 2026 10:00–11:00",
        "Signatures",
    ):
        assert expected in text or expected in text.lower(), f"{expected!r} missing"


async def test_plan_with_unknown_language_is_a_problem(world, fixed_clock) -> None:
    response = await world.get("mentor1", _url(world.participants["T-0001"], lang="fr"))

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "lang" in response.text


async def test_plan_html_uses_the_same_template_with_a_strict_csp(world, fixed_clock) -> None:
    plan = await _plan(world)

    response = await world.get("mentor1", _url(plan["pid"], "html"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == 'inline; filename="Entlassungsplan-T-0001.html"'
    csp = response.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-")
    html = response.text
    assert '<html lang="de">' in html
    assert "<title>Entlassungsplan T-0001</title>" in html
    assert '<th scope="col">Aufgabe</th>' in html
    assert "Reflexion ideologischer Denkmuster" in html
    assert "Anna" not in html


# --- the prison's day list ------------------------------------------------------------------------------


async def _day(world: Any) -> None:
    jva_a, jva_b = world.prisons["JVA-A"], world.prisons["JVA-B"]
    m1, m2, m3 = (world.users[n].id for n in ("mentor1", "mentor2", "mentor3"))
    p1, p2, p3, p4 = (world.participants[c] for c in ("T-0001", "T-0002", "T-0003", "T-0004"))
    # Thursday 2026-03-12 in Berlin (UTC+1)
    await add_visit(p1, jva_a, datetime(2026, 3, 12, 8, 0, tzinfo=UTC), [m1, m2], room="Besuchsraum 2")
    await add_visit(p2, jva_a, datetime(2026, 3, 12, 9, 30, tzinfo=UTC), [m1], status="requested")
    await add_visit(
        p4, jva_a, datetime(2026, 3, 11, 23, 30, tzinfo=UTC), [m3], room="Nachtraum"
    )  # 00:30 local
    await add_visit(
        p4, jva_a, datetime(2026, 3, 11, 22, 30, tzinfo=UTC), [m3], room="Vortag"
    )  # 23:30 on the 11th
    await add_visit(
        p1, jva_a, datetime(2026, 3, 12, 12, 0, tzinfo=UTC), [m1], status="cancelled", room="Abgesagt"
    )
    await add_visit(
        p2, jva_a, datetime(2026, 3, 12, 13, 0, tzinfo=UTC), [m2], status="planned", room="Geplant"
    )
    await add_visit(p3, jva_b, datetime(2026, 3, 12, 8, 0, tzinfo=UTC), [m3], room="Andere JVA")


async def test_day_list_shows_who_visits_whom_for_the_prisons_staff(world, fixed_clock) -> None:
    await _day(world)
    url = f"/api/v1/prisons/{world.prisons['JVA-A']}/visits/2026-03-12.pdf"

    response = await world.get("prison1", url)

    assert response.status_code == 200, response.text
    assert (
        response.headers["content-disposition"] == 'attachment; filename="Besuchsliste-JVA-A-2026-03-12.pdf"'
    )
    text = normalised(pdf_text(response.content))
    for expected in (
        "Besuchsliste JVA-A – Do, 12.03.2026",
        "JVA Anfang",
        "00:30–01:30 T-0004 (D.D.) Mentor3 Nachtraum bestätigt",
        "09:00–10:00 T-0001 (A.A.) Mentor1, Mentor2 Besuchsraum 2 bestätigt",
        "10:30–11:30 T-0002 (B.B.) Mentor1 – angefragt",
        "Vertraulich – personenbezogene Daten",
    ):
        assert expected in text, f"{expected!r} missing in {text}"
    for absent in ("Vortag", "Abgesagt", "Geplant", "Andere JVA", "Anna", "Alpha"):
        assert absent not in text
    assert text.index("00:30") < text.index("09:00") < text.index("10:30")


async def test_day_list_for_coordinators_and_404_for_everyone_else(world, fixed_clock) -> None:
    await _day(world)
    url = f"/api/v1/prisons/{world.prisons['JVA-A']}/visits/2026-03-12.pdf"

    coordinator = await world.get("coordinator", url)
    others = {name: await world.get(name, url) for name in ("prison2", "mentor1")}
    events = await world.get("coordinator", "/api/v1/audit-events?action=document.downloaded")

    assert coordinator.status_code == 200
    assert "T-0001 (A.A.)" in normalised(pdf_text(coordinator.content))
    for name, answer in others.items():
        assert answer.status_code == 404, name
        assert answer.json()["code"] == "not_found"
    day_lists = [e for e in events.json()["items"] if e["detail"].get("document") == "day_list"]
    assert {e["actor_username"] for e in day_lists} == {"coordinator"}
    assert {e["participant_id"] for e in day_lists} == {
        str(world.participants[c]) for c in ("T-0001", "T-0002", "T-0004")
    }
    assert {e["subject_id"] for e in day_lists} == {str(world.prisons["JVA-A"])}


async def test_day_list_empty_day_and_bad_dates(world, fixed_clock) -> None:
    base = f"/api/v1/prisons/{world.prisons['JVA-A']}/visits"

    empty = await world.get("prison1", f"{base}/2026-03-13.pdf")
    impossible = await world.get("prison1", f"{base}/2026-02-30.pdf")
    wrong_suffix = await world.get("prison1", f"{base}/2026-03-13.docx")
    html = await world.get("prison1", f"{base}/2026-03-13.html")

    assert empty.status_code == 200
    assert "Keine angefragten oder bestätigten Besuche an diesem Tag." in normalised(pdf_text(empty.content))
    for bad in (impossible, wrong_suffix):
        assert bad.status_code == 422
        assert bad.json()["field"] == "date"
    assert html.status_code == 200 and '<html lang="de">' in html.text


async def test_day_list_far_off_date_is_a_problem_naming_the_date(world, fixed_clock) -> None:
    base = f"/api/v1/prisons/{world.prisons['JVA-A']}/visits"

    for day_file in ("9999-12-31.pdf", "0001-01-01.html"):
        for user in ("prison1", "coordinator"):
            response = await world.get(user, f"{base}/{day_file}")
            assert response.status_code == 422, (user, day_file, response.text)
            assert response.json()["field"] == "date"
            assert "between 2000 and 2100" in response.json()["detail"]
    # a mentor still learns nothing about prisons' day lists
    assert (await world.get("mentor1", f"{base}/9999-12-31.pdf")).status_code == 404


async def test_long_plan_repeats_table_headers_on_every_page(world, fixed_clock) -> None:
    from pypdf import PdfReader

    pid = world.participants["T-0002"]
    for i in range(45):
        await add_item(
            pid,
            f"Unterlagen Nummer {i + 1:02d} für die Wohnungssuche zusammenstellen",
            latest_due=date(2026, 4, 1),
            notes="Rücksprache mit dem Träger" if i % 2 else "",
        )

    response = await world.get("mentor1", _url(pid))

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    texts = [normalised(page.extract_text()) for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {len(texts)}" in text
        assert "T-0002" in text and "Vertraulich – personenbezogene Daten" in text
    pages_with_items = [t for t in texts if "Unterlagen Nummer" in t]
    assert len(pages_with_items) >= 2
    assert all("Aufgabe Status Fällig bis" in t for t in pages_with_items)
    # no row is split across pages: each item's title and its note sit on one page
    for i in range(1, 45, 2):
        title = f"Unterlagen Nummer {i + 1:02d}"
        page = next((t for t in texts if title in t), None)
        assert page is not None, (title, texts)
        assert page.index(title) < page.index("Rücksprache mit dem Träger", page.index(title))


async def test_plan_reprint_after_a_contact_change_is_a_new_version_without_plan_changes(
    world, fixed_clock
) -> None:
    from prison_liaison.persistence.tables import UserTable

    plan = await _plan(world)
    first = normalised(pdf_text((await world.get("mentor1", _url(plan["pid"]))).content))
    await UserTable.update({UserTable.phone: "0151 9999999", UserTable.version: UserTable.version + 1}).where(
        UserTable.username == "mentor2"
    )

    second = normalised(pdf_text((await world.get("mentor1", _url(plan["pid"]))).content))

    assert "Version 1" in first and "0151 9999999" not in first
    assert "Stand: 10.03.2026 · Version 2" in second
    assert "0151 9999999" in second
    assert (
        "Seit dem Ausdruck vom 10.03.2026 (Version 1): Keine Änderungen an Fristen, Punkten und Terminen."
        in second
    )
