"""Which postings this process matched while posting them.

A new listing is matched right after it is written, inside the POST, so its matches reach the
stream as fast as the listing itself, however many postings wait in the queue of the
`exchange.matching` consumer. That consumer still gets every `*.posted` event: it matches
the postings that were not matched here (this process died in between, the matching failed,
or another replica posted it) and skips the ones this registry knows, waiting for one whose
matching is still under way. Pairs are unique keys, so a posting matched twice is recorded once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: Postings remembered; older ones are forgotten (their events were consumed long ago, or by
#: another replica).
REMEMBERED = 20_000


class PostedMatching:
    """Listing ids whose matching at posting is under way (a pending future) or finished
    (True: matched here; False: left to the consumer)."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._remembered = remembered
        self._outcomes: OrderedDict[str, asyncio.Future[bool]] = OrderedDict()

    @asynccontextmanager
    async def matching(self, listing_id: str) -> AsyncIterator[asyncio.Future[bool]]:
        """Around writing and matching a new listing; the body sets the future's result to
        True once the matches are recorded. An error (or no result) leaves it to the consumer."""
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._outcomes[listing_id] = outcome
        while len(self._outcomes) > self._remembered:
            _, forgotten = self._outcomes.popitem(last=False)
            if not forgotten.done():
                forgotten.set_result(False)
        try:
            yield outcome
        finally:
            if not outcome.done():
                outcome.set_result(False)

    async def matched_here(self, listing_id: str) -> bool:
        """Whether this process matched the listing when it was posted (waiting for a matching
        under way); the answer is given once, then forgotten."""
        outcome = self._outcomes.get(listing_id)
        if outcome is None:
            return False
        matched = await asyncio.shield(outcome)
        self._outcomes.pop(listing_id, None)
        return matched
