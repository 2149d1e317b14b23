"""Feedback on matches and the outcome of a listing, on the in-memory repository: each side rates
a match for itself, a "passt nicht" hides the match from that side only, a signed link from the
match email rates without logging in, and the office's figures per month."""

from __future__ import annotations

import datetime as dt

import pytest

from services.exchange.domain import Listing
from services.exchange.feedback import (
    fulfilments_by_month,
    precision_by_month,
    start_of_months_back,
)
from services.exchange.feedback_service import MatchFeedback
from services.exchange.repository import RecordedMatch
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from shared.clock import BERLIN
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    MatchRated,
    MatchSide,
    MatchVerdict,
    OfferFulfilled,
    RatingChannel,
)
from shared.errors import ForbiddenError, GoneError, MalformedError, NotFoundError, RejectedError
from shared.ids import new_id
from shared.match_feedback import FeedbackClaim, FeedbackSigner
from shared.pages import Paging
from tests.support.exchange_use_cases import room, store_knowing
from tests.support.in_memory import InMemoryExchangeStore
from tests.support.principals import OFFICE, member_of

MRIYA, LINDE, ANADOLU = new_id(), new_id(), new_id()
SECRET = "a-match-feedback-secret-for-the-unit-tests"
MAY_18 = dt.datetime(2026, 5, 18, 9, 30, tzinfo=dt.UTC)
FIRST = Paging(limit=20, offset=0)


class Clock:
    """A clock the test sets."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def store() -> InMemoryExchangeStore:
    return store_knowing(
        {organisation_id: organisation_id for organisation_id in (MRIYA, LINDE, ANADOLU)}
    )


@pytest.fixture
def exchange(store: InMemoryExchangeStore) -> Exchange:
    return Exchange(store, ExchangeSettings(_env_file=None))


@pytest.fixture
def clock() -> Clock:
    return Clock(MAY_18)


@pytest.fixture
def feedback(store: InMemoryExchangeStore, clock: Clock) -> MatchFeedback:
    return MatchFeedback(store, FeedbackSigner(SECRET), clock)


async def matched_pair(exchange: Exchange, offerer: str = MRIYA) -> tuple[Listing, RecordedMatch]:
    """An offer of a room by `offerer` matched with Linde's request for one."""
    offer = await exchange.post(
        ListingKind.OFFER, room(offerer, "Gruppenraum mit Küche"), member_of(offerer), None
    )
    request = await exchange.post(
        ListingKind.REQUEST, room(LINDE, "Gruppenraum mit Küche gesucht"), member_of(LINDE), None
    )
    await exchange.match_listing(request.id, None)
    store = exchange.store
    assert isinstance(store, InMemoryExchangeStore)
    [match] = [
        m for m in store.matches.values() if (m.offer_id, m.request_id) == (offer.id, request.id)
    ]
    return offer, match


def rated_events(store: InMemoryExchangeStore) -> list[MatchRated]:
    return [event for event in store.published if isinstance(event, MatchRated)]


def link(match_id: str, side: MatchSide, verdict: MatchVerdict, expires_at: dt.datetime) -> str:
    claim = FeedbackClaim(match_id, side, verdict, "de", int(expires_at.timestamp()))
    return FeedbackSigner(SECRET).sign(claim)


async def test_each_side_rates_a_match_for_itself_and_the_exchange_announces_it(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback
) -> None:
    _, match = await matched_pair(exchange)
    fits = MatchVerdict.FITS
    offer_side = await feedback.rate_as_member(match.match_id, MRIYA, fits, member_of(MRIYA), None)
    request_side = await feedback.rate_as_member(
        match.match_id, LINDE, MatchVerdict.DOES_NOT_FIT, member_of(LINDE), None
    )
    assert (offer_side.side, request_side.side) == (MatchSide.OFFER, MatchSide.REQUEST)
    stored = await store.get_match(match.match_id)
    assert stored is not None
    assert {side: r.verdict for side, r in stored.ratings.items()} == {
        MatchSide.OFFER: MatchVerdict.FITS,
        MatchSide.REQUEST: MatchVerdict.DOES_NOT_FIT,
    }
    first, second = rated_events(store)
    assert (first.side, first.verdict, first.via) == (MatchSide.OFFER, fits, RatingChannel.PORTAL)
    assert (second.side, second.verdict) == (MatchSide.REQUEST, MatchVerdict.DOES_NOT_FIT)
    assert (first.offer_id, first.request_id) == (match.offer_id, match.request_id)
    assert first.rated_at == MAY_18
    # the public event names listings, never people or organisations
    assert set(MatchRated.model_fields) == {
        "match_id",
        "offer_id",
        "request_id",
        "category",
        "side",
        "verdict",
        "via",
        "rated_at",
    }


