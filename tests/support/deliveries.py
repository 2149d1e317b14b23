"""Emails already in the notifier's log: a delivery sent once, at the moment it was planned,
for the tests and the bench that need a log with a past."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.notifier.domain import DeliveryStatus
from services.notifier.records import Delivery


def sent_delivery(at: dt.datetime, **fields: Any) -> Delivery:
    """A delivery planned and sent at `at` on its first attempt; `fields` say what it is."""
    return Delivery(
        status=DeliveryStatus.SENT,
        attempts=1,
        created_at=at,
        updated_at=at,
        sent_at=at,
        created_ms=int(at.timestamp() * 1000),
        **fields,
    )
