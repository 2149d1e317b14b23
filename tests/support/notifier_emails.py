"""A notifier email in a unit test: the context it is written from, and the message as
delivery d-1 hands it to the mail server, read back as a mail program reads it."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from services.notifier.domain import Template
from services.notifier.email_parts import EmailContext
from services.notifier.emails import RenderedEmail, build_message
from services.notifier.wire import to_bytes
from shared.clock import BERLIN
from shared.contracts.notifier import CalendarAttachment

PORTAL = "https://portal.example.org"
SENDER = Address("Integrationsnetz", "noreply", "integrationsnetz.local")
UNSUBSCRIBE_URL = "https://notifier.example.org/unsubscribe?token=t"
SENT_AT = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def email_context(
    template: Template, language: str, params: Mapping[str, Any], **changes: Any
) -> EmailContext:
    """The context of `template` in `language` with `params`, for the portal at `PORTAL` in
    Berlin time; `changes` set any other field."""
    values: dict[str, Any] = {
        "template": template,
        "language": language,
        "params": params,
        "portal_url": PORTAL,
        "timezone": BERLIN,
    }
    values.update(changes)
    return EmailContext(**values)


def delivered(
    rendered: RenderedEmail,
    to: Address,
    unsubscribe_url: str | None = UNSUBSCRIBE_URL,
    calendar: CalendarAttachment | None = None,
) -> EmailMessage:
    """The message of `rendered` for `to`, from `SENDER` at `SENT_AT`, as delivery d-1 builds
    it."""
    return build_message(
        rendered,
        sender=SENDER,
        to=to,
        message_id="<d-1@integrationsnetz.local>",
        date=SENT_AT,
        unsubscribe_url=unsubscribe_url,
        calendar=calendar,
    )


def parsed(message: EmailMessage) -> EmailMessage:
    """`message` as it goes over SMTP, read back by a mail program."""
    result = email.message_from_bytes(to_bytes(message), policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result
