"""Data safety under faults: SIGKILL mid-burst, concurrent edits, backup and restore, fuzzing.

These start real server processes (granian) on their own database, so they run on both engines.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import httpx
import pytest

from tests.live import BIN, LiveServer, new_database


@pytest.fixture
def live(engine_name: str):  # type: ignore[no-untyped-def]
    database = new_database(engine_name)
    server = LiveServer(database.url)
    server.cli("migrate")
    server.cli("create-user", "coordinator", "--role", "coordinator")
    server.cli("create-user", "mentor1", "--role", "mentor")
    server.start()
    yield server
    server.stop()
    if database.cleanup:
        database.cleanup()


async def _all_participants(server: LiveServer, token: str) -> list[dict]:
    items: list[dict] = []
    cursor = None
    async with httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}) as c:
        while True:
            r = await c.get("/api/v1/participants", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            items.extend(r.json()["items"])
            cursor = r.json()["next_cursor"]
            if not cursor:
                return items


def test_sigkill_mid_burst_keeps_every_acknowledged_write_and_nothing_half_written(live: LiveServer) -> None:
    token = live.token("coordinator")
    mentor_id = httpx.get(live.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {live.token('mentor1')}"}
                          ).json()["id"]
    acknowledged: set[str] = set()

    async def burst() -> None:
        async with httpx.AsyncClient(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"},
                                     timeout=5) as c:
            counter = iter(range(100_000))

            async def worker() -> None:
                while True:
                    code = f"K-{next(counter):05d}"
                    try:
                        r = await c.post("/api/v1/participants", json={
                            "code": code, "first_name": "Kill", "last_name": "Test", "notes": "crash test",
                            "lead_id": mentor_id,
                        })
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        acknowledged.add(code)

            tasks = [asyncio.create_task(worker()) for _ in range(8)]
            await asyncio.sleep(1.5)
            live.kill()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(burst())
    assert len(acknowledged) > 5, "the burst should have written something before the kill"
    live.start()
    token = live.token("coordinator")
    stored = asyncio.run(_all_participants(live, token))
    stored_codes = {p["code"] for p in stored}
    assert acknowledged <= stored_codes
    # nothing half-written: every stored participant has its mentor assignment and its audit event
    assert all(p["mentors"] and p["mentors"][0]["id"] == mentor_id for p in stored)
    events = httpx.get(live.base_url + "/api/v1/audit-events", params={"action": "participant.created", "limit": 500},
                       headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert {e["subject_id"] for e in events} == {p["id"] for p in stored}


def test_concurrent_edits_of_one_record_one_wins_the_other_gets_412(live: LiveServer) -> None:
    token = live.token("coordinator")
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(live.base_url + "/api/v1/participants", json={"code": "C-00001"}, headers=headers)
    assert created.status_code == 201
    pid, etag = created.json()["id"], created.headers["etag"]

    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=live.base_url, headers=headers) as c:
            return list(await asyncio.gather(*[
                c.patch(f"/api/v1/participants/{pid}", json={"cadence_days": days}, headers={"If-Match": etag})
                for days in (7, 21)
            ]))

    answers = asyncio.run(both())
    assert sorted(r.status_code for r in answers) == [200, 412]
    winner = next(r for r in answers if r.status_code == 200).json()
    loser = next(r for r in answers if r.status_code == 412).json()
    assert loser["code"] == "stale_version"
    now = httpx.get(live.base_url + f"/api/v1/participants/{pid}", headers=headers).json()
    assert now["cadence_days"] == winner["cadence_days"] and now["version"] == 2


def test_backup_and_restore_serve_the_same_answers(live: LiveServer, tmp_path, engine_name: str) -> None:
    if engine_name == "postgres" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    token = live.token("coordinator")
    headers = {"Authorization": f"Bearer {token}"}
    for i in range(3):
        assert httpx.post(live.base_url + "/api/v1/participants", json={"code": f"B-0000{i}", "notes": "ü"},
                          headers=headers).status_code == 201
    before = asyncio.run(_all_participants(live, token))
    backup = tmp_path / "backup.dump"
    live.cli("backup", str(backup))
    assert backup.stat().st_size > 0
    # damage: a participant added after the backup, one archived
    httpx.post(live.base_url + "/api/v1/participants", json={"code": "B-99999"}, headers=headers)
    live.stop()
    live.cli("restore", str(backup))
    live.start()
    after = asyncio.run(_all_participants(live, live.token("coordinator")))
    assert after == before


@pytest.mark.sqlite_only
def test_fuzzing_the_openapi_schema_finds_no_server_errors(live: LiveServer, tmp_path) -> None:
    """schemathesis against /schema/openapi.json with a bounded budget: no 5xx, answers match the schema."""
    token = live.token("coordinator")
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN / "schemathesis"), "run", live.base_url + "/schema/openapi.json",
         "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
         "content_type_conformance",
         "--max-examples", "6", "--max-time", "120", "--phases", "examples,fuzzing", "--seed", "1",
         "--workers", "2", "-H", f"Authorization: Bearer {token}", "--exclude-path-regex", "auth/|me/tokens/",
         "--request-timeout", "20", "--suppress-health-check", "all"],
        cwd=tmp_path, capture_output=True, text=True, timeout=400, check=False,
    )
    output = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, output
    assert time.monotonic() - started < 400
