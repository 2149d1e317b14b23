"""`/organisations`: the directory to browse and search, with facets — kind, language,
community, field of action, district — each value with how many organisations have it (the
directory counts them for the same search), paged."""

from __future__ import annotations

import asyncio

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
    listed = browse.Listed.read(portal, "/organisations", FILTERS)
    if isinstance(listed, HTMLResponse):
        return listed
    filters = listed.filters
    # the directory being down is the 503 page; the counts are only a help beside the list
    found, facets, me = await asyncio.gather(
        portal.directory.organisations(**listed.paging, **filters.for_service()),
        optional(portal.directory.facets(**filters.for_service())),
        signed_in_person(portal),  # office staff are offered to register an organisation
    )
    return listed.page(
        portal,
        "organisations.html",
        found.total,
        organisations=found,
        facets=facets,
        facet_names=FACETS,
        filters=filters.chosen,
        q=filters["q"] or "",
        me=me,
        link=listed.link,
        kinds=labels.ORGANISATION_KINDS,
        fields_of_action=labels.FIELDS_OF_ACTION,
    )
