"""`/organisations`: the directory to browse and search, with facets — kind, language,
community, field of action, district — each value with how many organisations have it (the
directory counts them for the same search), paged."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.portal import browse, labels
from services.portal.clients.base import optional
from services.portal.pages import signed_in_person
from services.portal.web import Portal

router = APIRouter(default_response_class=HTMLResponse)


#: The directory page's filters, by the names of its form fields and facet links.
FILTERS: dict[str, browse.Filter] = {
    "q": browse.Filter(browse.text(most=200), "q"),
    "art": browse.Filter(browse.choice(labels.ORGANISATION_KINDS), "kind"),
    "sprache": browse.Filter(browse.Asked.language, "language"),
    "gemeinschaft": browse.Filter(browse.text(), "community"),
    "handlungsfeld": browse.Filter(browse.choice(labels.FIELDS_OF_ACTION), "field"),
    "bezirk": browse.Filter(browse.text(), "district"),
}


#: Each facet: (its form field, the directory's name of it).
FACETS = (
    ("art", "kind"),
    ("sprache", "language"),
    ("gemeinschaft", "community"),
    ("handlungsfeld", "field"),
    ("bezirk", "district"),
)


@router.get("/organisations")
async def organisations_page(portal: Portal) -> HTMLResponse:
    asked = browse.Asked(portal.request.query_params)
    try:
        filters = browse.Filters.read(FILTERS, asked)
        number, size = asked.page_number(), asked.page_size()
    except browse.BadFilterError as problem:
        return browse.bad_filter(portal, problem)
    params: dict[str, Any] = {"limit": size, "offset": (number - 1) * size}
    # the directory being down is the 503 page; the counts are only a help beside the list
    found, facets, me = await asyncio.gather(
        portal.directory.organisations(**params, **filters.for_service()),
        optional(portal.directory.facets(**filters.for_service())),
        signed_in_person(portal),  # office staff are offered to register an organisation
    )
    pages = browse.Pages(number, size, found.total)
    chosen = {**filters.chosen, "pro_seite": size if size != browse.PAGE_SIZES[0] else None}
    if pages.beyond_the_last and number > 1:
        first = browse.address("/organisations", chosen)
        return portal.page("beyond_the_last_page.html", 404, first=first)
    return portal.page(
        "organisations.html",
        organisations=found,
        facets=facets,
        facet_names=FACETS,
        filters=filters.chosen,
        q=filters["q"] or "",
        me=me,
        pages=pages,
        page_link=lambda n: browse.address("/organisations", chosen, seite=n),
        link=lambda **changes: browse.address("/organisations", chosen, **changes),
        kinds=labels.ORGANISATION_KINDS,
        fields_of_action=labels.FIELDS_OF_ACTION,
    )
