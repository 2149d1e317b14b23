"""The digest clock: once the digest hour has passed, plan each due daily or weekly digest."""

from __future__ import annotations

import logging

from services.notifier.service import Notifier
from shared.clock import utc_now

log = logging.getLogger("integrationsnetz.notifier.digests")


async def digest_pass(notifier: Notifier) -> None:
    """Run the digest pass for the current time (the runtime runs it every
    `digest_check_seconds`). A pass only plans digests whose period has not been handled, so
    checking often sends nothing twice."""
    planned = await notifier.run_digests(utc_now())
    if planned:
        log.info("planned %d digest email(s)", planned)
