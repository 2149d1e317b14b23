"""Matching an offer with a request: which open listings could fit, how well, and in which
words the reasons are told. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from services.exchange.domain import Listing
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    ListingStatus,
    MatchReason,
    MatchReasonKind,
)
from shared.text import fold, words

#: Only pairs scoring at least this much are matches.
MATCH_THRESHOLD = 0.3
#: Weights of the parts of a score (see `match_score`).
TAG_WEIGHT = 0.35
TEXT_WEIGHT = 0.25
LANGUAGE_WEIGHT = 0.35
DISTRICT_WEIGHT = 0.15
#: Text similarity (Dice over words) at which the text part of the score is full.
FULL_TEXT_SIMILARITY = 0.5
#: A word also matches a compound ending in it ("Raum" – "Gruppenraum") from this length on.
MIN_COMPOUND_HEAD = 4
MAX_TEXT_WORDS = 200
MAX_REASON_WORDS = 5

_STOPWORD_TEXT = """
    aber alle als also auch auf aus bei bin bis damit dann das dass dem den der des die dies diese
    diesem diesen dieser doch durch ein eine einem einen einer eines etwa fur gibt hat hier ich ihr
    ist kann konnen mit nach nicht noch nur oder ohne sehr sich sie sind uber und uns unser unsere
    vom von vor war was wer wie wir wird zum zur zwei biete bieten angebot gesucht suche suchen
    sucht anfrage bitte gerne and are for from the this that with our you your can will need offer
    request looking
"""
#: Folded words that say nothing about what is offered or sought (shorter ones are ignored).
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

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


def language_key(tag: str) -> str:
    """The primary language of a BCP 47 tag: "de-AT" and "de" are both German."""
    return tag.split("-", 1)[0].lower()


def language_name(key: str) -> str:
    return LANGUAGE_NAMES.get(key, key)


def tag_keys(tags: Iterable[str]) -> dict[str, str]:
    """Folded tag → the listing's own spelling."""
    keys: dict[str, str] = {}
    for tag in tags:
        keys.setdefault(fold(tag), tag)
    return keys


def significant_words(*texts: str) -> frozenset[str]:
    found: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            if len(word) >= 3 and word not in STOPWORDS and not word.isdigit():
                found[word] = None
    return frozenset(list(found)[:MAX_TEXT_WORDS])


def _compound_heads(word: str) -> list[str]:
    """The endings of a word that could be a word of their own ("gruppenraum" → "raum" …)."""
    return [word[i:] for i in range(1, len(word) - MIN_COMPOUND_HEAD + 1)]


def _words_found(these: frozenset[str], others: frozenset[str]) -> set[str]:
    """Words of `these` that occur in `others`, also as a compound's head or with one as head."""
    other_heads = {head for word in others for head in _compound_heads(word)}
    return {
        word
        for word in these
        if word in others
        or word in other_heads
        or any(head in others for head in _compound_heads(word))
    }


def text_similarity(a: frozenset[str], b: frozenset[str]) -> tuple[float, set[str], set[str]]:
    """Dice coefficient over two word sets, and the words of each found in the other."""
    if not a or not b:
        return 0.0, set(), set()
    found_a, found_b = _words_found(a, b), _words_found(b, a)
    return (len(found_a) + len(found_b)) / (len(a) + len(b)), found_a, found_b


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def has_window(listing: Listing) -> bool:
    return listing.available_from is not None or listing.available_until is not None


def windows_overlap(a: Listing, b: Listing) -> bool:
    start_a, end_a = a.available_from or _EARLIEST, a.available_until or _LATEST
    start_b, end_b = b.available_from or _EARLIEST, b.available_until or _LATEST
    return start_a < end_b and start_b < end_a


def match_score(
    category: ListingCategory, *, tags: float, text: float, language: float, district: float
) -> float:
    """The weighted mean of the parts (each in [0, 1]) that count for the category.

    A shared language counts only between language partners, where it is what fits; elsewhere
    it only has to allow talking. The same district alone stays below the threshold.
    """
    parts = [(TAG_WEIGHT, tags), (TEXT_WEIGHT, text), (DISTRICT_WEIGHT, district)]
    if category is ListingCategory.LANGUAGE_PARTNER:
        parts.append((LANGUAGE_WEIGHT, language))
    return round(sum(w * part for w, part in parts) / sum(w for w, _ in parts), 3)


def match(first: Listing, second: Listing, now: dt.datetime) -> MatchResult | None:
    """Whether an offer and a request fit, in either order; None when they do not."""
    if first.kind is second.kind:
        return None
    offer, request = (first, second) if first.kind is ListingKind.OFFER else (second, first)
    if offer.organisation_id == request.organisation_id or offer.category is not request.category:
        return None
    if not (is_matchable(offer, now) and is_matchable(request, now)):
        return None
    offer_languages = {language_key(tag) for tag in offer.languages}
    request_languages = {language_key(tag) for tag in request.languages}
    shared_languages = offer_languages & request_languages
    if offer_languages and request_languages and not shared_languages:
        return None
    both_windows = has_window(offer) and has_window(request)
    if both_windows and not windows_overlap(offer, request):
        return None

    offer_tags, request_tags = tag_keys(offer.tags), tag_keys(request.tags)
    shared_tags = sorted(offer_tags.keys() & request_tags.keys())
    similarity, offer_words, _ = text_similarity(
        significant_words(offer.title, offer.description),
        significant_words(request.title, request.description),
    )
    same_district = (
        offer.district is not None
        and request.district is not None
        and fold(offer.district) == fold(request.district)
    )
    score = match_score(
        offer.category,
        tags=len(shared_tags) / min(len(offer_tags), len(request_tags)) if shared_tags else 0.0,
        text=min(1.0, similarity / FULL_TEXT_SIMILARITY),
        language=1.0 if shared_languages else 0.0,
        district=1.0 if same_district else 0.0,
    )
    if score < MATCH_THRESHOLD:
        return None

    details: list[MatchReason] = []
    if shared_languages:
        details.append(MatchReason(kind=MatchReasonKind.LANGUAGES, values=sorted(shared_languages)))
    if same_district and offer.district is not None:
        details.append(MatchReason(kind=MatchReasonKind.DISTRICT, values=[offer.district]))
    if shared_tags:
        details.append(
            MatchReason(kind=MatchReasonKind.TAGS, values=[offer_tags[k] for k in shared_tags])
        )
    if offer_words:
        details.append(
            MatchReason(kind=MatchReasonKind.TEXT, values=sorted(offer_words)[:MAX_REASON_WORDS])
        )
    if both_windows:
        details.append(MatchReason(kind=MatchReasonKind.WINDOW))
    reasons = [german_reason(detail) for detail in details]
    return MatchResult(
        offer=offer, request=request, score=score, reasons=tuple(reasons), details=tuple(details)
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
        return f"ähnlicher Text: {', '.join(reason.values)}"
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
