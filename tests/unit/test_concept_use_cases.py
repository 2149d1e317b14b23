"""The concept's use-case rules, on the in-memory repository: who may change what, who sees
which measure, what is announced on the public stream, and the activities kept per measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.concept.handlers import event_activity
from services.concept.inputs import (
    ConceptCreate,
    IndicatorValueInput,
    MeasureCreate,
    MeasurePatch,
    StatusUpdate,
)
from services.concept.service import ConceptService, MeasureFilter
from services.concept.settings import ConceptSettings
from shared.auth import Principal
from shared.contracts.calendar import EventScheduled
from shared.contracts.concept import (
    MeasureCreated,
    MeasureStatus,
    MeasureStatusChanged,
    MeasureUpdated,
)
from shared.contracts.directory import OrganisationStatus
from shared.errors import ConflictError, ForbiddenError, NotFoundError, RejectedError
from shared.ids import new_id
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.concept_editions import KEMPTEN_FIELDS
from tests.support.in_memory_concept import InMemoryConceptStore
from tests.support.principals import OFFICE, member_of

NOW = dt.datetime(2023, 10, 31, 9, 0, tzinfo=dt.UTC)
KULTURAMT = new_id()
VHS = new_id()
ARCHIVED = new_id()


async def concept_with_goals(store: InMemoryConceptStore) -> ConceptService:
    for organisation_id, name, status in (
        (KULTURAMT, "Kulturamt", OrganisationStatus.ACTIVE),
        (VHS, "Volkshochschule", OrganisationStatus.ACTIVE),
        (ARCHIVED, "Alter Verein", OrganisationStatus.ARCHIVED),
    ):
        store.known[organisation_id] = KnownOrganisation(organisation_id, name, status, 1)
    service = ConceptService(store, ConceptSettings(_env_file=None), clock=lambda: NOW)
    await service.adopt(
        ConceptCreate.model_validate({"title": "Integrationskonzept", "fields": KEMPTEN_FIELDS}),
        OFFICE,
    )
    return service


def measure(number: str = "3.2.4", **fields: Any) -> MeasureCreate:
    return MeasureCreate.model_validate(
        {"number": number, "title": "Sprachcafés", "lead_organisation_id": KULTURAMT, **fields}
    )


async def test_office_staff_add_a_measure_and_a_public_one_is_announced() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)

    created = await service.create_measure(measure(), OFFICE, None)

    assert created.goal_number == "3.2"
    assert created.field_number == "3"
    assert [entry.status for entry in created.history] == [MeasureStatus.PLANNED]
    assert [type(e) for e in store.published] == [MeasureCreated]


async def test_a_network_or_office_measure_is_never_announced() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)

    network = await service.create_measure(measure("3.2.1", visibility="network"), OFFICE, None)
    office = await service.create_measure(measure("3.2.2", visibility="office"), OFFICE, None)
    for created in (network, office):
        await service.update_status(
            created.id, StatusUpdate(status=MeasureStatus.IN_PROGRESS), OFFICE, None
        )
        await service.change_measure(created.id, MeasurePatch(title="Neu"), OFFICE, None)

    assert store.published == []


async def test_a_measure_made_public_is_announced_as_created() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)
    created = await service.create_measure(measure(visibility="office"), OFFICE, None)

    await service.change_measure(created.id, MeasurePatch(visibility="public"), OFFICE, None)

    assert [type(e) for e in store.published] == [MeasureCreated]


async def test_editors_of_other_organisations_cannot_add_measures() -> None:
    service = await concept_with_goals(InMemoryConceptStore())

    with pytest.raises(ForbiddenError):
        await service.create_measure(measure(), member_of(KULTURAMT), None)


async def test_a_number_is_taken_once_per_edition() -> None:
    service = await concept_with_goals(InMemoryConceptStore())
    await service.create_measure(measure(), OFFICE, None)

    with pytest.raises(ConflictError) as refused:
        await service.create_measure(measure(), OFFICE, None)
    assert refused.value.slug == "duplicate-number"


async def test_a_measure_needs_a_goal_of_the_concept_and_known_organisations() -> None:
    service = await concept_with_goals(InMemoryConceptStore())

    with pytest.raises(RejectedError) as no_goal:
        await service.create_measure(measure("4.1.1"), OFFICE, None)
    with pytest.raises(RejectedError) as archived:
        await service.create_measure(measure(lead_organisation_id=ARCHIVED), OFFICE, None)
    with pytest.raises(RejectedError) as unknown:
        await service.create_measure(measure(partner_organisation_ids=[new_id()]), OFFICE, None)

    assert no_goal.value.slug == "unknown-goal"
    assert archived.value.slug == unknown.value.slug == "unknown-organisation"


async def test_the_lead_organisation_records_status_with_its_sentence() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)
    created = await service.create_measure(measure(), OFFICE, None)
    editor = member_of(KULTURAMT)

    changed = await service.update_status(
        created.id,
        StatusUpdate(
            status=MeasureStatus.IN_PROGRESS,
            on=dt.date(2023, 10, 31),
            comment="Seit März wöchentlich in drei Stadtteilen.",
        ),
        editor,
        None,
    )

    assert changed.status is MeasureStatus.IN_PROGRESS
    assert changed.history[-1].comment == "Seit März wöchentlich in drei Stadtteilen."
    assert changed.history[-1].by == editor.person_id
    announced = store.published[-1]
    assert isinstance(announced, MeasureStatusChanged)
    assert announced.previous_status is MeasureStatus.PLANNED


async def test_an_earlier_day_goes_into_history_without_changing_the_current_status() -> None:
    service = await concept_with_goals(InMemoryConceptStore())
    created = await service.create_measure(measure(), OFFICE, None)
    await service.update_status(
        created.id, StatusUpdate(status=MeasureStatus.IMPLEMENTED), OFFICE, None
    )

    changed = await service.update_status(
        created.id,
        StatusUpdate(status=MeasureStatus.IN_PREPARATION, on=dt.date(2022, 1, 1)),
        OFFICE,
        None,
    )

    assert changed.status is MeasureStatus.IMPLEMENTED
    assert changed.history[0].status is MeasureStatus.IN_PREPARATION


async def test_partners_and_strangers_may_not_record_status_nor_a_future_day() -> None:
    service = await concept_with_goals(InMemoryConceptStore())
    created = await service.create_measure(measure(partner_organisation_ids=[VHS]), OFFICE, None)
    update = StatusUpdate(status=MeasureStatus.DROPPED)

    with pytest.raises(ForbiddenError):
        await service.update_status(created.id, update, member_of(VHS), None)
    with pytest.raises(RejectedError) as future:
        await service.update_status(
            created.id,
            StatusUpdate(status=MeasureStatus.DROPPED, on=dt.date(2030, 1, 1)),
            OFFICE,
            None,
        )
    assert future.value.slug == "future-status"


async def test_the_lead_records_indicator_values_but_only_of_known_indicators() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)
    created = await service.create_measure(
        measure(indicators=[{"name": "Teilnehmende", "target": 200, "baseline": 0}]),
        OFFICE,
        None,
    )
    editor = member_of(KULTURAMT)
    published = len(store.published)

    recorded = await service.record_indicator_value(
        created.id,
        IndicatorValueInput(indicator="Teilnehmende", on=dt.date(2023, 6, 30), value=120),
        editor,
        None,
    )
    with pytest.raises(RejectedError) as unknown:
        await service.record_indicator_value(
            created.id,
            IndicatorValueInput(indicator="Kurse", on=dt.date(2023, 6, 30), value=3),
            editor,
            None,
        )

    assert [v.value for v in recorded.indicators[0].values] == [120]
    assert unknown.value.slug == "unknown-indicator"
    assert len(store.published) == published  # values are not on the stream


async def test_who_sees_which_measure() -> None:
    service = await concept_with_goals(InMemoryConceptStore())
    public = await service.create_measure(measure("3.2.1"), OFFICE, None)
    network = await service.create_measure(measure("3.2.2", visibility="network"), OFFICE, None)
    office = await service.create_measure(
        measure("3.2.3", visibility="office", lead_organisation_id=VHS), OFFICE, None
    )

    async def seen(user: Principal | None) -> set[str]:
        return {m.id for m in (await service.measures(user, MeasureFilter()))[1]}

    assert await seen(None) == {public.id}
    assert await seen(member_of(KULTURAMT)) == {public.id, network.id}
    assert await seen(member_of(VHS)) == {public.id, network.id, office.id}
    assert await seen(OFFICE) == {public.id, network.id, office.id}
    with pytest.raises(NotFoundError):
        await service.measure(network.id, None)


async def test_a_patch_changes_only_what_it_names_and_announces_which_fields() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)
    created = await service.create_measure(measure(districts=["Thingers"]), OFFICE, None)

    changed = await service.change_measure(
        created.id, MeasurePatch(title="Sprachcafés für alle"), OFFICE, None
    )
    unchanged = await service.change_measure(
        created.id, MeasurePatch(title="Sprachcafés für alle"), OFFICE, None
    )

    assert changed.districts == ["Thingers"]
    assert changed.revision == 2
    assert unchanged.revision == 2
    announced = store.published[-1]
    assert isinstance(announced, MeasureUpdated)
    assert announced.changed_fields == ["title"]
    with pytest.raises(RejectedError) as cleared:
        await service.change_measure(
            created.id, MeasurePatch.model_validate({"title": None}), OFFICE, None
        )
    assert cleared.value.slug == "cannot-clear"


async def test_a_new_edition_replaces_the_current_one_and_the_old_stays_readable() -> None:
    service = await concept_with_goals(InMemoryConceptStore())
    await service.create_measure(measure(), OFFICE, None)

    second = await service.adopt(ConceptCreate(title="Integrationskonzept 2030"), OFFICE)

    assert (await service.concept()).id == second.id
    assert second.edition == 2
    assert [m.number for m in (await service.measures(OFFICE, MeasureFilter(), 1))[1]] == ["3.2.4"]
    assert (await service.measures(OFFICE, MeasureFilter()))[1] == []


async def test_network_events_are_listed_only_to_members_of_the_network() -> None:
    store = InMemoryConceptStore()
    service = await concept_with_goals(store)
    created = await service.create_measure(measure(), OFFICE, None)
    for visibility, title in (("public", "Sprachcafé"), ("network", "Netzwerktreffen")):
        facts = EventScheduled.model_validate(
            {
                "event_id": new_id(),
                "title": title,
                "organisation_id": KULTURAMT,
                "starts_at": NOW,
                "ends_at": NOW + dt.timedelta(hours=2),
                "visibility": visibility,
                "status": "scheduled",
                "sequence": 0,
                "updated_at": NOW,
                "measure_ids": [created.id],
            }
        )
        await service.activity_seen(event_activity(facts))

    page = Paging(limit=10, offset=0)
    anonymous, _ = await service.activities(created.id, None, page)
    member, total = await service.activities(created.id, member_of(VHS), page)

    assert [a.title for a in anonymous] == ["Sprachcafé"]
    assert total == 2
    assert {a.title for a in member} == {"Sprachcafé", "Netzwerktreffen"}
    assert service.link_of(anonymous[0]).endswith(f"/events/{anonymous[0].source_id}")
