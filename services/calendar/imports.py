"""Importing organisations' own ICS feeds: registration, fetching (bounded and only over
http/https), and bringing the calendar in line with the feed by UID, without duplicates."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Literal

import httpcore
from pydantic import ValidationError

from services.calendar.changes import plan_event, reconcile_import, with_overrides
from services.calendar.domain import Event, InvalidEventError
from services.calendar.ics import FeedEntry, FeedError, read_feed
from services.calendar.inputs import EventCreate, ImportDefaults
from services.calendar.repository import FeedImport, ImportCounts, ImportOutcome
from services.calendar.safe_fetch import (
    FetchError,
    FetchLimits,
    Resolver,
    SafeFetcher,
    check_url,
)
from services.calendar.service import ARCHIVED_REASON, SYSTEM, Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import CalendarStore
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.calendar import EventStatus
from shared.errors import ApplicationError, ForbiddenError, RejectedError
from shared.ids import new_id
from shared.outbox import ConcurrentUpdateError

log = logging.getLogger("integrationsnetz.calendar.imports")

#: Imported events get an id derived from (organisation, UID): the same UID is the same event.
IMPORT_NAMESPACE = uuid.UUID("8c3f5a8e-2b61-4f0e-9d7a-51a6c2d4e9b3")
MAX_REPORTED_PROBLEMS = 20
STOPPED_NOTE = "The organisation has left the network; its feed is no longer imported."


def imported_event_id(organisation_id: str, uid: str) -> str:
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{organisation_id}\n{uid}"))


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def counts(self) -> ImportCounts:
        return ImportCounts(
            created=self.created,
            updated=self.updated,
            cancelled=self.cancelled,
            unchanged=self.unchanged,
            skipped=len(self.problems),
        )


def check_feed_url(url: str) -> str:
    try:
        check_url(url)
    except FetchError as exc:
        raise FeedError(str(exc)) from None
    return url


def count_events(data: bytes) -> int:
    """VEVENT components in a feed, counted before parsing it."""
    return len(_VEVENT.findall(data))


_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)


class Importer:
    """Registers feeds and runs import passes; `run` fetches due feeds periodically."""

    def __init__(
        self,
        calendar: Calendar,
        settings: CalendarSettings,
        *,
        resolver: Resolver | None = None,
        network: httpcore.AsyncNetworkBackend | None = None,
        store: CalendarStore | None = None,
    ) -> None:
        self.calendar = calendar
        #: The feeds are stored next to the events (the calendar's own store unless given).
        if store is None:
            if not isinstance(calendar.store, CalendarStore):
                raise TypeError("An importer needs the CalendarStore its calendar writes to.")
            store = calendar.store
        self.store = store
        self.settings = settings
        #: How feed hosts are resolved and connected to (None: the system's).
        self.resolver = resolver
        self.network = network

    def fetcher(self) -> SafeFetcher:
        return SafeFetcher(
            FetchLimits(
                deadline_seconds=self.settings.import_deadline_seconds,
                timeout_seconds=self.settings.import_timeout_seconds,
                max_bytes=self.settings.import_max_bytes,
                allow_private=self.settings.import_allow_private_addresses,
            ),
            resolver=self.resolver,
            network=self.network,
        )

    async def register(
        self, organisation_id: str, url: str, defaults: ImportDefaults, user: Principal
    ) -> FeedImport:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may import its feed.",
                slug="not-an-editor",
            )
        try:
            check_feed_url(url)
        except FeedError as exc:
            raise RejectedError(str(exc), slug="invalid-feed-url") from exc
        await self.calendar.require_active([organisation_id])
        return await self.store.add_import(
            FeedImport(
                id=new_id(),
                organisation_id=organisation_id,
                url=url,
                defaults=defaults,
                created_at=utc_now(),
                created_by=user.person_id,
            )
        )

    async def imports_of(self, organisation_id: str, user: Principal) -> list[FeedImport]:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may see its imports.",
                slug="not-an-editor",
            )
        return await self.store.imports_of(organisation_id)

    async def run_due(self) -> int:
        """One pass: import every feed that is due; returns how many were fetched. The
        organisations' feeds are fetched side by side, so one slow server holds up only its own
        organisation."""
        now_s = int(time.time())
        next_s = now_s + int(self.settings.import_interval_seconds)
        by_organisation: dict[str, list[FeedImport]] = {}
        for import_id in await self.store.due_import_ids(now_s):
            claimed = await self.store.claim_import(import_id, now_s, next_s)
            if claimed is None:
                continue  # another replica took it
            by_organisation.setdefault(claimed.organisation_id, []).append(claimed)
        slots = asyncio.Semaphore(self.settings.import_parallel_organisations)

        async def import_all(registrations: list[FeedImport]) -> None:
            async with slots:
                for registration in registrations:
                    await self.import_feed(registration)

        async with asyncio.TaskGroup() as group:
            for registrations in by_organisation.values():
                group.create_task(import_all(registrations))
        return sum(len(registrations) for registrations in by_organisation.values())

    async def stop_imports_of(self, organisation_id: str) -> int:
        """The organisation left the network: its feeds are not fetched any more."""
        stopped = await self.store.stop_imports_of(organisation_id, STOPPED_NOTE)
        log.info("organisation %s archived: %d imports stopped", organisation_id, stopped)
        return stopped

    async def _archived(self, organisation_id: str) -> bool:
        known = await self.store.get_organisation(organisation_id)
        return known is not None and not known.active

    async def import_feed(self, registration: FeedImport) -> ImportReport:
        """Fetch one feed and apply it; a failure is recorded on the import, never raised."""
        report = ImportReport()
        organisation_id = registration.organisation_id
        if await self._archived(organisation_id):
            await self.stop_imports_of(organisation_id)
            return report
        fetched_at = utc_now()
        state: Literal["ok", "failed"] = "ok"
        error: str | None = None
        try:
            data = await self.fetcher().fetch(registration.url)
            limit = self.settings.import_max_events
            if count_events(data) > limit:
                raise FeedError(f"the feed has more than {limit} events; nothing was imported")
            # Parsing a large feed takes seconds: not on the event loop.
            entries, problems = await asyncio.to_thread(
                read_feed, data, registration.defaults.timezone
            )
            if len(entries) + sum(len(entry.overrides) for entry in entries) > limit:
                raise FeedError(f"the feed has more than {limit} events; nothing was imported")
            report.problems.extend(problems)
            await self._apply(registration, entries, report)
        except (FeedError, FetchError) as exc:
            state, error = "failed", str(exc)
        except Exception as exc:
            log.exception("import %s failed", registration.id)
            state, error = "failed", f"unexpected error: {type(exc).__name__}"
        if await self._archived(organisation_id):
            # Archived while this feed was applied: what it brought back is called off again.
            await self.stop_imports_of(organisation_id)
            await self.calendar.cancel_future_events_of(organisation_id, None)
        outcome = ImportOutcome(
            fetched_at=fetched_at,
            state=state,
            error=error,
            counts=report.counts(),
            problems=report.problems[:MAX_REPORTED_PROBLEMS],
        )
        await self.store.save_import_result(registration.id, outcome)
        return report

    async def _apply(
        self, registration: FeedImport, entries: list[FeedEntry], report: ImportReport
    ) -> None:
        organisation_id = registration.organisation_id
        import_id = registration.id
        seen: set[str] = set()
        for entry in entries:
            event_id = imported_event_id(organisation_id, entry.uid)
            seen.add(event_id)
            try:
                await self._apply_entry(registration, event_id, entry, report)
            except (ValidationError, InvalidEventError, ApplicationError) as exc:
                report.problems.append(f"{entry.uid}: {_reason(exc)}")
        now = utc_now()
        for event_id in await self.store.upcoming_imported_event_ids(import_id, now):
            if event_id not in seen:
                saved = await self.calendar.cancel(
                    event_id, None, "Removed from the organisation's own calendar.", SYSTEM, None
                )
                report.cancelled += saved.event.cancelled
        log.info("import %s of %s: %s", import_id, organisation_id, asdict(report.counts()))

    async def _apply_entry(
        self, registration: FeedImport, event_id: str, entry: FeedEntry, report: ImportReport
    ) -> None:
        data = EventCreate.model_validate(
            {
                **registration.defaults.model_dump(mode="json"),
                **entry.fields,
                "organisation_id": registration.organisation_id,
            }
        )
        for _ in range(5):
            loaded = await self.store.load_event(event_id)
            existing = loaded.event if loaded else None
            created_at = existing.created_at if existing else utc_now()
            incoming = plan_event(
                event_id, data, created_at, import_id=registration.id, import_uid=entry.uid
            )
            incoming = with_overrides(incoming, entry.overrides)
            if entry.cancelled:
                incoming = incoming.model_copy(
                    update={
                        "status": EventStatus.CANCELLED,
                        "cancel_reason": "Cancelled in the feed.",
                    }
                )
            if existing is None and incoming.cancelled:
                report.unchanged += 1  # never seen, already called off: nothing to tell
                return
            if _left_with_organisation(existing):
                report.unchanged += 1  # its organisation left: the feed cannot revive it
                return
            event, messages = reconcile_import(existing, incoming, utc_now())
            if event is existing:
                report.unchanged += 1
                return
            try:
                # The organisation's own calendar is the truth: a room clash is reported as a
                # conflict, not refused.
                await self.calendar.save(loaded, event, messages, True, None)
            except ConcurrentUpdateError:
                continue
            if existing is None:
                report.created += 1
            elif event.cancelled and not existing.cancelled:
                report.cancelled += 1
            else:
                report.updated += 1
            return
        raise InvalidEventError("changed concurrently too often")


def _left_with_organisation(existing: Event | None) -> bool:
    """Cancelled because its organisation was archived: no feed brings it back."""
    return existing is not None and existing.cancelled and existing.cancel_reason == ARCHIVED_REASON


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    if isinstance(exc, ApplicationError):
        return exc.detail
    return str(exc)
