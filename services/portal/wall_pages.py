"""`/suchen-bieten`: the wall of open offers and requests ("Suchen und Bieten"), narrowed by a
GET form (offers or requests, category, district, language, tag, organisation, words) and
paged. The exchange searches: its `q` matches the words of title, description and tags and
their beginnings (stored folded words, no `$text` on the embedded database)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.portal import browse, labels
from services.portal.clients.base import optional
from services.portal.clients.exchange import Collection
from services.portal.web import Portal

router = APIRouter(default_response_class=HTMLResponse)

#: The wall's "Art" and the exchange's collections it shows.
KINDS: dict[str, tuple[Collection, ...]] = {
    "": ("offers", "requests"),
    "angebote": ("offers",),
    "gesuche": ("requests",),
}


#: The wall's filters, by the names of its form fields.
FILTERS: dict[str, browse.Filter] = {
    "art": browse.Filter(browse.choice(KINDS)),
    "kategorie": browse.Filter(browse.choice(labels.CATEGORIES), "category"),
    "bezirk": browse.Filter(browse.text(), "district"),
    "sprache": browse.Filter(browse.Asked.language, "language"),
    "schlagwort": browse.Filter(browse.text(most=50), "tag"),
    "organisation": browse.Filter(browse.Asked.entity_id, "organisation"),
    "q": browse.Filter(browse.text(most=200), "q"),
}


@router.get("/suchen-bieten")
async def wall_page(portal: Portal) -> HTMLResponse:
    asked = browse.Asked(portal.request.query_params)
    try:
        filters = browse.Filters.read(FILTERS, asked)
        number, size = asked.page_number(), asked.page_size()
    except browse.BadFilterError as problem:
        return browse.bad_filter(portal, problem)
    collections = KINDS[filters["art"] or ""]
    params: dict[str, Any] = {"limit": size, "offset": (number - 1) * size}
    # the exchange being down is the 503 page: the listings are what the page is about
    found, organisations = await asyncio.gather(
        asyncio.gather(
            *(portal.exchange.listings(c, **params, **filters.for_service()) for c in collections)
        ),
        optional(portal.directory.organisations(limit=100)),
    )
    shown = dict(zip(collections, found, strict=True))
    pages = browse.Pages(number, size, max(page.total for page in found))
    chosen = {**filters.chosen, "pro_seite": size if size != browse.PAGE_SIZES[0] else None}
    if pages.beyond_the_last and number > 1:
        first = browse.address("/suchen-bieten", chosen)
        return portal.page("beyond_the_last_page.html", 404, first=first)
    return portal.page(
        "wall.html",
        filters=filters.chosen,
        offers=shown.get("offers"),
        requests=shown.get("requests"),
        pages=pages,
        page_link=lambda n: browse.address("/suchen-bieten", chosen, seite=n),
        link=lambda **changes: browse.address("/suchen-bieten", chosen, **changes),
        categories=labels.CATEGORIES,
        organisations=sorted(organisations.items, key=lambda o: o.name) if organisations else [],
        names={o.id: o.name for o in organisations.items} if organisations else {},
    )
