"""Settings from ``PRISON_LIAISON_*`` environment variables: one cached object for the whole process."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = Path(__file__).resolve().parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'prison-liaison.sqlite'}"
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    secret_key: str = ""
    encryption_key: str = ""
    land: str = "NW"
    demo_password: str = ""
    token_ttl_hours: int = 12
    session_ttl_hours: int = 8
    retention_days: int = 730
    login_max_failures: int = 5
    login_window_seconds: int = 900
    workers: int = 1
    pdf_threads: int = 2
    log_level: str = "INFO"

    @property
    def public_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_PREFIX = "PRISON_LIAISON_"


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from the environment (or the mapping given) plus explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        key = _PREFIX + field.name.upper()
        if key in env and env[key] != "":
            values[field.name] = env[key]
    values.update(overrides)
    return msgspec.convert(values, Settings, strict=False)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
