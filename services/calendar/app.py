"""The calendar service: events, recurrence, clash detection, iCalendar feeds and imports."""

from __future__ import annotations

from fastapi import FastAPI

from services.calendar import feed_routes
from services.calendar.api import router
from services.calendar.handlers import wire, wire_registrations
from services.calendar.imports import Importer
from services.calendar.registration_api import router as registration_router
from services.calendar.registration_jobs import RegistrationJobs
from services.calendar.registration_reading import RegistrationReading
from services.calendar.registrations import Registrations
from services.calendar.roster_store import INDEXES as ROSTER_INDEXES
from services.calendar.roster_store import ROSTERS, RosterStore, StoredGroupMembership
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import INDEXES, OUTBOX_COLLECTIONS, CalendarStore
from shared.auth import JwksVerifier
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: CalendarSettings | None = None) -> FastAPI:
    settings = settings or CalendarSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(
        settings,
        outbox_collections=(*OUTBOX_COLLECTIONS, ROSTERS),
        indexes=(*INDEXES, *ROSTER_INDEXES),
    )
    calendar = Calendar(CalendarStore(runtime.db, runtime.writer), settings)
    importer = Importer(calendar, settings)
    wire(runtime, calendar, importer)
    runtime.add_periodic("imports", settings.import_poll_seconds, importer.run_due)
    rosters = RosterStore(runtime.db, runtime.writer)
    registrations = Registrations(calendar, rosters, StoredGroupMembership(runtime.db))
    registration_jobs = RegistrationJobs(registrations)
    wire_registrations(runtime, registration_jobs)
    runtime.add_periodic("registrations", settings.registration_jobs_seconds, registration_jobs.run)

    return create_service_app(
        runtime,
        title="Integrationsnetz calendar",
        description="The partners' shared calendar: events, series, clashes, iCalendar feeds.",
        routers=[router, feed_routes.router, registration_router],
        calendar=calendar,
        importer=importer,
        registrations=registrations,
        registration_reading=RegistrationReading(registrations),
        registration_jobs=registration_jobs,
        token_verifier=JwksVerifier(settings.jwks_url),
    )
