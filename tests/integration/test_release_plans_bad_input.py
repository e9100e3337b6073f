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


@pytest.mark.parametrize(
    ("query", "field"),
    [({"from": "9999-12-31"}, "from"), ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
     ({"from": "2026-03-01", "to": "9999-12-31"}, "to")],
)
async def test_agenda_far_off_dates_are_a_problem_naming_the_field(world, fixed_clock, query, field) -> None:
    response = await world.get("mentor1", "/api/v1/agenda", params=query)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [("9999-12-31T23:00:00+00:00", "9999-12-31T23:30:00+00:00", "starts_at"),
     ("0001-01-01T10:00:00+00:00", "0001-01-01T11:00:00+00:00", "starts_at")],
)
async def test_appointment_far_off_years_are_a_problem_naming_the_field(
    world, fixed_clock, starts_at, ends_at, field
) -> None:
    pid = world.participants["T-0001"]
    body = {"starts_at": starts_at, "ends_at": ends_at, "agency": "Jobcenter"}
    response = await world.post("mentor1", f"/api/v1/participants/{pid}/appointments", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    listed = await world.get("mentor1", f"/api/v1/participants/{pid}/appointments")
    assert listed.json()["items"] == []
