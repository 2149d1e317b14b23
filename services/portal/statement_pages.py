"""Two pages every page links to in its footer: the accessibility statement BITV 2.0 asks of
a public body's website (`/barrierefreiheit`: how far the portal conforms, what is known not to,
whom to tell, and the enforcement procedure) and the platform explained in plain language
(`/leichte-sprache`). Their words are in the templates; the office's contact comes from the
portal's settings."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.portal.settings import PortalSettings
from services.portal.web import Portal

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/barrierefreiheit")
async def accessibility_statement(portal: Portal) -> HTMLResponse:
    settings: PortalSettings = portal.request.app.state.settings
    return portal.page("accessibility.html", office=settings)


@router.get("/leichte-sprache")
async def plain_language(portal: Portal) -> HTMLResponse:
    settings: PortalSettings = portal.request.app.state.settings
    return portal.page("plain_language.html", office=settings)
