"""Release-preparation plans over HTTP: templates, items, status rules, replanning, appointments, agenda."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from prison_liaison import clock
from tests.support import login

SENTENCE = {"sentence_start": "2025-09-01", "term": {"years": 1}, "land": "NW"}  # sentence end Mon 31.08.2026


async def _plan(world, code="T-0001", user="mentor1", sentence=True):
    pid = world.participants[code]
    if sentence:
        r = await world.put(user, f"/api/v1/participants/{pid}/sentence", json=SENTENCE)
        assert r.status_code == 200, r.text
    r = await world.post(user, f"/api/v1/participants/{pid}/plan", json={})
    assert r.status_code == 201, r.text
    return pid, {i["item_key"]: i for i in r.json()["items"]}


async def _patch_item(world, user, item, body):
    return await world.patch(
        user, f"/api/v1/plan-items/{item['id']}", json=body, headers={"If-Match": f'"v{item["version"]}"'}
    )


async def test_plan_from_default_template_derives_windows_and_due_states(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    assert len(items) == 18
    housing = items["housing"]
    assert (housing["title_de"], housing["title_en"]) == (
        "Wohnungssuche; Meldeadresse klären; ggf. betreutes Wohnen",
        "Find housing; settle a registration address; supported housing if needed",
    )
    # E = 31.08.2026; E−30 is Sat 01.08.2026 → the deadline rolls back to Fri 31.07.2026
    assert (housing["earliest_start"], housing["latest_due"]) == ("2025-12-01", "2026-07-31")
    assert items["sentence_calculation"]["latest_due"] == "2025-01-31"
    assert items["sentence_calculation"]["due_state"] == "overdue"
    assert items["identity"]["due_state"] == "open"
    assert items["release_day"]["due_state"] == "not_yet_open"
    assert items["deradicalisation"]["shared_with_prison"] is False
    assert items["bank_account"]["depends_on"] == [items["identity"]["id"]]
    plan = (await world.get("mentor2", f"/api/v1/participants/{pid}/plan")).json()
    assert plan["planning_date"] == "2026-08-31"
    assert plan["counts"]["overdue"] == 3  # sentence calculation, debts, early-release statement


async def test_plan_cannot_be_created_twice(world, fixed_clock) -> None:
    pid, _ = await _plan(world)
    response = await world.post("mentor1", f"/api/v1/participants/{pid}/plan", json={})
    assert response.status_code == 409
    assert response.json()["code"] == "plan_exists"


async def test_done_is_blocked_by_open_dependencies(world, fixed_clock) -> None:
    _, items = await _plan(world)
    response = await _patch_item(world, "mentor1", items["bank_account"], {"status": "done"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "dependencies_open"
    assert [d["title"] for d in body["open_dependencies"]] == ["Personalausweis / Pass beantragen"]
    ok = await _patch_item(
        world,
        "mentor1",
        items["identity"],
        {"status": "not_needed", "status_reason": "gültiger Ausweis liegt vor"},
    )
    assert ok.status_code == 200, ok.text
    done = await _patch_item(world, "mentor1", items["bank_account"], {"status": "done"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["due_state"], body["status_by"]) == (
        "done",
        "closed",
        str(world.users["mentor1"].id),
    )
    assert body["history"][0]["from_status"] == "open" and body["history"][0]["to_status"] == "done"


async def test_declined_needs_a_reason(world, fixed_clock) -> None:
    _, items = await _plan(world)
    response = await _patch_item(world, "mentor1", items["addiction"], {"status": "declined"})
    assert response.status_code == 422
    assert response.json()["field"] == "status_reason"
    item = (await world.get("mentor1", f"/api/v1/plan-items/{items['addiction']['id']}")).json()
    assert item["status"] == "open" and item["version"] == items["addiction"]["version"]


async def test_item_writes_need_current_version(world, fixed_clock) -> None:
    _, items = await _plan(world)
    url = f"/api/v1/plan-items/{items['family']['id']}"
    assert (await world.patch("mentor1", url, json={"title_de": "Neu"})).status_code == 428
    stale = await world.patch("mentor1", url, json={"title_de": "Neu"}, headers={"If-Match": '"v99"'})
    assert stale.status_code == 412


async def test_official_date_replans_derived_windows_but_not_hand_set(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    by_hand = await _patch_item(world, "mentor1", items["housing"], {"latest_due": "2026-07-15"})
    assert by_hand.json()["dates_set_by_hand"] is True
    # a visit planned for September now falls after the release
    from prison_liaison.persistence.tables import VisitTable

    visit_id = uuid4()
    await VisitTable.insert(
        VisitTable(
            id=visit_id,
            participant=pid,
            prison=world.prisons["JVA-A"],
            starts_at=datetime(2026, 8, 20, 8, 0, tzinfo=UTC),
            ends_at=datetime(2026, 8, 20, 9, 0, tzinfo=UTC),
            status="planned",
        )
    )
    response = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/release-dates",
        json={
            "kind": "planned_release",
            "source": "prison_letter",
            "date": "2026-08-14",
            "note": "Vollzugsplan",
        },
    )
    assert response.status_code == 201, response.text
    replan = response.json()["replan"]
    assert (replan["old_planning_date"], replan["new_planning_date"]) == ("2026-08-31", "2026-08-14")
    moved = {m["title"]: m for m in replan["items_moved"]}
    assert moved["Personalausweis / Pass beantragen"]["days"] == -17
    assert "Wohnungssuche; Meldeadresse klären; ggf. betreutes Wohnen" not in moved
    assert [v["id"] for v in replan["visits_after_release"]] == [str(visit_id)]
    assert "1 visit(s) now fall after release" in replan["summary"]
    # the visit itself is flagged for review by the visits rules (never dropped)
    flagged = await VisitTable.select(VisitTable.needs_review, VisitTable.review_reason).where(
        VisitTable.id == visit_id
    )
    assert flagged == [{"needs_review": True, "review_reason": "release_date_changed"}]
    plan = {i["item_key"]: i for i in (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()["items"]}
    assert plan["housing"]["latest_due"] == "2026-07-15"
    assert plan["identity"]["latest_due"] == date(2026, 5, 15).isoformat()
    ledger = (await world.get("mentor1", f"/api/v1/participants/{pid}/release-dates")).json()
    assert ledger["items"][0]["replan_diff"] == replan


async def test_template_edit_shows_in_new_plans_only(world, fixed_clock) -> None:
    pid1, old_items = await _plan(world)
    template = await world.get("coordinator", "/api/v1/checklist-templates/default")
    body = template.json()
    items = body["items"]
    items[0]["title_de"] = "Strafzeitberechnung anfordern (geändert)"
    edited = await world.patch(
        "coordinator",
        "/api/v1/checklist-templates/default",
        json={"items": items},
        headers={"If-Match": template.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == body["version"] + 1
    _, new_items = await _plan(world, "T-0002")
    assert new_items["sentence_calculation"]["title_de"] == "Strafzeitberechnung anfordern (geändert)"
    assert new_items["sentence_calculation"]["template_version"] == body["version"] + 1
    old = (await world.get("mentor1", f"/api/v1/participants/{pid1}/plan")).json()["items"]
    assert (
        old[0]["title_de"]
        == old_items["sentence_calculation"]["title_de"]
        != "Strafzeitberechnung anfordern (geändert)"
    )


async def test_template_cycle_is_422_and_mentor_cannot_edit(world) -> None:
    template = await world.get("coordinator", "/api/v1/checklist-templates/default")
    items = template.json()["items"]
    items[0]["depends_on"] = ["aftercare"]  # aftercare → release_day → benefits → identity → housing …
    items[3]["depends_on"] = ["sentence_calculation"]
    items[-1]["depends_on"] = ["housing"]
    items[3]["depends_on"] = ["aftercare"]
    response = await world.patch(
        "coordinator",
        "/api/v1/checklist-templates/default",
        json={"items": items},
        headers={"If-Match": template.headers["etag"]},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "dependency_cycle"
    assert response.json()["cycle"][0] == response.json()["cycle"][-1]
    mentor = await world.patch(
        "mentor1",
        "/api/v1/checklist-templates/default",
        json={"name": "x"},
        headers={"If-Match": template.headers["etag"]},
    )
    assert mentor.status_code == 404


async def test_other_mentors_plan_is_404(world, fixed_clock) -> None:
    _, items = await _plan(world, "T-0003", "mentor3")
    pid = world.participants["T-0003"]
    assert (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).status_code == 404
    assert (await world.get("mentor1", f"/api/v1/plan-items/{items['housing']['id']}")).status_code == 404
    assert (await _patch_item(world, "mentor1", items["housing"], {"title_de": "x"})).status_code == 404


async def test_prison_staff_see_shared_items_only_read_only(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    created = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/shares",
        json={
            "prison_id": str(world.prisons["JVA-A"]),
            "scope": ["housing", "identity", "income", "finances"],
            "consent_date": "2026-03-01",
            "consent_scope": "Entlassungsplan: Wohnen, Ausweis, Einkommen, Finanzen",
        },
    )
    assert created.status_code == 201, created.text
    await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-05-04T10:00:00+02:00",
            "ends_at": "2026-05-04T11:00:00+02:00",
            "agency": "Bürgeramt",
            "plan_item_id": items["identity"]["id"],
        },
    )
    await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-05-05T10:00:00+02:00",
            "ends_at": "2026-05-05T11:00:00+02:00",
            "agency": "Suchtberatung",
            "plan_item_id": items["addiction"]["id"],
        },
    )
    response = await world.get("prison1", f"/api/v1/participants/{pid}/plan")
    assert response.status_code == 200, response.text
    body = response.json()
    shared = body["items"]
    # flagged for the prison AND in a shared domain (finances' debts item is not flagged, health is not shared)
    assert {i["item_key"] for i in shared} == {"housing", "identity", "bank_account", "benefits"}
    assert all(i["notes"] is None for i in shared)
    assert [a["agency"] for a in body["appointments"]] == ["Bürgeramt"]
    write = await _patch_item(world, "prison1", items["housing"], {"title_de": "x"})
    assert write.status_code == 403
    for key in ("deradicalisation", "health_insurance"):
        hidden = await world.get("prison1", f"/api/v1/plan-items/{items[key]['id']}")
        assert hidden.status_code == 404
    agenda = (await world.get("prison1", "/api/v1/agenda?from=2026-03-01&to=2026-12-31")).json()["items"]
    assert {e["title"] for e in agenda if e["type"] == "appointment"} == {"Bürgeramt"}
    assert {e["item_id"] for e in agenda if e["type"] == "item"} <= {i["id"] for i in shared}
    other = await world.get("prison2", f"/api/v1/participants/{pid}/plan")
    assert other.status_code == 404


async def test_deradicalisation_cannot_be_shared(world, fixed_clock) -> None:
    _, items = await _plan(world)
    response = await _patch_item(world, "mentor1", items["deradicalisation"], {"shared_with_prison": True})
    assert response.status_code == 422
    assert response.json()["code"] == "never_shared"


async def test_closed_case_raises_nothing(world, fixed_clock) -> None:
    pid, _ = await _plan(world)
    # close the case through the stage rules (released, then completed), dated after the case was created
    fixed_clock.instant = datetime.now(UTC) + timedelta(days=1)
    for user in ("coordinator", "mentor1"):  # tokens issued at the old "now" have expired by then
        world.tokens[user] = await login(world.client, user)
    for stage in ("released", "completed"):
        moved = await world.post(
            "coordinator", f"/api/v1/participants/{pid}/stage",
            json={"to_stage": stage, "on_date": clock.today().isoformat(), "reason": "Test"},
        )
        assert moved.status_code == 200, moved.text
    plan = (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()
    assert {i["due_state"] for i in plan["items"]} == {"closed"}
    agenda = (await world.get("mentor1", "/api/v1/agenda?from=2026-03-01&to=2026-12-31")).json()
    assert agenda["items"] == []


async def test_add_item_by_hand_and_remove_rules(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    added = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/plan-items",
        json={
            "domain": "other",
            "title_de": "Führerschein klären",
            "latest_due": "2026-05-01",
            "depends_on": [items["identity"]["id"]],
        },
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["latest_due"], body["dates_set_by_hand"], body["due_state"]) == ("2026-05-01", True, "open")
    derived = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/plan-items",
        json={"domain": "health", "title_de": "Zahnarzt", "due_offset_days": -10},
    )
    assert derived.json()["latest_due"] == "2026-08-21"
    blocked = await world.delete(
        "mentor1",
        f"/api/v1/plan-items/{items['identity']['id']}",
        headers={"If-Match": f'"v{items["identity"]["version"]}"'},
    )
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "has_dependents"
    removed = await world.delete("mentor1", f"/api/v1/plan-items/{body['id']}", headers={"If-Match": '"v1"'})
    assert removed.status_code == 204
    assert (await world.get("mentor1", f"/api/v1/plan-items/{body['id']}")).status_code == 404
    cycle = await _patch_item(world, "mentor1", items["identity"], {"depends_on": [items["bank_account"]["id"]]})
    assert cycle.status_code == 422
    assert cycle.json()["code"] == "dependency_cycle"


async def test_appointment_sequence_bumps_on_time_place_status(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    created = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-08-31T11:00:00+02:00",
            "ends_at": "2026-08-31T12:00:00+02:00",
            "agency": "Jobcenter Mitte",
            "place": "Raum 12",
            "what_to_bring": "Entlassungsschein, Ausweis",
            "plan_item_id": items["benefits"]["id"],
        },
    )
    assert created.status_code == 201, created.text
    a = created.json()
    assert (a["sequence"], a["plan_item_id"], a["warnings"]) == (0, items["benefits"]["id"], [])
    url = f"/api/v1/appointments/{a['id']}"
    contact = await world.patch(
        "mentor1", url, json={"contact": "Frau M."}, headers={"If-Match": created.headers["etag"]}
    )
    assert contact.json()["sequence"] == 0
    moved = await world.patch(
        "mentor1",
        url,
        json={"starts_at": "2026-08-31T13:00:00+02:00", "ends_at": "2026-08-31T14:00:00+02:00"},
        headers={"If-Match": contact.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    bad = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-08-31T11:00:00+02:00",
            "ends_at": "2026-08-31T10:00:00+02:00",
            "agency": "Jobcenter",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "ends_at"
    listed = (await world.get("mentor1", f"/api/v1/participants/{pid}/appointments")).json()["items"]
    assert [x["id"] for x in listed] == [a["id"]]
    assert (await world.get("mentor3", url)).status_code == 404


async def test_agenda_lists_own_participants_in_date_order(world, fixed_clock) -> None:
    pid1, _ = await _plan(world)
    await _plan(world, "T-0003", "mentor3")
    await world.post(
        "mentor1",
        f"/api/v1/participants/{pid1}/appointments",
        json={
            "starts_at": "2026-03-20T09:00:00+01:00",
            "ends_at": "2026-03-20T10:00:00+01:00",
            "agency": "Schuldnerberatung",
        },
    )
    response = await world.get("mentor1", "/api/v1/agenda?from=2026-03-10&to=2026-06-30")
    assert response.status_code == 200, response.text
    entries = response.json()["items"]
    assert {e["participant_code"] for e in entries} == {"T-0001"}
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
    assert entries[0]["due_state"] == "overdue"
    assert {"Schuldnerberatung"} <= {e["title"] for e in entries if e["type"] == "appointment"}
    assert any(e["due_state"] == "open" for e in entries)
    bad = await world.get("mentor1", "/api/v1/agenda?from=2026-03-10&to=2026-01-01")
    assert bad.status_code == 422


async def test_agenda_leaves_out_archived_cases(world, fixed_clock) -> None:
    pid1, _ = await _plan(world)
    await world.post(
        "mentor1",
        f"/api/v1/participants/{pid1}/appointments",
        json={"starts_at": "2026-03-20T09:00:00+01:00", "ends_at": "2026-03-20T10:00:00+01:00", "agency": "Jobcenter"},
    )
    url = "/api/v1/agenda?from=2026-03-10&to=2026-06-30"
    for user in ("mentor1", "coordinator"):
        assert (await world.get(user, url)).json()["items"], user
    read = await world.get("coordinator", f"/api/v1/participants/{pid1}")
    archived = await world.delete(
        "coordinator", f"/api/v1/participants/{pid1}", headers={"If-Match": read.headers["etag"]}
    )
    assert archived.status_code == 204, archived.text
    for user in ("mentor1", "coordinator"):
        assert (await world.get(user, url)).json()["items"] == [], user


async def test_back_to_derived_dates_and_new_offsets(world, fixed_clock) -> None:
    _, items = await _plan(world)
    by_hand = await _patch_item(world, "mentor1", items["identity"], {"latest_due": "2026-04-30"})
    assert (by_hand.json()["latest_due"], by_hand.json()["dates_set_by_hand"]) == ("2026-04-30", True)
    derived = await world.patch(
        "mentor1",
        f"/api/v1/plan-items/{items['identity']['id']}",
        json={"dates_set_by_hand": False, "due_offset_days": -60},
        headers={"If-Match": by_hand.headers["etag"]},
    )
    assert derived.status_code == 200, derived.text
    body = derived.json()
    # E = 31.08.2026; E−60 = Thu 02.07.2026
    assert (body["dates_set_by_hand"], body["latest_due"], body["earliest_start"]) == (
        False,
        "2026-07-02",
        "2026-03-02",
    )


async def test_plan_reads_and_writes_are_audited(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    await _patch_item(world, "mentor1", items["family"], {"status": "in_progress"})
    await world.get("mentor1", f"/api/v1/participants/{pid}/plan")
    events = (await world.get("coordinator", f"/api/v1/audit-events?participant_id={pid}")).json()["items"]
    assert {"plan.created", "plan_item.status_changed", "plan.read"} <= {e["action"] for e in events}


async def test_item_anchored_on_dependency_moves_with_it(world, fixed_clock) -> None:
    pid, items = await _plan(world)
    added = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/plan-items",
        json={
            "domain": "finances",
            "title_de": "Kontoeröffnung nach Ausweis",
            "anchor": "dependencies",
            "start_offset_days": 0,
            "due_offset_days": 14,
            "depends_on": [items["identity"]["id"]],
        },
    )
    assert added.status_code == 201, added.text
    assert (added.json()["earliest_start"], added.json()["latest_due"]) == ("2026-06-01", "2026-06-15")
    await _patch_item(world, "mentor1", items["identity"], {"latest_due": "2026-05-04"})
    follower = (await world.get("mentor1", f"/api/v1/plan-items/{added.json()['id']}")).json()
    assert (follower["earliest_start"], follower["latest_due"]) == ("2026-05-04", "2026-05-18")
    lonely = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/plan-items",
        json={"domain": "other", "title_de": "x", "anchor": "dependencies", "due_offset_days": 3},
    )
    assert lonely.status_code == 422
    assert lonely.json()["field"] == "anchor"


async def test_release_day_appointment_before_eleven_is_flagged(world, fixed_clock) -> None:
    pid, _ = await _plan(world)
    early = await world.post(
        "mentor1",
        f"/api/v1/participants/{pid}/appointments",
        json={
            "starts_at": "2026-08-31T08:30:00+02:00",
            "ends_at": "2026-08-31T09:00:00+02:00",
            "agency": "Bank",
        },
    )
    assert early.status_code == 201, early.text
    assert early.json()["warnings"] == ["release_day_before_11"]
    plan = (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()
    assert plan["appointments"][0]["warnings"] == ["release_day_before_11"]
