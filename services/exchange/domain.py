"""The exchange's domain: listings ("Suchen und Bieten"), their life cycle, and the matching of
an offer with a request. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
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

from shared.clock import within_years
from shared.contracts.exchange import (
    ListingCategory,
    ListingFacts,
    ListingKind,
    ListingStatus,
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
from shared.revisions import refuse_clearing, revised
from shared.text import fold

#: A listing without an explicit `expires_at` is taken down after this long.
DEFAULT_LIFETIME = dt.timedelta(days=60)
#: The latest `expires_at` accepted, counted from the moment it is set.
MAX_LIFETIME = dt.timedelta(days=365)

# --- input --------------------------------------------------------------------------------


#: Times given to the exchange lie in these years: near enough that no conversion overflows.
PLAUSIBLE_YEARS = range(1900, 2201)


def _utc_whole_seconds(value: dt.datetime) -> dt.datetime:
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


UtcTime = Annotated[
    AwareDatetime,
    AfterValidator(within_years(PLAUSIBLE_YEARS, "Times")),
    AfterValidator(_utc_whole_seconds),
]
OrganisationId = EntityId
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
District = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tags = Annotated[list[Tag], AfterValidator(_unique_folded), Field(max_length=20)]
Languages = Annotated[list[LanguageTag], AfterValidator(_unique), Field(max_length=20)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]
#: Measures of the integration concept a listing carries out (the exchange only keeps them).
MeasureIds = Annotated[list[EntityId], AfterValidator(_unique), Field(max_length=20)]


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
    measure_ids: MeasureIds = Field(
        default_factory=list,
        description="Measures of the integration concept the listing carries out.",
    )
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
    measure_ids: MeasureIds | None = None
    expires_at: UtcTime | None = None


#: Fields that may not be cleared with null.
REQUIRED_FIELDS = frozenset(
    {"category", "title", "description", "tags", "languages", "measure_ids", "expires_at"}
)
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
    """Well-formed input that the exchange's rules do not allow; `fields` names the fields
    concerned, `slug` says which rule."""

    def __init__(self, detail: str, *, slug: str, fields: Sequence[str]) -> None:
        super().__init__(detail)
        self.slug = slug
        self.fields = list(fields)


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
    #: Measures of the integration concept it carries out.
    measure_ids: list[str] = Field(default_factory=list)
    status: ListingStatus = ListingStatus.OPEN
    closed_reason: WithdrawalReason | None = None
    #: The match through which a fulfilled listing was fulfilled, as its organisation said.
    through_match_id: str | None = None
    expires_at: dt.datetime
    revision: int = 1
    created_at: dt.datetime
    updated_at: dt.datetime

    def facts(self) -> dict[str, Any]:
        """The public facts every offer.* and request.* payload carries: the fields of
        `ListingFacts`, read from the attributes of the same names, its id and kind as
        `listing_id` and `listing_kind`."""
        return {
            **{name: getattr(self, name) for name in _HELD_FACTS},
            "listing_id": self.id,
            "listing_kind": self.kind,
        }


#: The public facts a listing holds under their own names (all but its id and kind).
_HELD_FACTS = tuple(name for name in ListingFacts.model_fields if name in Listing.model_fields)


@dataclass(frozen=True)
class _Payloads:
    """What each change of one kind of listing publishes."""

    posted: type[OfferPosted] | type[RequestPosted]
    updated: type[OfferUpdated] | type[RequestUpdated]
    withdrawn: type[OfferWithdrawn] | type[RequestWithdrawn]
    fulfilled: type[OfferFulfilled] | type[RequestFulfilled]


_PAYLOADS = {
    ListingKind.OFFER: _Payloads(OfferPosted, OfferUpdated, OfferWithdrawn, OfferFulfilled),
    ListingKind.REQUEST: _Payloads(
        RequestPosted, RequestUpdated, RequestWithdrawn, RequestFulfilled
    ),
}


def _not_ahead(name: str, value: dt.datetime | None, now: dt.datetime) -> str | None:
    if value is not None and value <= now:
        return f"`{name}` must lie in the future."
    return None


def expiry_problem(expires_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why `expires_at` cannot be set at `now`, or None."""
    if expires_at > now + MAX_LIFETIME:
        return f"`expires_at` may lie at most {MAX_LIFETIME.days} days ahead."
    return _not_ahead("expires_at", expires_at, now)


