"""Events published by the concept service (`concept.*`).

The city's integration concept: fields of action, goals and the measures that carry them out.
Only **public** measures are announced on the stream; a measure visible to the partner network
or to the office alone never appears on it, not even when it changes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from shared.contracts.base import Payload, Revision, changed_field_names


class MeasureStatus(StrEnum):
    """How far a measure has come (the interim report's "Umsetzungsstand")."""

    PLANNED = "planned"
    IN_PREPARATION = "in_preparation"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    CONTINUOUS = "continuous"
    PAUSED = "paused"
    DROPPED = "dropped"


#: The German word for each status, as the report prints it and the portal shows it.
MEASURE_STATUS_LABELS: dict[MeasureStatus, str] = {
    MeasureStatus.PLANNED: "geplant",
    MeasureStatus.IN_PREPARATION: "in Vorbereitung",
    MeasureStatus.IN_PROGRESS: "in Umsetzung",
    MeasureStatus.IMPLEMENTED: "umgesetzt",
    MeasureStatus.CONTINUOUS: "Daueraufgabe",
    MeasureStatus.PAUSED: "pausiert",
    MeasureStatus.DROPPED: "entfallen",
}


class MeasureVisibility(StrEnum):
    """Who may see a measure: everyone, the partner network, or the integration office."""

    PUBLIC = "public"
    NETWORK = "network"
    OFFICE = "office"


class MeasureFacts(Payload):
    """The public facts about a measure of the integration concept, as they are now."""

    measure_id: str = Field(
        description="Measure id (UUIDv7).", examples=["01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"]
    )
    concept_id: str = Field(
        description="The edition of the concept the measure belongs to.",
        examples=["01a2f3c4-1111-7f80-9a1b-2c3d4e5f6a7b"],
    )
    number: str = Field(
        description="Its number as the concept document gives it: field, goal, measure.",
        examples=["3.2.4"],
    )
    field_number: str = Field(description="Number of its field of action.", examples=["3"])
    goal_number: str = Field(description="Number of its goal.", examples=["3.2"])
    title: str = Field(description="Title.", examples=["Sprachcafés in allen Stadtteilen"])
    description: str = Field("", description="What the measure is about.")
    lead_organisation_id: str | None = Field(
        None,
        description="The organisation leading it (see `directory.*`); city offices are "
        "organisations too.",
    )
    partner_organisation_ids: list[str] = Field(
        default_factory=list, description="Organisations carrying it out with the lead."
    )
    target_groups: list[str] = Field(
        default_factory=list, description="Whom it is for.", examples=[["Neuzugewanderte"]]
    )
    districts: list[str] = Field(
        default_factory=list, description="Districts it concerns.", examples=[["Thingers"]]
    )
    planned_start: dt.date | None = Field(None, description="Planned start.")
    planned_end: dt.date | None = Field(None, description="Planned end.")
    status: MeasureStatus = Field(description="Where it stands.", examples=["in_progress"])
    revision: Revision
    updated_at: dt.datetime = Field(
        description="When it last changed (UTC).", examples=["2026-12-01T09:00:00Z"]
    )

    subject_field: ClassVar[str] = "measure_id"


class MeasureCreated(MeasureFacts):
    """A measure was added to the concept (or became public)."""

    routing_key: ClassVar[str] = "concept.measure.created"


class MeasureUpdated(MeasureFacts):
    """A measure's description changed (title, lead, timeline …), not its status."""

    routing_key: ClassVar[str] = "concept.measure.updated"
    changed_fields: list[str] = changed_field_names(["title", "lead_organisation_id"])


class MeasureStatusChanged(MeasureFacts):
    """A measure's status changed; `comment` is the sentence the interim report quotes."""

    routing_key: ClassVar[str] = "concept.measure.status_changed"
    previous_status: MeasureStatus = Field(
        description="The status before the change.", examples=["in_preparation"]
    )
    status_on: dt.date = Field(description="The day the new status holds from.")
    comment: str = Field(
        "",
        description="What happened, in the office's or the lead organisation's words.",
        examples=["Seit März 2023 finden in drei Stadtteilen wöchentlich Sprachcafés statt."],
    )


CONCEPT_EVENTS: tuple[type[Payload], ...] = (
    MeasureCreated,
    MeasureUpdated,
    MeasureStatusChanged,
)

__all__ = [
    "CONCEPT_EVENTS",
    "MeasureCreated",
    "MeasureFacts",
    "MeasureStatus",
    "MeasureStatusChanged",
    "MeasureUpdated",
    "MeasureVisibility",
]
