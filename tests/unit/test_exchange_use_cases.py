"""The exchange's use-case rules, on the in-memory repository: who may post and change what,
what an archived organisation's listings become, and that a pair is matched once."""

from __future__ import annotations

import datetime as dt

import pytest

from services.exchange.domain import Listing, ListingPatch
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.directory import OrganisationStatus
from shared.contracts.exchange import (
    ListingKind,
    ListingStatus,
    MatchFound,
    OfferPosted,
    OfferWithdrawn,
    RequestPosted,
    RequestWithdrawn,
    WithdrawalReason,
)
from shared.errors import ConflictError, ForbiddenError, RejectedError
from shared.ids import new_id
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.exchange_use_cases import room, store_knowing
from tests.support.in_memory import InMemoryExchangeStore, archiving
from tests.support.principals import member_of

MRIYA = new_id()
LINDE = new_id()


@pytest.fixture
def store() -> InMemoryExchangeStore:
    """The exchange's repository in memory, knowing Mriya and Linde as active organisations."""
    return store_knowing({MRIYA: "Verein Mriya", LINDE: "Treff Linde"})


@pytest.fixture
def exchange(store: InMemoryExchangeStore) -> Exchange:
    return Exchange(store, ExchangeSettings(_env_file=None))


async def a_room_offered_by_mriya(exchange: Exchange) -> tuple[Principal, Listing]:
    """A member of Mriya, and the offer of a group room they posted."""
    mriya = member_of(MRIYA)
    offer = await exchange.post(ListingKind.OFFER, room(MRIYA, "Gruppenraum"), mriya, None)
    return mriya, offer


async def fitting_pair(exchange: Exchange) -> tuple[Listing, Listing]:
    """Mriya's offer of a room with a kitchen, and Linde's request for one."""
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )
    request = await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Gruppenraum mit Küche gesucht"), member_of(LINDE), None
    )
    return offer, request


async def test_a_member_posts_an_offer_and_the_exchange_announces_it(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )
    assert store.listings[offer.id].status is ListingStatus.OPEN
    assert [type(event) for event in store.published] == [OfferPosted]


async def test_a_member_may_not_post_for_another_organisation(exchange: Exchange) -> None:
    with pytest.raises(ForbiddenError):
        await exchange.post(ListingKind.OFFER, room(LINDE, "Gruppenraum"), member_of(MRIYA), None)


async def test_an_organisation_the_exchange_does_not_know_yet_cannot_post(
    exchange: Exchange,
) -> None:
    stranger = new_id()
    with pytest.raises(RejectedError) as refused:
        await exchange.post(
            ListingKind.OFFER, room(stranger, "Gruppenraum"), member_of(stranger), None
        )
    assert refused.value.slug == "unknown-organisation"


