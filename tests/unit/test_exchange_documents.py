"""The exchange's match documents keep everything a recorded match holds."""

from __future__ import annotations

import datetime as dt

from services.exchange.domain import Listing
from services.exchange.matching import MatchResult
from services.exchange.repository import RecordedMatch
from services.exchange.store import match_document, match_from_document
from shared.contracts.exchange import ListingCategory, ListingKind

NOW = dt.datetime(2030, 6, 20, 12, tzinfo=dt.UTC)


def listing(listing_id: str, kind: ListingKind, organisation_id: str, title: str) -> Listing:
    return Listing(
        id=listing_id,
        kind=kind,
        organisation_id=organisation_id,
        category=ListingCategory.ROOM,
        title=title,
        expires_at=NOW + dt.timedelta(days=60),
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_recorded_match_is_read_back_as_it_was_written() -> None:
    result = MatchResult(
        offer=listing("offer-1", ListingKind.OFFER, "mriya", "Gruppenraum mit Küche"),
        request=listing("request-1", ListingKind.REQUEST, "linde", "Raum für Elterncafé"),
        score=0.7,
        reasons=("Schlagworte: Küche", "gleicher Stadtteil: Nordstadt"),
    )
    match = RecordedMatch.of(result, "match-1", NOW)

    document = match_document(match)

    assert match_from_document(document) == match
    assert document["_id"] == result.pair_id
    assert document["organisation_ids"] == ["linde", "mriya"]
