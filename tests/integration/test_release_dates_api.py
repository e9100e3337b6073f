"""Release dates over HTTP: the calculator, sentences, the ledger and the planning date."""

from __future__ import annotations

import pytest

from tests.unit.test_release_dates import WORKED_EXAMPLES


def _iso(d):
    return d.isoformat() if d else None


@pytest.mark.parametrize("case", sorted(WORKED_EXAMPLES))
async def test_calculator_worked_example(world, case) -> None:
    start, term, (end, earliest, half, two_thirds) = WORKED_EXAMPLES[case]
    response = await world.post(
        "mentor1",
        "/api/v1/release-dates/calculate",
        json={
            "sentence_start": start.isoformat(),
            "term": {"years": term.years, "months": term.months, "weeks": term.weeks, "days": term.days},
            "pretrial_credit_days": 0,
            "land": "NW",
            "youth": False,
            "first_sentence": True,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["sentence_end"], body["earliest_release_day"], body["half_time"], body["two_thirds"]) == (
        _iso(end),
        _iso(earliest),
        _iso(half),
        _iso(two_thirds),
    )
    assert isinstance(body["flags"], list)


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"sentence_start": "2025-02-30", "term": {"years": 1}}, "sentence_start", "invalid_date"),
        ({"sentence_start": "2025-03-10", "term": {"months": -3}}, "term.months", "negative_term"),
        ({"sentence_start": "2025-03-10", "term": {"years": 500}}, "term.years", "term_too_long"),
        (
            {"sentence_start": "2025-03-10", "term": {"months": 1}, "pretrial_credit_days": 40},
            "pretrial_credit_days",
            "credit_exceeds_term",
        ),
        ({"sentence_start": "2025-03-10", "term": {"months": 1}, "land": "ZZ"}, "land", "validation_failed"),
        ({"sentence_start": "2025-03-10", "term": {}}, "term", "empty_term"),
    ],
)
async def test_calculator_bad_input_is_422_naming_field(world, payload, field, code) -> None:
    response = await world.post("mentor1", "/api/v1/release-dates/calculate", json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["field"], body["code"]) == (field, code)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_calculator_needs_login(client, db) -> None:
    response = await client.post("/api/v1/release-dates/calculate", json={"sentence_start": "2025-03-10"})
    assert response.status_code == 401


SENTENCE = {"sentence_start": "2025-03-10", "term": {"years": 1}, "land": "NW", "court": "LG Musterstadt"}


