"""Recurrence expansion is bounded in work: pathological rules (ones that never or very rarely
match, huge COUNT/INTERVAL, far UNTIL, impossible BY… combinations) are refused at write time
with a reason, and reading a stored one stops within the same bound. Work is counted as the
periods dateutil's own loop looks at, never as time."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from dateutil.rrule import _iterinfo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.calendar.changes import plan_event
from services.calendar.domain import Event, InvalidEventError, occurrences, series_span
from services.calendar.inputs import EventCreate
from services.calendar.recurrence import MAX_EXPANSION_STEPS, original_starts, zone
from services.calendar.window_keys import index_keys

ORG = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
EVENT_ID = "01a20175-6e35-7420-942f-2edfc88e1cc8"
NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
BERLIN = zone("Europe/Berlin")
#: Above the bound with room to spare; the old, unbounded search goes far beyond it.
TOO_MANY = 2 * MAX_EXPANSION_STEPS + 10


class Periods:
    """How many periods dateutil's rule loop looked at (each asks for the days of one)."""

    def __init__(self) -> None:
        self.seen = 0

    def reset(self) -> None:
        self.seen = 0


@contextlib.contextmanager
def counting_periods() -> Iterator[Periods]:
    """Count the calls of dateutil's per-period day sets; stop an unbounded search early."""
    periods = Periods()
    patches = []
    for name in ("ydayset", "mdayset", "wdayset", "ddayset"):
        original = getattr(_iterinfo, name)

        def counted(self: Any, *args: Any, _original: Any = original) -> Any:
            periods.seen += 1
            if periods.seen > TOO_MANY:
                raise AssertionError(f"the expansion looked at more than {TOO_MANY} periods")
            return _original(self, *args)

        patches.append(mock.patch.object(_iterinfo, name, counted))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        yield periods


def create(rule: str, starts_at: str = "2026-03-17T18:00:00+01:00") -> EventCreate:
    start = dt.datetime.fromisoformat(starts_at)
    return EventCreate.model_validate(
        {
            "organisation_id": ORG,
            "title": "Deutsch-Café",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "recurrence": {"rrule": rule},
        }
    )


def stored(rule: str, start: dt.datetime, exdates: list[dt.datetime] | None = None) -> Event:
    """An event as a store might hold it from before these checks: the rule never validated."""
    return Event(
        id=EVENT_ID,
        title="Deutsch-Café",
        organisation_id=ORG,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        rrule=rule,
        exdates=exdates or [],
        created_at=NOW,
        updated_at=NOW,
    )


NEVER_MATCHES = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1"


def test_a_recurrence_rule_that_never_matches_is_refused_within_the_work_bound() -> None:
    with counting_periods() as periods, pytest.raises(InvalidEventError, match="does not end"):
        plan_event(EVENT_ID, create(NEVER_MATCHES), NOW)
    assert periods.seen <= MAX_EXPANSION_STEPS + 1


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20991231", "does not end"),
        ("FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6;COUNT=2", "does not end"),
        ("FREQ=MONTHLY;BYDAY=-5MO;BYMONTHDAY=1,2;BYMONTH=2;COUNT=5", "does not end"),
        ("FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1;COUNT=2", "does not end"),
        ("FREQ=HOURLY;BYSETPOS=2;COUNT=3", "too much work"),
        ("FREQ=WEEKLY;BYSETPOS=8;COUNT=2", "does not end"),
        ("FREQ=SECONDLY;COUNT=1000", "at most hourly"),
        ("FREQ=MINUTELY;UNTIL=20991231T000000Z", "at most hourly"),
        ("FREQ=DAILY;COUNT=100000000000", "COUNT must be"),
        ("FREQ=DAILY;INTERVAL=1000000000;COUNT=2", "INTERVAL must be"),
    ],
)
def test_pathological_rules_are_refused_with_a_reason_within_the_work_bound(
    rule: str, reason: str
) -> None:
    with counting_periods() as periods, pytest.raises(InvalidEventError, match=reason):
        plan_event(EVENT_ID, create(rule), NOW)
    assert periods.seen <= MAX_EXPANSION_STEPS + 1


def test_rare_but_real_rules_are_still_accepted() -> None:
    friday_13th = plan_event(
        EVENT_ID,
        create("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3", "2026-02-13T18:00+01:00"),
        NOW,
    )
    assert len(occurrences(friday_13th)) == 3
    leap_day = plan_event(
        EVENT_ID,
        create("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1", "2026-03-17T18:00+01:00"),
        NOW,
    )
    assert [o.starts_at.date() for o in occurrences(leap_day)][-1] == dt.date(2028, 2, 29)
    ended_by_until = plan_event(
        EVENT_ID, create("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=28;UNTIL=20270301"), NOW
    )
    assert len(occurrences(ended_by_until)) == 2


