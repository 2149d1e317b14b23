"""The notifier's storage on MongoDB, one part per collection it serves: projections of
organisations and calendar entries, opt-outs and `told` (`projection_store.py`),
subscriptions (`subscription_store.py`), deliveries (`delivery_store.py`, one document per
email), digest items (`digest_store.py`) and what keeps match emails few
(`match_notice_store.py`). `NotifierStore` joins them into the one
repository the use cases are given (`repository.NotifierRepository`)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.delivery_store import DELIVERIES, DELIVERY_INDEXES, DeliveryStore
from services.notifier.digest_store import DIGEST_INDEXES, DigestStore
from services.notifier.match_notice_store import MATCH_NOTICE_INDEXES, MatchNoticeStore
from services.notifier.projection_store import PROJECTION_INDEXES, ProjectionStore
from services.notifier.subscription_store import SUBSCRIPTION_INDEXES, SubscriptionStore
from shared.mongo import Document
from shared.outbox import OutboxWriter

OUTBOX_COLLECTIONS = (DELIVERIES,)

INDEXES = (
    *DELIVERY_INDEXES,
    *SUBSCRIPTION_INDEXES,
    *DIGEST_INDEXES,
    *PROJECTION_INDEXES,
    *MATCH_NOTICE_INDEXES,
)


class NotifierStore(
    ProjectionStore, SubscriptionStore, DeliveryStore, DigestStore, MatchNoticeStore
):
    """Every collection of the notifier, over one database and one outbox writer."""

    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer
