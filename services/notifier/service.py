"""The notifier's use cases: keeping its projections, planning who gets which email for an
event, subscriptions with double opt-in, unsubscribing, digests, the delivery log, and the
retention of deliveries and subscriptions."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.notifier.domain import (
    Cadence,
    DefaultNotice,
    DeliveryStatus,
    Item,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Template,
    Topic,
    Visibility,
    conflict_recipients,
    delivery_id,
    digest_id,
    digest_period_name,
    digest_period_start,
    email_recipient,
    group_digest,
    item_from_event,
    item_from_listing,
    match_recipients,
    may_see,
    opt_out_id,
    organisation_recipient,
    subscription_follows,
    subscription_wants,
)
from services.notifier.settings import NotifierSettings
from services.notifier.store import (
    CALENDAR_ENTRIES,
    FINISHED_STATUSES,
    ORGANISATIONS,
    Delivery,
    NotifierStore,
    OrganisationContact,
    now_ms,
)
from services.notifier.tokens import (
    InvalidTokenError,
    LinkClaim,
    Links,
    TokenPurpose,
    parse_subject,
)
from shared.auth import Principal
from shared.clock import utc_now
from shared.context import current_correlation_id
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import (
    ConflictDetected,
    EventCancelled,
    EventFacts,
    EventRescheduled,
    EventUpdated,
)
from shared.contracts.directory import OrganisationFacts
from shared.contracts.exchange import ListingFacts, ListingKind, MatchFound
from shared.contracts.notifier import SendEmail
from shared.errors import (
    ApplicationError,
    ForbiddenError,
    GoneError,
    MalformedError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id

DIGEST_CAUSE_TYPE = "notifier.digest"
CONFIRMATION_CAUSE_TYPE = "notifier.subscription.requested"
#: Deliveries redacted per query of the retention pass.
REDACTION_BATCH = 500
#: Subscriptions deleted, dated or redacted per query of the retention pass.
SUBSCRIPTION_BATCH = 200


@dataclass(frozen=True)
class RetentionCounts:
    """What one retention pass did, per kind."""

    #: Finished deliveries that lost address, name, content and error text.
    deliveries_redacted: int = 0
    #: Subscriptions never confirmed whose confirmation link had expired: deleted.
    unconfirmed_deleted: int = 0
    #: Subscriptions ended more than the retention period ago: address removed.
    ended_redacted: int = 0
    #: Digest items of those subscriptions that had not gone out: deleted.
    digest_items_deleted: int = 0

    @property
    def total(self) -> int:
        return (
            self.deliveries_redacted
            + self.unconfirmed_deleted
            + self.ended_redacted
            + self.digest_items_deleted
        )


def confirmation_delivery_id(subscription_id: str, email: str) -> str:
    """The key of a subscription's confirmation email (as `subscribe` plans it)."""
    return delivery_id(
        subscription_id, email_recipient(email), Template.SUBSCRIPTION_CONFIRMATION.value
    )


def confirmation_expired(
    created_at: dt.datetime,
    confirmation: Delivery | None,
    *,
    token_hours: int,
    now: dt.datetime,
) -> bool:
    """Whether a pending subscription can no longer be confirmed at `now`.

    The link's lifetime (`token_hours`) starts when the sender writes the email, not when the
    subscription is made: an email retried during an SMTP outage carries a later expiry. So:
    while the confirmation email is still pending, its link is not out yet (not expired);
    once sent, the link expires at the latest `token_hours` after `sent_at`; if it never went
    out (failed, skipped) or there is none, nobody holds a link: `token_hours` after creation.
    """
    lifetime = dt.timedelta(hours=token_hours)
    if confirmation is not None and confirmation.status not in FINISHED_STATUSES:
        return False
    if confirmation is not None and confirmation.sent_at is not None:
        return confirmation.sent_at + lifetime <= now
    return created_at + lifetime <= now


def _token_problem(exc: InvalidTokenError) -> ApplicationError:
    kind = GoneError if exc.reason == "expired" else MalformedError
    return kind(exc.detail, slug=f"{exc.reason}-token")


