"""The concept's pure rules: numbers, the status in force on a day, the status distribution
and the change between years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.concept import domain
from services.concept.domain import Measure, MeasureRuleError
from shared.contracts.concept import MeasureStatus

NOW = dt.datetime(2023, 10, 31, 9, 0, tzinfo=dt.UTC)


def a_measure(**fields: object) -> Measure:
    return Measure.model_validate(
        {
            "id": "m",
            "concept_id": "c",
            "number": "3.2.4",
            "goal_number": "3.2",
            "title": "Sprachcafés",
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )


statuses = st.sampled_from(list(MeasureStatus))


@given(st.lists(statuses, max_size=300))
def test_the_status_distribution_counts_every_measure_once(values: list[MeasureStatus]) -> None:
    distribution = domain.status_distribution(values)

    assert sum(distribution.values()) == len(values)
    assert list(distribution) == list(MeasureStatus)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=-(10**9), max_value=10**9),
)
def test_a_change_between_years_adds_back_up_to_the_later_value(before: int, after: int) -> None:
    absolute, relative = domain.change_between(before, after)

    assert absolute is not None
    assert before + absolute == pytest.approx(after)
    if before == 0:
        assert relative is None
    else:
        assert relative == pytest.approx((after - before) / before * 100, abs=0.051)


def test_the_faktencheck_inhabitants_grew_by_two_point_four_percent() -> None:
    assert domain.change_between(70_787, 72_477) == (1_690, 2.4)
    assert domain.change_between(None, 72_477) == (None, None)


@given(st.lists(st.tuples(st.dates(), statuses), min_size=1, max_size=20), st.dates())
def test_the_status_on_a_day_is_the_latest_recorded_up_to_that_day(
    entries: list[tuple[dt.date, MeasureStatus]], day: dt.date
) -> None:
    measure = a_measure()
    for on, status in entries:
        measure, _ = domain.change_status(measure, status, on, "", "p", NOW)

    in_force = domain.status_at(measure, day)

    earlier = [e for e in measure.history if e.on <= day]
    if not earlier:
        assert in_force is None
    else:
        assert in_force is not None
        assert in_force.on == max(e.on for e in earlier)
    assert measure.status is measure.history[-1].status


def test_measure_numbers_sort_as_numbers_and_name_their_goal_and_field() -> None:
    numbers = ["3.10.1", "3.9.2", "1.1.1", "3.9.10"]

    assert sorted(numbers, key=domain.number_key) == ["1.1.1", "3.9.2", "3.9.10", "3.10.1"]
    assert domain.goal_of_number("3.10.1") == "3.10"
    assert domain.field_of_goal("3.10") == "3"
    with pytest.raises(MeasureRuleError):
        domain.check_number("3.2")
