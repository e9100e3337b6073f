"""The coordinator's statistics and checklist-template pages over HTTP (no browser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.test_web_pages import web_login
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