async def test_the_same_rating_again_changes_nothing_and_a_new_one_replaces_it(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback, clock: Clock
) -> None:
    _, match = await matched_pair(exchange)
    mriya = member_of(MRIYA)
    await feedback.rate_as_member(match.match_id, MRIYA, MatchVerdict.FITS, mriya, None)
    clock.now = MAY_18 + dt.timedelta(hours=1)
    again = await feedback.rate_as_member(match.match_id, MRIYA, MatchVerdict.FITS, mriya, None)
    assert again.rating.rated_at == MAY_18  # nothing changed
    assert len(rated_events(store)) == 1

    changed = await feedback.rate_as_member(
        match.match_id, MRIYA, MatchVerdict.DOES_NOT_FIT, mriya, None
    )
    assert changed.rating.verdict is MatchVerdict.DOES_NOT_FIT
    assert [e.verdict for e in rated_events(store)] == [
        MatchVerdict.FITS,
        MatchVerdict.DOES_NOT_FIT,
    ]


async def test_a_match_that_does_not_fit_is_no_longer_shown_to_that_side_only(
    exchange: Exchange, feedback: MatchFeedback
) -> None:
    _, match = await matched_pair(exchange)
    linde = member_of(LINDE)
    await feedback.rate_as_member(match.match_id, LINDE, MatchVerdict.DOES_NOT_FIT, linde, None)
    assert await exchange.matches_of(LINDE, linde, FIRST) == ([], 0)
    shown, total = await exchange.matches_of(MRIYA, member_of(MRIYA), FIRST)
    assert (total, shown[0].id) == (1, match.match_id)
    assert shown[0].ratings[MatchSide.REQUEST].verdict is MatchVerdict.DOES_NOT_FIT

    # "passt" after all: it is shown again
    await feedback.rate_as_member(match.match_id, LINDE, MatchVerdict.FITS, linde, None)
    assert (await exchange.matches_of(LINDE, linde, FIRST))[1] == 1


async def test_only_the_organisations_of_a_match_and_the_office_may_rate_it(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback
) -> None:
    _, match = await matched_pair(exchange)
    fits = MatchVerdict.FITS
    with pytest.raises(NotFoundError) as unseen:  # an outsider learns nothing of the match
        await feedback.rate_as_member(match.match_id, ANADOLU, fits, member_of(ANADOLU), None)
    assert unseen.value.slug == "no-such-match"
    with pytest.raises(ForbiddenError) as not_theirs:
        await feedback.rate_as_member(match.match_id, LINDE, fits, member_of(MRIYA), None)
    assert not_theirs.value.slug == "not-an-editor"
    with pytest.raises(ForbiddenError) as not_involved:
        await feedback.rate_as_member(match.match_id, ANADOLU, fits, OFFICE, None)
    assert not_involved.value.slug == "not-involved"
    with pytest.raises(NotFoundError):
        await feedback.rate_as_member(new_id(), MRIYA, fits, OFFICE, None)
    assert rated_events(store) == []

    # office staff act for an organisation of the match
    rated = await feedback.rate_as_member(match.match_id, LINDE, fits, OFFICE, None)
    assert rated.side is MatchSide.REQUEST


async def test_a_link_from_the_match_email_rates_for_its_side_without_logging_in(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback
) -> None:
    _, match = await matched_pair(exchange)
    token = link(match.match_id, MatchSide.REQUEST, MatchVerdict.DOES_NOT_FIT, MAY_18 + WEEK)
    shown = await feedback.link(token)  # the page before the button records nothing
    assert (shown.side, shown.verdict, shown.current) == (
        MatchSide.REQUEST,
        MatchVerdict.DOES_NOT_FIT,
        None,
    )
    assert rated_events(store) == []

    rated = await feedback.rate_by_link(token, None)
    assert (rated.side, rated.rating.via) == (MatchSide.REQUEST, RatingChannel.EMAIL)
    await feedback.rate_by_link(token, None)  # a second press changes nothing
    [event] = rated_events(store)
    assert (event.via, event.verdict) == (RatingChannel.EMAIL, MatchVerdict.DOES_NOT_FIT)
    assert (await feedback.link(token)).current is not None


WEEK = dt.timedelta(days=7)


