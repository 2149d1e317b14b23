"""The notifier service: email notifications, subscriptions, digests, unsubscribe."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifier.api import router
from services.notifier.digests import digest_pass
from services.notifier.handlers import NotifierHandlers
from services.notifier.notices import router as notices_router
from services.notifier.retention import retention_pass
from services.notifier.sender import Mailer, Sender
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.store import INDEXES, OUTBOX_COLLECTIONS, NotifierStore
from services.notifier.tokens import Links, LinkSigner
from shared.auth import JwksVerifier
from shared.http import create_api, install_health_routes
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime
from shared.telemetry import install_tracing


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    configure_logging(settings.service_name, settings.log_level)
    handlers = NotifierHandlers()
    runtime = ServiceRuntime(
        settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES, subscriptions=handlers.all
    )
    store = NotifierStore(runtime.db, runtime.writer)
    links = Links(
        LinkSigner(settings.signing_secret.get_secret_value()),
        settings.notifier_public_url,
        unsubscribe_days=settings.unsubscribe_token_days,
        confirmation_hours=settings.confirmation_token_hours,
    )
    sender = Sender(store, settings, links, Mailer(settings))
    notifier = Notifier(store, settings, links, on_planned=sender.wake)
    handlers.bind(notifier)

    runtime.add_background_loop("sender", lambda: sender.run(runtime.database_ready.wait))
    runtime.add_periodic("digests", settings.digest_check_seconds, lambda: digest_pass(notifier))
    runtime.add_periodic(
        "retention", settings.retention_check_seconds, lambda: retention_pass(notifier, settings)
    )

    app = create_api(
        title="Integrationsnetz notifier",
        description="Email notifications: matches, clashes, subscriptions, digests, unsubscribe.",
        version="1.0.0",
        max_body_bytes=settings.max_body_bytes,
    )
    app.router.lifespan_context = runtime.lifespan
    app.state.runtime = runtime
    app.state.notifier = notifier
    app.state.sender = sender
    app.state.token_verifier = JwksVerifier(settings.jwks_url)
    app.include_router(router)
    app.include_router(notices_router)
    install_health_routes(app, runtime.readiness)
    install_tracing(settings.service_name, app, runtime.broker)
    return app
