"""The demo programme includes inquiries and intakes from different sources, with stage history."""

from __future__ import annotations

from prison_liaison.planning.models import Role
from prison_liaison.services import intake as intake_service
from prison_liaison.services import participants as participants_service
from prison_liaison.services import users as users_service
from prison_liaison.services.context import Caller
from prison_liaison.services.demo import load_demo


async def test_demo_has_inquiries_and_intakes_from_several_sources(fixed_clock, db) -> None:
    assert (await load_demo()).created
    coordinator = await users_service.find_by_username("coordinator")
    assert coordinator is not None
    caller = Caller(user_id=coordinator.id, username="coordinator", role=Role.COORDINATOR)
    queue = await intake_service.intake_queue(caller)
    assert [
        (e.initials, e.stage.value, e.source.value if e.source else None, e.next_step) for e in queue
    ] == [
        ("J.Z.", "intake", "police", "record_prison"),
        ("T.K.", "intake", "prison", "obtain_consent"),
        ("M.S.", "inquiry", "self", "first_meeting"),
        ("F.Ü.", "inquiry", "other_programme", "first_meeting"),
    ]
    assert [e.age_days for e in queue] == [40, 30, 12, 5]
    moved = next(p for p in await _all(caller) if p.first_name == "Rico")
    assert moved.status.value == "in_custody"
    history = await intake_service.stage_history(caller, moved.id)
    assert [c.to_stage.value for c in history] == ["inquiry", "intake", "in_custody"]
    declined = next(p for p in await _all(caller) if p.first_name == "Leon")
    assert declined.status.value == "declined"
    assert not (await load_demo()).created  # idempotent


async def _all(caller: Caller) -> list:
    items, _ = await participants_service.list_participants(caller, limit=200)
    return items
