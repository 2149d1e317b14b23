"""The working groups' repository in memory, for use-case tests: groups (with the version each
was written at) and meeting notices in dictionaries, events and organisations read from the
calendar's in-memory store, and every message a write caused kept in `published` in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.calendar.domain import Event, series_span
from services.calendar.group_repository import GroupChange
from services.calendar.groups import Group
from shared.auth import Principal
from shared.contracts.base import Payload
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.in_memory_calendar import InMemoryCalendarStore, VersionedStore


class InMemoryGroupStore(VersionedStore):
    """`services.calendar.group_repository.GroupRepository` on dictionaries."""

    def __init__(self, calendar: InMemoryCalendarStore) -> None:
        super().__init__()
        self.calendar = calendar
        self.groups: dict[str, tuple[Group, int]] = {}
        self.notices: dict[str, list[Payload]] = {}

    def group(self, group_id: str) -> Group:
        return self.groups[group_id][0]

    async def get_group(self, group_id: str) -> Group | None:
        found = self.groups.get(group_id)
        return found[0] if found else None

    async def add_group(
        self, group: Group, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        self._written(self.groups, group.id, group, None, messages)

    async def update_group(
        self, group_id: str, change: GroupChange, correlation_id: str | None
    ) -> Group | None:
        found = self.groups.get(group_id)
        if found is None:
            return None
        group, version = found
        changed = await change(group)
        if changed is None:
            return group
        written, messages = changed
        self._written(self.groups, group_id, written, version, messages)
        return written

    async def groups_seen_by(
        self, user: Principal | None, paging: Paging
    ) -> tuple[list[Group], int]:
        seen = [group for group, _ in self.groups.values() if group.visible_to(user)]
        return paging.page_of(sorted(seen, key=lambda group: (group.name.casefold(), group.id)))

    def _meetings(self, group_id: str) -> list[Event]:
        return [event for event, _ in self.calendar.events.values() if event.group_id == group_id]

    async def meetings_of(
        self, group_id: str, now: dt.datetime, paging: Paging, *, past: bool = False
    ) -> tuple[list[Event], int]:
        chosen = [e for e in self._meetings(group_id) if (series_span(e)[1] <= now) == past]
        chosen.sort(key=lambda event: (event.starts_at, event.id), reverse=past)
        return paging.page_of(chosen)

    async def coming_meetings(self, group_id: str, now: dt.datetime) -> list[Event]:
        coming = [
            e for e in self._meetings(group_id) if not e.cancelled and series_span(e)[1] > now
        ]
        return sorted(coming, key=lambda event: (event.starts_at, event.id))

    async def get_event(self, event_id: str) -> Event | None:
        return await self.calendar.get_event(event_id)

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return await self.calendar.get_organisation(organisation_id)

    async def add_notice(
        self, notice_id: str, messages: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        if notice_id in self.notices:
            return False
        self.notices[notice_id] = list(messages)
        self.published.extend(messages)
        return True
