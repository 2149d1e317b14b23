"""The concept's repository in memory, for use-case tests that need no database
(cosmicpython's fake repository): the same questions as `ConceptStore`, answered from
dictionaries, and every event a write caused kept in `published` in order."""

from __future__ import annotations

from collections.abc import Sequence

from services.concept.domain import Concept, Measure, number_key
from services.concept.repository import (
    Activity,
    ActivityCount,
    Fact,
    MeasureChange,
    PublishedReport,
)
from shared.contracts.base import Payload
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.in_memory_base import PublishingStore


class InMemoryConceptStore(PublishingStore):
    def __init__(self) -> None:
        super().__init__()
        self.concepts: dict[int, Concept] = {}
        self.measures: dict[str, Measure] = {}
        self.known: dict[str, KnownOrganisation] = {}
        self.activities: dict[str, Activity] = {}
        self.fact_table: dict[str, Fact] = {}
        self.reports: dict[str, PublishedReport] = {}

    async def current_concept(self) -> Concept | None:
        return self.concepts[max(self.concepts)] if self.concepts else None

    async def concept_edition(self, edition: int) -> Concept | None:
        return self.concepts.get(edition)

    async def editions(self) -> list[Concept]:
        return [self.concepts[e] for e in sorted(self.concepts, reverse=True)]

    async def add_concept(self, concept: Concept) -> bool:
        if concept.edition in self.concepts:
            return False
        self.concepts[concept.edition] = concept
        return True

    async def save_structure(self, concept: Concept) -> None:
        self.concepts[concept.edition] = concept

    async def add_measure(
        self, measure: Measure, events: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        taken = {(m.concept_id, m.number) for m in self.measures.values()}
        if (measure.concept_id, measure.number) in taken:
            return False
        self._added(self.measures, measure.id, measure, events)
        return True

    async def update_measure(
        self, measure_id: str, change: MeasureChange, correlation_id: str | None
    ) -> Measure | None:
        return self._changed(self.measures, measure_id, change)

    async def get_measure(self, measure_id: str) -> Measure | None:
        return self.measures.get(measure_id)

    async def measures_of(self, concept_id: str) -> list[Measure]:
        found = [m for m in self.measures.values() if m.concept_id == concept_id]
        return sorted(found, key=lambda m: number_key(m.number))

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return self.known.get(organisation_id)

    async def organisations(self) -> list[KnownOrganisation]:
        return list(self.known.values())

    async def project_organisation(self, organisation: KnownOrganisation) -> None:
        stored = self.known.get(organisation.id)
        if stored is None or stored.revision < organisation.revision:
            self.known[organisation.id] = organisation

    async def project_activity(self, activity: Activity) -> None:
        stored = self.activities.get(activity.id)
        if stored is None or stored.revision < activity.revision:
            self.activities[activity.id] = activity

    def _active(self, visibilities: Sequence[str]) -> list[Activity]:
        return [a for a in self.activities.values() if a.active and a.visibility in visibilities]

    async def activities_of(
        self, measure_id: str, visibilities: Sequence[str], paging: Paging
    ) -> tuple[list[Activity], int]:
        found = [a for a in self._active(visibilities) if measure_id in a.measure_ids]
        found.sort(key=lambda a: (a.occurred_at, a.id), reverse=True)
        return paging.page_of(found)

    async def activity_counts(self, visibilities: Sequence[str]) -> dict[str, ActivityCount]:
        counts: dict[str, ActivityCount] = {}
        for activity in self._active(visibilities):
            for measure_id in activity.measure_ids:
                count = counts.get(measure_id, ActivityCount())
                if activity.kind == "event":
                    count = ActivityCount(count.events + 1, count.listings)
                else:
                    count = ActivityCount(count.events, count.listings + 1)
                counts[measure_id] = count
        return counts

    async def facts(self) -> list[Fact]:
        return sorted(self.fact_table.values(), key=lambda f: (f.position, f.name))

    async def put_fact(self, fact: Fact) -> None:
        self.fact_table[fact.key] = fact

    async def add_report(self, report: PublishedReport) -> None:
        self.reports[report.id] = report

    async def get_report(self, report_id: str) -> PublishedReport | None:
        return self.reports.get(report_id)

    async def reports_of(self, concept_id: str) -> list[PublishedReport]:
        found = [r for r in self.reports.values() if r.concept_id == concept_id]
        return sorted(found, key=lambda r: (r.cut_off, r.published_at), reverse=True)
