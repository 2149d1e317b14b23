"""The integration concept's rules: pure functions over frozen models, no I/O.

A concept edition holds fields of action and their goals; a measure belongs to a goal by its
number ("3.2.4" is measure 4 of goal 3.2 of field 3). A status change is recorded in the
measure's history with the day it holds from, who said so and the sentence the interim report
quotes. Who sees a measure depends on its visibility; who may change it on the caller's role and
on the measure's lead organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Principal
from shared.contracts.base import Payload
from shared.contracts.concept import (
    MeasureCreated,
    MeasureStatus,
    MeasureStatusChanged,
    MeasureUpdated,
    MeasureVisibility,
)

#: "3.2.4": field 3, goal 2 of field 3, measure 4 of that goal.
MEASURE_NUMBER = re.compile(r"^[1-9][0-9]{0,2}\.[1-9][0-9]{0,2}\.[1-9][0-9]{0,2}$")

#: The order statuses are shown in (reports, charts, filters).
STATUS_ORDER: tuple[MeasureStatus, ...] = tuple(MeasureStatus)

#: Fields of a measure whose change is announced as `concept.measure.updated`.
DESCRIBING_FIELDS = (
    "title",
    "description",
    "lead_organisation_id",
    "partner_organisation_ids",
    "target_groups",
    "districts",
    "planned_start",
    "planned_end",
    "visibility",
    "goal_number",
)


class MeasureRuleError(ValueError):
    """Well-formed input that a rule of the concept does not allow; `slug` says which."""

    def __init__(self, detail: str, *, slug: str) -> None:
        super().__init__(detail)
        self.slug = slug


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    title: str


class FieldOfAction(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    title: str
    goals: list[Goal] = Field(default_factory=list)

    def goal(self, number: str) -> Goal | None:
        return next((goal for goal in self.goals if goal.number == number), None)


class Concept(BaseModel):
    """One edition of the city's integration concept; a new edition replaces the current one,
    older ones stay readable."""

    model_config = ConfigDict(frozen=True)

    id: str
    edition: int = Field(ge=1)
    title: str
    adopted_on: dt.date | None = None
    period_start: int | None = None
    period_end: int | None = None
    adopted_by: str = ""
    fields: list[FieldOfAction] = Field(default_factory=list)
    created_at: dt.datetime

    def field(self, number: str) -> FieldOfAction | None:
        return next((field for field in self.fields if field.number == number), None)

    def has_goal(self, goal_number: str) -> bool:
        field = self.field(field_of_goal(goal_number))
        return field is not None and field.goal(goal_number) is not None


class StatusEntry(BaseModel):
    """One line of a measure's history: from `on`, the measure stood at `status`."""

    model_config = ConfigDict(frozen=True)

    on: dt.date
    status: MeasureStatus
    comment: str = ""
    by: str = Field(description="The person who recorded it (an opaque id).")
    recorded_at: dt.datetime


class IndicatorValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    on: dt.date
    value: float


class Indicator(BaseModel):
    """What shows a measure's effect, e.g. "Teilnehmende Sprachcafé" per year."""

    model_config = ConfigDict(frozen=True)

    name: str
    unit: str = ""
    target: float | None = None
    baseline: float | None = None
    values: list[IndicatorValue] = Field(default_factory=list)


