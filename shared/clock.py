"""Time as every service reads it: stored in UTC at whole seconds, shown in Europe/Berlin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

#: The zone the network lives in: what people are shown, and where a day or an hour starts.
BERLIN_ZONE_NAME = "Europe/Berlin"
BERLIN = ZoneInfo(BERLIN_ZONE_NAME)

#: A source of the current moment; use cases take one so tests can set the time.
Clock = Callable[[], dt.datetime]

Day = TypeVar("Day", bound=dt.date)


def utc_now() -> dt.datetime:
    """Now, in UTC, at whole seconds (sub-second comparisons are not portable across
    MongoDB-protocol servers, docs/storage.md)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def within_years(years: range, what: str = "Dates") -> Callable[[Day], Day]:
    """A check that a date or time lies in one of `years` (for a field's validator): it gives
    the value back, or raises ValueError naming the first and the last year."""

    def check(value: Day) -> Day:
        if value.year not in years:
            raise ValueError(f"{what} lie between the years {years.start} and {years.stop - 1}.")
        return value

    return check
