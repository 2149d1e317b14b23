"""Digests: once the digest hour has passed, plan each due daily or weekly digest. A
subscription's items wait in `digest_items`; a digest claims them, plans one email whose key
is the digest's id (subscription and period), then marks them sent."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from services.notifier.digest_rules import digest_period_name, digest_period_start, group_digest
from services.notifier.domain import Cadence, Subscription, Template, digest_id, may_see
from services.notifier.planning import Cause, PlannedEmail, PlanningUseCase, Recipient
from services.notifier.records import DigestItemState, digest_item_id, epoch_ms
from services.notifier.settings import NotifierSettings
from shared.clock import utc_now

if TYPE_CHECKING:
    from services.notifier.service import Notifier

log = logging.getLogger("integrationsnetz.notifier.digests")

DIGEST_CAUSE_TYPE = "notifier.digest"


def current_digest_ms(cadence: Cadence, now: dt.datetime, settings: NotifierSettings) -> int:
    """Start (epoch ms) of the digest period `now` falls into; 0 for immediate subscriptions.
    A new digest subscription starts with the current period: its first digest lists what
    arrives from now on, at the next digest hour."""
    if cadence is Cadence.IMMEDIATE:
        return 0
    return epoch_ms(
        digest_period_start(now, cadence, hour=settings.digest_hour, timezone=settings.timezone)
    )


class Digests(PlanningUseCase):
    """The use case of the digest clock."""

    async def run_digests(self, now: dt.datetime) -> int:
        """Plan the digest of every daily or weekly subscription whose period started since
        its last one. `now` is explicit so that tests need not wait a day. Returns how many
        digest emails were planned."""
        planned = 0
        for cadence in (Cadence.DAILY, Cadence.WEEKLY):
            start_ms = current_digest_ms(cadence, now, self.settings)
            start = dt.datetime.fromtimestamp(start_ms / 1000, dt.UTC)
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

    async def _claim_items(self, subscription: Subscription, digest: str) -> None:
        """Give the subscription's open items to this digest: pending ones, and ones claimed
        by an earlier pass that stopped before planning its email."""
        store = self.store
        for item in await store.open_digest_items(subscription.id):
            if item.state is DigestItemState.PENDING:
                await store.claim_digest_item(item.id, digest, state=DigestItemState.PENDING)
            elif item.digest_id != digest and not await store.delivery_exists(str(item.digest_id)):
                await store.claim_digest_item(item.id, digest, state=DigestItemState.CLAIMED)

    async def _digest(self, subscription: Subscription, period: str) -> int:
        """Claim the subscription's open items for this period's digest, plan the email, then
        mark the items sent. Each step can be repeated after a crash without repeating an
        item: items belong to one digest id, and the digest's delivery key is that id."""
        store = self.store
        digest = digest_id(subscription.id, period)
        if not await store.delivery_exists(digest):
            await self._claim_items(subscription, digest)
        claimed = await store.claimed_digest_entries(digest, subscription.id)
        entries = [
            entry.model_copy(update={"item": now})
            for entry in claimed
            if may_see(subscription.recipient, now := await store.as_now(entry.item))
        ]
        handled = [digest_item_id(subscription.id, e.item.entity_id) for e in claimed]
        if not entries:
            # only items the recipient may no longer see: done with, without an email
            await store.mark_digest_items_sent(digest, handled)
            return 0
        sections = group_digest(subscription.id, entries)
        cause = Cause(period, f"{DIGEST_CAUSE_TYPE}.{subscription.cadence.value}", key=digest)
        params = {
            "cadence": subscription.cadence.value,
            "period": period,
            "sections": [section.model_dump(mode="json") for section in sections],
        }
        to = Recipient.of_subscription(subscription)
        planned = await self.planner.plan(PlannedEmail(Template.DIGEST, to, cause, params))
        await store.mark_digest_items_sent(digest, handled)
        return int(planned)


async def digest_pass(notifier: Notifier) -> None:
    """Run the digest pass for the current time (the runtime runs it every
    `digest_check_seconds`), and the summaries of held match emails. A pass only plans
    digests and summaries whose period has not been handled, so checking often sends nothing
    twice."""
    now = utc_now()
    planned = await notifier.digests.run_digests(now)
    if planned:
        log.info("planned %d digest email(s)", planned)
    await notifier.match_notices.run_summaries(now)
