"""`prison-liaison run | migrate | demo | create-user | purge | export-participant | generate-key | rotate-key`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prison_liaison.settings import PROJECT_ROOT, get_settings

VAR = PROJECT_ROOT / "var"


def _local_secret(name: str, env: str, make: Callable[[], str]) -> None:
    """For the embedded default only: keep generated keys in ./var so restarts can read old data."""
    if os.environ.get(env):
        return
    path = VAR / name
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    os.environ[env] = path.read_text().strip()
    get_settings.cache_clear()


def ensure_local_keys() -> None:
    from prison_liaison.services.security import generate_encryption_key

    _local_secret("encryption.key", "PRISON_LIAISON_ENCRYPTION_KEY", generate_encryption_key)
    _local_secret("secret.key", "PRISON_LIAISON_SECRET_KEY", lambda: secrets.token_urlsafe(32))


def _run_async(factory: Callable[[], Awaitable[Any]]) -> Any:
    async def runner() -> Any:
        from prison_liaison.persistence import db

        db.configure(get_settings().database_url)
        await db.open_engine(watch_changes=False)  # a command serves no feeds
        try:
            return await factory()
        finally:
            await db.close_engine()

    return asyncio.run(runner())


def cmd_migrate(_: argparse.Namespace) -> int:
    from prison_liaison.services.maintenance import migrate

    _run_async(migrate)
    print("database is up to date")
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from prison_liaison.services.demo import load_demo
    from prison_liaison.services.maintenance import migrate

    async def go() -> Any:
        await migrate()
        return await load_demo(demo_password_file=VAR / "demo-password.txt")

    result = _run_async(go)
    _print_demo(result)
    return 0


def _print_demo(result: Any) -> None:
    print("Demo programme " + ("loaded." if result.created else "already present."))
    if result.password:
        print("Demo logins (password for all): " + result.password)
    else:
        print("Demo logins use PRISON_LIAISON_DEMO_PASSWORD or the password printed when the demo was loaded.")
    print("  users: " + ", ".join(result.usernames))


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.is_sqlite:
        ensure_local_keys()
        settings = get_settings()
    from prison_liaison.services.demo import load_demo
    from prison_liaison.services.maintenance import migrate

    async def prepare() -> Any:
        await migrate()
        if args.demo:
            return await load_demo(demo_password_file=VAR / "demo-password.txt")
        return None

    result = _run_async(prepare)
    if result is not None:
        _print_demo(result)
    url = f"http://{settings.host}:{settings.port}"
    print(f"prison-liaison serving on {url}  (API docs: {url}/schema, pages: {url}/web)", flush=True)
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "prison_liaison.app:create_app",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        log_access=False,
    ).serve()
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from uuid import UUID

    from prison_liaison.planning.models import Role
    from prison_liaison.services.context import system
    from prison_liaison.services.users import create_user

    async def go() -> Any:
        return await create_user(
            system(), username=args.username, role=Role(args.role), display_name=args.display_name or "",
            prison_id=UUID(args.prison_id) if args.prison_id else None, password=os.environ.get("PASSWORD"),
        )

    user, password = _run_async(go)
    print(f"created {user.role.value} {user.username} ({user.id}); password: {password}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from prison_liaison.services import retention
    from prison_liaison.services.context import system

    ids = _run_async(lambda: retention.purge_closed_cases(system(), dry_run=args.dry_run))
    print(("would delete" if args.dry_run else "deleted") + f" {len(ids)} closed case(s)")
    for participant_id in ids:
        print(f"  {participant_id}")
    return 0


def cmd_export_participant(args: argparse.Namespace) -> int:
    from uuid import UUID

    from prison_liaison.services import retention
    from prison_liaison.services.context import system

    try:
        participant_id = UUID(args.participant_id)
    except ValueError:
        print(f"prison-liaison export-participant: not an id: {args.participant_id!r}", file=sys.stderr)
        return 2
    data = _run_async(lambda: retention.export_participant(system(), participant_id))
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if args.output:
        # personal data: readable by the operator only, from the first byte on
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from prison_liaison.services import backups

    backups.backup(Path(args.file))
    print(f"backup written to {args.file} (it holds personal data: store it encrypted)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from prison_liaison.services import backups

    backups.restore(Path(args.file))
    print(f"database restored from {args.file}")
    return 0


def cmd_generate_key(_: argparse.Namespace) -> int:
    from prison_liaison.services.security import generate_encryption_key

    print(generate_encryption_key())
    return 0


def cmd_rotate_key(_: argparse.Namespace) -> int:
    from prison_liaison.services import retention
    from prison_liaison.services.context import system

    count = _run_async(lambda: retention.rotate_encryption(system()))
    print(f"re-encrypted {count} field(s) with the first key of PRISON_LIAISON_ENCRYPTION_KEY")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prison-liaison", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, then serve")
    run.add_argument("--demo", action="store_true", help="load the demo programme on first start")
    run.set_defaults(func=cmd_run)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="load the demo programme (idempotent)").set_defaults(func=cmd_demo)
    cu = sub.add_parser("create-user", help="create a user (password from $PASSWORD or generated)")
    cu.add_argument("username")
    cu.add_argument("--role", choices=["coordinator", "mentor", "prison_staff"], required=True)
    cu.add_argument("--display-name")
    cu.add_argument("--prison-id")
    cu.set_defaults(func=cmd_create_user)
    purge = sub.add_parser("purge", help="delete cases closed longer than the retention period")
    purge.add_argument("--dry-run", action="store_true")
    purge.set_defaults(func=cmd_purge)
    ex = sub.add_parser("export-participant", help="subject-access export of one participant as JSON")
    ex.add_argument("participant_id")
    ex.add_argument("--output", "-o")
    ex.set_defaults(func=cmd_export_participant)
    bk = sub.add_parser("backup", help="write a consistent backup of the database to FILE")
    bk.add_argument("file")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="replace the database's content with the backup in FILE (server stopped)")
    rs.add_argument("file")
    rs.set_defaults(func=cmd_restore)
    sub.add_parser("generate-key", help="print a new encryption key").set_defaults(func=cmd_generate_key)
    sub.add_parser("rotate-key", help="re-encrypt notes with the first configured key").set_defaults(
        func=cmd_rotate_key
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.is_sqlite and args.command != "generate-key":
        ensure_local_keys()
    from prison_liaison.planning.errors import DomainError

    try:
        return int(args.func(args))
    except DomainError as exc:
        print(f"prison-liaison {args.command}: {exc.detail}", file=sys.stderr)
        return 1
