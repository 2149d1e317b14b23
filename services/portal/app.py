"""The portal: the web UI for office staff and partner organisations. It has no database of its
own; it calls the five services over HTTP (backend-for-frontend)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.portal import (
    account_pages,
    calendar_pages,
    co_organiser_forms,
    concept_import,
    concept_pages,
    concept_reports,
    directory_pages,
    document_pages,
    event_forms,
    feeds,
    group_forms,
    group_pages,
    language_switch,
    listing_forms,
    match_pages,
    member_forms,
    office_pages,
    organisation_forms,
    pages,
    participant_pages,
    refusals,
    registration_forms,
    registration_pages,
    registration_setup,
    statement_pages,
    subscription_forms,
    wall_pages,
)
from services.portal.backends import Backends
from services.portal.clients import Clients
from services.portal.i18n import _
from services.portal.language_switch import LanguageMiddleware
from services.portal.security import PortalSecurityMiddleware
from services.portal.settings import PortalSettings
from services.portal.uploads import HeldUploads
from services.portal.web import install_error_pages, install_template_helpers, message_page
from shared.http import create_api, install_health_routes
from shared.logs import configure_logging
from shared.telemetry import install_tracing

TEMPLATES = Path(__file__).parent / "templates"

#: The pages' routes in the order they are tried: the forms come before the pages, whose
#: /events/{event_id}, /offers/{listing_id} and /organisations/{organisation_id} would take
#: /events/new, /offers/new and /organisations/new.
PAGE_ROUTES = (
    event_forms.router,
    co_organiser_forms.router,
    group_forms.router,
    group_pages.router,
    document_pages.router,
    listing_forms.router,
    organisation_forms.router,
    member_forms.router,
    subscription_forms.router,
    registration_forms.router,
    registration_setup.router,
    registration_pages.router,
    participant_pages.router,
    feeds.router,
    office_pages.router,
    match_pages.router,
    concept_import.router,
    concept_reports.router,
    concept_pages.router,
    account_pages.router,
    calendar_pages.router,
    wall_pages.router,
    directory_pages.router,
    statement_pages.router,
    language_switch.router,
    pages.router,
)


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

    clients = Clients.over(backends)

    async def readiness() -> dict[str, bool]:
        return {"directory": await clients.directory.ready()}

    def upload_too_large(request: Request) -> HTMLResponse:
        documents = request.url.path == document_pages.UPLOAD_PATH
        message = refusals.DOCUMENT_TOO_LARGE if documents else refusals.FILE_TOO_LARGE
        return message_page(engine, request, 413, title=_("Datei zu groß"), message=_(message))

    app = create_api(
        title="Integrationsnetz portal",
        description="Web pages for people; the APIs are on the services.",
        version="1.0.0",
        max_body_bytes=settings.max_body_bytes,
        # the spreadsheet of the concept's import is the one large form
        larger_bodies={
            "/konzept/import": settings.import_max_bytes,
            document_pages.UPLOAD_PATH: settings.document_max_bytes,
        },
        too_large=upload_too_large,
    )
    app.router.lifespan_context = lifespan
    app.state.settings = settings
    app.state.backends = backends
    app.state.templates = engine

    app.state.clients = clients
    app.state.held_uploads = HeldUploads()
    install_error_pages(app, engine)
    subscription_forms.install_template_helpers(engine)  # /me says what an organisation follows
    feeds.install_template_helpers(engine, settings)  # "Kalender abonnieren" links
    registration_forms.install_template_helpers(engine)  # registration states and questions
    for routes in PAGE_ROUTES:
        app.include_router(routes)
    install_health_routes(app, readiness)

    def refuse_foreign_form(request: Request) -> HTMLResponse:
        return message_page(
            engine,
            request,
            403,
            title=_("Abgelehnt"),
            message=_("Dieses Formular kam nicht vom Portal. Bitte senden Sie es im Portal ab."),
        )

    app.add_middleware(
        PortalSecurityMiddleware,
        public_base_url=settings.public_base_url,
        refusal=refuse_foreign_form,
    )
    # outermost: the language is known before any page, error page or refusal is rendered
    app.add_middleware(LanguageMiddleware)
    install_tracing(settings.service_name, app, None)
    return app
