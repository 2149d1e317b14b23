"""The exchange's use-case rules, on the in-memory repository: who may post and change what,
what an archived organisation's listings become, and that a pair is matched once."""

from __future__ import annotations

import pytest

from services.exchange.domain import ListingCreate, ListingPatch
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from services.exchange.store import ProjectedOrganisation
from shared.auth import Principal
from shared.contracts.directory import OrganisationStatus
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    ListingStatus,
    MatchFound,
    OfferPosted,
    RequestWithdrawn,
)
from shared.errors import ConflictError, ForbiddenError, RejectedError
from shared.ids import new_id
from tests.support.in_memory import InMemoryExchangeStore

MRIYA = new_id()
LINDE = new_id()


def member_of(*organisations: str) -> Principal:
    return Principal(person_id=new_id(), role="editor", organisation_ids=frozenset(organisations))


def exchange_of(store: InMemoryExchangeStore) -> Exchange:
    for organisation_id, name in ((MRIYA, "Verein Mriya"), (LINDE, "Treff Linde")):
        store.organisations[organisation_id] = ProjectedOrganisation(
            id=organisation_id, name=name, status=OrganisationStatus.ACTIVE, revision=1
        )
    return Exchange(store, ExchangeSettings(_env_file=None))


def room(organisation_id: str, title: str) -> ListingCreate:
    return ListingCreate(
        organisation_id=organisation_id,
        category=ListingCategory.ROOM,
        title=title,
        tags=["Gruppenraum", "Küche"],
        district="Nordstadt",
    )


async def test_a_member_posts_an_offer_and_the_exchange_announces_it() -> None:
    store = InMemoryExchangeStore()
    exchange = exchange_of(store)
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )
    assert store.listings[offer.id].status is ListingStatus.OPEN
    assert [type(event) for event in store.published] == [OfferPosted]


async def test_a_member_may_not_post_for_another_organisation() -> None:
    exchange = exchange_of(InMemoryExchangeStore())
    with pytest.raises(ForbiddenError):
        await exchange.post(ListingKind.OFFER, room(LINDE, "Gruppenraum"), member_of(MRIYA), None)


async def test_an_organisation_the_exchange_does_not_know_yet_cannot_post() -> None:
    exchange = exchange_of(InMemoryExchangeStore())
    stranger = new_id()
    with pytest.raises(RejectedError) as refused:
        await exchange.post(
            ListingKind.OFFER, room(stranger, "Gruppenraum"), member_of(stranger), None
        )
    assert refused.value.slug == "unknown-organisation"


async def test_an_archived_organisation_cannot_post() -> None:
    store = InMemoryExchangeStore()
    exchange = exchange_of(store)
    store.organisations[MRIYA] = ProjectedOrganisation(
        id=MRIYA, name="Verein Mriya", status=OrganisationStatus.ARCHIVED, revision=2
    )
    with pytest.raises(ConflictError) as refused:
        await exchange.post(ListingKind.OFFER, room(MRIYA, "Gruppenraum"), member_of(MRIYA), None)
    assert refused.value.slug == "organisation-archived"
    assert store.listings == {}


async def test_a_fulfilled_listing_cannot_be_changed_any_more() -> None:
    store = InMemoryExchangeStore()
    exchange = exchange_of(store)
    mriya = member_of(MRIYA)
    offer = await exchange.post(ListingKind.OFFER, room(MRIYA, "Gruppenraum"), mriya, None)
    await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None)
    with pytest.raises(ConflictError):
        await exchange.edit(
            ListingKind.OFFER, offer.id, ListingPatch(title="Großer Gruppenraum"), mriya, None
        )
    assert store.listings[offer.id].title == "Gruppenraum"


async def test_an_archived_organisations_open_listings_are_withdrawn_once() -> None:
    store = InMemoryExchangeStore()
    exchange = exchange_of(store)
    linde = member_of(LINDE)
    first = await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Raum für Elterncafé"), linde, None
    )
    second = await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Raum für Sprachkurs"), linde, None
    )
    await exchange.fulfil(ListingKind.REQUEST, second.id, linde, None)
    store.published.clear()

    withdrawn = await exchange.withdraw_open_listings_of(LINDE, None)
    again = await exchange.withdraw_open_listings_of(LINDE, None)

    assert (withdrawn, again) == (1, 0)
    assert store.listings[first.id].status is ListingStatus.WITHDRAWN
    assert store.listings[second.id].status is ListingStatus.FULFILLED
    assert [type(event) for event in store.published] == [RequestWithdrawn]


async def test_a_fitting_offer_and_request_are_matched_once_however_often_matching_runs() -> None:
    store = InMemoryExchangeStore()
    exchange = exchange_of(store)
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )
    await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Gruppenraum mit Küche gesucht"), member_of(LINDE), None
    )
    store.published.clear()

    first = await exchange.match_listing(offer.id, None)
    again = await exchange.match_listing(offer.id, None)

    assert (len(first), len(again)) == (1, 0)
    assert [type(event) for event in store.published] == [MatchFound]
