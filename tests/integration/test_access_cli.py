"""The operator's commands against a real (temporary) SQLite database, run as the installed `prison-liaison`:
purge (dry run and real), export-participant and rotate-key."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from prison_liaison.services.security import generate_encryption_key

CLI = Path(sys.executable).parent / "prison-liaison"
NOTE = "Fiktive Fallnotiz für L-2026-002."


def run(db: Path, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRISON_LIAISON_")} | {
        "PRISON_LIAISON_DATABASE_URL": f"sqlite:///{db}",
        "PRISON_LIAISON_ENCRYPTION_KEY": key,
        "PRISON_LIAISON_SECRET_KEY": "cli-test-secret",
        "PRISON_LIAISON_DEMO_PASSWORD": "cli-test-password",
        "PRISON_LIAISON_ARGON2_PROFILE": "test",
    }
    return subprocess.run(  # noqa: PLW1510 — the caller checks the exit code
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=120
    )


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def export(db: Path, key: str, participant_id: str, out: Path) -> dict:
    done = run(db, key, "export-participant", participant_id, "-o", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


@pytest.fixture
def demo_db(tmp_path: Path, engine_name: str) -> Path:
    if engine_name != "sqlite":
        pytest.skip("the commands run against their own SQLite file; once per suite is enough")
    db = tmp_path / "cli.sqlite"
    return db


def test_operator_commands_purge_export_and_rotate_key(demo_db: Path, tmp_path: Path) -> None:
    key_a, key_b = generate_encryption_key(), generate_encryption_key()
    loaded = run(demo_db, key_a, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "Demo programme loaded." in loaded.stdout
    [(pid,)] = query(demo_db, "SELECT id FROM participant WHERE code = ?", "L-2026-002")

    # export-participant: decrypted notes, the share with its consent, the access history; operator-only file
    out = tmp_path / "export.json"
    data = export(demo_db, key_a, pid, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert data["records"]["participant"][0]["notes"] == NOTE
    assert [s["scope"][:2] for s in data["records"]["share"]] == [["housing", "identity"]]
    assert "participant.created" in [e["action"] for e in data["access_history"]]
    missing = run(demo_db, key_a, "export-participant", "00000000-0000-4000-8000-000000000000")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "not found" in missing.stderr

    # purge: nothing is old enough, until a case was closed three years ago
    assert run(demo_db, key_a, "purge", "--dry-run").stdout.startswith("would delete 0 closed case(s)")
    [(old_id,)] = query(demo_db, "SELECT id FROM participant WHERE code = ?", "L-2026-009")
    with sqlite3.connect(demo_db) as conn:
        conn.execute(
            "UPDATE participant SET status = 'completed', closed_at = '2023-01-01T00:00:00+00:00' "
            "WHERE id = ?",
            (old_id,),
        )
    dry = run(demo_db, key_a, "purge", "--dry-run")
    assert dry.stdout.splitlines() == ["would delete 1 closed case(s)", f"  {old_id}"]
    assert query(demo_db, "SELECT count(*) FROM participant WHERE id = ?", old_id) == [(1,)]
    assert run(demo_db, key_a, "purge").stdout.startswith("deleted 1 closed case(s)")
    assert query(demo_db, "SELECT count(*) FROM participant WHERE id = ?", old_id) == [(0,)]
    assert query(demo_db, "SELECT count(*) FROM mentor_assignment WHERE participant = ?", old_id) == [(0,)]
    purged = (
        "SELECT actor_username, client FROM audit_event "
        "WHERE action = 'participant.purged' AND participant_id = ?"
    )
    assert query(demo_db, purged, old_id) == [("system", "cli")]

    # rotate-key: new key first, old key second; afterwards the new key alone reads everything
    [(before,)] = query(demo_db, "SELECT notes_encrypted FROM participant WHERE id = ?", pid)
    wrong = run(demo_db, key_b, "rotate-key")
    assert wrong.returncode == 1 and "cannot be decrypted" in wrong.stderr
    assert query(demo_db, "SELECT notes_encrypted FROM participant WHERE id = ?", pid) == [(before,)]
    rotated = run(demo_db, f"{key_b},{key_a}", "rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("re-encrypted ")
    [(after,)] = query(demo_db, "SELECT notes_encrypted FROM participant WHERE id = ?", pid)
    assert after != before and after.startswith("gAAAAA")
    assert export(demo_db, key_b, pid, out)["records"]["participant"][0]["notes"] == NOTE
    assert export(demo_db, key_a, pid, out)["records"]["participant"][0]["notes"] != NOTE
    assert query(demo_db, "SELECT count(*) FROM audit_event WHERE action = 'system.key_rotated'") == [(1,)]
