"""The calendar's use cases: planning, changing and cancelling events, finding their clashes,
listing the calendar, and following the directory's organisations."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from services.calendar.changes import (
    accept_co_organiser,
    cancel_event,
    change_event,
    drop_co_organiser,
    move_occurrence,
    schedule_event,
)
from services.calendar.clashes import Clash, find_clashes, venue_key
from services.calendar.conflicts import Conflict, plan_conflicts, room_clash_error
from services.calendar.domain import (
    Event,
    EventStateError,
    InvalidEventError,
    Occurrence,
    series_span,
)
from services.calendar.inputs import EventCreate, EventPatch, When
from services.calendar.reading import Dated, has_date_in, page_of_dates
from services.calendar.repository import (
    CalendarRepository,
    EventFilter,
    EventRule,
    EventWrite,
    LoadedEvent,
    RoomGuard,
)
from services.calendar.settings import CalendarSettings
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.calendar import ConflictKind, Visibility
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RejectedError,
)
from shared.ids import new_id
from shared.outbox import ConcurrentUpdateError
from shared.pages import Paging
from shared.projection import KnownOrganisation

log = logging.getLogger("integrationsnetz.calendar")

MAX_WRITE_ATTEMPTS = 5
#: Acts for the calendar itself (archiving, imports).
SYSTEM = Principal(person_id="calendar", role="admin")
ARCHIVED_REASON = "The organisation has left the network."


def invalid_event(exc: InvalidEventError) -> RejectedError:
    """The input is no plannable event; naming the fields concerned when it is about some."""
    if exc.fields:
        return RejectedError(str(exc), slug="invalid-event", fields=exc.fields)
    return RejectedError(str(exc), slug="invalid-event")


@dataclass(frozen=True)
class Saved:
    """An event as written, with its current clashes."""

    event: Event
    clashes: list[Clash]
    #: The events it clashes with, by id.
    others: dict[str, Event]


def event_not_found() -> ApplicationError:
    return NotFoundError("No event with this id.", slug="no-such-event")


class Calendar:
    def __init__(
        self,
        store: CalendarRepository,
        settings: CalendarSettings,
        *,
        rooms: RoomGuard | None = None,
        event_rules: EventRule | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        #: Further rules a new or changed event must keep (a working group's meetings).
        self.event_rules = event_rules
        self.rooms = rooms or store.room_guard(
            lease_seconds=settings.room_lock_seconds,
            wait_seconds=settings.room_lock_wait_seconds,
        )

    # organisations -----------------------------------------------------------------------

    async def known_organisation(self, organisation_id: str) -> KnownOrganisation:
        """The calendar's view of an organisation; NotFoundError when it has none."""
        known = await self.store.get_organisation(organisation_id)
        if known is None:
            raise NotFoundError("No organisation with this id.", slug="no-such-organisation")
        return known

    async def organisation_changed(
        self, facts: OrganisationFacts, correlation_id: str | None
    ) -> None:
        """Follow the directory; archiving an organisation cancels its future events."""
        taken = await self.store.apply_organisation(facts)
        if taken and facts.status is OrganisationStatus.ARCHIVED:
            await self.cancel_future_events_of(facts.organisation_id, correlation_id)

    async def cancel_future_events_of(
        self, organisation_id: str, correlation_id: str | None
    ) -> int:
        cancelled = 0
        for event_id in await self.store.future_event_ids(organisation_id, utc_now()):
            saved = await self.cancel(event_id, None, ARCHIVED_REASON, SYSTEM, correlation_id)
            cancelled += saved.event.cancelled
        log.info("organisation %s archived: %d events cancelled", organisation_id, cancelled)
        return cancelled

    async def require_active(self, organisation_ids: Sequence[str]) -> None:
        for organisation_id in organisation_ids:
            known = await self.store.get_organisation(organisation_id)
            if known is None:
                raise RejectedError(
                    f"The organisation {organisation_id} is not known to the calendar "
                    "(yet); it must be registered in the directory.",
                    slug="unknown-organisation",
                )
            if not known.active:
                raise ConflictError(
                    f"{known.name} has left the network and cannot plan events.",
                    slug="organisation-archived",
                )

    # events ------------------------------------------------------------------------------

    @staticmethod
    def _require_editor(organisation_id: str, user: Principal) -> None:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of the organising organisation may do this.",
                slug="not-an-editor",
            )

    @staticmethod
    def _check_override(override: bool, user: Principal) -> None:
        if override and not user.is_admin:
            raise ForbiddenError(
                "Only office staff (admin) may override a room clash.", slug="override-refused"
            )

    async def plan(
        self,
        data: EventCreate,
        user: Principal,
        correlation_id: str | None,
        *,
        override: bool = False,
    ) -> Saved:
        self._require_editor(data.organisation_id, user)
        self._check_override(override, user)
        await self.require_active([data.organisation_id, *data.co_organiser_ids])
        try:
            event, scheduled = schedule_event(new_id(), data, utc_now(), user.may_edit)
        except InvalidEventError as exc:
            raise invalid_event(exc) from exc
        if self.event_rules is not None:
            await self.event_rules(None, event, user)
        return await self.save(None, event, [scheduled], override, correlation_id)

    async def visible_event(self, event_id: str, user: Principal | None) -> Event:
        event = await self.store.get_event(event_id)
        if event is None or (event.visibility is Visibility.NETWORK and user is None):
            raise event_not_found()
        return event

    async def change(
        self,
        event_id: str,
        patch: EventPatch,
        user: Principal,
        correlation_id: str | None,
        *,
        override: bool = False,
    ) -> Saved:
        self._check_override(override, user)

        async def apply(event: Event) -> tuple[Event, list[Payload]]:
            changed, messages = change_event(event, patch, utc_now(), user.may_edit)
            if changed is not event and "co_organiser_ids" in patch.model_fields_set:
                await self.require_active(
                    [*changed.co_organiser_ids, *changed.invited_organiser_ids]
                )
            return changed, messages

        return await self._write(event_id, user, apply, override, correlation_id)

    async def cancel(
        self,
        event_id: str,
        occurrence: dt.datetime | None,
        reason: str | None,
        user: Principal,
        correlation_id: str | None,
    ) -> Saved:
        async def apply(event: Event) -> tuple[Event, list[Payload]]:
            return cancel_event(event, occurrence, reason, utc_now())

        return await self._write(event_id, user, apply, True, correlation_id)

    async def move(
        self,
        event_id: str,
        original_start: dt.datetime,
        starts_at: When,
        ends_at: When,
        user: Principal,
        correlation_id: str | None,
        *,
        override: bool = False,
    ) -> tuple[Saved, Occurrence]:
        self._check_override(override, user)
        moved: list[Occurrence] = []

        async def apply(event: Event) -> tuple[Event, list[Payload]]:
            changed, occurrence, messages = move_occurrence(
                event, original_start, starts_at, ends_at, utc_now()
            )
            moved.append(occurrence)
            return changed, messages

        saved = await self._write(event_id, user, apply, override, correlation_id)
        return saved, moved[-1]

    # co-organisers ------------------------------------------------------------------------

    async def accept_co_organiser(
        self, event_id: str, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Saved:
        """An editor of the invited organisation (or office staff) accepts for it."""

        async def apply(event: Event) -> tuple[Event, list[Payload]]:
            try:
                return accept_co_organiser(event, organisation_id, utc_now())
            except LookupError as exc:
                raise NotFoundError(str(exc), slug="no-invitation") from exc

        return await self._write(
            event_id, user, apply, True, correlation_id, acting_for=lambda _: organisation_id
        )

    async def drop_co_organiser(
        self,
        event_id: str,
        organisation_id: str,
        user: Principal,
        correlation_id: str | None,
        *,
        invitation_only: bool = False,
    ) -> Saved:
        """The organisation declines or leaves (its editors), or the organiser takes it off."""

        async def apply(event: Event) -> tuple[Event, list[Payload]]:
            try:
                return drop_co_organiser(
                    event, organisation_id, utc_now(), invitation_only=invitation_only
                )
            except LookupError as exc:
                raise NotFoundError(str(exc), slug="no-invitation") from exc

        def acting_for(event: Event) -> str:
            return organisation_id if user.may_edit(organisation_id) else event.organisation_id

        return await self._write(
            event_id, user, apply, True, correlation_id, acting_for=acting_for, archived_ok=True
        )

    async def invitations(self, organisation_id: str, user: Principal) -> list[Event]:
        """Upcoming events that invite the organisation to co-organise them, by start."""
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may see its invitations.",
                slug="not-an-editor",
            )
        return await self.store.invitations_of(organisation_id, utc_now())

    async def _write(
        self,
        event_id: str,
        user: Principal,
        apply: Callable[[Event], Awaitable[tuple[Event, list[Payload]]]],
        override: bool,
        correlation_id: str | None,
        *,
        acting_for: Callable[[Event], str] | None = None,
        archived_ok: bool = False,
    ) -> Saved:
        """Load, change, check and write an event, again if someone else wrote it meanwhile.
        `apply` returns the very same event when nothing changed. The user must be an editor of
        the organisation `acting_for` names (the organiser unless given)."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            loaded = await self.store.load_event(event_id)
            if loaded is None:
                raise event_not_found()
            event = loaded.event
            acting = acting_for(event) if acting_for else event.organisation_id
            self._require_editor(acting, user)
            if not user.is_admin and not archived_ok:
                await self.require_active([acting])
            try:
                changed, messages = await apply(event)
            except InvalidEventError as exc:
                raise invalid_event(exc) from exc
            except EventStateError as exc:
                raise ConflictError(str(exc), slug="event-state") from exc
            except LookupError as exc:
                raise NotFoundError(str(exc), slug="no-such-occurrence") from exc
            if changed is event:
                return Saved(changed, *await self.clashes_of(changed))
            if self.event_rules is not None:
                await self.event_rules(event, changed, user)
            try:
                return await self.save(loaded, changed, messages, override, correlation_id)
            except ConcurrentUpdateError:
                continue
        raise ConflictError(
            "The event is being changed by someone else; try again.", slug="concurrent-change"
        )

    # clashes -----------------------------------------------------------------------------

    async def clashes_of(self, event: Event) -> tuple[list[Clash], dict[str, Event]]:
        """The event's clashes with the stored calendar (candidates read by index), and the
        events it clashes with."""
        if event.cancelled:
            return [], {}
        first, last = await asyncio.to_thread(series_span, event)
        candidates = await self.store.clash_candidates(event, first, last)
        # Expanding many series is CPU work: off the event loop, other requests go on.
        clashes = await asyncio.to_thread(find_clashes, event, candidates)
        clashing = {c.other_event_id for c in clashes}
        return clashes, {other.id: other for other in candidates if other.id in clashing}

    async def save(
        self,
        loaded: LoadedEvent | None,
        event: Event,
        messages: Sequence[Payload],
        override: bool,
        correlation_id: str | None,
    ) -> Saved:
        """Check the clashes, write the event with its events and the conflicts it causes.
        The room's lock is held from the check to the write: of simultaneous bookings of one
        room, each sees the ones written before it."""
        room = None if event.cancelled else venue_key(event)
        async with self.rooms.hold(room):
            clashes, others = await self.clashes_of(event)
            rooms = [c for c in clashes if c.kind is ConflictKind.ROOM]
            if rooms and not override:
                raise room_clash_error(rooms, others)
            now = utc_now()
            known = await self.store.conflicts_by_id([c.conflict_id for c in clashes])
            writes, detected = plan_conflicts(event, clashes, others, known, now)
            messages = [*messages, *detected]
            version = None if loaded is None else loaded.version
            await self.store.write_event(EventWrite(event, messages, version), correlation_id)
            # Conflicts are a view derived from the events: written after them, idempotently.
            for write in writes:
                await self.store.open_conflict(write.conflict, write.existing)
            current = {c.conflict_id for c in clashes}
            for stale in await self.store.open_conflict_ids_of_event(event.id):
                if stale not in current:
                    await self.store.close_conflict(stale, now)
            return Saved(event, clashes, others)

    # reading -----------------------------------------------------------------------------

    async def occurrences_in(
        self,
        start: dt.datetime,
        end: dt.datetime,
        filters: EventFilter,
        paging: Paging,
        *,
        include_cancelled: bool = False,
    ) -> tuple[list[Dated], int]:
        """One page of the dates in [start, end) of the events that pass the filters, by time,
        and how many there are in all."""
        events = await self.store.events_in_window(start, end, filters)
        # Expanding many series is CPU work: off the event loop, other requests go on.
        return await asyncio.to_thread(
            lambda: page_of_dates(
                events,
                start,
                end,
                paging,
                include_cancelled=include_cancelled,
            )
        )

    async def events_in(
        self, start: dt.datetime, end: dt.datetime, filters: EventFilter
    ) -> list[Event]:
        """Events (whole series) with a date in [start, end), for the iCalendar feeds."""
        events = await self.store.events_in_window(start, end, filters)
        shown = await asyncio.to_thread(
            lambda: [event for event in events if has_date_in(event, start, end)]
        )
        shown.sort(key=lambda event: (event.starts_at, event.id))
        return shown

    async def open_conflicts(
        self, organisation_id: str, user: Principal, paging: Paging
    ) -> tuple[list[Conflict], int, dict[str, str]]:
        """A page of the organisation's open conflicts, how many there are, and the titles of
        the events they concern."""
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may see its conflicts.",
                slug="not-an-editor",
            )
        conflicts, total = await self.store.open_conflicts_of_organisation(
            organisation_id, paging, now=utc_now()
        )
        titles: dict[str, str] = {}
        for conflict in conflicts:
            for event_id in conflict.event_ids:
                if event_id not in titles:
                    event = await self.store.get_event(event_id)
                    titles[event_id] = event.title if event else ""
        return conflicts, total, titles
