"""What every email of the calendar about one event has in common, whether it goes to a member
organisation of a working group (its meetings, `meetings.py`) or to a registrant
(`registration_messages.py`): what it says of the event, the event as an iCalendar REQUEST or
CANCEL for the addressee's calendar program, and the private `SendEmail` command itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from services.calendar.domain import Event
from services.calendar.ics import event_url, invitation_ics
from shared.contracts.calendar import Venue
from shared.contracts.notifier import CalendarAttachment, CalendarMethod, EmailTemplate, SendEmail
from shared.ids import new_id


@dataclass(frozen=True)
class Addressee:
    """Whom one email goes to, by name, in its language."""

    email: str
    name: str
    language: str


def venue_line(venue: Venue | None) -> str:
    """Where the event takes place, in one line ("" when unknown)."""
    if venue is None:
        return ""
    return ", ".join(part for part in (venue.name, venue.room, venue.address) if part)


def event_params(
    event: Event, portal_url: str, moment: Callable[[dt.datetime], str]
) -> dict[str, str]:
    """What every email about an event says of it (`moment` writes its times)."""
    return {
        "event_title": event.title,
        "starts_at": moment(event.starts_at),
        "ends_at": moment(event.ends_at),
        "all_day": "true" if event.all_day else "false",
        "venue": venue_line(event.venue),
        "event_link": event_url(portal_url, event.id),
    }


def invitation(
    event: Event,
    method: CalendarMethod,
    to: Addressee,
    *,
    portal_url: str,
    organizer_email: str,
    organizer_name: str,
) -> CalendarAttachment:
    """The event for the addressee's calendar program: added or updated, or removed."""
    ics = invitation_ics(
        event,
        method=method.value,
        portal_url=portal_url,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=to.email,
        attendee_name=to.name,
    )
    return CalendarAttachment(method=method, ics=ics)


def calendar_email(
    template: EmailTemplate,
    to: Addressee,
    params: dict[str, str],
    calendar: CalendarAttachment | None = None,
) -> SendEmail:
    """The command to the notifier to send one email of the calendar."""
    return SendEmail(
        command_id=new_id(),
        template=template,
        to=to.email,
        recipient_name=to.name,
        language=to.language,
        params=params,
        requested_by_service="calendar",
        calendar=calendar,
    )
