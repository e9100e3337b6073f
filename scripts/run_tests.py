"""`make test`: the layering contracts, ruff and mypy, then pytest on SQLite and (when reachable) on PostgreSQL.

PostgreSQL runs when PRISON_LIAISON_TEST_POSTGRES_URL is set or a server answers on 127.0.0.1:5432; with CI=true
an unreachable PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def postgres_url() -> str | None:
    url = os.environ.get("PRISON_LIAISON_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return "postgresql://postgres@127.0.0.1:5432/postgres"
    except OSError:
        return None


def run(cmd: list[str], env: dict[str, str]) -> int:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=env)  # noqa: S603 — our own tools from the venv


def main() -> int:
    env = dict(os.environ)
    env.pop("PRISON_LIAISON_DATABASE_URL", None)
    lints = [[str(BIN / "lint-imports")], [str(BIN / "ruff"), "check", "src", "tests", "bench", "scripts"],
             [str(BIN / "mypy")]]
    for lint in lints:
        rc = run(lint, env)
        if rc:
            return rc
    extra = sys.argv[1:]
    workers = os.environ.get("PRISON_LIAISON_TEST_WORKERS", "2")
    parallel = ["-n", workers] if workers not in ("", "0", "1") else []
    sqlite = {**env, "PRISON_LIAISON_TEST_ENGINE": "sqlite"}
    # everything but the end-to-end tests in parallel; those share a browser, a node install and ports
    rc = run([str(BIN / "pytest"), *parallel, "-m", "not e2e", *extra], sqlite)
    if rc:
        return rc
    rc = run([str(BIN / "pytest"), "-m", "e2e", *extra], sqlite)
    if rc not in (0, 5):  # 5 = no e2e test collected
        return rc
    url = postgres_url()
    if url is None:
        if os.environ.get("CI") == "true":
            print("PostgreSQL is not reachable on 127.0.0.1:5432 and CI=true: failing.", file=sys.stderr)
            return 1
        print("PostgreSQL not reachable: the PostgreSQL run is skipped (set PRISON_LIAISON_TEST_POSTGRES_URL).")
        return 0
    return run(
        [str(BIN / "pytest"), *parallel, "-m", "not sqlite_only and not e2e", *extra],
        {**env, "PRISON_LIAISON_TEST_ENGINE": "postgres", "PRISON_LIAISON_TEST_POSTGRES_URL": url},
    )


if __name__ == "__main__":
    raise SystemExit(main())
