"""Referrals, stage changes and the intake queue over HTTP, on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from prison_liaison.persistence.tables import AuditEventTable, ReferralTable, ShareTable, StageChangeTable
from prison_liaison.services import retention
from prison_liaison.services.context import system

POLICE = {
    "source": "police",
    "organisation": "Polizeipräsidium Musterstadt, Staatsschutz",
    "contact": "KHK Beispiel, 0000 555-123",
    "received_on": "2026-02-02",
    "first_name": "Olaf",
    "last_name": "Oskar",
}


async def _refer(world, body=None) -> dict:
    response = await world.post("coordinator", "/api/v1/referrals", json=body or POLICE)
    assert response.status_code == 201, response.text
    return response.json()


async def test_referral_creates_inquiry_with_generated_code(fixed_clock, world) -> None:
    created = await _refer(world)
    participant, referral = created["participant"], created["referral"]
    assert participant["status"] == "inquiry"
    assert participant["code"] == "L-2026-001"
    assert participant["initials"] == "O.O."
    assert {k: referral[k] for k in ("source", "organisation", "contact", "received_on", "consent_date")} == {
        "source": "police",
        "organisation": POLICE["organisation"],
        "contact": POLICE["contact"],
        "received_on": "2026-02-02",
        "consent_date": None,
    }
    second = await _refer(world, {"source": "self"})
    assert second["participant"]["code"] == "L-2026-002"
    assert second["referral"]["received_on"] == "2026-03-10"


async def test_referral_contact_is_encrypted_at_rest(fixed_clock, world) -> None:
    created = await _refer(world)
    row = await ReferralTable.select().where(ReferralTable.id == created["referral"]["id"]).first()
    assert row is not None
    for column, plain in (
        ("organisation_encrypted", POLICE["organisation"]),
        ("contact_encrypted", POLICE["contact"]),
    ):
        assert row[column]
        assert plain not in row[column]
        assert "Staatsschutz" not in row[column] and "555" not in row[column]


async def test_referral_other_source_needs_text(fixed_clock, world) -> None:
    response = await world.post("coordinator", "/api/v1/referrals", json={"source": "other"})
    assert response.status_code == 422
    assert response.json()["code"] == "source_text_required"
    assert response.json()["field"] == "source_text"
    listed = await world.get("coordinator", "/api/v1/participants", params={"status": "inquiry"})
    assert listed.json()["items"] == []


async def test_referral_duplicate_code_writes_nothing(fixed_clock, world) -> None:
    response = await world.post("coordinator", "/api/v1/referrals", json={**POLICE, "code": "T-0001"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_code"
    assert await ReferralTable.count() == 0


async def test_referral_only_coordinators_create(fixed_clock, world) -> None:
    for user in ("mentor1", "prison1"):
        response = await world.post(user, "/api/v1/referrals", json=POLICE)
        assert response.status_code == 404, user
    assert await ReferralTable.count() == 0


async def test_inquiry_is_invisible_to_prison_staff_even_with_a_share(fixed_clock, world) -> None:
    created = await _refer(world, {**POLICE, "prison_id": str(world.prisons["JVA-A"])})
    pid = created["participant"]["id"]
    now = datetime(2026, 3, 10, 8, tzinfo=UTC)
    await ShareTable.insert(
        ShareTable(
            id=uuid4(),
            participant=pid,
            prison=world.prisons["JVA-A"],
            scope=["housing"],
            consent_date=date(2026, 3, 1),
            created_at=now,
            updated_at=now,
        )
    )
    for url in (
        f"/api/v1/participants/{pid}",
        f"/api/v1/participants/{pid}/referral",
        f"/api/v1/participants/{pid}/stages",
    ):
        response = await world.get("prison1", url)
        assert response.status_code == 404, url
    listed = await world.get("prison1", "/api/v1/participants")
    assert pid not in [p["id"] for p in listed.json()["items"]]
    queue = await world.get("prison1", "/api/v1/intake-queue")
    assert queue.status_code == 404
    # once in custody, the shared case is visible to the prison; its referral never is
    await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "intake"})
    await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "in_custody"})
    assert (await world.get("prison1", f"/api/v1/participants/{pid}")).status_code == 200
    assert (await world.get("prison1", f"/api/v1/participants/{pid}/referral")).status_code == 404
    # ...and that 404 reads exactly like one for an id that does not exist: nothing to tell apart
    for suffix in ("referral", "stages"):
        shared = await world.get("prison1", f"/api/v1/participants/{pid}/{suffix}")
        unknown = await world.get("prison1", f"/api/v1/participants/{uuid4()}/{suffix}")
        assert (shared.status_code, shared.json()["code"], shared.json()["detail"]) == (
            unknown.status_code,
            unknown.json()["code"],
            unknown.json()["detail"],
        ), suffix


async def test_stage_change_records_history_with_who_and_why(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    response = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "intake", "on_date": "2026-02-20", "reason": "Erstgespräch geführt"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "intake"
    assert response.headers["ETag"] == f'"v{response.json()["version"]}"'
    history = (await world.get("coordinator", f"/api/v1/participants/{pid}/stages")).json()["items"]
    assert [(h["from_stage"], h["to_stage"], h["on_date"], h["reason"]) for h in history] == [
        (None, "inquiry", "2026-02-02", "Zuweisung: police"),
        ("inquiry", "intake", "2026-02-20", "Erstgespräch geführt"),
    ]
    assert history[1]["actor_id"] == str(world.users["coordinator"].id)
    assert history[1]["actor_name"] == "Clara Koordination"


async def test_stage_change_not_allowed_is_409_with_code(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    response = await world.post(
        "coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "released"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stage_transition_not_allowed"
    assert body["allowed"] == ["declined", "intake", "withdrawn"]
    assert await StageChangeTable.count().where(StageChangeTable.participant == pid) == 1


async def test_stage_withdrawn_needs_reason(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    response = await world.post(
        "coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "withdrawn"}
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("reason_required", "reason")
    ok = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "withdrawn", "reason": "meldet sich nicht mehr"},
    )
    assert ok.json()["status"] == "withdrawn"


async def test_stage_date_rules(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    future = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "intake", "on_date": "2026-03-11"},
    )
    assert future.json()["code"] == "stage_date_in_future"
    earlier = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "intake", "on_date": "2026-01-01"},
    )
    assert (earlier.status_code, earlier.json()["code"]) == (422, "stage_date_before_previous")


async def test_stage_custody_needs_prison(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "intake"})
    response = await world.post(
        "coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "in_custody"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "prison_required")


async def test_stage_stale_if_match_is_412(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    response = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "intake"},
        headers={"If-Match": '"v99"'},
    )
    assert response.status_code == 412
    current = await world.get("coordinator", f"/api/v1/participants/{pid}")
    assert current.json()["status"] == "inquiry"


async def test_stage_by_mentor_of_case_only(fixed_clock, world) -> None:
    pid = world.participants["T-0001"]
    other = await world.post("mentor3", f"/api/v1/participants/{pid}/stage", json={"to_stage": "released"})
    assert other.status_code == 404
    staff = await world.post(
        "prison1", f"/api/v1/participants/{world.participants['T-0003']}/stage", json={"to_stage": "released"}
    )
    assert staff.status_code == 404
    own = await world.post("mentor1", f"/api/v1/participants/{pid}/stage", json={"to_stage": "released"})
    assert own.status_code == 200
    assert own.json()["status"] == "released"


async def test_created_participant_has_initial_stage(fixed_clock, world) -> None:
    pid = world.participants["T-0001"]
    history = (await world.get("coordinator", f"/api/v1/participants/{pid}/stages")).json()["items"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [(None, "in_custody")]


async def test_patch_status_follows_stage_rules(fixed_clock, world) -> None:
    pid = world.participants["T-0001"]
    current = await world.get("coordinator", f"/api/v1/participants/{pid}")
    bad = await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"status": "inquiry"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert (bad.status_code, bad.json()["code"]) == (409, "stage_transition_not_allowed")
    no_reason = await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"status": "withdrawn"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    good = await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"status": "released"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert good.status_code == 200, good.text
    assert good.json()["status"] == "released"
    history = (await world.get("coordinator", f"/api/v1/participants/{pid}/stages")).json()["items"]
    assert [h["to_stage"] for h in history] == ["in_custody", "released"]


async def test_referral_patch_records_consent(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    got = await world.get("coordinator", f"/api/v1/participants/{pid}/referral")
    missing_form = await world.patch(
        "coordinator", f"/api/v1/participants/{pid}/referral", json={"consent_date": "2026-03-01"}
    )
    assert (missing_form.status_code, missing_form.json()["code"]) == (422, "consent_form_required")
    response = await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}/referral",
        json={"consent_date": "2026-03-01", "consent_form": "schriftlich v3", "contact": "neu: 0000 1"},
        headers={"If-Match": got.headers["ETag"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["consent_date"], body["consent_form"], body["contact"], body["version"]) == (
        "2026-03-01",
        "schriftlich v3",
        "neu: 0000 1",
        2,
    )
    stale = await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}/referral",
        json={"consent_form": "x"},
        headers={"If-Match": got.headers["ETag"]},
    )
    assert stale.status_code == 412


async def test_intake_queue_oldest_first_with_next_step(fixed_clock, world) -> None:
    newer = (await _refer(world, {"source": "self", "received_on": "2026-03-01"}))["participant"]["id"]
    older = (await _refer(world, {**POLICE, "received_on": "2026-01-15"}))["participant"]["id"]
    await world.post("coordinator", f"/api/v1/participants/{older}/stage", json={"to_stage": "intake"})
    response = await world.get("coordinator", "/api/v1/intake-queue")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [
        (i["participant_id"], i["stage"], i["age_days"], i["next_step"], i["next_step_label"]) for i in items
    ] == [
        (older, "intake", 54, "obtain_consent", "Einwilligung einholen"),
        (newer, "inquiry", 9, "first_meeting", "Erstgespräch führen"),
    ]
    assert (await world.get("mentor1", "/api/v1/intake-queue")).status_code == 404


async def test_assigning_two_mentors_moves_intake_into_custody(fixed_clock, world) -> None:
    pid = (await _refer(world, {**POLICE, "consent_date": "2026-02-10", "consent_form": "schriftlich v3"}))[
        "participant"
    ]["id"]
    await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "intake"})
    mentors = {"lead_id": str(world.users["mentor1"].id), "co_id": str(world.users["mentor2"].id)}
    # without a prison the case stays in intake, and the queue says what is missing
    stays = await world.put("coordinator", f"/api/v1/participants/{pid}/mentors", json=mentors)
    assert stays.json()["status"] == "intake"
    queue = (await world.get("coordinator", "/api/v1/intake-queue")).json()["items"]
    assert [(i["next_step"], i["next_step_label"]) for i in queue] == [("record_prison", "Haft/JVA erfassen")]
    current = await world.get("coordinator", f"/api/v1/participants/{pid}")
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"prison_id": str(world.prisons["JVA-A"])},
        headers={"If-Match": current.headers["ETag"]},
    )
    moved = await world.put("coordinator", f"/api/v1/participants/{pid}/mentors", json=mentors)
    assert moved.json()["status"] == "in_custody"
    assert (await world.get("coordinator", "/api/v1/intake-queue")).json()["items"] == []
    history = (await world.get("coordinator", f"/api/v1/participants/{pid}/stages")).json()["items"]
    assert [h["to_stage"] for h in history] == ["inquiry", "intake", "in_custody"]


async def test_intake_reads_and_writes_are_audited(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    await world.get("coordinator", f"/api/v1/participants/{pid}/referral")
    await world.patch("coordinator", f"/api/v1/participants/{pid}/referral", json={"contact": "x"})
    await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json={"to_stage": "intake"})
    await world.get("coordinator", f"/api/v1/participants/{pid}/stages")
    await world.get("coordinator", "/api/v1/intake-queue")
    rows = (
        await AuditEventTable.select(AuditEventTable.action, AuditEventTable.detail)
        .where(AuditEventTable.participant_id == pid)
        .order_by(AuditEventTable.at)
    )
    assert [r["action"] for r in rows] == [
        "referral.created",
        "referral.read",
        "referral.updated",
        "participant.stage_changed",
        "participant.stages_read",
    ]
    assert "contact" not in str([r["detail"] for r in rows if r["action"] != "referral.updated"])
    queue_reads = await AuditEventTable.count().where(AuditEventTable.action == "intake_queue.read")
    assert queue_reads == 1


async def test_referral_visible_to_mentors_of_the_case_only(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    assert (await world.get("mentor1", f"/api/v1/participants/{pid}/referral")).status_code == 404
    await world.put(
        "coordinator",
        f"/api/v1/participants/{pid}/mentors",
        json={"lead_id": str(world.users["mentor1"].id), "co_id": str(world.users["mentor2"].id)},
    )
    read = await world.get("mentor1", f"/api/v1/participants/{pid}/referral")
    assert (read.status_code, read.json()["contact"]) == (200, POLICE["contact"])
    consent = await world.patch(
        "mentor2",
        f"/api/v1/participants/{pid}/referral",
        json={"consent_date": "2026-03-09", "consent_form": "mündlich, Vermerk"},
    )
    assert consent.json()["consent_date"] == "2026-03-09"
    other = await world.get("mentor3", f"/api/v1/participants/{pid}/referral")
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    # a participant registered without a referral has none to show
    none = await world.get("coordinator", f"/api/v1/participants/{world.participants['T-0001']}/referral")
    assert (none.status_code, none.json()["code"]) == (404, "no_referral")


async def test_closed_case_can_be_reopened_as_inquiry(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "declined", "on_date": "2026-02-10", "reason": "kein Ausstiegswille"},
    )
    reopened = await world.post(
        "coordinator",
        f"/api/v1/participants/{pid}/stage",
        json={"to_stage": "inquiry", "reason": "meldet sich erneut"},
    )
    assert reopened.json()["status"] == "inquiry"
    queue = (await world.get("coordinator", "/api/v1/intake-queue")).json()["items"]
    assert [(q["participant_id"], q["stage_since"]) for q in queue] == [(pid, "2026-03-10")]


async def test_subject_access_export_includes_referral_and_stages(fixed_clock, world) -> None:
    pid = (await _refer(world))["participant"]["id"]
    exported = await retention.export_participant(system(), UUID(pid))
    referral = exported["records"]["referral"][0]
    assert (referral["organisation"], referral["contact"]) == (POLICE["organisation"], POLICE["contact"])
    assert [s["to_stage"] for s in exported["records"]["stage_change"]] == ["inquiry"]
