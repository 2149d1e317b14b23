"""HTTP routes of the exchange: each turns a request into one call of `Exchange`.

Offers and requests have the same routes (`/offers…`, `/requests…`), built once per kind.
Listings are public (a city website may show them); matches reveal who needs what, so only
the organisations concerned and office staff see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.exchange.domain import ListingCreate, ListingPatch
from services.exchange.repository import ListingFilters
from services.exchange.service import Exchange
from shared.auth import CurrentUser
from shared.context import current_correlation_id as correlation_id
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    ListingStatus,
    MatchSide,
    MatchVerdict,
    RatingChannel,
    WithdrawalReason,
)
from shared.contracts.vocabulary import LanguageTag
from shared.http import paging, state_dependency
from shared.ids import EntityId
from shared.pages import Page, Paging
from shared.views import View

AskedPage = Annotated[Paging, paging(default=20, most=100)]


ExchangeService = Annotated[Exchange, state_dependency("exchange")]


class ListingPublic(View):
    id: str
    kind: ListingKind
    organisation_id: str
    category: ListingCategory
    title: str
    description: str
    tags: list[str]
    languages: list[str]
    district: str | None
    available_from: dt.datetime | None
    available_until: dt.datetime | None
    quantity: int | None
    measure_ids: list[str] = Field(
        default_factory=list, description="Measures of the integration concept it carries out."
    )
    status: ListingStatus
    closed_reason: WithdrawalReason | None = Field(
        description="Why a withdrawn or expired listing was closed."
    )
    through_match_id: str | None = Field(
        None, description="The match through which a fulfilled listing was fulfilled, if any."
    )
    expires_at: dt.datetime
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


ListingPage = Page[ListingPublic]


class RatingPublic(View):
    verdict: MatchVerdict
    via: RatingChannel
    rated_at: dt.datetime


class MatchPublic(View):
    id: str
    category: ListingCategory
    score: float = Field(ge=0.0, le=1.0, description="How well they fit, from 0 to 1.")
    reasons: list[str] = Field(
        description="Why they fit, in German.",
        examples=[["beide: Deutsch", "gleicher Stadtteil: Nordstadt", "Schlagworte: Sprachcafé"]],
    )
    found_at: dt.datetime
    offer: ListingPublic = Field(description="The offer as it is now.")
    request: ListingPublic = Field(description="The request as it is now.")
    ratings: dict[MatchSide, RatingPublic] = Field(
        default_factory=dict,
        description="Each side's latest rating (`offer`, `request`); a side that did not rate "
        "is missing.",
    )


MatchPage = Page[MatchPublic]


class Fulfilment(BaseModel):
    """How a listing was fulfilled (the body is optional)."""

    model_config = ConfigDict(extra="forbid")

    through_match_id: EntityId | None = Field(
        None, description="The listing's match through which it was fulfilled, if any."
    )


def _closing_routes(routes: APIRouter, kind: ListingKind, a_noun: str) -> None:
    """`POST /{offers|requests}/{id}/withdraw` and `…/fulfil`: close a listing as the owner
    says."""
    editors = "(members of its organisation, or office staff)"

    @routes.post(
        "/{listing_id}/withdraw",
        name=f"withdraw_{kind.value}",
        summary=f"Take {a_noun} off the exchange {editors}",
    )
    async def withdraw_listing(
        listing_id: EntityId, user: CurrentUser, service: ExchangeService
    ) -> ListingPublic:
        return ListingPublic.read(await service.withdraw(kind, listing_id, user, correlation_id()))

    @routes.post(
        "/{listing_id}/fulfil",
        name=f"fulfil_{kind.value}",
        summary=f"Close {a_noun} as fulfilled, through one of its matches or not {editors}",
    )
    async def fulfil_listing(
        listing_id: EntityId,
        user: CurrentUser,
        service: ExchangeService,
        body: Annotated[Fulfilment | None, Body()] = None,
    ) -> ListingPublic:
        through = body.through_match_id if body is not None else None
        fulfilled = await service.fulfil(kind, listing_id, user, correlation_id(), through)
        return ListingPublic.read(fulfilled)


def listing_routes(kind: ListingKind) -> APIRouter:
    """The routes of one kind of listing: `/offers` ("Bieten") or `/requests` ("Suchen")."""
    path = f"/{kind.value}s"
    noun = kind.value
    a_noun = "an offer" if kind is ListingKind.OFFER else "a request"
    routes = APIRouter(prefix=path, tags=[f"{noun}s"])

    @routes.post(
        "",
        status_code=status.HTTP_201_CREATED,
        name=f"post_{noun}",
        summary=f"Post {a_noun} (members of the organisation, or office staff)",
    )
    async def post_listing(
        data: ListingCreate, user: CurrentUser, service: ExchangeService, response: Response
    ) -> ListingPublic:
        listing = await service.post(kind, data, user, correlation_id())
        response.headers["Location"] = f"{path}/{listing.id}"
        return ListingPublic.read(listing)

    @routes.get("", name=f"list_{noun}s", summary=f"Find {noun}s")
    async def list_listings(
        service: ExchangeService,
        paged: AskedPage,
        category: ListingCategory | None = None,
        tag: Annotated[str | None, Query(max_length=50)] = None,
        district: Annotated[str | None, Query(max_length=100)] = None,
        language: LanguageTag | None = None,
        organisation: Annotated[EntityId | None, Query(description="Organisation id")] = None,
        status_: Annotated[ListingStatus, Query(alias="status")] = ListingStatus.OPEN,
        q: Annotated[
            str | None, Query(max_length=200, description="Words in title, description or tags")
        ] = None,
    ) -> ListingPage:
        filters = ListingFilters(
            kind=kind,
            status=status_,
            category=category,
            tag=tag,
            district=district,
            language=language,
            organisation_id=organisation,
            text=q,
        )
        items, total = await service.find(filters, paged)
        return ListingPage.of([ListingPublic.read(listing) for listing in items], total, paged)

    @routes.get("/{listing_id}", name=f"get_{noun}")
    async def get_listing(listing_id: EntityId, service: ExchangeService) -> ListingPublic:
        return ListingPublic.read(await service.listing(kind, listing_id))

    @routes.patch(
        "/{listing_id}",
        name=f"change_{noun}",
        summary=f"Change {a_noun} while open (members of its organisation, or office staff)",
    )
    async def change_listing(
        listing_id: EntityId, patch: ListingPatch, user: CurrentUser, service: ExchangeService
    ) -> ListingPublic:
        return ListingPublic.read(
            await service.edit(kind, listing_id, patch, user, correlation_id())
        )

    _closing_routes(routes, kind, a_noun)
    return routes


router = APIRouter()
router.include_router(listing_routes(ListingKind.OFFER))
router.include_router(listing_routes(ListingKind.REQUEST))


@router.get(
    "/matches",
    tags=["matches"],
    summary="Matches concerning an organisation, newest first (its members, or office staff)",
)
async def list_matches(
    organisation: Annotated[EntityId, Query(description="Organisation id")],
    user: CurrentUser,
    service: ExchangeService,
    paged: AskedPage,
) -> MatchPage:
    items, total = await service.matches_of(organisation, user, paged)
    return MatchPage.of([MatchPublic.read(match) for match in items], total, paged)
