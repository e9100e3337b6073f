"""The authorization matrix: every route of the app × every kind of caller, with the answer each must get.

The routes come from the app's own route table (``app.routes``), so a route without a row in ``MATRIX`` fails
``test_every_route_has_a_matrix_entry`` — and a row for a route that no longer exists fails it too.

How to add a route (one line, usually):

    ("POST", "/api/v1/visits/{visit_id}/cancel"): row(200, 200, 404, 403, 404, body={"reason": "illness"}),

The key is the HTTP method and Litestar's ``path_format`` (the path with ``{name}`` placeholders, no types).
``row(coordinator, mentor_own, mentor_other, staff_shared, staff_unshared, anonymous=401, ...)`` gives the
expected status for each caller, always acting on the same objects of the standard test world:

- ``coordinator``    — the programme's coordinator;
- ``mentor_own``     — mentor1, lead mentor of T-0001 (the object under test);
- ``mentor_other``   — mentor3, who mentors other participants but not T-0001;
- ``staff_shared``   — prison1 (JVA-A), with an active share of T-0001's plan with JVA-A;
- ``staff_unshared`` — prison2 (JVA-B), with no share of T-0001;
- ``anonymous``      — no credentials.

Path parameters are filled by name from ``PARAMS`` (``participant_id`` = T-0001, ``prison_id`` = JVA-A,
``user_id`` = mentor1, ``share_id`` = a fresh share of T-0001, ``token_id`` = a fresh token of mentor1, …);
add a builder there for a new kind of id, or pass ``params={"name": builder}`` to one row. ``body`` is the
JSON (or an async builder ``(ctx, actor) -> body``) and must be valid, so that the allowed callers succeed and
the others are refused for who they are, not for what they sent; ``headers`` builds extra headers (If-Match).
``query`` builds query parameters, ``setup(ctx)`` makes what a list or a check needs once per route, and
``check(actor, response, ctx)`` asserts the body of each success. ``MISSING`` says what a parameter is when it
names nothing (default: a new UUID; a day's file name keeps its value). Time stands still at the
``fixed_clock``; ``ctx.fresh_visit(status, past=..., review=...)`` books T-0001's next free slot.
Denials run first and successes last, each route in a freshly built world, so writes cannot hide each other.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.routes import HTTPRoute

from prison_liaison import clock
from prison_liaison.api.feeds import FEED_SUFFIX
from prison_liaison.persistence import db as database
from prison_liaison.persistence import intake as intake_repo
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.persistence import users as users_repo
from prison_liaison.persistence import visits as visits_repo
from prison_liaison.planning.feeds import FeedContent, FeedScope
from prison_liaison.planning.models import Closure, ParticipantScope, Role
from prison_liaison.planning.visits import ReviewReason
from prison_liaison.services import feeds as feeds_service
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import shares as shares_service
from prison_liaison.services import visits as visits_service
from prison_liaison.services.context import Caller
from prison_liaison.services.security import encrypt_text
from tests.support import PASSWORD, World, build_world, login

ACTORS = ("coordinator", "mentor_own", "mentor_other", "staff_shared", "staff_unshared", "anonymous")
USERNAME = {
    "coordinator": "coordinator",
    "mentor_own": "mentor1",
    "mentor_other": "mentor3",
    "staff_shared": "prison1",
    "staff_unshared": "prison2",
}
OWN = "T-0001"

Builder = Callable[["Ctx", str], Awaitable[Any]]


@dataclass
class Ctx:
    """The world of one matrix test plus builders for fresh objects."""

    world: World
    clock: clock.FixedClock
    share_id: UUID | None = None
    last_visit: UUID | None = None
    last_visit_day: date | None = None
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    @property
    def own(self) -> UUID:
        return self.world.participants[OWN]

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter):03d}"

    @property
    def coordinator(self) -> Any:
        user = self.world.users["coordinator"]
        return Caller(user_id=user.id, username="coordinator", role=Role.COORDINATOR)

    async def fresh_prison(self) -> UUID:
        prison = await prisons_service.create_prison(
            self.coordinator,
            {"code": self.unique("JVA-X"), "name": "JVA Extra", "windows": [], "closures": []},
        )
        return prison.id

    async def fresh_share(self) -> UUID:
        share = await shares_service.create_share(
            self.coordinator,
            self.own,
            prison_id=await self.fresh_prison(),
            scope=["housing"],
            consent_date=date(2026, 1, 5),
            consent_scope="Wohnungssuche",
        )
        return share.id

    def mentor(self, name: str = "mentor1") -> Caller:
        user = self.world.users[name]
        return Caller(user_id=user.id, username=name, role=Role.MENTOR)

    async def fresh_visit(self, status: str = "planned", *, past: bool = False, review: bool = False) -> UUID:
        """A visit of T-0001 with mentor1, in the first free slot the slot finder offers, walked to ``status``;
        ``past``: booked some days ago, so it has begun by now (to complete it or record a no-show)."""
        now = self.clock.instant
        if past:
            self.clock.instant = now - timedelta(days=10)
        try:
            slot = (await visits_service.find_slots(self.coordinator, self.own, start=None, end=None, minutes=60))[0]
            assert not past or slot.ends_at <= now, slot
            visit = await visits_service.create_visit(
                self.coordinator,
                participant_id=self.own,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                mentor_ids=[self.world.users["mentor1"].id],
            )
            if status in ("requested", "confirmed"):
                await visits_service.request_visit(self.coordinator, visit.id)
            if status == "confirmed":
                await visits_service.confirm_visit(self.coordinator, visit.id, room="Besuchsraum 1")
        finally:
            self.clock.instant = now
        if review:
            async with database.transaction():
                await visits_service.flag_for_review(
                    self.coordinator, self.own, ReviewReason.PARTICIPANT_TRANSFERRED
                )
        self.last_visit = visit.id
        self.last_visit_day = slot.starts_at.astimezone(clock.BERLIN).date()
        return visit.id

    async def fresh_subscription(self, username: str = "mentor1") -> tuple[UUID, str]:
        """A participant feed of T-0001 owned by ``username`` (a mentor or the coordinator): (id, token)."""
        user = self.world.users[username]
        owner = Caller(user_id=user.id, username=username, role=user.role)
        subscription, token = await feeds_service.create_subscription(
            owner, scope=FeedScope.PARTICIPANT, content=FeedContent.ALL, participant_id=self.own
        )
        return subscription.id, token

    async def version_of(self, kind: str, object_id: UUID) -> str:
        if kind == "visit":
            visit = await visits_repo.get_visit(object_id, ParticipantScope(everything=True))
            assert visit is not None
            return f'"v{visit.version}"'
        if kind == "participant":
            found = await participants_repo.get_participant(object_id, ParticipantScope(everything=True))
            assert found is not None
            return f'"v{found[0].version}"'
        prison = await prisons_repo.get_prison(object_id)
        assert prison is not None
        return f'"v{prison.version}"'


async def _own_participant(ctx: Ctx, actor: str) -> Any:
    return ctx.own


async def _jva_a(ctx: Ctx, actor: str) -> Any:
    return ctx.world.prisons["JVA-A"]


async def _mentor1(ctx: Ctx, actor: str) -> Any:
    return ctx.world.users["mentor1"].id


async def _fresh_share(ctx: Ctx, actor: str) -> Any:
    return await ctx.fresh_share()


async def _fresh_mentor1_token(ctx: Ctx, actor: str) -> Any:
    await login(ctx.world.client, "mentor1")
    tokens = await users_repo.list_tokens(ctx.world.users["mentor1"].id)
    return tokens[0]["id"]


async def _fresh_closure(ctx: Ctx, actor: str) -> Any:
    day = date(2026, 6, 1) + timedelta(days=next(ctx.counter))
    prison = await prisons_service.add_closure(
        ctx.coordinator,
        ctx.world.prisons["JVA-A"],
        Closure(start_date=day, end_date=day, reason="Renovierung"),
    )
    return next(c.id for c in prison.closures if c.start_date == day)


async def _fresh_visit(ctx: Ctx, actor: str) -> Any:
    return await ctx.fresh_visit()


def visit_in(status: str, *, past: bool = False, review: bool = False) -> Builder:
    async def build(ctx: Ctx, actor: str) -> Any:
        return await ctx.fresh_visit(status, past=past, review=review)

    return build


async def _fresh_mentor1_subscription(ctx: Ctx, actor: str) -> Any:
    subscription_id, _ = await ctx.fresh_subscription("mentor1")
    return subscription_id


async def _mentor1_feed_file(ctx: Ctx, actor: str) -> Any:
    _, token = await ctx.fresh_subscription("mentor1")
    return f"{token}{FEED_SUFFIX}"


async def _unknown_feed_file(ctx: Ctx, actor: str) -> Any:
    return f"{secrets.token_urlsafe(32)}{FEED_SUFFIX}"


async def _day_file(ctx: Ctx, actor: str) -> Any:
    return "2026-03-16.pdf"


async def _stages_chart(ctx: Ctx, actor: str) -> Any:
    return "stages"


# --- release dates and plans ---------------------------------------------------------------------------------


async def _own_with_sentence(ctx: Ctx, actor: str) -> Any:
    from prison_liaison.persistence import release_dates as release_repo
    from prison_liaison.planning.release_dates import Sentence, Term
    from prison_liaison.services import release_dates as release_service

    if await release_repo.get_sentence(ctx.own) is None:
        await release_service.set_sentence(
            ctx.coordinator, ctx.own, Sentence(sentence_start=date(2025, 9, 1), term=Term(years=1))
        )
    return ctx.own


async def _sentence_if_match(ctx: Ctx, actor: str) -> dict[str, str]:
    from prison_liaison.persistence import release_dates as release_repo

    record = await release_repo.get_sentence(ctx.own)
    return {"If-Match": f'"v{record.version}"'} if record else {}


async def _own_without_plan(ctx: Ctx, actor: str) -> Any:
    from prison_liaison.persistence.tables import PlanItemTable

    await PlanItemTable.delete().where(PlanItemTable.participant == ctx.own)
    return ctx.own


async def _fresh_item(ctx: Ctx, actor: str) -> Any:
    from prison_liaison.services import plans as plans_service

    item, _, _ = await plans_service.add_item(
        ctx.coordinator, ctx.own, {"domain": "housing", "title_de": "Wohnung", "shared_with_prison": True}
    )
    return item.id


async def _fresh_appointment(ctx: Ctx, actor: str) -> Any:
    from datetime import UTC, datetime

    from prison_liaison.services import plans as plans_service

    starts = datetime(2026, 6, 1, 9, 0, tzinfo=UTC) + timedelta(hours=next(ctx.counter))
    appointment = await plans_service.create_appointment(
        ctx.coordinator, ctx.own, {"starts_at": starts, "ends_at": starts + timedelta(minutes=30), "agency": "Amt"}
    )
    return appointment.id


async def _new_template(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {
        "key": ctx.unique("kurz_"),
        "name": "Kurzplan",
        "items": [{"key": "housing", "domain": "housing", "title_de": "Wohnung", "due_days": -30}],
    }


# Default builders for path parameters, by name. Add one here when a route introduces a new kind of id.
PARAMS: dict[str, Builder] = {
    "participant_id": _own_participant,
    "prison_id": _jva_a,
    "user_id": _mentor1,
    "share_id": _fresh_share,
    "token_id": _fresh_mentor1_token,
    "closure_id": _fresh_closure,
    "visit_id": _fresh_visit,
    "subscription_id": _fresh_mentor1_subscription,
    "filename": _mentor1_feed_file,
    "day_file": _day_file,
    "name": _stages_chart,
    "item_id": _fresh_item,
    "appointment_id": _fresh_appointment,
}

# What a parameter is when it names nothing (for "not yours reads like does not exist"); default: a new UUID.
# Parameters that are not ids (a day's file name) keep their value, so only the ids in the path change.
MISSING: dict[str, Builder] = {
    "filename": _unknown_feed_file,
    "day_file": _day_file,
    "name": _stages_chart,
}


@dataclass(frozen=True)
class Row:
    expect: dict[str, int]
    body: Any = None
    params: dict[str, Builder] = field(default_factory=dict)
    headers: Builder | None = None
    check: Callable[[str, Any, Ctx], None] | None = None
    query: Builder | None = None
    setup: Callable[[Ctx], Awaitable[Any]] | None = None


def row(
    coordinator: int,
    mentor_own: int,
    mentor_other: int,
    staff_shared: int,
    staff_unshared: int,
    anonymous: int = 401,
    **kw: Any,
) -> Row:
    statuses = (coordinator, mentor_own, mentor_other, staff_shared, staff_unshared, anonymous)
    expect = dict(zip(ACTORS, statuses, strict=True))
    return Row(expect=expect, **kw)


def public(status: int = 200, **kw: Any) -> Row:
    return row(status, status, status, status, status, status, **kw)


def coordinators_only(status: int = 200, **kw: Any) -> Row:
    """Resources other roles do not know about: 404 for everyone else."""
    return row(status, 404, 404, 404, 404, **kw)


async def _participant_if_match(ctx: Ctx, actor: str) -> dict[str, str]:
    return {"If-Match": await ctx.version_of("participant", ctx.own)}


async def _prison_if_match(ctx: Ctx, actor: str) -> dict[str, str]:
    return {"If-Match": await ctx.version_of("prison", ctx.world.prisons["JVA-A"])}


async def _new_participant(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {"code": ctx.unique("T-9"), "first_name": "Neu", "last_name": "Fall", "status": "intake"}


async def _new_prison(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {"code": ctx.unique("JVA-N"), "name": "JVA Neu"}


async def _new_user(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {"username": ctx.unique("mentor-new-"), "role": "mentor", "password": PASSWORD}


async def _new_closure(ctx: Ctx, actor: str) -> dict[str, Any]:
    day = (date(2026, 9, 1) + timedelta(days=next(ctx.counter))).isoformat()
    return {"start_date": day, "end_date": day, "reason": "Personalversammlung"}


async def _new_share(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {
        "prison_id": str(await ctx.fresh_prison()),
        "scope": ["housing", "identity"],
        "consent_date": "2026-01-05",
        "consent_scope": "Wohnung und Ausweis",
    }


async def _mentors_unchanged(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {"lead_id": str(ctx.world.users["mentor1"].id), "co_id": str(ctx.world.users["mentor2"].id)}


def _sees_own_participant(actor: str, response: Any, ctx: Ctx) -> None:
    codes = [p["code"] for p in response.json()["items"]]
    assert (OWN in codes) == (actor in {"coordinator", "mentor_own", "staff_shared"}), (actor, codes)
    if actor.startswith("staff"):
        assert codes in ([OWN], []), codes  # nothing but the shared case
        assert all(p["first_name"] is None and p["notes"] is None for p in response.json()["items"])


def _sees_prisons(actor: str, response: Any, ctx: Ctx) -> None:
    codes = {p["code"] for p in response.json()["items"]}
    expected = {"staff_shared": {"JVA-A"}, "staff_unshared": {"JVA-B"}}.get(actor, {"JVA-A", "JVA-B"})
    assert codes == expected, (actor, codes)


def const(value: Any) -> Builder:
    async def build(ctx: Ctx, actor: str) -> Any:
        return value

    return build


async def _visit_if_match(ctx: Ctx, actor: str) -> dict[str, str]:
    assert ctx.last_visit is not None
    return {"If-Match": await ctx.version_of("visit", ctx.last_visit)}


async def _free_slot(ctx: Ctx) -> Any:
    return (await visits_service.find_slots(ctx.coordinator, ctx.own, start=None, end=None, minutes=60))[0]


async def _new_visit(ctx: Ctx, actor: str) -> dict[str, Any]:
    slot = await _free_slot(ctx)
    return {
        "participant_id": str(ctx.own),
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "mentor_ids": [str(ctx.world.users["mentor1"].id)],
    }


async def _new_series(ctx: Ctx, actor: str) -> dict[str, Any]:
    starts = (await _free_slot(ctx)).starts_at.astimezone(clock.BERLIN)
    return {
        "participant_id": str(ctx.own),
        "first_date": starts.date().isoformat(),
        "start_time": starts.time().isoformat(),
        "minutes": 60,
        "every_weeks": 1,
        "until": (starts.date() + timedelta(days=14)).isoformat(),
        "mentor_ids": [str(ctx.world.users["mentor1"].id)],
    }


async def _own_participant_feed(ctx: Ctx, actor: str) -> dict[str, Any]:
    return {"scope": "participant", "participant_id": str(ctx.own), "content": "visits"}


async def _day_of_last_visit(ctx: Ctx, actor: str) -> dict[str, str]:
    assert ctx.last_visit_day is not None
    return {"date": ctx.last_visit_day.isoformat()}


async def _a_confirmed_visit(ctx: Ctx) -> None:
    await ctx.fresh_visit("confirmed")


async def _a_visit(ctx: Ctx) -> None:
    await ctx.fresh_visit()


async def _a_visit_to_review(ctx: Ctx) -> None:
    await ctx.fresh_visit(review=True)


async def _mentor1_and_coordinator_feeds(ctx: Ctx) -> None:
    await ctx.fresh_subscription("mentor1")
    await ctx.fresh_subscription("coordinator")


def _sees_own_visit(*who: str) -> Callable[[str, Any, Ctx], None]:
    def check(actor: str, response: Any, ctx: Ctx) -> None:
        ids = [v["id"] for v in response.json()["items"]]
        codes = {v["participant_code"] for v in response.json()["items"]}
        assert (str(ctx.last_visit) in ids) == (actor in who), (actor, ids)
        if actor not in who:
            assert OWN not in codes, (actor, codes)

    return check


def _cadence_of_own(actor: str, response: Any, ctx: Ctx) -> None:
    codes = {e["code"] for e in response.json()["items"]}
    assert (OWN in codes) == (actor in {"coordinator", "mentor_own"}), (actor, codes)


def _own_feeds_only(actor: str, response: Any, ctx: Ctx) -> None:
    owners = {"mentor_own": 1, "coordinator": 1}
    assert len(response.json()["items"]) == owners.get(actor, 0), (actor, response.json())
    assert all("url" not in s for s in response.json()["items"])


def _day_list_of_jva_a(actor: str, response: Any, ctx: Ctx) -> None:
    items = response.json()["items"]
    assert [i["participant_code"] for i in items] == [OWN], (actor, items)
    if actor == "staff_shared":  # the gate's list: no ids, statuses or kinds
        assert items[0]["id"] is None and items[0]["status"] is None, items
    else:
        assert items[0]["id"] == str(ctx.last_visit), items


def _is_a_plan(media_type: str) -> Callable[[str, Any, Ctx], None]:
    def check(actor: str, response: Any, ctx: Ctx) -> None:
        assert response.headers["content-type"].startswith(media_type), response.headers
        assert OWN in response.headers["content-disposition"], response.headers
        if media_type == "application/pdf":
            assert response.content.startswith(b"%PDF"), response.content[:20]
        else:
            assert b"Anna" not in response.content or actor != "staff_shared"

    return check


def _is_a_day_list(actor: str, response: Any, ctx: Ctx) -> None:
    assert response.content.startswith(b"%PDF"), (actor, response.content[:20])
    assert "JVA-A-2026-03-16.pdf" in response.headers["content-disposition"], response.headers


def _is_a_calendar(actor: str, response: Any, ctx: Ctx) -> None:
    assert response.headers["content-type"].startswith("text/calendar"), response.headers
    assert response.headers["cache-control"] == "private", response.headers
    if response.request.method == "GET":
        assert response.content.startswith(b"BEGIN:VCALENDAR"), response.content[:40]
    else:
        assert response.content == b"" and int(response.headers["content-length"]) > 0


async def _next_stage_of_own(ctx: Ctx, actor: str) -> dict[str, Any]:
    """In custody ↔ released: a valid move whichever of the two the case is at now."""
    found = await participants_repo.get_participant(ctx.own, ParticipantScope(everything=True))
    assert found is not None
    return {"to_stage": "in_custody" if found[0].status.value == "released" else "released"}


async def _referral_of_own(ctx: Ctx) -> None:
    """T-0001 came to the programme through the police (the world registers its cases without a referral)."""
    async with database.transaction():
        await intake_repo.insert_referral(
            ctx.own,
            {
                "source": "police",
                "source_text": "",
                "organisation_encrypted": encrypt_text("Polizei Dortmund"),
                "contact_encrypted": encrypt_text("KHK Muster"),
                "received_on": date(2025, 1, 1),
                "consent_date": None,
                "consent_form": "",
            },
            clock.now(),
        )


SENTENCE_BODY = {"sentence_start": "2025-09-01", "term": {"years": 1}}
APPOINTMENT_BODY = {"starts_at": "2026-06-02T09:00:00+02:00", "ends_at": "2026-06-02T10:00:00+02:00", "agency": "Amt"}


async def _first_version(ctx: Ctx, actor: str) -> dict[str, str]:
    return {"If-Match": '"v1"'}  # a fresh dict: the request adds its Authorization header to it


DEFAULT_TEMPLATE = {"key": const("default")}


async def _items_due_soon(ctx: Ctx) -> None:
    """Two items of T-0001 due next week: one shared with the prison, one kept from it."""
    from prison_liaison.services import plans as plans_service

    due = clock.today() + timedelta(days=7)
    for title, shared in (("Wohnung suchen", True), ("Intern besprechen", False)):
        await plans_service.add_item(
            ctx.coordinator,
            ctx.own,
            {"domain": "housing", "title_de": title, "latest_due": due, "shared_with_prison": shared},
        )


def _agenda_of_own(actor: str, response: Any, ctx: Ctx) -> None:
    titles = {e["title"] for e in response.json()["items"] if e["participant_code"] == OWN}
    expected = {
        "coordinator": {"Wohnung suchen", "Intern besprechen"},
        "mentor_own": {"Wohnung suchen", "Intern besprechen"},
        "staff_shared": {"Wohnung suchen"},
    }.get(actor, set())
    assert titles == expected, (actor, response.json())


V1 = "/api/v1"
P = V1 + "/participants/{participant_id}"
VISIT = V1 + "/visits/{visit_id}"

#                                                          coord m-own m-oth st-sh st-un [anon]
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/health"): public(200),
    ("GET", "/schema"): public(200),
    ("GET", "/schema/openapi.json"): public(200),
    ("GET", "/schema/scalar"): public(200),
    ("GET", "/schema/swagger"): public(200),
    ("GET", "/schema/oauth2-redirect.html"): public(200),
    ("GET", "/schema/{path}"): public(404, params={"path": const("no-such-page")}),
    # auth
    ("POST", V1 + "/auth/token"): public(201, body={"username": "mentor2", "password": PASSWORD}),
    ("POST", V1 + "/auth/logout"): row(204, 204, 204, 204, 204),
    ("GET", V1 + "/me"): row(200, 200, 200, 200, 200),
    ("GET", V1 + "/me/tokens"): row(200, 200, 200, 200, 200),
    ("DELETE", V1 + "/me/tokens/{token_id}"): row(404, 204, 404, 404, 404),
    # users
    ("GET", V1 + "/users"): coordinators_only(200),
    ("POST", V1 + "/users"): coordinators_only(201, body=_new_user),
    ("GET", V1 + "/users/{user_id}"): row(200, 200, 404, 404, 404),
    ("PATCH", V1 + "/users/{user_id}"): coordinators_only(200, body={"active": True}),
    ("POST", V1 + "/users/{user_id}/reset-password"): coordinators_only(200, body={}),
    # prisons
    ("GET", V1 + "/prisons"): row(200, 200, 200, 200, 200, check=_sees_prisons),
    ("POST", V1 + "/prisons"): coordinators_only(201, body=_new_prison),
    ("GET", V1 + "/prisons/{prison_id}"): row(200, 200, 200, 200, 404),
    ("PATCH", V1 + "/prisons/{prison_id}"): coordinators_only(
        200, body={"lead_time_days": 3}, headers=_prison_if_match
    ),
    ("POST", V1 + "/prisons/{prison_id}/closures"): coordinators_only(201, body=_new_closure),
    ("DELETE", V1 + "/prisons/{prison_id}/closures/{closure_id}"): coordinators_only(204),
    # participants
    ("GET", V1 + "/participants"): row(200, 200, 200, 200, 200, check=_sees_own_participant),
    ("POST", V1 + "/participants"): coordinators_only(201, body=_new_participant),
    ("GET", P): row(200, 200, 404, 200, 404),
    ("PATCH", P): row(200, 200, 404, 403, 404, body={"cadence_days": 21}, headers=_participant_if_match),
    ("DELETE", P): row(204, 403, 404, 403, 404),
    ("PUT", P + "/mentors"): row(200, 403, 404, 403, 404, body=_mentors_unchanged),
    ("GET", P + "/mentors/history"): row(200, 200, 404, 404, 404),
    # shares
    ("GET", P + "/shares"): row(200, 200, 404, 200, 404),
    ("POST", P + "/shares"): row(201, 201, 404, 403, 404, body=_new_share),
    # a share with another prison is not one prison staff can see (404); their own prison's is read-only (403)
    ("DELETE", V1 + "/shares/{share_id}"): row(200, 200, 404, 404, 404),
    # audit and subject access
    ("GET", V1 + "/audit-events"): coordinators_only(200),
    ("GET", P + "/access-history"): row(200, 403, 404, 403, 404),
    ("GET", P + "/export"): row(200, 403, 404, 403, 404),
    # visits: those who may see the participant may see its visits; prison staff only read the ones their prison
    # was asked for (requested, confirmed, completed) — the visit under test is only planned
    ("GET", V1 + "/visits"): row(
        200, 200, 200, 200, 200, setup=_a_visit,
        check=_sees_own_visit("coordinator", "mentor_own"),
    ),
    ("POST", V1 + "/visits"): row(201, 201, 404, 403, 404, body=_new_visit),
    ("POST", V1 + "/visits/series"): row(201, 201, 404, 403, 404, body=_new_series),
    ("GET", V1 + "/visits/cadence"): row(200, 200, 200, 404, 404, check=_cadence_of_own),
    ("GET", V1 + "/visits/review"): row(
        200, 200, 200, 404, 404, setup=_a_visit_to_review, check=_sees_own_visit("coordinator", "mentor_own")
    ),
    ("GET", VISIT): row(200, 200, 404, 404, 404),
    ("PATCH", VISIT): row(200, 200, 404, 403, 404, body={"room": "Raum 2"}, headers=_visit_if_match),
    ("POST", VISIT + "/request"): row(200, 200, 404, 403, 404),
    ("POST", VISIT + "/confirm"): row(
        200, 200, 404, 403, 404, params={"visit_id": visit_in("requested")}, body={"room": "Raum 3"}
    ),
    ("POST", VISIT + "/complete"): row(
        200, 200, 404, 403, 404, params={"visit_id": visit_in("confirmed", past=True)}, body={}
    ),
    ("POST", VISIT + "/no_show"): row(
        200, 200, 404, 403, 404, params={"visit_id": visit_in("confirmed", past=True)}, body={}
    ),
    ("POST", VISIT + "/cancel"): row(
        200, 200, 404, 403, 404, body={"reason": "mentor_unavailable", "cancelled_by": "mentor"}
    ),
    ("POST", VISIT + "/keep"): row(
        200, 200, 404, 403, 404, params={"visit_id": visit_in("planned", review=True)},
        body={"reason": "Verlegung erst nach dem Termin"},
    ),
    ("GET", P + "/visit-slots"): row(200, 200, 404, 403, 404, query=const({"minutes": "60"})),
    # the prison's day list: its own staff (confirmed visits, no ids) and coordinators
    ("GET", V1 + "/prisons/{prison_id}/visits"): row(
        200, 404, 404, 200, 404, setup=_a_confirmed_visit, query=_day_of_last_visit, check=_day_list_of_jva_a
    ),
    # documents
    ("GET", P + "/plan.pdf"): row(200, 200, 404, 200, 404, check=_is_a_plan("application/pdf")),
    ("GET", P + "/plan.html"): row(200, 200, 404, 200, 404, check=_is_a_plan("text/html")),
    ("GET", V1 + "/prisons/{prison_id}/visits/{day_file}"): row(200, 404, 404, 200, 404, check=_is_a_day_list),
    # calendar feeds: a subscription is its owner's alone; the feed URL is the credential
    ("GET", V1 + "/calendar-subscriptions"): row(
        200, 200, 200, 200, 200, setup=_mentor1_and_coordinator_feeds, check=_own_feeds_only
    ),
    ("POST", V1 + "/calendar-subscriptions"): row(201, 201, 404, 422, 422, body=_own_participant_feed),
    ("DELETE", V1 + "/calendar-subscriptions/{subscription_id}"): row(404, 204, 404, 404, 404),
    ("GET", "/feeds/{filename}"): public(200, check=_is_a_calendar),
    ("HEAD", "/feeds/{filename}"): public(200, check=_is_a_calendar),
    # intake: stages and referrals are programme records, never shown to prison staff
    ("POST", P + "/stage"): row(200, 200, 404, 403, 404, body=_next_stage_of_own),
    ("GET", P + "/stages"): row(200, 200, 404, 404, 404),
    ("GET", P + "/referral"): row(200, 200, 404, 404, 404, setup=_referral_of_own),
    ("PATCH", P + "/referral"): row(
        200, 200, 404, 403, 404, setup=_referral_of_own, body={"consent_date": "2026-03-02", "consent_form": "EV-1"}
    ),
    ("POST", V1 + "/referrals"): coordinators_only(201, body={"source": "police", "organisation": "Polizei"}),
    ("GET", V1 + "/intake-queue"): coordinators_only(200),
    # statistics
    ("GET", V1 + "/statistics"): coordinators_only(200),
    ("GET", V1 + "/statistics.csv"): coordinators_only(200),
    ("GET", V1 + "/statistics/charts/{name}"): coordinators_only(200),
    # release dates and plans
    ("POST", V1 + "/release-dates/calculate"): row(200, 200, 200, 200, 200, body=SENTENCE_BODY),
    ("GET", P + "/release-dates"): row(200, 200, 404, 404, 404),
    ("POST", P + "/release-dates"): row(
        201, 201, 404, 403, 404, body={"kind": "planned_release", "source": "mentor_estimate", "date": "2026-09-01"}
    ),
    ("GET", P + "/sentence"): row(200, 200, 404, 404, 404, params={"participant_id": _own_with_sentence}),
    ("PUT", P + "/sentence"): row(200, 200, 404, 403, 404, body=SENTENCE_BODY, headers=_sentence_if_match),
    ("GET", V1 + "/checklist-templates"): row(200, 200, 200, 404, 404),
    ("POST", V1 + "/checklist-templates"): coordinators_only(201, body=_new_template),
    ("GET", V1 + "/checklist-templates/{key}"): row(200, 200, 200, 404, 404, params=DEFAULT_TEMPLATE),
    ("PATCH", V1 + "/checklist-templates/{key}"): coordinators_only(
        200, body={"name": "Standard"}, headers=_first_version, params=DEFAULT_TEMPLATE
    ),
    ("GET", P + "/plan"): row(200, 200, 404, 200, 404),
    ("POST", P + "/plan"): row(201, 201, 404, 403, 404, body={}, params={"participant_id": _own_without_plan}),
    ("POST", P + "/plan-items"): row(201, 201, 404, 403, 404, body={"domain": "housing", "title_de": "Wohnung"}),
    ("GET", V1 + "/plan-items/{item_id}"): row(200, 200, 404, 200, 404),
    ("PATCH", V1 + "/plan-items/{item_id}"): row(
        200, 200, 404, 403, 404, body={"title_de": "Neu"}, headers=_first_version
    ),
    ("DELETE", V1 + "/plan-items/{item_id}"): row(204, 204, 404, 403, 404, headers=_first_version),
    ("GET", P + "/appointments"): row(200, 200, 404, 200, 404),
    ("POST", P + "/appointments"): row(201, 201, 404, 403, 404, body=APPOINTMENT_BODY),
    ("GET", V1 + "/appointments/{appointment_id}"): row(200, 200, 404, 200, 404),
    ("PATCH", V1 + "/appointments/{appointment_id}"): row(
        200, 200, 404, 403, 404, body={"place": "Raum 2"}, headers=_first_version
    ),
    ("DELETE", V1 + "/appointments/{appointment_id}"): row(204, 204, 404, 403, 404, headers=_first_version),
    ("GET", V1 + "/agenda"): row(200, 200, 200, 200, 200, setup=_items_due_soon, check=_agenda_of_own),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path_format) of every HTTP route handler of the app; OPTIONS is Litestar's own."""

    found = set()
    for route in app.routes:
        if route.path == "/" or route.path.startswith(("/web", "/static")):
            continue  # the pages (cookie sessions, HTML answers): their access rules are in test_web_pages.py
        assert isinstance(route, HTTPRoute), f"not an HTTP route, add it to the matrix by hand: {route.path}"
        for method in route.methods:
            if method != "OPTIONS":
                found.add((method, route.path_format))
    return found


