"""`/kalender`: the shared calendar as a month, a week or a list, narrowed by a GET form
(district, audience, organisation, field of action, language). The calendar service decides
what the reader sees: public events for everyone, network events with the session too.

Each view asks the calendar once for its window (`GET /events`, series expanded); the days an
event covers are worked out in Berlin time by `calendar_views`."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.portal import browse, labels
from services.portal.calendar_views import (
    BadPeriodError,
    IsoWeek,
    Month,
    days_covered,
    month_grid,
    parse_moment,
)
from services.portal.clients.base import Page, optional
from services.portal.clients.calendar import Event
from services.portal.web import Portal, PortalRequest
from shared.clock import BERLIN

router = APIRouter(default_response_class=HTMLResponse)

VIEWS = ("monat", "woche", "liste")
#: Most dates a month or week view asks for (the calendar's own page limit).
MOST_DATES = 500
#: How far ahead the list looks when no month is named.
LIST_DAYS = 90


#: The calendar page's filters, by the names of its form fields.
FILTERS: dict[str, browse.Filter] = {
    "bezirk": browse.Filter(browse.text(), "district"),
    "zielgruppe": browse.Filter(browse.choice(labels.AUDIENCES), "audience"),
    "organisation": browse.Filter(browse.Asked.entity_id, "organisation"),
    "handlungsfeld": browse.Filter(browse.choice(labels.FIELDS_OF_ACTION), "field"),
    "sprache": browse.Filter(browse.Asked.language, "language"),
}


@dataclass(frozen=True)
class AskedView:
    """What one asked view shows: its kind, its period and, for the list, its page."""

    kind: str
    month: Month
    week: IsoWeek
    page: int
    size: int
    listed_from_today: bool


def _asked_view(asked: browse.Asked, today: dt.date) -> AskedView:
    """The view, its period and page; a period not named follows from the other one (a
    switch between the views keeps the reader where they were), else from today."""
    kind = asked.choice("ansicht", VIEWS) or "monat"
    try:
        month_text, week_text = asked.text("monat"), asked.text("woche")
        week = IsoWeek.parse(week_text) if week_text else None
        month = Month.parse(month_text) if month_text else None
    except BadPeriodError as exc:
        raise browse.BadFilterError("woche" if kind == "woche" and week_text else "monat") from exc
    if month is None:
        month = Month.of(week.monday if week else today)
    if week is None:
        within = month.first_day <= today < month.end
        week = IsoWeek.of(today if within else month.first_day)
    return AskedView(
        kind=kind,
        month=month,
        week=week,
        page=asked.page_number(),
        size=asked.page_size(),
        listed_from_today=not month_text and not week_text,
    )


def _by_day(events: list[Event]) -> dict[dt.date, list[Event]]:
    """Each date of the window with the events on it, in the order the calendar gave them."""
    days: dict[dt.date, list[Event]] = defaultdict(list)
    for event in events:
        starts, ends = parse_moment(event.starts_at), parse_moment(event.ends_at)
        if starts is None:
            continue
        for day in days_covered(starts, ends or starts):
            days[day].append(event)
    return days


async def _dates(
    portal: PortalRequest, start: dt.date, end: dt.date, filters: browse.Filters, **paging: int
) -> Page[Event]:
    """The dates in [start, end); a calendar that is down is the 503 page (it is what the page
    is about)."""
    params: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat()}
    return await portal.calendar.events(
        token=portal.token, **params, **filters.for_service(), **paging
    )


@router.get("/kalender")
async def calendar_page(portal: Portal) -> HTMLResponse:
    today = dt.datetime.now(BERLIN).date()
    read = browse.reading(
        portal, lambda asked: (browse.Filters.read(FILTERS, asked), _asked_view(asked, today))
    )
    if isinstance(read, HTMLResponse):
        return read
    filters, view = read

    grid: list[list[dt.date]] = []
    pages: browse.Pages | None = None
    if view.kind == "monat":
        grid = month_grid(view.month)
        start, end = grid[0][0], grid[-1][-1] + dt.timedelta(days=1)
    elif view.kind == "woche":
        start, end = view.week.monday, view.week.end
    elif view.listed_from_today:
        start, end = today, today + dt.timedelta(days=LIST_DAYS)
    else:
        start, end = view.month.first_day, view.month.end
    if view.kind == "liste":
        paging = {"limit": view.size, "offset": (view.page - 1) * view.size}
    else:
        paging = {"limit": MOST_DATES}
    dates, organisations = await asyncio.gather(
        _dates(portal, start, end, filters, **paging),
        optional(portal.directory.organisations(limit=100)),
    )
    if view.kind == "liste":
        pages = browse.Pages(view.page, view.size, dates.total)
        if pages.beyond_the_last and view.page > 1:
            return browse.beyond_the_last_page(portal, _link(view, filters, 1))
    feed_query = urlencode(filters.for_service())
    return portal.page(
        "calendar.html",
        view=view,
        today=today,
        filters=filters.chosen,
        filtered=filters.any,
        dates=dates,
        by_day=_by_day(dates.items),
        grid=grid,
        week_days=view.week.days,
        pages=pages,
        page_link=lambda number: _link(view, filters, number),
        link=lambda **changes: browse.address("/kalender", _chosen(view, filters), **changes),
        names=browse.organisation_names(organisations),
        audiences=labels.AUDIENCES,
        fields_of_action=labels.FIELDS_OF_ACTION,
        feed_path="/kalender.ics" + (f"?{feed_query}" if feed_query else ""),
    )


def _chosen(view: AskedView, filters: browse.Filters) -> dict[str, str | int | None]:
    """The page's own address: its view, its period and its filters (page 1)."""
    period: dict[str, str | int | None] = {"ansicht": view.kind}
    if view.kind == "woche":
        period["woche"] = view.week.key
    elif view.kind == "monat" or not view.listed_from_today:
        period["monat"] = view.month.key
    return {**period, **filters.chosen}


def _link(view: AskedView, filters: browse.Filters, number: int) -> str:
    size = view.size if view.size != browse.PAGE_SIZES[0] else None
    return browse.address("/kalender", _chosen(view, filters), seite=number, pro_seite=size)
