"""The demo's visits are booked through the real rules: past ones completed, future ones planned/confirmed."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from prison_liaison.services.demo import load_demo
from prison_liaison.settings import get_settings
from tests.support import login


async def test_demo_visits_are_varied_and_never_collide(client, db, fixed_clock, monkeypatch) -> None:
    monkeypatch.setenv("PRISON_LIAISON_DEMO_PASSWORD", "demo-password-for-tests")
    get_settings.cache_clear()
    try:
        result = await load_demo()
    finally:
        monkeypatch.delenv("PRISON_LIAISON_DEMO_PASSWORD")
        get_settings.cache_clear()
    assert result.created
    token = await login(client, "coordinator", "demo-password-for-tests")
    response = await client.get("/api/v1/visits?limit=200", headers={"Authorization": f"Bearer {token}"})
    visits = response.json()["items"]
    statuses = Counter(v["status"] for v in visits)
    assert statuses["completed"] >= 10
    assert statuses["confirmed"] >= 5
    assert statuses["planned"] >= 5
    assert Counter(v["kind"] for v in visits)["meeting"] == 2
    assert fixed_clock.instant == fixed_clock()  # the clock is back where the test put it
    for a, b in combinations(visits, 2):
        if set(a["mentor_ids"]) & set(b["mentor_ids"]) or a["participant_id"] == b["participant_id"]:
            assert a["ends_at"] <= b["starts_at"] or b["ends_at"] <= a["starts_at"], (a, b)
