"""The exchange service ("Suchen und Bieten"): offers, requests, and matching them."""

from __future__ import annotations

from fastapi import FastAPI

from services.exchange.api import router
from services.exchange.feedback_api import router as feedback_router
from services.exchange.feedback_service import MatchFeedback
from services.exchange.handlers import wire
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from services.exchange.store import INDEXES, OUTBOX_COLLECTIONS, ExchangeStore
from shared.auth import JwksVerifier
from shared.logs import configure_logging
from shared.match_feedback import FeedbackSigner
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: ExchangeSettings | None = None) -> FastAPI:
    settings = settings or ExchangeSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
    store = ExchangeStore(runtime.db, runtime.writer)
    exchange = Exchange(store, settings)
    feedback = MatchFeedback(
        store, FeedbackSigner(settings.match_feedback_secret.get_secret_value())
    )
    wire(runtime, exchange)
    runtime.add_periodic("expiry", settings.expiry_sweep_seconds, exchange.expiry_pass)

    return create_service_app(
        runtime,
        title="Integrationsnetz exchange",
        description="Suchen und Bieten: offers and requests of partner organisations, matched.",
        routers=[router, feedback_router],
        exchange=exchange,
        feedback=feedback,
        token_verifier=JwksVerifier(settings.jwks_url),
    )
