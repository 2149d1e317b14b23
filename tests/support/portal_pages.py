"""Every page of the portal, as the accessibility tests visit it: the route as the portal's
OpenAPI document names it, and the path visited, with the ids of a loaded network filled in.
A page added to the portal without an entry here fails `test_portal_page_inventory`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

#: route → path visited (`{…}` filled from the ids of the network under test)
PAGES: dict[str, str] = {
    "/": "/",
    "/login": "/login",
    "/forgot-password": "/forgot-password",
    "/set-password": "/set-password?token=unknown",
    "/einladung": "/einladung?token=unknown",
    "/me": "/me",
    "/organisations": "/organisations",
    "/organisations/new": "/organisations/new",
    "/organisations/{organisation_id}": "/organisations/{organisation_id}",
    "/organisations/{organisation_id}/edit": "/organisations/{organisation_id}/edit",
    "/organisations/{organisation_id}/members": "/organisations/{organisation_id}/members",
    "/organisations/{organisation_id}/treffer": "/organisations/{organisation_id}/treffer",
    "/offers/new": "/offers/new",
    "/requests/new": "/requests/new",
    "/offers/{listing_id}": "/offers/{offer_id}",
    "/requests/{listing_id}": "/requests/{request_id}",
    "/matches/{match_id}": "/matches/{match_id}",
    "/treffer-bewerten": "/treffer-bewerten?token=unknown",
    "/events/new": "/events/new",
    "/events/{event_id}": "/events/{event_id}",
    "/events/{event_id}/clashes": "/events/{event_id}/clashes",
    "/events/{event_id}/anmeldung": "/events/{event_id}/anmeldung",
    "/events/{event_id}/teilnehmende": "/events/{event_id}/teilnehmende",
    "/anmeldung/bestaetigen": "/anmeldung/bestaetigen?token=unknown-link-token",
    "/anmeldung/abmelden": "/anmeldung/abmelden?token=unknown-link-token",
    "/buero/anmeldungen": "/buero/anmeldungen",
    "/mitveranstalten": "/mitveranstalten",
    "/benachrichtigungen": "/benachrichtigungen",
    "/buero/zustellungen": "/buero/zustellungen",
    "/buero/vermittlung": "/buero/vermittlung",
    "/konzept": "/konzept",
    "/konzept/massnahmen/{measure_id}": "/konzept/massnahmen/{measure_id}",
    "/konzept/import": "/konzept/import",
    "/konzept/bericht": "/konzept/bericht",
    "/konzept/berichte/{report_id}": "/konzept/berichte/{report_id}",
    "/kalender": "/kalender",
    "/arbeitsgruppen": "/arbeitsgruppen",
    "/arbeitsgruppen/neu": "/arbeitsgruppen/neu",
    "/arbeitsgruppen/{group_id}": "/arbeitsgruppen/{group_id}",
    "/arbeitsgruppen/{group_id}/bearbeiten": "/arbeitsgruppen/{group_id}/bearbeiten",
    "/suchen-bieten": "/suchen-bieten",
    "/barrierefreiheit": "/barrierefreiheit",
    "/leichte-sprache": "/leichte-sprache",
}
#: Further views of a page worth their own run (another layout, a filter applied).
VIEWS: dict[str, str] = {
    "/kalender week": "/kalender?ansicht=woche",
    "/kalender list": "/kalender?ansicht=liste",
    "/suchen-bieten filtered": "/suchen-bieten?kategorie=language_partner",
    "/organisations filtered": "/organisations?sprache=uk",
    "/events/{event_id} meeting": "/events/{meeting_id}",
}


def html_pages(app: FastAPI) -> set[str]:
    """The routes of `app` that answer a GET with an HTML page, from its OpenAPI document."""
    pages: set[str] = set()
    for path, operations in app.openapi()["paths"].items():
        get: dict[str, Any] | None = operations.get("get")
        if get is None:
            continue
        content = get.get("responses", {}).get("200", {}).get("content", {})
        if "text/html" in content:
            pages.add(path)
    return pages


def visited_paths(ids: dict[str, str]) -> dict[str, str]:
    """Each page's path, and each further view's, with the ids filled in."""
    return {route: path.format(**ids) for route, path in {**PAGES, **VIEWS}.items()}
