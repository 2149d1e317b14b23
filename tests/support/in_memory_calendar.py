"""The calendar's repository in memory, for use-case tests that need no database
(cosmicpython's fake repository): the same questions as `CalendarStore`, answered from
dictionaries, and every event a write caused kept in `published` in order."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence

from services.calendar.clashes import district_key
from services.calendar.conflicts import Conflict
from services.calendar.domain import Event, series_span
from services.calendar.reading import has_date_in
from services.calendar.repository import EventFilter, EventWrite, LoadedEvent
from shared.contracts.base import Payload
from shared.contracts.calendar import Visibility
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.outbox import ConcurrentUpdateError
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.in_memory_base import PublishingStore, Stored


class InMemoryRooms:
    """One asyncio lock per room: simultaneous bookings in one process take turns."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.held: list[str] = []

    @contextlib.asynccontextmanager
    async def hold(self, room: str | None) -> AsyncIterator[None]:
        if room is None:
            yield
            return
        async with self.locks.setdefault(room, asyncio.Lock()):
            self.held.append(room)
            yield


def _passes(event: Event, filters: EventFilter) -> bool:
    checks = (
        filters.include_network or event.visibility is Visibility.PUBLIC,
        filters.organisation is None or filters.organisation in event.organiser_ids,
        filters.district is None or district_key(filters.district) == district_key(event.district),
        filters.language is None or filters.language in event.languages,
        filters.audience is None or filters.audience in [a.value for a in event.audience],
        filters.field is None or filters.field in [f.value for f in event.fields],
        filters.group_id is None or filters.group_id == event.group_id,
    )
    return all(checks)


class VersionedStore(PublishingStore):
    """A twin whose entities are kept with the version each was written at, as the stores
    write a document whole over the version it was read at."""

    def _written(
        self,
        entities: dict[str, tuple[Stored, int]],
        key: str,
        entity: Stored,
        version: int | None,
        messages: Sequence[Payload],
    ) -> None:
        """Add `entity` under `key` at version 1 (`version` None), or write it over `version`
        (ConcurrentUpdateError when another write came first)."""
        if version is None:
            self._added(entities, key, (entity, 1), messages)
            return
        stored = entities.get(key)
        if stored is None or stored[1] != version:
            raise ConcurrentUpdateError(f"{key} changed since version {version}")
        entities[key] = (entity, version + 1)
        self.published.extend(messages)


class InMemoryCalendarStore(VersionedStore):
    """Events (with the version each was written at), conflicts and the projection of
    organisations, as the calendar's use cases see them
    (`services.calendar.repository.CalendarRepository`)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, tuple[Event, int]] = {}
        self.conflicts: dict[str, Conflict] = {}
        self.organisations: dict[str, KnownOrganisation] = {}
        self.rooms = InMemoryRooms()

    def know(
        self, organisation_id: str, name: str, *, email: str | None = None, language: str = "de"
    ) -> None:
        """The projection holds an active organisation, as the directory's first event sets it."""
        self.organisations[organisation_id] = KnownOrganisation(
            id=organisation_id,
            name=name,
            status=OrganisationStatus.ACTIVE,
            revision=1,
            email=email,
            language=language,
        )

    def room_guard(self, *, lease_seconds: float, wait_seconds: float) -> InMemoryRooms:
        return self.rooms

    def event(self, event_id: str) -> Event:
        return self.events[event_id][0]

    # events

    async def get_event(self, event_id: str) -> Event | None:
        found = self.events.get(event_id)
        return found[0] if found else None

    async def events_by_id(self, event_ids: Sequence[str]) -> dict[str, Event]:
        return {i: self.events[i][0] for i in event_ids if i in self.events}

    async def load_event(self, event_id: str) -> LoadedEvent | None:
        found = self.events.get(event_id)
        return LoadedEvent(*found) if found else None

    async def write_event(self, write: EventWrite, correlation_id: str | None) -> None:
        event = write.event
        self._written(self.events, event.id, event, write.version, write.messages)

    async def events_in_window(
        self, start: dt.datetime, end: dt.datetime, filters: EventFilter
    ) -> list[Event]:
        return [
            event
            for event, _ in self.events.values()
            if _passes(event, filters) and has_date_in(event, start, end)
        ]

    async def clash_candidates(
        self, event: Event, start: dt.datetime, end: dt.datetime
    ) -> list[Event]:
        # Every other event: the pure clash detection decides what clashes.
        return [other for other, _ in self.events.values() if other.id != event.id]

    async def future_event_ids(self, organisation_id: str, now: dt.datetime) -> list[str]:
        return [
            event.id
            for event, _ in self.events.values()
            if event.organisation_id == organisation_id
            and not event.cancelled
            and series_span(event)[1] > now
        ]

    async def invitations_of(self, organisation_id: str, now: dt.datetime) -> list[Event]:
        found = [
            event
            for event, _ in self.events.values()
            if organisation_id in event.invited_organiser_ids
            and not event.cancelled
            and series_span(event)[1] > now
        ]
        return sorted(found, key=lambda event: (event.starts_at, event.id))

    # conflicts

    async def conflicts_by_id(self, ids: Sequence[str]) -> dict[str, Conflict]:
        return {i: self.conflicts[i] for i in ids if i in self.conflicts}

    async def open_conflict(self, conflict: Conflict, existing: Conflict | None) -> None:
        stored = self.conflicts.get(conflict.id)
        if existing is not None and stored != existing:
            return  # someone else changed it since: theirs stays
        self.conflicts[conflict.id] = conflict

    async def open_conflict_ids_of_event(self, event_id: str) -> list[str]:
        return [
            conflict.id
            for conflict in self.conflicts.values()
            if conflict.is_open and event_id in conflict.event_ids
        ]

    async def close_conflict(self, conflict_id: str, now: dt.datetime) -> None:
        conflict = self.conflicts[conflict_id]
        if conflict.is_open:
            self.conflicts[conflict_id] = dataclasses.replace(
                conflict, state="closed", closed_at=now
            )

    async def open_conflicts_of_organisation(
        self, organisation_id: str, paging: Paging, *, now: dt.datetime | None = None
    ) -> tuple[list[Conflict], int]:
        found = sorted(
            (
                conflict
                for conflict in self.conflicts.values()
                if conflict.is_open
                and organisation_id in conflict.organisation_ids
                and (now is None or conflict.overlap_ends_at > now)
            ),
            key=lambda conflict: (conflict.overlap_starts_at, conflict.id),
        )
        return paging.page_of(found)

    # organisations

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return self.organisations.get(organisation_id)

    async def apply_organisation(self, facts: OrganisationFacts) -> bool:
        known = self.organisations.get(facts.organisation_id)
        if known is not None and known.revision >= facts.revision:
            return False
        self.organisations[facts.organisation_id] = KnownOrganisation.of(facts)
        return True
