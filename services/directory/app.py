"""The directory service: partner organisations, people, memberships, log-in."""

from __future__ import annotations

from fastapi import FastAPI

from services.directory.api import router
from services.directory.service import Directory
from services.directory.settings import DirectorySettings
from services.directory.store import INDEXES, OUTBOX_COLLECTIONS, DirectoryStore
from services.directory.tokens import TokenIssuer, load_signing_key
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: DirectorySettings | None = None) -> FastAPI:
    settings = settings or DirectorySettings()
    configure_logging(settings.service_name, settings.log_level)
    development = settings.environment != "production"
    relaxed = settings.environment == "development"
    issuer = TokenIssuer(
        load_signing_key(settings.signing_key_file, create=development, development=relaxed),
        [
            load_signing_key(path, create=False, development=relaxed)
            for path in settings.previous_signing_key_files
        ],
        settings.token_ttl_seconds,
    )
    runtime = ServiceRuntime(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
    directory = Directory(DirectoryStore(runtime.db, runtime.writer), issuer, settings)
    runtime.on_database_ready(directory.ensure_first_admin)
    runtime.add_periodic("sweep", settings.sweep_seconds, directory.sweep_pass)

    return create_service_app(
        runtime,
        title="Integrationsnetz directory",
        description="Partner organisations of the integration network, their members, log-in.",
        routers=[router],
        directory=directory,
        token_verifier=issuer.verifier(),
    )
