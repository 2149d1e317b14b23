"""What the notifier stores, as its use cases see it: typed records and the typed questions
they ask of storage. The store (`*_store.py`) turns them into MongoDB documents and filters;
nothing above it handles a raw document."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.notifier.domain import (
    DeliveryStatus,
    Item,
    SubscriptionStatus,
    Template,
    Visibility,
)
from shared.contracts.notifier import CalendarAttachment

#: Deliveries whose outcome is written: the retention pass may redact them.
FINISHED_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)
#: What `recipient` says once the address is gone.
REDACTED_RECIPIENT = "redacted"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


class OrganisationContact(BaseModel):
    """What the notifier keeps of an organisation (from `directory.organisation.*`): the
    fields of its facts of the same names."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None
    preferred_language: str
    status: str
    revision: int


class CalendarEntry(BaseModel):
    """What the notifier keeps of a calendar entry (from `calendar.event.*`): the fields of
    its facts of the same names."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    organisation_id: str
    status: str
    visibility: Visibility
    sequence: int


class Delivery(BaseModel):
    """One email to one recipient, from its planning to its outcome."""

    model_config = ConfigDict(frozen=True)

    id: str
    template: Template
    #: `org:<organisation id>` (address looked up when sending) or `email:<address>`.
    recipient: str
    #: Why this recipient gets it: `default` (own listings and events), `subscription`,
    #: or `transactional` (asked for once: invitations, confirmations).
    reason: str
    organisation_id: str | None = None
    subscription_id: str | None = None
    #: The address it went (or goes) to, once known; shown in the delivery log.
    address: str | None = None
    recipient_name: str | None = None
    language: str = "de"
    #: What the email says (the template's context), kept until the retention period ends.
    params: dict[str, Any] = Field(default_factory=dict)
    #: An iCalendar invitation or cancellation sent with the email (it names the recipient),
    #: kept like `params` until the retention period ends.
    calendar: CalendarAttachment | None = None
    cause_event_id: str
    cause_type: str
    #: The correlation id of what caused it (the HTTP request at the start of the chain).
    correlation_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_ms: int = 0
    lease_until_ms: int = 0
    last_error: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None = None
    #: The moment of creation in epoch ms (orders the log; integers compare everywhere).
    created_ms: int = 0
    #: When the retention pass removed address, name, content and error text (else None).
    redacted_at: dt.datetime | None = None
    #: The same moment in epoch ms, 0 until then (what the retention pass queries).
    redacted_ms: int = 0


def redacted(delivery: Delivery, at: dt.datetime) -> Delivery:
    """The delivery without personal data: no address, name, content, calendar object or error
    text (it may quote the address). Its key, cause, outcome and times stay for the log."""
    return delivery.model_copy(
        update={
            "recipient": REDACTED_RECIPIENT,
            "address": None,
            "recipient_name": None,
            "params": {},
            "calendar": None,
            "last_error": None,
            "redacted_at": at,
            "redacted_ms": epoch_ms(at),
        }
    )


#: Parameters of transactional emails that carry a token (set a password, confirm or cancel a
#: registration): whoever holds the link can act on it.
SECRET_LINKS = frozenset({"link", "confirm_link", "cancel_link"})


def finished(delivery: Delivery) -> Delivery:
    """A delivery that is done keeps no secrets: transactional links are dropped."""
    if delivery.reason != "transactional":
        return delivery
    return delivery.model_copy(
        update={"params": {k: v for k, v in delivery.params.items() if k not in SECRET_LINKS}}
    )


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery one sender holds a lease on: its outcome is written over `version`."""

    delivery: Delivery
    version: int


class DigestItemState(StrEnum):
    PENDING = "pending"  # waits for the subscription's next digest
    CLAIMED = "claimed"  # given to a digest whose email may not be planned yet
    SENT = "sent"  # its digest email is planned


#: Digest items that have not gone out in a digest (`sent` ones are kept).
OPEN_DIGEST_ITEM_STATES = (DigestItemState.PENDING, DigestItemState.CLAIMED)


class DigestItem(BaseModel):
    """An item kept for one subscription's next digest."""

    model_config = ConfigDict(frozen=True)

    id: str
    subscription_id: str
    item: Item
    added_ms: int
    state: DigestItemState = DigestItemState.PENDING
    digest_id: str | None = None


def digest_item_id(subscription_id: str, entity_id: str) -> str:
    return f"{subscription_id}:{entity_id}"


@dataclass(frozen=True)
class SubscriptionQuery:
    """Which subscriptions a list asks for; None means "any"."""

    organisation_id: str | None = None
    #: Only subscriptions of one of these organisations (a member's view); None: all.
    within_organisations: frozenset[str] | None = None
    #: The subscribed address, already normalised (lower case).
    email: str | None = None
    status: SubscriptionStatus | None = None


@dataclass(frozen=True)
class DeliveryQuery:
    """Which entries of the delivery log a list asks for; None means "any"."""

    status: DeliveryStatus | None = None
    #: The address it went to, already normalised (lower case).
    address: str | None = None
    organisation_id: str | None = None


class HeldMatchNotice(BaseModel):
    """A match email held back for an organisation's summary: it already heard about that
    listing on that day."""

    model_config = ConfigDict(frozen=True)

    id: str
    #: The summary it goes into: one per organisation and day.
    summary_id: str
    organisation_id: str
    #: Start (epoch ms) of the period it was held in: a day, or a week for weekly summaries.
    period_ms: int
    #: When its summary may go out (epoch ms): the start of the next period.
    due_ms: int
    #: What the summary says of it: the match email's parameters.
    params: dict[str, Any]
