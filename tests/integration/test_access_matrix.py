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
Denials run first and successes last, each route in a freshly built world, so writes cannot hide each other.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.routes import HTTPRoute

from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.persistence import users as users_repo
from prison_liaison.planning.models import Closure, ParticipantScope, Role
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services import shares as shares_service
from prison_liaison.services.context import Caller
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
    share_id: UUID | None = None
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

    async def version_of(self, kind: str, object_id: UUID) -> str:
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
    "item_id": _fresh_item,
    "appointment_id": _fresh_appointment,
}


@dataclass(frozen=True)
class Row:
    expect: dict[str, int]
    body: Any = None
    params: dict[str, Builder] = field(default_factory=dict)
    headers: Builder | None = None
    check: Callable[[str, Any, Ctx], None] | None = None


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


SENTENCE_BODY = {"sentence_start": "2025-09-01", "term": {"years": 1}}
APPOINTMENT_BODY = {"starts_at": "2026-06-02T09:00:00+02:00", "ends_at": "2026-06-02T10:00:00+02:00", "agency": "Amt"}


async def _first_version(ctx: Ctx, actor: str) -> dict[str, str]:
    return {"If-Match": '"v1"'}  # a fresh dict: the request adds its Authorization header to it


DEFAULT_TEMPLATE = {"key": const("default")}


V1 = "/api/v1"
P = V1 + "/participants/{participant_id}"

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
    ("DELETE", V1 + "/shares/{share_id}"): row(200, 200, 404, 403, 404),
    # audit and subject access
    ("GET", V1 + "/audit-events"): coordinators_only(200),
    ("GET", P + "/access-history"): row(200, 403, 404, 403, 404),
    ("GET", P + "/export"): row(200, 403, 404, 403, 404),
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
    ("GET", V1 + "/agenda"): row(200, 200, 200, 200, 200),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path_format) of every HTTP route handler of the app; OPTIONS is Litestar's own."""

    found = set()
    for route in app.routes:
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
        values[name] = uuid4() if nonexistent else await builder(ctx, actor)
    url = template.format(**{k: str(v) for k, v in values.items()})
    body = rule.body
    if callable(body):
        body = await body(ctx, actor)
    headers = await rule.headers(ctx, actor) if rule.headers else {}
    if actor != "anonymous":
        headers["Authorization"] = f"Bearer {ctx.world.tokens[USERNAME[actor]]}"
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return await ctx.world.client.request(method, url, **kwargs)


def _problem(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body.get("code", ""), body.get("detail", "")


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
async def test_route_answers_each_caller_as_the_matrix_says(client, db, method: str, path: str) -> None:
    rule = MATRIX[(method, path)]
    world = await build_world(client)
    ctx = Ctx(world=world)
    ctx.share_id = await _share_own_with_jva_a(ctx)
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


@pytest.mark.parametrize(("method", "path"), PARTICIPANT_ROUTES, ids=[f"{m} {p}" for m, p in PARTICIPANT_ROUTES])
async def test_same_callers_on_someone_elses_participant_get_404(client, db, method: str, path: str) -> None:
    """The "other object" column: mentor1 on mentor3's T-0003 answers like mentor3 on T-0001, and prison1 on
    T-0002 — in its own prison, but not shared — like prison2 on T-0001."""
    rule = MATRIX[(method, path)]
    world = await build_world(client)
    ctx = Ctx(world=world)
    ctx.share_id = await _share_own_with_jva_a(ctx)
    for actor, other_code, like in (
        ("mentor_own", "T-0003", "mentor_other"),
        ("staff_shared", "T-0002", "staff_unshared"),
    ):

        async def other(ctx: Ctx, actor: str, code: str = other_code) -> Any:
            return ctx.world.participants[code]

        row_for_other = Row(
            expect=rule.expect,
            body=rule.body,
            params={**rule.params, "participant_id": other},
            headers=rule.headers,
            check=rule.check,
        )
        response = await _request(ctx, method, path, row_for_other, actor)
        assert response.status_code == rule.expect[like], (actor, response.text)
        if response.status_code == 404:
            missing = await _request(ctx, method, path, row_for_other, actor, nonexistent=True)
            assert _problem(missing) == _problem(response)
