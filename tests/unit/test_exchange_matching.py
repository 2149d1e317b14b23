"""Matching an offer with a request, without I/O: the rules every pair must meet, each
category's model of fit, and the properties that hold for any pair."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.exchange.domain import Listing
from services.exchange.matching import (
    MATCH_THRESHOLD,
    find_matches,
    is_matchable,
    language_key,
    match,
    match_pair_id,
    significant_words,
    tag_keys,
)
from shared.contracts.exchange import ListingCategory, ListingKind, ListingStatus
from tests.support.listings import (
    MRIYA,
    NOW,
    OFFER_ID,
    REQUEST_ID,
    SENIORS,
    a_listing,
    a_request,
    an_offer,
    days,
)
from tests.support.matching_set import REFERENCE_NOW, evaluate, load_pairs

LANGUAGE_PARTNER = ListingCategory.LANGUAGE_PARTNER


# --- what every pair must meet ------------------------------------------------------------


def test_seniors_offering_to_talk_match_a_request_for_german_practice_with_reasons() -> None:
    result = match(a_request(), an_offer(), NOW)

    assert result is not None
    assert (result.offer.id, result.request.id) == (OFFER_ID, REQUEST_ID)
    assert result.score >= MATCH_THRESHOLD
    assert result.reasons == ("Deutsch üben",)
    assert result.pair_id == f"{OFFER_ID}:{REQUEST_ID}" == match_pair_id(OFFER_ID, REQUEST_ID)


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


def test_listings_of_the_same_organisation_never_match() -> None:
    assert match(an_offer(organisation_id=MRIYA), a_request(organisation_id=MRIYA), NOW) is None


def test_two_offers_or_two_requests_never_match() -> None:
    assert match(an_offer(), an_offer(id=REQUEST_ID, organisation_id=MRIYA), NOW) is None
    assert match(a_request(), a_request(id=OFFER_ID, organisation_id=SENIORS), NOW) is None


def test_a_room_offer_does_not_match_a_furniture_request() -> None:
    offer = an_offer(category=ListingCategory.ROOM, title="Raum mit Tischen", tags=["Tische"])
    request = a_request(category=ListingCategory.FURNITURE, title="Tische gesucht")
    assert match(offer, request, NOW) is None


def test_listings_whose_windows_do_not_overlap_do_not_match() -> None:
    june = {"available_from": NOW + days(20), "available_until": NOW + days(50)}
    august = {"available_from": NOW + days(80), "available_until": NOW + days(100)}
    assert match(an_offer(**june), a_request(**august), NOW) is None
    assert match(an_offer(**june), a_request(available_from=NOW + days(40)), NOW) is not None


def test_regional_variants_of_a_language_count_as_that_language() -> None:
    assert match(an_offer(languages=["de-AT"]), a_request(languages=["de"]), NOW) is not None
    assert language_key("es-419") == "es"


def test_words_are_folded_so_umlauts_and_case_do_not_matter() -> None:
    assert significant_words("Deutschüben im GRÜNEN Café") == {"deutschuben", "grunen", "cafe"}
    assert list(tag_keys(["Sprachcafé", "sprachcafe", "Küche"])) == ["sprachcafe", "kuche"]


def test_matches_come_best_first_and_each_candidate_once() -> None:
    far = a_request(id="r-far", district="Südstadt")
    near = a_request(id="r-near", district="Nordstadt")
    offer = an_offer(district="Nordstadt")

    results = find_matches(offer, [far, near, near, an_offer(id="o-2")], NOW)

    assert [r.request.id for r in results] == ["r-near", "r-far"]
    assert results[0].score > results[1].score


# --- language partners ----------------------------------------------------------------------


def test_an_english_conversation_offer_does_not_match_a_request_to_practise_german() -> None:
    offer = an_offer(title="Konversationskurs Englisch", languages=["de", "en"], district="Westend")
    for title in (
        "Sprachpartner zum Deutschüben gesucht",
        "Hausaufgabenhilfe für Kinder",
        "Begleitung zu Behördengängen",
    ):
        assert match(offer, a_request(title=title, district="Westend"), NOW) is None, title


def test_homework_help_and_conversation_for_adults_are_different_kinds_of_help() -> None:
    offer = an_offer(title="Deutsch-Konversation für Erwachsene")
    request = a_request(title="Hausaufgabenhilfe gesucht", tags=["Kinder"])
    assert match(offer, request, NOW) is None


def test_a_tandem_fits_only_the_same_other_language() -> None:
    offer = an_offer(title="Spanisch-Deutsch-Tandem", languages=["es", "de"])
    assert match(offer, a_request(title="Arabisch-Deutsch-Tandem gesucht"), NOW) is None
    assert match(offer, a_request(title="Tandempartner Spanisch"), NOW) is not None


def test_who_speaks_a_language_is_not_the_language_they_practise() -> None:
    offer = an_offer(title="Arabisch für Anfänger (Kurs)", languages=["ar", "de"])
    request = a_request(title="Arabischsprachige Frauen möchten Deutsch lernen", languages=["ar"])
    assert match(offer, request, NOW) is None


def test_interpreting_needs_the_familys_language() -> None:
    offer = an_offer(title="Sprachmittlung Farsi", languages=["fa", "de"])
    request = a_request(title="Sprachmittlung für syrische Familie", languages=["ar", "de"])
    assert match(offer, request, NOW) is None
    dari = a_request(title="Begleitung zum Jobcenter", languages=["prs", "de"])
    assert match(offer, dari, NOW) is not None  # Dari and Farsi are close enough


UNRELATED_WORDS = ["Abend", "Nachbarn", "Sommer", "Haus", "Stadt", "Woche", "Projekt", "Zeit"]


@settings(max_examples=200, deadline=None)
@given(
    offer_words=st.lists(st.sampled_from(UNRELATED_WORDS), min_size=1, max_size=3),
    request_words=st.lists(st.sampled_from(UNRELATED_WORDS), min_size=1, max_size=3),
    language=st.sampled_from(["de", "uk", "ar", "tr"]),
    district=st.sampled_from([None, "Nordstadt"]),
)
def test_a_shared_language_alone_never_matches(
    offer_words: list[str], request_words: list[str], language: str, district: str | None
) -> None:
    offer = an_offer(title=" ".join(offer_words), languages=[language], district=district)
    request = a_request(title=" ".join(request_words), languages=[language], district=district)
    assert match(offer, request, NOW) is None


# --- rooms and things -----------------------------------------------------------------------


def a_room(kind: ListingKind, title: str, **changes: Any) -> Listing:
    return a_listing(kind, category=ListingCategory.ROOM, title=title, languages=[], **changes)


def test_a_room_too_small_for_the_group_does_not_match() -> None:
    offer = a_room(ListingKind.OFFER, "Besprechungsraum", quantity=10, district="Südstadt")
    request = a_room(ListingKind.REQUEST, "Saal für Vereinsfeier", quantity=80)
    assert match(offer, request, NOW) is None
    big_enough = a_room(ListingKind.REQUEST, "Raum für Vorstandssitzung", quantity=6)
    result = match(offer, big_enough, NOW)
    assert result is not None
    assert "Platz für 10 Personen, gebraucht für 6" in result.reasons


def test_a_room_free_only_after_the_date_needed_does_not_match() -> None:
    offer = a_room(ListingKind.OFFER, "Gruppenraum", available_from=NOW + days(100))
    request = a_room(
        ListingKind.REQUEST,
        "Raum für Workshop",
        available_from=NOW + days(20),
        available_until=NOW + days(22),
    )
    assert match(offer, request, NOW) is None


def test_a_sports_hall_is_no_store_for_furniture() -> None:
    offer = a_room(ListingKind.OFFER, "Turnhalle abends frei", tags=["Sport"])
    request = a_room(ListingKind.REQUEST, "Halle zur Zwischenlagerung von Möbeln")
    assert match(offer, request, NOW) is None


def a_thing(kind: ListingKind, title: str, **changes: Any) -> Listing:
    return a_listing(kind, category=ListingCategory.FURNITURE, title=title, languages=[], **changes)


def test_synonyms_and_compounds_name_the_same_thing() -> None:
    assert match(
        a_thing(ListingKind.OFFER, "Sofa abzugeben"),
        a_thing(ListingKind.REQUEST, "Couch für Familie gesucht"),
        NOW,
    )
    assert match(
        a_thing(ListingKind.OFFER, "Esstisch mit 4 Stühlen"),
        a_thing(ListingKind.REQUEST, "Küchentisch gesucht"),
        NOW,
    )


def test_what_a_thing_is_for_is_not_what_is_sought() -> None:
    offer = a_thing(ListingKind.OFFER, "Kinderbett abzugeben", tags=["Kinderbett"])
    request = a_thing(ListingKind.REQUEST, "Bettwäsche für Kinderbett gesucht", tags=["Kinderbett"])
    assert match(offer, request, NOW) is None


def test_a_toy_bed_is_no_bed() -> None:
    offer = a_thing(ListingKind.OFFER, "Puppenbett aus Holz")
    assert match(offer, a_thing(ListingKind.REQUEST, "Kinderbett für Dreijährige"), NOW) is None


def test_two_chairs_do_not_serve_forty_people() -> None:
    offer = a_thing(ListingKind.OFFER, "Stühle abzugeben", quantity=2)
    assert (
        match(offer, a_thing(ListingKind.REQUEST, "Stühle für Infoabend", quantity=40), NOW) is None
    )
    assert (
        match(offer, a_thing(ListingKind.REQUEST, "Stühle für Büro", quantity=3), NOW) is not None
    )


# --- the labelled set and properties --------------------------------------------------------


def test_the_labelled_set_keeps_its_precision_and_recall() -> None:
    """A guard against regressions; bench/matching_quality.py prints the figures."""
    tallies = evaluate(load_pairs(), lambda o, r: match(o, r, REFERENCE_NOW) is not None)
    assert tallies["overall"].precision >= 0.8
    assert tallies["overall"].recall >= 0.8
    for category in ("room", "furniture", "language_partner", "equipment"):
        assert tallies[category].precision >= 0.8, category


ORGANISATIONS = [MRIYA, SENIORS, "01a20175-6e13-7012-9a1c-000000000003"]
VOCABULARY = [
    "Raum",
    "Gruppenraum",
    "Tische",
    "Sprachpartner",
    "Senioren",
    "Fußball",
    "Beamer",
    "Deutsch",
    "üben",
]


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    start = draw(st.none() | st.integers(-30, 60))
    length = draw(st.integers(1, 60))
    end = draw(st.none() | st.just((start or 0) + length))
    return Listing(
        id=draw(st.uuids()).hex,
        kind=draw(st.sampled_from(ListingKind)),
        organisation_id=draw(st.sampled_from(ORGANISATIONS)),
        category=draw(
            st.sampled_from([ListingCategory.ROOM, LANGUAGE_PARTNER, ListingCategory.FURNITURE])
        ),
        title=" ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))),
        description=draw(
            st.sampled_from(["", "mit Küche", "für den Fußball-Nachmittag", "für 20 Personen"])
        ),
        tags=draw(st.lists(st.sampled_from(["Sprachcafé", "sprachcafe", "Küche", "Sport"]))),
        languages=draw(st.lists(st.sampled_from(["de", "de-AT", "uk", "ar"]), max_size=2)),
        district=draw(st.sampled_from([None, "Nordstadt", "nordstadt", "Südstadt"])),
        quantity=draw(st.none() | st.integers(1, 100)),
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
    assert match(a, b.model_copy(update={"organisation_id": a.organisation_id}), NOW) is None


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
    other = ListingCategory.ROOM if a.category is not ListingCategory.ROOM else LANGUAGE_PARTNER
    assert match(a, b.model_copy(update={"category": other}), NOW) is None
