"""Reading registrations: what a link stands for, a member's own registrations, the
organisers' list of registrants, and the office's counts per event and per working group."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.calendar.domain import Event
from services.calendar.registrations import (
    Registrations,
    forbidden,
    invalid_token,
    not_set_up,
)
from services.calendar.roster import Registration, Roster
from services.calendar.roster_repository import RosterRepository
from shared.auth import Principal
from shared.link_tokens import hash_one_time_token
from shared.pages import Paging


@dataclass(frozen=True)
class TokenView:
    """What a confirm or cancel link would do, for the page that asks before doing it."""

    event_id: str
    event_title: str
    starts_at: dt.datetime
    state: str
    purpose: str


@dataclass(frozen=True)
class OwnRegistration:
    event_id: str
    event_title: str
    starts_at: dt.datetime
    registration_id: str
    state: str
    position: int | None


@dataclass(frozen=True)
class EventCounts:
    event_id: str
    event_title: str
    starts_at: dt.datetime
    group_id: str | None
    capacity: int
    confirmed: int
    waiting: int
    attended: int


@dataclass(frozen=True)
class GroupCounts:
    group_id: str
    events: int
    capacity: int
    confirmed: int
    waiting: int
    attended: int
    group_name: str = ""


class RegistrationReading:
    def __init__(self, registrations: Registrations) -> None:
        self.registrations = registrations
        self.rosters: RosterRepository = registrations.rosters
        self.clock: Callable[[], dt.datetime] = registrations.clock

    async def by_token(self, token: str) -> TokenView:
        entry = await self.rosters.find_token(hash_one_time_token(token))
        if entry is None:
            raise invalid_token()
        entry = await self.registrations.token_entry(token, entry.purpose)
        roster = await self.rosters.get_roster(entry.event_id)
        registration = roster.find(entry.registration_id) if roster else None
        if registration is None:
            raise invalid_token()
        event = await self.registrations.event(entry.event_id)
        return TokenView(event.id, event.title, event.starts_at, registration.state, entry.purpose)

    async def mine(self, user: Principal) -> list[OwnRegistration]:
        found: list[OwnRegistration] = []
        for roster in await self.rosters.rosters_of_person(user.person_id):
            event = await self.registrations.calendar.store.get_event(roster.event_id)
            if event is None:
                continue
            for registration in roster.registrations:
                if registration.person_id == user.person_id:
                    found.append(
                        OwnRegistration(
                            event.id,
                            event.title,
                            event.starts_at,
                            registration.id,
                            registration.state,
                            roster.position(registration.id),
                        )
                    )
        return found

    async def of_event(self, event_id: str, user: Principal) -> tuple[Event, Roster]:
        """Every registration of the event, for its organisers and office staff."""
        registrations = self.registrations
        event = await registrations.event(event_id)
        if not registrations.may_organise(event, user):
            raise forbidden("Only the event's organisers see who registered.")
        roster = await self.rosters.get_roster(event_id)
        if roster is None:
            raise not_set_up()
        return event, roster

    async def organisation_names(self, roster: Roster) -> dict[str, str]:
        names: dict[str, str] = {}
        for organisation_id in {
            r.organisation_id for r in roster.registrations if r.organisation_id
        }:
            known = await self.registrations.calendar.store.get_organisation(organisation_id)
            if known is not None:
                names[organisation_id] = known.name
        return names

    async def counts_page(self, user: Principal, paging: Paging) -> tuple[list[EventCounts], int]:
        if not user.is_admin:
            raise forbidden("Only office staff see the counts of every event.")
        rosters, total = await self.rosters.rosters_page(paging)
        return await self._counts(rosters), total

    async def _counts(self, rosters: Sequence[Roster]) -> list[EventCounts]:
        """The counts of each roster, with its event's title, time and group (read at once)."""
        store = self.registrations.calendar.store
        events = await store.events_by_id([roster.event_id for roster in rosters])
        return [event_counts(roster, events.get(roster.event_id)) for roster in rosters]

    async def group_counts(self, user: Principal) -> list[GroupCounts]:
        if not user.is_admin:
            raise forbidden("Only office staff see the counts of every working group.")
        sums: dict[str, GroupCounts] = {}
        for counts in await self._counts(await self.rosters.all_rosters()):
            if counts.group_id is None:
                continue
            so_far = sums.get(counts.group_id, GroupCounts(counts.group_id, 0, 0, 0, 0, 0))
            sums[counts.group_id] = GroupCounts(
                counts.group_id,
                so_far.events + 1,
                so_far.capacity + counts.capacity,
                so_far.confirmed + counts.confirmed,
                so_far.waiting + counts.waiting,
                so_far.attended + counts.attended,
            )
        groups = self.registrations.groups
        named = [
            dataclasses.replace(counts, group_name=await groups.name_of(counts.group_id) or "")
            for counts in sums.values()
        ]
        return sorted(named, key=lambda g: (g.group_name.casefold(), g.group_id))


def event_counts(roster: Roster, event: Event | None) -> EventCounts:
    """A roster's counts, with its event's title, time and group (none once it is gone)."""
    return EventCounts(
        event_id=roster.event_id,
        event_title=event.title if event else "",
        starts_at=event.starts_at if event else roster.event_starts_at,
        group_id=event.group_id if event else None,
        capacity=roster.capacity,
        confirmed=roster.confirmed,
        waiting=roster.waiting,
        attended=roster.attended,
    )


def listed(roster: Roster) -> list[Registration]:
    """The registrations as organisers see them: confirmed, waiting (in order), pending,
    cancelled; each group by arrival."""
    order = {"confirmed": 0, "waiting": 1, "pending": 2, "cancelled": 3}
    return sorted(
        roster.registrations,
        key=lambda r: (order[r.state], r.queue_no or 0, r.created_at, r.id),
    )
