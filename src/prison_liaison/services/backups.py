"""Operator backups (the CLI is the only caller)."""

from __future__ import annotations

from pathlib import Path

from prison_liaison.persistence import backup as backup_repo
from prison_liaison.settings import get_settings


def backup(target: Path) -> None:
    backup_repo.backup(get_settings().database_url, target)


def restore(source: Path) -> None:
    backup_repo.restore(get_settings().database_url, source)
