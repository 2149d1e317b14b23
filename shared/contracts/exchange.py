"""Events published by the exchange service (`exchange.*`), the network's "Suchen und Bieten".

A partner organisation posts an offer ("Bieten": a room, furniture, a language partner …) or a
request ("Suchen"); both are listings with the same facts. When an open offer and an open request
fit each other, the exchange publishes a match. Listings name organisations, never people.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Payload, Revision, changed_field_names
from shared.contracts.vocabulary import LanguageTag


class ListingKind(StrEnum):
    """Whether a listing offers something ("Bieten") or looks for something ("Suchen")."""

    OFFER = "offer"
    REQUEST = "request"


class ListingCategory(StrEnum):
    """What kind of resource a listing is about."""

    ROOM = "room"
    FURNITURE = "furniture"
    EQUIPMENT = "equipment"
    LANGUAGE_PARTNER = "language_partner"
    VOLUNTEERS = "volunteers"
    COOPERATION = "cooperation"
    EXPERTISE = "expertise"
    TRANSPORT = "transport"
    OTHER = "other"


class ListingStatus(StrEnum):
    """Where a listing stands: still open, or closed as fulfilled, withdrawn or expired."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class WithdrawalReason(StrEnum):
    """Why a listing was taken off the exchange without being fulfilled."""

    WITHDRAWN_BY_OWNER = "withdrawn_by_owner"
    EXPIRED = "expired"
    ORGANISATION_ARCHIVED = "organisation_archived"


class ListingFacts(Payload):
    """The public facts about an offer or a request, as shown on the exchange."""

    listing_id: str = Field(
        description="Listing id (UUIDv7); offers and requests share one id space.",
        examples=["01a20175-6d8a-7156-84fd-a785183d790f"],
    )
    listing_kind: ListingKind = Field(
        description="`offer` (Bieten) or `request` (Suchen).", examples=["offer"]
    )
    organisation_id: str = Field(
        description="Id of the organisation that posted the listing (see `directory.*`).",
        examples=["01a20175-6dad-718f-a12c-c0b9a10eb02c"],
    )
    category: ListingCategory = Field(
        description="What kind of resource it is about.", examples=["room"]
    )
    title: str = Field(
        description="Short headline.",
        min_length=1,
        examples=["Gruppenraum für 20 Personen, abends frei"],
    )
    description: str = Field(
        "",
        description="Details in the organisation's own words.",
        examples=["Barrierefrei, mit Beamer und Küche. Montags bis donnerstags ab 18 Uhr."],
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Free keywords chosen by the organisation.",
        examples=[["Sprachcafé", "barrierefrei"]],
    )
    languages: list[LanguageTag] = Field(
        default_factory=list,
        description="Languages involved, e.g. spoken by a language partner (BCP 47).",
        examples=[["de", "uk"]],
    )
    district: str | None = Field(
        None,
        description="District (Stadtteil) where it is located or needed.",
        examples=["Nordstadt"],
    )
    available_from: dt.datetime | None = Field(
        None,
        description="From when the resource is offered or needed (UTC); none means right away.",
        examples=["2026-06-01T16:00:00Z"],
    )
    available_until: dt.datetime | None = Field(
        None,
        description="Until when the resource is offered or needed (UTC); none means open-ended.",
        examples=["2026-08-31T20:00:00Z"],
    )
    quantity: int | None = Field(
        None,
        description="How many items or people, where counting makes sense.",
        ge=1,
        examples=[20],
    )
    status: ListingStatus = Field(
        description="`open` while it can be matched, then `fulfilled`, `withdrawn` or `expired`.",
        examples=["open"],
    )
    expires_at: dt.datetime = Field(
        description="When the listing expires unless renewed (UTC).",
        examples=["2026-09-01T00:00:00Z"],
    )
    measure_ids: list[str] = Field(
        default_factory=list,
        description="Measures of the integration concept the listing carries out (see "
        "`concept.measure.*`; added in v1, optional).",
        examples=[["01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"]],
    )
    revision: Revision
    updated_at: dt.datetime = Field(
        description="When the listing last changed (UTC).", examples=["2026-05-16T12:00:00Z"]
    )

    subject_field: ClassVar[str] = "listing_id"


class OfferFacts(ListingFacts):
    """The public facts about an offer ("Bieten")."""

    listing_kind: Literal[ListingKind.OFFER] = Field(
        ListingKind.OFFER, description="Always `offer`.", examples=["offer"]
    )


