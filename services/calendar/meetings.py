"""The invitations of a working group's meetings: one email per member organisation, with the
meeting as an iCalendar REQUEST (added or updated in its calendar program: same UID, higher
SEQUENCE) or CANCEL. The calendar follows its own `calendar.event.*` events on the queue
`calendar.meetings` and writes, per meeting version, one notice whose outbox holds the emails;
joining and leaving a group send the coming meetings with the group's own write."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from services.calendar.domain import Event
from services.calendar.group_repository import GroupRepository
from services.calendar.groups import Group
from services.calendar.invitations import Addressee, calendar_email, event_params, invitation
from shared.contracts.calendar import (
    EventCancelled,
    EventFacts,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from shared.contracts.notifier import CalendarAttachment, CalendarMethod, EmailTemplate, SendEmail
from shared.projection import KnownOrganisation

log = logging.getLogger("integrationsnetz.calendar.meetings")

#: An update of these is worth telling the members (the rest is bookkeeping or audience tags).
TOLD_CHANGES = frozenset(
    {"title", "description", "venue", "topic", "group_id", "starts_at", "ends_at", "all_day"}
)


def addressee(organisation: KnownOrganisation) -> Addressee:
    """A member organisation as the addressee of an email (it has an address)."""
    assert organisation.email is not None
    return Addressee(organisation.email, organisation.name, organisation.language)


@dataclass(frozen=True)
class MeetingMail:
    """Writes the emails of a group's meetings (the calendar's settings fill it in)."""

    portal_url: str
    organizer_email: str

    def group_link(self, group_id: str) -> str:
        return f"{self.portal_url.rstrip('/')}/arbeitsgruppen/{group_id}"

    def email(
        self,
        template: EmailTemplate,
        to: KnownOrganisation,
        params: dict[str, str],
        calendar: CalendarAttachment | None = None,
    ) -> SendEmail:
        return calendar_email(template, addressee(to), params, calendar)

    def meeting(
        self,
        template: EmailTemplate,
        event: Event,
        group: Group,
        coordinator: KnownOrganisation,
        to: KnownOrganisation,
    ) -> SendEmail:
        """A meeting's invitation, change or cancellation to one member organisation."""
        method = (
            CalendarMethod.CANCEL
            if template is EmailTemplate.MEETING_CANCELLED
            else CalendarMethod.REQUEST
        )
        attachment = invitation(
            event,
            method,
            addressee(to),
            portal_url=self.portal_url,
            organizer_email=self.organizer_email,
            organizer_name=coordinator.name,
        )
        params = {
            **event_params(event, self.portal_url, dt.datetime.isoformat),
            "group_name": group.name,
            "topic": event.topic,
            "group_link": self.group_link(group.id),
        }
        return self.email(template, to, params, attachment)


def template_of(facts: EventFacts) -> EmailTemplate | None:
    """Which email an event of the calendar calls for, if any."""
    if isinstance(facts, EventScheduled):
        return EmailTemplate.MEETING_INVITATION
    if isinstance(facts, EventRescheduled):
        return EmailTemplate.MEETING_RESCHEDULED
    if isinstance(facts, EventUpdated):
        if "group_id" in facts.changed_fields:
            return EmailTemplate.MEETING_INVITATION  # it became the group's meeting
        if TOLD_CHANGES.intersection(facts.changed_fields):
            return EmailTemplate.MEETING_RESCHEDULED
        return None
    if isinstance(facts, EventCancelled):
        # One date of a series off: the series is sent again without it (EXDATE).
        if facts.occurrence_start is not None:
            return EmailTemplate.MEETING_RESCHEDULED
        return EmailTemplate.MEETING_CANCELLED
    return None


class MeetingNotices:
    """Tells the member organisations of a group about its meetings."""

    def __init__(self, store: GroupRepository, mail: MeetingMail) -> None:
        self.store = store
        self.mail = mail

    async def recipients(
        self, group: Group, organisation_ids: Iterable[str]
    ) -> tuple[KnownOrganisation | None, list[KnownOrganisation]]:
        """The group's coordinator, and those of the organisations that have an address."""
        coordinator = await self.store.get_organisation(group.coordinator_id)
        found = []
        for organisation_id in organisation_ids:
            known = await self.store.get_organisation(organisation_id)
            if known is not None and known.active and known.email:
                found.append(known)
        return coordinator, found

    async def emails_for(
        self,
        template: EmailTemplate,
        group: Group,
        events: Iterable[Event],
        organisation_ids: Iterable[str],
    ) -> list[SendEmail]:
        """One email per meeting and organisation (with an address)."""
        coordinator, recipients = await self.recipients(group, organisation_ids)
        if coordinator is None:
            return []
        return [
            self.mail.meeting(template, event, group, coordinator, to)
            for event in events
            for to in recipients
        ]

    async def event_changed(self, facts: EventFacts, correlation_id: str | None) -> int:
        """The emails one version of a meeting calls for, written once; how many were."""
        template = template_of(facts)
        if facts.group_id is None or template is None:
            return 0
        event = await self.store.get_event(facts.event_id)
        if event is None or event.sequence != facts.sequence or event.group_id != facts.group_id:
            return 0  # changed again since: the newer event tells the newer version
        group = await self.store.get_group(facts.group_id)
        if group is None:
            return 0
        emails = await self.emails_for(template, group, [event], group.member_ids)
        notice_id = f"{event.id}:{event.sequence}"
        if not await self.store.add_notice(notice_id, emails, correlation_id):
            log.info("meeting notice %s was written before", notice_id)
            return 0
        return len(emails)
