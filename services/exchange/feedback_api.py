"""HTTP routes of the feedback on matches: rating a match in the portal, the signed link from a
match email (checked, then recorded by the portal's button), and the office's figures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.exchange.feedback import MAX_REPORT_MONTHS
from services.exchange.feedback_service import LinkedMatch, MatchFeedback, SideRating
from shared.auth import CurrentUser
from shared.context import current_correlation_id as correlation_id
from shared.contracts.exchange import ListingCategory, MatchSide, MatchVerdict, RatingChannel
from shared.http import state_dependency
from shared.ids import EntityId
from shared.views import View

FeedbackService = Annotated[MatchFeedback, state_dependency("feedback")]
Token = Annotated[str, Field(min_length=10, max_length=1000, description="The signed token")]
Months = Annotated[
    int, Query(ge=1, le=MAX_REPORT_MONTHS, description="How many months back, this one included")
]


class MemberRating(BaseModel):
    """A rating given in the portal, for one of the match's organisations."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: EntityId = Field(description="The organisation that rates (its side).")
    verdict: MatchVerdict = Field(examples=["fits"])


class LinkRating(BaseModel):
    """The signed token of a feedback link from a match email."""

    model_config = ConfigDict(extra="forbid")

    token: Token


class SideRatingPublic(View):
    match_id: str
    side: MatchSide
    verdict: MatchVerdict
    via: RatingChannel
    rated_at: dt.datetime

    @classmethod
    def of(cls, rated: SideRating) -> SideRatingPublic:
        return cls.read(rated.rating, match_id=rated.match_id, side=rated.side)


class FeedbackLinkPublic(View):
    """What a feedback link would record, shown before the button is pressed."""

    match_id: str
    category: ListingCategory
    offer_title: str = Field(description="Title of the offer when the match was found.")
    request_title: str = Field(description="Title of the request when the match was found.")
    side: MatchSide
    verdict: MatchVerdict = Field(description="What the button records.")
    current_verdict: MatchVerdict | None = Field(
        description="What this side said so far; null: nothing."
    )

    @classmethod
    def of(cls, linked: LinkedMatch) -> FeedbackLinkPublic:
        return cls.read(
            linked.match,
            side=linked.side,
            verdict=linked.verdict,
            current_verdict=linked.current.verdict if linked.current else None,
        )


class PrecisionPublic(View):
    month: str = Field(examples=["2026-05"], description="Month of the ratings (Europe/Berlin).")
    category: ListingCategory
    fits: int
    does_not_fit: int
    precision: float | None = Field(description="fits / (fits + does_not_fit); null: none.")


class FulfilmentPublic(View):
    month: str = Field(examples=["2026-05"], description="Month of fulfilment (Europe/Berlin).")
    fulfilled: int = Field(description="Listings closed as fulfilled.")
    through_match: int = Field(description="… of which through a match of the exchange.")


router = APIRouter(tags=["feedback"])


@router.post(
    "/matches/{match_id}/rating",
    summary="Rate a match for one of its organisations (its members, or office staff)",
)
async def rate_match(
    match_id: EntityId, body: MemberRating, user: CurrentUser, service: FeedbackService
) -> SideRatingPublic:
    rated = await service.rate_as_member(
        match_id, body.organisation_id, body.verdict, user, correlation_id()
    )
    return SideRatingPublic.of(rated)


@router.get(
    "/match-feedback",
    summary="What a feedback link from a match email would record (no log-in; records nothing)",
)
async def feedback_link(
    token: Annotated[str, Query(min_length=10, max_length=1000)], service: FeedbackService
) -> FeedbackLinkPublic:
    return FeedbackLinkPublic.of(await service.link(token))


@router.post(
    "/match-feedback",
    summary="Record the rating of a feedback link from a match email (no log-in: the signed "
    "token names match, side and verdict)",
)
async def rate_by_link(body: LinkRating, service: FeedbackService) -> SideRatingPublic:
    return SideRatingPublic.of(await service.rate_by_link(body.token, correlation_id()))


@router.get(
    "/reports/match-precision",
    tags=["reports"],
    summary="Per month and category, how matches were rated (office staff)",
)
async def match_precision(
    user: CurrentUser, service: FeedbackService, months: Months = 12
) -> list[PrecisionPublic]:
    return [PrecisionPublic.read(row) for row in await service.precision(user, months)]


@router.get(
    "/reports/fulfilments",
    tags=["reports"],
    summary="Per month, listings fulfilled and how many through a match (office staff)",
)
async def fulfilments(
    user: CurrentUser, service: FeedbackService, months: Months = 12
) -> list[FulfilmentPublic]:
    return [FulfilmentPublic.read(row) for row in await service.fulfilments(user, months)]