async def test_every_route_has_a_matrix_entry(app) -> None:
    routes = app_routes(app)
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without an entry in the authorization matrix: {missing}"
    assert not stale, f"matrix entries for routes that do not exist: {stale}"


async def _request(ctx: Ctx, method: str, template: str, rule: Row, actor: str, *, nonexistent: bool = False) -> Any:
    """The request of ``actor``; with ``nonexistent``, every id in the path is one that does not exist."""
    values: dict[str, Any] = {}
    for name in _placeholders(template):
        builder = rule.params.get(name) or PARAMS.get(name)
        assert builder is not None, f"no builder for path parameter {name!r}: add one to PARAMS"
        if nonexistent:
            missing = MISSING.get(name)
            values[name] = await missing(ctx, actor) if missing else uuid4()
        else:
            values[name] = await builder(ctx, actor)
    url = template.format(**{k: str(v) for k, v in values.items()})
    body = rule.body
    if callable(body):
        body = await body(ctx, actor)
    headers = await rule.headers(ctx, actor) if rule.headers else {}
    if actor != "anonymous":
        headers["Authorization"] = f"Bearer {ctx.world.tokens[USERNAME[actor]]}"
    kwargs: dict[str, Any] = {"headers": headers}
    if rule.query is not None:
        kwargs["params"] = await rule.query(ctx, actor)
    if body is not None:
        kwargs["json"] = body
    return await ctx.world.client.request(method, url, **kwargs)


