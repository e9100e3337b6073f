"""The pages in a real Chromium against the real server with the demo programme."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import LiveServer, login, screenshot

pytestmark = pytest.mark.e2e


async def test_mentor_logs_in_and_sees_caseload_by_release(page: Any, live_server: LiveServer) -> None:
    await page.goto("/web/participants")
    assert "/web/login" in page.url
    await login(page, "mentor1")
    assert page.url.endswith("/web/participants")
    await page.goto("/web/")
    assert await page.locator("html").get_attribute("lang") == "de"
    assert await page.get_by_role("heading", level=1).inner_text() == "Übersicht"
    codes = await page.locator("tbody th").all_inner_texts()
    assert codes and all(c.startswith("L-2026-") for c in codes)
    await screenshot(page, "mentor-start")
    await page.get_by_role("table").get_by_role("link", name=codes[0]).click()
    await page.wait_for_load_state("networkidle")
    assert await page.get_by_role("heading", level=1).inner_text() == codes[0] + " " + (
        await page.locator("h1 .sub").inner_text()
    )
    assert await page.get_by_role("heading", name="Stammdaten").is_visible()
    await screenshot(page, "mentor-participant")


async def test_wrong_password_is_explained_in_german(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1", "not the password")
    assert "/web/login" in page.url
    assert await page.get_by_role("alert").inner_text() == "Benutzername oder Passwort ist falsch."
    await screenshot(page, "login-failed")


async def test_skip_link_is_first_on_the_keyboard(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_pages_fit_a_phone_screen(chromium: Any, live_server: LiveServer) -> None:
    context = await chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    phone = await context.new_page()
    await login(phone, "mentor2")
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    await screenshot(phone, "mentor-start-phone")
    await context.close()


async def test_participant_of_another_mentor_is_not_found(page: Any, live_server: LiveServer) -> None:
    others = live_server.api("coordinator", "GET", "/api/v1/participants", params={"limit": 100}).json()["items"]
    mine = {
        p["id"]
        for p in live_server.api("mentor1", "GET", "/api/v1/participants", params={"limit": 100}).json()["items"]
    }
    foreign = next(p for p in others if p["id"] not in mine)
    await login(page, "mentor1")
    response = await page.goto(f"/web/participants/{foreign['id']}")
    assert response.status == 404
    assert await page.get_by_role("heading", level=1).inner_text() == "Nicht gefunden"


async def test_coordinator_adds_a_closure_day(page: Any, live_server: LiveServer) -> None:
    day = date.today() + timedelta(days=30)
    await login(page, "coordinator")
    await page.get_by_role("link", name="Justizvollzugsanstalten").click()
    await page.locator("tbody th a").first.click()
    await page.wait_for_load_state("networkidle")
    await page.get_by_label("Erster Tag").fill(day.isoformat())
    await page.get_by_label("Grund").fill("Personalversammlung")
    await page.get_by_role("button", name="Schließtag eintragen").click()
    await page.wait_for_load_state("networkidle")
    assert "Schließtag eingetragen" in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("cell", name="Personalversammlung").is_visible()
    assert await page.get_by_role("cell", name=day.strftime("%d.%m.%Y")).first.is_visible()
    await screenshot(page, "coordinator-prison")


async def test_coordinator_pages_render(page: Any, live_server: LiveServer) -> None:
    await login(page, "coordinator")
    await page.goto("/web/admin/users")
    assert await page.get_by_role("row", name="mentor1").is_visible()
    await screenshot(page, "coordinator-users")
    await page.goto("/web/admin/audit?action=auth.")
    assert await page.get_by_role("cell", name="auth.login").first.is_visible()
    await screenshot(page, "coordinator-audit")


async def test_prison_staff_see_only_their_shared_plans_and_print_one(page: Any, live_server: LiveServer) -> None:
    shared = live_server.api("prison1", "GET", "/api/v1/participants", params={"limit": 100}).json()["items"]
    everyone = live_server.api("coordinator", "GET", "/api/v1/participants", params={"limit": 100}).json()["items"]
    assert shared and len(shared) < len(everyone)
    await login(page, "prison1")
    assert await page.get_by_role("heading", level=1).inner_text() == "Für Ihre JVA freigegebene Pläne"
    nav = await page.get_by_role("navigation").get_by_role("link").all_inner_texts()
    assert nav == ["Freigegebene Pläne", "Tagesliste", "Kalender"]
    codes = await page.locator("tbody th").all_inner_texts()
    assert sorted(codes) == sorted(p["code"] for p in shared)
    await screenshot(page, "staff-start")
    await page.get_by_role("table").get_by_role("link", name=codes[0]).click()
    await page.wait_for_load_state("networkidle")
    assert not await page.get_by_role("heading", name="Fall bearbeiten").count()
    assert not await page.get_by_role("heading", name="Besuche").count()
    await screenshot(page, "staff-participant")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Plan als PDF herunterladen").click()
    download = await download_info.value
    path = await download.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    await page.get_by_role("link", name="Plan im Browser ansehen und drucken").click()
    await page.wait_for_load_state("networkidle")
    assert codes[0] in await page.locator("body").inner_text()
    await screenshot(page, "staff-printable-plan")
    await page.goto("/web/")
    await page.get_by_role("link", name="Tagesliste").click()
    await page.wait_for_load_state("networkidle")
    assert (await page.get_by_role("heading", level=1).inner_text()).startswith("Besuche: JVA Musterstadt")
    assert await page.get_by_role("button", name="Drucken").is_visible()
    await screenshot(page, "staff-day-list")
    hidden = next(p for p in everyone if p["id"] not in {s["id"] for s in shared})
    for url in ("/web/admin/users", "/web/planner", f"/web/participants/{hidden['id']}"):
        response = await page.goto(url)
        assert response.status == 404, url


async def test_english_switch(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state("networkidle")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_role("heading", level=1).inner_text() == "Overview"
    await page.goto("/web/participants")
    assert await page.locator("html").get_attribute("lang") == "en"


async def test_mentor_books_a_visit_from_the_slot_finder(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    await page.get_by_role("navigation").get_by_role("link", name="Besuchsplanung").click()
    await page.wait_for_load_state("networkidle")
    options = await page.get_by_label("Teilnehmende:r").locator("option").all_inner_texts()
    code = options[1].split(" ")[0]
    await page.get_by_label("Teilnehmende:r").select_option(index=1)
    await page.get_by_role("button", name="Termine suchen").click()  # htmx swaps the results in place
    await page.get_by_role("heading", name=f"Vorschläge für {code}").wait_for()
    first = page.locator("form.slot").first
    when = await first.locator(".slot-time").inner_text()
    await screenshot(page, "mentor-planner")
    await first.get_by_role("button", name="Buchen").click()
    await page.wait_for_load_state("networkidle")
    assert "Besuch eingetragen." in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("heading", level=1).inner_text() == code + " " + (
        await page.locator("h1 .sub").inner_text()
    )
    booked = page.locator("li.visit", has_text=when.split(", ")[1])
    assert await booked.locator(".badge").first.inner_text() == "geplant"
    await screenshot(page, "mentor-participant-visits")


async def test_coordinator_closure_stops_the_slot_finder_proposing_that_day(page: Any, live_server: LiveServer) -> None:
    await login(page, "coordinator")
    await page.goto("/web/planner")
    await page.get_by_label("Teilnehmende:r").select_option(index=2)
    await page.get_by_role("button", name="Termine suchen").click()
    await page.locator("form.slot").first.wait_for()
    participant_id = await page.get_by_label("Teilnehmende:r").input_value()
    first_day = (await page.locator("form.slot .slot-time").first.inner_text()).split(", ")[1]
    day = first_day.split(".")
    iso = f"{day[2]}-{day[1]}-{day[0]}"
    planner_url = f"/web/planner?participant_id={participant_id}"
    prison_id = live_server.api("coordinator", "GET", f"/api/v1/participants/{participant_id}").json()["prison_id"]
    await page.goto(f"/web/admin/prisons/{prison_id}")
    await page.get_by_label("Erster Tag").fill(iso)
    await page.get_by_label("Grund").fill("Personalversammlung")
    await page.get_by_role("button", name="Schließtag eintragen").click()
    await page.wait_for_load_state("networkidle")
    assert "Schließtag eingetragen" in await page.get_by_role("status").inner_text()
    await page.goto(planner_url)
    proposed = await page.locator("form.slot .slot-time").all_inner_texts()
    assert proposed and all(first_day not in p for p in proposed)


async def test_mentor_marks_a_plan_item_done_with_a_reason(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    await page.goto("/web/participants")
    await page.get_by_role("table").get_by_role("link").first.click()
    await page.wait_for_load_state("networkidle")
    item = page.locator("#plan ~ ul li.visit").filter(has=page.get_by_role("button", name="Status ändern")).first
    title = await item.locator(".visit-head strong").inner_text()
    await item.get_by_label("Status").select_option("done")
    await item.get_by_label("Grund").fill("Termin beim Bürgeramt wahrgenommen")
    await item.get_by_role("button", name="Status ändern").click()
    await page.wait_for_load_state("networkidle")
    assert "Status geändert." in await page.get_by_role("status").first.inner_text()
    done = page.locator("li.visit", has_text=title).first
    assert "erledigt (Termin beim Bürgeramt wahrgenommen)" in await done.inner_text()
    await screenshot(page, "mentor-plan")
