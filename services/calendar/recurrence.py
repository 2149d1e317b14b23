"""Recurrence rules (RFC 5545 RRULE, parsed with dateutil), bounded and expanded in the wall
time of the event's zone, so a weekly 18:00 meeting stays at 18:00 across the DST switch.

Expansion is bounded in *work*, not only in count: dateutil steps through a rule period by
period (a year, a month, a week, a day, an hour) and, for a rule that never matches, would step
until the year 9999. Every period it looks at is counted here and the search ends two years after
the first date or after MAX_EXPANSION_STEPS periods, whichever comes first; finer frequencies
than HOURLY (whose single steps may cost a day's worth of seconds) are refused. Validation turns
a cut-off search into a RecurrenceError; reading a stored series just stops there.
No I/O here."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import dateutil.rrule
from dateutil.rrule import HOURLY, _iterinfo, rrule, rruleset, rrulestr

#: A series has at most this many occurrences ...
MAX_OCCURRENCES = 1000
#: ... and its last occurrence starts at most this long after its first ("two years").
MAX_SERIES_LENGTH = dt.timedelta(days=731)
#: At most this many periods (years, months, weeks, days or hours) are looked at per expansion.
MAX_EXPANSION_STEPS = 10_000
#: The frequencies an event may repeat at.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
#: A larger INTERVAL puts the second date past the two years even for HOURLY.
MAX_INTERVAL = 20_000

_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-:]+$")
_UTC_UNTIL = re.compile(r"^\d{8}T\d{6}Z$")
_LOCAL_UNTIL = re.compile(r"^\d{8}T\d{6}$")
_DATE_UNTIL = re.compile(r"^\d{8}$")


class RecurrenceError(ValueError):
    """A recurrence rule that is malformed, unbounded or too long."""


class ExpansionLimitError(RecurrenceError):
    """Expanding the rule would need more work than any plannable series needs."""


class _SearchEnded(Exception):  # noqa: N818 (a signal, not an error)
    """The search passed the last date it was asked to look at."""


class Work:
    """What one expansion may do: periods looked at so far, and the wall date after which no
    period is looked at."""

    __slots__ = ("last_day", "limit", "steps", "unfinished")

    def __init__(self, last_day: dt.date, limit: int = MAX_EXPANSION_STEPS) -> None:
        self.last_day = last_day
        self.limit = limit
        self.steps = 0
        #: The search was cut off although the rule itself had not ended (COUNT or UNTIL).
        self.unfinished = False

    def step(self, period_start: dt.date) -> None:
        if period_start > self.last_day:
            raise _SearchEnded
        self.steps += 1
        if self.steps > self.limit:
            self.unfinished = True
            raise ExpansionLimitError(
                f"This RRULE needs too much work to expand: it looks at more than {self.limit} "
                "periods (years, months, weeks, days or hours) and finds too few dates. "
                "Simplify it, e.g. fewer BYSETPOS/BY… parts or a coarser FREQ."
            )


class _CountedPeriods(_iterinfo):
    """dateutil's per-rule state; asked once for every period the search looks at."""

    __slots__ = ("work",)

    def __init__(self, rule: rrule) -> None:
        super().__init__(rule)
        for name in _iterinfo.__slots__:  # the base sets only the slots of the class it is given
            if name != "rrule":
                setattr(self, name, None)
        work = getattr(rule, "work", None)
        assert isinstance(work, Work), "only _BoundedRule is expanded with counted periods"
        self.work = work

    def ydayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self.work.step(dt.date(year, 1, 1))
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self.work.step(dt.date(year, month, 1))
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self.work.step(dt.date(year, month, day))
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self.work.step(dt.date(year, month, day))
        return super().ddayset(year, month, day)


def _counted_iter() -> Callable[[rrule], Iterator[dt.datetime]]:
    """dateutil's own rule iterator, unchanged, but building its per-rule state from
    _CountedPeriods (same code, other globals), so the loop itself reports every period."""
    original: Any = rrule.__dict__["_iter"]
    namespace = {**vars(dateutil.rrule), "_iterinfo": _CountedPeriods}
    function: Callable[[rrule], Iterator[dt.datetime]] = types.FunctionType(
        original.__code__, namespace, original.__name__, original.__defaults__
    )
    return function


_COUNTED_ITER = _counted_iter()


class _BoundedRule(rrule):
    """An rrule whose expansion is bounded by its `work`."""

    work: Work

    def _iter(self) -> Iterator[dt.datetime]:
        found = 0
        try:
            for start in _COUNTED_ITER(self):
                found += 1
                yield start
        except _SearchEnded:
            count: int | None = getattr(self, "_count", None)
            until: dt.datetime | None = getattr(self, "_until", None)
            ended = (count is not None and found >= count) or (
                until is not None and until.date() <= self.work.last_day
            )
            self.work.unfinished = self.work.unfinished or not ended


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
    _check_structure(parts.get("FREQ", ""), parts.get("INTERVAL"), parts.get("COUNT"))
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


def _check_structure(freq: str, interval: str | None, count: str | None) -> None:
    if freq not in (*FREQUENCIES, "MINUTELY", "SECONDLY"):
        raise RecurrenceError(f"The RRULE cannot be read: FREQ={freq} is unknown.")
    if freq not in FREQUENCIES:
        raise RecurrenceError(
            f"FREQ={freq} is not allowed: events repeat at most hourly "
            f"(FREQ is one of {', '.join(FREQUENCIES)})."
        )
    if interval is not None and (not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL):
        raise RecurrenceError(f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL}.")
    if count is not None and (not count.isdigit() or not 1 <= int(count) <= MAX_OCCURRENCES):
        raise RecurrenceError(
            f"COUNT must be a whole number from 1 to {MAX_OCCURRENCES} "
            f"(a series has at most {MAX_OCCURRENCES} occurrences)."
        )


