"""What the storage self-check and the quirk probes share: results, scratch collections and
type-sensitive comparisons of what the server returned with what MongoDB returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection

SCRATCH_PREFIX: Final = "_selfcheck_"
_CHECK_TIMEOUT_S: Final = 30.0
CEST: Final = timezone(timedelta(hours=2))
HALF_S: Final = timedelta(milliseconds=500)
REPR_LIMIT: Final = 400

Doc = dict[str, Any]
Coll = AsyncCollection[Doc]


Check = Callable[[Coll], Awaitable[tuple[bool, str]]]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Outcome of one check or probe. ``detail`` holds got/expected when ``ok`` is False."""

    name: str
    ok: bool
    detail: str


# --------------------------------------------------------------------------------------
# comparison helpers


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 3] + "..."


def typed(value: Any) -> str:
    return f"{short(value)} ({type(value).__name__})"


def utc_seconds(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def diff(got: Any, expected: Any, path: str = "$") -> list[str]:
    """Differences between ``got`` and ``expected``, including value *types*.

    Dicts must have the same keys (order ignored), lists the same length and order,
    scalars the same type and value (bool, int and float are distinct; bson.Int64 counts as
    int), datetimes must be tz-aware datetimes equal at whole seconds.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: got={typed(got)} expected a dict"]
        out: list[str] = []
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing:
            out.append(f"{path}: missing keys {missing}")
        if extra:
            out.append(f"{path}: unexpected keys {extra}")
        for key, exp in expected.items():
            if key in got:
                out.extend(diff(got[key], exp, f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(got, list):
            return [f"{path}: got={typed(got)} expected a list"]
        if len(got) != len(expected):
            return [f"{path}: got={short(got)} expected={short(expected)} (length differs)"]
        out = []
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            out.extend(diff(g, e, f"{path}[{i}]"))
        return out
    if isinstance(expected, datetime):
        if not isinstance(got, datetime):
            return [f"{path}: got={typed(got)} expected a datetime {expected.isoformat()}"]
        if got.tzinfo is None:
            return [f"{path}: got naive datetime {got!r}, expected tz-aware (tz_aware=True)"]
        if utc_seconds(got) != utc_seconds(expected):
            return [f"{path}: got={got.isoformat()} expected={expected.isoformat()}"]
        return []
    if isinstance(expected, int) and not isinstance(expected, bool):
        # BSON int64 decodes to bson.Int64 (an int subclass) on every server: still an int.
        same_type = isinstance(got, int) and not isinstance(got, bool)
    else:
        same_type = type(got) is type(expected)
    if not same_type or got != expected:
        return [f"{path}: got={typed(got)} expected={typed(expected)}"]
    return []


class Expect:
    """Collects got/expected mismatches of one check."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def same(self, label: str, got: Any, expected: Any) -> None:
        """Deep, type-sensitive comparison (see `diff`)."""
        self.problems.extend(f"{label} {problem}" for problem in diff(got, expected))

    def equal(self, label: str, got: Any, expected: Any) -> None:
        """Plain ``==`` comparison (for ids, counts, flags)."""
        if got != expected:
            self.problems.append(f"{label}: got={short(got)} expected={short(expected)}")

    def true(self, label: str, condition: bool, detail: str) -> None:
        if not condition:
            self.problems.append(f"{label}: {detail}")

    def result(self, ok_detail: str) -> tuple[bool, str]:
        if self.problems:
            return False, "; ".join(self.problems)
        return True, ok_detail


async def ids_of(coll: Coll, flt: Doc, **kwargs: Any) -> list[Any]:
    return [d["_id"] async for d in coll.find(flt, {"_id": 1}, **kwargs)]


async def sorted_ids(coll: Coll, flt: Doc) -> list[Any]:
    return sorted(await ids_of(coll, flt))


def base_time() -> datetime:
    """A fixed-offset UTC instant at whole seconds, close to 'now' (so no epoch edge cases)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
