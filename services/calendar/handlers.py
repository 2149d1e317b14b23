"""What the calendar does with the events of other services: the one place listing its
subscriptions.

- `calendar.directory-events`: the directory's organisation events keep the calendar's own view
  of the organisations (who may plan, who left); a leaving organisation's feeds stop before its
  future events are called off.
- `calendar.registrations`: the calendar's own `calendar.event.rescheduled`, `.updated` (venue
  changed) and `.cancelled` tell the registrants of the event (`registration_jobs.py`).
- `calendar.meetings`: the calendar's own `calendar.event.*` events of a working group's
  meetings become the invitation emails (REQUEST or CANCEL) of the group's member
  organisations, once per version of the meeting.
"""

from __future__ import annotations

from services.calendar.imports import Importer
from services.calendar.meetings import MeetingNotices
from services.calendar.registration_jobs import EventNews, RegistrationJobs
from services.calendar.service import Calendar
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import (
    EventCancelled,
    EventFacts,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from shared.contracts.directory import OrganisationArchived, OrganisationFacts
from shared.organisation_events import on_organisation_events
from shared.runtime import ServiceRuntime


def wire(runtime: ServiceRuntime, calendar: Calendar, importer: Importer) -> None:
    """Register the calendar's handlers on the queues the runtime creates."""
    directory_events = runtime.queue("directory-events")

    async def on_organisation(payload: OrganisationFacts, event: CloudEvent) -> None:
        if isinstance(payload, OrganisationArchived):
            await importer.stop_imports_of(payload.organisation_id)
        await calendar.organisation_changed(payload, event.correlationid)

    on_organisation_events(directory_events, on_organisation)


#: What of an event's update its registrants are told about (a new time is a reschedule).
TOLD_CHANGES = frozenset({"venue"})


def wire_registrations(runtime: ServiceRuntime, jobs: RegistrationJobs) -> None:
    """The registrants hear of their event's changes from the calendar's own events."""
    registrations = runtime.queue("registrations")

    @registrations.on(EventRescheduled)
    async def on_rescheduled(facts: EventRescheduled, event: CloudEvent) -> None:
        news = EventNews(
            facts.event_id, facts.sequence, previous_starts_at=facts.previous_starts_at
        )
        await jobs.event_changed(news, event.correlationid)

    @registrations.on(EventUpdated)
    async def on_updated(facts: EventUpdated, event: CloudEvent) -> None:
        if TOLD_CHANGES.intersection(facts.changed_fields):
            await jobs.event_changed(EventNews(facts.event_id, facts.sequence), event.correlationid)

    @registrations.on(EventCancelled)
    async def on_cancelled(facts: EventCancelled, event: CloudEvent) -> None:
        if facts.occurrence_start is None:  # one date of a series: the series goes on
            news = EventNews(facts.event_id, facts.sequence, cancelled=True, reason=facts.reason)
            await jobs.event_changed(news, event.correlationid)


def wire_meetings(runtime: ServiceRuntime, notices: MeetingNotices) -> None:
    """The calendar's own events of group meetings, on `calendar.meetings`."""
    meetings = runtime.queue("meetings")

    async def on_event(facts: EventFacts, event: CloudEvent) -> None:
        await notices.event_changed(facts, event.correlationid or event.id)

    for kind in (EventScheduled, EventRescheduled, EventUpdated, EventCancelled):
        meetings.on(kind)(on_event)
