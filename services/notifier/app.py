"""The notifier service: email notifications, subscriptions, digests, unsubscribe."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifier.api import router
from services.notifier.digests import digest_pass
from services.notifier.feedback_links import FeedbackLinks
from services.notifier.handlers import wire
from services.notifier.mailer import Mailer
from services.notifier.notices import router as notices_router
from services.notifier.retention import retention_pass
from services.notifier.sender import Sender
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.store import INDEXES, OUTBOX_COLLECTIONS, NotifierStore
from services.notifier.tokens import Links, LinkSigner
from shared.auth import JwksVerifier
from shared.logs import configure_logging
from shared.match_feedback import FeedbackSigner
from shared.runtime import ServiceRuntime, create_service_app


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
    store = NotifierStore(runtime.db, runtime.writer)
    feedback = FeedbackLinks(
        FeedbackSigner(settings.match_feedback_secret.get_secret_value()),
        settings.public_base_url,
        days=settings.match_feedback_token_days,
    )
    links = Links(
        LinkSigner(settings.signing_secret.get_secret_value()),
        settings.notifier_public_url,
        unsubscribe_days=settings.unsubscribe_token_days,
        confirmation_hours=settings.confirmation_token_hours,
        feedback=feedback,
    )
    sender = Sender(store, settings, links, Mailer(settings))
    notifier = Notifier(store, settings, links, handover=sender)
    wire(runtime, notifier)

    runtime.add_background_loop("sender", lambda: sender.run(runtime.database_ready.wait))
    runtime.add_periodic("digests", settings.digest_check_seconds, lambda: digest_pass(notifier))
    runtime.add_periodic(
        "retention", settings.retention_check_seconds, lambda: retention_pass(notifier, settings)
    )

    return create_service_app(
        runtime,
        title="Integrationsnetz notifier",
        description="Email notifications: matches, clashes, subscriptions, digests, unsubscribe.",
        routers=[router, notices_router],
        notifier=notifier,
        sender=sender,
        token_verifier=JwksVerifier(settings.jwks_url),
    )
