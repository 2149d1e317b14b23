"""Co-organising needs consent, as pure rules: who becomes co-organiser and who is only
invited when an organiser names organisations, and how documents from before read."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.calendar.changes import (
    accept_co_organiser,
    change_event,
    co_organisers,
    drop_co_organiser,
    plan_event,
    reconcile_import,
)
from services.calendar.inputs import EventCreate, EventPatch
from services.calendar.store import event_document, event_from_document
from shared.contracts.calendar import EventUpdated

ORG = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
OTHER = "01a20175-6e13-7012-9a1c-8de746c2ce99"
THIRD = "01a20175-6e35-7420-942f-2edfc88e1cc9"
EVENT_ID = "01a20175-6e35-7420-942f-2edfc88e1cc8"
NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


def data(*named: str) -> EventCreate:
    return EventCreate.model_validate(
        {
            "organisation_id": ORG,
            "title": "Sommerfest",
            "starts_at": "2026-06-20T14:00:00+02:00",
            "ends_at": "2026-06-20T17:00:00+02:00",
            "co_organiser_ids": list(named),
        }
    )


organisations = st.sampled_from([ORG, OTHER, THIRD, "a", "b", "c"])


@given(
    named=st.lists(organisations, max_size=6),
    accepted=st.lists(organisations, max_size=6),
    consenting=st.sets(organisations),
)
def test_nobody_becomes_co_organiser_without_having_accepted_or_someone_consenting_for_it(
    named: list[str], accepted: list[str], consenting: set[str]
) -> None:
    agreed, invited = co_organisers(named, ORG, accepted, consenting.__contains__)
    assert set(agreed) <= set(accepted) | consenting
    assert not set(agreed) & set(invited)
    assert set(agreed) | set(invited) == set(named) - {ORG}
    assert len(agreed) == len(set(agreed))
    assert len(invited) == len(set(invited))


def test_an_organisation_named_by_an_event_planned_without_its_consent_is_only_invited() -> None:
    event = plan_event(EVENT_ID, data(OTHER, ORG), NOW)
    assert event.co_organiser_ids == []
    assert event.invited_organiser_ids == [OTHER]
    assert event.organiser_ids == [ORG]


def test_naming_an_accepted_co_organiser_again_keeps_it_and_only_invitations_publish_nothing() -> (
    None
):
    invited = plan_event(EVENT_ID, data(OTHER), NOW)
    joined, messages = accept_co_organiser(invited, OTHER, LATER)
    assert joined.co_organiser_ids == [OTHER]
    assert isinstance(messages[0], EventUpdated)
    assert messages[0].changed_fields == ["co_organiser_ids"]
    same, none = change_event(joined, EventPatch(co_organiser_ids=[OTHER]), LATER)
    assert same is joined
    assert none == []
    more, quiet = change_event(joined, EventPatch(co_organiser_ids=[OTHER, THIRD]), LATER)
    assert more.co_organiser_ids == [OTHER]
    assert more.invited_organiser_ids == [THIRD]
    assert quiet == []
    assert more.sequence == joined.sequence
    declined, nothing = drop_co_organiser(more, THIRD, LATER)
    assert declined.invited_organiser_ids == []
    assert nothing == []


def test_an_imported_event_keeps_the_co_organisers_that_accepted_when_the_feed_is_read_again() -> (
    None
):
    first = plan_event(EVENT_ID, data(OTHER, THIRD), NOW, import_id="i", import_uid="u")
    joined, _ = accept_co_organiser(first, OTHER, LATER)
    again = plan_event(EVENT_ID, data(OTHER, THIRD), NOW, import_id="i", import_uid="u")
    reconciled, messages = reconcile_import(joined, again, LATER)
    assert reconciled is joined
    assert messages == []


def test_co_organisers_stored_before_invitations_existed_read_as_accepted() -> None:
    event = plan_event(EVENT_ID, data(), NOW).model_copy(update={"co_organiser_ids": [OTHER]})
    stored = event_document(event)
    del stored["invited_organiser_ids"]
    read = event_from_document(stored)
    assert read.co_organiser_ids == [OTHER]
    assert read.invited_organiser_ids == []
