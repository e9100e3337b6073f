"""Odd input to the release-date and plan endpoints is a 4xx problem naming the field — never a 500."""

from __future__ import annotations

import pytest

CALC = "/api/v1/release-dates/calculate"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"sentence_start": 20250101},
        {"sentence_start": "2025-01-01", "term": {"years": 1.5}},
        {"sentence_start": "2025-01-01", "term": {"days": 2**62}},
        {"sentence_start": "2025-01-01", "term": {"years": 1}, "pretrial_credit_days": 2**62},
        {"sentence_start": "2100-12-31", "term": {"years": 1}},
        {"sentence_start": "2025-01-01T10:00:00", "term": {"years": 1}},
        {"sentence_start": "2025-01-01", "term": {"years": 1}, "land": "nw"},
        {"sentence_start": "2025-01-01", "life": True, "pretrial_credit_days": 99999},
        {"sentence_start": "2025-01-01", "term": {"years": 1}, "extra": 1},
    ],
)
async def test_calculator_odd_input_is_4xx_problem(world, payload) -> None:
    response = await world.post("mentor1", CALC, json=payload)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_plan_endpoints_odd_input_is_4xx(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    created = await world.post("mentor1", f"/api/v1/participants/{pid}/plan", json={"template_key": "nope"})
    assert created.status_code == 422 and created.json()["field"] == "template_key"
    await world.post("mentor1", f"/api/v1/participants/{pid}/plan", json={})
    cases = [
        {"domain": "space", "title_de": "x"},
        {"domain": "other", "title_de": " "},
        {"domain": "other", "title_de": "x", "earliest_start": "2026-05-01", "latest_due": "2026-04-01"},
        {"domain": "other", "title_de": "x", "start_offset_days": 10, "due_offset_days": -10},
        {"domain": "other", "title_de": "x", "due_offset_days": 99999},
        {"domain": "deradicalisation", "title_de": "x", "shared_with_prison": True},
        {"domain": "other", "title_de": "x", "owner_role": "king"},
    ]
    for body in cases:
        response = await world.post("mentor1", f"/api/v1/participants/{pid}/plan-items", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    appointment = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={"starts_at": "2026-04-01T10:00:00", "ends_at": "2026-04-01T11:00:00", "agency": "Jobcenter"},
    )
    assert appointment.status_code == 422
    assert appointment.json()["field"] == "starts_at"
    stranger = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-04-01T10:00:00Z",
            "ends_at": "2026-04-01T11:00:00Z",
            "agency": "Jobcenter",
            "plan_item_id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert stranger.status_code == 422
    assert stranger.json()["field"] == "plan_item_id"
    plan = (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()
    assert len(plan["items"]) == 18 and plan["appointments"] == []
