"""The notifier's repository in memory (`services.notifier.repository.NotifierRepository`),
for use-case tests that need no database: the same questions, answered from dictionaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from services.notifier.digest_rules import DigestEntry
from services.notifier.domain import (
    Cadence,
    Item,
    Subscription,
    SubscriptionStatus,
    Topic,
    Visibility,
)
from services.notifier.records import (
    FINISHED_STATUSES,
    OPEN_DIGEST_ITEM_STATES,
    CalendarEntry,
    ClaimedDelivery,
    Delivery,
    DeliveryQuery,
    DigestItem,
    DigestItemState,
    HeldMatchNotice,
    OrganisationContact,
    SubscriptionQuery,
    digest_item_id,
    epoch_ms,
    now_ms,
    redacted,
)
from shared.contracts.base import Payload
from shared.outbox import ConcurrentUpdateError
from shared.pages import Paging

T = TypeVar("T")


def keep_newer(known: dict[str, T], key: str, value: T, version: Callable[[T], int]) -> bool:
    """Keep `value` under `key` unless what is known there has the same or a newer version;
    whether it was kept."""
    old = known.get(key)
    if old is not None and version(old) >= version(value):
        return False
    known[key] = value
    return True


class InMemoryNotifierStore:
    """Organisations, calendar entries, opt-outs, `told`, subscriptions, deliveries, digest
    items, match slots and held match notices, as the notifier's use cases see them. Events
    a delivery's outcome causes are kept in `published`."""

    def __init__(self) -> None:
        self.organisations: dict[str, OrganisationContact] = {}
        self.calendar_entries: dict[str, CalendarEntry] = {}
        self.opt_outs: dict[str, dt.datetime] = {}
        self.told: set[tuple[str, str]] = set()
        self.subscriptions: dict[str, Subscription] = {}
        #: When each ended subscription ended (epoch ms) and was redacted (0: not yet).
        self.ended_ms: dict[str, int] = {}
        self.redacted_ms: dict[str, int] = {}
        self.deliveries: dict[str, Delivery] = {}
        #: Each delivery's version: a claim and every write raise it; an outcome is written
        #: over the claimed version only.
        self.delivery_versions: dict[str, int] = {}
        self.digest_items: dict[str, DigestItem] = {}
        #: Slot id → (the match holding it, its day).
        self.match_slots: dict[str, tuple[str, int]] = {}
        self.held: dict[str, HeldMatchNotice] = {}
        self.cadences: dict[str, Cadence] = {}
        self.published: list[Payload] = []

    def know_active(self, *organisation_ids: str) -> None:
        """Organisations the directory reported active, each with a contact address."""
        for organisation_id in organisation_ids:
            self.organisations[organisation_id] = OrganisationContact(
                id=organisation_id,
                name=f"Verein {organisation_id}",
                email=f"kontakt@{organisation_id}.example",
                preferred_language="de",
                status="active",
                revision=1,
            )

    # projections -------------------------------------------------------------------------

    async def remember_organisation(self, organisation: OrganisationContact) -> bool:
        return keep_newer(self.organisations, organisation.id, organisation, lambda o: o.revision)

    async def remember_calendar_entry(self, entry: CalendarEntry) -> bool:
        return keep_newer(self.calendar_entries, entry.id, entry, lambda e: e.sequence)

    async def organisation(self, organisation_id: str) -> OrganisationContact | None:
        return self.organisations.get(organisation_id)

    async def organisations_of(
        self, organisation_ids: Sequence[str]
    ) -> dict[str, OrganisationContact]:
        return {i: self.organisations[i] for i in organisation_ids if i in self.organisations}

    async def calendar_title(self, event_id: str) -> str | None:
        entry = self.calendar_entries.get(event_id)
        return entry.title if entry else None

    async def calendar_visibility(self, event_id: str) -> Visibility | None:
        entry = self.calendar_entries.get(event_id)
        return entry.visibility if entry else None

    async def as_now(self, item: Item) -> Item:
        visibility = await self.calendar_visibility(item.entity_id)
        if item.topic is not Topic.EVENTS or visibility in (None, item.visibility):
            return item
        return item.model_copy(update={"visibility": visibility})

    async def remember_told(self, subscription_id: str, entity_id: str) -> None:
        self.told.add((subscription_id, entity_id))

    async def was_told(self, subscription_id: str, entity_id: str) -> bool:
        return (subscription_id, entity_id) in self.told

    async def forget_told(self, subscription_id: str) -> int:
        gone = {told for told in self.told if told[0] == subscription_id}
        self.told -= gone
        return len(gone)

    async def add_opt_out(self, opt_out_id: str, at: dt.datetime) -> None:
        self.opt_outs.setdefault(opt_out_id, at)

    async def opted_out(self, opt_out_id: str) -> bool:
        return opt_out_id in self.opt_outs

    async def opted_out_of(self, opt_out_ids: Sequence[str]) -> set[str]:
        return {i for i in opt_out_ids if i in self.opt_outs}

    async def opted_out_at(self, opt_out_id: str) -> dt.datetime | None:
        return self.opt_outs.get(opt_out_id)

    async def remove_opt_out(self, opt_out_id: str) -> None:
        self.opt_outs.pop(opt_out_id, None)

    # subscriptions -----------------------------------------------------------------------

    def _written(self, subscription: Subscription) -> None:
        ended = subscription.status is SubscriptionStatus.ENDED
        if ended and not self.ended_ms.get(subscription.id):
            self.ended_ms[subscription.id] = now_ms()
        self.subscriptions[subscription.id] = subscription

    async def add_subscription(self, subscription: Subscription) -> None:
        assert subscription.id not in self.subscriptions, "ids are unique"
        self._written(subscription)

    async def subscription(self, subscription_id: str) -> Subscription | None:
        return self.subscriptions.get(subscription_id)

    async def change_subscription(
        self, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription | None:
        current = self.subscriptions.get(subscription_id)
        if current is None:
            return None
        changed = change(current)
        if changed is not None:
            self._written(changed)
        return self.subscriptions[subscription_id]

    def _active(self) -> list[Subscription]:
        return [s for s in self.subscriptions.values() if s.status is SubscriptionStatus.ACTIVE]

    async def subscriptions_following(self, topic: str) -> list[Subscription]:
        return [s for s in self._active() if Topic(topic) in s.topics]

    async def digest_subscriptions(self, cadence: str) -> list[Subscription]:
        return [s for s in self._active() if s.cadence.value == cadence]

    async def pending_subscriptions_of(self, email: str) -> int:
        return sum(
            1
            for s in self.subscriptions.values()
            if s.email == email and s.status is SubscriptionStatus.PENDING
        )

    async def list_subscriptions(
        self, query: SubscriptionQuery, paging: Paging
    ) -> tuple[list[Subscription], int]:
        def wanted(s: Subscription) -> bool:
            within = query.within_organisations
            return (
                query.organisation_id in (None, s.organisation_id)
                and (
                    query.organisation_id is not None
                    or within is None
                    or s.organisation_id in within
                )
                and query.email in (None, s.email)
                and query.status in (None, s.status)
            )

        found = sorted((s for s in self.subscriptions.values() if wanted(s)), key=lambda s: s.id)
        return paging.page_of(found)

    async def unconfirmed_subscriptions(
        self, created_before: dt.datetime, limit: int
    ) -> list[Subscription]:
        found = [
            s
            for s in self.subscriptions.values()
            if s.status is SubscriptionStatus.PENDING and s.created_at < created_before
        ]
        return sorted(found, key=lambda s: s.created_at)[:limit]

    async def delete_unconfirmed_subscription(self, subscription_id: str) -> bool:
        found = self.subscriptions.get(subscription_id)
        if found is None or found.status is not SubscriptionStatus.PENDING:
            return False
        del self.subscriptions[subscription_id]
        return True

    async def date_legacy_endings(self, at_ms: int, limit: int) -> int:
        return 0  # every subscription here was written with its ending

    async def ended_subscriptions(self, ended_before_ms: int, limit: int) -> list[str]:
        found = [
            (ended, subscription_id)
            for subscription_id, ended in self.ended_ms.items()
            if 0 < ended < ended_before_ms and not self.redacted_ms.get(subscription_id)
        ]
        return [subscription_id for _, subscription_id in sorted(found)][:limit]

    async def redact_subscription(self, subscription_id: str, at: dt.datetime) -> bool:
        found = self.subscriptions.get(subscription_id)
        if found is None or found.status is not SubscriptionStatus.ENDED:
            return False
        if self.redacted_ms.get(subscription_id):
            return False
        self.subscriptions[subscription_id] = found.model_copy(update={"email": None})
        self.redacted_ms[subscription_id] = epoch_ms(at)
        return True

    # deliveries --------------------------------------------------------------------------

    async def plan(self, delivery: Delivery) -> bool:
        if delivery.id in self.deliveries:
            return False
        self.deliveries[delivery.id] = delivery
        self.delivery_versions[delivery.id] = 1
        return True

    async def plan_claimed(self, delivery: Delivery, owner: str) -> ClaimedDelivery | None:
        if not await self.plan(delivery):
            return None
        return ClaimedDelivery(delivery, self.delivery_versions[delivery.id])

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return self.deliveries.get(delivery_id)

    async def delivery_exists(self, delivery_id: str) -> bool:
        return delivery_id in self.deliveries

    async def list_deliveries(
        self, query: DeliveryQuery, paging: Paging
    ) -> tuple[list[Delivery], int]:
        found = [
            d
            for d in self.deliveries.values()
            if query.status in (None, d.status)
            and query.address in (None, d.address)
            and query.organisation_id in (None, d.organisation_id)
        ]
        found.sort(key=lambda d: d.id)
        found.sort(key=lambda d: d.created_ms, reverse=True)
        return paging.page_of(found)

    async def due_deliveries(self, at_ms: int, limit: int) -> list[str]:
        due = [
            d
            for d in self.deliveries.values()
            if d.status.value == "pending" and d.next_attempt_ms <= at_ms
        ]
        return [d.id for d in sorted(due, key=lambda d: d.next_attempt_ms)][:limit]

    async def claim_delivery(
        self, delivery_id: str, owner: str, at_ms: int, lease_ms: int
    ) -> ClaimedDelivery | None:
        found = self.deliveries.get(delivery_id)
        if found is None or found.status.value != "pending" or found.lease_until_ms > at_ms:
            return None
        claimed = found.model_copy(update={"lease_until_ms": at_ms + lease_ms})
        self.deliveries[delivery_id] = claimed
        version = self.delivery_versions.get(delivery_id, 0) + 1
        self.delivery_versions[delivery_id] = version
        return ClaimedDelivery(claimed, version)

    async def record_delivery(
        self, claimed: ClaimedDelivery, delivery: Delivery, messages: Sequence[Payload]
    ) -> None:
        if self.delivery_versions.get(delivery.id) != claimed.version:
            raise ConcurrentUpdateError(f"deliveries/{delivery.id} changed since the claim")
        self.delivery_versions[delivery.id] = claimed.version + 1
        self.deliveries[delivery.id] = delivery
        self.published.extend(messages)

    async def redact_deliveries(self, before_ms: int, limit: int) -> int:
        found = [
            d
            for d in self.deliveries.values()
            if d.status in FINISHED_STATUSES and d.redacted_ms == 0 and d.created_ms < before_ms
        ][:limit]
        for delivery in found:
            self.deliveries[delivery.id] = redacted(delivery, dt.datetime.now(dt.UTC))
            self.delivery_versions[delivery.id] = self.delivery_versions.get(delivery.id, 0) + 1
        return len(found)

    # digest items ------------------------------------------------------------------------

    async def add_digest_item(self, subscription_id: str, item: Item, at_ms: int) -> bool:
        key = digest_item_id(subscription_id, item.entity_id)
        if key in self.digest_items:
            return False
        self.digest_items[key] = DigestItem(
            id=key, subscription_id=subscription_id, item=item, added_ms=at_ms
        )
        return True

    def _pending(self, subscription_id: str, entity_id: str) -> DigestItem | None:
        found = self.digest_items.get(digest_item_id(subscription_id, entity_id))
        return found if found and found.state is DigestItemState.PENDING else None

    async def refresh_digest_item(self, subscription_id: str, item: Item) -> None:
        found = self._pending(subscription_id, item.entity_id)
        if found is not None:
            self.digest_items[found.id] = found.model_copy(update={"item": item})

    async def drop_digest_item(self, subscription_id: str, entity_id: str) -> None:
        found = self._pending(subscription_id, entity_id)
        if found is not None:
            del self.digest_items[found.id]

    async def drop_open_digest_items(self, subscription_id: str) -> int:
        gone = [i.id for i in await self.open_digest_items(subscription_id)]
        for key in gone:
            del self.digest_items[key]
        return len(gone)

    async def open_digest_items(self, subscription_id: str) -> list[DigestItem]:
        return [
            i
            for i in self.digest_items.values()
            if i.subscription_id == subscription_id and i.state in OPEN_DIGEST_ITEM_STATES
        ]

    async def claim_digest_item(self, item_id: str, digest: str, *, state: DigestItemState) -> None:
        found = self.digest_items.get(item_id)
        if found is not None and found.state is state:
            update = {"state": DigestItemState.CLAIMED, "digest_id": digest}
            self.digest_items[item_id] = found.model_copy(update=update)

    async def claimed_digest_entries(self, digest: str, subscription_id: str) -> list[DigestEntry]:
        return [
            DigestEntry(subscription_id=i.subscription_id, item=i.item, added_ms=i.added_ms)
            for i in self.digest_items.values()
            if i.subscription_id == subscription_id
            and i.digest_id == digest
            and i.state is not DigestItemState.PENDING
        ]

    async def mark_digest_items_sent(self, digest: str, item_ids: Sequence[str]) -> None:
        for item_id in item_ids:
            found = self.digest_items.get(item_id)
            if found is not None and found.digest_id == digest:
                self.digest_items[item_id] = found.model_copy(
                    update={"state": DigestItemState.SENT}
                )

    # match slots and held match notices --------------------------------------------------

    async def take_match_slot(self, slot_id: str, match_id: str, day_ms: int) -> bool:
        holder, _ = self.match_slots.setdefault(slot_id, (match_id, day_ms))
        return holder == match_id

    async def forget_match_slots(self, *, before_day_ms: int) -> int:
        gone = [key for key, (_, day) in self.match_slots.items() if day < before_day_ms]
        for key in gone:
            del self.match_slots[key]
        return len(gone)

    async def hold_match_notice(self, notice: HeldMatchNotice) -> None:
        self.held[notice.id] = notice

    async def held_match_notices(self, *, due_by_ms: int) -> list[HeldMatchNotice]:
        return [n for n in self.held.values() if n.due_ms <= due_by_ms]

    async def forget_match_notices(self, notice_ids: Sequence[str]) -> None:
        for notice_id in notice_ids:
            self.held.pop(notice_id, None)

    async def notice_cadence(self, notice_id: str) -> Cadence:
        return self.cadences.get(notice_id, Cadence.IMMEDIATE)

    async def notice_cadences(self, notice_ids: Sequence[str]) -> dict[str, Cadence]:
        return {i: self.cadences.get(i, Cadence.IMMEDIATE) for i in notice_ids}

    async def set_notice_cadence(self, notice_id: str, cadence: Cadence) -> None:
        self.cadences[notice_id] = cadence
