"""The pages in a real Chromium against the real server with the demo programme."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, login, screenshot

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
    await page.get_by_role("link", name=codes[0]).click()
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
    others = live_server.api("coordinator", "GET", "/api/v1/participants", params={"limit": 100}).json()[
        "items"
    ]
    mine = {
        p["id"]
        for p in live_server.api("mentor1", "GET", "/api/v1/participants", params={"limit": 100}).json()[
            "items"
        ]
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


async def test_prison_staff_see_only_their_shared_plans(page: Any, live_server: LiveServer) -> None:
    await login(page, "prison1")
    assert await page.get_by_role("heading", level=1).inner_text() == "Für Ihre JVA freigegebene Pläne"
    nav = await page.get_by_role("navigation").get_by_role("link").all_inner_texts()
    assert nav == ["Freigegebene Pläne"]
    response = await page.goto("/web/admin/users")
    assert response.status == 404
    await page.goto("/web/")
    await screenshot(page, "staff-start")


async def test_english_switch(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state("networkidle")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_role("heading", level=1).inner_text() == "Overview"
    await page.goto("/web/participants")
    assert await page.locator("html").get_attribute("lang") == "en"
