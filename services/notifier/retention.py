"""Retention: now and then, remove personal data the notifier no longer needs (DSGVO:
personal data only as long as it is needed). A pass redacts delivery log entries past
`delivery_retention_days`, deletes subscriptions never confirmed once their confirmation link
(`confirmation_token_hours`) has expired, and redacts subscriptions that ended more than
`delivery_retention_days` ago, with the digest items and `told` records of both."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.notifier.domain import Template, delivery_id, email_recipient
from services.notifier.records import FINISHED_STATUSES, Delivery, epoch_ms
from services.notifier.repository import NotifierRepository
from services.notifier.settings import NotifierSettings
from shared.clock import utc_now

if TYPE_CHECKING:
    from services.notifier.service import Notifier

log = logging.getLogger("integrationsnetz.notifier.retention")

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


class Retention:
    """The use cases of the retention pass. Each takes `now` explicitly, so that tests need
    not wait months."""

    def __init__(self, store: NotifierRepository, settings: NotifierSettings) -> None:
        self.store = store
        self.settings = settings

    def _retention_cutoff_ms(self, now: dt.datetime) -> int:
        return epoch_ms(now - dt.timedelta(days=self.settings.delivery_retention_days))

    async def apply_retention(self, now: dt.datetime) -> RetentionCounts:
        """One retention pass as of `now`: redact old finished deliveries, delete
        subscriptions never confirmed whose link has expired, and redact subscriptions ended
        more than `delivery_retention_days` ago, dropping the digest items of both that never
        went out. Only what is not dealt with yet is touched: a second pass at the same `now`
        changes nothing."""
        deliveries = await self.redact_old_deliveries(now)
        unconfirmed, items_of_unconfirmed = await self.delete_unconfirmed_subscriptions(now)
        ended, items_of_ended = await self.redact_ended_subscriptions(now)
        return RetentionCounts(
            deliveries_redacted=deliveries,
            unconfirmed_deleted=unconfirmed,
            ended_redacted=ended,
            digest_items_deleted=items_of_unconfirmed + items_of_ended,
        )

    async def redact_old_deliveries(self, now: dt.datetime) -> int:
        """Remove the personal data of every finished delivery older than the retention period
        (`delivery_retention_days` before `now`). Pending deliveries keep theirs until they are
        sent or given up. Returns how many were redacted."""
        before_ms = self._retention_cutoff_ms(now)
        total = 0
        while True:
            redacted = await self.store.redact_deliveries(before_ms, REDACTION_BATCH)
            total += redacted
            if redacted < REDACTION_BATCH:  # a short batch: none left, or only busy ones
                return total

    async def _forget(self, subscription_id: str) -> int:
        """Drop a gone or ended subscription's digest items that never went out, and what it
        was told about; returns how many digest items."""
        items = await self.store.drop_open_digest_items(subscription_id)
        await self.store.forget_told(subscription_id)
        return items

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
                    items += await self._forget(subscription.id)
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
        at_ms = epoch_ms(now)
        while await self.store.date_legacy_endings(at_ms, SUBSCRIPTION_BATCH) == SUBSCRIPTION_BATCH:
            pass  # a full batch: there may be more
        before_ms = self._retention_cutoff_ms(now)
        redacted = items = 0
        while True:
            found = await self.store.ended_subscriptions(before_ms, SUBSCRIPTION_BATCH)
            done = 0
            for subscription_id in found:
                # the items first: a crash in between leaves the subscription to the next pass
                items += await self._forget(subscription_id)
                if await self.store.redact_subscription(subscription_id, utc_now()):
                    done += 1
            redacted += done
            if len(found) < SUBSCRIPTION_BATCH or done == 0:
                return redacted, items


#: What each count of a pass says in the log, and which setting it is counted in.
_LOG_LINES = (
    ("deliveries_redacted", "redacted %d delivery log entries older than %d days", "days"),
    ("unconfirmed_deleted", "deleted %d subscriptions never confirmed within %d hours", "hours"),
    ("ended_redacted", "redacted %d subscriptions ended more than %d days ago", "days"),
    ("digest_items_deleted", "deleted %d digest items of deleted or ended subscriptions", None),
)


def log_pass(counts: RetentionCounts, settings: NotifierSettings) -> None:
    """One info line per kind that the pass touched; nothing when it touched nothing."""
    periods = {"days": settings.delivery_retention_days, "hours": settings.confirmation_token_hours}
    for field, message, period in _LOG_LINES:
        count = getattr(counts, field)
        if count:
            log.info(message, count, *([periods[period]] if period else []))


async def retention_pass(notifier: Notifier, settings: NotifierSettings) -> None:
    """Apply retention to what has become old enough (the runtime runs it every
    `retention_check_seconds`). A pass touches only what is not dealt with yet, so any number of
    passes (and replicas) redact or delete each entry once."""
    try:
        log_pass(await notifier.retention.apply_retention(utc_now()), settings)
    finally:
        notifier.retention_passes += 1
