"""The digest clock: once the digest hour has passed, plan each due daily or weekly digest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from shared.clock import utc_now

log = logging.getLogger("integrationsnetz.notifier.digests")


async def run_digest_loop(
    notifier: Notifier, ready: Callable[[], Awaitable[object]], settings: NotifierSettings
) -> None:
    """Every `digest_check_seconds`, run the digest pass for the current time. A pass only plans
    digests whose period has not been handled, so checking often sends nothing twice."""
    await ready()
    while True:
        try:
            planned = await notifier.run_digests(utc_now())
            if planned:
                log.info("planned %d digest email(s)", planned)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database away: the next round catches up
            log.warning("digest pass failed: %s", exc)
        await asyncio.sleep(settings.digest_check_seconds)