def _until_in_utc(value: str, tz: ZoneInfo) -> str:
    try:
        if _UTC_UNTIL.match(value):
            dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ")
            return value
        if _LOCAL_UNTIL.match(value):
            wall = dt.datetime.strptime(value, "%Y%m%dT%H%M%S")
        elif _DATE_UNTIL.match(value):  # a date: the series ends with that (local) day
            wall = dt.datetime.strptime(value, "%Y%m%d") + dt.timedelta(days=1, seconds=-1)
        else:
            raise RecurrenceError(f"UNTIL={value} is neither a date nor a date-time.")
        return from_wall_time(wall, tz).strftime("%Y%m%dT%H%M%SZ")
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, RecurrenceError):
            raise
        raise RecurrenceError(f"UNTIL={value} is not a date the calendar can use.") from exc


def _parse(rule: str, first_start: dt.datetime, tz: ZoneInfo, work: Work) -> _BoundedRule:
    dtstart = first_start.astimezone(tz)
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RecurrenceError(f"The RRULE cannot be read: {exc}.") from exc
    if not isinstance(parsed, rrule):
        raise RecurrenceError("Give exactly one RRULE.")
    # Stored and imported rules are checked again: a rule from before these limits must not
    # make a read search for long either.
    freq: int = getattr(parsed, "_freq", HOURLY + 1)
    interval: int = getattr(parsed, "_interval", 1)
    count: int | None = getattr(parsed, "_count", None)
    _check_structure(
        FREQUENCIES[freq] if freq <= HOURLY else "MINUTELY",
        str(interval),
        None if count is None else str(count),
    )
    parsed.__class__ = _BoundedRule
    assert isinstance(parsed, _BoundedRule)
    parsed.work = work
    return parsed


def search_end(first_start: dt.datetime, tz: ZoneInfo, before: dt.datetime | None = None) -> Work:
    """The work allowed for expanding a series from `first_start`: no period after `before`
    (if given) nor after the longest a series may run, plus a day for the zone's offset."""
    try:
        last = first_start + MAX_SERIES_LENGTH
        if before is not None:
            last = min(last, before)
        return Work(last.astimezone(tz).date() + dt.timedelta(days=1))
    except OverflowError:
        return Work(dt.date.max)


def series(
    rule: str, first_start: dt.datetime, exdates: list[dt.datetime], tz: ZoneInfo, work: Work
) -> rruleset:
    """The set of original starts: DTSTART itself, the rule's dates, minus the EXDATEs; its
    expansion is bounded by `work`."""
    starts = rruleset()
    starts.rrule(_parse(rule, first_start, tz, work))
    starts.rdate(first_start.astimezone(tz))
    for exdate in exdates:
        starts.exdate(exdate.astimezone(tz))
    return starts


def _expand(starts: rruleset) -> Iterator[dt.datetime]:
    """The starts, with dateutil's errors during expansion (e.g. a BYEASTER offset beyond the
    year) turned into RecurrenceError."""
    try:
        yield from starts
    except RecurrenceError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RecurrenceError(f"The RRULE cannot be expanded: {exc}.") from exc


def check_bounded(
    rule: str,
    first_start: dt.datetime,
    exdates: list[dt.datetime],
    tz: ZoneInfo,
    work: Work | None = None,
) -> int:
    """Raise RecurrenceError unless the series is finite, short enough, not empty and found
    within the work bound; returns the number of occurrences."""
    horizon = first_start + MAX_SERIES_LENGTH
    work = work or search_end(first_start, tz)
    count = 0
    for start in _expand(series(rule, first_start, exdates, tz, work)):
        count += 1
        if count > MAX_OCCURRENCES:
            raise RecurrenceError(f"A series may have at most {MAX_OCCURRENCES} occurrences.")
        if start > horizon:
            raise RecurrenceError("A series may run for at most two years; end it earlier.")
    if work.unfinished:
        raise ExpansionLimitError(
            "This RRULE does not end within two years of the first date: it finds fewer dates "
            "than its COUNT asks for (or none at all), or its UNTIL lies later. Check its BY… "
            "parts (e.g. BYMONTHDAY=30 with BYMONTH=2 never happens)."
        )
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
    work: Work | None = None,
) -> Iterator[dt.datetime]:
    """Original starts (UTC) of the series in order, optionally only those within
    [after, before]; expanded only as far as the caller reads.

    Safe for any stored rule: a rule that cannot be read (or is refused now) yields only its
    first start, and a search cut off by the work bound yields what was found until then.
    """
    work = work or search_end(first_start, tz, before)
    low = None if after is None else after.astimezone(tz)
    high = None if before is None else before.astimezone(tz)
    found = 0
    try:
        for start in _expand(series(rule, first_start, exdates, tz, work)):
            if high is not None and start > high:
                return
            if low is None or start >= low:
                found += 1
                yield to_utc(start)
            if found >= MAX_OCCURRENCES:
                return
    except RecurrenceError:
        # DTSTART is a date of the series whatever its rule; dateutil may not have reached it.
        first = first_start.astimezone(tz)
        excluded = any(first == exdate for exdate in exdates)
        inside = (low is None or first >= low) and (high is None or first <= high)
        if inside and not excluded and not found:
            yield to_utc(first)