async def test_sentence_writes_computed_entries_and_planning_date(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    response = await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {(e["kind"], e["date"], e["source"]) for e in body["entries"]} == {
        ("sentence_end", "2026-03-09", "computed"),
        ("earliest_release_day", "2026-03-09", "computed"),
        ("half_time", "2025-09-09", "computed"),
        ("two_thirds", "2025-11-07", "computed"),
    }
    assert body["release_dates"]["planning_date"] == "2026-03-09"
    assert body["release_dates"]["planning_source"] == "computed:sentence_end"
    participant = (await world.get("mentor1", f"/api/v1/participants/{pid}")).json()
    assert participant["planning_date"] == "2026-03-09"


async def test_official_date_overrides_computed_and_ledger_keeps_history(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    response = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/release-dates",
        json={
            "kind": "sentence_end",
            "source": "prison_letter",
            "date": "2026-02-20",
            "note": "Schreiben JVA vom 1.3.",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["release_dates"]["planning_date"] == "2026-02-20"
    assert body["entries"][0]["previous_date"] == "2026-03-09"
    assert body["entries"][0]["recorded_by_name"] == "Mentor1"
    assert body["replan"]["old_planning_date"] == "2026-03-09"
    ledger = (await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")).json()
    assert len(ledger["items"]) == 5
    assert ledger["items"][0]["source"] == "prison_letter"
    assert (await world.get("mentor1", f"/api/v1/participants/{pid}")).json()["planning_date"] == "2026-02-20"


async def test_changing_sentence_needs_if_match(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    again = await world.put(
        "mentor1", f"/api/v1/participants/{pid}/sentence", json={**SENTENCE, "pretrial_credit_days": 10}
    )
    assert again.status_code == 428
    sentence = await world.get("mentor1", f"/api/v1/participants/{pid}/sentence")
    changed = await world.put(
        "mentor1",
        f"/api/v1/participants/{pid}/sentence",
        json={**SENTENCE, "pretrial_credit_days": 10},
        headers={"If-Match": sentence.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["release_dates"]["planning_date"] == "2026-02-27"
    assert {e["kind"] for e in changed.json()["entries"]} == {
        "sentence_end",
        "earliest_release_day",
        "half_time",
        "two_thirds",
    }


async def test_bad_sentence_writes_nothing(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    response = await world.put(
        "mentor1", f"/api/v1/participants/{pid}/sentence", json={**SENTENCE, "pretrial_credit_days": 9999}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "pretrial_credit_days"
    ledger = (await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")).json()
    assert (ledger["items"], ledger["sentence"], ledger["planning_date"]) == ([], None, None)


async def test_release_dates_of_other_mentor_are_404(world) -> None:
    pid = world.participants["T-0003"]
    assert (await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")).status_code == 404
    response = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/release-dates",
        json={"kind": "sentence_end", "source": "mentor_estimate", "date": "2026-05-01"},
    )
    assert response.status_code == 404
    assert (await world.get("prison1", f"/api/v1/participants/{pid}/release-dates")).status_code == 404


async def test_court_decision_needs_note(world) -> None:
    pid = world.participants["T-0001"]
    response = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/release-dates",
        json={"kind": "two_thirds", "source": "court_decision", "date": "2026-05-01"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "note"


async def test_planning_basis_two_thirds_uses_computed_two_thirds(world, fixed_clock) -> None:
    pid = world.participants["T-0002"]
    p = await world.get("coordinator", f"/api/v1/participants/{pid}")
    await world.patch(
        "mentor1",
        f"/api/v1/participants/{pid}",
        json={"planning_basis": "two_thirds"},
        headers={"If-Match": p.headers["etag"]},
    )
    response = await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    assert response.json()["release_dates"]["planning_date"] == "2025-11-07"


async def test_release_date_reads_and_writes_are_audited(world, fixed_clock) -> None:
    pid = world.participants["T-0001"]
    await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")
    events = (await world.get("coordinator", f"/api/v1/audit-events?participant_id={pid}")).json()["items"]
    assert {"sentence.saved", "release_dates.read"} <= {e["action"] for e in events}


async def test_changing_planning_basis_moves_planning_date_and_plan(world, fixed_clock) -> None:
    pid = world.participants["T-0002"]
    await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    await world.post("mentor1", f"/api/v1/participants/{pid}/plan", json={})
    p = await world.get("mentor1", f"/api/v1/participants/{pid}")
    assert p.json()["planning_date"] == "2026-03-09"
    changed = await world.patch(
        "mentor1",
        f"/api/v1/participants/{pid}",
        json={"planning_basis": "two_thirds"},
        headers={"If-Match": p.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["planning_date"] == "2025-11-07"
    plan = {
        i["item_key"]: i
        for i in (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()["items"]
    }
    assert plan["release_day"]["latest_due"] == "2025-11-07"


async def test_concurrent_official_dates_leave_a_consistent_planning_date(world, fixed_clock) -> None:
    import asyncio

    pid = world.participants["T-0001"]
    await world.put("mentor1", f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
    days = [f"2026-0{m}-15" for m in range(4, 9)]
    responses = await asyncio.gather(
        *[
            world.post(
                "mentor1",
                f"/api/v1/participants/{pid}/release-dates",
                json={"kind": "planned_release", "source": "prison_letter", "date": d, "note": "x"},
            )
            for d in days
        ]
    )
    assert [r.status_code for r in responses] == [201] * 5
    ledger = (await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")).json()
    participant = (await world.get("mentor1", f"/api/v1/participants/{pid}")).json()
    assert participant["planning_date"] == ledger["planning_date"]
    assert len([e for e in ledger["items"] if e["source"] == "prison_letter"]) == 5


async def test_sentence_land_defaults_to_the_prisons_land(world, fixed_clock) -> None:
    prison = await world.get("coordinator", f"/api/v1/prisons/{world.prisons['JVA-B']}")
    await world.patch(
        "coordinator",
        f"/api/v1/prisons/{world.prisons['JVA-B']}",
        json={"land": "BY"},
        headers={"If-Match": prison.headers["etag"]},
    )
    pid = world.participants["T-0003"]
    # sentence end Tue 06.01.2026: a holiday in Bavaria, outside the federal window → Mon 05.01.2026
    response = await world.put(
        "mentor3",
        f"/api/v1/participants/{pid}/sentence",
        json={"sentence_start": "2025-01-07", "term": {"years": 1}},
    )
    assert response.status_code == 200, response.text
    body = response.json()["release_dates"]
    assert body["sentence"]["land"] == "BY"
    assert (body["computed"]["sentence_end"], body["computed"]["earliest_release_day"]) == (
        "2026-01-06",
        "2026-01-05",
    )
    assert "release_day_rule_unverified" in {f["code"] for f in body["computed"]["flags"]}
