"""Pure rules of the feedback on matches: one side rates a match ("passt" / "passt nicht"),
and the office's figures per month — how often the matches of a category fitted, and how many
listings were fulfilled through a match. No I/O here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.exchange.domain import Listing
from services.exchange.repository import Rating, RecordedMatch
from shared.contracts.exchange import (
    ListingCategory,
    ListingStatus,
    MatchRated,
    MatchSide,
    MatchVerdict,
    RatingChannel,
)

#: The office's figures reach back at most this many months.
MAX_REPORT_MONTHS = 36


def side_of(match: RecordedMatch, organisation_id: str) -> MatchSide | None:
    """The side the organisation is on in the match, or None when it is on neither."""
    if match.offer_organisation_id == organisation_id:
        return MatchSide.OFFER
    if match.request_organisation_id == organisation_id:
        return MatchSide.REQUEST
    return None


def rate_match(
    match: RecordedMatch,
    side: MatchSide,
    verdict: MatchVerdict,
    via: RatingChannel,
    now: dt.datetime,
) -> tuple[RecordedMatch, MatchRated] | None:
    """The match with the side's new rating and its event; None when the side already said
    the same (a second click changes nothing). A different verdict replaces the earlier one."""
    current = match.ratings.get(side)
    if current is not None and current.verdict is verdict:
        return None
    rating = Rating(verdict=verdict, via=via, rated_at=now)
    rated = dataclasses.replace(match, ratings={**match.ratings, side: rating})
    event = MatchRated(
        match_id=match.match_id,
        offer_id=match.offer_id,
        request_id=match.request_id,
        category=match.category,
        side=side,
        verdict=verdict,
        via=via,
        rated_at=now,
    )
    return rated, event


# --- the office's figures ---------------------------------------------------------------------


def month_of(moment: dt.datetime, zone: ZoneInfo) -> str:
    """`2026-05`: the month a moment falls in, where the network lives."""
    return moment.astimezone(zone).strftime("%Y-%m")


def start_of_months_back(now: dt.datetime, months: int, zone: ZoneInfo) -> dt.datetime:
    """The first moment (UTC) of the month `months - 1` months before the month of `now`: the
    figures of `months` months, this one included."""
    local = now.astimezone(zone)
    index = local.year * 12 + local.month - 1 - (months - 1)
    first = dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
    return first.astimezone(dt.UTC)


@dataclass(frozen=True)
class PrecisionRow:
    """How the matches of one category were rated in one month."""

    month: str
    category: ListingCategory
    fits: int
    does_not_fit: int

    @property
    def precision(self) -> float | None:
        """The share of "passt" among the ratings; None without ratings."""
        rated = self.fits + self.does_not_fit
        return self.fits / rated if rated else None


def precision_by_month(
    matches: Iterable[RecordedMatch], since: dt.datetime, zone: ZoneInfo
) -> list[PrecisionRow]:
    """Each side's latest rating given since `since` counts once, in the month it was given;
    newest month first, categories in their order."""
    counts: Counter[tuple[str, ListingCategory, MatchVerdict]] = Counter()
    for match in matches:
        for rating in match.ratings.values():
            if rating.rated_at >= since:
                counts[(month_of(rating.rated_at, zone), match.category, rating.verdict)] += 1
    cells = sorted({(month, category) for month, category, _ in counts}, key=_month_then_category)
    return [
        PrecisionRow(
            month=month,
            category=category,
            fits=counts[(month, category, MatchVerdict.FITS)],
            does_not_fit=counts[(month, category, MatchVerdict.DOES_NOT_FIT)],
        )
        for month, category in cells
    ]


_CATEGORY_ORDER = {category: index for index, category in enumerate(ListingCategory)}


def _month_then_category(cell: tuple[str, ListingCategory]) -> tuple[int, int]:
    month, category = cell
    year, number = month.split("-")
    return -(int(year) * 12 + int(number)), _CATEGORY_ORDER[category]


@dataclass(frozen=True)
class FulfilmentRow:
    """How many listings were fulfilled in one month, and how many of them through a match
    ("Vermittlungen, die geholfen haben")."""

    month: str
    fulfilled: int
    through_match: int


def fulfilments_by_month(
    listings: Iterable[Listing], since: dt.datetime, zone: ZoneInfo
) -> list[FulfilmentRow]:
    """Listings fulfilled since `since`, per month of their fulfilment (a fulfilled listing
    changes no more, so its `updated_at` is when); newest month first."""
    fulfilled: Counter[str] = Counter()
    through_match: Counter[str] = Counter()
    for listing in listings:
        if listing.status is not ListingStatus.FULFILLED or listing.updated_at < since:
            continue
        month = month_of(listing.updated_at, zone)
        fulfilled[month] += 1
        if listing.through_match_id is not None:
            through_match[month] += 1
    return [
        FulfilmentRow(month=month, fulfilled=fulfilled[month], through_match=through_match[month])
        for month in sorted(fulfilled, reverse=True)
    ]
