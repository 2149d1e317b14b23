"""The concept's storage: editions, measures (with their outbox), the activities that carry
measures out, the projection of organisations, yearly figures and published reports; documents
in, domain objects out.

Measures, editions and reports are stored in their JSON form (dates as ISO strings): no query
compares their dates, and nothing is `$set` piecemeal (docs/storage.md)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.concept.activity_store import ACTIVITY_INDEXES, ActivityStore, activity_hot_queries
from services.concept.domain import Concept, Measure, number_key
from services.concept.repository import (
    Activity,
    ActivityCount,
    Fact,
    MeasureChange,
    PublishedReport,
)
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    HotQuery,
    ascending_indexes,
    entity_document,
    entity_fields,
    inserted,
)
from shared.outbox import OutboxWriter
from shared.pages import Paging
from shared.projection import (
    KnownOrganisation,
    apply_revision,
    organisation_from_document,
    projected_organisation,
)

CONCEPTS = "concepts"
MEASURES = "measures"
ORGANISATIONS = "organisations"
FACTS = "facts"
REPORTS = "reports"

OUTBOX_COLLECTIONS = (MEASURES,)

#: nx-27017 uses an index for an equality only if some index's name ends with that field
#: (docs/storage.md): each compound below ends with the field its queries ask for.
INDEXES = (
    CollectionIndexes(CONCEPTS, (IndexModel([("edition", ASCENDING)], unique=True),)),
    CollectionIndexes(
        MEASURES,
        (
            # one number per edition; the edition's measures are read by `concept_id`
            IndexModel([("number", ASCENDING), ("concept_id", ASCENDING)], unique=True),
            IndexModel([("concept_id", ASCENDING)]),
        ),
    ),
    *ACTIVITY_INDEXES,
    CollectionIndexes(REPORTS, ascending_indexes("concept_id")),
)


# --- documents ----------------------------------------------------------------------------


def measure_document(measure: Measure) -> Document:
    return {**entity_document(measure, mode="json"), "field_number": measure.field_number}


def measure_from_document(doc: Document) -> Measure:
    return Measure.model_validate(entity_fields(doc, Measure))


def concept_document(concept: Concept) -> Document:
    return entity_document(concept, mode="json")


def concept_from_document(doc: Document) -> Concept:
    return Concept.model_validate(entity_fields(doc, Concept))


_FACT = TypeAdapter(Fact)
_REPORT = TypeAdapter(PublishedReport)


def fact_document(fact: Fact) -> Document:
    # in the JSON form the years are strings, as keys of stored maps must be
    data = _FACT.dump_python(fact, mode="json")
    return {"_id": data.pop("key"), **data}


def fact_from_document(doc: Document) -> Fact:
    return _FACT.validate_python({**doc, "key": doc["_id"]})


def report_document(report: PublishedReport) -> Document:
    data = _REPORT.dump_python(report)
    return {"_id": data.pop("id"), **data, "cut_off": report.cut_off.isoformat()}


def report_from_document(doc: Document) -> PublishedReport:
    return _REPORT.validate_python({**doc, "id": doc["_id"]})


def hot_queries(measure_id: str) -> list[HotQuery]:
    """What the overview, a measure's page and every consumed event ask the database."""
    return [
        HotQuery("overview: measures of an edition", MEASURES, {"concept_id": "c"}),
        *activity_hot_queries(measure_id),
    ]


class ConceptStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer
        self.activities = ActivityStore(db)

    # editions ------------------------------------------------------------------------------

    async def current_concept(self) -> Concept | None:
        doc = await self.db[CONCEPTS].find_one({}, sort=[("edition", DESCENDING)])
        return concept_from_document(doc) if doc else None

    async def concept_edition(self, edition: int) -> Concept | None:
        doc = await self.db[CONCEPTS].find_one({"edition": edition})
        return concept_from_document(doc) if doc else None

    async def editions(self) -> list[Concept]:
        cursor = self.db[CONCEPTS].find({}).sort("edition", DESCENDING)
        return [concept_from_document(doc) async for doc in cursor]

    async def add_concept(self, concept: Concept) -> bool:
        return await inserted(self.db[CONCEPTS].insert_one(concept_document(concept)))

    async def save_structure(self, concept: Concept) -> None:
        await self.db[CONCEPTS].replace_one({"_id": concept.id}, concept_document(concept))

    # measures ------------------------------------------------------------------------------

    async def add_measure(
        self, measure: Measure, events: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        return await inserted(
            self.writer.insert(
                MEASURES, measure_document(measure), events, correlation_id=correlation_id
            )
        )

    async def update_measure(
        self, measure_id: str, change: MeasureChange, correlation_id: str | None
    ) -> Measure | None:
        return await self.writer.update_entity(
            MEASURES,
            measure_id,
            change,
            read=measure_from_document,
            write=measure_document,
            correlation_id=correlation_id,
        )

    async def get_measure(self, measure_id: str) -> Measure | None:
        doc = await self.db[MEASURES].find_one({"_id": measure_id})
        return measure_from_document(doc) if doc else None

    async def measures_of(self, concept_id: str) -> list[Measure]:
        cursor = self.db[MEASURES].find({"concept_id": concept_id}, {"outbox": 0})
        measures = [measure_from_document(doc) async for doc in cursor]
        return sorted(measures, key=lambda m: number_key(m.number))

    # organisations -------------------------------------------------------------------------

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return await projected_organisation(self.db[ORGANISATIONS], organisation_id)

    async def organisations(self) -> list[KnownOrganisation]:
        return [organisation_from_document(doc) async for doc in self.db[ORGANISATIONS].find({})]

    async def project_organisation(self, organisation: KnownOrganisation) -> None:
        await apply_revision(
            self.db[ORGANISATIONS],
            organisation.id,
            organisation.revision,
            {"name": organisation.name, "status": organisation.status.value},
        )

    # activities ----------------------------------------------------------------------------

    async def project_activity(self, activity: Activity) -> None:
        await self.activities.project(activity)

    async def activities_of(
        self, measure_id: str, visibilities: Sequence[str], paging: Paging
    ) -> tuple[list[Activity], int]:
        return await self.activities.of_measure(measure_id, visibilities, paging)

    async def activity_counts(self, visibilities: Sequence[str]) -> dict[str, ActivityCount]:
        return await self.activities.counts(visibilities)

    # facts ---------------------------------------------------------------------------------

    async def facts(self) -> list[Fact]:
        facts = [fact_from_document(doc) async for doc in self.db[FACTS].find({})]
        return sorted(facts, key=lambda f: (f.position, f.name))

    async def put_fact(self, fact: Fact) -> None:
        doc = fact_document(fact)
        # a replace with upsert inserts under a new ObjectId on nx-27017: replace, else insert
        replaced = await self.db[FACTS].replace_one({"_id": fact.key}, doc)
        if replaced.matched_count:
            return
        try:
            await self.db[FACTS].insert_one(doc)
        except DuplicateKeyError:
            await self.db[FACTS].replace_one({"_id": fact.key}, doc)

    # reports -------------------------------------------------------------------------------

    async def add_report(self, report: PublishedReport) -> None:
        await self.db[REPORTS].insert_one(report_document(report))

    async def get_report(self, report_id: str) -> PublishedReport | None:
        doc = await self.db[REPORTS].find_one({"_id": report_id})
        return report_from_document(doc) if doc else None

    async def reports_of(self, concept_id: str) -> list[PublishedReport]:
        cursor = self.db[REPORTS].find({"concept_id": concept_id})
        reports = [report_from_document(doc) async for doc in cursor]
        return sorted(reports, key=lambda r: (r.cut_off, r.published_at), reverse=True)
