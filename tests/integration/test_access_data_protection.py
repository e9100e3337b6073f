"""Data protection: notes encrypted at rest, no personal data in logs, security headers, retention, export."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from prison_liaison.persistence import db as db_module
from prison_liaison.persistence import shares as shares_repo
from prison_liaison.services import retention
from prison_liaison.services.context import system
from prison_liaison.settings import get_settings
from tests.support import PASSWORD, World, login

NOTE = "Vertraulich: Ausstieg aus der Kameradschaft, Kontakt 0171-5550199"


async def create_with_note(world: World, code: str = "T-0042", **extra: str) -> str:
    response = await world.post(
        "coordinator",
        "/api/v1/participants",
        json={"code": code, "first_name": "Xaver", "last_name": "Quendt", "notes": NOTE, **extra},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_case_note_is_unreadable_in_the_raw_database(world, engine_name) -> None:
    pid = await create_with_note(world)
    assert (await world.get("coordinator", f"/api/v1/participants/{pid}")).json()["notes"] == NOTE
    if engine_name == "sqlite":
        path = Path(urlparse(get_settings().database_url).path)
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert b"T-0042" in raw  # the row is there …
        assert NOTE.encode() not in raw and b"Kameradschaft" not in raw  # … its note is not readable
        assert b"gAAAAA" in raw  # Fernet
    else:
        rows = await db_module.engine().run_ddl(
            f"SELECT notes_encrypted FROM participant WHERE id = '{uuid.UUID(pid)}'"
        )
        stored = rows[0]["notes_encrypted"]
        assert stored.startswith("gAAAAA") and "Kameradschaft" not in stored


async def test_logs_carry_no_personal_data_or_secrets(world, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    fresh = await world.client.post("/api/v1/auth/token", json={"username": "mentor1", "password": PASSWORD})
    token = fresh.json()["token"]
    await world.client.post(
        "/api/v1/auth/token", json={"username": "mentor1", "password": "Falsch-Passwort-77"}
    )
    pid = await create_with_note(world)
    bad = await world.post(
        "coordinator", "/api/v1/participants", json={"code": "kaputt", "first_name": "Xaver", "notes": NOTE}
    )
    assert bad.status_code in (400, 422)
    wrong_type = await world.post(
        "coordinator", "/api/v1/participants", json={"code": 7, "first_name": "Xaver"}
    )
    assert wrong_type.status_code == 400 and "Xaver" not in wrong_type.text
    await world.get("coordinator", f"/api/v1/participants/{pid}")
    await world.get("coordinator", "/api/v1/participants?code=T-0042")
    await world.client.get("/api/v1/participants", headers={"Authorization": f"Bearer {token}"})
    await world.client.get("/api/v1/participants", headers={"Authorization": "Bearer not-a-real-token-Xaver"})
    await world.get("coordinator", f"/api/v1/participants/{pid}/export")

    app_lines = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(app_lines)
    assert f"GET /api/v1/participants/{pid} 200" in text  # the access log was captured
    forbidden = [
        "Xaver",
        "Quendt",
        "Anna",
        "Alpha",
        "Kameradschaft",
        NOTE,
        PASSWORD,
        "Falsch-Passwort-77",
        token,
        "not-a-real-token",
        *world.tokens.values(),
    ]
    leaked = [secret for secret in forbidden if secret in text]
    assert leaked == [], leaked


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


async def test_security_headers_on_every_kind_of_answer(world) -> None:
    answers = {
        "ok": await world.get("mentor1", "/api/v1/participants"),
        "object not found": await world.get("mentor1", f"/api/v1/participants/{uuid.uuid4()}"),
        "no such route": await world.get("mentor1", "/api/v1/no-such-thing"),
        "no token": await world.client.get("/api/v1/participants"),
        "bad token": await world.client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}),
        "method not allowed": await world.client.post("/health"),
        "invalid input": await world.post("coordinator", "/api/v1/participants", json={"code": 1}),
        "health": await world.client.get("/health"),
    }
    expected_status = {
        "ok": 200,
        "object not found": 404,
        "no such route": 404,
        "no token": 401,
        "bad token": 401,
        "method not allowed": 405,
        "invalid input": 400,
        "health": 200,
    }
    assert {k: r.status_code for k, r in answers.items()} == expected_status
    for kind, response in answers.items():
        headers = {name: response.headers.get(name) for name in SECURITY_HEADERS}
        assert headers == SECURITY_HEADERS, kind
        assert "default-src 'self'" in response.headers["content-security-policy"], kind
        assert response.headers["x-request-id"], kind


async def test_purge_deletes_cases_closed_longer_than_retention_and_audits_it(world, fixed_clock) -> None:
    old, recent = world.participants["T-0003"], world.participants["T-0004"]
    await world.post(
        "mentor3",
        f"/api/v1/participants/{old}/shares",
        json={
            "prison_id": str(world.prisons["JVA-B"]),
            "scope": ["housing"],
            "consent_date": "2026-03-01",
            "consent_scope": "Wohnen",
        },
    )
    # the world was created "now" (real time): close the cases after that, as the stage rules demand
    base = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
    for pid, when in ((old, base), (recent, base + timedelta(days=450))):
        fixed_clock.instant = when
        world.tokens["coordinator"] = await login(world.client, "coordinator")
        for stage in ("released", "completed"):  # a case is completed after release
            etag = (await world.get("coordinator", f"/api/v1/participants/{pid}")).headers["ETag"]
            closed = await world.patch(
                "coordinator",
                f"/api/v1/participants/{pid}",
                json={"status": stage},
                headers={"If-Match": etag},
            )
            assert closed.status_code == 200, closed.text
    retention_days = get_settings().retention_days
    assert retention_days == 730
    fixed_clock.instant = base + timedelta(days=732)  # 732 days after the first closure
    world.tokens["coordinator"] = await login(world.client, "coordinator")

    assert await retention.purge_closed_cases(system("operator"), dry_run=True) == [old]
    assert (await world.get("coordinator", f"/api/v1/participants/{old}")).status_code == 200
    fixed_clock.instant += timedelta(minutes=1)
    assert await retention.purge_closed_cases(system("operator")) == [old]
    fixed_clock.instant += timedelta(minutes=1)

    assert (await world.get("coordinator", f"/api/v1/participants/{old}")).status_code == 404
    assert (await world.get("coordinator", f"/api/v1/participants/{old}/export")).status_code == 404
    assert await shares_repo.list_shares(old) == []
    assert (await world.get("coordinator", f"/api/v1/participants/{recent}")).status_code == 200
    events = (
        await world.get("coordinator", "/api/v1/audit-events", params={"participant_id": str(old)})
    ).json()
    actions = [(e["action"], e["actor_username"]) for e in events["items"] if e["action"] != "audit.queried"]
    assert actions[0] == ("participant.purged", "operator")
    assert ("participant.created", "coordinator") in actions  # the history survives the purge
    [purged] = [e for e in events["items"] if e["action"] == "participant.purged"]
    assert (purged["detail"], purged["subject_id"]) == ({"retention_days": 730}, str(old))


async def test_export_contains_decrypted_notes_and_the_access_history(world) -> None:
    pid = await create_with_note(world)
    await world.put(
        "coordinator",
        f"/api/v1/participants/{pid}/mentors",
        json={"lead_id": str(world.users["mentor1"].id)},
    )
    await world.get("mentor1", f"/api/v1/participants/{pid}")
    await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/shares",
        json={
            "prison_id": str(world.prisons["JVA-A"]),
            "scope": ["identity"],
            "consent_date": "2026-01-01",
            "consent_scope": "Ausweis",
        },
    )
    response = await world.get("coordinator", f"/api/v1/participants/{pid}/export")
    assert response.status_code == 200
    export = response.json()
    [participant] = export["records"]["participant"]
    assert (participant["code"], participant["first_name"], participant["notes"]) == ("T-0042", "Xaver", NOTE)
    assert "notes_encrypted" not in participant
    assert [s["scope"] for s in export["records"]["share"]] == [["identity"]]
    assert [m["mentor"] for m in export["records"]["mentor_assignment"]] == [str(world.users["mentor1"].id)]
    history = [(e["action"], e["actor_username"]) for e in export["access_history"]]
    assert history[:4] == [
        ("participant.created", "coordinator"),
        ("participant.mentors_set", "coordinator"),
        ("participant.read", "mentor1"),
        ("plan.shared", "mentor1"),
    ]
    text = json.dumps(export)
    assert "password_hash" not in text and "token_hash" not in text and "$argon2" not in text
    again = await world.get("coordinator", f"/api/v1/participants/{pid}/access-history")
    assert ("participant.exported", "coordinator") in [
        (e["action"], e["actor_username"]) for e in again.json()["items"]
    ]


async def test_export_keeps_free_text_that_looks_like_json(world) -> None:
    pid = await create_with_note(world, code="T-0043")
    etag = (await world.get("coordinator", f"/api/v1/participants/{pid}")).headers["ETag"]
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"first_name": "[Entwurf] Xaver"},
        headers={"If-Match": etag},
    )
    export = (await world.get("coordinator", f"/api/v1/participants/{pid}/export")).json()
    assert export["records"]["participant"][0]["first_name"] == "[Entwurf] Xaver"


@pytest.mark.parametrize("username", ["mentor1", "prison1"])
async def test_export_and_history_are_for_coordinators_only(world, username) -> None:
    pid = world.participants["T-0001"]
    for url in (f"/api/v1/participants/{pid}/export", f"/api/v1/participants/{pid}/access-history"):
        response = await world.get(username, url)
        assert response.status_code in (403, 404)
        assert "Anna" not in response.text
