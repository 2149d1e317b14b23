"""What the calendar's use cases ask of storage, in the calendar's own terms: events, conflicts,
the organisations it knows and the filters of a calendar view. `CalendarStore` answers on
MongoDB, an in-memory twin in the use-case tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol

from services.calendar.conflicts import Conflict
from services.calendar.domain import Event
from services.calendar.inputs import ImportDefaults
from shared.auth import Principal
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationFacts
from shared.pages import Paging
from shared.projection import KnownOrganisation


@dataclass(frozen=True)
class EventFilter:
    """Filters of `/events` and the feeds; `None` means any."""

    organisation: str | None = None
    district: str | None = None
    language: str | None = None
    audience: str | None = None
    field: str | None = None
    include_network: bool = False
    #: The meetings of one working group.
    group_id: str | None = None


ImportState = Literal["pending", "ok", "failed", "stopped"]


@dataclass(frozen=True)
class ImportCounts:
    """What one fetch of a feed did to the calendar."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class ImportOutcome:
    """How a fetch of a feed went, as it is recorded on the import."""

    fetched_at: dt.datetime
    state: Literal["ok", "failed"]
    error: str | None
    counts: ImportCounts
    problems: list[str]


@dataclass(frozen=True)
class FeedImport:
    """An organisation's own ICS feed, fetched periodically into the calendar."""

    id: str
    organisation_id: str
    url: str
    defaults: ImportDefaults
    created_at: dt.datetime
    created_by: str
    state: ImportState = "pending"
    last_fetched_at: dt.datetime | None = None
    #: Why the last fetch failed (never quoting what the feed's server sent).
    last_error: str | None = None
    last_result: ImportCounts | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadedEvent:
    """An event read to be changed: writing it back succeeds only if nobody else wrote it
    since it was read at `version`."""

    event: Event
    version: int


@dataclass(frozen=True)
class EventWrite:
    """An event to store and the messages its change publishes; `version` is the one it was
    loaded at, None for a new event."""

    event: Event
    messages: Sequence[Payload]
    version: int | None = None


class RoomGuard(Protocol):
    """Holds a room from the clash check to the write, across the calendar's replicas."""

    def hold(self, room: str | None) -> AbstractAsyncContextManager[None]: ...


class EventRule(Protocol):
    """A rule a new (`before` None) or changed event must keep; raises an application error
    when it does not."""

    async def __call__(self, before: Event | None, after: Event, user: Principal) -> None: ...


class CalendarRepository(Protocol):
    """Events, conflicts and the projection of organisations, as the use cases see them."""

    def room_guard(self, *, lease_seconds: float, wait_seconds: float) -> RoomGuard: ...

    # events

    async def get_event(self, event_id: str) -> Event | None: ...

    async def events_by_id(self, event_ids: Sequence[str]) -> dict[str, Event]:
        """The events of these ids that there are, in one read."""

    async def load_event(self, event_id: str) -> LoadedEvent | None: ...

    async def write_event(self, write: EventWrite, correlation_id: str | None) -> None:
        """Add a new event, or write a changed one over the version it was loaded at
        (ConcurrentUpdateError when someone else wrote it since)."""

    async def events_in_window(
        self, start: dt.datetime, end: dt.datetime, filters: EventFilter
    ) -> list[Event]: ...

    async def clash_candidates(
        self, event: Event, start: dt.datetime, end: dt.datetime
    ) -> list[Event]: ...

    async def future_event_ids(self, organisation_id: str, now: dt.datetime) -> list[str]: ...

    async def invitations_of(self, organisation_id: str, now: dt.datetime) -> list[Event]: ...

    # conflicts

    async def conflicts_by_id(self, ids: Sequence[str]) -> dict[str, Conflict]: ...

    async def open_conflict(self, conflict: Conflict, existing: Conflict | None) -> None: ...

    async def open_conflict_ids_of_event(self, event_id: str) -> list[str]: ...

    async def close_conflict(self, conflict_id: str, now: dt.datetime) -> None: ...

    async def open_conflicts_of_organisation(
        self, organisation_id: str, paging: Paging, *, now: dt.datetime | None = None
    ) -> tuple[list[Conflict], int]: ...

    # organisations

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None: ...

    async def apply_organisation(self, facts: OrganisationFacts) -> bool: ...
