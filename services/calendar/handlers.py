"""What the calendar does with the events of other services: the one place listing its
subscriptions."""

from __future__ import annotations

from services.calendar.service import Calendar
from shared.contracts.base import CloudEvent
from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationRegistered,
    OrganisationUpdated,
)
from shared.messaging import Subscriptions


def follow_directory(subscriptions: Subscriptions, calendar: Calendar) -> Subscriptions:
    """Keep the calendar's own view of the organisations (who may plan, who left)."""

    @subscriptions.on(OrganisationRegistered)
    async def registered(payload: OrganisationRegistered, event: CloudEvent) -> None:
        await calendar.organisation_changed(payload, event.correlationid)

    @subscriptions.on(OrganisationUpdated)
    async def updated(payload: OrganisationUpdated, event: CloudEvent) -> None:
        await calendar.organisation_changed(payload, event.correlationid)

    @subscriptions.on(OrganisationArchived)
    async def archived(payload: OrganisationArchived, event: CloudEvent) -> None:
        await calendar.organisation_changed(payload, event.correlationid)

    return subscriptions
