"""The calendar service: events, recurrence, clash detection, iCalendar feeds and imports."""

from __future__ import annotations

from fastapi import FastAPI

from services.calendar import feed_routes
from services.calendar.api import router
from services.calendar.handlers import follow_directory
from services.calendar.imports import Importer
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import INDEXES, OUTBOX_COLLECTIONS, CalendarStore
from shared.auth import JwksVerifier
from shared.http import create_api, install_health_routes
from shared.logs import configure_logging
from shared.messaging import Subscriptions
from shared.runtime import ServiceRuntime
from shared.telemetry import install_tracing


def create_app(settings: CalendarSettings | None = None) -> FastAPI:
    settings = settings or CalendarSettings()
    configure_logging(settings.service_name, settings.log_level)
    directory_events = Subscriptions(settings.service_name, "directory-events")
    runtime = ServiceRuntime(
        settings,
        outbox_collections=OUTBOX_COLLECTIONS,
        indexes=INDEXES,
        subscriptions=[directory_events],
    )
    calendar = Calendar(CalendarStore(runtime.db, runtime.writer), settings)
    importer = Importer(calendar, settings)
    follow_directory(directory_events, calendar, importer)
    runtime.add_periodic("imports", settings.import_poll_seconds, importer.run_due)

    app = create_api(
        title="Integrationsnetz calendar",
        description="The partners' shared calendar: events, series, clashes, iCalendar feeds.",
        version="1.0.0",
        max_body_bytes=settings.max_body_bytes,
    )
    app.router.lifespan_context = runtime.lifespan
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.calendar = calendar
    app.state.importer = importer
    app.state.token_verifier = JwksVerifier(settings.jwks_url)
    app.include_router(router)
    app.include_router(feed_routes.router)
    install_health_routes(app, runtime.readiness)
    install_tracing(settings.service_name, app, runtime.broker)
    return app
