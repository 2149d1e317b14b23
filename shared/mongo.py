"""MongoDB access: the client factory, index declarations, paged reads and the version-guarded
document store.

Every entity document is written whole with `replace_one({_id, version})` (optimistic
concurrency). That is also how outbox entries get into a document: `$push`/`$pull` of
sub-documents and `$set` of top-level datetimes are silently wrong on the embedded server
(docs/storage.md), whole-document writes are right everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ExecutionTimeout

from shared.metrics import DATABASE_COMMAND_DURATION, DATABASE_COMMANDS
from shared.pages import Paging

Document = dict[str, Any]
#: A sort order as pymongo takes it: `(field, ASCENDING or DESCENDING)` pairs, first key first.
SortOrder = Sequence[tuple[str, int]]

T = TypeVar("T")
Q = TypeVar("Q")

#: Errors that mean the database is unreachable or overloaded right now, not that the request or
#: the data is wrong: `ConnectionFailure` covers `AutoReconnect`, `NetworkTimeout`,
#: `NotPrimaryError`, `ServerSelectionTimeoutError` and `WaitQueueTimeoutError`.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (ConnectionFailure, ExecutionTimeout)


class CommandMetrics(monitoring.CommandListener):
    """Counts and times every command the client sends (`/metrics`): how many round trips a
    posting or an email costs, and which command kinds take the time."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str], Any] = {}
        self._timers: dict[str, Any] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        target = event.command.get(name)
        collection = target if isinstance(target, str) else ""
        counter = self._counters.get((name, collection))
        if counter is None:
            counter = self._counters[(name, collection)] = DATABASE_COMMANDS.labels(
                name, collection
            )
        counter.inc()

    def _observe(self, name: str, micros: int) -> None:
        timer = self._timers.get(name)
        if timer is None:
            timer = self._timers[name] = DATABASE_COMMAND_DURATION.labels(name)
        timer.observe(micros / 1_000_000)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event.command_name, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event.command_name, event.duration_micros)


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
        event_listeners=[CommandMetrics()],
    )


@dataclass(frozen=True)
class CollectionIndexes:
    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


def ascending_indexes(*fields: str) -> tuple[IndexModel, ...]:
    """One single-field ascending index on each of `fields`, in that order."""
    return tuple(IndexModel([(name, ASCENDING)]) for name in fields)


def entity_document(
    entity: BaseModel, *, key: str = "id", mode: Literal["python", "json"] = "python"
) -> Document:
    """An entity's fields as its document, the `key` field as the document's `_id`."""
    data = entity.model_dump(mode=mode)
    return {"_id": data.pop(key), **data}


def entity_fields(doc: Document, model: type[BaseModel], *, key: str = "id") -> Document:
    """The fields of `model` in a document (not the keys stored for its queries nor its
    outbox), its `_id` as the `key` field."""
    fields = {name: value for name, value in doc.items() if name in model.model_fields}
    return {**fields, key: doc["_id"]}


async def documents_by_id(
    collection: AsyncCollection[Document],
    ids: Sequence[str],
    projection: Mapping[str, Any] | None = None,
) -> dict[str, Document]:
    """The documents of these ids that there are, by id, in one query (none for no ids)."""
    if not ids:
        return {}
    cursor = collection.find({"_id": {"$in": list(ids)}}, projection)
    return {doc["_id"]: doc async for doc in cursor}


async def inserted(insert: Awaitable[object]) -> bool:
    """Whether `insert` stored its document: False when its key is taken (stored before)."""
    try:
        await insert
    except DuplicateKeyError:
        return False
    return True


@dataclass(frozen=True)
class HotQuery:
    """A filter that runs per posting, per email or per poll: an index must serve it, or its cost
    grows with the data (tests/storage checks every one's plan on the server in use)."""

    name: str
    collection: str
    filter: Document


def outbox_hot_queries(collections: Sequence[str]) -> list[HotQuery]:
    """The relay's lookup in each outbox collection."""
    return [HotQuery(f"outbox relay: {name}", name, PENDING_FILTER) for name in collections]


#: The relay's lookup filter (ordered by `outbox_seq`).
PENDING_FILTER: Document = {"outbox_pending": True}
#: The relay's lookup: pending documents, oldest first. nx-27017 plans an equality as a plain
#: (indexable) comparison only when some index's name ends with that field, so the single-field
#: index is there for that; the compound one then serves filter and order alike.
OUTBOX_INDEXES = (
    IndexModel([("outbox_pending", ASCENDING), ("outbox_seq", ASCENDING)]),
    IndexModel([("outbox_pending", ASCENDING)]),
)


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[CollectionIndexes]) -> None:
    """Create the declared indexes (idempotent) at start-up."""
    for spec in specs:
        if spec.indexes:
            await db[spec.collection].create_indexes(list(spec.indexes))


async def find_page(
    collection: AsyncCollection[Document],
    filters: Mapping[str, Any],
    sort: SortOrder,
    paging: Paging,
    *,
    read: Callable[[Document], T],
    fields: Mapping[str, int] | None = None,
) -> tuple[list[T], int]:
    """The page `paging` asks for of the documents matching `filters` in `sort` order (only
    their `fields`, if given), each turned into what `read` makes of it, and how many documents
    match in all."""
    cursor = (
        collection.find(filters, fields).sort(list(sort)).skip(paging.offset).limit(paging.limit)
    )
    items = [read(doc) async for doc in cursor]
    return items, await collection.count_documents(filters)


@dataclass(frozen=True)
class Search(Generic[Q, T]):
    """How one collection is searched page by page: the filter a query becomes, the order of
    the results, and what each document is read into."""

    collection: str
    filters: Callable[[Q], Mapping[str, Any]]
    sort: SortOrder
    read: Callable[[Document], T]
    #: The fields `read` needs (a projection), None for whole documents.
    fields: Mapping[str, int] | None = None

    async def page(
        self, db: AsyncDatabase[Document], query: Q, paging: Paging
    ) -> tuple[list[T], int]:
        """The page `paging` asks for of what `query` finds, and how many it finds in all."""
        return await find_page(
            db[self.collection],
            self.filters(query),
            self.sort,
            paging,
            read=self.read,
            fields=self.fields,
        )


async def ping(db: AsyncDatabase[Document]) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
