"""Who is calling, from where: passed into every use case."""

from __future__ import annotations

from uuid import UUID

import msgspec

from prison_liaison.planning.models import Role


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID | None
    username: str
    role: Role | None
    prison_id: UUID | None = None
    client: str = ""
    request_id: str = ""
    display_name: str = ""
    # the operator at the command line (purge, export, rotate-key, create-user): no account, no role
    operator: bool = False

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_prison_staff(self) -> bool:
        return self.role == Role.PRISON_STAFF


def anonymous(client: str = "", request_id: str = "") -> Caller:
    return Caller(user_id=None, username="", role=None, client=client, request_id=request_id)


def system(name: str = "system") -> Caller:
    """The operator running a CLI command."""
    return Caller(user_id=None, username=name, role=None, client="cli", operator=True)
