"""Storage of working groups (collection `groups`, with its outbox) and of the notices of their
meetings (`meeting_notices`, one document per meeting version, with the invitation emails in
its outbox); the group's meetings are read from `events`. Documents in, domain objects out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from services.calendar.domain import Event
from services.calendar.group_repository import GroupChange
from services.calendar.groups import Group, GroupVisibility
from services.calendar.store import (
    EVENTS,
    NO_OUTBOX,
    ORGANISATIONS,
    event_from_document,
)
from services.calendar.window_keys import epoch
from shared.auth import Principal
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    ascending_indexes,
    entity_document,
    entity_fields,
    inserted,
)
from shared.outbox import OutboxWriter
from shared.pages import Paging
from shared.projection import KnownOrganisation, projected_organisation

GROUPS = "groups"
MEETING_NOTICES = "meeting_notices"

OUTBOX_COLLECTIONS = (GROUPS, MEETING_NOTICES)
# No index on the list fields (see store.py): office groups are found by `$in` on them.
INDEXES = (CollectionIndexes(GROUPS, ascending_indexes("visibility")),)


def group_document(group: Group) -> Document:
    doc = entity_document(group)
    doc["visibility"] = group.visibility.value
    doc["status"] = group.status.value
    # Whom the group concerns, for finding an office group by its organisations.
    doc["organisation_ids"] = [m.organisation_id for m in group.memberships]
    return doc


def group_from_document(doc: Document) -> Group:
    return Group.model_validate(entity_fields(doc, Group))


class GroupStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    # groups ------------------------------------------------------------------------------

    async def get_group(self, group_id: str) -> Group | None:
        doc = await self.db[GROUPS].find_one({"_id": group_id}, NO_OUTBOX)
        return group_from_document(doc) if doc else None

    async def add_group(
        self, group: Group, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        await self.writer.insert(
            GROUPS, group_document(group), messages, correlation_id=correlation_id
        )

    async def update_group(
        self, group_id: str, change: GroupChange, correlation_id: str | None
    ) -> Group | None:
        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            changed = await change(group_from_document(doc))
            if changed is None:
                return None
            group, messages = changed
            return {**doc, **group_document(group)}, messages

        stored = await self.writer.update(GROUPS, group_id, apply, correlation_id=correlation_id)
        return group_from_document(stored) if stored else None

    async def groups_seen_by(
        self, user: Principal | None, paging: Paging
    ) -> tuple[list[Group], int]:
        if user is not None and user.is_admin:
            queries: list[Document] = [{}]
        else:
            shown = [GroupVisibility.PUBLIC.value]
            if user is not None:
                shown.append(GroupVisibility.NETWORK.value)
            queries = [{"visibility": {"$in": shown}}]
            if user is not None and user.organisation_ids:
                queries.append(
                    {
                        "visibility": GroupVisibility.OFFICE.value,
                        "organisation_ids": {"$in": sorted(user.organisation_ids)},
                    }
                )
        found: dict[str, Group] = {}
        for query in queries:
            async for doc in self.db[GROUPS].find(query, NO_OUTBOX):
                found.setdefault(doc["_id"], group_from_document(doc))
        ordered = sorted(found.values(), key=lambda group: (group.name.casefold(), group.id))
        return paging.page_of(ordered)

    # meetings ----------------------------------------------------------------------------

    async def _meetings(self, group_id: str) -> list[tuple[Event, int]]:
        cursor = self.db[EVENTS].find({"group_id": group_id}, NO_OUTBOX)
        return [(event_from_document(doc), int(doc["span_end_s"])) async for doc in cursor]

    async def meetings_of(
        self, group_id: str, now: dt.datetime, paging: Paging, *, past: bool = False
    ) -> tuple[list[Event], int]:
        meetings = await self._meetings(group_id)
        now_s = epoch(now)
        chosen = [event for event, end_s in meetings if (end_s <= now_s) == past]
        chosen.sort(key=lambda event: (event.starts_at, event.id), reverse=past)
        return paging.page_of(chosen)

    async def coming_meetings(self, group_id: str, now: dt.datetime) -> list[Event]:
        now_s = epoch(now)
        return sorted(
            (
                event
                for event, end_s in await self._meetings(group_id)
                if end_s > now_s and not event.cancelled
            ),
            key=lambda event: (event.starts_at, event.id),
        )

    async def get_event(self, event_id: str) -> Event | None:
        doc = await self.db[EVENTS].find_one({"_id": event_id}, NO_OUTBOX)
        return event_from_document(doc) if doc else None

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return await projected_organisation(self.db[ORGANISATIONS], organisation_id)

    # notices -----------------------------------------------------------------------------

    async def add_notice(
        self, notice_id: str, messages: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        return await inserted(
            self.writer.insert(
                MEETING_NOTICES, {"_id": notice_id}, messages, correlation_id=correlation_id
            )
        )
