"""The calendar's documents keep everything its records hold: what is written is read back
the same, so nothing the use cases decided is lost in storage."""

from __future__ import annotations

import dataclasses
import datetime as dt

from services.calendar.clashes import Clash
from services.calendar.conflicts import Conflict
from services.calendar.inputs import ImportDefaults
from services.calendar.repository import FeedImport, ImportCounts
from services.calendar.store import (
    conflict_document,
    conflict_from_document,
    import_document,
    import_from_document,
)
from shared.contracts.calendar import ConflictKind, Venue
from shared.contracts.vocabulary import Audience

START = dt.datetime(2030, 6, 20, 12, tzinfo=dt.UTC)


def test_a_conflict_is_read_back_as_it_was_written() -> None:
    clash = Clash(
        kind=ConflictKind.AUDIENCE,
        event_id="b-event",
        other_event_id="a-event",
        occurrence_start=START,
        other_occurrence_start=START + dt.timedelta(hours=1),
        overlap_starts_at=START + dt.timedelta(hours=1),
        overlap_ends_at=START + dt.timedelta(hours=3),
        shared_audience=(Audience.CHILDREN, Audience.FAMILIES),
        venue=Venue(name="Stadtteilzentrum Nordstadt", room="Saal 2"),
        district="Nordstadt",
    )
    conflict = Conflict.of_clash(clash, ["mriya", "linde", "mriya"], START)
    closed = dataclasses.replace(conflict, state="closed", closed_at=START)

    for written in (conflict, closed):
        document = conflict_document(written)
        assert conflict_from_document(document) == written
        assert document["event_ids"] == ["a-event", "b-event"]
    assert conflict.organisation_ids == ["mriya", "linde"]


def test_a_feed_import_is_read_back_as_it_was_written() -> None:
    defaults = ImportDefaults.model_validate({"district": "Nordstadt", "audience": ["youth"]})
    fresh = FeedImport(
        id="import-1",
        organisation_id="mriya",
        url="https://verein.example/kalender.ics",
        defaults=defaults,
        created_at=START,
        created_by="person-1",
    )
    fetched = dataclasses.replace(
        fresh,
        state="failed",
        last_fetched_at=START,
        last_error="the feed is larger than 10 bytes",
        last_result=ImportCounts(created=2, unchanged=1, skipped=1),
        problems=["uid-3: no DTSTART"],
    )

    for written in (fresh, fetched):
        document = import_document(written)
        assert import_from_document(document) == written
        assert document["defaults"]["audience"] == ["youth"]
