"""What the use cases of working groups, their meetings' invitations and documents ask of
storage, in their own terms. `GroupStore` answers on MongoDB, an in-memory twin in the
use-case tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from services.calendar.domain import Event
from services.calendar.groups import Group
from shared.auth import Principal
from shared.contracts.base import Payload
from shared.pages import Paging
from shared.projection import KnownOrganisation

#: A change of a stored group: the changed group and the messages it causes, or None to write
#: nothing.
GroupChange = Callable[[Group], Awaitable[tuple[Group, Sequence[Payload]] | None]]


class GroupRepository(Protocol):
    async def get_group(self, group_id: str) -> Group | None: ...

    async def add_group(
        self, group: Group, messages: Sequence[Payload], correlation_id: str | None
    ) -> None: ...

    async def update_group(
        self, group_id: str, change: GroupChange, correlation_id: str | None
    ) -> Group | None:
        """Apply `change` to the stored group and write the result with its messages over
        the version it was read at, again when someone else wrote it meanwhile
        (ConcurrentUpdateError when that keeps happening). Returns the stored group, None
        when there is none."""

    async def groups_seen_by(
        self, user: Principal | None, paging: Paging
    ) -> tuple[list[Group], int]:
        """The groups the caller may see, by name."""

    async def meetings_of(
        self, group_id: str, now: dt.datetime, paging: Paging, *, past: bool = False
    ) -> tuple[list[Event], int]:
        """The group's meetings not over yet (soonest first), or those over (latest first)."""

    async def coming_meetings(self, group_id: str, now: dt.datetime) -> list[Event]:
        """The group's scheduled meetings that are not over yet."""

    async def get_event(self, event_id: str) -> Event | None: ...

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None: ...

    async def add_notice(
        self, notice_id: str, messages: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        """Store the notice of one version of a meeting with its emails, once: False when it
        was stored before (its emails are on their way already)."""