async def test_an_archived_organisation_cannot_post(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    store.organisations[MRIYA] = KnownOrganisation(
        id=MRIYA, name="Verein Mriya", status=OrganisationStatus.ARCHIVED, revision=2
    )
    with pytest.raises(ConflictError) as refused:
        await exchange.post(ListingKind.OFFER, room(MRIYA, "Gruppenraum"), member_of(MRIYA), None)
    assert refused.value.slug == "organisation-archived"
    assert store.listings == {}


async def test_a_fulfilled_listing_cannot_be_changed_any_more(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    mriya, offer = await a_room_offered_by_mriya(exchange)
    await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None)
    with pytest.raises(ConflictError):
        await exchange.edit(
            ListingKind.OFFER, offer.id, ListingPatch(title="Großer Gruppenraum"), mriya, None
        )
    assert store.listings[offer.id].title == "Gruppenraum"


async def test_an_archived_organisations_open_listings_are_withdrawn_once(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
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


async def test_a_fitting_offer_and_request_are_matched_once_however_often_matching_runs(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )
    store.published.clear()
    request = await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Gruppenraum mit Küche gesucht"), member_of(LINDE), None
    )
    # matched as it was posted: the match is announced right behind the posting
    assert [type(event) for event in store.published] == [RequestPosted, MatchFound]
    store.published.clear()

    again = await exchange.match_listing(offer.id, None)
    once_more = await exchange.match_listing(request.id, None)

    assert (again, once_more) == ([], [])
    assert store.published == []


async def test_the_consumer_matches_what_was_not_matched_at_posting(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    offer, request = await fitting_pair(exchange)
    # the same listings as another replica (or a restarted process) sees them: not matched here
    assert (
        await Exchange(store, exchange.settings).posted_matching.matched_here(request.id) is False
    )
    assert await exchange.posted_matching.matched_here(request.id) is True
    assert await exchange.posted_matching.matched_here(request.id) is False  # answered once
    store.matches.clear()

    matched = await exchange.match_listing(request.id, None)

    assert [(m.offer.id, m.request.id) for m in matched] == [(offer.id, request.id)]


async def test_a_failed_matching_at_posting_keeps_the_listing_and_leaves_it_to_the_consumer(
    store: InMemoryExchangeStore, exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_gone(listing: Listing) -> list[Listing]:
        raise ConnectionError("database away")

    monkeypatch.setattr(store, "match_candidates", database_gone)
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum mit Küche"), member_of(MRIYA), None
    )

    assert offer.id in store.listings
    assert await exchange.posted_matching.matched_here(offer.id) is False


async def test_a_listing_is_closed_only_once(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    mriya, offer = await a_room_offered_by_mriya(exchange)
    await exchange.withdraw(ListingKind.OFFER, offer.id, mriya, None)
    store.published.clear()

    with pytest.raises(ConflictError) as refused:
        await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None)
    with pytest.raises(ConflictError):
        await exchange.withdraw(ListingKind.OFFER, offer.id, mriya, None)

    assert refused.value.slug == "listing-closed"
    assert store.listings[offer.id].status is ListingStatus.WITHDRAWN
    assert store.published == []


async def test_a_member_of_another_organisation_may_not_change_or_close_a_listing(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    offer = await exchange.post(
        ListingKind.OFFER, room(MRIYA, "Gruppenraum"), member_of(MRIYA), None
    )
    stranger = member_of(LINDE)
    store.published.clear()

    with pytest.raises(ForbiddenError) as refused:
        await exchange.edit(
            ListingKind.OFFER, offer.id, ListingPatch(title="Unser Raum jetzt"), stranger, None
        )
    with pytest.raises(ForbiddenError):
        await exchange.withdraw(ListingKind.OFFER, offer.id, stranger, None)

    assert refused.value.slug == "not-an-editor"
    assert store.listings[offer.id] == offer
    assert store.published == []


async def test_the_directory_archiving_an_organisation_withdraws_its_open_listings(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    mriya, offer = await a_room_offered_by_mriya(exchange)
    others = await exchange.post(ListingKind.OFFER, room(LINDE, "Saal"), member_of(LINDE), None)
    store.published.clear()

    archived = archiving(MRIYA, "Verein Mriya", revision=2)
    await exchange.apply_organisation(archived, None)

    closed = store.listings[offer.id]
    assert closed.status is ListingStatus.WITHDRAWN
    assert closed.closed_reason is WithdrawalReason.ORGANISATION_ARCHIVED
    assert store.listings[others.id].status is ListingStatus.OPEN
    [event] = store.published
    assert isinstance(event, OfferWithdrawn)
    assert event.reason is WithdrawalReason.ORGANISATION_ARCHIVED
    with pytest.raises(ConflictError):
        await exchange.post(ListingKind.OFFER, room(MRIYA, "Noch ein Raum"), mriya, None)


async def test_only_listings_past_their_expiry_are_taken_down(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    mriya = member_of(MRIYA)
    now = utc_now()
    soon = room(MRIYA, "Gruppenraum").model_copy(update={"expires_at": now + dt.timedelta(days=1)})
    later = room(MRIYA, "Saal").model_copy(update={"expires_at": now + dt.timedelta(days=30)})
    due = await exchange.post(ListingKind.OFFER, soon, mriya, None)
    kept = await exchange.post(ListingKind.OFFER, later, mriya, None)
    store.published.clear()

    expired = await exchange.expire_due(now + dt.timedelta(days=2))
    again = await exchange.expire_due(now + dt.timedelta(days=2))

    assert (expired, again) == (1, 0)
    assert store.listings[due.id].status is ListingStatus.EXPIRED
    assert store.listings[kept.id].status is ListingStatus.OPEN
    [event] = store.published
    assert isinstance(event, OfferWithdrawn)
    assert event.reason is WithdrawalReason.EXPIRED


async def test_an_edit_that_changes_nothing_announces_nothing(
    store: InMemoryExchangeStore, exchange: Exchange
) -> None:
    mriya, offer = await a_room_offered_by_mriya(exchange)
    store.published.clear()

    same = await exchange.edit(
        ListingKind.OFFER, offer.id, ListingPatch(title="Gruppenraum"), mriya, None
    )

    assert same.revision == offer.revision
    assert store.published == []


async def test_only_the_organisations_concerned_see_their_matches(exchange: Exchange) -> None:
    offer, request = await fitting_pair(exchange)
    await exchange.match_listing(offer.id, None)

    first = Paging(limit=10, offset=0)
    matches, total = await exchange.matches_of(LINDE, member_of(LINDE), first)
    assert total == 1
    assert (matches[0].offer.id, matches[0].request.id) == (offer.id, request.id)
    outsider = new_id()
    with pytest.raises(ForbiddenError):
        await exchange.matches_of(LINDE, member_of(outsider), first)
    assert await exchange.matches_of(outsider, member_of(outsider), first) == ([], 0)