class RequestFacts(ListingFacts):
    """The public facts about a request ("Suchen")."""

    listing_kind: Literal[ListingKind.REQUEST] = Field(
        ListingKind.REQUEST, description="Always `request`.", examples=["request"]
    )


class Withdrawal(Payload):
    """What a withdrawn listing adds to its facts (after them on the wire)."""

    reason: WithdrawalReason = Field(
        description="Why: the owner withdrew it, it expired, or its organisation left the network.",
        examples=["withdrawn_by_owner"],
    )


class Fulfilment(Payload):
    """What a fulfilled listing adds to its facts (after them on the wire)."""

    through_match_id: str | None = Field(
        None,
        description="The match (`match_id` of `exchange.match.found`) through which the listing "
        "was fulfilled, as its organisation says; none when it was fulfilled without the network "
        "or the organisation did not say.",
        examples=["01a20175-6dcf-7d04-889d-7561596255aa"],
    )


class OfferPosted(OfferFacts):
    """A partner organisation offers a resource to the network."""

    routing_key: ClassVar[str] = "exchange.offer.posted"


class OfferUpdated(OfferFacts):
    """An open offer was edited; it carries the new facts (matching runs again)."""

    routing_key: ClassVar[str] = "exchange.offer.updated"
    changed_fields: list[str] = changed_field_names(["description", "tags"])


class OfferWithdrawn(Withdrawal, OfferFacts):
    """An offer was taken off the exchange without being fulfilled; see `reason`."""

    routing_key: ClassVar[str] = "exchange.offer.withdrawn"


class OfferFulfilled(Fulfilment, OfferFacts):
    """An offer found its taker; it is closed."""

    routing_key: ClassVar[str] = "exchange.offer.fulfilled"


class RequestPosted(RequestFacts):
    """A partner organisation looks for a resource in the network."""

    routing_key: ClassVar[str] = "exchange.request.posted"


class RequestUpdated(RequestFacts):
    """An open request was edited; it carries the new facts (matching runs again)."""

    routing_key: ClassVar[str] = "exchange.request.updated"
    changed_fields: list[str] = changed_field_names(["languages"])


class RequestWithdrawn(Withdrawal, RequestFacts):
    """A request was taken off the exchange without being fulfilled; see `reason`."""

    routing_key: ClassVar[str] = "exchange.request.withdrawn"


class RequestFulfilled(Fulfilment, RequestFacts):
    """A request was met; it is closed."""

    routing_key: ClassVar[str] = "exchange.request.fulfilled"


class MatchSide(StrEnum):
    """One side of a match: the organisation of the offer, or that of the request."""

    OFFER = "offer"
    REQUEST = "request"


class MatchVerdict(StrEnum):
    """What one side of a match said of it."""

    FITS = "fits"
    DOES_NOT_FIT = "does_not_fit"


class RatingChannel(StrEnum):
    """Where a rating was given: a link in the match email, or the portal."""

    EMAIL = "email"
    PORTAL = "portal"


#: The offer and the request of a match and the category they share, as both match events name them.
MatchOfferId = Annotated[
    str,
    Field(
        description="`listing_id` of the offer.", examples=["01a20175-6d8a-7156-84fd-a785183d790f"]
    ),
]
MatchRequestId = Annotated[
    str,
    Field(
        description="`listing_id` of the request.",
        examples=["01a20175-6df1-7fe3-97ab-ab3800dc37cb"],
    ),
]
MatchCategory = Annotated[
    ListingCategory,
    Field(description="The category both listings share.", examples=["language_partner"]),
]


class MatchRated(Payload):
    """One side of a match rated it: it fits ("passt") or not; the latest rating counts."""

    routing_key: ClassVar[str] = "exchange.match.rated"

    match_id: str = Field(
        description="`match_id` of the rated match (see `exchange.match.found`).",
        examples=["01a20175-6dcf-7d04-889d-7561596255aa"],
    )
    offer_id: MatchOfferId
    request_id: MatchRequestId
    category: MatchCategory
    side: MatchSide = Field(
        description="Who rated: the organisation of the `offer` or that of the `request`.",
        examples=["request"],
    )
    verdict: MatchVerdict = Field(
        description="`fits` or `does_not_fit`; replaces an earlier verdict of the same side.",
        examples=["fits"],
    )
    via: RatingChannel = Field(
        description="`email` (a signed link in the match email) or `portal`.", examples=["email"]
    )
    rated_at: dt.datetime = Field(
        description="When the side rated (UTC).", examples=["2026-05-18T09:30:00Z"]
    )

    subject_field: ClassVar[str] = "match_id"


