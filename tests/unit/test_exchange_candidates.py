"""Candidates: every fit of the labelled sets is found by the candidate queries of either
side (the queries are read with a limit, so a fit they do not ask for is never matched)."""

from __future__ import annotations

from typing import Any

import pytest

from services.exchange.domain import Listing
from services.exchange.matching import match
from services.exchange.store import NO_KEYS, candidate_filters, listing_document
from shared.mongo import Document
from tests.support.matching_set import (
    BLIND_DIR,
    HELD_OUT_DIR,
    REFERENCE_NOW,
    SET_DIR,
    UNSEEN_DIR,
    load_pairs,
)


def _holds(condition: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if isinstance(condition, dict):
        return any(v in condition["$in"] for v in values)
    return condition in values


def finds(query: Document, doc: Document) -> bool:
    """Whether the candidate query (equalities and `$in`, as MongoDB reads them on scalar and
    list fields) selects the stored document."""
    return all(_holds(condition, doc.get(field)) for field, condition in query.items())


def found_by(seeker: Listing, other: Listing) -> bool:
    doc = listing_document(other)
    return any(finds(query, doc) for query in candidate_filters(seeker))


@pytest.mark.parametrize("directory", [SET_DIR, HELD_OUT_DIR, BLIND_DIR, UNSEEN_DIR])
def test_every_labelled_fit_is_a_candidate_whichever_side_comes_second(directory: Any) -> None:
    fits = [p for p in load_pairs(directory) if match(p.offer, p.request, REFERENCE_NOW)]
    assert fits
    missed = [
        p.id for p in fits if not (found_by(p.offer, p.request) and found_by(p.request, p.offer))
    ]
    assert missed == []


def test_a_listing_that_names_nothing_known_is_stored_under_no_keys_and_found_by_keyed_ones() -> (
    None
):
    [pair] = [p for p in load_pairs(SET_DIR) if p.offer.category.value == "furniture"][:1]
    nameless = pair.offer.model_copy(update={"title": "Biete", "tags": [], "description": ""})
    doc = listing_document(nameless)

    assert doc["match_keys"] == [NO_KEYS]
    assert found_by(pair.request, nameless)
