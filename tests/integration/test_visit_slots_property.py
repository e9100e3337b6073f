"""Property: every slot the finder proposes is accepted by the booking endpoint, whatever else is booked."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VISITS = "/api/v1/visits"


async def _cancel_all(world: Any, visit_ids: list[str]) -> None:
    for visit_id in visit_ids:
        response = await world.post(
            "coordinator",
            f"{VISITS}/{visit_id}/cancel",
            json={"reason": "scheduled_in_error", "cancelled_by": "mentor"},
        )
        assert response.status_code == 200, response.text


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    others=st.lists(
        st.tuples(st.integers(2, 9), st.integers(0, 5), st.sampled_from(["T-0002", "T-0003"])), max_size=4
    ),
    minutes=st.sampled_from([30, 60, 90]),
    from_day=st.integers(10, 20),
)
async def test_every_proposed_slot_is_bookable(
    world, fixed_clock, others: list[tuple[int, int, str]], minutes: int, from_day: int
) -> None:
    # the co-mentor (mentor2) is busy with other participants, at JVA-A (T-0002) or JVA-B (T-0003)
    mentor2 = str(world.users["mentor2"].id)
    blockers: list[str] = []
    for day_offset, half_hours, code in others:
        day = 12 + day_offset
        start_minutes = 9 * 60 + 30 * half_hours
        start = f"2026-03-{day:02d}T{start_minutes // 60:02d}:{start_minutes % 60:02d}:00+01:00"
        end_minutes = start_minutes + 60
        end = f"2026-03-{day:02d}T{end_minutes // 60:02d}:{end_minutes % 60:02d}:00+01:00"
        response = await world.post(
            "coordinator",
            VISITS,
            json={
                "participant_id": str(world.participants[code]),
                "starts_at": start,
                "ends_at": end,
                "mentor_ids": [mentor2],
                "lead_time_override_reason": "test set-up",
            },
        )
        if response.status_code == 201:
            blockers.append(response.json()["id"])
    pid = world.participants["T-0001"]
    slots = await world.get(
        "mentor1",
        f"/api/v1/participants/{pid}/visit-slots?from=2026-03-{from_day}&to=2026-03-31"
        f"&minutes={minutes}&limit=8",
    )
    assert slots.status_code == 200, slots.text
    booked: list[str] = []
    for slot in slots.json():
        response = await world.post(
            "mentor1",
            VISITS,
            json={
                "participant_id": str(pid),
                "starts_at": slot["starts_at"],
                "ends_at": slot["ends_at"],
                "mentor_ids": [str(world.users["mentor1"].id), mentor2],
            },
        )
        assert response.status_code == 201, (slot, response.text)
        booked.append(response.json()["id"])
        # free the slot again so the next proposal is judged against the same state it was computed from
        await _cancel_all(world, [booked[-1]])
    await _cancel_all(world, blockers)