def _check_dates(listing: Listing, set_now: Collection[str], now: dt.datetime) -> None:
    """Raise for the first date rule the listing breaks: its availability in order, and —
    for the dates set now — its expiry and the end of its availability (a listing whose
    availability has already ended could never be matched) ahead."""
    checks: list[tuple[str | None, list[str]]] = [
        (
            _window_problem(listing.available_from, listing.available_until),
            ["available_from", "available_until"],
        )
    ]
    if "expires_at" in set_now:
        checks.append((expiry_problem(listing.expires_at, now), ["expires_at"]))
    if "available_until" in set_now:
        checks.append(
            (_not_ahead("available_until", listing.available_until, now), ["available_until"])
        )
    for problem, fields in checks:
        if problem:
            raise ListingRejectedError(problem, slug="bad-dates", fields=fields)


def post_listing(
    listing_id: str, kind: ListingKind, data: ListingCreate, now: dt.datetime
) -> tuple[Listing, ListingFacts]:
    listing = Listing(
        id=listing_id,
        kind=kind,
        **data.model_dump(exclude={"expires_at"}),
        expires_at=data.expires_at or now + DEFAULT_LIFETIME,
        created_at=now,
        updated_at=now,
    )
    _check_dates(listing, {"expires_at", "available_until"}, now)
    return listing, _PAYLOADS[kind].posted(**listing.facts())


def edit_listing(
    listing: Listing, patch: ListingPatch, now: dt.datetime
) -> tuple[Listing, ListingFacts | None]:
    """Apply an edit. Returns the new state and the event, or no event when nothing changed."""
    if listing.status is not ListingStatus.OPEN:
        raise ListingClosedError(f"This listing is {listing.status.value} and cannot be changed.")
    given = patch.model_dump(exclude_unset=True)
    refuse_clearing(given, REQUIRED_FIELDS, ListingRejectedError)
    changed = sorted(name for name, value in given.items() if getattr(listing, name) != value)
    if not changed:
        return listing, None
    edited = revised(listing, {name: given[name] for name in changed}, now)
    _check_dates(edited, changed, now)
    return edited, _PAYLOADS[listing.kind].updated(**edited.facts(), changed_fields=changed)


def _close(
    listing: Listing,
    status: ListingStatus,
    reason: WithdrawalReason | None,
    now: dt.datetime,
) -> Listing:
    if listing.status is not ListingStatus.OPEN:
        raise ListingClosedError(f"This listing is already {listing.status.value}.")
    return revised(listing, {"status": status, "closed_reason": reason}, now)


def withdraw_listing(
    listing: Listing, reason: WithdrawalReason, now: dt.datetime
) -> tuple[Listing, ListingFacts]:
    expired = reason is WithdrawalReason.EXPIRED
    closed = _close(
        listing, ListingStatus.EXPIRED if expired else ListingStatus.WITHDRAWN, reason, now
    )
    return closed, _PAYLOADS[listing.kind].withdrawn(**closed.facts(), reason=reason)


def fulfil_listing(
    listing: Listing, now: dt.datetime, through_match_id: str | None = None
) -> tuple[Listing, ListingFacts]:
    """Close a listing as fulfilled, through one of its matches or without the network."""
    closed = _close(listing, ListingStatus.FULFILLED, None, now)
    if through_match_id is not None:
        closed = closed.model_copy(update={"through_match_id": through_match_id})
    return closed, _PAYLOADS[listing.kind].fulfilled(
        **closed.facts(), through_match_id=through_match_id
    )


def is_due_to_expire(listing: Listing, now: dt.datetime) -> bool:
    return listing.status is ListingStatus.OPEN and listing.expires_at <= now


def expire_listing(listing: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts] | None:
    """Take an open listing past its `expires_at` down; None when it is not due."""
    if not is_due_to_expire(listing, now):
        return None
    return withdraw_listing(listing, WithdrawalReason.EXPIRED, now)
