"""What changing a revisioned domain model means in every service: fields that must keep a
value cannot be cleared by a patch, and every change counts the revision up and stamps
`updated_at`. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol, Self, TypeVar


class Revisioned(Protocol):
    """A model kept with a revision number (pydantic models with `revision` and `updated_at`)."""

    @property
    def revision(self) -> int: ...

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied."""
        ...


class Refusal(Protocol):
    """The error a service answers a refused patch with."""

    def __call__(self, detail: str, *, slug: str, fields: Sequence[str]) -> Exception: ...


Model = TypeVar("Model", bound=Revisioned)


def refuse_clearing(
    given: Mapping[str, object], required: Collection[str], refusal: Refusal
) -> None:
    """Raise `refusal` (slug `cannot-clear`) when the patch `given` sets a required field to
    None; it names those fields, sorted."""
    cleared = sorted(name for name, value in given.items() if value is None and name in required)
    if cleared:
        raise refusal(
            f"These fields cannot be cleared: {', '.join(cleared)}.",
            slug="cannot-clear",
            fields=cleared,
        )


def revised(model: Model, update: Mapping[str, Any], now: dt.datetime) -> Model:
    """The model's next revision: `update` applied, the revision counted up, updated `now`."""
    return model.model_copy(update={**update, "revision": model.revision + 1, "updated_at": now})
