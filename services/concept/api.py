"""HTTP routes of the concept: each turns a request into one call of a use case.

Reading is open (a city website may show the public measures; signed-in members of the network
see network measures too); changing needs a token. Imports are in `import_api.py`, reports in
`report_api.py`."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.concept.inputs import (
    ConceptCreate,
    FactInput,
    IndicatorValueInput,
    MeasureCreate,
    MeasurePatch,
    StatusUpdate,
)
from services.concept.schemas import (
    ActivityPage,
    ActivityPublic,
    ConceptPublic,
    FactPublic,
    MeasurePage,
    MeasurePublic,
    Overview,
    fact_view,
    overview_of,
)
from services.concept.service import ConceptService, MeasureFilter
from shared.auth import CurrentUser, OptionalUser
from shared.context import current_correlation_id as correlation_id
from shared.contracts.concept import MeasureStatus
from shared.http import paging, state_dependency
from shared.ids import EntityId
from shared.pages import Paging

ConceptUseCases = Annotated[ConceptService, state_dependency("concept")]
AskedPage = Annotated[Paging, paging(default=50, most=500)]
Edition = Annotated[int | None, Query(ge=1, le=10_000, description="Default: the current one.")]
FactKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]


def measure_filter(
    field: Annotated[str | None, Query(max_length=10)] = None,
    status_: Annotated[MeasureStatus | None, Query(alias="status")] = None,
    lead: EntityId | None = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
) -> MeasureFilter:
    """The filters the overview and the list of measures both take."""
    return MeasureFilter(
        field_number=field, status=status_, lead_organisation_id=lead, district=district
    )


AskedMeasures = Annotated[MeasureFilter, Depends(measure_filter)]

router = APIRouter()


@router.get("/concept", tags=["concept"], summary="The current edition of the concept")
async def get_concept(service: ConceptUseCases, edition: Edition = None) -> ConceptPublic:
    return ConceptPublic.read(await service.concept(edition))


@router.get("/concept/editions", tags=["concept"], summary="Every edition, newest first")
async def list_editions(service: ConceptUseCases) -> list[ConceptPublic]:
    return [ConceptPublic.read(concept) for concept in await service.editions()]


@router.post(
    "/concept/editions",
    tags=["concept"],
    status_code=status.HTTP_201_CREATED,
    summary="Adopt a new edition, replacing the current one (office staff)",
)
async def adopt_edition(
    data: ConceptCreate, user: CurrentUser, service: ConceptUseCases
) -> ConceptPublic:
    return ConceptPublic.read(await service.adopt(data, user))


@router.get(
    "/overview",
    tags=["concept"],
    summary="Fields of action with their goals, the measures' status, progress per field",
)
async def get_overview(
    service: ConceptUseCases,
    user: OptionalUser,
    filters: AskedMeasures,
    edition: Edition = None,
) -> Overview:
    concept, measures = await service.measures(user, filters, edition)
    return overview_of(concept, measures)


@router.get("/measures", tags=["measures"], summary="Measures, in the order of their numbers")
async def list_measures(
    service: ConceptUseCases,
    user: OptionalUser,
    paged: AskedPage,
    filters: AskedMeasures,
    edition: Edition = None,
    goal: Annotated[str | None, Query(max_length=10)] = None,
) -> MeasurePage:
    _, measures = await service.measures(user, replace(filters, goal_number=goal), edition)
    items, total = paged.page_of(measures)
    return MeasurePage.of([MeasurePublic.read(m) for m in items], total, paged)


@router.post(
    "/measures",
    tags=["measures"],
    status_code=status.HTTP_201_CREATED,
    summary="Add a measure to the current edition (office staff)",
)
async def create_measure(
    data: MeasureCreate, user: CurrentUser, service: ConceptUseCases, response: Response
) -> MeasurePublic:
    measure = await service.create_measure(data, user, correlation_id())
    response.headers["Location"] = f"/measures/{measure.id}"
    return MeasurePublic.read(measure)


@router.get("/measures/{measure_id}", tags=["measures"], summary="A measure")
async def get_measure(
    measure_id: EntityId, service: ConceptUseCases, user: OptionalUser
) -> MeasurePublic:
    return MeasurePublic.read(await service.measure(measure_id, user))


@router.patch(
    "/measures/{measure_id}", tags=["measures"], summary="Change a measure (office staff)"
)
async def change_measure(
    measure_id: EntityId, patch: MeasurePatch, user: CurrentUser, service: ConceptUseCases
) -> MeasurePublic:
    return MeasurePublic.read(
        await service.change_measure(measure_id, patch, user, correlation_id())
    )


@router.post(
    "/measures/{measure_id}/status",
    tags=["measures"],
    summary="Record a status with its sentence (office staff, editors of the lead)",
)
async def update_status(
    measure_id: EntityId, update: StatusUpdate, user: CurrentUser, service: ConceptUseCases
) -> MeasurePublic:
    return MeasurePublic.read(
        await service.update_status(measure_id, update, user, correlation_id())
    )


@router.post(
    "/measures/{measure_id}/indicator-values",
    tags=["measures"],
    summary="Record an indicator's value on a day (office staff, editors of the lead)",
)
async def record_indicator_value(
    measure_id: EntityId, data: IndicatorValueInput, user: CurrentUser, service: ConceptUseCases
) -> MeasurePublic:
    return MeasurePublic.read(
        await service.record_indicator_value(measure_id, data, user, correlation_id())
    )


@router.get(
    "/measures/{measure_id}/activities",
    tags=["measures"],
    summary="Events and listings that carry the measure out, newest first",
)
async def list_activities(
    measure_id: EntityId, service: ConceptUseCases, user: OptionalUser, paged: AskedPage
) -> ActivityPage:
    items, total = await service.activities(measure_id, user, paged)
    views = [ActivityPublic.read(item, link=service.link_of(item)) for item in items]
    return ActivityPage.of(views, total, paged)


@router.get("/facts", tags=["facts"], summary="Yearly figures (the Faktencheck)")
async def list_facts(service: ConceptUseCases) -> list[FactPublic]:
    return [fact_view(fact) for fact in await service.facts()]


@router.put("/facts/{key}", tags=["facts"], summary="Set a yearly figure (office staff)")
async def put_fact(
    key: FactKey, data: FactInput, user: CurrentUser, service: ConceptUseCases
) -> FactPublic:
    return fact_view(await service.put_fact(key, data, user))
