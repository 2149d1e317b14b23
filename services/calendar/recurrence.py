"""Recurrence rules (RFC 5545 RRULE, parsed with dateutil), bounded and expanded in the wall
time of the event's zone, so a weekly 18:00 meeting stays at 18:00 across the DST switch.
No I/O here."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrule, rruleset, rrulestr

#: A series has at most this many occurrences ...
MAX_OCCURRENCES = 1000
#: ... and its last occurrence starts at most this long after its first ("two years").
MAX_SERIES_LENGTH = dt.timedelta(days=731)

_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-:]+$")
_UTC_UNTIL = re.compile(r"^\d{8}T\d{6}Z$")
_LOCAL_UNTIL = re.compile(r"^\d{8}T\d{6}$")
_DATE_UNTIL = re.compile(r"^\d{8}$")


class RecurrenceError(ValueError):
    """A recurrence rule that is malformed, unbounded or too long."""


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; raises RecurrenceError for an unknown one."""
    if name not in _zone_names():
        raise RecurrenceError(f"{name!r} is not an IANA time zone such as 'Europe/Berlin'.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError(f"{name!r} is not a known time zone.") from exc


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def occurrence_key(start: dt.datetime) -> str:
    """How an occurrence is named: its original start in UTC, ISO format, whole seconds."""
    return start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_occurrence_key(key: str) -> dt.datetime:
    return dt.datetime.strptime(key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def to_utc(local: dt.datetime) -> dt.datetime:
    return local.astimezone(dt.UTC).replace(microsecond=0)


def wall_time(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The naive local wall time of an instant in `tz`."""
    return moment.astimezone(tz).replace(tzinfo=None)


def from_wall_time(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a naive local wall time in `tz`."""
    return to_utc(wall.replace(tzinfo=tz))


def normalise_rule(rule: str, tz: ZoneInfo) -> str:
    """Check an RRULE value and return it in canonical form, with UNTIL in UTC.

    Raises RecurrenceError when it is malformed or has neither COUNT nor UNTIL.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for raw in text.upper().split(";"):
        part = raw.strip()
        if not part:
            continue
        if not _PART.match(part):
            raise RecurrenceError(f"Malformed RRULE part {raw.strip()!r}.")
        name, value = part.split("=", 1)
        if name in parts:
            raise RecurrenceError(f"RRULE part {name} is given twice.")
        if name in ("DTSTART", "RDATE", "EXDATE"):
            raise RecurrenceError(f"{name} does not belong into an RRULE.")
        parts[name] = value
    if "FREQ" not in parts:
        raise RecurrenceError("An RRULE needs FREQ, e.g. FREQ=WEEKLY;COUNT=10.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise RecurrenceError(
            "A series must end: give COUNT or UNTIL (at most two years after the first date)."
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("An RRULE takes COUNT or UNTIL, not both.")
    until = parts.get("UNTIL")
    if until is not None:
        parts["UNTIL"] = _until_in_utc(until, tz)
    order = ["FREQ", *sorted(name for name in parts if name != "FREQ")]
    return ";".join(f"{name}={parts[name]}" for name in order)


def _until_in_utc(value: str, tz: ZoneInfo) -> str:
    if _UTC_UNTIL.match(value):
        return value
    if _LOCAL_UNTIL.match(value):
        wall = dt.datetime.strptime(value, "%Y%m%dT%H%M%S")
    elif _DATE_UNTIL.match(value):  # a date: the series ends with that (local) day
        wall = dt.datetime.strptime(value, "%Y%m%d") + dt.timedelta(days=1, seconds=-1)
    else:
        raise RecurrenceError(f"UNTIL={value} is neither a date nor a date-time.")
    return from_wall_time(wall, tz).strftime("%Y%m%dT%H%M%SZ")


def _parse(rule: str, first_start: dt.datetime, tz: ZoneInfo) -> rrule:
    dtstart = first_start.astimezone(tz)
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RecurrenceError(f"The RRULE cannot be read: {exc}.") from exc
    if not isinstance(parsed, rrule):
        raise RecurrenceError("Give exactly one RRULE.")
    return parsed


def series(
    rule: str, first_start: dt.datetime, exdates: list[dt.datetime], tz: ZoneInfo
) -> rruleset:
    """The set of original starts: DTSTART itself, the rule's dates, minus the EXDATEs."""
    starts = rruleset()
    starts.rrule(_parse(rule, first_start, tz))
    starts.rdate(first_start.astimezone(tz))
    for exdate in exdates:
        starts.exdate(exdate.astimezone(tz))
    return starts


def check_bounded(
    rule: str, first_start: dt.datetime, exdates: list[dt.datetime], tz: ZoneInfo
) -> int:
    """Raise RecurrenceError unless the series is finite, short enough and not empty; returns
    the number of occurrences."""
    horizon = first_start + MAX_SERIES_LENGTH
    count = 0
    for start in series(rule, first_start, exdates, tz):
        count += 1
        if count > MAX_OCCURRENCES:
            raise RecurrenceError(f"A series may have at most {MAX_OCCURRENCES} occurrences.")
        if start > horizon:
            raise RecurrenceError("A series may run for at most two years; end it earlier.")
    if count == 0:
        raise RecurrenceError("Every occurrence of this series is excluded.")
    return count


def original_starts(
    rule: str,
    first_start: dt.datetime,
    exdates: list[dt.datetime],
    tz: ZoneInfo,
    *,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> list[dt.datetime]:
    """Original starts (UTC) of the series, optionally only those within [after, before]."""
    starts = series(rule, first_start, exdates, tz)
    if after is None and before is None:
        found = list(starts)
    else:
        low = (after or first_start).astimezone(tz)
        high = (before or first_start + 2 * MAX_SERIES_LENGTH).astimezone(tz)
        found = starts.between(low, high, inc=True)
    return [to_utc(start) for start in found]
