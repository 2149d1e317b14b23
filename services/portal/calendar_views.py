"""The arithmetic of the calendar pages: which days a month or a week view shows, ISO weeks, and
the Europe/Berlin days an event covers. Pure: no I/O and no clock (today is an argument).

People read the calendar in Berlin wall time: a day runs from midnight to midnight in Berlin,
23 or 25 hours long when the clocks change, and an event at 23:30 belongs to that evening even
though it is the next day in UTC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.clock import BERLIN

#: The years the pages may be asked for (the calendar's API takes 1900 to 2200).
YEARS = range(2000, 2101)
#: Most days one event is shown on in a month or week view (a longer one is listed once).
MOST_DAYS_SHOWN = 42

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class BadPeriodError(ValueError):
    """A month or week in the address that is no such thing (`2026-13`, `2026-W54`)."""


def _year_and_number(pattern: re.Pattern[str], text: str) -> tuple[int, int]:
    """The year and the month's or week's number of a period in the address as `pattern`
    reads it (spaces around and the case of `W` do not matter); BadPeriodError when it does
    not match or the year is not one of YEARS."""
    found = pattern.match(text.strip().upper())
    if not found or int(found[1]) not in YEARS:
        raise BadPeriodError(text)
    return int(found[1]), int(found[2])


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-12`; anything else raises BadPeriodError."""
        year, month = _year_and_number(_MONTH, text)
        if not 1 <= month <= 12:
            raise BadPeriodError(text)
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the month."""
        return self.next().first_day

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week: Monday to Sunday; week 1 holds the year's first Thursday."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W49`; a week the year does not have (W53 of most years) raises BadPeriodError."""
        year, week = _year_and_number(_WEEK, text)
        try:
            dt.date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise BadPeriodError(text) from exc
        return cls(year, week)

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=n) for n in range(7)]

    @property
    def end(self) -> dt.date:
        """The Monday after the week."""
        return self.monday + dt.timedelta(days=7)

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.end)

    def previous(self) -> IsoWeek:
        return IsoWeek.of(self.monday - dt.timedelta(days=1))


def month_grid(month: Month) -> list[list[dt.date]]:
    """The weeks (Monday to Sunday) a month view shows: every day of the month, the days of
    the neighbouring months that fill its first and last week; four to six rows."""
    start = month.first_day - dt.timedelta(days=month.first_day.weekday())
    last = month.end - dt.timedelta(days=1)
    stop = last + dt.timedelta(days=6 - last.weekday())
    weeks = (stop - start).days // 7 + 1
    return [[start + dt.timedelta(days=7 * w + d) for d in range(7)] for w in range(weeks)]


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A Berlin day as a UTC window [midnight, next midnight)."""
    start = dt.datetime.combine(day, dt.time(), BERLIN)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BERLIN)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def berlin_day(moment: dt.datetime) -> dt.date:
    """The Berlin date of a moment (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BERLIN).date()


def days_covered(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.date]:
    """The Berlin days an event is on: from the day it starts to the day of its last moment
    (it ends exclusively: one ending at midnight is not on the next day); at most
    MOST_DAYS_SHOWN."""
    first = berlin_day(starts_at)
    last = berlin_day(ends_at - dt.timedelta(seconds=1)) if ends_at > starts_at else first
    count = min(max((last - first).days, 0) + 1, MOST_DAYS_SHOWN)
    return [first + dt.timedelta(days=n) for n in range(count)]


def parse_moment(text: str) -> dt.datetime | None:
    """An RFC 3339 time as the calendar answers it; None for anything else."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