class MatchReasonKind(StrEnum):
    LANGUAGES = "languages"
    DISTRICT = "district"
    TAGS = "tags"
    TEXT = "text"
    WINDOW = "window"
    CAPACITY = "capacity"
    PRACTICE = "practice"


class MatchReason(BaseModel):
    """One reason why an offer and a request fit, as data (`reasons` says it in German)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: MatchReasonKind = Field(
        description="languages: both name these (BCP 47 tags); district: both are there; "
        "tags: shared tags; text: what is sought and offered, or words in common; window: "
        "their time windows overlap; capacity: places offered and needed; practice: the "
        "language one side learns or practises and the other speaks (BCP 47)."
    )
    values: list[str] = Field(
        default_factory=list,
        description="The languages, district, tags or words concerned, or the places "
        "offered and needed (empty for window).",
        examples=[["de"]],
    )


class MatchFound(Payload):
    """An open offer and an open request fit each other; both organisations may want to talk."""

    routing_key: ClassVar[str] = "exchange.match.found"

    match_id: str = Field(
        description="Match id (UUIDv7).", examples=["01a20175-6dcf-7d04-889d-7561596255aa"]
    )
    offer_id: MatchOfferId
    request_id: MatchRequestId
    offer_organisation_id: str = Field(
        description="Id of the organisation that made the offer.",
        examples=["01a20175-6dad-718f-a12c-c0b9a10eb02c"],
    )
    request_organisation_id: str = Field(
        description="Id of the organisation that made the request.",
        examples=["01a20175-6e13-7012-9a1c-8de746c2ce99"],
    )
    category: MatchCategory
    score: float = Field(
        description="How well they fit, from 0 (barely) to 1 (perfectly).",
        ge=0.0,
        le=1.0,
        examples=[0.82],
    )
    reasons: list[str] = Field(
        default_factory=list,
        description="Why they fit, human-readable (German), for showing to people.",
        examples=[["beide: Deutsch", "gleicher Stadtteil: Nordstadt", "Schlagworte: Sprachcafé"]],
    )
    reason_details: list[MatchReason] = Field(
        default_factory=list,
        description="The same reasons as data, to show them in another language.",
    )
    offer_title: str = Field(
        description="Title of the offer when the match was found.",
        examples=["Seniorinnen und Senioren für Gesprächsrunden"],
    )
    request_title: str = Field(
        description="Title of the request when the match was found.",
        examples=["Sprachpartner für ukrainische Jugendliche gesucht"],
    )
    found_at: dt.datetime = Field(
        description="When the match was found (UTC).", examples=["2026-05-16T12:00:05Z"]
    )
    rank: int | None = Field(
        None,
        description="Its place among the matches found for the listing whose posting or edit "
        "found it (1 = the best fit). Partners are emailed about the best few only; the "
        "others are shown in the portal. Absent on matches found before ranks were given.",
        ge=1,
        examples=[1],
    )

    subject_field: ClassVar[str] = "match_id"


#: Every event that carries a listing's newest state.
LISTING_EVENTS: tuple[type[ListingFacts], ...] = (
    OfferPosted,
    OfferUpdated,
    OfferWithdrawn,
    OfferFulfilled,
    RequestPosted,
    RequestUpdated,
    RequestWithdrawn,
    RequestFulfilled,
)

EXCHANGE_EVENTS: tuple[type[Payload], ...] = (
    OfferPosted,
    OfferWithdrawn,
    OfferFulfilled,
    RequestPosted,
    RequestWithdrawn,
    RequestFulfilled,
    MatchFound,
    OfferUpdated,
    RequestUpdated,
    MatchRated,
)

__all__ = [
    "EXCHANGE_EVENTS",
    "LISTING_EVENTS",
    "Fulfilment",
    "ListingCategory",
    "ListingFacts",
    "ListingKind",
    "ListingStatus",
    "MatchFound",
    "MatchRated",
    "MatchReason",
    "MatchReasonKind",
    "MatchSide",
    "MatchVerdict",
    "OfferFacts",
    "OfferFulfilled",
    "OfferPosted",
    "OfferUpdated",
    "OfferWithdrawn",
    "RatingChannel",
    "RequestFacts",
    "RequestFulfilled",
    "RequestPosted",
    "RequestUpdated",
    "RequestWithdrawn",
    "WithdrawalReason",
]