class Notifier:
    def __init__(
        self,
        store: NotifierStore,
        settings: NotifierSettings,
        links: Links,
        on_planned: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.links = links
        self._on_planned = on_planned
        #: Passes of the retention loop so far (finished, whatever their outcome).
        self.retention_passes = 0

    # --- projections ----------------------------------------------------------------------

    async def remember_organisation(self, facts: OrganisationFacts) -> None:
        await self.store.upsert_projection(
            ORGANISATIONS,
            facts.organisation_id,
            {
                "name": facts.name,
                "email": facts.email,
                "preferred_language": facts.preferred_language,
                "status": facts.status.value,
                "revision": facts.revision,
            },
            guard="revision",
        )

    async def remember_calendar_entry(self, facts: EventFacts) -> None:
        await self.store.upsert_projection(
            CALENDAR_ENTRIES,
            facts.event_id,
            {
                "title": facts.title,
                "organisation_id": facts.organisation_id,
                "status": facts.status.value,
                "visibility": facts.visibility.value,
                "sequence": facts.sequence,
            },
            guard="sequence",
        )

    # --- planning deliveries --------------------------------------------------------------

    async def _plan(
        self,
        template: Template,
        recipient: str,
        cause_id: str,
        cause_type: str,
        *,
        reason: str,
        params: dict[str, Any],
        organisation_id: str | None = None,
        subscription_id: str | None = None,
        address: str | None = None,
        language: str = "de",
        recipient_name: str | None = None,
        key: str | None = None,
    ) -> bool:
        now = utc_now()
        planned = await self.store.plan(
            Delivery(
                id=key or delivery_id(cause_id, recipient, template.value),
                template=template,
                recipient=recipient,
                reason=reason,
                organisation_id=organisation_id,
                subscription_id=subscription_id,
                address=address,
                recipient_name=recipient_name,
                language=language,
                params=params,
                cause_event_id=cause_id,
                cause_type=cause_type,
                correlation_id=current_correlation_id(),
                next_attempt_ms=now_ms(),
                created_at=now,
                updated_at=now,
                created_ms=now_ms(),
            )
        )
        if planned:
            self._on_planned()
        return planned

    async def plan_match(self, match: MatchFound, event: CloudEvent) -> None:
        """Both organisations hear about a match on their own listings, unless they opted out."""
        for organisation_id, side in match_recipients(match).items():
            if await self.store.opted_out(opt_out_id(organisation_id, DefaultNotice.MATCH_FOUND)):
                continue
            mine_is_offer = side is ListingKind.OFFER
            other_id = (
                match.request_organisation_id if mine_is_offer else match.offer_organisation_id
            )
            other = await self.store.organisation(other_id)
            await self._plan(
                Template.MATCH_FOUND,
                organisation_recipient(organisation_id),
                event.id,
                event.type,
                reason="default",
                organisation_id=organisation_id,
                params={
                    "id": match.match_id,
                    "side": side.value,
                    "own_title": match.offer_title if mine_is_offer else match.request_title,
                    "other_title": match.request_title if mine_is_offer else match.offer_title,
                    "other_organisation_name": other.name if other else None,
                    "category": match.category.value,
                    "reasons": list(match.reasons),
                    "reason_details": [r.model_dump(mode="json") for r in match.reason_details],
                },
            )

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
            recipient = organisation_recipient(organisation_id)

            def title(event_id: str, recipient: str = recipient) -> str | None:
                known, item = entries[event_id]
                return known if may_see(recipient, item) else None

            await self._plan(
                Template.CONFLICT_DETECTED,
                recipient,
                event.id,
                event.type,
                reason="default",
                organisation_id=organisation_id,
                params={
                    "id": conflict.event_id,
                    "conflict_kind": conflict.conflict_kind.value,
                    "event_title": title(conflict.event_id),
                    "other_event_title": title(conflict.other_event_id),
                    "overlap_starts_at": conflict.overlap_starts_at.isoformat(),
                    "overlap_ends_at": conflict.overlap_ends_at.isoformat(),
                    "district": conflict.district,
                },
            )

    async def plan_command(self, command: SendEmail, event: CloudEvent) -> None:
        """A transactional email another service asked for: at most one per command id."""
        await self._plan(
            Template(command.template.value),
            email_recipient(command.to),
            command.command_id,
            event.type,
            reason="transactional",
            address=command.to.lower(),
            language=command.language,
            recipient_name=command.recipient_name,
            params=dict(command.params),
        )

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
            await self._plan_for(subscription, template, params, event)

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
        poster = await self.store.organisation(item.organisation_ids[0])
        params = {
            "item": item.model_dump(mode="json"),
            "organisation_name": poster.name if poster else None,
        }
        for subscription in await self.store.subscriptions_following(item.topic.value):
            if not subscription_wants(subscription, item):
                continue
            if subscription.cadence is Cadence.IMMEDIATE:
                await self._plan_for(subscription, template, params, event)
                await self.store.remember_told(subscription.id, item.entity_id)
            else:
                await self.store.add_digest_item(subscription.id, item, now_ms())

    async def _plan_for(
        self,
        subscription: Subscription,
        template: Template,
        params: dict[str, Any],
        event: CloudEvent,
    ) -> None:
        await self._plan(
            template,
            subscription.recipient,
            event.id,
            event.type,
            reason="subscription",
            organisation_id=subscription.organisation_id,
            subscription_id=subscription.id,
            address=subscription.email,
            language=subscription.language,
            params=params,
        )

    # --- subscriptions --------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        organisation_id: str | None,
        email: str | None,
        language: str,
        topics: Sequence[Topic],
        filters: SubscriptionFilters,
        cadence: Cadence,
        user: Principal | None,
    ) -> Subscription:
        """An organisation follows at once (its editors ask); any other address after it
        confirmed by the link in a confirmation email."""
        status = SubscriptionStatus.ACTIVE
        if organisation_id is not None:
            organisation = await self._subscribing_organisation(organisation_id, user)
            language = organisation.preferred_language
        else:
            assert email is not None
            status = SubscriptionStatus.PENDING
            pending = await self.store.pending_subscriptions_of(email)
            if pending >= self.settings.pending_subscriptions_per_address:
                raise RateLimitedError(
                    "This address has too many unconfirmed subscriptions; confirm those first."
                )
        unknown = [
            org_id
            for org_id in filters.organisation_ids
            if await self.store.organisation(org_id) is None
        ]
        if unknown:
            raise RejectedError(
                "The filter names organisations that are not in the directory.",
                errors=[
                    {
                        "location": "body.filters.organisation_ids",
                        "message": f"unknown organisation {org_id}",
                        "type": "unknown_organisation",
                    }
                    for org_id in unknown
                ],
            )
        now = utc_now()
        subscription = Subscription(
            id=new_id(),
            organisation_id=organisation_id,
            email=email,
            language=language,
            topics=list(dict.fromkeys(topics)),
            filters=filters,
            cadence=cadence,
            status=status,
            last_digest_ms=self._current_digest_ms(cadence, now),
            created_at=now,
        )
        await self.store.add_subscription(subscription)
        if status is SubscriptionStatus.PENDING:
            assert email is not None
            await self._plan(
                Template.SUBSCRIPTION_CONFIRMATION,
                email_recipient(email),
                subscription.id,
                CONFIRMATION_CAUSE_TYPE,
                reason="transactional",
                subscription_id=subscription.id,
                address=email,
                language=language,
                params={},
            )
        return subscription

    async def _subscribing_organisation(
        self, organisation_id: str, user: Principal | None
    ) -> OrganisationContact:
        if user is None:
            raise UnauthenticatedError(
                "Subscribing an organisation needs a token of its editor or of office staff.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may subscribe it."
            )
        organisation = await self.store.organisation(organisation_id)
        if organisation is None or organisation.status != "active":
            raise RejectedError("No active organisation with this id is known here.")
        return organisation

    def _current_digest_ms(self, cadence: Cadence, now: dt.datetime) -> int:
        """A new digest subscription starts with the current period: its first digest lists
        what arrives from now on, at the next digest hour."""
        if cadence is Cadence.IMMEDIATE:
            return 0
        start = digest_period_start(
            now, cadence, hour=self.settings.digest_hour, timezone=self.settings.timezone
        )
        return int(start.timestamp() * 1000)

    def _verify(self, token: str, purpose: TokenPurpose) -> LinkClaim:
        try:
            return self.links.signer.verify(token, purpose, now=int(time.time()))
        except InvalidTokenError as exc:
            raise _token_problem(exc) from exc

    def _confirmation_claim(self, token: str) -> tuple[LinkClaim, str]:
        claim = self._verify(token, TokenPurpose.CONFIRM)
        try:
            kind, subscription_id, _ = parse_subject(claim.subject)
        except InvalidTokenError as exc:
            raise _token_problem(exc) from exc
        if kind != "sub":
            raise MalformedError("This link is damaged.", slug="malformed-token")
        return claim, subscription_id

    async def confirmation_of(self, token: str) -> tuple[Subscription, LinkClaim]:
        """What a confirmation link is about, changing nothing (the page behind the link)."""
        claim, subscription_id = self._confirmation_claim(token)
        subscription = await self.store.subscription(subscription_id)
        if subscription is None:
            raise NotFoundError("This subscription does not exist (any more).")
        if subscription.status is SubscriptionStatus.ENDED:
            raise GoneError("This subscription has ended; subscribe again.", slug="ended")
        return subscription, claim

    async def confirm(self, token: str) -> tuple[Subscription, LinkClaim]:
        claim, subscription_id = self._confirmation_claim(token)
        now = utc_now()

        def activate(subscription: Subscription) -> Subscription | None:
            if subscription.status is not SubscriptionStatus.PENDING:
                return None
            return subscription.model_copy(
                update={
                    "status": SubscriptionStatus.ACTIVE,
                    "last_digest_ms": self._current_digest_ms(subscription.cadence, now),
                }
            )

        subscription = await self.store.change_subscription(subscription_id, activate)
        if subscription is None:
            raise NotFoundError("This subscription does not exist (any more).")
        if subscription.status is SubscriptionStatus.ENDED:
            raise GoneError("This subscription has ended; subscribe again.", slug="ended")
        return subscription, claim

    def check_unsubscribe_token(self, token: str) -> LinkClaim:
        claim = self._verify(token, TokenPurpose.UNSUBSCRIBE)
        try:
            parse_subject(claim.subject)
        except InvalidTokenError as exc:
            raise _token_problem(exc) from exc
        return claim

    async def unsubscribe(self, token: str) -> LinkClaim:
        """One click ends a subscription, or stops a default notice for an organisation."""
        claim = self.check_unsubscribe_token(token)
        kind, entity_id, notice = parse_subject(claim.subject)
        if kind == "sub":
            await self.store.change_subscription(entity_id, _ended)
        else:
            try:
                default_notice = DefaultNotice(str(notice))
            except ValueError as exc:
                raise MalformedError("This link is damaged.", slug="malformed-token") from exc
            await self.store.add_opt_out(opt_out_id(entity_id, default_notice), utc_now())
        return claim

    async def end_subscription(self, subscription_id: str, user: Principal) -> None:
        subscription = await self.store.subscription(subscription_id)
        if subscription is None or not _may_manage(user, subscription):
            raise NotFoundError("No subscription with this id.")
        await self.store.change_subscription(subscription_id, _ended)

    async def list_subscriptions(
        self,
        user: Principal,
        *,
        organisation_id: str | None,
        email: str | None,
        status: SubscriptionStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Subscription], int]:
        filters: dict[str, Any] = {}
        if organisation_id is not None:
            if not user.may_edit(organisation_id):
                raise ForbiddenError("Only office staff or its members see its subscriptions.")
            filters["organisation_id"] = organisation_id
        elif not user.is_admin:
            filters["organisation_id"] = {"$in": sorted(user.organisation_ids)}
        if email is not None:
            if not user.is_admin:
                raise ForbiddenError("Only office staff may look up addresses.")
            filters["email"] = email.strip().lower()
        if status is not None:
            filters["status"] = status.value
        return await self.store.list_subscriptions(filters, limit=limit, offset=offset)

    # --- digests --------------------------------------------------------------------------

    async def run_digests(self, now: dt.datetime) -> int:
        """Plan the digest of every daily or weekly subscription whose period started since
        its last one. `now` is explicit so that tests need not wait a day. Returns how many
        digest emails were planned."""
        planned = 0
        for cadence in (Cadence.DAILY, Cadence.WEEKLY):
            start = digest_period_start(
                now, cadence, hour=self.settings.digest_hour, timezone=self.settings.timezone
            )
            start_ms = int(start.timestamp() * 1000)
            period = digest_period_name(start, cadence, self.settings.timezone)
            for subscription in await self.store.digest_subscriptions(cadence.value):
                if subscription.last_digest_ms >= start_ms:
                    continue  # digests only move forward
                planned += await self._digest(subscription, period)

                def advance(current: Subscription, start_ms: int = start_ms) -> Subscription | None:
                    if current.last_digest_ms >= start_ms:
                        return None
                    return current.model_copy(update={"last_digest_ms": start_ms})

                await self.store.change_subscription(subscription.id, advance)
        return planned

    async def _digest(self, subscription: Subscription, period: str) -> int:
        """Claim the subscription's open items for this period's digest, plan the email, then
        mark the items sent. Each step can be repeated after a crash without repeating an
        item: items belong to one digest id, and the digest's delivery key is that id."""
        store = self.store
        digest = digest_id(subscription.id, period)
        if not await store.delivery_exists(digest):
            for doc in await store.open_digest_items(subscription.id):
                if doc.get("state") == "pending":
                    await store.claim_digest_item(doc["_id"], digest, state="pending")
                elif doc.get("digest_id") != digest and not await store.delivery_exists(
                    str(doc.get("digest_id"))
                ):
                    # claimed by an earlier pass that stopped before planning its email
                    await store.claim_digest_item(doc["_id"], digest, state="claimed")
        claimed = await store.claimed_digest_entries(digest, subscription.id)
        entries = [
            entry.model_copy(update={"item": now})
            for entry in claimed
            if may_see(subscription.recipient, now := await store.as_now(entry.item))
        ]
        handled = [store.digest_item_id(subscription.id, e.item.entity_id) for e in claimed]
        if not entries:
            # only items the recipient may no longer see: done with, without an email
            await store.mark_digest_items_sent(digest, handled)
            return 0
        sections = group_digest(subscription.id, entries)
        planned = await self._plan(
            Template.DIGEST,
            subscription.recipient,
            period,
            f"{DIGEST_CAUSE_TYPE}.{subscription.cadence.value}",
            reason="subscription",
            key=digest,
            organisation_id=subscription.organisation_id,
            subscription_id=subscription.id,
            address=subscription.email,
            language=subscription.language,
            params={
                "cadence": subscription.cadence.value,
                "period": period,
                "sections": [section.model_dump(mode="json") for section in sections],
            },
        )
        await store.mark_digest_items_sent(digest, handled)
        return int(planned)

    # --- the delivery log -----------------------------------------------------------------

    async def list_deliveries(
        self,
        *,
        status: DeliveryStatus | None,
        recipient: str | None,
        organisation_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Delivery], int]:
        filters: dict[str, Any] = {}
        if status is not None:
            filters["status"] = status.value
        if recipient is not None:
            filters["address"] = recipient.strip().lower()
        if organisation_id is not None:
            filters["organisation_id"] = organisation_id
        return await self.store.list_deliveries(filters, limit=limit, offset=offset)

    async def redact_old_deliveries(self, now: dt.datetime) -> int:
        """Remove the personal data of every finished delivery older than the retention period
        (`delivery_retention_days` before `now`). `now` is explicit so that tests need not wait
        months. Pending deliveries keep theirs until they are sent or given up. Returns how many
        were redacted."""
        cutoff = now - dt.timedelta(days=self.settings.delivery_retention_days)
        before_ms = int(cutoff.timestamp() * 1000)
        total = 0
        while True:
            redacted = await self.store.redact_deliveries(before_ms, REDACTION_BATCH)
            total += redacted
            if redacted < REDACTION_BATCH:  # a short batch: none left, or only busy ones
                return total

    # --- retention ------------------------------------------------------------------------

    async def apply_retention(self, now: dt.datetime) -> RetentionCounts:
        """One retention pass as of `now` (explicit, so that tests need not wait months):
        redact old finished deliveries, delete subscriptions never confirmed whose link has
        expired, and redact subscriptions ended more than `delivery_retention_days` ago,
        dropping the digest items of both that never went out. Only what is not dealt with
        yet is touched: a second pass at the same `now` changes nothing."""
        deliveries = await self.redact_old_deliveries(now)
        unconfirmed, items_of_unconfirmed = await self.delete_unconfirmed_subscriptions(now)
        ended, items_of_ended = await self.redact_ended_subscriptions(now)
        return RetentionCounts(
            deliveries_redacted=deliveries,
            unconfirmed_deleted=unconfirmed,
            ended_redacted=ended,
            digest_items_deleted=items_of_unconfirmed + items_of_ended,
        )

    async def delete_unconfirmed_subscriptions(self, now: dt.datetime) -> tuple[int, int]:
        """Delete every pending subscription whose confirmation link has expired by `now`
        (`confirmation_token_hours`, see `confirmation_expired`): it can never become active,
        and nobody consented, so nothing of it is kept. A late click on its link finds no
        subscription (404) or, usually, an expired link (410). Returns how many subscriptions
        and digest items were deleted."""
        hours = self.settings.confirmation_token_hours
        created_before = now - dt.timedelta(hours=hours)
        deleted = items = 0
        while True:
            candidates = await self.store.unconfirmed_subscriptions(
                created_before, SUBSCRIPTION_BATCH
            )
            done = 0
            for subscription in candidates:
                confirmation = None
                if subscription.email is not None:
                    key = confirmation_delivery_id(subscription.id, subscription.email)
                    confirmation = await self.store.delivery(key)
                if not confirmation_expired(
                    subscription.created_at, confirmation, token_hours=hours, now=now
                ):
                    continue
                if await self.store.delete_unconfirmed_subscription(subscription.id):
                    done += 1
                    # a pending subscription collects none; any there would be useless
                    items += await self.store.drop_open_digest_items(subscription.id)
                    await self.store.forget_told(subscription.id)
            deleted += done
            # a short batch: none left; a batch with nothing deleted: only ones still waiting
            # for their email or written concurrently, which the next pass sees again
            if len(candidates) < SUBSCRIPTION_BATCH or done == 0:
                return deleted, items

    async def redact_ended_subscriptions(self, now: dt.datetime) -> tuple[int, int]:
        """Remove the address of every subscription that ended more than
        `delivery_retention_days` before `now`, and drop its digest items that never went out.
        The document stays (deliveries and digest items name its id). Ended subscriptions
        stored before `ended_ms` existed count as ended at the first pass that sees them.
        Returns how many subscriptions were redacted and digest items deleted."""
        at_ms = int(now.timestamp() * 1000)
        while await self.store.date_legacy_endings(at_ms, SUBSCRIPTION_BATCH) == SUBSCRIPTION_BATCH:
            pass  # a full batch: there may be more
        cutoff = now - dt.timedelta(days=self.settings.delivery_retention_days)
        before_ms = int(cutoff.timestamp() * 1000)
        redacted = items = 0
        while True:
            found = await self.store.ended_subscriptions(before_ms, SUBSCRIPTION_BATCH)
            done = 0
            for subscription_id in found:
                # the items first: a crash in between leaves the subscription to the next pass
                items += await self.store.drop_open_digest_items(subscription_id)
                await self.store.forget_told(subscription_id)
                if await self.store.redact_subscription(subscription_id, utc_now()):
                    done += 1
            redacted += done
            if len(found) < SUBSCRIPTION_BATCH or done == 0:
                return redacted, items


def _ended(subscription: Subscription) -> Subscription | None:
    """End a subscription (unsubscribe link, an editor, office staff). The store stamps
    `ended_ms` on the write that makes the status `ended` (`subscription_written`), so every
    way of ending one starts its retention period."""
    if subscription.status is SubscriptionStatus.ENDED:
        return None
    return subscription.model_copy(update={"status": SubscriptionStatus.ENDED})


def _may_manage(user: Principal, subscription: Subscription) -> bool:
    if user.is_admin:
        return True
    return subscription.organisation_id is not None and user.may_edit(subscription.organisation_id)
