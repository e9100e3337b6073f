"""The demo's visits are booked through the real rules: past ones completed, future ones planned/confirmed."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
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
    booked = [v for v in visits if v["status"] != "cancelled"]
    for a, b in combinations(booked, 2):
        a_start, a_end, b_start, b_end = (
            datetime.fromisoformat(v) for v in (a["starts_at"], a["ends_at"], b["starts_at"], b["ends_at"])
        )
        # mentors keep the prisons' 30-minute travel buffer; a participant is never in two places
        gap = timedelta(minutes=30) if set(a["mentor_ids"]) & set(b["mentor_ids"]) else timedelta(0)
        if gap or a["participant_id"] == b["participant_id"]:
            assert a_end + gap <= b_start or b_end + gap <= a_start, (a, b)
