"""The exchange's rules without I/O: posting, editing and closing listings, their expiry, and
matching an offer with a request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.exchange.domain import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    Listing,
    ListingClosedError,
    ListingCreate,
    ListingPatch,
    ListingRejectedError,
    edit_listing,
    expire_listing,
    fulfil_listing,
    is_due_to_expire,
    post_listing,
    withdraw_listing,
)
from services.exchange.matching import (
    MATCH_THRESHOLD,
    find_matches,
    is_matchable,
    language_key,
    match,
    match_pair_id,
    match_score,
    significant_words,
    tag_keys,
    text_similarity,
)
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    ListingStatus,
    OfferFulfilled,
    OfferPosted,
    RequestPosted,
    RequestUpdated,
    RequestWithdrawn,
    WithdrawalReason,
)

NOW = dt.datetime(2026, 5, 16, 10, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)
MRIYA = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
SENIORS = "01a20175-6e13-7012-9a1c-8de746c2ce99"
OFFER_ID = "01a20175-6d8a-7156-84fd-a785183d790f"
REQUEST_ID = "01a20175-6df1-7fe3-97ab-ab3800dc37cb"


def a_listing(kind: ListingKind = ListingKind.OFFER, **changes: Any) -> Listing:
    values: dict[str, Any] = {
        "id": OFFER_ID if kind is ListingKind.OFFER else REQUEST_ID,
        "kind": kind,
        "organisation_id": SENIORS if kind is ListingKind.OFFER else MRIYA,
        "category": ListingCategory.LANGUAGE_PARTNER,
        "title": "Senioren als Sprachpartner"
        if kind is ListingKind.OFFER
        else "Sprachpartner zum Deutschüben",
        "languages": ["de"],
        "expires_at": NOW + DEFAULT_LIFETIME,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(changes)
    return Listing(**values)


def an_offer(**changes: Any) -> Listing:
    return a_listing(ListingKind.OFFER, **changes)


def a_request(**changes: Any) -> Listing:
    return a_listing(ListingKind.REQUEST, **changes)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- the examples -----------------------------------------------------------------


def test_seniors_offering_to_talk_match_a_request_for_german_practice_with_reasons() -> None:
    result = match(a_request(), an_offer(), NOW)

    assert result is not None
    assert result.offer.id == OFFER_ID
    assert result.request.id == REQUEST_ID
    assert result.score >= MATCH_THRESHOLD
    assert result.reasons == ("beide: Deutsch", "ähnlicher Text: sprachpartner")
    assert result.pair_id == f"{OFFER_ID}:{REQUEST_ID}" == match_pair_id(OFFER_ID, REQUEST_ID)


def test_language_partners_match_on_their_language_even_when_their_texts_differ() -> None:
    offer = an_offer(title="Gesprächsrunde im Seniorenheim", description="Jeden Dienstag Kaffee")
    request = a_request(title="Jugendliche möchten reden", description="Aus Charkiw, seit 2024")

    result = match(offer, request, NOW)

    assert result is not None
    assert result.reasons == ("beide: Deutsch",)


def test_a_room_offer_does_not_match_a_furniture_request() -> None:
    offer = an_offer(category=ListingCategory.ROOM, title="Raum mit Tischen", tags=["Tische"])
    request = a_request(category=ListingCategory.FURNITURE, title="Tische gesucht", tags=["Tische"])

    assert match(offer, request, NOW) is None


@pytest.mark.parametrize(
    "status", [ListingStatus.FULFILLED, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED]
)
def test_a_closed_request_matches_nothing(status: ListingStatus) -> None:
    assert match(an_offer(), a_request(status=status), NOW) is None
    assert match(a_request(status=status), an_offer(), NOW) is None


def test_a_request_past_its_expiry_matches_nothing_even_before_the_sweep_closes_it() -> None:
    request = a_request(expires_at=NOW)

    assert not is_matchable(request, NOW)
    assert match(an_offer(), request, NOW) is None
    assert match(an_offer(), request, NOW - dt.timedelta(seconds=1)) is not None


def test_a_listing_whose_window_has_ended_matches_nothing() -> None:
    ended = an_offer(available_from=NOW - days(10), available_until=NOW - days(1))

    assert match(ended, a_request(), NOW) is None


# --- the rules one by one -----------------------------------------------------------------


def test_listings_of_the_same_organisation_never_match() -> None:
    assert match(an_offer(organisation_id=MRIYA), a_request(organisation_id=MRIYA), NOW) is None


def test_two_offers_or_two_requests_never_match() -> None:
    other = an_offer(id=REQUEST_ID, organisation_id=MRIYA)
    assert match(an_offer(), other, NOW) is None
    assert match(a_request(), a_request(id=OFFER_ID, organisation_id=SENIORS), NOW) is None


def test_listings_that_both_name_languages_need_one_in_common() -> None:
    assert match(an_offer(languages=["uk"]), a_request(languages=["de"]), NOW) is None
    assert match(an_offer(languages=["uk", "de"]), a_request(languages=["de"]), NOW) is not None


def test_a_listing_naming_no_language_can_match_one_that_does() -> None:
    offer = an_offer(languages=[], title="Sprachpartner", tags=["Sprachcafé"])
    request = a_request(languages=["uk"], title="Sprachpartner gesucht", tags=["Sprachcafé"])

    result = match(offer, request, NOW)

    assert result is not None
    assert not any(reason.startswith("beide") for reason in result.reasons)


def test_regional_variants_of_a_language_count_as_that_language() -> None:
    result = match(an_offer(languages=["de-AT"]), a_request(languages=["de"]), NOW)

    assert result is not None
    assert "beide: Deutsch" in result.reasons
    assert language_key("es-419") == "es"


def test_listings_whose_windows_do_not_overlap_do_not_match() -> None:
    june = {"available_from": NOW + days(20), "available_until": NOW + days(50)}
    august = {"available_from": NOW + days(80), "available_until": NOW + days(100)}
    july_on = {"available_from": NOW + days(40)}

    assert match(an_offer(**june), a_request(**august), NOW) is None
    overlapping = match(an_offer(**june), a_request(**july_on), NOW)
    assert overlapping is not None
    assert "Zeiträume überschneiden sich" in overlapping.reasons


def test_windows_that_only_touch_do_not_overlap() -> None:
    until = an_offer(available_until=NOW + days(10))
    from_then = a_request(available_from=NOW + days(10))

    assert match(until, from_then, NOW) is None


def test_a_window_on_one_side_only_does_not_prevent_a_match() -> None:
    assert match(an_offer(available_until=NOW + days(5)), a_request(), NOW) is not None


def test_shared_tags_count_whatever_their_case_and_accents() -> None:
    offer = an_offer(category=ListingCategory.ROOM, title="Saal", languages=[], tags=["Sprachcafé"])
    request = a_request(
        category=ListingCategory.ROOM, title="Ort", languages=[], tags=["SPRACHCAFE", "abends"]
    )

    result = match(offer, request, NOW)

    assert result is not None
    assert result.reasons == ("Schlagworte: Sprachcafé",)


def test_the_same_district_is_a_reason_but_never_a_match_on_its_own() -> None:
    offer = an_offer(
        category=ListingCategory.FURNITURE, title="Sofa", languages=[], district="Nordstadt"
    )
    request = a_request(
        category=ListingCategory.FURNITURE, title="Kinderbetten", languages=[], district="nordstadt"
    )
    assert match(offer, request, NOW) is None

    with_tag = match(
        offer.model_copy(update={"tags": ["Möbel"]}),
        request.model_copy(update={"tags": ["Möbel"]}),
        NOW,
    )
    assert with_tag is not None
    assert with_tag.reasons == ("gleicher Stadtteil: Nordstadt", "Schlagworte: Möbel")


def test_a_shared_language_counts_towards_the_score_only_between_language_partners() -> None:
    texts = {
        "title": "Nachmittags Gespräche bei Kaffee und Kuchen",
        "description": "Treffpunkt Bibliothek, Dienstag",
    }
    other = {"title": "Gespräche gewünscht", "description": "Jugendliche aus Charkiw"}
    talk = match(an_offer(**texts), a_request(**other), NOW)
    assert talk is not None
    assert talk.reasons[0] == "beide: Deutsch"

    furniture = {"category": ListingCategory.FURNITURE}
    assert match(an_offer(**texts, **furniture), a_request(**other, **furniture), NOW) is None
    assert match(an_offer(title="Sofa"), a_request(title="Bett"), NOW) is not None
    assert (
        match(an_offer(title="Sofa", **furniture), a_request(title="Bett", **furniture), NOW)
        is None
    )


@pytest.mark.parametrize("category", list(ListingCategory))
def test_a_score_is_a_weighted_mean_where_the_district_alone_is_never_enough(
    category: ListingCategory,
) -> None:
    everything = match_score(category, tags=1.0, text=1.0, language=1.0, district=1.0)
    nothing = match_score(category, tags=0.0, text=0.0, language=0.0, district=0.0)
    district = match_score(category, tags=0.0, text=0.0, language=0.0, district=1.0)

    assert (everything, nothing) == (1.0, 0.0)
    assert district < MATCH_THRESHOLD


def test_a_word_matches_a_compound_ending_in_it() -> None:
    similarity, offer_words, request_words = text_similarity(
        significant_words("Gruppenraum in der Nordstadt"), significant_words("Raum gesucht")
    )

    assert offer_words == {"gruppenraum"}
    assert request_words == {"raum"}
    assert similarity == pytest.approx(2 / 3)


def test_function_words_do_not_make_two_texts_similar() -> None:
    similarity, _, _ = text_similarity(
        significant_words("Wir bieten einen Beamer für die Arbeit"),
        significant_words("Wir suchen für die Gruppe einen Bus"),
    )
    assert similarity == 0.0


def test_words_are_folded_so_umlauts_and_case_do_not_matter() -> None:
    assert significant_words("Deutschüben im GRÜNEN Café") == {"deutschuben", "grunen", "cafe"}
    assert list(tag_keys(["Sprachcafé", "sprachcafe", "Küche"])) == ["sprachcafe", "kuche"]


def test_matches_come_best_first_and_each_candidate_once() -> None:
    plain = a_request(id="r-plain", title="Gespräche")
    close = a_request(id="r-close", district="Nordstadt", tags=["Sprachcafé"])
    offer = an_offer(district="Nordstadt", tags=["Sprachcafé"])

    results = find_matches(offer, [plain, close, close, an_offer(id="o-2")], NOW)

    assert [r.request.id for r in results] == ["r-close", "r-plain"]
    assert results[0].score > results[1].score


# --- properties ---------------------------------------------------------------------------

ORGANISATIONS = [MRIYA, SENIORS, "01a20175-6e13-7012-9a1c-000000000003"]
VOCABULARY = ["Raum", "Gruppenraum", "Tische", "Sprachpartner", "Senioren", "Fußball", "Beamer"]


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    start = draw(st.none() | st.integers(-30, 60))
    length = draw(st.integers(1, 60))
    end = draw(st.none() | st.just((start or 0) + length))
    return Listing(
        id=draw(st.uuids()).hex,
        kind=draw(st.sampled_from(ListingKind)),
        organisation_id=draw(st.sampled_from(ORGANISATIONS)),
        category=draw(st.sampled_from([ListingCategory.ROOM, ListingCategory.LANGUAGE_PARTNER])),
        title=" ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))),
        description=draw(st.sampled_from(["", "mit Küche", "für den Fußball-Nachmittag"])),
        tags=draw(st.lists(st.sampled_from(["Sprachcafé", "sprachcafe", "Küche", "Sport"]))),
        languages=draw(st.lists(st.sampled_from(["de", "de-AT", "uk", "ar"]), max_size=2)),
        district=draw(st.sampled_from([None, "Nordstadt", "nordstadt", "Südstadt"])),
        available_from=None if start is None else NOW + days(start),
        available_until=None if end is None else NOW + days(end),
        status=draw(st.sampled_from([ListingStatus.OPEN] * 3 + list(ListingStatus))),
        expires_at=NOW + days(draw(st.integers(-5, 90))),
        created_at=NOW,
        updated_at=NOW,
    )


@given(listings(), listings())
def test_matching_is_symmetric(a: Listing, b: Listing) -> None:
    assert match(a, b, NOW) == match(b, a, NOW)


@given(listings(), listings())
def test_an_organisation_is_never_matched_with_itself(a: Listing, b: Listing) -> None:
    result = match(a, b.model_copy(update={"organisation_id": a.organisation_id}), NOW)
    assert result is None


@given(listings(), listings())
def test_a_closed_listing_is_never_matched(a: Listing, b: Listing) -> None:
    if a.status is not ListingStatus.OPEN or b.status is not ListingStatus.OPEN:
        assert match(a, b, NOW) is None


@given(listings(), listings())
def test_a_match_pairs_an_open_offer_and_an_open_request_of_one_category(
    a: Listing, b: Listing
) -> None:
    result = match(a, b, NOW)
    if result is None:
        return
    assert result.offer.kind is ListingKind.OFFER
    assert result.request.kind is ListingKind.REQUEST
    assert result.offer.category is result.request.category
    assert is_matchable(result.offer, NOW)
    assert is_matchable(result.request, NOW)
    assert MATCH_THRESHOLD <= result.score <= 1.0
    assert result.reasons


@given(listings(), listings())
def test_listings_of_different_categories_never_match(a: Listing, b: Listing) -> None:
    other = (
        ListingCategory.ROOM
        if a.category is ListingCategory.LANGUAGE_PARTNER
        else ListingCategory.LANGUAGE_PARTNER
    )
    assert match(a, b.model_copy(update={"category": other}), NOW) is None


# --- posting, editing, closing --------------------------------------------------------------


def a_create(**changes: Any) -> ListingCreate:
    values: dict[str, Any] = {
        "organisation_id": MRIYA,
        "category": "language_partner",
        "title": "Sprachpartner zum Deutschüben",
        "languages": ["de"],
    }
    values.update(changes)
    return ListingCreate.model_validate(values)


def test_a_posted_listing_is_open_for_sixty_days_by_default() -> None:
    listing, event = post_listing(REQUEST_ID, ListingKind.REQUEST, a_create(), NOW)

    assert listing.status is ListingStatus.OPEN
    assert listing.expires_at == NOW + days(60)
    assert isinstance(event, RequestPosted)
    assert event.listing_id == REQUEST_ID
    assert event.revision == 1


def test_an_offer_posts_an_offer_event() -> None:
    _, event = post_listing(OFFER_ID, ListingKind.OFFER, a_create(), NOW)
    assert isinstance(event, OfferPosted)
    assert event.listing_kind is ListingKind.OFFER


@pytest.mark.parametrize(
    ("expires_at", "problem"),
    [
        (NOW, "future"),
        (NOW - days(1), "future"),
        (NOW + MAX_LIFETIME + dt.timedelta(seconds=1), "365 days"),
    ],
)
def test_an_expiry_in_the_past_or_more_than_a_year_ahead_is_rejected(
    expires_at: dt.datetime, problem: str
) -> None:
    with pytest.raises(ListingRejectedError, match=problem):
        post_listing(REQUEST_ID, ListingKind.REQUEST, a_create(expires_at=expires_at), NOW)


def test_a_window_that_has_already_ended_is_rejected_when_posting_or_editing() -> None:
    ended = a_create(available_until=NOW - dt.timedelta(seconds=1))
    with pytest.raises(ListingRejectedError, match="available_until"):
        post_listing(REQUEST_ID, ListingKind.REQUEST, ended, NOW)
    with pytest.raises(ListingRejectedError, match="available_until"):
        edit_listing(a_request(), ListingPatch(available_until=NOW), LATER)


def test_an_expiry_a_year_ahead_is_accepted() -> None:
    listing, _ = post_listing(
        REQUEST_ID, ListingKind.REQUEST, a_create(expires_at=NOW + MAX_LIFETIME), NOW
    )
    assert listing.expires_at == NOW + days(365)


def test_times_are_stored_in_utc_whole_seconds() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    data = a_create(available_from="2026-06-01T18:00:00.750+02:00")
    assert data.available_from == dt.datetime(2026, 6, 1, 16, 0, tzinfo=dt.UTC)
    assert data.available_from.tzinfo == dt.UTC
    assert dt.datetime(2026, 6, 1, 18, 0, tzinfo=berlin) == data.available_from


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"available_from": "2026-06-01T18:00:00"}, id="time-without-offset"),
        pytest.param(
            {"available_from": "2026-06-02T00:00:00Z", "available_until": "2026-06-01T00:00:00Z"},
            id="window-backwards",
        ),
        pytest.param({"category": "car"}, id="unknown-category"),
        pytest.param({"title": "  x "}, id="title-too-short"),
        pytest.param({"languages": ["deutsch!"]}, id="not-a-language-tag"),
        pytest.param({"quantity": 0}, id="quantity-zero"),
        pytest.param({"tags": [f"tag {n}" for n in range(21)]}, id="too-many-tags"),
        pytest.param({"status": "fulfilled"}, id="unknown-field"),
        pytest.param({"organisation_id": "mriya"}, id="organisation-not-an-id"),
    ],
)
def test_invalid_listings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        a_create(**changes)


def test_tags_that_differ_only_in_case_or_accents_are_kept_once() -> None:
    assert a_create(tags=["Sprachcafé", "sprachcafe", " Küche "]).tags == ["Sprachcafé", "Küche"]


def test_an_edit_names_the_changed_fields_and_raises_the_revision() -> None:
    request = a_request()
    patch = ListingPatch(description="Samstags", languages=["de"], district="Nordstadt")

    edited, event = edit_listing(request, patch, LATER)

    assert isinstance(event, RequestUpdated)
    assert event.changed_fields == ["description", "district"]
    assert edited.revision == 2
    assert edited.updated_at == LATER
    assert edited.description == "Samstags"


def test_an_edit_that_changes_nothing_publishes_nothing() -> None:
    request = a_request()
    assert edit_listing(request, ListingPatch(languages=["de"]), LATER) == (request, None)


def test_an_edit_may_clear_optional_fields_but_not_required_ones() -> None:
    request = a_request(district="Nordstadt")
    edited, _ = edit_listing(request, ListingPatch(district=None), LATER)
    assert edited.district is None
    with pytest.raises(ListingRejectedError, match="title"):
        edit_listing(request, ListingPatch(title=None), LATER)


def test_an_edit_may_not_turn_the_window_backwards() -> None:
    request = a_request(available_until=NOW + days(5))
    with pytest.raises(ListingRejectedError, match="before"):
        edit_listing(request, ListingPatch(available_from=NOW + days(6)), LATER)


def test_an_edit_may_renew_the_expiry_up_to_a_year_from_now() -> None:
    request = a_request()
    renewed, _ = edit_listing(request, ListingPatch(expires_at=LATER + days(365)), LATER)
    assert renewed.expires_at == LATER + days(365)
    with pytest.raises(ListingRejectedError):
        edit_listing(request, ListingPatch(expires_at=LATER + days(366)), LATER)


@pytest.mark.parametrize(
    "status", [ListingStatus.FULFILLED, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED]
)
def test_a_closed_listing_cannot_be_edited_withdrawn_or_fulfilled(status: ListingStatus) -> None:
    closed = a_request(status=status)
    with pytest.raises(ListingClosedError):
        edit_listing(closed, ListingPatch(title="Neu und anders"), LATER)
    with pytest.raises(ListingClosedError):
        withdraw_listing(closed, WithdrawalReason.WITHDRAWN_BY_OWNER, LATER)
    with pytest.raises(ListingClosedError):
        fulfil_listing(closed, LATER)


def test_fulfilling_an_offer_closes_it_with_an_offer_fulfilled_event() -> None:
    fulfilled, event = fulfil_listing(an_offer(), LATER)

    assert fulfilled.status is ListingStatus.FULFILLED
    assert isinstance(event, OfferFulfilled)
    assert event.status is ListingStatus.FULFILLED
    assert event.revision == 2


def test_withdrawing_names_the_reason() -> None:
    withdrawn, event = withdraw_listing(a_request(), WithdrawalReason.ORGANISATION_ARCHIVED, LATER)
    assert withdrawn.status is ListingStatus.WITHDRAWN
    assert withdrawn.closed_reason is WithdrawalReason.ORGANISATION_ARCHIVED
    assert isinstance(event, RequestWithdrawn)
    assert event.reason is WithdrawalReason.ORGANISATION_ARCHIVED


# --- expiry -------------------------------------------------------------------------------


def test_an_open_listing_expires_at_its_expiry_and_is_withdrawn_with_reason_expired() -> None:
    request = a_request(expires_at=LATER)

    assert expire_listing(request, LATER - dt.timedelta(seconds=1)) is None
    expired = expire_listing(request, LATER)

    assert expired is not None
    listing, event = expired
    assert listing.status is ListingStatus.EXPIRED
    assert isinstance(event, RequestWithdrawn)
    assert event.reason is WithdrawalReason.EXPIRED
    assert event.status is ListingStatus.EXPIRED


def test_a_closed_listing_never_expires_again() -> None:
    withdrawn = a_request(status=ListingStatus.WITHDRAWN, expires_at=NOW)
    assert not is_due_to_expire(withdrawn, LATER)
    assert expire_listing(withdrawn, LATER) is None
