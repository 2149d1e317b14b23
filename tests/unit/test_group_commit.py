"""Group commit: writes due together go as one, every caller returns once its own is written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.group_commit import GroupCommit


class Written:
    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: Sequence[str]) -> None:
        await self.release.wait()
        if self.fail_on in items:
            raise ConnectionError("database away")
        self.batches.append(list(items))


async def test_a_write_alone_goes_at_once() -> None:
    written = Written()
    commit = GroupCommit(written)

    await commit.add("a")

    assert written.batches == [["a"]]


async def test_writes_that_come_in_during_a_write_go_together_in_the_next() -> None:
    written = Written()
    commit = GroupCommit(written)
    written.release.clear()
    first = asyncio.create_task(commit.add("a"))
    await asyncio.sleep(0)  # the first write is under way and waits
    others = [asyncio.create_task(commit.add(key)) for key in "bcd"]
    await asyncio.sleep(0)
    assert not any(task.done() for task in [first, *others])

    written.release.set()
    await asyncio.gather(first, *others)

    assert written.batches == [["a"], ["b", "c", "d"]]


async def test_a_failed_batch_raises_to_each_of_its_callers_and_the_next_batch_still_goes() -> None:
    written = Written(fail_on="b")
    commit = GroupCommit(written)
    written.release.clear()
    first = asyncio.create_task(commit.add("a"))
    await asyncio.sleep(0)
    failing = [asyncio.create_task(commit.add(key)) for key in "bc"]
    await asyncio.sleep(0)
    written.release.set()
    await first
    for task in failing:
        with pytest.raises(ConnectionError):
            await task

    await commit.add("d")

    assert written.batches == [["a"], ["d"]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40), st.integers(1, 5))
def test_every_item_is_written_exactly_once_in_batches_of_at_most_most(
    pauses: list[int], most: int
) -> None:
    async def scenario() -> list[list[str]]:
        written = Written()
        commit = GroupCommit(written, most=most)

        async def add_after(index: int, pause: int) -> None:
            for _ in range(pause):
                await asyncio.sleep(0)
            await commit.add(str(index))

        await asyncio.gather(*(add_after(i, pause) for i, pause in enumerate(pauses)))
        return written.batches

    batches = asyncio.run(scenario())

    assert sorted(int(item) for batch in batches for item in batch) == list(range(len(pauses)))
    assert all(1 <= len(batch) <= most for batch in batches)
