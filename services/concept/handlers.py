"""What the concept does with the events of other services: the one place listing its
subscriptions. Neither the calendar nor the exchange knows about the concept; they only carry
the `measure_ids` an organiser chose.

- `concept.directory-events`: the directory's organisation events keep the concept's view of
  the organisations (leads and partners, named in imports);
- `concept.activity-events`: calendar entries and exchange listings that name measures are kept
  per measure as the activities that carry it out (the newest revision wins).
"""

from __future__ import annotations

from services.concept.repository import Activity
from services.concept.service import ConceptService
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import (
    EventCancelled,
    EventFacts,
    EventRescheduled,
    EventScheduled,
    EventStatus,
    EventUpdated,
)
from shared.contracts.directory import OrganisationFacts
from shared.contracts.exchange import LISTING_EVENTS, ListingFacts, ListingStatus
from shared.organisation_events import on_organisation_events
from shared.runtime import ServiceRuntime

CALENDAR_EVENTS = (EventScheduled, EventUpdated, EventRescheduled, EventCancelled)
#: A listing carries a measure out while open and once fulfilled; not when withdrawn.
COUNTING_LISTINGS = frozenset({ListingStatus.OPEN, ListingStatus.FULFILLED})


def event_activity(facts: EventFacts) -> Activity:
    """A calendar entry as an activity; a cancelled one no longer counts."""
    return Activity(
        kind="event",
        source_id=facts.event_id,
        title=facts.title,
        organisation_id=facts.organisation_id,
        measure_ids=list(facts.measure_ids),
        visibility=facts.visibility.value,
        active=facts.status is EventStatus.SCHEDULED,
        occurred_at=facts.starts_at,
        # the calendar's sequence starts at 0, a projection's revision at 1
        revision=facts.sequence + 1,
    )


def listing_activity(facts: ListingFacts) -> Activity:
    return Activity(
        kind=facts.listing_kind.value,
        source_id=facts.listing_id,
        title=facts.title,
        organisation_id=facts.organisation_id,
        measure_ids=list(facts.measure_ids),
        visibility="public",
        active=facts.status in COUNTING_LISTINGS,
        occurred_at=facts.updated_at,
        revision=facts.revision,
    )


def wire(runtime: ServiceRuntime, concept: ConceptService) -> None:
    """Register the concept's handlers on the queues the runtime creates."""
    directory_events = runtime.queue("directory-events")
    activity_events = runtime.queue("activity-events")

    async def on_organisation(facts: OrganisationFacts, _event: CloudEvent) -> None:
        await concept.organisation_changed(facts)

    on_organisation_events(directory_events, on_organisation)

    async def on_calendar_event(facts: EventFacts, _event: CloudEvent) -> None:
        await concept.activity_seen(event_activity(facts))

    async def on_listing(facts: ListingFacts, _event: CloudEvent) -> None:
        await concept.activity_seen(listing_activity(facts))

    for calendar_event in CALENDAR_EVENTS:
        activity_events.on(calendar_event)(on_calendar_event)
    for listing_event in LISTING_EVENTS:
        activity_events.on(listing_event)(on_listing)
