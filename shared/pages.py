"""One shape for every list answer: a page of items, how many there are in all, and where the
next page starts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """Which page a request asks for: at most `limit` items, from the `offset`-th on."""

    limit: int
    offset: int

    def page_of(self, found: Sequence[T]) -> tuple[list[T], int]:
        """The items of `found` on this page, and how many `found` holds in all."""
        return list(found[self.offset : self.offset + self.limit]), len(found)


def next_offset(offset: int, shown: int, total: int) -> int | None:
    """The offset of a list's next page, or None on the last page."""
    return offset + shown if offset + shown < total else None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null on the last.")

    @classmethod
    def of(cls, items: Sequence[T], total: int, paging: Paging, **extra: Any) -> Self:
        """The page `paging` asked for, of `total` items in all; `extra` fills the fields a
        subclass adds."""
        return cls(
            items=list(items),
            total=total,
            limit=paging.limit,
            offset=paging.offset,
            next_offset=next_offset(paging.offset, len(items), total),
            **extra,
        )
