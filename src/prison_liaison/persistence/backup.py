"""Backup and restore of the whole database with each engine's own tools.

SQLite: the online backup API (consistent while the server runs). PostgreSQL: pg_dump -Fc / pg_restore --clean.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote


def _sqlite_path(url: str) -> str:
    return unquote(url.removeprefix("sqlite:///").removeprefix("sqlite://"))


def _copy_sqlite(source: str, target: str) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup(url: str, target: Path) -> None:
    if url.startswith("sqlite"):
        if target.exists():
            target.unlink()
        _copy_sqlite(_sqlite_path(url), str(target))
    else:
        subprocess.run([_require("pg_dump"), "-Fc", "--no-owner", "-f", str(target), "-d", url], check=True)  # noqa: S603
    target.chmod(0o600)


def restore(url: str, source: Path) -> None:
    """Replace the database's content with the backup. Stop the server first."""
    if not source.exists():
        raise FileNotFoundError(source)
    if url.startswith("sqlite"):
        _copy_sqlite(str(source), _sqlite_path(url))
    else:
        subprocess.run(  # noqa: S603 — fixed argv, no shell; the URL comes from our own settings
            [_require("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "-d", url, str(source)],
            check=True,
        )


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(f"{tool} is not installed (PostgreSQL client tools are needed for backups)")
    return path
