"""MongoDB access: the client factory, index declarations and the version-guarded document store.

Every entity document is written whole with `replace_one({_id, version})` (optimistic
concurrency). That is also how outbox entries get into a document: `$push`/`$pull` of
sub-documents and `$set` of top-level datetimes are silently wrong on the embedded server
(docs/storage.md), whole-document writes are right everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, ExecutionTimeout

Document = dict[str, Any]

#: Errors that mean the database is unreachable or overloaded right now, not that the request or
#: the data is wrong: `ConnectionFailure` covers `AutoReconnect`, `NetworkTimeout`,
#: `NotPrimaryError`, `ServerSelectionTimeoutError` and `WaitQueueTimeoutError`.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (ConnectionFailure, ExecutionTimeout)


def create_mongo_client(
    url: str, *, app_name: str, timeout_ms: int = 3000
) -> AsyncMongoClient[Document]:
    """One client per process; datetimes come back tz-aware in UTC. `timeout_ms` bounds how
    long an operation waits for an unreachable server before it fails."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        appname=app_name,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        retryWrites=False,  # the embedded server has no sessions to retry with
    )


@dataclass(frozen=True)
class CollectionIndexes:
    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


OUTBOX_INDEX_SPEC = IndexModel([("outbox_pending", ASCENDING), ("outbox_seq", ASCENDING)])


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[CollectionIndexes]) -> None:
    """Create the declared indexes (idempotent) at start-up."""
    for spec in specs:
        if spec.indexes:
            await db[spec.collection].create_indexes(list(spec.indexes))


async def ping(db: AsyncDatabase[Document]) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
