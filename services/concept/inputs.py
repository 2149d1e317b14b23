"""What office staff and lead organisations send the concept service: a concept edition, a
measure, a change of it, a status, an indicator value, a yearly figure. Validation of the form
only; the rules are in `domain.py`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.clock import within_years
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.ids import EntityId

#: Dates given to the concept lie in these years.
PLAUSIBLE_YEARS = range(1950, 2201)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


Day = Annotated[dt.date, AfterValidator(within_years(PLAUSIBLE_YEARS))]
Year = Annotated[int, Field(ge=1950, le=2200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Labels = Annotated[list[Label], AfterValidator(_unique), Field(max_length=30)]
Number = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{0,2}(\.[1-9][0-9]{0,2}){2}$"),
]
GoalNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{0,2}\.[1-9][0-9]{0,2}$")
]
FieldNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{0,2}$")]
Organisations = Annotated[list[EntityId], AfterValidator(_unique), Field(max_length=30)]
Figure = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


class GoalInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: GoalNumber = Field(examples=["3.2"])
    title: Title = Field(examples=["Vereine öffnen sich für Neuzugewanderte"])


class FieldInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: FieldNumber = Field(examples=["3"])
    title: Title = Field(examples=["Soziale Teilhabe"])
    goals: list[GoalInput] = Field(default_factory=list, max_length=100)


class ConceptCreate(BaseModel):
    """A new edition of the concept; it replaces the current one, which stays readable."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(examples=["Kemptener Integrationskonzept"])
    adopted_on: Day | None = Field(None, description="When the council adopted it.")
    period_start: Year | None = Field(None, examples=[2019])
    period_end: Year | None = Field(None, examples=[2025])
    adopted_by: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", examples=["Stadtrat Kempten"]
    )
    fields: list[FieldInput] = Field(default_factory=list, max_length=50)


class IndicatorInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Label = Field(examples=["Teilnehmende"])
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] = ""
    target: Figure | None = None
    baseline: Figure | None = None


class MeasureFields(BaseModel):
    """What describes a measure (shared by create, change and import)."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(examples=["Sprachcafés in allen Stadtteilen"])
    description: Text = ""
    lead_organisation_id: EntityId | None = None
    partner_organisation_ids: Organisations = Field(default_factory=list)
    target_groups: Labels = Field(default_factory=list, examples=[["Neuzugewanderte"]])
    districts: Labels = Field(default_factory=list, examples=[["Thingers"]])
    planned_start: Day | None = None
    planned_end: Day | None = None
    visibility: MeasureVisibility = MeasureVisibility.PUBLIC


class MeasureCreate(MeasureFields):
    number: Number = Field(examples=["3.2.4"])
    status: MeasureStatus = MeasureStatus.PLANNED
    indicators: list[IndicatorInput] = Field(default_factory=list, max_length=20)


class MeasurePatch(BaseModel):
    """A partial change: only the fields given change; `null` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Text | None = None
    lead_organisation_id: EntityId | None = None
    partner_organisation_ids: Organisations | None = None
    target_groups: Labels | None = None
    districts: Labels | None = None
    planned_start: Day | None = None
    planned_end: Day | None = None
    visibility: MeasureVisibility | None = None
    indicators: list[IndicatorInput] | None = Field(None, max_length=20)


#: Fields a patch may not clear with null.
REQUIRED_FIELDS = frozenset(
    {
        "title",
        "description",
        "partner_organisation_ids",
        "target_groups",
        "districts",
        "visibility",
        "indicators",
    }
)


class StatusUpdate(BaseModel):
    """A status with the day it holds from and the sentence the interim report quotes."""

    model_config = ConfigDict(extra="forbid")

    status: MeasureStatus
    on: Day | None = Field(None, description="The day it holds from; today if not given.")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = Field(
        "", examples=["Seit März finden in drei Stadtteilen wöchentlich Sprachcafés statt."]
    )


class IndicatorValueInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: Label
    on: Day
    value: Figure


class FactInput(BaseModel):
    """A named figure by year, e.g. the inhabitants of the city in 2020 and 2023."""

    model_config = ConfigDict(extra="forbid")

    name: Title = Field(examples=["Einwohnerinnen und Einwohner"])
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] = Field(
        "", examples=["%"]
    )
    position: int = Field(0, ge=0, le=1000, description="Where it stands in the table.")
    values: dict[Year, Figure] = Field(
        default_factory=dict, max_length=100, examples=[{2020: 70787, 2023: 72477}]
    )


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cut_off: Day = Field(description="The report shows the state of this day.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", examples=["Zwischenstand Oktober 2023"]
    )
