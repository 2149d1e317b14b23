"""The shared calendar as iCalendar feeds on the portal's own address, for calendar apps
(Thunderbird, Outlook, phones) to subscribe to: the whole public calendar and one
organisation's events, narrowed by the calendar page's filters. The portal passes the
calendar's feed through; a calendar app sends no log-in, so the feeds hold the public events
only. One event's file ("Zu meinem Kalender hinzufügen") is a download from the browser, with
the session."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem
from services.portal.i18n import N_, _
from services.portal.settings import PortalSettings
from services.portal.web import EntityPath, Portal, PortalRequest

router = APIRouter()

ICS = "text/calendar; charset=utf-8"
PLAIN = "text/plain; charset=utf-8"
#: What a calendar app may narrow a feed by (the calendar's own filters and window; the
#: calendar page's "Kalender abonnieren" names its filters by these).
PASSED_ON = ("district", "audience", "organisation", "field", "language", "from", "to")


def feed_urls(settings: PortalSettings, path: str) -> tuple[str, str]:
    """(https URL, webcal URL) of a feed of the portal: the first for downloading, the second
    opens the calendar app's "subscribe" dialogue."""
    url = settings.public_base_url.rstrip("/") + path
    parts = urlsplit(url)
    return url, urlunsplit(("webcal", *parts[1:]))


def install_template_helpers(engine: Jinja2Templates, settings: PortalSettings) -> None:
    engine.env.globals["feed_urls"] = lambda path: feed_urls(settings, path)


def _calendar_file(body: str, filename: str, *, download: bool) -> Response:
    """iCalendar for five minutes: a feed a calendar app reads and anyone may cache, or (as a
    `download`) one event's file for the browser that asked."""
    disposition, cache = ("attachment", "private") if download else ("inline", "public")
    return Response(
        body,
        media_type=ICS,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": f"{cache}, max-age=300",
        },
    )


def _calendar_down() -> Response:
    """The 503 for the calendar being down, to be asked again in five minutes, in the reader's
    language."""
    return Response(
        _("Der Kalender ist gerade nicht erreichbar.\n"),
        status_code=503,
        headers={"Retry-After": "300"},
        media_type=PLAIN,
    )


async def _pass_through(portal: PortalRequest, organisation_id: str | None, name: str) -> Response:
    params = [(k, v) for k, v in portal.request.query_params.multi_items() if k in PASSED_ON]
    try:
        feed = await portal.calendar.feed(organisation_id, params)
    except BackendUnavailableError:
        return _calendar_down()
    except Problem as problem:
        missing = problem.generic == "not-found"
        return Response(
            _("Diesen Kalender gibt es nicht.\n") if missing else _("Ungültige Anfrage.\n"),
            status_code=problem.status,
            media_type=PLAIN,
        )
    return _calendar_file(feed, name, download=False)


@router.get("/kalender.ics", response_class=Response)
async def network_feed(portal: Portal) -> Response:
    """Every public event of the network."""
    return await _pass_through(portal, None, "integrationsnetz.ics")


@router.get("/events/{event_id}/kalender.ics", response_class=Response)
async def event_file(event_id: EntityPath, portal: Portal) -> Response:
    """One event to add to one's calendar app ("Zu meinem Kalender hinzufügen"): a download,
    with the session, so members get the network events they see on the page."""
    try:
        body = await portal.calendar.event_file(event_id, portal.token)
    except BackendUnavailableError:
        return _calendar_down()
    except Problem as problem:
        return portal.message(
            problem.status,
            title=N_("Nicht gefunden"),
            message=N_("Diese Veranstaltung gibt es nicht oder sie ist nur im Netzwerk sichtbar."),
            link=("/kalender", N_("Zum Kalender")),
        )
    return _calendar_file(body, f"{event_id}.ics", download=True)


@router.get("/organisations/{organisation_id}/kalender.ics", response_class=Response)
async def organisation_feed(organisation_id: EntityPath, portal: Portal) -> Response:
    """One organisation's public events (as organiser or co-organiser)."""
    return await _pass_through(portal, organisation_id, "termine.ics")
