"""Apply the committed Piccolo migrations."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from prison_liaison.persistence import db


async def migrate(*, quiet: bool = True) -> None:
    db.engine()  # bind tables and Piccolo's migration table to our engine first
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="prison_liaison", migration_id="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")
    if db.is_sqlite():
        await db.engine().run_ddl("PRAGMA journal_mode=WAL")
