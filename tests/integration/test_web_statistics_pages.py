"""The coordinator's statistics and checklist-template pages over HTTP (no browser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.test_web_pages import csrf_of, web_login
from tests.support import World


@pytest.fixture
async def browser(app: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie jar of its own, like one browser."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def test_statistics_page_shows_charts_and_small_counts(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    page = await browser.get("/web/statistics")
    assert page.status_code == 200, page.text
    assert "<h1>Statistik</h1>" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and "&lt;svg" not in page.text
    assert "<td>&lt; 5</td>" in page.text
    assert "„&lt; 5“: zwischen 1 und 4 Fälle" in page.text
    link = re.search(r'href="(/api/v1/statistics\.csv\?from=[0-9-]+&amp;to=[0-9-]+)"', page.text)
    assert link, page.text
    assert 'href="/web/statistics"' in page.text  # in the coordinator navigation
    csv = await browser.get(link.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200, csv.text
    assert csv.text.startswith("table,period,category,value")


async def test_statistics_page_rejects_a_bad_date_with_a_message(
    world: World, browser: httpx.AsyncClient, fixed_clock: Any
) -> None:
    await web_login(browser, "coordinator")
    page = await browser.get("/web/statistics?from=gestern")
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "<svg" not in page.text


@pytest.mark.parametrize("url", ["/web/statistics", "/web/templates"])
async def test_mentor_gets_404_on_coordinator_statistics_pages(
    world: World, browser: httpx.AsyncClient, url: str
) -> None:
    await web_login(browser, "mentor1")
    response = await browser.get(url)
    assert response.status_code == 404
    assert "Nicht gefunden" in response.text
    assert "/web/statistics" not in (await browser.get("/web/participants")).text


async def test_template_item_edit_bumps_version_and_only_new_plans_use_it(
    world: World, browser: httpx.AsyncClient
) -> None:
    before = await world.post(
        "coordinator", f"/api/v1/participants/{world.participants['T-0001']}/plan", json={"template_key": "default"}
    )
    assert before.status_code == 201, before.text
    template = (await world.get("coordinator", "/api/v1/checklist-templates/default")).json()
    item = template["items"][0]
    await web_login(browser, "coordinator")
    listing = await browser.get("/web/templates")
    assert listing.status_code == 200
    assert item["title_de"] in listing.text and f"Version {template['version']}" in listing.text
    form = await browser.get(f"/web/templates/default/items/{item['key']}")
    assert form.status_code == 200 and 'name="version"' in form.text
    saved = await browser.post(
        f"/web/templates/default/items/{item['key']}",
        data={
            "csrf_token": csrf_of(form.text),
            "version": str(template["version"]),
            "title_de": "Neuer Titel der Vorlage",
            "title_en": "New template title",
            "start_days": "" if item["start_days"] is None else str(item["start_days"]),
            "due_days": "" if item["due_days"] is None else str(item["due_days"]),
            "shared_with_prison": "1",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200, saved.text
    assert f"jetzt Version {template['version'] + 1}" in saved.text
    assert "Neuer Titel der Vorlage" in saved.text
    after = (await world.get("coordinator", "/api/v1/checklist-templates/default")).json()
    assert after["version"] == template["version"] + 1
    edited = next(i for i in after["items"] if i["key"] == item["key"])
    assert edited["title_en"] == "New template title" and edited["shared_with_prison"] is True

    new_plan = await world.post(
        "coordinator", f"/api/v1/participants/{world.participants['T-0002']}/plan", json={"template_key": "default"}
    )
    assert new_plan.status_code == 201, new_plan.text
    new_titles = {i["title_de"] for i in new_plan.json()["items"]}
    assert "Neuer Titel der Vorlage" in new_titles
    old_plan = (await world.get("coordinator", f"/api/v1/participants/{world.participants['T-0001']}/plan")).json()
    old_titles = {i["title_de"] for i in old_plan["items"]}
    assert item["title_de"] in old_titles and "Neuer Titel der Vorlage" not in old_titles


async def test_template_item_edit_with_stale_version_changes_nothing(world: World, browser: httpx.AsyncClient) -> None:
    template = (await world.get("coordinator", "/api/v1/checklist-templates/default")).json()
    item = template["items"][0]
    await web_login(browser, "coordinator")
    form = await browser.get(f"/web/templates/default/items/{item['key']}")
    response = await browser.post(
        f"/web/templates/default/items/{item['key']}",
        data={"csrf_token": csrf_of(form.text), "version": "999", "title_de": "Veraltet"},
    )
    assert response.status_code == 412
    assert 'role="alert"' in response.text
    after = (await world.get("coordinator", "/api/v1/checklist-templates/default")).json()
    assert after["version"] == template["version"] and after["items"][0]["title_de"] == item["title_de"]


async def test_statistics_and_templates_pages_speak_english(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    stats = await browser.get("/web/statistics?lang=en")
    assert "<h1>Statistics</h1>" in stats.text and "Download as CSV" in stats.text
    templates = await browser.get("/web/templates?lang=en")
    assert "<h1>Checklist templates</h1>" in templates.text and "Existing plans are not changed" in templates.text
    missing = await browser.get("/web/templates/default/items/no-such-item")
    assert missing.status_code == 404
