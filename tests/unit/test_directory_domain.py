"""The directory's rules without I/O: search terms (`shared.text`), patches, archiving,
log-in throttling, acceptable passwords."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.directory.domain import (
    REQUIRED_FIELDS,
    Organisation,
    OrganisationCreate,
    OrganisationPatch,
    PatchRejectedError,
    archive_organisation,
    count_facets,
    register_organisation,
    update_organisation,
)
from services.directory.people import Person, ThrottleRule, client_address, password_problem
from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationFacts,
    OrganisationKind,
    OrganisationStatus,
)
from shared.contracts.vocabulary import FieldOfAction
from shared.text import MAX_TERMS, fold, query_terms, search_terms

T0 = dt.datetime(2026, 5, 16, 10, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(minutes=5)


def an_organisation(**changes: object) -> Organisation:
    organisation, _ = register_organisation(
        "01a20175-6dad-718f-a12c-c0b9a10eb02c",
        OrganisationCreate(
            name="Ukrainischer Verein Mriya e.V.",
            kind=OrganisationKind.MIGRANT_ORGANISATION,
            description="Beratung und Begegnung",
            languages=["uk", "de"],
            communities=["Ukrainian"],
            fields=[FieldOfAction.COUNSELLING],
            district="Nordstadt",
        ),
        T0,
    )
    return organisation.model_copy(update=changes)


# --- search -------------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Catalan Ŀ/ŀ are the only letters whose compatibility form ("l·") splits a word in two.
WORD_SPLITTING_LETTERS = "Ŀŀ"
letters = st.characters(categories=["Lu", "Ll"], exclude_characters=WORD_SPLITTING_LETTERS)
#: Latin letters with and without diacritics (À–ſ), as in German, Turkish or Polish names.
latin_letters = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    + "".join(
        chr(c)
        for c in range(0xC0, 0x180)
        if chr(c).isalpha() and chr(c) not in WORD_SPLITTING_LETTERS
    )
)


def words_and_prefixes(words: list[str]) -> list[str]:
    """Each word, and each of its beginnings of three letters or more."""
    return [
        prefix for word in words for prefix in [word] + [word[:end] for end in range(3, len(word))]
    ]


def assert_found_by_every_word_and_beginning(
    words: list[str], typed: Callable[[str], list[str]]
) -> None:
    """The name made of `words` is found by each word and each of its beginnings of three
    letters or more, in every spelling `typed` gives of it."""
    terms = set(search_terms(" ".join(words)))

    for query in words_and_prefixes(words):
        for spelling in typed(query):
            assert set(query_terms(spelling)) <= terms, (spelling, words)


@given(st.lists(st.text(letters, min_size=1, max_size=12), min_size=1, max_size=6))
def test_every_word_of_a_name_and_every_beginning_of_three_letters_finds_it_in_any_case(
    words: list[str],
) -> None:
    assert_found_by_every_word_and_beginning(
        words, lambda query: [query, query.upper(), query.lower()]
    )


@given(st.lists(st.text(latin_letters, min_size=1, max_size=12), min_size=1, max_size=6))
def test_a_word_or_its_beginning_typed_without_accents_finds_a_name_with_them(
    words: list[str],
) -> None:
    assert_found_by_every_word_and_beginning(words, lambda query: [strip_accents(query)])


def test_a_query_without_accents_finds_a_name_with_them() -> None:
    terms = search_terms("Café Öztürk Straße")

    assert {"cafe", "ozturk", "strasse"} <= set(terms)
    assert set(query_terms("CAFE oztu STRASSE")) <= set(terms)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        pytest.param("Kulturverein Yıldız", "yildiz", id="turkish-dotless-i-typed-plain"),
        pytest.param("Kulturverein Yıldız", "YILDIZ", id="turkish-dotless-i-in-capitals"),
        pytest.param("Frauentreff Kadın", "Kadin", id="turkish-dotless-i-capitalised"),
        pytest.param("Polnische Mission Łódź", "lodz", id="polish-l-with-stroke"),
        pytest.param("Søren Kierkegaard Kreis", "soren", id="danish-o-with-stroke"),
        pytest.param("Đorđević Beratung", "dordevic", id="serbian-d-with-stroke"),
    ],
)
def test_a_name_written_with_special_letters_is_found_as_people_type_it_on_a_german_keyboard(
    name: str, query: str
) -> None:
    assert set(query_terms(query)) <= set(search_terms(name))


def test_a_name_is_found_by_the_start_of_a_word_not_by_its_middle() -> None:
    terms = search_terms("Ukrainischer Verein")

    assert "ukr" in terms
    assert "rain" not in terms


def test_search_terms_come_from_name_description_and_communities_together() -> None:
    terms = search_terms("Mriya", "Beratung", "Ukrainian")

    assert {"mriya", "beratung", "ukrainian", "ber", "ukr"} <= set(terms)


def test_short_words_of_a_name_are_findable_whole() -> None:
    assert "am" in search_terms("Treff am See")


def test_short_query_words_are_ignored_when_the_query_has_longer_ones() -> None:
    assert query_terms("Café am See") == ["cafe", "see"]


def test_a_query_of_only_short_words_keeps_them() -> None:
    assert query_terms("Am") == ["am"]


def test_a_query_repeats_no_word_and_uses_at_most_ten() -> None:
    query = " ".join(f"wort{i:02d}" for i in range(15)) + " wort00 WORT01"

    terms = query_terms(query)

    assert terms == [f"wort{i:02d}" for i in range(10)]


def test_a_query_of_punctuation_alone_has_no_terms() -> None:
    assert query_terms("!!! --- ???") == []


def test_search_terms_of_a_very_long_text_are_capped() -> None:
    text = " ".join("abcdefghijklmnopqrstuvwxyz"[: 5 + i % 20] + str(i) for i in range(200))

    assert len(search_terms(text)) == MAX_TERMS


def test_folding_ignores_case_and_accents() -> None:
    assert fold("Öz Ğül ÇAFÉ Straße") == "oz gul cafe strasse"


# --- changing an organisation -------------------------------------------------------------


def test_an_event_carries_every_public_fact_of_the_organisation() -> None:
    organisation = an_organisation(
        address="Nordstraße 1",
        website="https://mriya.example/",
        email="info@mriya.example",
        phone="+49 231 123456",
        revision=3,
    )
    facts = set(OrganisationFacts.model_fields) - {"organisation_id"}

    event = organisation.announced(OrganisationArchived)

    assert event.organisation_id == organisation.id
    assert event.model_dump(include=facts) == organisation.model_dump(include=facts)


def test_a_patch_that_changes_nothing_raises_no_event_and_keeps_the_revision() -> None:
    organisation = an_organisation()
    patch = OrganisationPatch(name="Ukrainischer Verein Mriya e.V.", languages=["UK", "de"])

    updated, event = update_organisation(organisation, patch, T1)

    assert event is None
    assert updated == organisation


def test_an_empty_patch_raises_no_event() -> None:
    organisation = an_organisation()

    assert update_organisation(organisation, OrganisationPatch(), T1) == (organisation, None)


def test_a_patch_lists_the_changed_fields_sorted_and_counts_up_the_revision() -> None:
    organisation = an_organisation()
    patch = OrganisationPatch(
        name="Mriya e.V.", district="Südstadt", description="Neu", languages=["uk", "de"]
    )

    updated, event = update_organisation(organisation, patch, T1)

    assert event is not None
    assert event.changed_fields == ["description", "district", "name"]
    assert (updated.name, updated.district, updated.description) == (
        "Mriya e.V.",
        "Südstadt",
        "Neu",
    )
    assert updated.revision == organisation.revision + 1 == event.revision
    assert updated.updated_at == T1 == event.updated_at
    assert updated.created_at == T0
    assert event.name == "Mriya e.V."


def test_a_patched_kind_and_fields_keep_their_types() -> None:
    patch = OrganisationPatch(kind=OrganisationKind.ASSOCIATION, fields=[FieldOfAction.SPORTS])

    updated, event = update_organisation(an_organisation(), patch, T1)

    assert updated.kind is OrganisationKind.ASSOCIATION
    assert updated.fields == [FieldOfAction.SPORTS]
    assert event is not None
    assert event.changed_fields == ["fields", "kind"]


def test_an_optional_field_can_be_cleared_with_null() -> None:
    updated, event = update_organisation(an_organisation(), OrganisationPatch(district=None), T1)

    assert updated.district is None
    assert event is not None
    assert event.changed_fields == ["district"]


@pytest.mark.parametrize("field", sorted(REQUIRED_FIELDS))
def test_a_required_field_cannot_be_cleared(field: str) -> None:
    patch = OrganisationPatch.model_validate({field: None})

    with pytest.raises(PatchRejectedError, match=field):
        update_organisation(an_organisation(), patch, T1)


def test_an_archived_organisation_cannot_be_changed() -> None:
    archived = an_organisation(status=OrganisationStatus.ARCHIVED)

    with pytest.raises(PatchRejectedError, match="archived"):
        update_organisation(archived, OrganisationPatch(name="Neuer Name"), T1)


def test_archiving_marks_the_organisation_archived_once() -> None:
    organisation = an_organisation()

    archived, event = archive_organisation(organisation, T1)
    again, second_event = archive_organisation(archived, T1 + dt.timedelta(hours=1))

    assert archived.status is OrganisationStatus.ARCHIVED
    assert archived.revision == organisation.revision + 1
    assert event is not None
    assert event.status is OrganisationStatus.ARCHIVED
    assert second_event is None
    assert again == archived


# --- log-in throttling --------------------------------------------------------------------


@given(
    limit=st.integers(min_value=1, max_value=50),
    window_seconds=st.integers(min_value=1, max_value=3600),
    now_ms=st.integers(min_value=1_600_000_000_000, max_value=2**42),
    count=st.integers(min_value=1, max_value=200),
)
def test_attempts_up_to_the_limit_pass_and_later_ones_wait_until_the_window_ends(
    limit: int, window_seconds: int, now_ms: int, count: int
) -> None:
    rule = ThrottleRule("login", limit, window_seconds)
    _number, ends_ms = rule.window(now_ms)

    wait = rule.wait_seconds(count, now_ms)

    assert now_ms < ends_ms <= now_ms + window_seconds * 1000
    if count <= limit:
        assert wait == 0
    else:
        assert 1 <= wait <= window_seconds
        assert now_ms + wait * 1000 >= ends_ms
        assert rule.key("who", now_ms + wait * 1000) != rule.key("who", now_ms)


@given(
    window_seconds=st.integers(min_value=1, max_value=3600),
    now_ms=st.integers(min_value=0, max_value=2**42),
    later_ms=st.integers(min_value=0, max_value=2**42),
)
def test_two_moments_share_a_counter_exactly_when_they_fall_in_the_same_window(
    window_seconds: int, now_ms: int, later_ms: int
) -> None:
    rule = ThrottleRule("login", 5, window_seconds)

    same = rule.key("who", now_ms) == rule.key("who", later_ms)

    assert same == (rule.window(now_ms) == rule.window(later_ms))
    assert rule.key("who", now_ms) != rule.key("someone else", now_ms)
    assert rule.key("who", now_ms) != ThrottleRule("reset", 5, window_seconds).key("who", now_ms)


ips = st.ip_addresses(v=4).map(str)


@given(peer=ips, claimed=st.lists(ips, max_size=4))
def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    peer: str, claimed: list[str]
) -> None:
    assert client_address(peer, ", ".join(claimed), []) == peer


@given(client=ips.filter(lambda a: not a.startswith("10.")), spoofed=st.lists(ips, max_size=3))
def test_behind_trusted_proxies_the_nearest_untrusted_forwarded_address_is_the_client(
    client: str, spoofed: list[str]
) -> None:
    forwarded = ", ".join([*spoofed, client, "10.0.0.7"])

    assert client_address("10.0.0.2", forwarded, ["10.0.0.0/8"]) == client
    assert client_address("10.0.0.2", None, ["10.0.0.0/8"]) == "10.0.0.2"


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason", "words"),
    [
        pytest.param("kurz123!", "too-short", "at least 10", id="too-short"),
        pytest.param("Ab1!" * 251, "too-long", "too long", id="too-long"),
        pytest.param("Jana@Example.org", "the-email-address", "email", id="the-email-address"),
        pytest.param(
            "  jana@example.org ", "the-email-address", "email", id="the-email-address-padded"
        ),
        pytest.param("abababababab", "too-simple", "too simple", id="two-characters"),
        pytest.param("aaaaaaaaaaaaaaaaaaaa", "too-simple", "too simple", id="one-character"),
    ],
)
def test_an_unacceptable_password_is_refused_with_a_reason(
    password: str, reason: str, words: str
) -> None:
    problem = password_problem(password, "jana@example.org")

    assert problem is not None
    assert problem.reason == reason
    assert words in problem.detail


def test_a_reasonable_password_is_accepted() -> None:
    assert password_problem("Sonnenblume-im-Mai", "jana@example.org") is None


@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=10, max_size=1000
    ).filter(lambda p: len(set(p)) >= 4 and "@" not in p)
)
def test_any_long_enough_varied_password_other_than_the_address_is_accepted(
    password: str,
) -> None:
    assert password_problem(password, "jana@example.org") is None


# --- facets -------------------------------------------------------------------------------


def _organisation(name: str, **facts: object) -> Organisation:
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    return Organisation.model_validate(
        {"id": name, "name": name, "kind": "association", "created_at": now, "updated_at": now}
        | facts
    )


def test_facets_count_each_organisation_once_per_value_most_frequent_first() -> None:
    facets = count_facets(
        [
            _organisation("Mriya", languages=["uk", "de", "uk"], communities=["Ukrainian"]),
            _organisation("Linde", languages=["de"], district="Südstadt", fields=["housing"]),
            _organisation("Anadolu", kind="migrant_organisation", district=" südstadt "),
        ]
    )

    assert facets.total == 3
    assert facets.kind == {"association": 2, "migrant_organisation": 1}
    assert list(facets.language.items()) == [("de", 2), ("uk", 1)]
    assert facets.community == {"Ukrainian": 1}
    assert facets.field == {"housing": 1}
    assert facets.district == {"Südstadt": 2}


@given(st.lists(st.sampled_from(["de", "uk", "ar", "tr"]), max_size=4), st.integers(0, 6))
def test_no_facet_value_counts_more_organisations_than_were_found(
    languages: list[str], copies: int
) -> None:
    found = [_organisation(f"o{i}", languages=languages) for i in range(copies)]

    facets = count_facets(found)

    assert facets.total == copies
    assert all(0 < count <= copies for count in facets.language.values())
    assert set(facets.language) == (set(languages) if copies else set())


def test_a_person_keeps_the_language_they_chose_for_the_portal() -> None:
    joined = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    later = joined + dt.timedelta(days=1)
    person, _ = Person.invited("p-1", "olena@example.org", "Olena", "org-1", joined)
    assert person.language is None
    speaking = person.speaking("uk", later)
    assert (speaking.language, speaking.updated_at) == ("uk", later)
    assert speaking.speaking("uk", later + dt.timedelta(days=1)) is speaking
