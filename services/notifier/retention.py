"""The retention clock: now and then, redact the delivery log's entries that are past
`delivery_retention_days` (DSGVO: personal data only as long as it is needed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from shared.outbox import utc_now

log = logging.getLogger("integrationsnetz.notifier.retention")


async def run_retention_loop(
    notifier: Notifier, ready: Callable[[], Awaitable[object]], settings: NotifierSettings
) -> None:
    """Every `retention_check_seconds`, redact what has become old enough. A pass touches only
    entries not redacted yet, so any number of passes (and replicas) redact each entry once."""
    await ready()
    while True:
        try:
            redacted = await notifier.redact_old_deliveries(utc_now())
            if redacted:
                log.info(
                    "redacted %d delivery log entries older than %d days",
                    redacted,
                    settings.delivery_retention_days,
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database away: the next round catches up
            log.warning("retention pass failed: %s", exc)
        await asyncio.sleep(settings.retention_check_seconds)
