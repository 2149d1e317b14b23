"""The exchange's domain: listings ("Suchen und Bieten"), their life cycle, and the matching of
an offer with a request. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from shared.contracts.exchange import (
    ListingCategory,
    ListingFacts,
    ListingKind,
    ListingStatus,
    MatchReason,
    MatchReasonKind,
    OfferFulfilled,
    OfferPosted,
    OfferUpdated,
    OfferWithdrawn,
    RequestFulfilled,
    RequestPosted,
    RequestUpdated,
    RequestWithdrawn,
    WithdrawalReason,
)
from shared.contracts.vocabulary import LanguageTag
from shared.ids import EntityId
from shared.text import fold, words

#: A listing without an explicit `expires_at` is taken down after this long.
DEFAULT_LIFETIME = dt.timedelta(days=60)
#: The latest `expires_at` accepted, counted from the moment it is set.
MAX_LIFETIME = dt.timedelta(days=365)

# --- input --------------------------------------------------------------------------------


#: Times given to the exchange lie in these years: near enough that no conversion overflows.
PLAUSIBLE_YEARS = range(1900, 2201)


def _utc_whole_seconds(value: dt.datetime) -> dt.datetime:
    if value.year not in PLAUSIBLE_YEARS:
        raise ValueError(
            f"Times lie between the years {PLAUSIBLE_YEARS.start} and {PLAUSIBLE_YEARS.stop - 1}."
        )
    # sub-second comparisons are not portable across MongoDB-protocol servers (docs/storage.md)
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _unique_folded(values: list[str]) -> list[str]:
    """Keeps the first spelling of tags that differ only in case or accents."""
    kept: dict[str, str] = {}
    for value in values:
        kept.setdefault(fold(value), value)
    return list(kept.values())


UtcTime = Annotated[AwareDatetime, AfterValidator(_utc_whole_seconds)]
OrganisationId = EntityId
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
District = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tags = Annotated[list[Tag], AfterValidator(_unique_folded), Field(max_length=20)]
Languages = Annotated[list[LanguageTag], AfterValidator(_unique), Field(max_length=20)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]


def _window_problem(start: dt.datetime | None, end: dt.datetime | None) -> str | None:
    if start is not None and end is not None and start >= end:
        return "`available_from` must be before `available_until`."
    return None


class ListingCreate(BaseModel):
    """What an organisation posts as an offer or a request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    organisation_id: OrganisationId = Field(description="The posting organisation.")
    category: ListingCategory
    title: Title = Field(examples=["Senioren als Sprachpartner"])
    description: Description = ""
    tags: Tags = Field(default_factory=list, examples=[["Sprachcafé"]])
    languages: Languages = Field(default_factory=list, examples=[["de"]])
    district: District | None = Field(None, examples=["Nordstadt"])
    available_from: UtcTime | None = None
    available_until: UtcTime | None = None
    quantity: Quantity | None = None
    expires_at: UtcTime | None = Field(
        None, description="Defaults to 60 days from now; at most 365 days from now."
    )

    @model_validator(mode="after")
    def _window_is_ordered(self) -> ListingCreate:
        problem = _window_problem(self.available_from, self.available_until)
        if problem:
            raise ValueError(problem)
        return self


class ListingPatch(BaseModel):
    """A partial edit: only the fields given change; `null` clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: ListingCategory | None = None
    title: Title | None = None
    description: Description | None = None
    tags: Tags | None = None
    languages: Languages | None = None
    district: District | None = None
    available_from: UtcTime | None = None
    available_until: UtcTime | None = None
    quantity: Quantity | None = None
    expires_at: UtcTime | None = None


#: Fields that may not be cleared with null.
REQUIRED_FIELDS = frozenset({"category", "title", "description", "tags", "languages", "expires_at"})
#: Fields whose change can make a listing fit other listings (an edit of these re-matches).
MATCHING_FIELDS = frozenset(
    {
        "category",
        "title",
        "description",
        "tags",
        "languages",
        "district",
        "available_from",
        "available_until",
    }
)


class ListingRejectedError(ValueError):
    """Well-formed input that the exchange's rules do not allow."""


class ListingClosedError(ValueError):
    """The listing is fulfilled, withdrawn or expired: it cannot change any more."""


# --- listings -----------------------------------------------------------------------------


