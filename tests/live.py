"""A real server process (granian via `prison-liaison run`) on its own database, for tests that must kill,
restart or fuzz it from outside."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "live-server-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveDatabase:
    url: str
    cleanup: Any = None


def new_database(engine: str) -> LiveDatabase:
    if engine == "postgres":
        from tests.conftest import _pg_admin, _pg_url

        name = f"pl_live_{os.getpid()}_{int(time.time() * 1000) % 10_000_000}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        return LiveDatabase(
            url=_pg_url(name),
            cleanup=lambda: asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')),
        )
    path = Path(tempfile.mkdtemp(prefix="pl-live-")) / "live.sqlite"
    return LiveDatabase(url=f"sqlite:///{path}")


@dataclass
class LiveServer:
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRISON_LIAISON_")}
        env.update(
            PRISON_LIAISON_DATABASE_URL=self.database_url,
            PRISON_LIAISON_PORT=str(self.port),
            PRISON_LIAISON_ENCRYPTION_KEY=os.environ["PRISON_LIAISON_ENCRYPTION_KEY"],
            PRISON_LIAISON_SECRET_KEY="live",
            PRISON_LIAISON_ARGON2_PROFILE="test",
            PRISON_LIAISON_LOGIN_MAX_FAILURES="1000",
            PASSWORD=PASSWORD,
        )
        env.update(self.extra_env)
        return env

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "prison-liaison"), *args], env=self.env(), cwd=ROOT, capture_output=True, text=True,
            timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "prison-liaison"), "run"], env=self.env(), cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base_url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("server exited during start-up")
            time.sleep(0.2)
        raise RuntimeError("server did not come up")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handlers, no flush."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def token(self, username: str) -> str:
        r = httpx.post(self.base_url + "/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 201, r.text
        return str(r.json()["token"])
