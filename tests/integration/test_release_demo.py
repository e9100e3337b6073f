"""The demo programme's release dates and plans: consistent dates, overdue work, an agenda per mentor."""

from __future__ import annotations

from datetime import timedelta

from tests.support import login


async def test_demo_release_dates_and_plans(client, db, fixed_clock) -> None:
    from prison_liaison.services.demo import PARTICIPANTS, load_demo

    result = await load_demo()
    token = {u: await login(client, u, result.password) for u in ("mentor1", "coordinator")}

    def get(user, url):
        return client.get(url, headers={"Authorization": f"Bearer {token[user]}"})

    participants = (await get("coordinator", "/api/v1/participants?limit=200")).json()["items"]
    today = fixed_clock.instant.date()
    expected = {
        code: (today + timedelta(days=release)).isoformat() for code, *_, release, _l, _c in PARTICIPANTS
    }
    # the base cases (the intake step adds inquiries without a sentence)
    assert {p["code"]: p["planning_date"] for p in participants if p["code"] in expected} == expected

    # mentor1's agenda: their own cases only, something overdue, appointments, date order
    agenda = (await get("mentor1", "/api/v1/agenda")).json()["items"]
    own = {code for code, *_, lead, co in PARTICIPANTS if "mentor1" in (lead, co)}
    assert {e["participant_code"] for e in agenda} <= own
    assert any(e["due_state"] == "overdue" for e in agenda)
    assert any(e["due_state"] in ("due_soon", "open") for e in agenda)
    assert any(e["type"] == "appointment" for e in agenda)
    assert [e["date"] for e in agenda] == sorted(e["date"] for e in agenda)

    # an official release date for L-2026-003 moves its derived deadlines; the answer carries the diff
    p3 = next(p for p in participants if p["code"] == "L-2026-003")
    new_date = (today + timedelta(days=14)).isoformat()
    response = await client.post(
        f"/api/v1/participants/{p3['id']}/release-dates",
        json={"kind": "planned_release", "source": "prison_letter", "date": new_date, "note": "vorverlegt"},
        headers={"Authorization": f"Bearer {token['mentor1']}"},
    )
    assert response.status_code == 201, response.text
    replan = response.json()["replan"]
    assert replan["new_planning_date"] == new_date
    assert replan["items_moved"] and all(m["days"] in range(-10, -4) for m in replan["items_moved"])
