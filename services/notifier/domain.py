"""The notifier's rules, without I/O: who is told about what, how long to wait before the next
try, and the deterministic keys that make every email go out once. When a digest is due and
what goes into it: `digest_rules.py`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from shared.contracts.calendar import ConflictDetected, EventFacts
from shared.contracts.exchange import ListingCategory, ListingFacts, ListingKind, MatchFound
from shared.contracts.notifier import EmailTemplate
from shared.contracts.vocabulary import Audience, LanguageTag
from shared.text import fold


class Topic(StrEnum):
    """What a subscriber can follow."""

    OFFERS = "offers"
    REQUESTS = "requests"
    EVENTS = "events"


class Cadence(StrEnum):
    """When a subscriber is told: at once, or in a daily or weekly digest."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"  # an address outside the directory that has not confirmed yet
    ACTIVE = "active"
    ENDED = "ended"  # unsubscribed or deleted


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENT = "sent"
    FAILED = "failed"  # gave up; `notifier.notification.failed` was published
    SKIPPED = "skipped"  # nothing to send any more: no address, unsubscribed, archived


class DefaultNotice(StrEnum):
    """What an organisation's contact address hears about without any set-up."""

    MATCH_FOUND = "match_found"
    CONFLICT_DETECTED = "conflict_detected"


class Template(StrEnum):
    """Every email the notifier writes."""

    MATCH_FOUND = "match_found"
    MATCH_SUMMARY = "match_summary"
    CONFLICT_DETECTED = "conflict_detected"
    NEW_LISTING = "new_listing"
    NEW_EVENT = "new_event"
    EVENT_RESCHEDULED = "event_rescheduled"
    EVENT_CANCELLED = "event_cancelled"
    DIGEST = "digest"
    SUBSCRIPTION_CONFIRMATION = "subscription_confirmation"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a template name)
    MEMBERSHIP_ADDED = "membership_added"
    MEMBERSHIP_INVITATION = "membership_invitation"
    # a working group's emails (from the calendar; meetings carry an iCalendar invitation)
    MEETING_INVITATION = "meeting_invitation"
    MEETING_RESCHEDULED = "meeting_rescheduled"
    MEETING_CANCELLED = "meeting_cancelled"
    GROUP_JOIN_REQUESTED = "group_join_requested"
    GROUP_INVITATION = "group_invitation"
    # an event registration's emails (from the calendar)
    REGISTRATION_OPT_IN = "registration_opt_in"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    REGISTRATION_PROMOTED = "registration_promoted"
    REGISTRATION_CANCELLED = "registration_cancelled"
    REGISTRATION_REMINDER = "registration_reminder"
    REGISTRATION_EVENT_CHANGED = "registration_event_changed"
    REGISTRATION_EVENT_CANCELLED = "registration_event_cancelled"


#: Emails someone asked for once or that belong to something they take part in (no
#: unsubscribe header, no opt-out): the subscription's confirmation, and every email another
#: service may ask for (`SendEmail`).
TRANSACTIONAL = frozenset(
    {Template.SUBSCRIPTION_CONFIRMATION, *(Template(value) for value in EmailTemplate)}
)


# --- recipients and keys ------------------------------------------------------------------

ORG_PREFIX = "org:"
EMAIL_PREFIX = "email:"
_DELIVERY_NAMESPACE = uuid.UUID("6f1c2a4e-8b0d-5c7e-9a31-2d4f6b8e0c15")


def organisation_recipient(organisation_id: str) -> str:
    return f"{ORG_PREFIX}{organisation_id}"


def email_recipient(address: str) -> str:
    return f"{EMAIL_PREFIX}{address.strip().lower()}"


def recipient_organisation(recipient: str) -> str | None:
    return recipient.removeprefix(ORG_PREFIX) if recipient.startswith(ORG_PREFIX) else None


def recipient_address(recipient: str) -> str | None:
    return recipient.removeprefix(EMAIL_PREFIX) if recipient.startswith(EMAIL_PREFIX) else None


def delivery_id(cause_id: str, recipient: str, template: str) -> str:
    """The same (cause, recipient, template) always gives the same id: the unique key that
    makes a redelivered event or a restart find the email already planned."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{cause_id}\n{recipient}\n{template}"))


def digest_id(subscription_id: str, period: str) -> str:
    """One digest per subscription and period, however often the digest pass runs."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"digest\n{subscription_id}\n{period}"))


