"""Automated accessibility checks (axe-core 4.14, vendored from npm) on the main pages: WCAG 2.1 A and AA
rules such as labels, contrast, heading order, landmarks and the page language. Manual checks (keyboard use,
focus order) are in test_web_pages.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import LiveServer, login

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


async def axe_violations(page: Any) -> list[str]:
    # evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays untouched
    await page.evaluate(AXE)
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => ({passes: r.passes.length, "
        "violations: r.violations.map(v => v.id + ': ' + v.help + ' @ ' + "
        "v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))}))",
        TAGS,
    )
    assert result["passes"] > 10  # the rules really ran
    return list(result["violations"])


async def test_login_page_has_no_axe_violations(page: Any, live_server: LiveServer) -> None:
    await page.goto("/web/login")
    assert await axe_violations(page) == []


async def test_mentor_pages_have_no_axe_violations(page: Any, live_server: LiveServer) -> None:
    await login(page, "mentor1")
    found = {"/web/": await axe_violations(page)}
    await page.goto("/web/participants")
    found["/web/participants"] = await axe_violations(page)
    await page.locator("tbody th a").first.click()
    await page.wait_for_load_state("networkidle")
    found[page.url] = await axe_violations(page)
    assert {url: v for url, v in found.items() if v} == {}


async def test_coordinator_pages_have_no_axe_violations(page: Any, live_server: LiveServer) -> None:
    await login(page, "coordinator")
    found = {}
    for url in ("/web/admin/users", "/web/admin/prisons", "/web/admin/audit"):
        await page.goto(url)
        found[url] = await axe_violations(page)
    await page.goto("/web/admin/prisons")
    await page.locator("tbody th a").first.click()
    await page.wait_for_load_state("networkidle")
    found[page.url] = await axe_violations(page)
    assert {url: v for url, v in found.items() if v} == {}
