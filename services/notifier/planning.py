"""Planning who is told what: the projections the plans rest on, the default notices of a
match or a clash, new listings and calendar entries for their followers (at once or into a
digest), what a rescheduled or cancelled entry means for those told about it, and the
transactional emails other services ask for. Planning only records deliveries; the sender
sends them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from services.notifier.domain import (
    Cadence,
    DefaultNotice,
    Item,
    Subscription,
    Template,
    Topic,
    Visibility,
    conflict_recipients,
    delivery_id,
    email_recipient,
    item_from_event,
    item_from_listing,
    may_see,
    opt_out_id,
    organisation_recipient,
    subscription_follows,
    subscription_wants,
)
from services.notifier.records import (
    CalendarEntry,
    ClaimedDelivery,
    Delivery,
    OrganisationContact,
    now_ms,
)
from services.notifier.repository import NotifierRepository
from services.notifier.settings import NotifierSettings
from shared.clock import utc_now
from shared.context import current_correlation_id
from shared.contracts.base import CloudEvent, Payload
from shared.contracts.calendar import (
    ConflictDetected,
    EventCancelled,
    EventFacts,
    EventRescheduled,
    EventUpdated,
)
from shared.contracts.directory import OrganisationFacts
from shared.contracts.exchange import ListingFacts
from shared.contracts.notifier import CalendarAttachment, SendEmail

Kept = TypeVar("Kept", bound=BaseModel)


@dataclass(frozen=True)
class Recipient:
    """Who an email goes to and on whose behalf: `reason` is `default` (own listings and
    events), `subscription` or `transactional`."""

    recipient: str
    reason: str
    organisation_id: str | None = None
    subscription_id: str | None = None
    address: str | None = None
    language: str = "de"
    recipient_name: str | None = None

    @classmethod
    def of_subscription(cls, subscription: Subscription) -> Recipient:
        return cls(
            subscription.recipient,
            "subscription",
            organisation_id=subscription.organisation_id,
            subscription_id=subscription.id,
            address=subscription.email,
            language=subscription.language,
        )

    @classmethod
    def of_organisation(cls, organisation_id: str) -> Recipient:
        return cls(organisation_recipient(organisation_id), "default", organisation_id)


@dataclass(frozen=True)
class Cause:
    """What an email is about: the event (or command, subscription, digest period) that
    caused it. The delivery's key is (cause id, recipient, template) unless `key` is given."""

    id: str
    type: str
    key: str | None = None


@dataclass(frozen=True)
class PlannedEmail:
    template: Template
    to: Recipient
    cause: Cause
    #: What the email says: the template's context.
    params: dict[str, Any] = field(default_factory=dict)
    #: An iCalendar invitation or cancellation to send with it.
    calendar: CalendarAttachment | None = None


def _kept(record: type[Kept], facts: Payload, entity_id: str) -> Kept:
    """What the notifier keeps of another service's entity: the fields of `record` read from the
    event's facts of the same names, under the publisher's id."""
    return record.model_validate({**facts.model_dump(mode="json"), "id": entity_id})


def cause_of(event: CloudEvent) -> Cause:
    return Cause(event.id, event.type)


class DeliveryHandover(Protocol):
    """A sender that takes a new delivery over as it is planned: the delivery is written
    already claimed by it (ADR 0011's pattern, for emails), or, without a lease, the sender is
    woken to look it up."""

    def lease(self) -> tuple[str, int] | None:
        """(owner, lease until in epoch ms) to plan a delivery with; None: leave it to the
        sender's lookup."""

    def hand_over(self, claimed: ClaimedDelivery) -> None: ...

    def wake(self) -> None:
        """Look for deliveries now: one was planned that was not handed over."""


