"""The rosters of registrations in memory, for use-case tests that need no database: the same
questions as `RosterStore`, answered from dictionaries, every message a write caused kept in
`published` in order, and the tokens' entries by hash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.calendar.roster import Roster
from services.calendar.roster_repository import RosterChange, TokenBook, TokenEntry
from shared.contracts.base import Payload
from shared.pages import Paging
from tests.support.in_memory_base import PublishingStore


class InMemoryRosters(PublishingStore):
    def __init__(self) -> None:
        super().__init__()
        self.rosters: dict[str, Roster] = {}
        self.tokens: dict[str, TokenEntry] = {}

    async def get_roster(self, event_id: str) -> Roster | None:
        return self.rosters.get(event_id)

    async def write_roster(
        self,
        event_id: str,
        change: RosterChange,
        tokens: TokenBook | None = None,
        *,
        correlation_id: str | None = None,
    ) -> Roster | None:
        current = self.rosters.get(event_id)
        changed = change(current)
        if changed is None:
            return current
        roster, messages = changed
        if tokens is not None:
            for entry in tokens.unsaved():
                self.tokens[entry.hash] = entry
                tokens.saved.add(entry.hash)
        self.rosters[event_id] = roster
        self.published.extend(messages)
        return roster

    async def find_token(self, hash_: str) -> TokenEntry | None:
        return self.tokens.get(hash_)

    async def delete_tokens(self, event_id: str, registration_ids: Sequence[str] | None) -> int:
        gone = [
            h
            for h, entry in self.tokens.items()
            if entry.event_id == event_id
            and (registration_ids is None or entry.registration_id in registration_ids)
        ]
        for h in gone:
            del self.tokens[h]
        return len(gone)

    async def rosters_of_person(self, person_id: str) -> list[Roster]:
        found = [
            r
            for r in self.rosters.values()
            if any(x.person_id == person_id for x in r.registrations)
        ]
        return sorted(found, key=lambda r: (r.event_starts_at, r.event_id))

    async def rosters_page(self, paging: Paging) -> tuple[list[Roster], int]:
        found = sorted(
            (r for r in self.rosters.values() if r.settings is not None),
            key=lambda r: (-r.event_starts_at.timestamp(), r.event_id),
        )
        return paging.page_of(found)

    async def all_rosters(self) -> list[Roster]:
        return [r for r in self.rosters.values() if r.settings is not None]

    async def starting_between(self, start: dt.datetime, end: dt.datetime) -> list[str]:
        return [k for k, r in self.rosters.items() if start <= r.event_starts_at < end]

    async def open_with_deadline_before(self, moment: dt.datetime) -> list[str]:
        return [
            k
            for k, r in self.rosters.items()
            if r.settings is not None
            and not r.closed
            and not r.deadline_announced
            and min(r.settings.deadline or r.event_starts_at, r.event_starts_at) <= moment
        ]

    async def ended_before(self, moment: dt.datetime) -> list[str]:
        return [
            k
            for k, r in self.rosters.items()
            if r.event_ends_at <= moment and r.final_counts is None
        ]

    async def with_pending_before(self, moment: dt.datetime) -> list[str]:
        return [
            k
            for k, r in self.rosters.items()
            if any(x.state == "pending" and x.created_at <= moment for x in r.registrations)
        ]

    def of_type(self, kind: type[Payload]) -> list[Payload]:
        return [m for m in self.published if isinstance(m, kind)]


class FixedGroups:
    """Working groups and their member organisations, as given."""

    def __init__(self, members: dict[str, frozenset[str]] | None = None) -> None:
        self.members = members or {}

    async def members_of(self, group_id: str) -> frozenset[str]:
        return self.members.get(group_id, frozenset())

    async def name_of(self, group_id: str) -> str | None:
        return f"Arbeitsgruppe {group_id}" if group_id in self.members else None
