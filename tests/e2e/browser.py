"""Browser fixtures (imported by conftest.py): the real server (granian, via `prison-liaison run --demo`) on a
free localhost port with its own temporary SQLite database and the demo programme, driven by Debian's Chromium
through Playwright.

Browser downloads are not available on these machines: Playwright launches the system package's binary
(`apt-get install chromium`; `.ci/run` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright

CHROMIUM = os.environ.get("PRISON_LIAISON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "e2e demo password 2026"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, url: str, password: str) -> None:
        self.url = url
        self.password = password

    def api_token(self, username: str) -> str:
        response = httpx.post(f"{self.url}/api/v1/auth/token", json={"username": username, "password": self.password})
        response.raise_for_status()
        return str(response.json()["token"])

    def api(self, username: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.api_token(username)}", **kw.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kw)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        what = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} (CI=true: the browser tests must run)")
        pytest.skip(what)
    tmp = Path(tempfile.mkdtemp(prefix="pl-e2e-"))
    port = _free_port()
    env = {
        **os.environ,
        "PRISON_LIAISON_DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite'}",
        "PRISON_LIAISON_PORT": str(port),
        "PRISON_LIAISON_BASE_URL": f"http://127.0.0.1:{port}",
        "PRISON_LIAISON_DEMO_PASSWORD": DEMO_PASSWORD,
        "PRISON_LIAISON_LOG_LEVEL": "WARNING",
    }
    log = (tmp / "server.log").open("w")
    command = [str(Path(sys.executable).parent / "prison-liaison"), "run", "--demo"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited: " + (tmp / "server.log").read_text()[-2000:])
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start: " + (tmp / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        yield LiveServer(url, DEMO_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
async def chromium(live_server: LiveServer) -> AsyncIterator[Any]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(chromium: Any, live_server: LiveServer) -> AsyncIterator[Any]:
    """A fresh browser profile per test (no shared cookies), phone-sized when a test asks for it."""
    context = await chromium.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    errors: list[str] = []
    pg = await context.new_page()
    # pages may answer 401/404 on purpose; their assets (CSS, scripts, icons) must always load
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None
        ),
    )
    pg.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.request.resource_type != "document" and r.status >= 400 else None
        ),
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    await context.close()
    # a CSP violation or a script error shows up on the console: fail the test that caused it
    assert not errors, errors


async def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    if "/web/login" not in page.url:
        await page.goto("/web/login")
    await page.get_by_label("Benutzername").fill(username)
    await page.get_by_label("Passwort").fill(password)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_load_state("networkidle")


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
