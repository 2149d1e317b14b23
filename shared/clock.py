"""Time as every service reads it: stored in UTC at whole seconds, shown in Europe/Berlin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

#: The zone the network lives in: what people are shown, and where a day or an hour starts.
BERLIN_ZONE_NAME = "Europe/Berlin"
BERLIN = ZoneInfo(BERLIN_ZONE_NAME)

#: A source of the current moment; use cases take one so tests can set the time.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now, in UTC, at whole seconds (sub-second comparisons are not portable across
    MongoDB-protocol servers, docs/storage.md)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