class Measure(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    concept_id: str
    number: str
    goal_number: str
    title: str
    description: str = ""
    lead_organisation_id: str | None = None
    partner_organisation_ids: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    status: MeasureStatus = MeasureStatus.PLANNED
    history: list[StatusEntry] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    visibility: MeasureVisibility = MeasureVisibility.PUBLIC
    revision: int = 1
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def field_number(self) -> str:
        return field_of_goal(self.goal_number)

    @property
    def organisation_ids(self) -> list[str]:
        lead = [self.lead_organisation_id] if self.lead_organisation_id else []
        return [*lead, *self.partner_organisation_ids]


# --- numbers ---------------------------------------------------------------------------------


def goal_of_number(number: str) -> str:
    """ "3.2.4" → "3.2"."""
    return number.rsplit(".", 1)[0]


def field_of_goal(goal_number: str) -> str:
    """ "3.2" → "3"."""
    return goal_number.split(".", 1)[0]


def number_key(number: str) -> tuple[int, ...]:
    """Sorts "3.10.1" after "3.9.2" (numbers, not text)."""
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def check_number(number: str) -> None:
    if not MEASURE_NUMBER.match(number):
        raise MeasureRuleError(
            f"{number!r} is not a measure number like 3.2.4.", slug="bad-measure-number"
        )


# --- who sees and who changes what ---------------------------------------------------------


def visible_levels(user: Principal | None) -> frozenset[MeasureVisibility]:
    """The visibilities a caller sees: the public everything public, members of the network
    network measures too, office staff everything."""
    if user is None:
        return frozenset({MeasureVisibility.PUBLIC})
    if user.is_admin:
        return frozenset(MeasureVisibility)
    return frozenset({MeasureVisibility.PUBLIC, MeasureVisibility.NETWORK})


def may_see(measure: Measure, user: Principal | None) -> bool:
    """Whether `user` may see the measure; a lead organisation always sees its own."""
    if measure.visibility in visible_levels(user):
        return True
    return user is not None and measure.lead_organisation_id in user.organisation_ids


def may_report_progress(measure: Measure, user: Principal) -> bool:
    """Office staff, and editors of the lead organisation, record status and indicator values."""
    return user.is_admin or (
        measure.lead_organisation_id is not None
        and measure.lead_organisation_id in user.organisation_ids
    )


# --- changes and the events they announce --------------------------------------------------


def _facts(measure: Measure) -> dict[str, object]:
    return {
        "measure_id": measure.id,
        "concept_id": measure.concept_id,
        "number": measure.number,
        "field_number": measure.field_number,
        "goal_number": measure.goal_number,
        "title": measure.title,
        "description": measure.description,
        "lead_organisation_id": measure.lead_organisation_id,
        "partner_organisation_ids": measure.partner_organisation_ids,
        "target_groups": measure.target_groups,
        "districts": measure.districts,
        "planned_start": measure.planned_start,
        "planned_end": measure.planned_end,
        "status": measure.status,
        "revision": measure.revision,
        "updated_at": measure.updated_at,
    }


def public(measure: Measure, events: Sequence[Payload]) -> list[Payload]:
    """Only public measures are announced; the others keep their events to themselves."""
    return list(events) if measure.visibility is MeasureVisibility.PUBLIC else []


def created(measure: Measure) -> list[Payload]:
    return public(measure, [MeasureCreated.model_validate(_facts(measure))])


def describe(
    measure: Measure, changes: dict[str, object], now: dt.datetime
) -> tuple[Measure, list[Payload]] | None:
    """The measure with its describing fields changed; None when nothing changes. A measure
    that becomes public is announced as created (subscribers never heard of it)."""
    changed = sorted(name for name, value in changes.items() if getattr(measure, name) != value)
    if not changed:
        return None
    after = measure.model_copy(
        update={**changes, "revision": measure.revision + 1, "updated_at": now}
    )
    if (
        after.visibility is MeasureVisibility.PUBLIC
        and measure.visibility is not MeasureVisibility.PUBLIC
    ):
        return after, created(after)
    event = MeasureUpdated.model_validate({**_facts(after), "changed_fields": changed})
    return after, public(after, [event])


def change_status(
    measure: Measure,
    status: MeasureStatus,
    on: dt.date,
    comment: str,
    by: str,
    now: dt.datetime,
) -> tuple[Measure, list[Payload]]:
    """Record a status (also the same one again: a new sentence for the report)."""
    entry = StatusEntry(on=on, status=status, comment=comment, by=by, recorded_at=now)
    history = sorted([*measure.history, entry], key=lambda e: (e.on, e.recorded_at))
    current = history[-1].status
    after = measure.model_copy(
        update={
            "status": current,
            "history": history,
            "revision": measure.revision + 1,
            "updated_at": now,
        }
    )
    event = MeasureStatusChanged.model_validate(
        {
            **_facts(after),
            "previous_status": measure.status,
            "status_on": on,
            "comment": comment,
        }
    )
    return after, public(after, [event])


def record_indicator_value(
    measure: Measure, indicator: str, on: dt.date, value: float, now: dt.datetime
) -> Measure:
    """The measure with `value` as the indicator's value on `on` (replacing one of that day)."""
    names = [item.name for item in measure.indicators]
    if indicator not in names:
        raise MeasureRuleError(
            f"The measure has no indicator {indicator!r}.", slug="unknown-indicator"
        )
    indicators = []
    for item in measure.indicators:
        if item.name == indicator:
            values = [v for v in item.values if v.on != on] + [IndicatorValue(on=on, value=value)]
            item = item.model_copy(update={"values": sorted(values, key=lambda v: v.on)})
        indicators.append(item)
    return measure.model_copy(
        update={"indicators": indicators, "revision": measure.revision + 1, "updated_at": now}
    )


# --- reading ---------------------------------------------------------------------------------


def status_at(measure: Measure, day: dt.date) -> StatusEntry | None:
    """The history entry in force on `day`, or None if the measure had no status yet."""
    entries = [entry for entry in measure.history if entry.on <= day]
    return entries[-1] if entries else None


def status_distribution(statuses: Iterable[MeasureStatus]) -> dict[MeasureStatus, int]:
    """How many measures stand at each status, every status listed (zero too)."""
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in STATUS_ORDER}


def change_between(before: float | None, after: float | None) -> tuple[float | None, float | None]:
    """Absolute and relative (percent, one decimal) change from `before` to `after`; None where
    it cannot be said (a value missing, or a relative change from zero)."""
    if before is None or after is None:
        return None, None
    absolute = round(after - before, 6)
    relative = round((after - before) / before * 100, 1) if before != 0 else None
    return absolute, relative
