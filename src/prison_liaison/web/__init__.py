"""Server-rendered pages for mentors, prison staff and coordinators."""

from __future__ import annotations

from typing import Any

WEB_ROUTE_HANDLERS: list[Any] = []


def web_plugins() -> list[Any]:
    return []
