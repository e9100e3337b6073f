"""Logins, throttling, tokens, sessions and user management: what stops working, and when (at once)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from prison_liaison.persistence import audit as audit_repo
from prison_liaison.services import auth as auth_service
from prison_liaison.services.context import anonymous
from tests.support import PASSWORD, build_world, login

TOKEN_URL = "/api/v1/auth/token"


async def test_thirty_wrong_passwords_are_throttled_with_retry_after(world, fixed_clock) -> None:
    statuses = []
    for _ in range(30):
        response = await world.client.post(
            TOKEN_URL, json={"username": "mentor1", "password": "wrong password!"}
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429] * 25
    assert response.json()["code"] == "login_throttled"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["Retry-After"] == "900"  # all five failures at 08:00: free again at 08:15
    # the right password does not get through either while throttled …
    right = await world.client.post(TOKEN_URL, json={"username": "mentor1", "password": PASSWORD})
    assert right.status_code == 429
    # … the account's existing tokens keep working, and after the window the login works again
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 200
    fixed_clock.instant += timedelta(seconds=899)
    still = await world.client.post(TOKEN_URL, json={"username": "mentor1", "password": PASSWORD})
    assert (still.status_code, still.headers["Retry-After"]) == (429, "1")
    fixed_clock.instant += timedelta(seconds=1)
    assert await login(world.client, "mentor1")
    assert await audit_repo.count("auth.login_failed") == 5
    assert await audit_repo.count("auth.login_throttled") == 27


async def test_login_throttled_per_client_address_across_accounts(app, world, fixed_clock) -> None:
    # 4 failures each for 5 accounts: no account reaches its limit, the address does (5 × 4 = 20)
    for username in ("mentor1", "mentor2", "mentor3", "prison1", "prison2"):
        for _ in range(4):
            response = await world.client.post(
                TOKEN_URL, json={"username": username, "password": "guess-guess"}
            )
            assert response.status_code == 401
    blocked = await world.client.post(TOKEN_URL, json={"username": "coordinator", "password": PASSWORD})
    assert (blocked.status_code, blocked.json()["code"]) == (429, "login_throttled")
    other_address = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
    async with httpx.AsyncClient(transport=other_address, base_url="http://testserver.local") as elsewhere:
        assert (
            await elsewhere.post(TOKEN_URL, json={"username": "coordinator", "password": PASSWORD})
        ).status_code == 201


async def test_unknown_user_and_wrong_password_look_the_same(world) -> None:
    unknown = await world.client.post(TOKEN_URL, json={"username": "nobody", "password": PASSWORD})
    wrong = await world.client.post(TOKEN_URL, json={"username": "mentor1", "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 401
    assert {k: v for k, v in unknown.json().items()} == {k: v for k, v in wrong.json().items()}


async def test_deactivation_ends_tokens_and_logins_at_once(world) -> None:
    mentor1 = world.users["mentor1"]
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 200
    response = await world.patch("coordinator", f"/api/v1/users/{mentor1.id}", json={"active": False})
    assert (response.status_code, response.json()["active"]) == (200, False)
    after = await world.get("mentor1", "/api/v1/me")
    assert (after.status_code, after.json()["code"]) == (401, "token_invalid")
    relogin = await world.client.post(TOKEN_URL, json={"username": "mentor1", "password": PASSWORD})
    assert (relogin.status_code, relogin.json()["code"]) == (401, "invalid_credentials")
    # reactivating does not bring the old token back
    await world.patch("coordinator", f"/api/v1/users/{mentor1.id}", json={"active": True})
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 401
    assert await login(world.client, "mentor1")
    actions = [e["action"] for e in (await audit_repo.query(action_prefix="user."))[0]]
    assert actions[:2] == ["user.activated", "user.deactivated"]


async def test_deactivated_users_session_stops_too(world) -> None:
    issued = await auth_service.login("mentor1", PASSWORD, caller=anonymous("127.0.0.1"), kind="session")
    cookie = {"Cookie": f"pl_session={issued.token}"}
    assert (await world.client.get("/api/v1/me", headers=cookie)).status_code == 200
    await world.patch("coordinator", f"/api/v1/users/{world.users['mentor1'].id}", json={"active": False})
    assert (await world.client.get("/api/v1/me", headers=cookie)).status_code == 401


async def test_coordinator_cannot_deactivate_themselves(world) -> None:
    response = await world.patch(
        "coordinator", f"/api/v1/users/{world.users['coordinator'].id}", json={"active": False}
    )
    assert (response.status_code, response.json()["code"]) == (409, "self_deactivation")


async def test_password_reset_ends_every_token_of_the_user(world) -> None:
    response = await world.post(
        "coordinator", f"/api/v1/users/{world.users['mentor1'].id}/reset-password", json={}
    )
    assert response.status_code == 200
    new_password = response.json()["password"]
    assert len(new_password) >= 12
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 401
    old = await world.client.post(TOKEN_URL, json={"username": "mentor1", "password": PASSWORD})
    assert old.status_code == 401
    assert await login(world.client, "mentor1", new_password)
    [event] = (await audit_repo.query(action_prefix="user.password_reset"))[0]
    assert new_password not in json.dumps(event, default=str)


async def test_expired_token_stops_working(client, db, fixed_clock) -> None:
    world = await build_world(client)  # tokens issued at 08:00 UTC, valid for 12 hours
    fixed_clock.instant = datetime(2026, 3, 10, 19, 59, 59, tzinfo=UTC)
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 200
    fixed_clock.instant = datetime(2026, 3, 10, 20, 0, 0, tzinfo=UTC)
    expired = await world.get("mentor1", "/api/v1/me")
    assert (expired.status_code, expired.json()["code"]) == (401, "token_invalid")
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


async def test_revoked_token_stops_at_once_and_is_listed_as_revoked(world) -> None:
    second = await login(world.client, "mentor1")
    tokens = (await world.get("mentor1", "/api/v1/me/tokens")).json()["items"]
    assert len(tokens) == 2 and all(t["revoked_at"] is None for t in tokens)
    newest = tokens[0]["id"]
    assert (await world.delete("mentor1", f"/api/v1/me/tokens/{newest}")).status_code == 204
    assert (
        await world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    ).status_code == 401
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 200
    listed = {
        t["id"]: t["revoked_at"] for t in (await world.get("mentor1", "/api/v1/me/tokens")).json()["items"]
    }
    assert listed[newest] is not None
    # someone else's token is not yours to revoke: 404, and it keeps working
    other = (await world.get("mentor2", "/api/v1/me/tokens")).json()["items"][0]["id"]
    assert (await world.delete("mentor1", f"/api/v1/me/tokens/{other}")).status_code == 404
    assert (await world.get("mentor2", "/api/v1/me")).status_code == 200


async def test_logout_revokes_only_the_token_it_was_sent_with(world) -> None:
    second = await login(world.client, "mentor1")
    response = await world.post("mentor1", "/api/v1/auth/logout")
    assert response.status_code == 204
    assert (await world.get("mentor1", "/api/v1/me")).status_code == 401
    assert (
        await world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    ).status_code == 200
    [event] = (await audit_repo.query(action_prefix="auth.logout"))[0]
    assert event["actor_username"] == "mentor1"


async def test_session_cookie_writes_need_the_csrf_token(world) -> None:
    issued = await auth_service.login("mentor1", PASSWORD, caller=anonymous("127.0.0.1"), kind="session")
    assert issued.csrf_token and issued.csrf_token != issued.token
    cookie = {"Cookie": f"pl_session={issued.token}"}
    me = await world.client.get("/api/v1/me", headers=cookie)
    assert (me.status_code, me.json()["username"]) == (200, "mentor1")
    forged = await world.client.post("/api/v1/auth/logout", headers=cookie)
    assert (forged.status_code, forged.json()["code"]) == (403, "csrf_failed")
    wrong = await world.client.post("/api/v1/auth/logout", headers={**cookie, "X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    out = await world.client.post(
        "/api/v1/auth/logout", headers={**cookie, "X-CSRF-Token": issued.csrf_token}
    )
    assert out.status_code == 204
    assert 'pl_session=""' in out.headers["set-cookie"] or "pl_session=;" in out.headers["set-cookie"]
    assert "max-age=0" in out.headers["set-cookie"].lower()
    assert (await world.client.get("/api/v1/me", headers=cookie)).status_code == 401


async def test_sessions_and_api_tokens_are_not_interchangeable(world) -> None:
    session = await auth_service.login("mentor1", PASSWORD, caller=anonymous("127.0.0.1"), kind="session")
    as_bearer = await world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {session.token}"})
    assert as_bearer.status_code == 401
    as_cookie = await world.client.get(
        "/api/v1/me", headers={"Cookie": f"pl_session={world.tokens['mentor1']}"}
    )
    assert as_cookie.status_code == 401


async def test_session_expires_after_its_lifetime(world, fixed_clock) -> None:
    session = await auth_service.login("mentor1", PASSWORD, caller=anonymous("127.0.0.1"), kind="session")
    assert session.expires_at == fixed_clock.instant + timedelta(hours=8)
    fixed_clock.instant = session.expires_at
    assert (
        await world.client.get("/api/v1/me", headers={"Cookie": f"pl_session={session.token}"})
    ).status_code == 401


async def test_coordinator_creates_users_and_others_cannot(world) -> None:
    body = {"username": "mentor4", "role": "mentor", "display_name": "Mentor Vier"}
    created = await world.post("coordinator", "/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json()["user"]["username"] == "mentor4" and len(created.json()["initial_password"]) >= 12
    assert await login(world.client, "mentor4", created.json()["initial_password"])
    refused = await world.post("mentor1", "/api/v1/users", json={**body, "username": "mentor5"})
    assert refused.status_code == 404
    staff_without_prison = await world.post(
        "coordinator", "/api/v1/users", json={"username": "jva-c", "role": "prison_staff"}
    )
    assert (staff_without_prison.status_code, staff_without_prison.json()["field"]) == (422, "prison_id")
    [event] = (await audit_repo.query(action_prefix="user.created"))[0][:1]
    assert (event["actor_username"], event["detail"]) == ("coordinator", {"role": "mentor"})
