"""What the calendar does with the events of other services: the one place listing its
subscriptions."""

from __future__ import annotations

from services.calendar.imports import Importer
from services.calendar.service import Calendar
from shared.contracts.base import CloudEvent
from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationRegistered,
    OrganisationUpdated,
)
from shared.messaging import Subscriptions


def follow_directory(
    subscriptions: Subscriptions, calendar: Calendar, importer: Importer
) -> Subscriptions:
    """Keep the calendar's own view of the organisations (who may plan, who left); a leaving
    organisation's feeds stop before its future events are called off."""

    @subscriptions.on(OrganisationRegistered)
    async def registered(payload: OrganisationRegistered, event: CloudEvent) -> None:
        await calendar.organisation_changed(payload, event.correlationid)

    @subscriptions.on(OrganisationUpdated)
    async def updated(payload: OrganisationUpdated, event: CloudEvent) -> None:
        await calendar.organisation_changed(payload, event.correlationid)

    @subscriptions.on(OrganisationArchived)
    async def archived(payload: OrganisationArchived, event: CloudEvent) -> None:
        await importer.stop_imports_of(payload.organisation_id)
        await calendar.organisation_changed(payload, event.correlationid)

    return subscriptions