class Listing(BaseModel):
    """An offer or a request as the exchange holds it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ListingKind
    organisation_id: str
    category: ListingCategory
    title: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    district: str | None = None
    available_from: dt.datetime | None = None
    available_until: dt.datetime | None = None
    quantity: int | None = None
    status: ListingStatus = ListingStatus.OPEN
    closed_reason: WithdrawalReason | None = None
    expires_at: dt.datetime
    revision: int = 1
    created_at: dt.datetime
    updated_at: dt.datetime

    def facts(self) -> dict[str, Any]:
        return {
            "listing_id": self.id,
            "listing_kind": self.kind,
            "organisation_id": self.organisation_id,
            "category": self.category,
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "languages": self.languages,
            "district": self.district,
            "available_from": self.available_from,
            "available_until": self.available_until,
            "quantity": self.quantity,
            "status": self.status,
            "expires_at": self.expires_at,
            "revision": self.revision,
            "updated_at": self.updated_at,
        }


_POSTED: dict[ListingKind, type[OfferPosted] | type[RequestPosted]] = {
    ListingKind.OFFER: OfferPosted,
    ListingKind.REQUEST: RequestPosted,
}
_UPDATED: dict[ListingKind, type[OfferUpdated] | type[RequestUpdated]] = {
    ListingKind.OFFER: OfferUpdated,
    ListingKind.REQUEST: RequestUpdated,
}
_WITHDRAWN: dict[ListingKind, type[OfferWithdrawn] | type[RequestWithdrawn]] = {
    ListingKind.OFFER: OfferWithdrawn,
    ListingKind.REQUEST: RequestWithdrawn,
}
_FULFILLED: dict[ListingKind, type[OfferFulfilled] | type[RequestFulfilled]] = {
    ListingKind.OFFER: OfferFulfilled,
    ListingKind.REQUEST: RequestFulfilled,
}


def expiry_problem(expires_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why `expires_at` cannot be set at `now`, or None."""
    if expires_at <= now:
        return "`expires_at` must lie in the future."
    if expires_at > now + MAX_LIFETIME:
        return f"`expires_at` may lie at most {MAX_LIFETIME.days} days ahead."
    return None


def window_end_problem(available_until: dt.datetime | None, now: dt.datetime) -> str | None:
    """A listing whose availability has already ended could never be matched."""
    if available_until is not None and available_until <= now:
        return "`available_until` must lie in the future."
    return None


def post_listing(
    listing_id: str, kind: ListingKind, data: ListingCreate, now: dt.datetime
) -> tuple[Listing, ListingFacts]:
    expires_at = data.expires_at or now + DEFAULT_LIFETIME
    problem = expiry_problem(expires_at, now) or window_end_problem(data.available_until, now)
    if problem:
        raise ListingRejectedError(problem)
    listing = Listing(
        id=listing_id,
        kind=kind,
        **data.model_dump(exclude={"expires_at"}),
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    return listing, _POSTED[kind](**listing.facts())


def edit_listing(
    listing: Listing, patch: ListingPatch, now: dt.datetime
) -> tuple[Listing, ListingFacts | None]:
    """Apply an edit. Returns the new state and the event, or no event when nothing changed."""
    if listing.status is not ListingStatus.OPEN:
        raise ListingClosedError(f"This listing is {listing.status.value} and cannot be changed.")
    given = patch.model_dump(exclude_unset=True)
    cleared = sorted(name for name in REQUIRED_FIELDS if name in given and given[name] is None)
    if cleared:
        raise ListingRejectedError(f"These fields cannot be cleared: {', '.join(cleared)}.")
    changed = sorted(name for name, value in given.items() if getattr(listing, name) != value)
    if not changed:
        return listing, None
    edited = listing.model_copy(
        update={
            **{name: given[name] for name in changed},
            "revision": listing.revision + 1,
            "updated_at": now,
        }
    )
    problem = _window_problem(edited.available_from, edited.available_until)
    if "expires_at" in changed:
        problem = problem or expiry_problem(edited.expires_at, now)
    if "available_until" in changed:
        problem = problem or window_end_problem(edited.available_until, now)
    if problem:
        raise ListingRejectedError(problem)
    return edited, _UPDATED[listing.kind](**edited.facts(), changed_fields=changed)


def _close(
    listing: Listing,
    status: ListingStatus,
    reason: WithdrawalReason | None,
    now: dt.datetime,
) -> Listing:
    if listing.status is not ListingStatus.OPEN:
        raise ListingClosedError(f"This listing is already {listing.status.value}.")
    return listing.model_copy(
        update={
            "status": status,
            "closed_reason": reason,
            "revision": listing.revision + 1,
            "updated_at": now,
        }
    )


def withdraw_listing(
    listing: Listing, reason: WithdrawalReason, now: dt.datetime
) -> tuple[Listing, ListingFacts]:
    expired = reason is WithdrawalReason.EXPIRED
    closed = _close(
        listing, ListingStatus.EXPIRED if expired else ListingStatus.WITHDRAWN, reason, now
    )
    return closed, _WITHDRAWN[listing.kind](**closed.facts(), reason=reason)


def fulfil_listing(listing: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts]:
    closed = _close(listing, ListingStatus.FULFILLED, None, now)
    return closed, _FULFILLED[listing.kind](**closed.facts())


def is_due_to_expire(listing: Listing, now: dt.datetime) -> bool:
    return listing.status is ListingStatus.OPEN and listing.expires_at <= now


def expire_listing(listing: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts] | None:
    """Take an open listing past its `expires_at` down; None when it is not due."""
    if not is_due_to_expire(listing, now):
        return None
    return withdraw_listing(listing, WithdrawalReason.EXPIRED, now)


# --- matching -----------------------------------------------------------------------------

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
