"""What the concept's use cases ask of storage, in the concept's own terms: editions, measures,
the activities of the calendar and the exchange that carry measures out, the organisations it
knows, yearly figures and published reports. `ConceptStore` answers on MongoDB, an in-memory
twin in the use-case tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from services.concept.domain import Concept, Measure
from shared.contracts.base import Payload
from shared.pages import Paging
from shared.projection import KnownOrganisation

#: What a use case does to a measure: the changed measure and its events, or None.
MeasureChange = Callable[[Measure], tuple[Measure, Sequence[Payload]] | None]

ActivityKind = Literal["event", "offer", "request"]


@dataclass(frozen=True)
class Activity:
    """An event of the calendar or a listing of the exchange that names measures it carries
    out, as the concept keeps it (newest revision wins)."""

    kind: ActivityKind
    source_id: str
    title: str
    organisation_id: str
    measure_ids: list[str]
    #: "public" or "network" (the calendar's visibility; listings are public)
    visibility: str
    #: False once cancelled, withdrawn or expired: it no longer counts
    active: bool
    occurred_at: dt.datetime
    revision: int

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.source_id}"


@dataclass(frozen=True)
class ActivityCount:
    """How many active events and listings carry a measure out."""

    events: int = 0
    listings: int = 0

    @property
    def total(self) -> int:
        return self.events + self.listings


@dataclass(frozen=True)
class Fact:
    """A named figure by year (the "Faktencheck" table)."""

    key: str
    name: str
    unit: str = ""
    position: int = 0
    values: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedReport:
    """A frozen snapshot of the concept's state at a cut-off day (see `reports.py`)."""

    id: str
    concept_id: str
    title: str
    cut_off: dt.date
    published_at: dt.datetime
    published_by: str
    snapshot: dict[str, Any]


class ConceptRepository(Protocol):
    """What the concept's use cases need of storage."""

    async def current_concept(self) -> Concept | None: ...

    async def concept_edition(self, edition: int) -> Concept | None: ...

    async def editions(self) -> list[Concept]: ...

    async def add_concept(self, concept: Concept) -> bool:
        """False when the edition exists already."""
        ...

    async def save_structure(self, concept: Concept) -> None:
        """Store the edition's fields and goals as they are now."""
        ...

    async def add_measure(
        self, measure: Measure, events: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        """False when the concept has a measure of that number already."""
        ...

    async def update_measure(
        self, measure_id: str, change: MeasureChange, correlation_id: str | None
    ) -> Measure | None: ...

    async def get_measure(self, measure_id: str) -> Measure | None: ...

    async def measures_of(self, concept_id: str) -> list[Measure]:
        """Every measure of an edition, in the order of their numbers."""
        ...

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None: ...

    async def organisations(self) -> list[KnownOrganisation]: ...

    async def project_organisation(self, organisation: KnownOrganisation) -> None: ...

    async def project_activity(self, activity: Activity) -> None:
        """Keep the newest revision of an activity; older or repeated ones change nothing."""
        ...

    async def activities_of(
        self, measure_id: str, visibilities: Sequence[str], paging: Paging
    ) -> tuple[list[Activity], int]:
        """The active activities of a measure with one of `visibilities`, newest first."""
        ...

    async def activity_counts(self, visibilities: Sequence[str]) -> dict[str, ActivityCount]:
        """Active activities with one of `visibilities`, counted per measure id."""
        ...

    async def facts(self) -> list[Fact]: ...

    async def put_fact(self, fact: Fact) -> None: ...

    async def add_report(self, report: PublishedReport) -> None: ...

    async def get_report(self, report_id: str) -> PublishedReport | None: ...

    async def reports_of(self, concept_id: str) -> list[PublishedReport]:
        """Published reports of an edition, latest cut-off first."""
        ...
