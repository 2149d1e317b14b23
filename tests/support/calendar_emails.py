"""The emails the calendar asks the notifier for (working groups, event registrations): the
parameters of each as the calendar sends them (`SendEmail.params`), and iCalendar
invitations and cancellations to attach."""

from __future__ import annotations

from services.notifier.domain import Template
from shared.contracts.notifier import CalendarAttachment, CalendarMethod
from tests.support.notifier_emails import PORTAL

EVENT_ID = "01a20175-6e35-7420-942f-2edfc88e1cc8"
GROUP_ID = "01a20175-6e35-7420-942f-2edfc88e1cd0"
EVENT_UID = f"{EVENT_ID}@integrationsnetz.example"

EVENT = {
    "event_title": "Treffen der AG Sprachcafés",
    "starts_at": "2026-06-20T15:00:00+00:00",
    "ends_at": "2026-06-20T17:00:00+00:00",
    "all_day": "false",
    "venue": "Stadtteilbüro Nordstadt, Mallinckrodtstraße 3",
    "event_link": f"{PORTAL}/events/{EVENT_ID}",
}
GROUP = {"group_name": "AG Sprachcafés", "group_link": f"{PORTAL}/arbeitsgruppen/{GROUP_ID}"}
MEETING = {**EVENT, **GROUP, "topic": "Planung der Sommerferien"}
CANCEL_LINK = {"cancel_link": f"{PORTAL}/anmeldung/abmelden?token=cancel-token"}

#: Every template with the parameters the specification lists for it.
CALENDAR_EMAIL_PARAMS: dict[Template, dict[str, str]] = {
    Template.MEETING_INVITATION: MEETING,
    Template.MEETING_RESCHEDULED: MEETING,
    Template.MEETING_CANCELLED: MEETING,
    Template.GROUP_JOIN_REQUESTED: {**GROUP, "organisation_name": "Kulturverein La Casa"},
    Template.GROUP_INVITATION: {**GROUP, "coordinator_name": "Stadtteilbüro Nordstadt"},
    Template.REGISTRATION_OPT_IN: {
        **EVENT,
        "confirm_link": f"{PORTAL}/anmeldung/bestaetigen?token=opt-in-token",
        "expires_at": "2026-06-12T10:00:00+00:00",
    },
    Template.REGISTRATION_CONFIRMED: {**EVENT, **CANCEL_LINK},
    Template.REGISTRATION_WAITLISTED: {**EVENT, **CANCEL_LINK, "position": "3"},
    Template.REGISTRATION_PROMOTED: {**EVENT, **CANCEL_LINK},
    Template.REGISTRATION_CANCELLED: EVENT,
    Template.REGISTRATION_REMINDER: {**EVENT, **CANCEL_LINK},
    Template.REGISTRATION_EVENT_CHANGED: {
        **EVENT,
        **CANCEL_LINK,
        "previous_starts_at": "2026-06-13T15:00:00+00:00",
    },
    Template.REGISTRATION_EVENT_CANCELLED: {
        **EVENT,
        "reason": "Der Raum ist wegen Wasserschaden gesperrt",
    },
}


def folded(name: str, value: str) -> list[str]:
    """A content line folded at 75 octets (RFC 5545 3.1; ASCII values only)."""
    line = f"{name}:{value}"
    return [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]


def attachment(
    method: CalendarMethod,
    *,
    sequence: int = 0,
    attendee: str = "info@example.org",
    description: str = "",
) -> CalendarAttachment:
    """An iTIP object like the calendar's (`services/calendar/ics.py`), as a `SendEmail`
    attachment: one VEVENT of the meeting with organiser and attendee (and a DESCRIPTION,
    folded, if given)."""
    status = "CANCELLED" if method is CalendarMethod.CANCEL else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Integrationsnetz//Kalender//DE",
        f"METHOD:{method.value}",
        "BEGIN:VEVENT",
        f"UID:{EVENT_UID}",
        f"SEQUENCE:{sequence}",
        "DTSTAMP:20260601T080000Z",
        "DTSTART:20260620T150000Z",
        "DTEND:20260620T170000Z",
        "SUMMARY:Treffen der AG Sprachcafés",
        "LOCATION:Stadtteilbüro Nordstadt\\, Mallinckrodtstraße 3",
        f"STATUS:{status}",
        *(folded("DESCRIPTION", description) if description else []),
        "ORGANIZER;CN=Stadtteilbüro Nordstadt:mailto:kalender@integrationsnetz.example",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{attendee}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return CalendarAttachment(method=method, ics="\r\n".join(lines) + "\r\n")