async def test_a_forged_expired_or_damaged_link_is_refused_and_records_nothing(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback
) -> None:
    _, match = await matched_pair(exchange)
    fits = MatchVerdict.FITS
    good = link(match.match_id, MatchSide.OFFER, fits, MAY_18 + WEEK)
    forged = FeedbackSigner("another-secret-of-at-least-32-characters").sign(
        FeedbackClaim(match.match_id, MatchSide.OFFER, fits, "de", int((MAY_18 + WEEK).timestamp()))
    )
    cases = {
        forged: (MalformedError, "forged-token"),
        link(match.match_id, MatchSide.OFFER, fits, MAY_18): (GoneError, "expired-token"),
        good[:-3] + "abc": (MalformedError, "forged-token"),
        "no.token.at-all": (MalformedError, "malformed-token"),
        link(new_id(), MatchSide.OFFER, fits, MAY_18 + WEEK): (NotFoundError, "no-such-match"),
    }
    for token, (kind, slug) in cases.items():
        for attempt in (feedback.link(token), feedback.rate_by_link(token, None)):
            with pytest.raises(kind) as refused:
                await attempt
            assert refused.value.slug == slug
    assert rated_events(store) == []


async def test_the_office_sees_per_month_and_category_how_often_matches_fitted(
    exchange: Exchange, feedback: MatchFeedback, clock: Clock
) -> None:
    _, first = await matched_pair(exchange)
    _, second = await matched_pair(exchange, offerer=ANADOLU)
    clock.now = dt.datetime(2026, 4, 30, 21, 59, tzinfo=dt.UTC)  # 30 April in Berlin
    await feedback.rate_as_member(first.match_id, MRIYA, MatchVerdict.FITS, OFFICE, None)
    clock.now = MAY_18
    await feedback.rate_as_member(first.match_id, LINDE, MatchVerdict.FITS, OFFICE, None)
    await feedback.rate_as_member(second.match_id, ANADOLU, MatchVerdict.FITS, OFFICE, None)
    await feedback.rate_as_member(second.match_id, LINDE, MatchVerdict.DOES_NOT_FIT, OFFICE, None)

    rows = await feedback.precision(OFFICE, 12)
    assert [(r.month, r.category, r.fits, r.does_not_fit) for r in rows] == [
        ("2026-05", ListingCategory.ROOM, 2, 1),
        ("2026-04", ListingCategory.ROOM, 1, 0),
    ]
    assert rows[0].precision == pytest.approx(2 / 3)
    assert [r.month for r in await feedback.precision(OFFICE, 1)] == ["2026-05"]
    with pytest.raises(ForbiddenError) as refused:
        await feedback.precision(member_of(MRIYA), 12)
    assert refused.value.slug == "office-only"


async def test_a_listing_is_fulfilled_through_one_of_its_own_matches_or_none(
    store: InMemoryExchangeStore, exchange: Exchange, feedback: MatchFeedback, clock: Clock
) -> None:
    offer, match = await matched_pair(exchange)
    _, others = await matched_pair(exchange, offerer=ANADOLU)
    mriya = member_of(MRIYA)
    with pytest.raises(RejectedError) as refused:
        await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None, others.match_id)
    assert (refused.value.slug, refused.value.extensions["fields"]) == (
        "not-a-match-of-this-listing",
        ["through_match_id"],
    )
    with pytest.raises(RejectedError):
        await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None, new_id())
    with pytest.raises(ForbiddenError):  # a stranger learns nothing of the listing's matches
        await exchange.fulfil(ListingKind.OFFER, offer.id, member_of(LINDE), None, match.match_id)

    fulfilled = await exchange.fulfil(ListingKind.OFFER, offer.id, mriya, None, match.match_id)
    assert fulfilled.through_match_id == match.match_id
    [event] = [e for e in store.published if isinstance(e, OfferFulfilled)]
    assert event.through_match_id == match.match_id
    plain = await exchange.fulfil(ListingKind.OFFER, others.offer_id, OFFICE, None)
    assert plain.through_match_id is None

    clock.now = fulfilled.updated_at
    [row] = await feedback.fulfilments(OFFICE, 12)
    assert (row.fulfilled, row.through_match) == (2, 1)
    with pytest.raises(ForbiddenError):
        await feedback.fulfilments(member_of(MRIYA), 12)


def test_the_figures_count_each_month_where_the_network_lives() -> None:
    now = dt.datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN)  # still February in UTC
    assert start_of_months_back(now, 1, BERLIN) == dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)
    assert start_of_months_back(now, 3, BERLIN) == dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)
    assert precision_by_month([], now, BERLIN) == []
    assert fulfilments_by_month([], now, BERLIN) == []
