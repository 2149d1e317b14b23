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
    listed = browse.Listed.read(portal, "/suchen-bieten", FILTERS)
    if isinstance(listed, HTMLResponse):
        return listed
    filters = listed.filters
    collections = KINDS[filters["art"] or ""]
    params: dict[str, Any] = {**listed.paging, **filters.for_service()}
    # the exchange being down is the 503 page: the listings are what the page is about
    found, organisations = await asyncio.gather(
        asyncio.gather(*(portal.exchange.listings(c, **params) for c in collections)),
        optional(portal.directory.organisations(limit=100)),
    )
    shown = dict(zip(collections, found, strict=True))
    return listed.page(
        portal,
        "wall.html",
        max(page.total for page in found),
        filters=filters.chosen,
        offers=shown.get("offers"),
        requests=shown.get("requests"),
        link=listed.link,
        categories=labels.CATEGORIES,
        names=browse.organisation_names(organisations),
    )
