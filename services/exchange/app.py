"""The exchange service ("Suchen und Bieten"): offers, requests, and matching them."""

from __future__ import annotations

from fastapi import FastAPI

from services.exchange.api import router
from services.exchange.handlers import SERVICE, follow_directory, match_posted_and_edited_listings
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from services.exchange.store import INDEXES, OUTBOX_COLLECTIONS, ExchangeStore
from shared.auth import JwksVerifier
from shared.http import create_api, install_health_routes
from shared.logs import configure_logging
from shared.messaging import Subscriptions
from shared.runtime import ServiceRuntime
from shared.telemetry import install_tracing


def create_app(settings: ExchangeSettings | None = None) -> FastAPI:
    settings = settings or ExchangeSettings()
    configure_logging(settings.service_name, settings.log_level)
    directory_events = Subscriptions(SERVICE, "directory-events")
    matching = Subscriptions(SERVICE, "matching")
    runtime = ServiceRuntime(
        settings,
        outbox_collections=OUTBOX_COLLECTIONS,
        indexes=INDEXES,
        subscriptions=[directory_events, matching],
    )
    exchange = Exchange(ExchangeStore(runtime.db, runtime.writer), settings)
    follow_directory(directory_events, exchange)
    match_posted_and_edited_listings(matching, exchange)
    runtime.add_periodic("expiry", settings.expiry_sweep_seconds, exchange.expiry_pass)

    app = create_api(
        title="Integrationsnetz exchange",
        description="Suchen und Bieten: offers and requests of partner organisations, matched.",
        version="1.0.0",
        max_body_bytes=settings.max_body_bytes,
    )
    app.router.lifespan_context = runtime.lifespan
    app.state.runtime = runtime
    app.state.exchange = exchange
    app.state.token_verifier = JwksVerifier(settings.jwks_url)
    app.include_router(router)
    install_health_routes(app, runtime.readiness)
    install_tracing(settings.service_name, app, runtime.broker)
    return app
