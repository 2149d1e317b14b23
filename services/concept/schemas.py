"""What the concept's API answers with: views of editions, measures, activities, figures and
the overview (`api.py` fills them)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from services.concept.domain import (
    Concept,
    FieldOfAction,
    Indicator,
    Measure,
    StatusEntry,
    status_distribution,
)
from services.concept.repository import Fact
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.pages import Page
from shared.views import View


class ConceptPublic(View):
    id: str
    edition: int
    title: str
    adopted_on: dt.date | None
    period_start: int | None
    period_end: int | None
    adopted_by: str
    fields: list[FieldOfAction]
    created_at: dt.datetime


class MeasurePublic(View):
    id: str
    concept_id: str
    number: str
    field_number: str
    goal_number: str
    title: str
    description: str
    lead_organisation_id: str | None
    partner_organisation_ids: list[str]
    target_groups: list[str]
    districts: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: MeasureStatus
    history: list[StatusEntry] = Field(description="Status changes, oldest first.")
    indicators: list[Indicator]
    visibility: MeasureVisibility
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


MeasurePage = Page[MeasurePublic]


class ActivityPublic(View):
    kind: str = Field(description="`event`, `offer` or `request`.")
    source_id: str
    title: str
    organisation_id: str
    visibility: str
    occurred_at: dt.datetime
    link: str = Field(description="Its page in the portal.")


class ActivityPage(Page[ActivityPublic]):
    pass


class FactPublic(View):
    key: str
    name: str
    unit: str
    position: int
    values: dict[int, float]


class FieldProgress(View):
    """A field of action with its goals and how its measures stand."""

    number: str
    title: str
    goals: list[dict[str, str]]
    total: int
    statuses: dict[MeasureStatus, int]


class MeasureLine(View):
    id: str
    number: str
    goal_number: str
    title: str
    status: MeasureStatus
    lead_organisation_id: str | None
    visibility: MeasureVisibility


class Overview(View):
    concept: ConceptPublic
    fields: list[FieldProgress]
    measures: list[MeasureLine]
    statuses: dict[MeasureStatus, int]


def overview_of(concept: Concept, measures: list[Measure]) -> Overview:
    fields = [
        FieldProgress(
            number=field.number,
            title=field.title,
            goals=[{"number": g.number, "title": g.title} for g in field.goals],
            total=sum(1 for m in measures if m.field_number == field.number),
            statuses=status_distribution(
                m.status for m in measures if m.field_number == field.number
            ),
        )
        for field in concept.fields
    ]
    return Overview(
        concept=ConceptPublic.read(concept),
        fields=fields,
        measures=[MeasureLine.read(m) for m in measures],
        statuses=status_distribution(m.status for m in measures),
    )


def fact_view(fact: Fact) -> FactPublic:
    return FactPublic.read(fact)
