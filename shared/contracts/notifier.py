"""Messages of the notifier service (`notifier.*`).

The public events only say *that* an email went out or finally failed, and what caused it — never
to whom: the event stream is readable by other municipal systems, so no email address, name or
link appears in it. What to send, and to whom, reaches the notifier as the private command
`SendEmail` on `integrationsnetz.commands`, which only the notifier reads.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from shared.contracts.base import Payload
from shared.contracts.vocabulary import LanguageTag

_EMAIL_ADDRESS = re.compile(r"<?[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+>?")


def _without_email_addresses(text: str) -> str:
    # SMTP errors often quote the recipient ("550 <jane@example.org>: unknown user").
    return _EMAIL_ADDRESS.sub("<redacted>", text)


class NotificationOutcome(Payload):
    """What happened to one email the notifier tried to deliver (no recipient details)."""

    delivery_id: str = Field(
        description="Id of the delivery (a UUID): one per cause, recipient and template.",
        examples=["01a20175-6d8a-7156-84fd-a785183d790f"],
    )
    cause_event_id: str = Field(
        description="CloudEvents `id` of the event or command that caused the email.",
        examples=["01a20175-6dcf-7d04-889d-7561596255aa"],
    )
    cause_type: str = Field(
        description="CloudEvents `type` of that event or command.",
        examples=["integrationsnetz.exchange.match.found.v1"],
    )
    template: str = Field(description="Name of the email template used.", examples=["match_found"])
    organisation_id: str | None = Field(
        None,
        description="Id of the organisation the email was sent to or on behalf of, if any.",
        examples=["01a20175-6dad-718f-a12c-c0b9a10eb02c"],
    )
    attempts: int = Field(description="Delivery attempts made so far.", ge=1, examples=[1])
    occurred_at: dt.datetime = Field(
        description="When it was delivered or finally given up (UTC).",
        examples=["2026-05-16T12:00:07Z"],
    )

    subject_field: ClassVar[str] = "delivery_id"


class NotificationSent(NotificationOutcome):
    """An email went out (the mail server accepted it)."""

    routing_key: ClassVar[str] = "notifier.notification.sent"


class NotificationFailed(NotificationOutcome):
    """An email could not be delivered and the notifier gave up retrying."""

    routing_key: ClassVar[str] = "notifier.notification.failed"
    error: Annotated[str, AfterValidator(_without_email_addresses)] = Field(
        description="Why it failed; email addresses in it are replaced by `<redacted>`.",
        examples=["550 5.1.1 <redacted>: Recipient address rejected"],
    )


class EmailTemplate(StrEnum):
    """Transactional emails another service may ask the notifier to send."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a template name)
    MEMBERSHIP_ADDED = "membership_added"
    MEMBERSHIP_INVITATION = "membership_invitation"
    #: A working group's meeting, to a member organisation (with an iCalendar invitation).
    MEETING_INVITATION = "meeting_invitation"
    MEETING_RESCHEDULED = "meeting_rescheduled"
    MEETING_CANCELLED = "meeting_cancelled"
    #: To a working group's coordinator: an organisation asks to join.
    GROUP_JOIN_REQUESTED = "group_join_requested"
    #: To an organisation the coordinator invited into a working group.
    GROUP_INVITATION = "group_invitation"
    #: Registration for an event: the double opt-in link of an anonymous registration.
    REGISTRATION_OPT_IN = "registration_opt_in"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    #: A place became free and the person moved up from the waiting list.
    REGISTRATION_PROMOTED = "registration_promoted"
    REGISTRATION_CANCELLED = "registration_cancelled"
    REGISTRATION_REMINDER = "registration_reminder"
    #: The event a person registered for moved or changed.
    REGISTRATION_EVENT_CHANGED = "registration_event_changed"
    #: The event a person registered for was called off.
    REGISTRATION_EVENT_CANCELLED = "registration_event_cancelled"


class CalendarMethod(StrEnum):
    """iTIP method of an attached iCalendar object (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class CalendarAttachment(BaseModel):
    """An iCalendar object the email carries (`text/calendar; method=…` and `invite.ics`), so
    mail programs add, update (same UID, higher SEQUENCE) or remove the entry."""

    model_config = ConfigDict(frozen=True)

    method: CalendarMethod = Field(description="`REQUEST` or `CANCEL`.", examples=["REQUEST"])
    ics: str = Field(
        description="The whole VCALENDAR object (its METHOD equal to `method`).",
        max_length=65_536,
        examples=["BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n…\r\nEND:VCALENDAR\r\n"],
    )


class SendEmail(Payload):
    """Private command: send one transactional email. Never on the public event stream."""

    routing_key: ClassVar[str] = "notifier.email.send"
    message_kind: ClassVar[Literal["event", "command"]] = "command"

    command_id: str = Field(
        description="Command id (UUIDv7); the notifier sends at most one email per command id.",
        examples=["01a20175-6e13-7012-9a1c-8de746c2ce99"],
    )
    template: EmailTemplate = Field(description="Which email to send.", examples=["invitation"])
    to: EmailStr = Field(description="Recipient's email address.", examples=["jana@example.org"])
    recipient_name: str | None = Field(
        None, description="Recipient's name for the salutation.", examples=["Jana Petrenko"]
    )
    language: LanguageTag = Field("de", description="Language to write the email in.")
    params: dict[str, str] = Field(
        default_factory=dict,
        description="Values the template fills in, e.g. `organisation_name`, `link`, `expires_at`.",
        examples=[
            {
                "organisation_name": "Ukrainischer Verein Mriya e.V.",
                "link": "https://portal.example.org/invitations/accept?token=…",
                "expires_at": "2026-05-23T12:00:00Z",
            }
        ],
    )
    requested_by_service: str = Field(
        description="The service that asked for the email.", examples=["directory"]
    )
    calendar: CalendarAttachment | None = Field(
        None, description="An iCalendar invitation or cancellation to attach (added in v1)."
    )

    subject_field: ClassVar[str] = "command_id"


NOTIFIER_EVENTS: tuple[type[Payload], ...] = (NotificationSent, NotificationFailed)
NOTIFIER_COMMANDS: tuple[type[Payload], ...] = (SendEmail,)

__all__ = [
    "NOTIFIER_COMMANDS",
    "NOTIFIER_EVENTS",
    "CalendarAttachment",
    "CalendarMethod",
    "EmailTemplate",
    "NotificationFailed",
    "NotificationOutcome",
    "NotificationSent",
    "SendEmail",
]
