"""What the notifier consumes, queue by queue: the one place that lists its subscriptions.

Each handler only records (a projection, a planned delivery, a digest item); sending happens
in the sender loop. Every write is keyed, so a redelivered message changes nothing.
"""

from __future__ import annotations

from services.notifier.service import Notifier
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import (
    ConflictDetected,
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from shared.contracts.directory import OrganisationFacts
from shared.contracts.exchange import MatchFound, OfferPosted, RequestPosted
from shared.contracts.notifier import SendEmail
from shared.organisation_events import on_organisation_events
from shared.runtime import ServiceRuntime


def wire(runtime: ServiceRuntime, notifier: Notifier) -> None:
    """Register the notifier's handlers on the queues the runtime creates."""
    directory_events = runtime.queue("directory-events")
    exchange_events = runtime.queue("exchange-events")
    calendar_events = runtime.queue("calendar-events")
    commands = runtime.queue("commands")

    async def on_organisation(payload: OrganisationFacts, _event: CloudEvent) -> None:
        await notifier.remember_organisation(payload)

    on_organisation_events(directory_events, on_organisation)

    exchange_events.on(MatchFound)(notifier.plan_match)
    exchange_events.on(OfferPosted)(notifier.plan_listing)
    exchange_events.on(RequestPosted)(notifier.plan_listing)

    async def on_calendar_update(payload: EventUpdated, _event: CloudEvent) -> None:
        await notifier.plan_calendar_update(payload)

    calendar_events.on(EventScheduled)(notifier.plan_calendar_entry)
    calendar_events.on(EventRescheduled)(notifier.plan_calendar_change)
    calendar_events.on(EventCancelled)(notifier.plan_calendar_change)
    calendar_events.on(EventUpdated)(on_calendar_update)
    calendar_events.on(ConflictDetected)(notifier.plan_conflict)

    commands.on(SendEmail)(notifier.plan_command)
