"""Identifiers: every id is a UUIDv7 string that sorts by creation time."""

from __future__ import annotations

import time
import uuid
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from shared.ids import is_uuid, new_id

LAST_MILLISECOND = (1 << 48) - 1


def id_at(unix_ms: int) -> str:
    with patch("shared.ids.time.time_ns", return_value=unix_ms * 1_000_000):
        return new_id()


def embedded_milliseconds(value: str) -> int:
    return uuid.UUID(value).int >> 80


def test_a_new_id_is_a_canonical_uuid_version_7_with_the_rfc_9562_variant() -> None:
    value = new_id()

    parsed = uuid.UUID(value)
    assert str(parsed) == value
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert is_uuid(value)


def test_a_new_id_carries_the_current_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000

    assert before <= embedded_milliseconds(value) <= after


@given(
    earlier=st.integers(min_value=0, max_value=LAST_MILLISECOND - 1),
    gap=st.integers(min_value=1, max_value=LAST_MILLISECOND),
)
def test_an_id_created_in_a_later_millisecond_sorts_after_an_earlier_one(
    earlier: int, gap: int
) -> None:
    later = min(earlier + gap, LAST_MILLISECOND)

    first, second = id_at(earlier), id_at(later)

    assert first < second
    assert embedded_milliseconds(first) == earlier
    assert embedded_milliseconds(second) == later
    for value in (first, second):
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)


def test_ids_made_one_after_another_on_the_real_clock_sort_in_creation_order() -> None:
    made = []
    for _ in range(5):
        made.append(new_id())
        time.sleep(0.002)  # the next id falls into a later millisecond

    assert made == sorted(made)


def test_ten_thousand_new_ids_are_all_different() -> None:
    assert len({new_id() for _ in range(10_000)}) == 10_000


def test_something_that_is_not_a_uuid_is_not_taken_for_an_id() -> None:
    assert not is_uuid("not-an-id")
    assert not is_uuid("")
