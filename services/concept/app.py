"""The concept service: the city's integration concept — fields of action, goals, measures and
their progress, the activities that carry them out, yearly figures and the interim report."""

from __future__ import annotations

from fastapi import FastAPI

from services.concept.api import router
from services.concept.handlers import wire
from services.concept.import_api import router as import_router
from services.concept.importing import ConceptImport
from services.concept.report_api import router as report_router
from services.concept.reporting import Reports
from services.concept.service import ConceptService
from services.concept.settings import ConceptSettings
from services.concept.store import INDEXES, OUTBOX_COLLECTIONS, ConceptStore
from shared.auth import JwksVerifier
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: ConceptSettings | None = None) -> FastAPI:
    settings = settings or ConceptSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
    concept = ConceptService(ConceptStore(runtime.db, runtime.writer), settings)
    wire(runtime, concept)

    return create_service_app(
        runtime,
        title="Integrationsnetz concept",
        description="The integration concept: fields of action, goals, measures, their "
        "progress and the activities that carry them out; the interim report.",
        routers=[router, import_router, report_router],
        concept=concept,
        importer=ConceptImport(concept),
        reports=Reports(concept),
        token_verifier=JwksVerifier(settings.jwks_url),
    )
