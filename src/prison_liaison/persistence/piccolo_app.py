"""The Piccolo app: our tables and migrations."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from prison_liaison.persistence.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="prison_liaison",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
