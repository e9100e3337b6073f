"""Piccolo configuration for its migration machinery; the engine comes from our settings at run time."""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["prison_liaison.persistence.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        from prison_liaison.persistence.db import engine

        return engine()
    raise AttributeError(name)
