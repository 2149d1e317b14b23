"""Per-room locks: checking a room for clashes and writing the event that books it happen while
the room's lock is held, so two simultaneous bookings of one room never both pass the check.

A lock is one small document per room (`_id` = hash of the folded venue and room) holding a
lease in integer epoch milliseconds, claimed with `find_one_and_update` on `_id` plus a range
on the lease (docs/storage.md, assumption 3). The lock guards no state of its own: the event
documents stay the only truth about who has the room, so a request that dies while holding a
lock leaks nothing; its lease simply runs out and the next booking takes the lock over.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Callable

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.errors import ConflictError
from shared.ids import new_id
from shared.mongo import Document

ROOM_LOCKS = "room_locks"


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def lock_id(room: str) -> str:
    """The lock document's `_id` for a room (a `venue_key`)."""
    return "room:" + hashlib.sha256(room.encode()).hexdigest()


class RoomLocks:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        *,
        lease_seconds: float,
        wait_seconds: float,
        now_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self.db = db
        self.lease_ms = int(lease_seconds * 1000)
        self.wait_seconds = wait_seconds
        self.now_ms = now_ms

    async def try_claim(self, room: str, owner: str) -> bool:
        """One attempt to take the room's lock for `owner`; False while another lease runs."""
        now = self.now_ms()
        claimed = await self.db[ROOM_LOCKS].find_one_and_update(
            {"_id": lock_id(room), "lease_until_ms": {"$lte": now}},
            {
                "$set": {"lease_until_ms": now + self.lease_ms, "owner": owner},
                "$inc": {"version": 1},
            },
        )
        if claimed is not None:
            return True
        try:
            await self.db[ROOM_LOCKS].insert_one(
                {
                    "_id": lock_id(room),
                    "lease_until_ms": now + self.lease_ms,
                    "owner": owner,
                    "version": 1,
                }
            )
        except DuplicateKeyError:
            return False  # the lock exists and someone holds it
        return True

    async def release(self, room: str, owner: str) -> None:
        """Give the lock back, unless its lease ran out and someone else holds it now."""
        await self.db[ROOM_LOCKS].update_one(
            {"_id": lock_id(room), "owner": owner}, {"$set": {"lease_until_ms": 0}}
        )

    @contextlib.asynccontextmanager
    async def hold(self, room: str | None) -> AsyncIterator[None]:
        """Hold the room's lock for the block (nothing to hold without a room). Waits for a
        holder to finish; answers 409 when the room stays locked for `wait_seconds`."""
        if room is None:
            yield
            return
        owner = new_id()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        pause = 0.005
        while not await self.try_claim(room, owner):
            if loop.time() > deadline:
                raise ConflictError(
                    "The room is being booked by someone else right now; try again.",
                    title="Room busy",
                    slug="room-busy",
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)
        try:
            yield
        finally:
            await self.release(room, owner)
