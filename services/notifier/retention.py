"""The retention clock: now and then, remove personal data the notifier no longer needs
(DSGVO: personal data only as long as it is needed). A pass redacts delivery log entries past
`delivery_retention_days`, deletes subscriptions never confirmed once their confirmation link
(`confirmation_token_hours`) has expired, and redacts subscriptions that ended more than
`delivery_retention_days` ago, with the digest items of both that never went out."""

from __future__ import annotations

import logging

from services.notifier.service import Notifier, RetentionCounts
from services.notifier.settings import NotifierSettings
from shared.clock import utc_now

log = logging.getLogger("integrationsnetz.notifier.retention")


def log_pass(counts: RetentionCounts, settings: NotifierSettings) -> None:
    """One info line per kind that the pass touched; nothing when it touched nothing."""
    days = settings.delivery_retention_days
    if counts.deliveries_redacted:
        log.info(
            "redacted %d delivery log entries older than %d days", counts.deliveries_redacted, days
        )
    if counts.unconfirmed_deleted:
        log.info(
            "deleted %d subscriptions never confirmed within %d hours",
            counts.unconfirmed_deleted,
            settings.confirmation_token_hours,
        )
    if counts.ended_redacted:
        log.info(
            "redacted %d subscriptions ended more than %d days ago", counts.ended_redacted, days
        )
    if counts.digest_items_deleted:
        log.info(
            "deleted %d digest items of deleted or ended subscriptions",
            counts.digest_items_deleted,
        )


async def retention_pass(notifier: Notifier, settings: NotifierSettings) -> None:
    """Apply retention to what has become old enough (the runtime runs it every
    `retention_check_seconds`). A pass touches only what is not dealt with yet, so any number of
    passes (and replicas) redact or delete each entry once."""
    try:
        log_pass(await notifier.apply_retention(utc_now()), settings)
    finally:
        notifier.retention_passes += 1
