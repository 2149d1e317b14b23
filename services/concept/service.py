"""The concept's use cases: editions, measures and their progress, the activities that carry
them out, yearly figures. Who may do what is decided here; errors are application errors with
stable slugs (`shared/errors.py`), never HTTP ones.

Office staff edit everything; editors of a measure's lead organisation record its status,
history and indicator values; members of the network see network measures, everyone the public
ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.concept import domain
from services.concept.domain import Concept, FieldOfAction, Goal, Measure, MeasureRuleError
from services.concept.inputs import (
    REQUIRED_FIELDS,
    ConceptCreate,
    FactInput,
    IndicatorValueInput,
    MeasureCreate,
    MeasurePatch,
    StatusUpdate,
)
from services.concept.repository import (
    Activity,
    ConceptRepository,
    Fact,
    MeasureChange,
)
from services.concept.settings import ConceptSettings
from shared.auth import Principal
from shared.clock import BERLIN, Clock, utc_now
from shared.contracts.base import Payload
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RejectedError,
)
from shared.ids import new_id
from shared.pages import Paging
from shared.projection import KnownOrganisation
from shared.revisions import refuse_clearing
from shared.text import fold


@dataclass(frozen=True)
class MeasureFilter:
    """What a list of measures asks for; None means "any"."""

    field_number: str | None = None
    goal_number: str | None = None
    status: MeasureStatus | None = None
    lead_organisation_id: str | None = None
    district: str | None = None

    def passes(self, measure: Measure) -> bool:
        return all(
            (
                self.field_number is None or measure.field_number == self.field_number,
                self.goal_number is None or measure.goal_number == self.goal_number,
                self.status is None or measure.status is self.status,
                self.lead_organisation_id is None
                or measure.lead_organisation_id == self.lead_organisation_id,
                self.district is None
                or fold(self.district) in {fold(d) for d in measure.districts},
            )
        )


def _rule_refused(error: MeasureRuleError) -> RejectedError:
    return RejectedError(str(error), slug=error.slug)


def _refused_patch(detail: str, *, slug: str, fields: Sequence[str]) -> Exception:
    return RejectedError(detail, slug=slug, fields=list(fields))


def activity_visibilities(user: Principal | None) -> list[str]:
    """Network events are for signed-in members of the network only."""
    return ["public"] if user is None else ["public", "network"]


class ConceptService:
    def __init__(
        self, store: ConceptRepository, settings: ConceptSettings, clock: Clock = utc_now
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def today(self) -> dt.date:
        return self.clock().astimezone(BERLIN).date()

    # editions ------------------------------------------------------------------------------

    async def concept(self, edition: int | None = None) -> Concept:
        found = await (
            self.store.current_concept() if edition is None else self.store.concept_edition(edition)
        )
        if found is None:
            raise NotFoundError("There is no concept (edition) yet.", slug="no-concept")
        return found

    async def editions(self) -> list[Concept]:
        return await self.store.editions()

    async def adopt(self, data: ConceptCreate, user: Principal) -> Concept:
        """A new edition, replacing the current one (which stays readable)."""
        office_only(user)
        if data.period_start and data.period_end and data.period_start > data.period_end:
            raise RejectedError(
                "The period must start before it ends.", slug="bad-period", fields=["period_end"]
            )
        fields = _structure(data)
        for _ in range(5):  # two editions adopted at once: the later takes the next number
            current = await self.store.current_concept()
            concept = Concept(
                id=new_id(),
                edition=(current.edition + 1) if current else 1,
                title=data.title,
                adopted_on=data.adopted_on,
                period_start=data.period_start,
                period_end=data.period_end,
                adopted_by=data.adopted_by,
                fields=fields,
                created_at=self.clock(),
            )
            if await self.store.add_concept(concept):
                return concept
        raise ConflictError("Editions are being adopted at the same time.", slug="busy")

    async def save_structure(self, concept: Concept) -> None:
        await self.store.save_structure(concept)

    # measures ------------------------------------------------------------------------------

    async def measures(
        self, user: Principal | None, filters: MeasureFilter, edition: int | None = None
    ) -> tuple[Concept, list[Measure]]:
        concept = await self.concept(edition)
        measures = await self.store.measures_of(concept.id)
        return concept, [m for m in measures if domain.may_see(m, user) and filters.passes(m)]

    async def measure(self, measure_id: str, user: Principal | None) -> Measure:
        measure = await self.store.get_measure(measure_id)
        if measure is None or not domain.may_see(measure, user):
            raise NotFoundError("There is no such measure.", slug="no-measure")
        return measure

    async def create_measure(
        self, data: MeasureCreate, user: Principal, correlation_id: str | None
    ) -> Measure:
        office_only(user)
        concept = await self.concept()
        goal_number = domain.goal_of_number(data.number)
        if not concept.has_goal(goal_number):
            raise RejectedError(
                f"The concept has no goal {goal_number}.", slug="unknown-goal", fields=["number"]
            )
        await self._check_organisations(data.lead_organisation_id, data.partner_organisation_ids)
        now = self.clock()
        measure = new_measure(concept.id, data, goal_number, user.person_id, now, self.today())
        if not await self.store.add_measure(measure, domain.created(measure), correlation_id):
            raise ConflictError(
                f"The concept has a measure {data.number} already.",
                slug="duplicate-number",
                fields=["number"],
            )
        return measure

    async def change_measure(
        self, measure_id: str, patch: MeasurePatch, user: Principal, correlation_id: str | None
    ) -> Measure:
        office_only(user)
        given = patch.model_dump(exclude_unset=True)
        refuse_clearing(given, REQUIRED_FIELDS, _refused_patch)
        if "lead_organisation_id" in given or "partner_organisation_ids" in given:
            await self._check_organisations(
                given.get("lead_organisation_id"), given.get("partner_organisation_ids") or []
            )
        changes: dict[str, object] = dict(given)
        if patch.indicators is not None:
            changes["indicators"] = [
                domain.Indicator(**item.model_dump()) for item in patch.indicators
            ]
        return await self._change(
            measure_id,
            lambda m: domain.describe(m, _keep_values(m, changes), self.clock()),
            correlation_id,
        )

    async def update_status(
        self, measure_id: str, update: StatusUpdate, user: Principal, correlation_id: str | None
    ) -> Measure:
        await self._progress_of(measure_id, user)
        on = update.on or self.today()
        if on > self.today():
            raise RejectedError(
                "A status holds from today or a past day.", slug="future-status", fields=["on"]
            )
        return await self._change(
            measure_id,
            lambda m: domain.change_status(
                m, update.status, on, update.comment, user.person_id, self.clock()
            ),
            correlation_id,
        )

    async def record_indicator_value(
        self,
        measure_id: str,
        data: IndicatorValueInput,
        user: Principal,
        correlation_id: str | None,
    ) -> Measure:
        await self._progress_of(measure_id, user)

        def record(measure: Measure) -> tuple[Measure, list[Payload]]:
            changed = domain.record_indicator_value(
                measure, data.indicator, data.on, data.value, self.clock()
            )
            return changed, []

        try:
            return await self._change(measure_id, record, correlation_id)
        except MeasureRuleError as exc:
            raise _rule_refused(exc) from exc

    async def _progress_of(self, measure_id: str, user: Principal) -> Measure:
        measure = await self.measure(measure_id, user)
        if not domain.may_report_progress(measure, user):
            raise ForbiddenError(
                "Only office staff and editors of the lead organisation record progress.",
                slug="not-lead",
            )
        return measure

    async def _change(
        self,
        measure_id: str,
        change: MeasureChange,
        correlation_id: str | None,
    ) -> Measure:
        changed = await self.store.update_measure(measure_id, change, correlation_id)
        if changed is None:
            raise NotFoundError("There is no such measure.", slug="no-measure")
        return changed

    async def _check_organisations(self, lead: str | None, partners: Sequence[str]) -> None:
        for organisation_id in [*([lead] if lead else []), *partners]:
            known = await self.store.get_organisation(organisation_id)
            if known is None or known.status is OrganisationStatus.ARCHIVED:
                raise RejectedError(
                    "The organisation is not (or no longer) in the network.",
                    slug="unknown-organisation",
                    fields=["lead_organisation_id" if organisation_id == lead else "partners"],
                )

    # activities ----------------------------------------------------------------------------

    async def activities(
        self, measure_id: str, user: Principal | None, paging: Paging
    ) -> tuple[list[Activity], int]:
        await self.measure(measure_id, user)
        return await self.store.activities_of(measure_id, activity_visibilities(user), paging)

    def link_of(self, activity: Activity) -> str:
        """The portal page of an event or a listing."""
        return f"{self.settings.public_base_url.rstrip('/')}/{activity.kind}s/{activity.source_id}"

    async def activity_seen(self, activity: Activity) -> None:
        await self.store.project_activity(activity)

    async def organisation_changed(self, facts: OrganisationFacts) -> None:
        await self.store.project_organisation(KnownOrganisation.of(facts))

    # facts ---------------------------------------------------------------------------------

    async def facts(self) -> list[Fact]:
        return await self.store.facts()

    async def put_fact(self, key: str, data: FactInput, user: Principal) -> Fact:
        office_only(user)
        fact = Fact(
            key=key,
            name=data.name,
            unit=data.unit,
            position=data.position,
            values=dict(sorted(data.values.items())),  # answered and stored by year
        )
        await self.store.put_fact(fact)
        return fact


def office_only(user: Principal) -> None:
    if not user.is_admin:
        raise ForbiddenError("Only office staff edit the concept.", slug="office-only")


def _keep_values(measure: Measure, changes: dict[str, object]) -> dict[str, object]:
    """Indicators keep the values recorded for them when a patch redefines them."""
    indicators = changes.get("indicators")
    if not isinstance(indicators, list):
        return changes
    recorded = {item.name: item.values for item in measure.indicators}
    kept = [item.model_copy(update={"values": recorded.get(item.name, [])}) for item in indicators]
    return {**changes, "indicators": kept}


def _structure(data: ConceptCreate) -> list[FieldOfAction]:
    numbers = [field.number for field in data.fields]
    if len(set(numbers)) != len(numbers):
        raise RejectedError("Field numbers repeat.", slug="duplicate-number", fields=["fields"])
    fields = []
    for field in data.fields:
        goals = [Goal(number=g.number, title=g.title) for g in field.goals]
        if any(domain.field_of_goal(goal.number) != field.number for goal in goals):
            raise RejectedError(
                f"The goals of field {field.number} must be numbered {field.number}.x.",
                slug="bad-goal-number",
                fields=["fields"],
            )
        if len({goal.number for goal in goals}) != len(goals):
            raise RejectedError("Goal numbers repeat.", slug="duplicate-number", fields=["fields"])
        fields.append(FieldOfAction(number=field.number, title=field.title, goals=goals))
    return fields


def new_measure(
    concept_id: str,
    data: MeasureCreate,
    goal_number: str,
    person_id: str,
    now: dt.datetime,
    today: dt.date,
) -> Measure:
    """A measure as created, its status the first line of its history."""
    return Measure(
        id=new_id(),
        concept_id=concept_id,
        goal_number=goal_number,
        **data.model_dump(exclude={"status", "indicators"}),
        indicators=[domain.Indicator(**item.model_dump()) for item in data.indicators],
        status=data.status,
        history=[domain.StatusEntry(on=today, status=data.status, by=person_id, recorded_at=now)],
        created_at=now,
        updated_at=now,
    )


__all__ = ["ConceptService", "MeasureFilter", "MeasureVisibility", "new_measure"]
