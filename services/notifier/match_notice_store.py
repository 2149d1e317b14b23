"""Storage of what keeps match emails few: the day's one email per organisation and listing
(`match_slots`, taken by the first match) and the matches held for the next day's summary
(`held_match_notices`), and how often an organisation wants them (`notice_cadences`)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifier.domain import Cadence
from services.notifier.records import HeldMatchNotice
from shared.mongo import CollectionIndexes, Document

MATCH_SLOTS = "match_slots"
HELD_MATCH_NOTICES = "held_match_notices"
#: How often an organisation wants its match notices (absent: at once).
NOTICE_CADENCES = "notice_cadences"

MATCH_NOTICE_INDEXES = (
    CollectionIndexes(MATCH_SLOTS, (IndexModel([("day_ms", ASCENDING)]),)),
    CollectionIndexes(HELD_MATCH_NOTICES, (IndexModel([("due_ms", ASCENDING)]),)),
)


class MatchNoticeStore:
    """Match slots and held match notices, on MongoDB."""

    db: AsyncDatabase[Document]

    async def take_match_slot(self, slot_id: str, match_id: str, day_ms: int) -> bool:
        """Whether `match_id` holds the slot: it took it now, or took it before (a redelivered
        match is emailed at once again, and the email's key keeps it to one)."""
        try:
            await self.db[MATCH_SLOTS].insert_one(
                {"_id": slot_id, "match_id": match_id, "day_ms": day_ms}
            )
        except DuplicateKeyError:
            holder = await self.db[MATCH_SLOTS].find_one({"_id": slot_id}, {"match_id": 1})
            return holder is not None and holder["match_id"] == match_id
        return True

    async def forget_match_slots(self, *, before_day_ms: int) -> int:
        """Drop the slots of days that are over: found by the indexed day, deleted by `_id`
        (writes by any other filter scan the collection on the embedded server)."""
        cursor = self.db[MATCH_SLOTS].find({"day_ms": {"$lt": before_day_ms}}, {"_id": 1})
        ids = [doc["_id"] async for doc in cursor]
        if not ids:
            return 0
        result = await self.db[MATCH_SLOTS].delete_many({"_id": {"$in": ids}})
        return result.deleted_count

    async def hold_match_notice(self, notice: HeldMatchNotice) -> None:
        """Keep a notice once: a redelivered match holds the same notice again, unchanged."""
        document = notice.model_dump(mode="json", exclude={"id"})
        with contextlib.suppress(DuplicateKeyError):
            await self.db[HELD_MATCH_NOTICES].insert_one({"_id": notice.id, **document})

    async def held_match_notices(self, *, due_by_ms: int) -> list[HeldMatchNotice]:
        cursor = self.db[HELD_MATCH_NOTICES].find({"due_ms": {"$lte": due_by_ms}})
        return [HeldMatchNotice.model_validate({**doc, "id": doc["_id"]}) async for doc in cursor]

    async def forget_match_notices(self, notice_ids: Sequence[str]) -> None:
        if notice_ids:
            await self.db[HELD_MATCH_NOTICES].delete_many({"_id": {"$in": list(notice_ids)}})

    async def notice_cadence(self, notice_id: str) -> Cadence:
        doc = await self.db[NOTICE_CADENCES].find_one({"_id": notice_id})
        return Cadence(doc["cadence"]) if doc else Cadence.IMMEDIATE

    async def notice_cadences(self, notice_ids: Sequence[str]) -> dict[str, Cadence]:
        """The cadence of each notice, in one read (immediate unless one was chosen)."""
        cursor = self.db[NOTICE_CADENCES].find({"_id": {"$in": list(notice_ids)}})
        chosen = {doc["_id"]: Cadence(doc["cadence"]) async for doc in cursor}
        return {notice_id: chosen.get(notice_id, Cadence.IMMEDIATE) for notice_id in notice_ids}

    async def set_notice_cadence(self, notice_id: str, cadence: Cadence) -> None:
        if cadence is Cadence.IMMEDIATE:
            await self.db[NOTICE_CADENCES].delete_one({"_id": notice_id})
            return
        # an upsert by `_id` with `$set` of a string: the form every server stores alike
        await self.db[NOTICE_CADENCES].update_one(
            {"_id": notice_id}, {"$set": {"cadence": cadence.value}}, upsert=True
        )
