"""The calendar pages' arithmetic without I/O: month grids, ISO weeks, Berlin days across the
clock changes, and the days an event is shown on."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.portal.calendar_views import (
    MOST_DAYS_SHOWN,
    YEARS,
    BadPeriodError,
    IsoWeek,
    Month,
    berlin_day,
    day_bounds,
    days_covered,
    month_grid,
    parse_moment,
)
from shared.clock import BERLIN

months = st.builds(Month, st.integers(YEARS.start, YEARS.stop - 2), st.integers(1, 12))
# from the first full ISO week of the first year (1 January 2000 lies in 1999-W52)
days = st.dates(dt.date(YEARS.start, 1, 3), dt.date(YEARS.stop - 2, 12, 31))
moments = st.datetimes(
    dt.datetime(2001, 1, 1), dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC)
)


# --- months ------------------------------------------------------------------------------


@given(months)
def test_a_month_grid_holds_every_day_of_the_month_in_whole_weeks_from_monday(month: Month) -> None:
    grid = month_grid(month)

    flat = [day for week in grid for day in week]
    assert 4 <= len(grid) <= 6
    assert all(len(week) == 7 for week in grid)
    assert all(week[0].weekday() == 0 for week in grid)
    assert flat == [flat[0] + dt.timedelta(days=n) for n in range(len(flat))]
    in_month = [day for day in flat if (day.year, day.month) == (month.year, month.month)]
    assert in_month[0] == month.first_day
    assert in_month[-1] == month.end - dt.timedelta(days=1)
    # no week of the grid lies wholly outside the month
    assert all(any(day.month == month.month for day in week) for week in grid)


def test_february_2027_starting_on_a_monday_fills_exactly_four_weeks() -> None:
    grid = month_grid(Month(2027, 2))

    assert len(grid) == 4
    assert grid[0][0] == dt.date(2027, 2, 1)
    assert grid[-1][-1] == dt.date(2027, 2, 28)


def test_december_2026_shows_the_last_days_of_november_and_the_first_of_january() -> None:
    grid = month_grid(Month(2026, 12))

    assert grid[0][0] == dt.date(2026, 11, 30)
    assert grid[-1][-1] == dt.date(2027, 1, 3)


@given(months)
def test_the_next_months_previous_month_is_the_month_itself(month: Month) -> None:
    assert month.next().previous() == month
    assert month.next().first_day == month.end
    assert month < month.next()


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-12", "2026-1", "1850-01", "dezember"])
def test_a_month_that_is_none_is_refused(text: str) -> None:
    with pytest.raises(BadPeriodError):
        Month.parse(text)


@given(months)
def test_a_month_reads_back_from_its_key(month: Month) -> None:
    assert Month.parse(month.key) == month


# --- ISO weeks -----------------------------------------------------------------------------


@given(days)
def test_every_day_lies_in_the_iso_week_it_belongs_to(day: dt.date) -> None:
    week = IsoWeek.of(day)

    assert day in week.days
    assert week.days[0].weekday() == 0
    assert IsoWeek.parse(week.key) == week
    assert week.next().previous() == week
    assert week.next().monday == week.end


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W49", dt.date(2026, 11, 30)),
        ("2026-W53", dt.date(2026, 12, 28)),  # 2026 has 53 weeks (it starts on a Thursday)
        ("2027-W01", dt.date(2027, 1, 4)),
        ("2020-w53", dt.date(2020, 12, 28)),
    ],
)
def test_an_iso_week_starts_on_its_monday(text: str, monday: dt.date) -> None:
    assert IsoWeek.parse(text).monday == monday


def test_the_week_after_the_last_of_a_year_is_the_first_of_the_next() -> None:
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == IsoWeek(2026, 53)


@pytest.mark.parametrize("text", ["2027-W53", "2026-W00", "2026-W54", "2026-49", "W49"])
def test_a_week_the_year_does_not_have_is_refused(text: str) -> None:
    with pytest.raises(BadPeriodError):
        IsoWeek.parse(text)


# --- Berlin days ---------------------------------------------------------------------------


@given(days)
def test_a_berlin_day_runs_from_midnight_to_midnight_23_24_or_25_hours(day: dt.date) -> None:
    start, end = day_bounds(day)

    assert start.astimezone(BERLIN).time() == dt.time() == end.astimezone(BERLIN).time()
    assert start.astimezone(BERLIN).date() == day
    assert end - start in {dt.timedelta(hours=h) for h in (23, 24, 25)}
    assert day_bounds(day + dt.timedelta(days=1))[0] == end


def test_the_days_the_clocks_change_are_23_and_25_hours_long() -> None:
    spring_start, spring_end = day_bounds(dt.date(2026, 3, 29))
    autumn_start, autumn_end = day_bounds(dt.date(2026, 10, 25))

    assert spring_end - spring_start == dt.timedelta(hours=23)
    assert autumn_end - autumn_start == dt.timedelta(hours=25)
    assert spring_start == dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC)
    assert autumn_start == dt.datetime(2026, 10, 24, 22, tzinfo=dt.UTC)


@given(moments)
def test_a_moment_belongs_to_the_berlin_day_whose_bounds_hold_it(moment: dt.datetime) -> None:
    day = berlin_day(moment)
    start, end = day_bounds(day)

    assert start <= moment < end


def test_an_evening_event_in_berlin_is_on_that_day_though_utc_says_the_next() -> None:
    late = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in Berlin

    assert berlin_day(late) == dt.date(2026, 7, 2)
    assert berlin_day(dt.datetime(2026, 1, 1, 22, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 1)


# --- the days an event is shown on ---------------------------------------------------------


@given(moments, st.integers(0, 90 * 24 * 60))
def test_an_event_is_shown_on_consecutive_days_from_the_day_it_starts(
    starts: dt.datetime, minutes: int
) -> None:
    ends = starts + dt.timedelta(minutes=minutes)

    covered = days_covered(starts, ends)

    assert covered[0] == berlin_day(starts)
    assert covered == [covered[0] + dt.timedelta(days=n) for n in range(len(covered))]
    assert 1 <= len(covered) <= MOST_DAYS_SHOWN
    if minutes and len(covered) < MOST_DAYS_SHOWN:
        assert covered[-1] == berlin_day(ends - dt.timedelta(seconds=1))


def test_an_event_ending_at_midnight_is_not_shown_on_the_next_day() -> None:
    starts = dt.datetime(2026, 12, 5, 20, tzinfo=BERLIN)
    ends = dt.datetime(2026, 12, 6, 0, tzinfo=BERLIN)

    assert days_covered(starts, ends) == [dt.date(2026, 12, 5)]


def test_a_weekend_event_is_shown_on_each_of_its_days() -> None:
    starts = dt.datetime(2026, 10, 24, 10, tzinfo=BERLIN)
    ends = dt.datetime(2026, 10, 25, 18, tzinfo=BERLIN)  # across the autumn clock change

    assert days_covered(starts, ends) == [dt.date(2026, 10, 24), dt.date(2026, 10, 25)]


def test_the_calendars_times_are_read_with_their_offset_and_garbage_is_none() -> None:
    assert parse_moment("2026-12-08T17:00:00+01:00") == dt.datetime(2026, 12, 8, 16, tzinfo=dt.UTC)
    assert parse_moment("2026-12-08T16:00:00") == dt.datetime(2026, 12, 8, 16, tzinfo=dt.UTC)
    assert parse_moment("morgen") is None
