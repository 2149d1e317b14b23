"""Matching an offer with a request: the rules every pair must meet (an offer and a request
of one category, of two organisations, both open), the category's model of fit (`fit.py`),
and the reasons in German. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from services.exchange.domain import Listing
from services.exchange.matching.fit import MODELS
from shared.contracts.exchange import (
    ListingKind,
    ListingStatus,
    MatchReason,
    MatchReasonKind,
)
from shared.text import fold

#: Only pairs scoring at least this much are matches.
MATCH_THRESHOLD = 0.3
#: Names of common languages in German, for reasons shown to people.
LANGUAGE_NAMES = {
    "ar": "Arabisch",
    "bg": "Bulgarisch",
    "bs": "Bosnisch",
    "de": "Deutsch",
    "el": "Griechisch",
    "en": "Englisch",
    "es": "Spanisch",
    "fa": "Persisch",
    "fr": "Französisch",
    "hr": "Kroatisch",
    "hu": "Ungarisch",
    "it": "Italienisch",
    "ku": "Kurdisch",
    "pl": "Polnisch",
    "prs": "Dari",
    "ps": "Paschtu",
    "pt": "Portugiesisch",
    "ro": "Rumänisch",
    "ru": "Russisch",
    "so": "Somali",
    "sq": "Albanisch",
    "sr": "Serbisch",
    "ti": "Tigrinya",
    "tr": "Türkisch",
    "uk": "Ukrainisch",
    "vi": "Vietnamesisch",
    "zh": "Chinesisch",
}


class MatchResult(BaseModel):
    """An offer and a request that fit each other, how well, and why."""

    model_config = ConfigDict(frozen=True)

    offer: Listing
    request: Listing
    score: float = Field(ge=0.0, le=1.0)
    reasons: tuple[str, ...]
    details: tuple[MatchReason, ...] = ()

    @property
    def pair_id(self) -> str:
        return match_pair_id(self.offer.id, self.request.id)


def match_pair_id(offer_id: str, request_id: str) -> str:
    """One id per (offer, request) pair, so a pair is matched at most once."""
    return f"{offer_id}:{request_id}"


def is_matchable(listing: Listing, now: dt.datetime) -> bool:
    """Open, not past its expiry, and not past the end of its window."""
    return (
        listing.status is ListingStatus.OPEN
        and listing.expires_at > now
        and (listing.available_until is None or listing.available_until > now)
    )


def language_name(key: str) -> str:
    return LANGUAGE_NAMES.get(key, key)


def tag_keys(tags: Iterable[str]) -> dict[str, str]:
    """Folded tag → the listing's own spelling."""
    keys: dict[str, str] = {}
    for tag in tags:
        keys.setdefault(fold(tag), tag)
    return keys


def match(first: Listing, second: Listing, now: dt.datetime) -> MatchResult | None:
    """Whether an offer and a request fit, in either order; None when they do not. The
    category's model (`fit.py`) decides; a pair scoring below the threshold is no match."""
    if first.kind is second.kind:
        return None
    offer, request = (first, second) if first.kind is ListingKind.OFFER else (second, first)
    if offer.organisation_id == request.organisation_id or offer.category is not request.category:
        return None
    if not (is_matchable(offer, now) and is_matchable(request, now)):
        return None
    fit = MODELS[offer.category](offer, request)
    if fit is None or fit.score < MATCH_THRESHOLD:
        return None
    details = tuple(fit.reasons)
    return MatchResult(
        offer=offer,
        request=request,
        score=round(fit.score, 3),
        reasons=tuple(german_reason(detail) for detail in details),
        details=details,
    )


def german_reason(reason: MatchReason) -> str:
    """How the portal (in German) says why they fit."""
    if reason.kind is MatchReasonKind.LANGUAGES:
        return f"beide: {', '.join(sorted(language_name(key) for key in reason.values))}"
    if reason.kind is MatchReasonKind.DISTRICT:
        return f"gleicher Stadtteil: {', '.join(reason.values)}"
    if reason.kind is MatchReasonKind.TAGS:
        return f"Schlagworte: {', '.join(reason.values)}"
    if reason.kind is MatchReasonKind.TEXT:
        return f"passt zu: {', '.join(reason.values)}"
    if reason.kind is MatchReasonKind.CAPACITY and len(reason.values) == 2:
        return f"Platz für {reason.values[0]} Personen, gebraucht für {reason.values[1]}"
    if reason.kind is MatchReasonKind.PRACTICE:
        return f"{', '.join(language_name(key) for key in reason.values)} üben"
    return "Zeiträume überschneiden sich"


def find_matches(
    listing: Listing, candidates: Iterable[Listing], now: dt.datetime
) -> list[MatchResult]:
    """Every candidate that fits `listing`, best first."""
    seen: set[str] = set()
    found: list[MatchResult] = []
    for candidate in candidates:
        if candidate.id in seen:
            continue
        seen.add(candidate.id)
        result = match(listing, candidate, now)
        if result is not None:
            found.append(result)
    found.sort(key=lambda result: (-result.score, result.pair_id))
    return found
