"""A pytest plugin that reads every log line the application writes during the whole test run and fails the
run if one carries personal data or a secret: names of the test and demo participants, their case notes, the
test password, or anything shaped like one of our 256-bit tokens or Fernet keys.

Registered from tests/conftest.py (``pytest_plugins``). The test client's own loggers (httpx, httpcore) are
not the application's and are left out.
"""

from __future__ import annotations

import logging
import re

import pytest

# first names of tests/support.py's world and of the demo programme, and text only personal data contains
_PERSONAL = (
    "Anna", "Bernd", "Carla", "Dieter", "Erik", "Jonas", "Timo", "Kevin", "Dennis", "Marco", "Nico", "Lukas",
    "Sven", "Felix", "Xaver", "Quendt", "Zora", "Fallnotiz", "Kameradschaft", "Vertraulich",
    "correct horse battery staple",
)
FORBIDDEN = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in _PERSONAL) + r")\b"
    r"|(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=?(?![A-Za-z0-9_=-])"  # token_urlsafe(32) and Fernet keys
)
CLIENT_LOGGERS = ("httpx", "httpcore")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []
        self.lines = 0
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS):
            return
        try:
            line = self.format(record)
        except Exception:  # a broken record is not our concern here
            return
        self.lines += 1
        if FORBIDDEN.search(line) and len(self.leaks) < 20:
            self.leaks.append(line[:500])


_collector = _Collector()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(_collector)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_collector)
    if _collector.leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "personal data or secrets in log lines of this run:\n  " + "\n  ".join(_collector.leaks)
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
