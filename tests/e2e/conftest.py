"""Real external clients for the end-to-end tests: Mozilla's ical.js under the machine's node, and (in
browser.py) Debian's Chromium driven by Playwright against the real server.

The npm package is pinned by package.json + package-lock.json beside this file and installed by ``npm ci``
into ``tests/e2e/node_modules`` (ignored by git) the first time a test needs it. Without node/npm the tests
skip locally; with CI=true they fail, so CI never goes green without having run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import chromium, live_server, page  # noqa: F401 — browser fixtures for the page tests

E2E = Path(__file__).resolve().parent
ICALJS_SCRIPT = E2E / "parse_ics.mjs"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (CI=true: the real-client tests must run)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def icaljs() -> Any:
    """A function: iCalendar bytes in, what ical.js makes of them (a dict) out."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("node and npm are needed for the ical.js tests")
    if not (E2E / "node_modules" / "ical.js" / "package.json").exists():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(E2E)],
            cwd=E2E,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            _missing(f"npm ci failed: {result.stderr[-500:]}")

    def parse(body: bytes) -> dict[str, Any]:
        result = subprocess.run(
            [node, str(ICALJS_SCRIPT)], input=body, cwd=E2E, capture_output=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        return dict(json.loads(result.stdout))

    return parse