def opt_out_id(organisation_id: str, notice: DefaultNotice) -> str:
    return f"{organisation_id}:{notice.value}"


# --- retries --------------------------------------------------------------------------------


def retry_delay_seconds(failed_attempts: int, *, base: float, maximum: float) -> float:
    """Exponential backoff: after the n-th failed attempt wait base · 2^(n-1), at most `maximum`."""
    if failed_attempts < 1:
        return 0.0
    exponent = min(failed_attempts - 1, 60)
    return float(min(base * (2**exponent), maximum))


# --- subscriptions --------------------------------------------------------------------------


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _folded_unique(values: list[str]) -> list[str]:
    return _unique([" ".join(value.split()) for value in values])


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EntityId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
]


def _any_of(description: str, *, at_most: int = 20) -> Any:
    """A filter: a list of values any of which may match (empty: no filter)."""
    return Field(default_factory=list, max_length=at_most, description=description)


class SubscriptionFilters(BaseModel):
    """All given filters must match (AND); within one filter any value may (OR)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: Annotated[list[ListingCategory], AfterValidator(_unique)] = _any_of(
        "Listing categories (offers, requests)."
    )
    tags: Annotated[list[ShortText], AfterValidator(_folded_unique)] = _any_of(
        "Listing tags (offers, requests)."
    )
    districts: Annotated[list[ShortText], AfterValidator(_folded_unique)] = _any_of(
        "Districts (Stadtteile)."
    )
    languages: Annotated[list[LanguageTag], AfterValidator(_unique)] = _any_of(
        "Languages involved (BCP 47)."
    )
    audiences: Annotated[list[Audience], AfterValidator(_unique)] = _any_of("Audiences (events).")
    organisation_ids: Annotated[list[EntityId], AfterValidator(_unique)] = _any_of(
        "Posting or organising organisations.", at_most=50
    )


#: Which filters make sense for which topic: listings have no audience, events no category.
FILTERS_BY_TOPIC: dict[Topic, frozenset[str]] = {
    Topic.OFFERS: frozenset({"categories", "tags", "districts", "languages", "organisation_ids"}),
    Topic.REQUESTS: frozenset({"categories", "tags", "districts", "languages", "organisation_ids"}),
    Topic.EVENTS: frozenset({"districts", "languages", "audiences", "organisation_ids"}),
}


def inapplicable_filters(topics: Iterable[Topic], filters: SubscriptionFilters) -> list[str]:
    """Filters given that some chosen topic cannot match (e.g. `audiences` with offers).

    Refused rather than silently ignored, so a subscription never means something other than
    what its subscriber read into it.
    """
    given = [name for name in SubscriptionFilters.model_fields if getattr(filters, name)]
    return [name for name in given if not all(name in FILTERS_BY_TOPIC[topic] for topic in topics)]


class Subscription(BaseModel):
    """Someone following new offers, requests or events."""

    model_config = ConfigDict(frozen=True)

    id: str
    organisation_id: str | None = None
    email: str | None = None
    language: str = "de"
    topics: list[Topic]
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    cadence: Cadence = Cadence.IMMEDIATE
    status: SubscriptionStatus
    #: Start (epoch ms) of the last digest period handled; digests only move forward.
    last_digest_ms: int = 0
    created_at: dt.datetime

    @property
    def recipient(self) -> str:
        if self.organisation_id is not None:
            return organisation_recipient(self.organisation_id)
        assert self.email is not None
        return email_recipient(self.email)


class Visibility(StrEnum):
    """Who may see an item, from the widest to the narrowest circle."""

    PUBLIC = "public"  # anyone, e.g. on the city's website
    NETWORK = "network"  # the partner organisations and the office
    OFFICE = "office"  # office staff only


_VISIBILITY_RANK = {Visibility.PUBLIC: 0, Visibility.NETWORK: 1, Visibility.OFFICE: 2}


class Item(BaseModel):
    """Something new that subscribers may follow: an offer, a request or an event."""

    model_config = ConfigDict(frozen=True)

    topic: Topic
    #: Listings are public on the exchange; calendar entries say so themselves.
    visibility: Visibility = Visibility.PUBLIC
    entity_id: str
    title: str
    description: str = ""
    #: The posting or organising organisation first, co-organisers after it.
    organisation_ids: list[str]
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    district: str | None = None
    languages: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _stored_before_visibility(cls, data: Any) -> Any:
        """An event stored before items carried their visibility counts as network-only:
        nobody is told about it who might not have been allowed to see it."""
        if isinstance(data, dict) and "visibility" not in data and data.get("topic") == "events":
            return {**data, "visibility": Visibility.NETWORK.value}
        return data


def item_from_listing(listing: ListingFacts) -> Item:
    return Item(
        topic=Topic.OFFERS if listing.listing_kind is ListingKind.OFFER else Topic.REQUESTS,
        entity_id=listing.listing_id,
        title=listing.title,
        description=listing.description,
        organisation_ids=[listing.organisation_id],
        category=listing.category.value,
        tags=list(listing.tags),
        district=listing.district,
        languages=list(listing.languages),
        starts_at=listing.available_from,
        ends_at=listing.available_until,
    )


def item_from_event(event: EventFacts) -> Item:
    return Item(
        topic=Topic.EVENTS,
        entity_id=event.event_id,
        title=event.title,
        description=event.description,
        organisation_ids=_unique([event.organisation_id, *event.co_organiser_ids]),
        visibility=Visibility(event.visibility.value),
        district=event.district,
        languages=list(event.languages),
        audiences=[a.value for a in event.audience],
        starts_at=event.starts_at,
        ends_at=event.ends_at,
    )


def _primary_language(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def filters_match(filters: SubscriptionFilters, item: Item) -> bool:
    """Whether an item passes every filter given."""
    if filters.categories and item.category not in {c.value for c in filters.categories}:
        return False
    if filters.tags and not {fold(t) for t in filters.tags} & {fold(t) for t in item.tags}:
        return False
    if filters.districts and (
        item.district is None or fold(item.district) not in {fold(d) for d in filters.districts}
    ):
        return False
    if filters.languages and not {_primary_language(x) for x in filters.languages} & {
        _primary_language(x) for x in item.languages
    }:
        return False
    if filters.audiences and not {a.value for a in filters.audiences} & set(item.audiences):
        return False
    return not (
        filters.organisation_ids and not set(filters.organisation_ids) & set(item.organisation_ids)
    )


def recipient_clearance(recipient: str) -> Visibility:
    """The narrowest circle a recipient belongs to. Anyone may subscribe an address, so an
    address alone is the public; an organisation's contact address is the partner network.
    The notifier has no office-staff recipients: office-only items reach nobody."""
    return (
        Visibility.NETWORK if recipient_organisation(recipient) is not None else Visibility.PUBLIC
    )


def may_see(recipient: str, item: Item) -> bool:
    """Whether a recipient may be told about an item (its title, time, place, anything)."""
    return _VISIBILITY_RANK[item.visibility] <= _VISIBILITY_RANK[recipient_clearance(recipient)]


def subscription_follows(subscription: Subscription, item: Item) -> bool:
    """An active subscription follows the item's topic, its filters pass, and the item is not
    the subscribing organisation's own (whether it may see the item is `may_see`)."""
    return (
        subscription.status is SubscriptionStatus.ACTIVE
        and item.topic in subscription.topics
        and subscription.organisation_id not in item.organisation_ids
        and filters_match(subscription.filters, item)
    )


def subscription_wants(subscription: Subscription, item: Item) -> bool:
    """The subscription follows the item and its recipient may see it."""
    return subscription_follows(subscription, item) and may_see(subscription.recipient, item)


# --- default notices ------------------------------------------------------------------------


def match_recipients(match: MatchFound) -> dict[str, ListingKind]:
    """Organisation id → the side of the match its own listing is on (both sides are told)."""
    sides = {match.request_organisation_id: ListingKind.REQUEST}
    sides[match.offer_organisation_id] = ListingKind.OFFER
    return sides


def conflict_recipients(conflict: ConflictDetected) -> list[str]:
    return _unique(list(conflict.organisation_ids))