def test_reading_a_stored_rule_that_never_matches_stops_within_the_work_bound() -> None:
    start = dt.datetime(2026, 3, 17, 17, tzinfo=dt.UTC)
    low, high = start - dt.timedelta(days=1), start + dt.timedelta(days=400)
    for rule in (NEVER_MATCHES, "FREQ=HOURLY;BYSETPOS=2;COUNT=3", "FREQ=SECONDLY;COUNT=5"):
        event = stored(rule, start, exdates=[start + dt.timedelta(days=1)])
        with counting_periods() as periods:
            for read, expected in (
                (lambda e: [o.starts_at for o in occurrences(e)], [start]),
                (series_span, (start, start + dt.timedelta(hours=2))),
                (lambda e: index_keys(e)["span_start_s"], int(start.timestamp())),
                (lambda e: len(occurrences(e, low, high)), 1),
            ):
                periods.reset()
                assert read(event) == expected
                assert periods.seen <= MAX_EXPANSION_STEPS + 1


def test_an_excluded_first_date_of_a_stored_unreadable_rule_is_not_listed() -> None:
    start = dt.datetime(2026, 3, 17, 17, tzinfo=dt.UTC)
    assert list(original_starts("FREQ=SECONDLY;COUNT=5", start, [start], BERLIN)) == []


# --- a generator of pathological rules ----------------------------------------------------

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _listed(values: st.SearchStrategy[Any], most: int = 4) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=most).map(lambda xs: ",".join(map(str, xs)))


_weekdays = st.tuples(
    st.sampled_from(["", "1", "-1", "2", "4", "5", "-5", "53", "-53"]), st.sampled_from(_DAYS)
).map("".join)
_parts: dict[str, st.SearchStrategy[str]] = {
    "INTERVAL": st.sampled_from(["1", "2", "7", "53", "366", "1000", "20000", "999999999"]),
    "BYMONTH": _listed(st.integers(1, 12)),
    "BYMONTHDAY": _listed(st.sampled_from([1, 13, 28, 29, 30, 31, -1, -29, -31])),
    "BYYEARDAY": _listed(st.sampled_from([1, 59, 60, 365, 366, -1, -365, -366])),
    "BYWEEKNO": _listed(st.sampled_from([1, 2, 52, 53, -1, -53])),
    "BYDAY": _listed(_weekdays),
    "BYSETPOS": _listed(st.sampled_from([1, 2, 3, 5, 8, 31, 366, -1, -2, -366])),
    "BYHOUR": _listed(st.integers(0, 23)),
    "BYMINUTE": _listed(st.sampled_from([0, 15, 30, 59])),
    "BYSECOND": _listed(st.sampled_from([0, 30, 59])),
    "WKST": st.sampled_from(_DAYS),
}
_ends = st.one_of(
    st.sampled_from(["1", "2", "3", "10", "999", "1000", "1001", "1000000000000"]).map(
        lambda n: f"COUNT={n}"
    ),
    st.sampled_from(["20260318", "20270101T000000Z", "20280301", "20991231", "99991231"]).map(
        lambda u: f"UNTIL={u}"
    ),
)


@st.composite
def pathological_rules(draw: st.DrawFn) -> str:
    freq = draw(
        st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"])
    )
    names = draw(st.lists(st.sampled_from(sorted(_parts)), max_size=5, unique=True))
    parts = [f"FREQ={freq}", draw(_ends), *(f"{name}={draw(_parts[name])}" for name in names)]
    return ";".join(parts)


_starts = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2098, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=BERLIN)
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(rule=pathological_rules(), start=_starts)
def test_every_rule_is_refused_or_expanded_within_the_work_bound(
    rule: str, start: dt.datetime
) -> None:
    with counting_periods() as periods:
        try:
            event = plan_event(EVENT_ID, create(rule, start.isoformat()), NOW)
        except InvalidEventError:
            event = None
        assert periods.seen <= 2 * (MAX_EXPANSION_STEPS + 1)  # validation and its span
        if event is not None:
            periods.reset()
            occurrences(event, event.starts_at, event.starts_at + dt.timedelta(days=400))
            assert periods.seen <= MAX_EXPANSION_STEPS + 1
        # The read paths are safe for the rule as given, validated or not.
        raw = stored(rule, start.astimezone(dt.UTC))
        periods.reset()
        occurrences(raw)
        assert periods.seen <= MAX_EXPANSION_STEPS + 1
        periods.reset()
        index_keys(raw)
        assert periods.seen <= MAX_EXPANSION_STEPS + 1