def _problem(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body.get("code", ""), body.get("detail", "")


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
async def test_route_answers_each_caller_as_the_matrix_says(
    client, db, fixed_clock, method: str, path: str
) -> None:
    rule = MATRIX[(method, path)]
    world = await build_world(client)
    ctx = Ctx(world=world, clock=fixed_clock)
    ctx.share_id = await _share_own_with_jva_a(ctx)
    if rule.setup is not None:
        await rule.setup(ctx)
    # denials first, successes last: a refused request must not have changed anything the next one sees
    order = sorted(ACTORS, key=lambda a: (rule.expect[a] < 400, ACTORS.index(a)))
    seen = {}
    for actor in order:
        response = await _request(ctx, method, path, rule, actor)
        seen[actor] = response.status_code
        if response.status_code >= 400 and path.startswith("/api/"):
            content_type = response.headers["content-type"]
            assert content_type.startswith("application/problem+json"), (actor, response.text)
            assert response.json()["status"] == response.status_code
            if response.status_code == 404 and _placeholders(path):
                # not yours must read exactly like does not exist: same status, code and wording
                missing = await _request(ctx, method, path, rule, actor, nonexistent=True)
                assert _problem(missing) == _problem(response), (actor, missing.text, response.text)
        elif rule.check is not None:
            rule.check(actor, response, ctx)
    assert seen == rule.expect


async def _share_own_with_jva_a(ctx: Ctx) -> UUID:
    mentor = ctx.world.users["mentor1"]
    share = await shares_service.create_share(
        Caller(user_id=mentor.id, username="mentor1", role=Role.MENTOR),
        ctx.own,
        prison_id=ctx.world.prisons["JVA-A"],
        scope=["housing", "identity", "income", "health", "probation", "release_day"],
        consent_date=date(2026, 1, 5),
        consent_scope="Entlassungsvorbereitung mit dem Sozialdienst der JVA",
    )
    return share.id


PARTICIPANT_ROUTES = sorted(k for k in MATRIX if "{participant_id}" in k[1])


@pytest.mark.parametrize(
    ("method", "path"), PARTICIPANT_ROUTES, ids=[f"{m} {p}" for m, p in PARTICIPANT_ROUTES]
)
async def test_same_callers_on_someone_elses_participant_get_404(
    client, db, fixed_clock, method: str, path: str
) -> None:
    """The "other object" column: mentor1 on mentor3's T-0003 answers like mentor3 on T-0001, and prison1 on
    T-0002 — in its own prison, but not shared — like prison2 on T-0001."""
    rule = MATRIX[(method, path)]
    world = await build_world(client)
    ctx = Ctx(world=world, clock=fixed_clock)
    ctx.share_id = await _share_own_with_jva_a(ctx)
    if rule.setup is not None:
        await rule.setup(ctx)
    for actor, other_code, like in (
        ("mentor_own", "T-0003", "mentor_other"),
        ("staff_shared", "T-0002", "staff_unshared"),
    ):

        async def other(ctx: Ctx, actor: str, code: str = other_code) -> Any:
            return ctx.world.participants[code]

        row_for_other = dataclasses.replace(rule, params={**rule.params, "participant_id": other})
        response = await _request(ctx, method, path, row_for_other, actor)
        assert response.status_code == rule.expect[like], (actor, response.text)
        if response.status_code == 404:
            missing = await _request(ctx, method, path, row_for_other, actor, nonexistent=True)
            assert _problem(missing) == _problem(response)


async def test_prison_staff_writing_a_hidden_plan_item_or_appointment_gets_the_unknown_id_answer(
    client, db, fixed_clock
) -> None:
    """Prison staff see a shared case, but not its items outside the shared domains nor appointments kept from
    the prison: writing one must answer like an id that does not exist (404), never 403 (which says it exists)."""
    from datetime import UTC, datetime

    from prison_liaison.services import plans as plans_service

    world = await build_world(client)
    ctx = Ctx(world=world, clock=fixed_clock)
    await _share_own_with_jva_a(ctx)
    hidden_item, _, _ = await plans_service.add_item(
        ctx.coordinator, ctx.own, {"domain": "housing", "title_de": "Wohnung intern", "shared_with_prison": False}
    )
    never_shared, _, _ = await plans_service.add_item(
        ctx.coordinator, ctx.own, {"domain": "deradicalisation", "title_de": "Reflexion"}
    )
    starts = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    hidden_appointment = await plans_service.create_appointment(
        ctx.coordinator,
        ctx.own,
        {"starts_at": starts, "ends_at": starts + timedelta(minutes=30), "agency": "Amt", "shared_with_prison": False},
    )
    requests = [
        (method, f"{V1}/{kind}/{{}}", body)
        for kind in ("plan-items", "appointments")
        for method, body in (("GET", None), ("PATCH", {"place": "x"} if kind == "appointments" else {"title_de": "x"}),
                             ("DELETE", None))
    ]
    for method, template, body in requests:
        ids = [hidden_appointment.id] if "appointments" in template else [hidden_item.id, never_shared.id]
        for object_id in ids:
            kwargs: dict[str, Any] = {"headers": world.headers("prison1", **{"If-Match": '"v1"'})}
            if body is not None:
                kwargs["json"] = body
            hidden = await client.request(method, template.format(object_id), **kwargs)
            unknown = await client.request(method, template.format(uuid4()), **kwargs)
            assert hidden.status_code == 404, (method, template, hidden.text)
            assert _problem(hidden) == _problem(unknown), (method, template, hidden.text, unknown.text)


async def test_prison_staff_revoking_their_own_prisons_share_get_403_and_another_prisons_404(
    client, db, fixed_clock
) -> None:
    """The share of T-0001 with JVA-A is listed to prison1, so revoking it is a write refused (403); a share
    with another prison is not listed to them, so it answers exactly like an unknown id."""
    world = await build_world(client)
    ctx = Ctx(world=world, clock=fixed_clock)
    own_prisons = await _share_own_with_jva_a(ctx)
    other_prisons = await ctx.fresh_share()
    listed = await world.get("prison1", f"{V1}/participants/{ctx.own}/shares")
    assert [s["id"] for s in listed.json()["items"]] == [str(own_prisons)]

    visible = await world.delete("prison1", f"{V1}/shares/{own_prisons}")
    hidden = await world.delete("prison1", f"{V1}/shares/{other_prisons}")
    unknown = await world.delete("prison1", f"{V1}/shares/{uuid4()}")

    assert (visible.status_code, visible.json()["code"]) == (403, "read_only")
    assert hidden.status_code == 404
    assert _problem(hidden) == _problem(unknown)
    still = await world.get("coordinator", f"{V1}/participants/{ctx.own}/shares")
    assert all(s["revoked_at"] is None for s in still.json()["items"])
