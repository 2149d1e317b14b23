"""The portal's public pages: each gathers what it shows from the services and renders a
template. A part whose service is down says so; the page itself is the 503 page only when its
main content cannot be had."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.portal import browse, labels
from services.portal.clients.base import optional, unless_refused
from services.portal.clients.directory import Person
from services.portal.clients.exchange import Collection
from services.portal.document_pages import meeting_part
from services.portal.i18n import _
from services.portal.registration_forms import registration_box
from services.portal.web import Portal, PortalRequest

router = APIRouter(default_response_class=HTMLResponse)


async def signed_in_person(portal: PortalRequest) -> Person | None:
    """Who is signed in, when someone is and the directory can say: it decides what a page
    offers (editing, members, closing a listing)."""
    token = portal.token
    return await optional(portal.directory.me(token)) if token else None


async def _on_offer(
    portal: PortalRequest, events_token: str | None = None, **params: Any
) -> dict[str, Any]:
    """The offers, requests and events that `params` select (each the same way), for the
    template's `offers`, `requests` and `events`; None for a part whose service is down.
    With `events_token`, the events seen with that session (network events too)."""
    offers, requests_, events = await asyncio.gather(
        optional(portal.exchange.listings("offers", **params)),
        optional(portal.exchange.listings("requests", **params)),
        optional(portal.calendar.events(token=events_token, **params)),
    )
    return {"offers": offers, "requests": requests_, "events": events}


@router.get("/")
async def home(portal: Portal) -> HTMLResponse:
    organisations, on_offer = await asyncio.gather(
        optional(portal.directory.organisations(limit=100)),
        _on_offer(portal, limit=10),
    )
    return portal.page(
        "home.html",
        organisations=organisations,
        names=browse.organisation_names(organisations),
        **on_offer,
    )


@router.get("/organisations/{organisation_id}")
async def organisation_page(organisation_id: str, portal: Portal) -> HTMLResponse:
    token = portal.token
    organisation, on_offer = await asyncio.gather(
        # with the session: office staff and its members still see it once archived
        unless_refused(portal.directory.organisation(organisation_id, token)),
        # its open listings and coming dates; members see its network events too
        _on_offer(portal, events_token=token, organisation=organisation_id),
    )
    if organisation is None:
        return portal.not_found(_("Diese Organisation gibt es nicht (mehr)."))
    me = members = None
    if token:  # who is signed in decides what the page offers: editing, members, archiving
        me, members = await asyncio.gather(
            signed_in_person(portal),
            optional(portal.directory.members(organisation_id, token)),
        )
    return portal.page(
        "organisation.html", organisation=organisation, me=me, members=members, **on_offer
    )


@router.get("/offers/{listing_id}")
@router.get("/requests/{listing_id}")
async def listing_page(listing_id: str, portal: Portal) -> HTMLResponse:
    collection: Collection = (
        "offers" if portal.request.url.path.startswith("/offers") else "requests"
    )
    listing = await unless_refused(portal.exchange.listing(collection, listing_id))
    if listing is None:
        return portal.not_found(_("Dieses Angebot bzw. Gesuch gibt es nicht."))
    organisation = await optional(portal.directory.organisation(listing.organisation_id))
    me = await signed_in_person(portal)  # it decides whether the page offers to close it
    # "Erledigt" asks through which of its matches (only its organisation sees them)
    matches = None
    if me is not None and portal.token and listing.status == "open":
        matches = await optional(
            portal.exchange.matches(listing.organisation_id, portal.token, limit=100)
        )
    own = [m for m in matches.items if listing.id in (m.offer.id, m.request.id)] if matches else []
    return portal.page(
        "listing.html",
        listing=listing,
        organisation=organisation,
        me=me,
        listing_matches=own,
        without_the_network=_(labels.WITHOUT_THE_NETWORK),
    )


@router.get("/events/{event_id}")
async def event_page(event_id: str, portal: Portal) -> HTMLResponse:
    event = await unless_refused(portal.calendar.event(event_id, portal.token))
    if event is None:
        return portal.not_found(
            _("Diese Veranstaltung gibt es nicht oder sie ist nur im Netzwerk sichtbar.")
        )
    organisation = await optional(portal.directory.organisation(event.organisation_id))
    meeting, box = await asyncio.gather(
        meeting_part(portal, event),  # a working group's meeting: group, topic, documents
        registration_box(portal, event),  # seats, the "Anmelden" form, organisers' links
    )
    return portal.page("event.html", event=event, organisation=organisation, meeting=meeting, **box)
