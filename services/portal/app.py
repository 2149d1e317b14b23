"""The portal: the web UI for office staff and partner organisations. It has no database of its
own; it calls the four services over HTTP (backend-for-frontend)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal import (
    co_organiser_forms,
    directory_forms,
    event_forms,
    feeds,
    listing_forms,
    office_pages,
    subscription_forms,
)
from services.portal.backends import Backends, BackendUnavailableError
from services.portal.pages import install_template_helpers, message_page, router
from services.portal.security import PortalSecurityMiddleware
from services.portal.settings import PortalSettings
from shared.http import RETRY_AFTER_SECONDS, create_api, install_health_routes
from shared.logs import configure_logging
from shared.telemetry import install_tracing

TEMPLATES = Path(__file__).parent / "templates"


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    configure_logging(settings.service_name, settings.log_level)
    backends = Backends(settings)
    engine = Jinja2Templates(directory=TEMPLATES)
    install_template_helpers(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await backends.close()

    async def readiness() -> dict[str, bool]:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                answer = await client.get(f"{settings.directory_url.rstrip('/')}/healthz")
            return {"directory": answer.status_code == 200}
        except httpx.HTTPError:
            return {"directory": False}

    app = create_api(
        title="Integrationsnetz portal",
        description="Web pages for people; the APIs are on the services.",
        version="1.0.0",
        max_body_bytes=settings.max_body_bytes,
    )
    app.router.lifespan_context = lifespan
    app.state.settings = settings
    app.state.backends = backends
    app.state.templates = engine

    async def html_error(request: Request, exc: Exception) -> HTMLResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 422
        return engine.TemplateResponse(
            request,
            "message.html",
            {
                "title": "Das ging nicht",
                "message": "Diese Seite gibt es nicht oder die Eingabe war ungültig.",
                "signed_in": request.cookies.get("inx_session") is not None,
            },
            status_code=status,
        )

    async def unavailable_page(request: Request, exc: Exception) -> HTMLResponse:
        return engine.TemplateResponse(
            request,
            "message.html",
            {
                "title": "Vorübergehend nicht erreichbar",
                "message": "Ein Teil des Integrationsnetzes ist gerade nicht erreichbar. "
                "Bitte versuchen Sie es in einigen Minuten erneut.",
                "signed_in": request.cookies.get("inx_session") is not None,
            },
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    app.add_exception_handler(StarletteHTTPException, html_error)
    app.add_exception_handler(BackendUnavailableError, unavailable_page)
    app.add_exception_handler(RequestValidationError, html_error)
    # before the pages: their /events/{event_id} would take /events/new
    app.include_router(event_forms.router)
    app.include_router(co_organiser_forms.router)
    # likewise /offers/{listing_id} would take /offers/new
    app.include_router(listing_forms.router)
    # and /organisations/{organisation_id} would take /organisations/new
    app.include_router(directory_forms.router)
    directory_forms.install_template_helpers(engine)  # fields of action in German
    app.include_router(subscription_forms.router)
    subscription_forms.install_template_helpers(engine)  # /me says what an organisation follows
    app.include_router(feeds.router)
    app.include_router(office_pages.router)
    feeds.install_template_helpers(engine, settings)  # "Kalender abonnieren" links
    app.include_router(router)
    install_health_routes(app, readiness)

    def refuse_foreign_form(request: Request) -> HTMLResponse:
        return message_page(
            engine,
            request,
            403,
            title="Abgelehnt",
            message="Dieses Formular kam nicht vom Portal. Bitte senden Sie es im Portal ab.",
        )

    app.add_middleware(
        PortalSecurityMiddleware,
        public_base_url=settings.public_base_url,
        refusal=refuse_foreign_form,
    )
    install_tracing(settings.service_name, app, None)
    return app
