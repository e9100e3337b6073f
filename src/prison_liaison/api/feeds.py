"""Calendar subscriptions (authenticated) and the feeds themselves (public path, secret token in the URL)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import Meta, Struct

from prison_liaison.api.middleware import client_address
from prison_liaison.api.schemas import Input, ListOf
from prison_liaison.planning.errors import NotFound
from prison_liaison.planning.feeds import CalendarSubscription, FeedContent, FeedScope
from prison_liaison.services import feeds as feeds_service
from prison_liaison.services.context import Caller

ScopeValue = Literal["mentor", "participant", "prison"]
ContentValue = Literal["all", "visits", "deadlines"]


class SubscriptionCreate(Input):
    scope: ScopeValue
    participant_id: UUID | None = None
    prison_id: UUID | None = None
    content: ContentValue = "all"
    name: Annotated[str, Meta(max_length=100)] = ""


class SubscriptionRead(Struct, kw_only=True):
    id: UUID
    scope: ScopeValue
    content: ContentValue
    participant_id: UUID | None = None
    prison_id: UUID | None = None
    name: str
    created_at: datetime
    last_used_at: datetime | None = None

    @classmethod
    def from_domain(cls, s: CalendarSubscription) -> SubscriptionRead:
        return cls(
            id=s.id,
            scope=s.scope.value,
            content=s.content.value,  # type: ignore[arg-type]
            participant_id=s.participant_id,
            prison_id=s.prison_id,
            name=s.name,
            created_at=s.created_at,
            last_used_at=s.last_used_at,
        )


class SubscriptionCreated(SubscriptionRead, kw_only=True):
    """The only answer that carries the secret URL: store it in the calendar app now."""

    url: str
    webcal_url: str
    google_url: str


class CalendarSubscriptionController(Controller):
    path = "/api/v1/calendar-subscriptions"
    tags = ["feeds"]

    @post("/", operation_id="createCalendarSubscription", status_code=201)
    async def create_subscription(
        self, data: JSONBody[SubscriptionCreate], caller: NamedDependency[Caller]
    ) -> SubscriptionCreated:
        """Create a calendar feed; its secret URL is shown in this answer only."""
        subscription, token = await feeds_service.create_subscription(
            caller,
            scope=FeedScope(data.scope),
            content=FeedContent(data.content),
            participant_id=data.participant_id,
            prison_id=data.prison_id,
            name=data.name,
        )
        read = SubscriptionRead.from_domain(subscription)
        links = feeds_service.links(token)
        return SubscriptionCreated(
            **{f: getattr(read, f) for f in read.__struct_fields__},
            url=links.url,
            webcal_url=links.webcal_url,
            google_url=links.google_url,
        )

    @get("/", operation_id="listCalendarSubscriptions")
    async def list_subscriptions(self, caller: NamedDependency[Caller]) -> ListOf[SubscriptionRead]:
        """The caller's active calendar feeds with their last use (never their URLs)."""
        items = await feeds_service.list_subscriptions(caller)
        return ListOf(items=[SubscriptionRead.from_domain(s) for s in items])

    @delete("/{subscription_id:uuid}", operation_id="revokeCalendarSubscription", status_code=204)
    async def revoke_subscription(
        self, subscription_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> None:
        """Revoke a calendar feed: its URL answers 404 from now on."""
        await feeds_service.revoke_subscription(caller, subscription_id)


FEED_SUFFIX = ".ics"


def _feed_headers(answer: feeds_service.FeedAnswer) -> dict[str, str]:
    headers = {
        "ETag": answer.etag,
        # personal data: no shared cache may keep it; calendar apps revalidate with If-None-Match
        "Cache-Control": "private",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
    }
    if answer.last_modified is not None:
        headers["Last-Modified"] = format_datetime(answer.last_modified, usegmt=True)
    return headers


def _feed_operation_id(handler: Any, method: Any, path: Any) -> str:
    """GET and HEAD share the handler; OpenAPI needs one id per method."""
    return "headCalendarFeed" if str(method).upper().endswith("HEAD") else "getCalendarFeed"


@route(
    "/feeds/{filename:str}",
    http_method=["GET", "HEAD"],
    operation_id=_feed_operation_id,
    tags=["feeds"],
    security=[],
    media_type="text/calendar",
)
async def calendar_feed(
    request: Request[Any, Any, Any],
    filename: FromPath[str],
    if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
) -> Response[bytes]:
    """An iCalendar feed by its secret URL (GET or HEAD; If-None-Match answers 304)."""
    if not filename.endswith(FEED_SUFFIX):
        raise NotFound("no such calendar feed")
    answer = await feeds_service.fetch_feed(
        filename.removesuffix(FEED_SUFFIX),
        if_none_match=if_none_match,
        client=client_address(request.scope),
        request_id=request.scope.get("state", {}).get("request_id", ""),
        user_agent=request.headers.get("user-agent", ""),
        method=request.method,
    )
    headers = _feed_headers(answer)
    if answer.body is None:
        return Response(content=b"", status_code=304, headers=headers, media_type="text/calendar")
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(answer.body))
        return Response(content=b"", headers=headers, media_type="text/calendar")
    return Response(content=answer.body, headers=headers, media_type="text/calendar")
