"""Sharing a participant's plan with a prison, with the participant's consent; revoking a share."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from prison_liaison import clock
from prison_liaison.api.schemas import ListOf, ShareCreate, ShareRead
from prison_liaison.services import shares as shares_service
from prison_liaison.services.context import Caller


class ShareController(Controller):
    path = "/api/v1"
    tags = ["shares"]

    @post("/participants/{participant_id:uuid}/shares", operation_id="createShare", status_code=201)
    async def create_share(
        self, participant_id: FromPath[UUID], data: JSONBody[ShareCreate], caller: NamedDependency[Caller]
    ) -> ShareRead:
        """Share plan domains with a prison, recording the participant's consent (mentors, coordinators)."""
        share = await shares_service.create_share(
            caller, participant_id, prison_id=data.prison_id, scope=data.scope,
            consent_date=data.consent_date, consent_scope=data.consent_scope, expires_on=data.expires_on,
        )
        return ShareRead.from_domain(share, today=clock.today())

    @get("/participants/{participant_id:uuid}/shares", operation_id="listShares")
    async def list_shares(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ListOf[ShareRead]:
        """The participant's shares, history included (prison staff: their prison's active share)."""
        today = clock.today()
        shares = await shares_service.list_shares(caller, participant_id)
        return ListOf(items=[ShareRead.from_domain(s, today=today) for s in shares])

    @delete("/shares/{share_id:uuid}", operation_id="revokeShare", status_code=200)
    async def revoke_share(self, share_id: FromPath[UUID], caller: NamedDependency[Caller]) -> ShareRead:
        """Revoke a share at once; the prison loses access, the record stays with who revoked it and when."""
        share = await shares_service.revoke_share(caller, share_id)
        return ShareRead.from_domain(share, today=clock.today())
