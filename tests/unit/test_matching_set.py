"""The labelled evaluation sets for the exchange's matching (tests/data/matching, the held-out
tests/data/matching_heldout written after the matching was tuned, tests/data/matching_blind
written without seeing the matching or the other sets' pairs, and tests/data/matching_unseen
written the same way and evaluated only once): every pair is well formed, labelled, within the
agreed sizes and free of personal contact data."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.matching_set import LISTING_FIELDS

DATA_ROOT = Path(__file__).resolve().parents[1] / "data"

MINIMUM_PAIRS = {
    "room": 60,
    "furniture": 50,
    "equipment": 20,
    "language_partner": 70,
    "volunteers": 40,
    "cooperation": 40,
    "expertise": 20,
    "transport": 15,
    "other": 15,
}
HELDOUT_MINIMUM_PAIRS = {
    "room": 25,
    "furniture": 22,
    "equipment": 12,
    "language_partner": 30,
    "volunteers": 18,
    "cooperation": 18,
    "expertise": 12,
    "transport": 10,
    "other": 12,
}
BLIND_MINIMUM_PAIRS = {
    "room": 28,
    "furniture": 24,
    "equipment": 14,
    "language_partner": 34,
    "volunteers": 20,
    "cooperation": 20,
    "expertise": 14,
    "transport": 12,
    "other": 14,
}
UNSEEN_MINIMUM_PAIRS = {
    "room": 26,
    "furniture": 24,
    "equipment": 14,
    "language_partner": 32,
    "volunteers": 20,
    "cooperation": 20,
    "expertise": 14,
    "transport": 14,
    "other": 16,
}
#: Each set: its folder under tests/data, its minimum pairs per category and the id's infix.
SETS = {
    "matching": (MINIMUM_PAIRS, ""),
    "matching_heldout": (HELDOUT_MINIMUM_PAIRS, "h"),
    "matching_blind": (BLIND_MINIMUM_PAIRS, "b"),
    "matching_unseen": (UNSEEN_MINIMUM_PAIRS, "u"),
}
LABELS = {"match", "no_match"}
PAIR_FIELDS = {"id", "label", "why", "offer", "request"}
DISTRICTS = {
    "Nordstadt",
    "Südstadt",
    "Westend",
    "Ostviertel",
    "Altstadt",
    "Hafen",
    "Bahnhofsviertel",
    "Am Lindenhof",
}
#: The set's "now": every window lies after it, within 2027.
REFERENCE_DATE = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
END_OF_SET_YEAR = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)

#: A primary language subtag (2–3 letters), optionally a script, region or variant.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
#: Six or more digits, perhaps split by spaces, slashes or hyphens: looks like a phone number.
PHONE_LIKE = re.compile(r"\+?\d(?:[ /-]?\d){5,}")


def _load_pairs(folder: str) -> dict[str, list[dict[str, Any]]]:
    pairs: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((DATA_ROOT / folder).glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        pairs[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return pairs


PAIRS = {folder: _load_pairs(folder) for folder in SETS}
ALL_PAIRS = {
    folder: [pair for category_pairs in pairs.values() for pair in category_pairs]
    for folder, pairs in PAIRS.items()
}
CATEGORIES = [(folder, category) for folder, (minimum, _) in SETS.items() for category in minimum]

each_set = pytest.mark.parametrize("folder", sorted(SETS))


def _listings(folder: str) -> list[tuple[str, dict[str, Any]]]:
    return [(pair["id"], pair[side]) for pair in ALL_PAIRS[folder] for side in ("offer", "request")]


def _texts(pair: dict[str, Any]) -> list[str]:
    texts = [pair["why"]]
    for side in ("offer", "request"):
        listing = pair[side]
        texts += [listing["title"], listing["description"], *listing["tags"]]
    return texts


def _utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@each_set
def test_every_line_of_every_file_parses_as_a_json_object(folder: str) -> None:
    for path in sorted((DATA_ROOT / folder).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert isinstance(json.loads(line), dict), f"{path.name}:{number}"


@each_set
def test_there_is_one_file_per_listing_category_and_no_other(folder: str) -> None:
    assert set(PAIRS[folder]) == set(SETS[folder][0])


@each_set
def test_each_category_holds_at_least_its_minimum_number_of_pairs(folder: str) -> None:
    for category, minimum in SETS[folder][0].items():
        assert len(PAIRS[folder][category]) >= minimum, category


@each_set
def test_ids_are_unique_and_prefixed_by_their_category(folder: str) -> None:
    ids = Counter(pair["id"] for pair in ALL_PAIRS[folder])
    assert [value for value, count in ids.items() if count > 1] == []
    infix = SETS[folder][1]
    for category, category_pairs in PAIRS[folder].items():
        for pair in category_pairs:
            assert re.fullmatch(rf"{category}-{infix}\d{{3}}", pair["id"]), pair["id"]


@each_set
def test_every_pair_has_exactly_the_pair_fields(folder: str) -> None:
    for pair in ALL_PAIRS[folder]:
        assert set(pair) == PAIR_FIELDS, pair.get("id")


@each_set
def test_every_pair_is_labelled_match_or_no_match_with_a_reason(folder: str) -> None:
    for pair in ALL_PAIRS[folder]:
        assert pair["label"] in LABELS, pair["id"]
        assert isinstance(pair["why"], str), pair["id"]
        assert pair["why"].strip(), pair["id"]


@pytest.mark.parametrize(("folder", "category"), CATEGORIES)
def test_each_category_is_roughly_balanced_between_match_and_no_match(
    folder: str, category: str
) -> None:
    labels = Counter(pair["label"] for pair in PAIRS[folder][category])
    share = labels["match"] / len(PAIRS[folder][category])
    assert 0.35 <= share <= 0.6, f"{folder}/{category}: {share:.0%} match"


@each_set
def test_listings_use_only_the_fields_the_api_accepts(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        assert set(listing) <= LISTING_FIELDS, pair_id


@each_set
def test_every_listing_has_a_title_of_3_to_200_characters(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        assert isinstance(listing["title"], str), pair_id
        assert 3 <= len(listing["title"].strip()) <= 200, pair_id


@each_set
def test_descriptions_tags_and_quantities_have_the_accepted_shapes(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        assert isinstance(listing.get("description", ""), str), pair_id
        assert len(listing.get("description", "")) <= 5000, pair_id
        tags = listing.get("tags", [])
        assert isinstance(tags, list), pair_id
        assert len(tags) <= 6, pair_id
        assert all(isinstance(tag, str) and 1 <= len(tag.strip()) <= 50 for tag in tags), pair_id
        quantity = listing.get("quantity")
        assert quantity is None or (type(quantity) is int and quantity >= 1), pair_id


@each_set
def test_languages_are_plausible_bcp_47_tags(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        languages = listing.get("languages", [])
        assert isinstance(languages, list), pair_id
        for tag in languages:
            assert LANGUAGE_TAG.fullmatch(tag), f"{pair_id}: {tag!r}"


@each_set
def test_districts_are_those_of_the_fictional_city_or_none(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        assert listing.get("district") in DISTRICTS | {None}, pair_id


@each_set
def test_windows_are_ordered_and_lie_after_the_reference_date_within_2027(folder: str) -> None:
    for pair_id, listing in _listings(folder):
        start, end = listing.get("available_from"), listing.get("available_until")
        for value in (start, end):
            if value is not None:
                assert value.endswith("Z"), pair_id
                assert REFERENCE_DATE <= _utc(value) < END_OF_SET_YEAR, pair_id
        if start is not None and end is not None:
            assert _utc(start) < _utc(end), pair_id


@each_set
def test_no_text_holds_an_email_address_or_a_phone_number(folder: str) -> None:
    for pair in ALL_PAIRS[folder]:
        for text in _texts(pair):
            assert "@" not in text, pair["id"]
            assert not PHONE_LIKE.search(text), f"{pair['id']}: {text!r}"


def _listing_texts(folder: str) -> set[str]:
    return {json.dumps(listing, sort_keys=True) for _, listing in _listings(folder)}


def test_the_held_out_set_repeats_no_listing_of_the_first_set() -> None:
    assert _listing_texts("matching_heldout").isdisjoint(_listing_texts("matching"))


@pytest.mark.parametrize("other", ["matching", "matching_heldout"])
def test_the_blind_set_repeats_no_listing_of_the_other_sets(other: str) -> None:
    assert _listing_texts("matching_blind").isdisjoint(_listing_texts(other))


@pytest.mark.parametrize("other", ["matching", "matching_heldout", "matching_blind"])
def test_the_unseen_set_repeats_no_listing_of_the_other_sets(other: str) -> None:
    assert _listing_texts("matching_unseen").isdisjoint(_listing_texts(other))
