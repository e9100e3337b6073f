"""Helpers for tests: a small standard world built through the real services, and login helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from uuid import UUID

PASSWORD = "correct horse battery staple"


async def truncate_all() -> None:
    from prison_liaison.persistence import db
    from prison_liaison.persistence.tables import ALL_TABLES

    eng = db.engine()
    names = [t._meta.tablename for t in ALL_TABLES]
    if db.is_sqlite():
        async with db.transaction():
            for name in reversed(names):
                await eng.run_ddl(f'DELETE FROM "{name}"')
    else:
        await eng.run_ddl("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE")


@dataclass
class World:
    client: Any
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    prisons: dict[str, UUID] = field(default_factory=dict)
    participants: dict[str, UUID] = field(default_factory=dict)

    def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}

    async def get(self, username: str, url: str, **kw: Any) -> Any:
        return await self.client.get(url, headers=self.headers(username, **kw.pop("headers", {})), **kw)

    async def post(self, username: str, url: str, json: Any = None, **kw: Any) -> Any:
        return await self.client.post(url, json=json, headers=self.headers(username, **kw.pop("headers", {})), **kw)

    async def patch(self, username: str, url: str, json: Any = None, **kw: Any) -> Any:
        return await self.client.patch(url, json=json, headers=self.headers(username, **kw.pop("headers", {})), **kw)

    async def put(self, username: str, url: str, json: Any = None, **kw: Any) -> Any:
        return await self.client.put(url, json=json, headers=self.headers(username, **kw.pop("headers", {})), **kw)

    async def delete(self, username: str, url: str, **kw: Any) -> Any:
        return await self.client.delete(url, headers=self.headers(username, **kw.pop("headers", {})), **kw)


async def login(client: Any, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def build_world(client: Any) -> World:
    """The standard test world, built through the services (not raw inserts)."""
    from prison_liaison.planning.models import Role, VisitingWindow
    from prison_liaison.services import participants as participants_service
    from prison_liaison.services import prisons as prisons_service
    from prison_liaison.services import users as users_service
    from prison_liaison.services.context import Caller, system

    world = World(client=client)
    op = system("tests")
    coordinator, _ = await users_service.create_user(
        op, username="coordinator", role=Role.COORDINATOR, display_name="Clara Koordination", password=PASSWORD
    )
    world.users["coordinator"] = coordinator
    coord = Caller(user_id=coordinator.id, username="coordinator", role=Role.COORDINATOR)
    weekdays = [VisitingWindow(weekday=d, start_time=time(9, 0), end_time=time(12, 0)) for d in range(5)]
    for code, name, lead in (("JVA-A", "JVA Anfang", 2), ("JVA-B", "JVA Beispiel", 7)):
        prison = await prisons_service.create_prison(
            coord,
            {"code": code, "name": name, "lead_time_days": lead, "max_visit_minutes": 90,
             "windows": weekdays, "closures": []},
        )
        world.prisons[code] = prison.id
    for name in ("mentor1", "mentor2", "mentor3"):
        user, _ = await users_service.create_user(
            coord, username=name, role=Role.MENTOR, display_name=name.capitalize(), password=PASSWORD
        )
        world.users[name] = user
    for name, prison in (("prison1", "JVA-A"), ("prison2", "JVA-B")):
        user, _ = await users_service.create_user(
            coord, username=name, role=Role.PRISON_STAFF, display_name=name, prison_id=world.prisons[prison],
            password=PASSWORD,
        )
        world.users[name] = user
    # P1, P2: mentor1 (lead) + mentor2 (co) at JVA-A; P3: mentor3 + mentor2 at JVA-B; P4: mentor3 alone at JVA-A
    for code, first, last, prison, lead, co in (
        ("T-0001", "Anna", "Alpha", "JVA-A", "mentor1", "mentor2"),
        ("T-0002", "Bernd", "Beta", "JVA-A", "mentor1", "mentor2"),
        ("T-0003", "Carla", "Gamma", "JVA-B", "mentor3", "mentor2"),
        ("T-0004", "Dieter", "Delta", "JVA-A", "mentor3", None),
    ):
        participant = await participants_service.create_participant(
            coord,
            {"code": code, "first_name": first, "last_name": last, "prison_id": world.prisons[prison],
             "status": "in_custody", "admitted_on": date(2025, 1, 1), "cadence_days": 14,
             "lead_id": world.users[lead].id, "co_id": world.users[co].id if co else None},
        )
        world.participants[code] = participant.id
    for name in world.users:
        world.tokens[name] = await login(client, name)
    return world
