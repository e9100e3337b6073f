"""Logging: one line per request with its id, never personal data or secrets."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str = "INFO") -> None:
    # Database drivers log every statement with its parameters (names, notes) at DEBUG: never let them.
    for noisy in ("aiosqlite", "asyncpg", "piccolo"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    root = logging.getLogger("prison_liaison")
    if getattr(root, "_configured", False):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = True
    root._configured = True  # type: ignore[attr-defined]
