"""The calendar service: events, recurrence, clash detection, iCalendar feeds and imports,
working groups with their meetings' invitations and documents."""

from __future__ import annotations

from fastapi import FastAPI

from services.calendar import document_api, feed_routes, group_api
from services.calendar.api import router
from services.calendar.document_store import DocumentStore
from services.calendar.documents import Documents
from services.calendar.group_service import Groups
from services.calendar.group_store import INDEXES as GROUP_INDEXES
from services.calendar.group_store import OUTBOX_COLLECTIONS as GROUP_OUTBOX
from services.calendar.group_store import GroupStore
from services.calendar.handlers import wire, wire_meetings, wire_registrations
from services.calendar.imports import Importer
from services.calendar.meetings import MeetingMail, MeetingNotices
from services.calendar.registration_api import router as registration_router
from services.calendar.registration_jobs import RegistrationJobs
from services.calendar.registration_reading import RegistrationReading
from services.calendar.registrations import Registrations
from services.calendar.roster_store import INDEXES as ROSTER_INDEXES
from services.calendar.roster_store import ROSTERS, RosterStore
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
        outbox_collections=(*OUTBOX_COLLECTIONS, *GROUP_OUTBOX, ROSTERS),
        indexes=(*INDEXES, *GROUP_INDEXES, *ROSTER_INDEXES),
    )
    calendar = Calendar(CalendarStore(runtime.db, runtime.writer), settings)
    importer = Importer(calendar, settings)
    wire(runtime, calendar, importer)
    runtime.add_periodic("imports", settings.import_poll_seconds, importer.run_due)
    group_store = GroupStore(runtime.db, runtime.writer)
    mail = MeetingMail(settings.portal_url, settings.invitation_organizer_email)
    notices = MeetingNotices(group_store, mail)
    groups = Groups(group_store, notices, calendar.require_active)
    calendar.event_rules = groups.check_meeting
    wire_meetings(runtime, notices)
    documents = Documents(DocumentStore(runtime.db), group_store, settings.document_max_bytes)

    rosters = RosterStore(runtime.db, runtime.writer)
    registrations = Registrations(calendar, rosters, groups)
    registration_jobs = RegistrationJobs(registrations)
    wire_registrations(runtime, registration_jobs)
    runtime.add_periodic("registrations", settings.registration_jobs_seconds, registration_jobs.run)

    return create_service_app(
        runtime,
        title="Integrationsnetz calendar",
        description="The partners' shared calendar: events, series, clashes, iCalendar feeds, "
        "working groups and their meetings, registrations.",
        routers=[
            router,
            feed_routes.router,
            group_api.router,
            document_api.router,
            registration_router,
        ],
        larger_bodies={document_api.UPLOAD_PATH: document_api.upload_limit(settings)},
        calendar=calendar,
        importer=importer,
        groups=groups,
        documents=documents,
        registrations=registrations,
        registration_reading=RegistrationReading(registrations),
        registration_jobs=registration_jobs,
        token_verifier=JwksVerifier(settings.jwks_url),
    )
