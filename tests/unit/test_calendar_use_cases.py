"""The calendar's use-case rules, on the in-memory repository: who may plan, change and cancel
what, what a change announces, room clashes, co-organisers' consent, and who sees network
events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.calendar.inputs import EventCreate, EventPatch
from services.calendar.repository import EventFilter
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from shared.clock import utc_now
from shared.contracts.calendar import (
    ConflictDetected,
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from shared.contracts.directory import OrganisationStatus
from shared.errors import ConflictError, ForbiddenError, NotFoundError, RejectedError
from shared.ids import new_id
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.in_memory import archiving
from tests.support.in_memory_calendar import InMemoryCalendarStore
from tests.support.principals import OFFICE, member_of

MRIYA = new_id()
LINDE = new_id()
NEXT_YEAR = utc_now().year + 1
ROOM = {"name": "Stadtteilzentrum Nordstadt", "room": "Saal 2"}


def at(month: int, day: int, hour: int) -> str:
    return f"{NEXT_YEAR}-{month:02d}-{day:02d}T{hour:02d}:00:00+02:00"


def event(organisation_id: str, title: str = "Sprachcafé", **fields: Any) -> EventCreate:
    return EventCreate.model_validate(
        {
            "organisation_id": organisation_id,
            "title": title,
            "starts_at": at(6, 20, 14),
            "ends_at": at(6, 20, 17),
            **fields,
        }
    )


def calendar_of(store: InMemoryCalendarStore) -> Calendar:
    store.know(MRIYA, "Verein Mriya")
    store.know(LINDE, "Treff Linde")
    return Calendar(store, CalendarSettings(_env_file=None))


async def test_a_member_plans_an_event_and_the_calendar_announces_it() -> None:
    store = InMemoryCalendarStore()
    saved = await calendar_of(store).plan(event(MRIYA), member_of(MRIYA), None)
    assert store.event(saved.event.id) == saved.event
    [scheduled] = store.published
    assert isinstance(scheduled, EventScheduled)
    assert scheduled.event_id == saved.event.id


async def test_an_archived_organisation_cannot_put_an_event_in_the_calendar() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    store.organisations[MRIYA] = KnownOrganisation(
        id=MRIYA, name="Verein Mriya", status=OrganisationStatus.ARCHIVED, revision=2
    )
    with pytest.raises(ConflictError) as refused:
        await calendar.plan(event(MRIYA), member_of(MRIYA), None)
    assert refused.value.slug == "organisation-archived"
    unknown = new_id()
    with pytest.raises(RejectedError) as rejected:
        await calendar.plan(event(unknown), member_of(unknown), None)
    assert rejected.value.slug == "unknown-organisation"
    assert store.events == {}
    assert store.published == []


async def test_only_the_organiser_or_the_office_may_change_or_cancel_an_event() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    saved = await calendar.plan(event(MRIYA), member_of(MRIYA), None)
    stranger = member_of(LINDE)
    store.published.clear()

    with pytest.raises(ForbiddenError) as refused:
        await calendar.change(saved.event.id, EventPatch(title="Unser Fest"), stranger, None)
    with pytest.raises(ForbiddenError):
        await calendar.cancel(saved.event.id, None, "weg", stranger, None)
    assert refused.value.slug == "not-an-editor"
    assert store.event(saved.event.id) == saved.event
    assert store.published == []

    cancelled = await calendar.cancel(saved.event.id, None, "Regen", OFFICE, None)
    assert cancelled.event.cancelled
    assert [type(message) for message in store.published] == [EventCancelled]


async def test_a_new_time_is_announced_as_a_reschedule_and_a_new_title_as_an_update() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    mriya = member_of(MRIYA)
    saved = await calendar.plan(event(MRIYA), mriya, None)
    store.published.clear()

    moved = EventPatch.model_validate({"starts_at": at(6, 21, 14), "ends_at": at(6, 21, 17)})
    await calendar.change(saved.event.id, moved, mriya, None)
    await calendar.change(saved.event.id, EventPatch(title="Sommerfest"), mriya, None)

    rescheduled, updated = store.published
    assert isinstance(rescheduled, EventRescheduled)
    assert rescheduled.previous_starts_at == saved.event.starts_at
    assert rescheduled.starts_at == saved.event.starts_at + dt.timedelta(days=1)
    assert isinstance(updated, EventUpdated)
    assert updated.changed_fields == ["title"]
    assert store.event(saved.event.id).sequence == 2


async def test_a_cancelled_event_cannot_be_changed() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    mriya = member_of(MRIYA)
    saved = await calendar.plan(event(MRIYA), mriya, None)
    await calendar.cancel(saved.event.id, None, None, mriya, None)
    store.published.clear()

    with pytest.raises(ConflictError) as refused:
        await calendar.change(saved.event.id, EventPatch(title="Doch"), mriya, None)

    assert refused.value.slug == "event-state"
    assert store.event(saved.event.id).title == "Sprachcafé"
    assert store.published == []


async def test_clearing_a_required_field_is_refused_naming_the_field() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    mriya = member_of(MRIYA)
    saved = await calendar.plan(event(MRIYA), mriya, None)

    with pytest.raises(RejectedError) as refused:
        await calendar.change(
            saved.event.id, EventPatch.model_validate({"title": None}), mriya, None
        )

    assert refused.value.slug == "invalid-event"
    assert refused.value.extensions["fields"] == ["title"]


async def test_an_event_ending_before_it_starts_is_refused_naming_its_times() -> None:
    store = InMemoryCalendarStore()
    backwards = event(MRIYA).model_copy(update={"ends_at": event(MRIYA).starts_at})

    with pytest.raises(RejectedError) as refused:
        await calendar_of(store).plan(backwards, member_of(MRIYA), None)

    assert refused.value.slug == "invalid-event"
    assert refused.value.extensions["fields"] == ["starts_at", "ends_at"]
    assert store.events == {}


async def test_a_room_clash_is_refused_unless_the_office_overrides_it() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    first = await calendar.plan(event(MRIYA, venue=ROOM), member_of(MRIYA), None)
    linde = member_of(LINDE)
    store.published.clear()

    with pytest.raises(ConflictError) as refused:
        await calendar.plan(event(LINDE, "Elterncafé", venue=ROOM), linde, None)
    assert refused.value.slug == "room-clash"
    assert refused.value.extensions["clashes"][0]["event_id"] == first.event.id
    with pytest.raises(ForbiddenError) as not_office:
        await calendar.plan(event(LINDE, "Elterncafé", venue=ROOM), linde, None, override=True)
    assert not_office.value.slug == "override-refused"
    assert len(store.events) == 1
    assert store.published == []

    second = await calendar.plan(
        event(LINDE, "Elterncafé", venue=ROOM), OFFICE, None, override=True
    )
    scheduled, detected = store.published
    assert isinstance(scheduled, EventScheduled)
    assert isinstance(detected, ConflictDetected)
    assert sorted(detected.organisation_ids) == sorted([MRIYA, LINDE])
    conflicts, total, titles = await calendar.open_conflicts(
        MRIYA, OFFICE, Paging(limit=10, offset=0)
    )
    assert total == 1
    assert conflicts[0].event_ids == sorted([first.event.id, second.event.id])
    assert titles == {first.event.id: "Sprachcafé", second.event.id: "Elterncafé"}


async def test_a_co_organiser_joins_only_with_its_own_consent() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    saved = await calendar.plan(event(MRIYA, co_organiser_ids=[LINDE]), member_of(MRIYA), None)
    assert (saved.event.co_organiser_ids, saved.event.invited_organiser_ids) == ([], [LINDE])
    assert [e.id for e in await calendar.invitations(LINDE, member_of(LINDE))] == [saved.event.id]
    store.published.clear()

    with pytest.raises(ForbiddenError):
        await calendar.accept_co_organiser(saved.event.id, LINDE, member_of(MRIYA), None)
    accepted = await calendar.accept_co_organiser(saved.event.id, LINDE, member_of(LINDE), None)

    assert (accepted.event.co_organiser_ids, accepted.event.invited_organiser_ids) == ([LINDE], [])
    [updated] = store.published
    assert isinstance(updated, EventUpdated)
    assert updated.co_organiser_ids == [LINDE]
    with pytest.raises(NotFoundError) as again:
        await calendar.drop_co_organiser(
            saved.event.id, LINDE, member_of(LINDE), None, invitation_only=True
        )
    assert again.value.slug == "no-invitation"


async def test_network_events_are_hidden_from_those_not_signed_in() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    mriya = member_of(MRIYA)
    internal = await calendar.plan(
        event(MRIYA, "Netzwerktreffen", visibility="network"), mriya, None
    )
    public = await calendar.plan(event(MRIYA, "Sommerfest"), mriya, None)

    with pytest.raises(NotFoundError) as hidden:
        await calendar.visible_event(internal.event.id, None)
    assert hidden.value.slug == "no-such-event"
    assert await calendar.visible_event(internal.event.id, member_of(LINDE)) == internal.event
    start, end = internal.event.starts_at - dt.timedelta(days=1), internal.event.ends_at
    anyone = await calendar.events_in(start, end, EventFilter())
    partners = await calendar.events_in(start, end, EventFilter(include_network=True))
    assert [e.id for e in anyone] == [public.event.id]
    assert {e.id for e in partners} == {internal.event.id, public.event.id}


async def test_archiving_an_organisation_cancels_its_future_events_once() -> None:
    store = InMemoryCalendarStore()
    calendar = calendar_of(store)
    saved = await calendar.plan(event(MRIYA), member_of(MRIYA), None)
    others = await calendar.plan(event(LINDE, "Elterncafé"), member_of(LINDE), None)
    store.published.clear()
    archived = archiving(MRIYA, "Verein Mriya", revision=2)

    await calendar.organisation_changed(archived, None)
    await calendar.organisation_changed(archived, None)  # redelivered: nothing more

    assert store.event(saved.event.id).cancelled
    assert not store.event(others.event.id).cancelled
    [cancelled] = store.published
    assert isinstance(cancelled, EventCancelled)
    assert cancelled.event_id == saved.event.id
