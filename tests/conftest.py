"""Test set-up: a real database (a temporary SQLite file, or a throw-away PostgreSQL database), migrated once;
every test starts from empty tables.

The engine is chosen by PRISON_LIAISON_TEST_ENGINE (sqlite | postgres); `make test` runs the suite once per
engine. Configuration is set here, before anything imports the application.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

pytest_plugins = ["tests.log_audit"]  # fails the run if any log line carries personal data or a secret

ENGINE = os.environ.get("PRISON_LIAISON_TEST_ENGINE", "sqlite")
_TMP = Path(tempfile.mkdtemp(prefix="pl-tests-"))
_PG_ADMIN_URL = os.environ.get("PRISON_LIAISON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_PG_DB = f"pl_test_{os.getpid()}_{secrets.token_hex(3)}"


def _pg_url(database: str) -> str:
    parsed = urlparse(_PG_ADMIN_URL)
    return urlunparse(parsed._replace(path="/" + database))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    parsed = urlparse(_PG_ADMIN_URL)
    conn = await asyncpg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, database=(parsed.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if ENGINE == "postgres":
    asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_DB}"'))
    DATABASE_URL = _pg_url(_PG_DB)
else:
    DATABASE_URL = f"sqlite:///{_TMP / 'test.sqlite'}"

os.environ["PRISON_LIAISON_DATABASE_URL"] = DATABASE_URL
os.environ["PRISON_LIAISON_ENCRYPTION_KEY"] = "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s="
os.environ["PRISON_LIAISON_SECRET_KEY"] = "test-secret"
os.environ["PRISON_LIAISON_ARGON2_PROFILE"] = "test"
os.environ["PRISON_LIAISON_BASE_URL"] = "http://testserver.local"
os.environ.setdefault("PRISON_LIAISON_LOG_LEVEL", "INFO")

from prison_liaison.settings import get_settings  # noqa: E402

get_settings.cache_clear()

from tests.support import World, build_world  # noqa: E402


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ENGINE == "postgres":
        try:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)'))
        except Exception as exc:
            print(f"could not drop {_PG_DB}: {exc}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENGINE == "postgres":
        skip = pytest.mark.skip(reason="SQLite-only test")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)
    else:
        skip = pytest.mark.skip(reason="PostgreSQL-only test")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def engine_name() -> str:
    return ENGINE


@pytest.fixture(scope="session")
async def app():  # type: ignore[no-untyped-def]
    from prison_liaison.app import create_app
    from prison_liaison.persistence import db
    from prison_liaison.persistence.migrate import migrate

    application = create_app(get_settings())
    await db.open_engine()
    await migrate()
    yield application
    await db.close_engine()


@pytest.fixture(scope="session")
async def client(app) -> AsyncIterator:  # type: ignore[no-untyped-def]
    # httpx's ASGI transport runs the app on this test loop (Litestar's AsyncTestClient uses a portal thread
    # with its own loop, which an asyncpg pool opened here cannot serve). The engine is opened by ``app``.
    import httpx

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the database starts from empty tables (migrations stay applied)."""
    if "app" not in request.fixturenames and "client" not in request.fixturenames and "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    from tests.support import truncate_all

    await truncate_all()
    yield


@pytest.fixture
async def db(app):  # type: ignore[no-untyped-def]
    """Marker fixture: the test uses the database directly."""
    return None


@pytest.fixture
def fixed_clock() -> Iterator:
    """Freeze 'now' at Tuesday 2026-03-10 09:00 Berlin (08:00 UTC); tests may move it."""
    from datetime import UTC, datetime

    from prison_liaison import clock

    fixed = clock.FixedClock(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    clock.set_clock(fixed)
    yield fixed
    clock.set_clock(None)


@pytest.fixture
async def world(client, db) -> World:  # type: ignore[no-untyped-def]
    """Two prisons, a coordinator, three mentors, two prison-staff users and four participants."""
    return await build_world(client)