class Planner:
    """Who is told what, recorded as deliveries."""

    def __init__(self, store: NotifierRepository, handover: DeliveryHandover | None = None) -> None:
        self.store = store
        self._handover = handover

    async def plan(self, email: PlannedEmail) -> bool:
        """Record one delivery; False if it was planned before (same key)."""
        now, to, cause = utc_now(), email.to, email.cause
        delivery = Delivery(
            id=cause.key or delivery_id(cause.id, to.recipient, email.template.value),
            template=email.template,
            recipient=to.recipient,
            reason=to.reason,
            organisation_id=to.organisation_id,
            subscription_id=to.subscription_id,
            address=to.address,
            recipient_name=to.recipient_name,
            language=to.language,
            params=email.params,
            calendar=email.calendar,
            cause_event_id=cause.id,
            cause_type=cause.type,
            correlation_id=current_correlation_id(),
            next_attempt_ms=now_ms(),
            created_at=now,
            updated_at=now,
            created_ms=now_ms(),
        )
        lease = self._handover.lease() if self._handover is not None else None
        if lease is not None and self._handover is not None:
            owner, until_ms = lease
            claimed = await self.store.plan_claimed(
                delivery.model_copy(update={"lease_until_ms": until_ms}), owner
            )
            if claimed is not None:
                self._handover.hand_over(claimed)
            return claimed is not None
        planned = await self.store.plan(delivery)
        if planned and self._handover is not None:
            self._handover.wake()
        return planned

    # --- projections ----------------------------------------------------------------------

    async def remember_organisation(self, facts: OrganisationFacts) -> None:
        await self.store.remember_organisation(
            _kept(OrganisationContact, facts, facts.organisation_id)
        )

    async def remember_calendar_entry(self, facts: EventFacts) -> None:
        await self.store.remember_calendar_entry(_kept(CalendarEntry, facts, facts.event_id))

    # --- default notices (a match's: `match_notices.py`) -----------------------------------

    async def plan_conflict(self, conflict: ConflictDetected, event: CloudEvent) -> None:
        """Every organisation organising either entry hears about the clash; an entry's title
        only if it may see that entry."""
        entries = {}
        for event_id in (conflict.event_id, conflict.other_event_id):
            visibility = await self.store.calendar_visibility(event_id)
            entries[event_id] = (
                await self.store.calendar_title(event_id),
                # unknown here: the narrowest circle, so nobody learns what they may not see
                Item(
                    topic=Topic.EVENTS,
                    entity_id=event_id,
                    title="-",
                    organisation_ids=[],
                    visibility=visibility or Visibility.OFFICE,
                ),
            )
        for organisation_id in conflict_recipients(conflict):
            notice = opt_out_id(organisation_id, DefaultNotice.CONFLICT_DETECTED)
            if await self.store.opted_out(notice):
                continue
            to = Recipient.of_organisation(organisation_id)

            def title(event_id: str, recipient: str = to.recipient) -> str | None:
                known, item = entries[event_id]
                return known if may_see(recipient, item) else None

            params = {
                "id": conflict.event_id,
                "conflict_kind": conflict.conflict_kind.value,
                "event_title": title(conflict.event_id),
                "other_event_title": title(conflict.other_event_id),
                "overlap_starts_at": conflict.overlap_starts_at.isoformat(),
                "overlap_ends_at": conflict.overlap_ends_at.isoformat(),
                "district": conflict.district,
            }
            await self.plan(PlannedEmail(Template.CONFLICT_DETECTED, to, cause_of(event), params))

    async def plan_command(self, command: SendEmail, event: CloudEvent) -> None:
        """A transactional email another service asked for: at most one per command id."""
        to = Recipient(
            email_recipient(command.to),
            "transactional",
            address=command.to.lower(),
            language=command.language,
            recipient_name=command.recipient_name,
        )
        template = Template(command.template.value)
        cause = Cause(command.command_id, event.type)
        await self.plan(
            PlannedEmail(template, to, cause, dict(command.params), calendar=command.calendar)
        )

    # --- followers ------------------------------------------------------------------------

    async def plan_listing(self, listing: ListingFacts, event: CloudEvent) -> None:
        await self._plan_for_followers(item_from_listing(listing), Template.NEW_LISTING, event)

    async def plan_calendar_entry(self, facts: EventFacts, event: CloudEvent) -> None:
        await self.remember_calendar_entry(facts)
        await self._plan_for_followers(item_from_event(facts), Template.NEW_EVENT, event)

    async def plan_calendar_change(
        self, facts: EventRescheduled | EventCancelled, event: CloudEvent
    ) -> None:
        """Immediate followers that were told about an entry, and may still see it, hear that
        it moved or was called off; a digest that has not gone out yet shows the latest facts
        (or drops an entry cancelled, or one its recipient may no longer see)."""
        await self.remember_calendar_entry(facts)
        item = item_from_event(facts)
        whole_entry_cancelled = isinstance(facts, EventCancelled) and facts.occurrence_start is None
        for subscription in await self.store.subscriptions_following(Topic.EVENTS.value):
            if not subscription_follows(subscription, item):
                continue
            visible = may_see(subscription.recipient, item)
            if subscription.cadence is not Cadence.IMMEDIATE:
                if whole_entry_cancelled or not visible:
                    await self.store.drop_digest_item(subscription.id, item.entity_id)
                else:
                    await self.store.refresh_digest_item(subscription.id, item)
                continue
            if not visible or not await self.store.was_told(subscription.id, item.entity_id):
                continue
            params: dict[str, Any] = {"item": item.model_dump(mode="json")}
            if isinstance(facts, EventRescheduled):
                template = Template.EVENT_RESCHEDULED
                params["previous_starts_at"] = facts.previous_starts_at.isoformat()
                params["previous_ends_at"] = facts.previous_ends_at.isoformat()
            else:
                template = Template.EVENT_CANCELLED
                params["reason"] = facts.reason
            to = Recipient.of_subscription(subscription)
            await self.plan(PlannedEmail(template, to, cause_of(event), params))

    async def plan_calendar_update(self, facts: EventUpdated) -> None:
        """An entry changed otherwise (no email): a digest that has not gone out yet shows the
        latest facts, or drops the entry if its recipient may no longer see it."""
        await self.remember_calendar_entry(facts)
        item = item_from_event(facts)
        for subscription in await self.store.subscriptions_following(Topic.EVENTS.value):
            if subscription.cadence is Cadence.IMMEDIATE:
                continue
            if not may_see(subscription.recipient, item):
                await self.store.drop_digest_item(subscription.id, item.entity_id)
            elif subscription_follows(subscription, item):
                await self.store.refresh_digest_item(subscription.id, item)

    async def _plan_for_followers(self, item: Item, template: Template, event: CloudEvent) -> None:
        followers = [
            subscription
            for subscription in await self.store.subscriptions_following(item.topic.value)
            if subscription_wants(subscription, item)
        ]
        if not followers:
            return
        poster = await self.store.organisation(item.organisation_ids[0])
        params = {
            "item": item.model_dump(mode="json"),
            "organisation_name": poster.name if poster else None,
        }
        for subscription in followers:
            if subscription.cadence is Cadence.IMMEDIATE:
                to = Recipient.of_subscription(subscription)
                await self.plan(PlannedEmail(template, to, cause_of(event), params))
                await self.store.remember_told(subscription.id, item.entity_id)
            else:
                await self.store.add_digest_item(subscription.id, item, now_ms())


class PlanningUseCase:
    """A use case that reads the store and the settings to decide who is told what, and hands
    each email to the planner (digests, match notices)."""

    def __init__(
        self, store: NotifierRepository, settings: NotifierSettings, planner: Planner
    ) -> None:
        self.store = store
        self.settings = settings
        self.planner = planner
