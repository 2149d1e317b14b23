"""Events other services publish, built for a test that plays that service: each with fresh ids
and plausible values, keyword arguments overriding any field."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from shared.clock import utc_now
from shared.contracts.exchange import MatchFound, OfferPosted


def offer_posted(title: str, *, now: dt.datetime | None = None, **changes: Any) -> OfferPosted:
    """An `exchange.offer.posted` of some organisation: a room, open for 30 days from `now`
    (this second unless given)."""
    now = now or utc_now()
    values: dict[str, Any] = {
        "listing_id": str(uuid.uuid4()),
        "organisation_id": str(uuid.uuid4()),
        "category": "room",
        "title": title,
        "status": "open",
        "expires_at": now + dt.timedelta(days=30),
        "revision": 1,
        "updated_at": now,
    }
    values.update(changes)
    return OfferPosted.model_validate(values)


def offer_in_nordstadt(
    title: str, *, now: dt.datetime | None = None, **changes: Any
) -> OfferPosted:
    """An `exchange.offer.posted` of a room in Nordstadt, open for 60 days from `now` (this second
    unless given): what a neighbour following her district hears of."""
    now = now or utc_now()
    values: dict[str, Any] = {
        "district": "Nordstadt",
        "expires_at": now + dt.timedelta(days=60),
        **changes,
    }
    return offer_posted(title, now=now, **values)


def match_found(offer_org: str, request_org: str, **changes: Any) -> MatchFound:
    """An `exchange.match.found` between two organisations; keyword arguments override."""
    values: dict[str, Any] = {
        "match_id": str(uuid.uuid4()),
        "offer_id": str(uuid.uuid4()),
        "request_id": str(uuid.uuid4()),
        "offer_organisation_id": offer_org,
        "request_organisation_id": request_org,
        "category": "language_partner",
        "score": 0.82,
        "reasons": ["gleiche Sprache", "gleicher Stadtteil"],
        "offer_title": "Seniorinnen und Senioren für Gesprächsrunden",
        "request_title": "Sprachpartner für ukrainische Jugendliche gesucht",
        "found_at": dt.datetime.now(dt.UTC),
    }
    values.update(changes)
    return MatchFound.model_validate(values)


def numbered_matches(pairs: Sequence[tuple[str, str]], found_at: dt.datetime) -> list[MatchFound]:
    """Many equipment matches, the n-th between the n-th (offer, request) organisations, titled
    "Angebot Nummer n" and "Gesuch Nummer n"."""
    return [
        match_found(
            offer,
            request,
            category="equipment",
            score=0.5,
            reasons=[],
            offer_title=f"Angebot Nummer {n}",
            request_title=f"Gesuch Nummer {n}",
            found_at=found_at,
        )
        for n, (offer, request) in enumerate(pairs)
    ]
