"""The calendar service: events, recurrence, clash detection, iCalendar feeds and imports."""

from __future__ import annotations

from fastapi import FastAPI

from services.calendar import feed_routes
from services.calendar.api import router
from services.calendar.handlers import wire
from services.calendar.imports import Importer
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import INDEXES, OUTBOX_COLLECTIONS, CalendarStore
from shared.auth import JwksVerifier
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: CalendarSettings | None = None) -> FastAPI:
    settings = settings or CalendarSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
    calendar = Calendar(CalendarStore(runtime.db, runtime.writer), settings)
    importer = Importer(calendar, settings)
    wire(runtime, calendar, importer)
    runtime.add_periodic("imports", settings.import_poll_seconds, importer.run_due)

    return create_service_app(
        runtime,
        title="Integrationsnetz calendar",
        description="The partners' shared calendar: events, series, clashes, iCalendar feeds.",
        routers=[router, feed_routes.router],
        calendar=calendar,
        importer=importer,
        token_verifier=JwksVerifier(settings.jwks_url),
    )
