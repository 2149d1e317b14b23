"""Storage self-check: verifies the MongoDB behaviour the project's storage code relies on.

docs/storage.md keeps the code to a well-trodden subset of MongoDB (ADR 0003) because the
embedded/test server (nx-27017) speaks the MongoDB protocol but gets some features wrong *silently*.
`run_storage_selfcheck` verifies, one check per assumption, that the server in use behaves
like real MongoDB for everything the code relies on; the expectations are MongoDB's
documented behaviour, never an nx-27017 peculiarity, so the same checks are valid against
a real MongoDB (``MONGODB_URL``).

`probe_known_quirks` measures the quirks the project *avoids* (see `KNOWN_QUIRKS`) and a few
neighbouring features. Its results are informational: ``ok=True`` means the server behaves
like MongoDB there; a failing probe does not fail the suite.

Both functions work in scratch collections named ``_selfcheck_*`` in the given database
and drop them afterwards. The client is expected to be ``AsyncMongoClient(url, tz_aware=True)``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, TypedDict

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

__all__ = [
    "KNOWN_QUIRKS",
    "SCRATCH_PREFIX",
    "CheckResult",
    "KnownQuirk",
    "format_failures",
    "probe_known_quirks",
    "run_storage_selfcheck",
]

SCRATCH_PREFIX: Final = "_selfcheck_"
_CHECK_TIMEOUT_S: Final = 30.0
_CEST: Final = timezone(timedelta(hours=2))
_HALF_S: Final = timedelta(milliseconds=500)
_REPR_LIMIT: Final = 400

Doc = dict[str, Any]
Coll = AsyncCollection[Doc]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Outcome of one check or probe. ``detail`` holds got/expected when ``ok`` is False."""

    name: str
    ok: bool
    detail: str


class KnownQuirk(TypedDict):
    name: str  # same name as the probe in `probe_known_quirks`
    nx_27017: str  # what nx-27017 0.8.1 does (measured)
    instead: str  # what the project does instead


# The quirks the project's code avoids. Each one is measured by the probe of the same name
# in `probe_known_quirks` (which also probes a few features that behave correctly).
KNOWN_QUIRKS: Final[list[KnownQuirk]] = [
    {
        "name": "set_toplevel_datetime",
        "nx_27017": "`$set` of a top-level datetime field stores it as a string "
        "('2026-01-02 03:04:05.123000'); range queries on the field no longer match it. "
        "insert_one/replace_one keep datetimes.",
        "instead": "Entities are written whole with replace_one (optimistic version check); "
        "datetimes are never written with $set.",
    },
    {
        "name": "set_dotted_nested_datetime",
        "nx_27017": "`$set` of a dotted path to a datetime ('nested.at') stores a string "
        "('2026-01-02 03:04:05').",
        "instead": "Whole-document replace_one.",
    },
    {
        "name": "find_one_and_update_set_datetime",
        "nx_27017": "find_one_and_update with `$set` of a datetime stores and returns a string.",
        "instead": "Claims/leases use integer epoch milliseconds (`lease_until`), not datetimes.",
    },
    {
        "name": "set_toplevel_bool",
        "nx_27017": "`$set` of a top-level or dotted boolean field (update_one and "
        "find_one_and_update) stores 1/0: it reads back as int. Bools inside a $set "
        "subdocument/list, and insert/replace/$setOnInsert, keep the type.",
        "instead": "Booleans are written with insert_one/replace_one (whole entity); no $set of a "
        "bool. (Queries {flag: True} still match the 1 on nx-27017, but the read type is wrong.)",
    },
    {
        "name": "bool_vs_int_equality",
        "nx_27017": "{f: True} also matches f=1, {f: 1} matches f=True, {f: 0} matches False.",
        "instead": "A field holds one type only; flags are always bools.",
    },
    {
        "name": "push_subdocument",
        "nx_27017": "`$push` of a subdocument onto an array turns every element of that array "
        '(old and new) into a JSON string (\'{"id":"e0","v":1}\').',
        "instead": "Arrays of subdocuments (e.g. an outbox) are changed by reading the entity, "
        "editing the list in Python and writing it back with replace_one.",
    },
    {
        "name": "pull_condition_after_push",
        "nx_27017": "`$pull` with a condition ({'outbox': {'id': {'$in': ['e1']}}}) on an array "
        "whose elements became JSON strings through `$push` removes every element, including "
        "those that do not match. On an array written by insert/replace it works.",
        "instead": "No $push/$pull on arrays of subdocuments; read-modify-replace_one.",
    },
    {
        "name": "exists_true",
        "nx_27017": "`{'a': {'$exists': True}}` does not match documents where a is null.",
        "instead": "No $exists; fields are always present (null when unset) and queried by value.",
    },
    {
        "name": "exists_false",
        "nx_27017": "`{'a': {'$exists': False}}` also matches documents where a is null.",
        "instead": "No $exists; fields are always present (null when unset) and queried by value.",
    },
    {
        "name": "objectid_equality_outside_id",
        "nx_27017": "Equality on an ObjectId value in a field other than _id finds nothing.",
        "instead": "Every id and reference is a string (UUIDv7 or slug); no ObjectId in documents.",
    },
    {
        "name": "range_over_array",
        "nx_27017": "A range ($gt/$lt) on an array field does not apply MongoDB's any-element "
        "semantics (measured: matches nothing here; an earlier measurement saw it match "
        "everything).",
        "instead": "Ranges only on scalar fields.",
    },
    {
        "name": "set_dotted_array_index",
        "nx_27017": "`$set` of 'tags.0' is acknowledged but leaves the array unchanged.",
        "instead": "No positional/index updates; read-modify-replace_one.",
    },
    {
        "name": "replace_one_upsert",
        "nx_27017": "replace_one(upsert=True) with a string _id filter inserts a document with "
        "a new ObjectId _id instead of the filter's _id.",
        "instead": "Entities are created with insert_one (string _id) and only then replaced.",
    },
    {
        "name": "dotted_projection",
        "nx_27017": "A projection on a dotted path ({'nested.x': 1}) returns a flat key "
        "'nested.x' instead of a nested document.",
        "instead": "Projections only name top-level fields (or none at all).",
    },
    {
        "name": "unique_index_missing_field",
        "nx_27017": "A unique index accepts two documents that both lack the indexed field "
        "(MongoDB indexes them as null and rejects the second).",
        "instead": "Fields under a unique index are always present and non-null.",
    },
    {
        "name": "count_null_equality",
        "nx_27017": "count_documents({'f': None}) counts only one of the null and missing "
        "documents (find returns both, as MongoDB does).",
        "instead": "Null-or-missing is asked with `$in: [..., None]`, which finds and counts "
        "right (checked: in_with_null_matches_missing).",
    },
    {
        "name": "or_null_equality",
        "nx_27017": "Inside `$or`, a plain {'f': None} matches a missing field but not an "
        "explicit null.",
        "instead": "No `$or` over null; `$in: [..., None]` instead.",
    },
    {
        "name": "subsecond_datetime_range",
        "nx_27017": "Datetime comparisons in queries are made at whole seconds (stored value and "
        "bound both truncated): $gt base misses base+500ms, $lt base+750ms misses it too, "
        "{at: base} matches base+500ms. Results are right when value and bound lie in different "
        "seconds; sort keeps millisecond order.",
        "instead": "Never rely on sub-second comparisons; order by counters, not clocks.",
    },
    {
        "name": "equality_on_indexed_list",
        "nx_27017": "Once a list field is indexed, find({tags: 'x'}) returns no documents "
        "(count_documents still counts them); without the index it matches.",
        "instead": "Match list fields with $all: [value] or $in, never plain equality.",
    },
]


# --------------------------------------------------------------------------------------
# comparison helpers


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def _typed(value: Any) -> str:
    return f"{_short(value)} ({type(value).__name__})"


def _utc_seconds(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _diff(got: Any, expected: Any, path: str = "$") -> list[str]:
    """Differences between ``got`` and ``expected``, including value *types*.

    Dicts must have the same keys (order ignored), lists the same length and order,
    scalars the same type and value (bool, int and float are distinct; bson.Int64 counts as
    int), datetimes must be tz-aware datetimes equal at whole seconds.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: got={_typed(got)} expected a dict"]
        out: list[str] = []
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing:
            out.append(f"{path}: missing keys {missing}")
        if extra:
            out.append(f"{path}: unexpected keys {extra}")
        for key, exp in expected.items():
            if key in got:
                out.extend(_diff(got[key], exp, f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(got, list):
            return [f"{path}: got={_typed(got)} expected a list"]
        if len(got) != len(expected):
            return [f"{path}: got={_short(got)} expected={_short(expected)} (length differs)"]
        out = []
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            out.extend(_diff(g, e, f"{path}[{i}]"))
        return out
    if isinstance(expected, datetime):
        if not isinstance(got, datetime):
            return [f"{path}: got={_typed(got)} expected a datetime {expected.isoformat()}"]
        if got.tzinfo is None:
            return [f"{path}: got naive datetime {got!r}, expected tz-aware (tz_aware=True)"]
        if _utc_seconds(got) != _utc_seconds(expected):
            return [f"{path}: got={got.isoformat()} expected={expected.isoformat()}"]
        return []
    if isinstance(expected, int) and not isinstance(expected, bool):
        # BSON int64 decodes to bson.Int64 (an int subclass) on every server: still an int.
        same_type = isinstance(got, int) and not isinstance(got, bool)
    else:
        same_type = type(got) is type(expected)
    if not same_type or got != expected:
        return [f"{path}: got={_typed(got)} expected={_typed(expected)}"]
    return []


class _Expect:
    """Collects got/expected mismatches of one check."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def same(self, label: str, got: Any, expected: Any) -> None:
        """Deep, type-sensitive comparison (see `_diff`)."""
        self.problems.extend(f"{label} {problem}" for problem in _diff(got, expected))

    def equal(self, label: str, got: Any, expected: Any) -> None:
        """Plain ``==`` comparison (for ids, counts, flags)."""
        if got != expected:
            self.problems.append(f"{label}: got={_short(got)} expected={_short(expected)}")

    def true(self, label: str, condition: bool, detail: str) -> None:
        if not condition:
            self.problems.append(f"{label}: {detail}")

    def result(self, ok_detail: str) -> tuple[bool, str]:
        if self.problems:
            return False, "; ".join(self.problems)
        return True, ok_detail


async def _ids(coll: Coll, flt: Doc, **kwargs: Any) -> list[Any]:
    return [d["_id"] async for d in coll.find(flt, {"_id": 1}, **kwargs)]


async def _sorted_ids(coll: Coll, flt: Doc) -> list[Any]:
    return sorted(await _ids(coll, flt))


def _base_time() -> datetime:
    """A fixed-offset UTC instant at whole seconds, close to 'now' (so no epoch edge cases)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


# --------------------------------------------------------------------------------------
# the self-checks (one assumption each)

_Check = Callable[[Coll], Awaitable[tuple[bool, str]]]


async def _check_roundtrip_types(coll: Coll) -> tuple[bool, str]:
    """1. insert_one + find_one by string _id round-trips the value types the code stores."""
    now = datetime.now(UTC)  # with microseconds: compared at whole seconds
    later = now + timedelta(hours=3, seconds=7)
    doc: Doc = {
        "_id": "rt-0190f0e2-7c1a-7000-8000-000000000001",
        "s": "Grüße ✓ — <b>&</b>",
        "s_empty": "",
        "i": 42,
        "i_neg": -7,
        "i_zero": 0,
        "i_ms": 1_767_312_245_123,  # epoch milliseconds (beyond int32)
        "b_true": True,
        "b_false": False,
        "f": 2.25,
        "f_neg": -0.5,
        "none": None,
        "ls": ["a", "b", "a"],
        "ls_empty": [],
        "nd": {"inner": {"k": "v", "n": 1}, "at": now, "flag": False, "tags": ["x"]},
        "ld": [
            {"id": "e1", "n": 1, "at": now, "meta": {"k": "v"}},
            {"id": "e2", "ok": True, "none": None},
        ],
        "at": now,
        "lat": [now, later],
    }
    await coll.insert_one(dict(doc))
    got = await coll.find_one({"_id": doc["_id"]})
    ex = _Expect()
    ex.same("find_one", got, doc)
    return ex.result(f"{len(doc) - 1} fields round-tripped with types")


async def _check_replace_versioned(coll: Coll) -> tuple[bool, str]:
    """2. replace_one({_id, version}) replaces on match, matches nothing when stale."""
    base = _base_time()
    v1: Doc = {"_id": "ent-1", "version": 1, "name": "first", "obsolete": "x", "at": base}
    await coll.insert_one(dict(v1))
    v2: Doc = {
        "_id": "ent-1",
        "version": 2,
        "name": "second",
        "at": base + timedelta(minutes=5),
        "nested": {"updated_at": base + timedelta(minutes=6), "by": "u1"},
        "outbox": [
            {"id": "e1", "seq": 1, "at": base, "payload": {"k": "v"}},
            {"id": "e2", "seq": 2, "at": base + timedelta(seconds=1), "payload": {}},
        ],
        "tags": ["a", "b"],
    }
    r_ok = await coll.replace_one({"_id": "ent-1", "version": 1}, dict(v2))
    stale: Doc = dict(v2, version=2, name="stale-writer")
    r_stale = await coll.replace_one({"_id": "ent-1", "version": 1}, stale)
    got = await coll.find_one({"_id": "ent-1"})
    v3: Doc = dict(v2, version=3, name="third")
    r_again = await coll.replace_one({"_id": "ent-1", "version": 2}, dict(v3))
    got3 = await coll.find_one({"_id": "ent-1"})
    ex = _Expect()
    ex.equal("replace v1->v2 matched_count", r_ok.matched_count, 1)
    ex.equal("stale replace (version 1) matched_count", r_stale.matched_count, 0)
    ex.same("document after v2 replace (stale write ignored)", got, v2)
    ex.equal("replace v2->v3 matched_count", r_again.matched_count, 1)
    ex.same("document after v3 replace", got3, v3)
    return ex.result("matched 1 / stale 0 / matched 1; datetimes and list of dicts kept")


async def _claim(coll: Coll, doc_id: str, now_ms: int, owner: str) -> Doc | None:
    return await coll.find_one_and_update(
        {"_id": doc_id, "lease_until": {"$lte": now_ms}},
        {"$set": {"lease_until": now_ms + 60_000, "owner": owner}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )


async def _check_claim_lease(coll: Coll) -> tuple[bool, str]:
    """3. find_one_and_update lease claim: once only, types kept, atomic under concurrency."""
    now_ms = int(time.time() * 1000)
    await coll.insert_one({"_id": "job-1", "lease_until": 0, "owner": None, "version": 1})
    first = await _claim(coll, "job-1", now_ms, "w1")
    second = await _claim(coll, "job-1", now_ms, "w2")
    expected_first: Doc = {
        "_id": "job-1",
        "lease_until": now_ms + 60_000,
        "owner": "w1",
        "version": 2,
    }
    # After the lease ran out the job can be claimed again.
    expired_ms = now_ms + 60_001
    third = await _claim(coll, "job-1", expired_ms, "w3")

    await coll.insert_one({"_id": "job-2", "lease_until": 0, "owner": None, "version": 1})
    owners = [f"w{i}" for i in range(10)]
    results = await asyncio.gather(*(_claim(coll, "job-2", now_ms, o) for o in owners))
    winners = [r for r in results if r is not None]
    final = await coll.find_one({"_id": "job-2"})

    ex = _Expect()
    ex.same("first claim (AFTER)", first, expected_first)
    ex.equal("second identical claim", second, None)
    ex.same(
        "claim after lease expiry",
        third,
        {"_id": "job-1", "lease_until": expired_ms + 60_000, "owner": "w3", "version": 3},
    )
    ex.equal("concurrent claims won (of 10)", len(winners), 1)
    if len(winners) == 1:
        ex.same(
            "stored doc after concurrent claim",
            final,
            {
                "_id": "job-2",
                "lease_until": now_ms + 60_000,
                "owner": winners[0]["owner"],
                "version": 2,
            },
        )
    return ex.result("claimed once, second claim None, re-claim after expiry, 1 of 10 won")


async def _check_unique_indexes(coll: Coll) -> tuple[bool, str]:
    """4. unique single-field and compound indexes and _id raise DuplicateKeyError."""
    await coll.create_index("email", unique=True)
    await coll.create_index([("org", ASCENDING), ("slug", ASCENDING)], unique=True)
    ex = _Expect()

    async def expect_dup(label: str, doc: Doc) -> None:
        try:
            await coll.insert_one(doc)
        except DuplicateKeyError:
            return
        except Exception as exc:
            ex.problems.append(
                f"{label}: got {type(exc).__name__}: {exc} expected DuplicateKeyError"
            )
            return
        ex.problems.append(f"{label}: got insert accepted expected DuplicateKeyError")

    await coll.insert_one({"_id": "u1", "email": "a@example.org", "org": "o1", "slug": "s1"})
    await coll.insert_one({"_id": "u2", "email": "b@example.org", "org": "o1", "slug": "s2"})
    await coll.insert_one({"_id": "u3", "email": "c@example.org", "org": "o2", "slug": "s1"})
    await expect_dup(
        "duplicate single-field value",
        {"_id": "u4", "email": "a@example.org", "org": "o3", "slug": "s9"},
    )
    await expect_dup(
        "duplicate compound value",
        {"_id": "u5", "email": "d@example.org", "org": "o1", "slug": "s1"},
    )
    await expect_dup(
        "duplicate _id",
        {"_id": "u1", "email": "e@example.org", "org": "o9", "slug": "s9"},
    )
    ex.equal("stored ids after rejected inserts", await _sorted_ids(coll, {}), ["u1", "u2", "u3"])
    return ex.result("3 distinct docs accepted; single, compound and _id duplicates rejected")


async def _next(coll: Coll, counter: str) -> Any:
    doc = await coll.find_one_and_update(
        {"_id": counter}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    return None if doc is None else doc.get("n")


async def _check_counter(coll: Coll) -> tuple[bool, str]:
    """5. upserting $inc counter yields 1, 2, 3… and distinct values under concurrency."""
    seq = [await _next(coll, "c") for _ in range(3)]
    concurrent = await asyncio.gather(*(_next(coll, "c-par") for _ in range(20)))
    stored = await coll.find_one({"_id": "c-par"})
    ex = _Expect()
    ex.same("sequential values", seq, [1, 2, 3])
    ints = sorted(v for v in concurrent if isinstance(v, int) and not isinstance(v, bool))
    ex.equal("20 concurrent values", ints, list(range(1, 21)))
    ex.equal("non-int concurrent values", [v for v in concurrent if v not in ints], [])
    ex.same("stored counter", stored, {"_id": "c-par", "n": 20})
    return ex.result("1,2,3 sequentially; 20 concurrent increments gave 1..20")


async def _check_equality_in_all(coll: Coll) -> tuple[bool, str]:
    """6. equality on scalars, $in on scalars and lists, $all — on indexed fields, as the
    services query them (plain equality on an indexed list is a known quirk, not relied on)."""
    await coll.create_index("tags")
    await coll.create_index("status")
    await coll.create_index([("status", 1), ("tags", 1)])
    await coll.insert_many(
        [
            {"_id": "a", "status": "active", "kind": "org", "tags": ["x", "y"]},
            {"_id": "b", "status": "inactive", "kind": "person", "tags": ["y"]},
            {"_id": "c", "status": "active", "kind": "org", "tags": []},
            {"_id": "d", "status": "active", "kind": "team", "tags": ["x", "z"]},
            {"_id": "e", "status": "Active", "kind": "organisation", "tags": ["xy"]},
        ]
    )
    cases: list[tuple[str, Doc, list[str]]] = [
        ("scalar equality", {"status": "active"}, ["a", "c", "d"]),
        ("one value of a list field", {"tags": {"$all": ["x"]}}, ["a", "d"]),
        ("equality combined", {"status": "active", "tags": {"$all": ["x"]}}, ["a", "d"]),
        ("$in on scalar", {"kind": {"$in": ["org", "team"]}}, ["a", "c", "d"]),
        ("$in on list", {"tags": {"$in": ["z", "y"]}}, ["a", "b", "d"]),
        ("$all two values", {"tags": {"$all": ["x", "y"]}}, ["a"]),
        ("$all one value", {"tags": {"$all": ["x"]}}, ["a", "d"]),
        ("$all with absent value", {"tags": {"$all": ["x", "q"]}}, []),
        ("$in on _id", {"_id": {"$in": ["b", "e", "zz"]}}, ["b", "e"]),
    ]
    ex = _Expect()
    for label, flt, expected in cases:
        ex.equal(f"{label} {flt}", await _sorted_ids(coll, flt), expected)
    return ex.result(f"{len(cases)} queries matched the expected ids")


async def _check_ranges_sort(coll: Coll) -> tuple[bool, str]:
    """7. $gte/$lt on datetimes (insert/replace) and ints, with equality; sort/skip/limit."""
    base = _base_time()
    names = ["delta", "alpha", "foxtrot", "bravo", "echo", "charlie"]
    for i, name in enumerate(names):
        doc: Doc = {
            "_id": f"r{i}",
            "at": base + timedelta(hours=i),
            # as written by datetime.now(): sub-second part (stored at ms precision)
            "seen": base + timedelta(hours=i, microseconds=437_123),
            "n": i * 10,
            "name": name,
            "group": "g1" if i % 2 == 0 else "g2",
            "version": 1,
        }
        if i % 2 == 0:
            await coll.insert_one(doc)
        else:  # written through the versioned replace path
            await coll.insert_one(dict(doc, at=base - timedelta(days=30), n=-1))
            await coll.replace_one({"_id": doc["_id"], "version": 1}, dict(doc, version=2))
    h = [base + timedelta(hours=i) for i in range(len(names))]
    ex = _Expect()
    cases: list[tuple[str, Doc, list[str]]] = [
        ("datetime $gte/$lt", {"at": {"$gte": h[1], "$lt": h[4]}}, ["r1", "r2", "r3"]),
        ("datetime $gt/$lte", {"at": {"$gt": h[1], "$lte": h[4]}}, ["r2", "r3", "r4"]),
        ("datetime $lt", {"at": {"$lt": h[1]}}, ["r0"]),
        ("datetime $gte from +02:00 bound", {"at": {"$gte": h[5].astimezone(_CEST)}}, ["r5"]),
        (
            "sub-second datetimes vs bounds in other seconds",
            {"seen": {"$gte": h[2] - timedelta(milliseconds=200), "$lt": h[4] - _HALF_S}},
            ["r2", "r3"],
        ),
        ("int $gte/$lt", {"n": {"$gte": 20, "$lt": 50}}, ["r2", "r3", "r4"]),
        ("int $gt/$lte", {"n": {"$gt": 0, "$lte": 10}}, ["r1"]),
        ("equality + datetime range", {"group": "g1", "at": {"$gte": h[1]}}, ["r2", "r4"]),
        ("equality + int range", {"group": "g2", "n": {"$lt": 40}}, ["r1", "r3"]),
    ]
    for label, flt, expected in cases:
        ex.equal(label, await _sorted_ids(coll, flt), expected)

    ex.equal(
        "sort at asc", await _ids(coll, {}, sort=[("at", ASCENDING)]), [f"r{i}" for i in range(6)]
    )
    ex.equal(
        "sort at desc skip 1 limit 3",
        await _ids(coll, {}, sort=[("at", DESCENDING)], skip=1, limit=3),
        ["r4", "r3", "r2"],
    )
    by_name = [f"r{names.index(n)}" for n in sorted(names)]
    ex.equal("sort name asc", await _ids(coll, {}, sort=[("name", ASCENDING)]), by_name)
    ex.equal(
        "sort name desc skip 2 limit 2",
        await _ids(coll, {}, sort=[("name", DESCENDING)], skip=2, limit=2),
        list(reversed(by_name))[2:4],
    )
    ex.equal(
        "range + sort + limit",
        await _ids(coll, {"at": {"$gte": h[1]}, "group": "g2"}, sort=[("at", DESCENDING)], limit=2),
        ["r5", "r3"],
    )
    cursor_ids = [
        d["_id"]
        async for d in coll.find({"n": {"$gte": 0}}).sort("name", ASCENDING).skip(1).limit(2)
    ]
    ex.equal("cursor .sort().skip().limit()", cursor_ids, by_name[1:3])
    ex.equal(
        "sort sub-second datetimes desc",
        await _ids(coll, {}, sort=[("seen", DESCENDING)]),
        [f"r{i}" for i in reversed(range(6))],
    )
    return ex.result("datetime/int ranges, equality combos, sorts with skip/limit as expected")


async def _check_update_set_scalars(coll: Coll) -> tuple[bool, str]:
    """8. update_one $set of str/int/float/None/list-of-strings by _id keeps types.

    Booleans are NOT part of this assumption: nx-27017 stores a top-level `$set` bool as
    1/0 (probe ``set_toplevel_bool`` in `KNOWN_QUIRKS`), so the code must not `$set` bools.
    """
    base = _base_time()
    await coll.insert_one(
        {"_id": "s1", "name": "old", "count": 1, "active": True, "tags": ["a"], "at": base}
    )
    res = await coll.update_one(
        {"_id": "s1"},
        {
            "$set": {
                "name": "new",
                "count": 7,
                "big": 1_767_312_245_123,
                "tags": ["b", "c"],
                "empty_tags": [],
                "note": None,
                "ratio": 0.75,
            }
        },
    )
    missing = await coll.update_one({"_id": "no-such-id"}, {"$set": {"name": "x"}})
    got = await coll.find_one({"_id": "s1"})
    ex = _Expect()
    ex.equal("matched_count", res.matched_count, 1)
    ex.equal("matched_count for unknown _id", missing.matched_count, 0)
    ex.same(
        "document after $set",
        got,
        {
            "_id": "s1",
            "name": "new",
            "count": 7,
            "big": 1_767_312_245_123,
            "tags": ["b", "c"],
            "empty_tags": [],
            "note": None,
            "ratio": 0.75,
            "active": True,  # untouched fields keep their types
            "at": base,
        },
    )
    return ex.result("str/int/float/None/list-of-strings kept their types")


async def _check_deletes(coll: Coll) -> tuple[bool, str]:
    """9. delete_one/delete_many by _id and by $in on _id."""
    await coll.insert_many([{"_id": f"d{i}", "n": i} for i in range(6)])
    r1 = await coll.delete_one({"_id": "d0"})
    r2 = await coll.delete_many({"_id": {"$in": ["d1", "d2", "nope"]}})
    r3 = await coll.delete_one({"_id": {"$in": ["d3", "d4"]}})
    r4 = await coll.delete_many({"_id": "d5"})
    r5 = await coll.delete_one({"_id": "d0"})
    ex = _Expect()
    ex.equal("delete_one by _id deleted_count", r1.deleted_count, 1)
    ex.equal("delete_many by $in deleted_count", r2.deleted_count, 2)
    ex.equal("delete_one by $in deleted_count", r3.deleted_count, 1)
    ex.equal("delete_many by _id deleted_count", r4.deleted_count, 1)
    ex.equal("delete_one of deleted _id deleted_count", r5.deleted_count, 0)
    remaining = await _sorted_ids(coll, {})
    ex.true(
        "remaining ids",
        remaining in (["d3"], ["d4"]),
        f"got={remaining} expected exactly one of d3/d4",
    )
    return ex.result("deleted 1/2/1/1/0 as expected")


async def _check_count(coll: Coll) -> tuple[bool, str]:
    """10. count_documents on a small equality filter."""
    await coll.create_index("org")
    await coll.insert_many(
        [{"_id": f"m{i}", "org": "o1" if i < 3 else "o2", "active": i % 2 == 0} for i in range(5)]
    )
    ex = _Expect()
    ex.equal("count org=o1", await coll.count_documents({"org": "o1"}), 3)
    ex.equal("count org=o2 active", await coll.count_documents({"org": "o2", "active": True}), 1)
    ex.equal("count org=none", await coll.count_documents({"org": "none"}), 0)
    ex.equal("count _id", await coll.count_documents({"_id": "m4"}), 1)
    return ex.result("counts 3/1/0/1")


async def _check_create_index_idempotent(coll: Coll) -> tuple[bool, str]:
    """11. create_index twice with the same spec does not raise (index stays in force)."""
    specs: list[tuple[Any, dict[str, Any]]] = [
        ("slug", {"unique": True}),
        ([("org", ASCENDING), ("at", DESCENDING)], {}),
        ([("org", ASCENDING), ("name", ASCENDING)], {"unique": True}),
        ("lease_until", {}),
    ]
    for keys, opts in specs:
        await coll.create_index(keys, **opts)
    for keys, opts in specs:
        await coll.create_index(keys, **opts)  # must not raise
    await coll.insert_one({"_id": "x1", "slug": "same", "org": "o", "name": "n1"})
    ex = _Expect()
    try:
        await coll.insert_one({"_id": "x2", "slug": "same", "org": "o", "name": "n2"})
        ex.problems.append("unique index after 2nd create_index: duplicate accepted")
    except DuplicateKeyError:
        pass
    return ex.result(f"{len(specs)} index specs created twice; unique still enforced")


async def _check_booleans(coll: Coll) -> tuple[bool, str]:
    """12. {flag: True} does not match False (nor missing/None), and vice versa."""
    await coll.insert_many(
        [
            {"_id": "t1", "flag": True},
            {"_id": "f1", "flag": False},
            {"_id": "t2", "flag": True},
            {"_id": "n1", "flag": None},
            {"_id": "m1"},
        ]
    )
    ex = _Expect()
    ex.equal("flag True", await _sorted_ids(coll, {"flag": True}), ["t1", "t2"])
    ex.equal("flag False", await _sorted_ids(coll, {"flag": False}), ["f1"])
    ex.equal("count flag True", await coll.count_documents({"flag": True}), 2)
    return ex.result("True matched t1,t2; False matched f1")


async def _check_in_with_null(coll: Coll) -> tuple[bool, str]:
    """13. `$in` holding None matches null and missing fields (find and count), also beside
    a string `$in`, an integer range and a sort over a compound index (the notifier's
    retention pass finds deliveries written before a field existed this way)."""
    await coll.create_index([("r", ASCENDING), ("at", ASCENDING)])
    await coll.insert_many(
        [
            {"_id": "zero", "r": 0, "at": 3, "s": "sent"},
            {"_id": "null", "r": None, "at": 2, "s": "failed"},
            {"_id": "missing", "at": 1, "s": "sent"},
            {"_id": "done", "r": 5, "at": 0, "s": "sent"},
            {"_id": "pending", "r": 0, "at": 0, "s": "pending"},
            {"_id": "late", "r": 0, "at": 9, "s": "sent"},
        ]
    )
    flt: Doc = {"r": {"$in": [0, None]}, "at": {"$lt": 5}, "s": {"$in": ["sent", "failed"]}}
    ex = _Expect()
    ex.equal("find", await _ids(coll, flt, sort=[("at", ASCENDING)]), ["missing", "null", "zero"])
    ex.equal("count", await coll.count_documents(flt), 3)
    ex.equal("count r in [None]", await coll.count_documents({"r": {"$in": [None]}}), 2)
    return ex.result("$in [0, None] matched zero, null and missing; counted 3 and 2")


async def _check_revision_guarded_replace(coll: Coll) -> tuple[bool, str]:
    """14. replace_one({_id, revision: {$lt: n}}) replaces only an older revision; of many
    concurrent guarded replaces of one document the highest revision stays
    (`shared.projection.apply_revision`)."""
    base = _base_time()
    await coll.insert_one({"_id": "proj-1", "revision": 3, "name": "three", "at": base})
    older = await coll.replace_one(
        {"_id": "proj-1", "revision": {"$lt": 2}}, {"revision": 2, "name": "two", "at": base}
    )
    same = await coll.replace_one(
        {"_id": "proj-1", "revision": {"$lt": 3}}, {"revision": 3, "name": "again", "at": base}
    )
    newer: Doc = {"revision": 4, "name": "four", "at": base, "flag": True}
    taken = await coll.replace_one({"_id": "proj-1", "revision": {"$lt": 4}}, dict(newer))
    got = await coll.find_one({"_id": "proj-1"})

    await coll.insert_one({"_id": "proj-2", "revision": 0})
    revisions = [7, 2, 9, 1, 5, 8, 3, 6, 4]
    await asyncio.gather(
        *(
            coll.replace_one({"_id": "proj-2", "revision": {"$lt": r}}, {"revision": r})
            for r in revisions
        )
    )
    final = await coll.find_one({"_id": "proj-2"})
    ex = _Expect()
    ex.equal("older revision matched_count", older.matched_count, 0)
    ex.equal("same revision matched_count", same.matched_count, 0)
    ex.equal("newer revision matched_count", taken.matched_count, 1)
    ex.same("document after the newer revision", got, {"_id": "proj-1", **newer})
    ex.same("highest of concurrent guarded replaces", final, {"_id": "proj-2", "revision": 9})
    return ex.result("older and equal revisions refused, newer taken, highest of 9 concurrent")


async def _check_lease_token(coll: Coll) -> tuple[bool, str]:
    """15. A lease is renewed and released only by the holder of its claim: find_one_and_update
    and replace_one filtered by `_id` plus the claim's string token (outbox relay)."""
    now_ms = 1_767_312_245_000
    await coll.insert_one({"_id": "l1", "lease_until": 0, "owner": None, "version": 1})
    await _claim(coll, "l1", now_ms, "t1")
    renewed = await coll.find_one_and_update(
        {"_id": "l1", "owner": "t1"},
        {"$set": {"lease_until": now_ms + 90_000}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    foreign = await coll.find_one_and_update(
        {"_id": "l1", "owner": "t2"},
        {"$set": {"lease_until": now_ms + 1}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    taken = await _claim(coll, "l1", now_ms + 90_001, "t2")
    stale = await coll.replace_one(
        {"_id": "l1", "version": 4, "owner": "t1"}, {"lease_until": 0, "version": 5}
    )
    released = await coll.replace_one(
        {"_id": "l1", "version": 4, "owner": "t2"}, {"lease_until": 0, "version": 5}
    )
    ex = _Expect()
    ex.same(
        "renewal by the holder (AFTER)",
        renewed,
        {"_id": "l1", "lease_until": now_ms + 90_000, "owner": "t1", "version": 3},
    )
    ex.equal("renewal by another token", foreign, None)
    ex.equal(
        "claim after the renewed lease ran out", None if taken is None else taken["owner"], "t2"
    )
    ex.equal("release by the former holder matched_count", stale.matched_count, 0)
    ex.equal("release by the holder matched_count", released.matched_count, 1)
    ex.same(
        "after release",
        await coll.find_one({"_id": "l1"}),
        {"_id": "l1", "lease_until": 0, "version": 5},
    )
    return ex.result("renewed by its holder only; the former holder's release matched nothing")


async def _check_attempts_and_expiry(coll: Coll) -> tuple[bool, str]:
    """16. The inbox: `$inc` of an attempt counter by `_id` (AFTER, distinct under concurrency),
    `$set` of a state string and an epoch-ms integer, and the sweep: an integer range on an
    indexed field, then delete_many by `$in` on `_id`."""
    await coll.create_index("done_ms")
    await coll.insert_many(
        [
            {"_id": "a", "state": "processing", "attempts": 1, "done_ms": 0},
            {"_id": "old", "state": "processing", "attempts": 1, "done_ms": 0},
            {"_id": "new", "state": "processing", "attempts": 1, "done_ms": 0},
        ]
    )
    counted = await asyncio.gather(
        *(
            coll.find_one_and_update(
                {"_id": "a"}, {"$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER
            )
            for _ in range(5)
        )
    )
    await coll.update_one({"_id": "old"}, {"$set": {"state": "done", "done_ms": 1_767_312_245_000}})
    await coll.update_one({"_id": "new"}, {"$set": {"state": "done", "done_ms": 1_767_312_245_002}})
    expired = await _ids(coll, {"done_ms": {"$gt": 0, "$lt": 1_767_312_245_001}})
    deleted = await coll.delete_many({"_id": {"$in": expired}})
    ex = _Expect()
    ex.equal(
        "concurrent attempt counts",
        sorted(d["attempts"] if d else None for d in counted),
        [2, 3, 4, 5, 6],
    )
    ex.equal("expired ids", expired, ["old"])
    ex.equal("deleted_count", deleted.deleted_count, 1)
    ex.same(
        "kept entry",
        await coll.find_one({"_id": "new"}),
        {"_id": "new", "state": "done", "attempts": 1, "done_ms": 1_767_312_245_002},
    )
    ex.equal("left", await _sorted_ids(coll, {}), ["a", "new"])
    return ex.result("attempts 2..6 under concurrency; the integer range swept exactly one")


_CHECKS: Final[list[tuple[str, _Check]]] = [
    ("roundtrip_types", _check_roundtrip_types),
    ("replace_one_versioned", _check_replace_versioned),
    ("find_one_and_update_claim", _check_claim_lease),
    ("unique_indexes_duplicate_key", _check_unique_indexes),
    ("counter_upsert_inc", _check_counter),
    ("equality_in_all", _check_equality_in_all),
    ("ranges_and_sort", _check_ranges_sort),
    ("update_one_set_scalars", _check_update_set_scalars),
    ("deletes_by_id", _check_deletes),
    ("count_documents", _check_count),
    ("create_index_idempotent", _check_create_index_idempotent),
    ("boolean_equality", _check_booleans),
    ("in_with_null_matches_missing", _check_in_with_null),
    ("replace_one_revision_guarded", _check_revision_guarded_replace),
    ("lease_renewed_and_released_by_token", _check_lease_token),
    ("inbox_attempts_and_expiry", _check_attempts_and_expiry),
]


# --------------------------------------------------------------------------------------
# quirk probes (informational)


async def _probe_set_toplevel_datetime(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    t = base.replace(microsecond=123000)
    await coll.insert_one({"_id": "q", "at": base})
    await coll.update_one({"_id": "q"}, {"$set": {"at": t}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("at")
    n = await coll.count_documents({"_id": "q", "at": {"$gte": base - timedelta(seconds=1)}})
    ok = isinstance(got, datetime) and n == 1
    return ok, f"got at={_typed(got)}, range count={n}; expected datetime, range count=1"


async def _probe_set_dotted_nested_datetime(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    await coll.insert_one({"_id": "q", "nested": {"at": base, "x": 1}})
    await coll.update_one({"_id": "q"}, {"$set": {"nested.at": base + timedelta(seconds=1)}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("nested")
    problems = _diff(got, {"at": base + timedelta(seconds=1), "x": 1})
    return not problems, f"got nested={_short(got)}" + (f"; {problems}" if problems else "")


async def _probe_fou_set_datetime(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    await coll.insert_one({"_id": "q", "at": base})
    ret = await coll.find_one_and_update(
        {"_id": "q"}, {"$set": {"at": base}}, return_document=ReturnDocument.AFTER
    )
    stored = (await coll.find_one({"_id": "q"}) or {}).get("at")
    returned = (ret or {}).get("at")
    ok = isinstance(returned, datetime) and isinstance(stored, datetime)
    return ok, f"returned at={_typed(returned)}, stored at={_typed(stored)}; expected datetimes"


async def _probe_set_toplevel_bool(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "a": False, "b": True, "n": {"c": False}})
    await coll.update_one({"_id": "q"}, {"$set": {"a": True, "b": False, "n.c": True}})
    got = await coll.find_one({"_id": "q"})
    ret = await coll.find_one_and_update(
        {"_id": "q"}, {"$set": {"d": True}}, return_document=ReturnDocument.AFTER
    )
    problems = _diff(got, {"_id": "q", "a": True, "b": False, "n": {"c": True}})
    problems += _diff((ret or {}).get("d"), True)
    return not problems, (
        f"update_one $set a=True,b=False,n.c=True: got={_short(got)}; "
        f"find_one_and_update $set d=True returned d={_typed((ret or {}).get('d'))}"
        + (f"; {problems}" if problems else "")
    )


async def _probe_push_subdocument(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "outbox": [{"id": "e0", "v": 1}]})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e1", "v": 2}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    expected = [{"id": "e0", "v": 1}, {"id": "e1", "v": 2}]
    return got == expected, f"got outbox={_short(got)} expected={_short(expected)}"


async def _probe_pull_condition_after_push(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "outbox": [{"id": "e0"}]})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e1"}}})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e2"}}})
    before = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    await coll.update_one({"_id": "q"}, {"$pull": {"outbox": {"id": {"$in": ["e1"]}}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    expected = [{"id": "e0"}, {"id": "e2"}]
    return got == expected, (
        f"array after 2x $push={_short(before)}; after $pull id $in [e1]: got={_short(got)} "
        f"expected={_short(expected)}"
    )


async def _probe_pull_condition_inserted(coll: Coll) -> tuple[bool, str]:
    outbox = [{"id": "e1", "seq": 1}, {"id": "e2", "seq": 2}, {"id": "e3", "seq": 3}]
    await coll.insert_one({"_id": "q", "outbox": outbox})
    await coll.update_one({"_id": "q"}, {"$pull": {"outbox": {"id": {"$in": ["e1"]}}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    await coll.insert_one({"_id": "q2", "outbox": outbox})
    await coll.update_one({"_id": "q2"}, {"$pull": {"outbox": {"id": "e1", "seq": 2}}})
    got2 = (await coll.find_one({"_id": "q2"}) or {}).get("outbox")
    ok = got == outbox[1:] and got2 == outbox
    return ok, (
        f"$pull id $in [e1]: got={_short(got)} expected={_short(outbox[1:])}; "
        f"$pull {{id: e1, seq: 2}} (no element matches both): got={_short(got2)} expected unchanged"
    )


async def _exists_docs(coll: Coll) -> None:
    await coll.insert_many(
        [{"_id": "null", "a": None}, {"_id": "missing"}, {"_id": "one", "a": 1}, {"_id": "b"}]
    )


async def _probe_exists_true(coll: Coll) -> tuple[bool, str]:
    await _exists_docs(coll)
    got = await _sorted_ids(coll, {"a": {"$exists": True}})
    expected = ["null", "one"]
    return got == expected, f"docs a=null, a missing x2, a=1: got={got} expected={expected}"


async def _probe_exists_false(coll: Coll) -> tuple[bool, str]:
    await _exists_docs(coll)
    got = await _sorted_ids(coll, {"a": {"$exists": False}})
    expected = ["b", "missing"]
    return got == expected, f"docs a=null, a missing x2, a=1: got={got} expected={expected}"


async def _probe_objectid_equality(coll: Coll) -> tuple[bool, str]:
    oid = ObjectId()
    await coll.insert_many([{"_id": "q1", "ref": oid}, {"_id": "q2", "ref": ObjectId()}])
    got = await _sorted_ids(coll, {"ref": oid})
    count = await coll.count_documents({"ref": oid})
    stored = (await coll.find_one({"_id": "q1"}) or {}).get("ref")
    ok = got == ["q1"] and count == 1
    return (
        ok,
        f"find got={got} expected=['q1']; count got={count} expected=1; stored {_typed(stored)}",
    )


async def _probe_range_over_array(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "v": [1, 10]}, {"_id": "q2", "v": [5]}, {"_id": "q3", "v": [20]}]
    )
    got = await _sorted_ids(coll, {"v": {"$gt": 3, "$lt": 8}})
    expected = ["q1", "q2"]  # any element may satisfy each bound (no $elemMatch)
    return got == expected, f"v $gt 3 $lt 8 over [1,10],[5],[20]: got={got} expected={expected}"


async def _probe_set_dotted_array_index(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "tags": ["x", "y"]})
    res = await coll.update_one({"_id": "q"}, {"$set": {"tags.0": "X"}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("tags")
    return got == ["X", "y"], (
        f"$set tags.0: matched={res.matched_count} modified={res.modified_count} "
        f"got={got} expected=['X', 'y']"
    )


async def _probe_replace_one_upsert(coll: Coll) -> tuple[bool, str]:
    res = await coll.replace_one({"_id": "rep"}, {"v": 1}, upsert=True)
    got = await coll.find_one({"_id": "rep"})
    everything = [d async for d in coll.find({})]
    ok = res.upserted_id == "rep" and got == {"_id": "rep", "v": 1}
    return ok, (
        f"upserted_id={_typed(res.upserted_id)} find_one(_id=rep)={_short(got)} "
        f"all={_short(everything)}; expected upserted_id='rep', doc {{'_id': 'rep', 'v': 1}}"
    )


async def _probe_dotted_projection(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "nested": {"x": 1, "y": 2}, "z": 3})
    got = await coll.find_one({"_id": "q"}, {"nested.x": 1, "_id": 0})
    expected = {"nested": {"x": 1}}
    return got == expected, f"got={_short(got)} expected={expected}"


async def _probe_unique_missing_field(coll: Coll) -> tuple[bool, str]:
    await coll.create_index("email", unique=True)
    await coll.insert_one({"_id": "q1"})
    try:
        await coll.insert_one({"_id": "q2"})
    except DuplicateKeyError:
        return True, "second doc without the field rejected with DuplicateKeyError"
    return False, "got second doc without the field accepted; expected DuplicateKeyError"


async def _probe_equality_on_indexed_list(coll: Coll) -> tuple[bool, str]:
    await coll.create_index("tags")
    await coll.insert_many([{"_id": "q1", "tags": ["x", "y"]}, {"_id": "q2", "tags": ["y"]}])
    found = await _sorted_ids(coll, {"tags": "x"})
    counted = await coll.count_documents({"tags": "x"})
    ok = found == ["q1"] and counted == 1
    return ok, f"find {found} (expected ['q1']), count_documents {counted}"


async def _probe_subsecond_range(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    ms = timedelta(milliseconds=1)
    await coll.insert_one({"_id": "ms", "at": base + 500 * ms})
    cases: list[tuple[str, Doc, list[str]]] = [
        (
            "range (base+250ms, base+750ms)",
            {"at": {"$gt": base + 250 * ms, "$lt": base + 750 * ms}},
            ["ms"],
        ),
        ("$gt base", {"at": {"$gt": base}}, ["ms"]),
        ("$gt base+600ms", {"at": {"$gt": base + 600 * ms}}, []),
        ("$lt base+750ms", {"at": {"$lt": base + 750 * ms}}, ["ms"]),
        ("equality base", {"at": base}, []),
    ]
    parts: list[str] = []
    ok = True
    for label, flt, expected in cases:
        got = await _ids(coll, flt)
        ok = ok and got == expected
        parts.append(f"{label} got={got} expected={expected}")
    return ok, "at=base+500ms: " + "; ".join(parts)


# ---- neighbouring features (not in KNOWN_QUIRKS unless they fail)


async def _probe_addtoset_strings(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "tags": ["a"]})
    await coll.update_one({"_id": "q"}, {"$addToSet": {"tags": "b"}})
    await coll.update_one({"_id": "q"}, {"$addToSet": {"tags": "a"}})
    await coll.update_one({"_id": "q"}, {"$addToSet": {"tags": {"$each": ["c", "b"]}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("tags")
    expected = ["a", "b", "c"]
    return got == expected, f"got={got} expected={expected}"


async def _probe_push_pull_strings(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "tags": ["a", "b"]})
    await coll.update_one({"_id": "q"}, {"$push": {"tags": "c"}})
    await coll.update_one({"_id": "q"}, {"$push": {"tags": {"$each": ["d", "a"]}}})
    pushed = (await coll.find_one({"_id": "q"}) or {}).get("tags")
    await coll.update_one({"_id": "q"}, {"$pull": {"tags": "a"}})
    await coll.update_one({"_id": "q"}, {"$pull": {"tags": {"$in": ["c"]}}})
    pulled = (await coll.find_one({"_id": "q"}) or {}).get("tags")
    ok = pushed == ["a", "b", "c", "d", "a"] and pulled == ["b", "d"]
    return ok, (
        f"after $push: got={pushed} expected=['a', 'b', 'c', 'd', 'a']; "
        f"after $pull a and $in [c]: got={pulled} expected=['b', 'd']"
    )


async def _probe_set_nested_dict_datetime(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    await coll.insert_one({"_id": "q"})
    value: Doc = {
        "nested": {"at": base, "inner": {"at": base}},
        "lat": [base],
        "ld": [{"id": "e1", "at": base}],
    }
    await coll.update_one({"_id": "q"}, {"$set": value})
    got = await coll.find_one({"_id": "q"}, {"_id": 0})
    problems = _diff(got, value)
    return not problems, (
        "$set of a nested dict / list of datetimes / list of dicts with datetimes: "
        + ("types kept" if not problems else "; ".join(problems))
    )


async def _probe_projection(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "a": 1, "b": "x", "c": [1], "d": {"e": 1}})
    inc = await coll.find_one({"_id": "q"}, {"a": 1, "b": 1})
    exc = await coll.find_one({"_id": "q"}, {"c": 0, "d": 0})
    no_id = await coll.find_one({"_id": "q"}, {"a": 1, "_id": 0})
    ok = (
        inc == {"_id": "q", "a": 1, "b": "x"}
        and exc == {"_id": "q", "a": 1, "b": "x"}
        and no_id == {"a": 1}
    )
    return ok, f"inclusion got={inc}; exclusion got={exc}; inclusion without _id got={no_id}"


async def _probe_update_many_in_id(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many([{"_id": f"q{i}", "x": 1} for i in range(3)])
    res = await coll.update_many({"_id": {"$in": ["q0", "q2", "zz"]}}, {"$set": {"x": 2}})
    got = {d["_id"]: d["x"] async for d in coll.find({})}
    expected = {"q0": 2, "q1": 1, "q2": 2}
    ok = res.matched_count == 2 and res.modified_count == 2 and got == expected
    return ok, (
        f"matched={res.matched_count} modified={res.modified_count} got={got}; "
        f"expected matched=2 modified=2 {expected}"
    )


async def _probe_setoninsert_upsert(coll: Coll) -> tuple[bool, str]:
    base = _base_time()
    r1 = await coll.update_one(
        {"_id": "q"}, {"$setOnInsert": {"created": base, "a": 1}, "$set": {"b": 1}}, upsert=True
    )
    doc1 = await coll.find_one({"_id": "q"})
    r2 = await coll.update_one(
        {"_id": "q"}, {"$setOnInsert": {"created": base, "a": 9}, "$set": {"b": 2}}, upsert=True
    )
    doc2 = await coll.find_one({"_id": "q"})
    problems = _diff(doc1, {"_id": "q", "created": base, "a": 1, "b": 1})
    problems += _diff(doc2, {"_id": "q", "created": base, "a": 1, "b": 2})
    ok = r1.upserted_id == "q" and r2.upserted_id is None and not problems
    return ok, (
        f"1st upserted_id={r1.upserted_id!r} doc={_short(doc1)}; "
        f"2nd upserted_id={r2.upserted_id!r} doc={_short(doc2)}"
        + (f"; {problems}" if problems else "")
    )


async def _probe_sort_missing_field(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "k": "b"}, {"_id": "q2"}, {"_id": "q3", "k": "a"}, {"_id": "q4", "k": None}]
    )
    asc = await _ids(coll, {}, sort=[("k", ASCENDING), ("_id", ASCENDING)])
    desc = await _ids(coll, {}, sort=[("k", DESCENDING), ("_id", ASCENDING)])
    # missing and null sort together, before strings
    ok = asc == ["q2", "q4", "q3", "q1"] and desc == ["q1", "q3", "q2", "q4"]
    return ok, (
        f"asc got={asc} expected=['q2', 'q4', 'q3', 'q1']; "
        f"desc got={desc} expected=['q1', 'q3', 'q2', 'q4']"
    )


async def _probe_unset_inc_missing(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "a": 1, "b": 2})
    await coll.update_one({"_id": "q"}, {"$unset": {"b": ""}, "$inc": {"n": 3}})
    got = await coll.find_one({"_id": "q"})
    problems = _diff(got, {"_id": "q", "a": 1, "n": 3})
    return not problems, f"$unset b + $inc missing n: got={_short(got)}" + (
        f"; {problems}" if problems else ""
    )


async def _probe_elemmatch_simple(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [
            {"_id": "q1", "items": [{"k": "a", "v": 1}, {"k": "b", "v": 2}]},
            {"_id": "q2", "items": [{"k": "a", "v": 2}]},
        ]
    )
    both = await _sorted_ids(coll, {"items": {"$elemMatch": {"k": "a", "v": 1}}})
    cross = await _sorted_ids(coll, {"items": {"$elemMatch": {"k": "b", "v": 1}}})
    dotted = await _sorted_ids(coll, {"items.k": "b"})
    ok = both == ["q1"] and cross == [] and dotted == ["q1"]
    return ok, (
        f"$elemMatch k=a,v=1 got={both} expected=['q1']; k=b,v=1 got={cross} expected=[]; "
        f"items.k=b got={dotted} expected=['q1']"
    )


async def _probe_ne_nin_scalar(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "s": "a"}, {"_id": "q2", "s": "b"}, {"_id": "q3"}, {"_id": "q4", "s": None}]
    )
    ne = await _sorted_ids(coll, {"s": {"$ne": "a"}})
    nin = await _sorted_ids(coll, {"s": {"$nin": ["a", "b"]}})
    ok = ne == ["q2", "q3", "q4"] and nin == ["q3", "q4"]
    return ok, (
        f"$ne a got={ne} expected=['q2', 'q3', 'q4']; $nin [a,b] got={nin} expected=['q3', 'q4']"
    )


async def _probe_null_matches_missing(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many([{"_id": "q1", "a": None}, {"_id": "q2"}, {"_id": "q3", "a": 0}])
    got = await _sorted_ids(coll, {"a": None})
    return got == ["q1", "q2"], f"a=None got={got} expected=['q1', 'q2'] (null or missing)"


async def _probe_bool_vs_int(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [
            {"_id": "t", "f": True},
            {"_id": "one", "f": 1},
            {"_id": "fa", "f": False},
            {"_id": "zero", "f": 0},
        ]
    )
    t = await _sorted_ids(coll, {"f": True})
    one = await _sorted_ids(coll, {"f": 1})
    zero = await _sorted_ids(coll, {"f": 0})
    ok = t == ["t"] and one == ["one"] and zero == ["zero"]
    return ok, (
        f"f=True got={t} expected=['t']; f=1 got={one} expected=['one']; "
        f"f=0 got={zero} expected=['zero']"
    )


async def _probe_lookalike_strings(coll: Coll) -> tuple[bool, str]:
    doc: Doc = {
        "_id": "q",
        "json_obj": '{"a": 1}',
        "json_list": '["x"]',
        "date_like": "2026-01-02 03:04:05",
        "iso_like": "2026-01-02T03:04:05+00:00",
        "num_like": "42",
        "bool_like": "true",
        "null_like": "null",
        "oid_like": "6b025c7dbc4fc56439a9e930",
        "ls": ['{"id":"e1"}', "2026-01-02"],
        "empty_dict": {},
        "nested_empty": {"x": {}, "l": [{}]},
    }
    await coll.insert_one(dict(doc))
    got = await coll.find_one({"_id": "q"})
    eq = await _sorted_ids(coll, {"json_obj": '{"a": 1}', "date_like": "2026-01-02 03:04:05"})
    problems = _diff(got, doc)
    if eq != ["q"]:
        problems.append(f"equality on look-alike strings got={eq} expected=['q']")
    return not problems, (
        "JSON-/date-/number-like strings and empty dicts round-trip and match"
        if not problems
        else "; ".join(problems)
    )


async def _probe_or_query(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "s": "a"}, {"_id": "q2", "s": "b", "t": ["x"]}, {"_id": "q3", "s": "c"}]
    )
    got = await _sorted_ids(coll, {"$or": [{"s": "a"}, {"t": "x"}]})
    return got == ["q1", "q2"], f"$or s=a | t=x got={got} expected=['q1', 'q2']"


async def _probe_replace_unique_violation(coll: Coll) -> tuple[bool, str]:
    await coll.create_index("slug", unique=True)
    await coll.insert_many([{"_id": "q1", "slug": "a"}, {"_id": "q2", "slug": "b"}])
    outcome = "replace accepted"
    try:
        await coll.replace_one({"_id": "q2"}, {"slug": "a"})
    except DuplicateKeyError:
        outcome = "DuplicateKeyError"
    stored = await coll.find_one({"_id": "q2"})
    ok = outcome == "DuplicateKeyError" and stored == {"_id": "q2", "slug": "b"}
    return ok, (
        f"replace_one to a duplicate unique value: got {outcome}, doc={stored}; "
        "expected DuplicateKeyError and doc unchanged"
    )


async def _probe_update_unique_violation(coll: Coll) -> tuple[bool, str]:
    await coll.create_index("slug", unique=True)
    await coll.insert_many([{"_id": "q1", "slug": "a"}, {"_id": "q2", "slug": "b"}])
    outcome = "update accepted"
    try:
        await coll.update_one({"_id": "q2"}, {"$set": {"slug": "a"}})
    except DuplicateKeyError:
        outcome = "DuplicateKeyError"
    stored = await coll.find_one({"_id": "q2"})
    ok = outcome == "DuplicateKeyError" and stored == {"_id": "q2", "slug": "b"}
    return ok, (
        f"$set to a duplicate unique value: got {outcome}, doc={stored}; "
        "expected DuplicateKeyError and doc unchanged"
    )


async def _probe_fou_before(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "n": 1})
    before = await coll.find_one_and_update(
        {"_id": "q"}, {"$inc": {"n": 1}}, return_document=ReturnDocument.BEFORE
    )
    missing = await coll.find_one_and_update({"_id": "zz"}, {"$inc": {"n": 1}})
    ok = before == {"_id": "q", "n": 1} and missing is None
    return ok, f"BEFORE got={before} expected={{'_id': 'q', 'n': 1}}; no match got={missing}"


async def _probe_count_null_equality(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many([{"_id": "q1", "a": None}, {"_id": "q2"}, {"_id": "q3", "a": 0}])
    got = await coll.count_documents({"a": None})
    return got == 2, f"count a=None got={got} expected=2 (null or missing)"


async def _probe_or_null_equality(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many([{"_id": "q1", "a": None}, {"_id": "q2"}, {"_id": "q3", "a": 0}])
    got = await _sorted_ids(coll, {"$or": [{"a": 0}, {"a": None}]})
    expected = ["q1", "q2", "q3"]
    return got == expected, f"$or a=0 | a=None got={got} expected={expected}"


_Probe = Callable[[Coll], Awaitable[tuple[bool, str]]]

_PROBES: Final[list[tuple[str, _Probe]]] = [
    # the quirks in KNOWN_QUIRKS
    ("set_toplevel_datetime", _probe_set_toplevel_datetime),
    ("set_dotted_nested_datetime", _probe_set_dotted_nested_datetime),
    ("find_one_and_update_set_datetime", _probe_fou_set_datetime),
    ("set_toplevel_bool", _probe_set_toplevel_bool),
    ("bool_vs_int_equality", _probe_bool_vs_int),
    ("push_subdocument", _probe_push_subdocument),
    ("pull_condition_after_push", _probe_pull_condition_after_push),
    ("exists_true", _probe_exists_true),
    ("exists_false", _probe_exists_false),
    ("objectid_equality_outside_id", _probe_objectid_equality),
    ("range_over_array", _probe_range_over_array),
    ("set_dotted_array_index", _probe_set_dotted_array_index),
    ("replace_one_upsert", _probe_replace_one_upsert),
    ("dotted_projection", _probe_dotted_projection),
    ("unique_index_missing_field", _probe_unique_missing_field),
    ("subsecond_datetime_range", _probe_subsecond_range),
    ("equality_on_indexed_list", _probe_equality_on_indexed_list),
    ("count_null_equality", _probe_count_null_equality),
    ("or_null_equality", _probe_or_null_equality),
    # neighbouring features the project might be tempted to use
    ("pull_condition_on_inserted_array", _probe_pull_condition_inserted),
    ("addtoset_strings", _probe_addtoset_strings),
    ("push_pull_strings", _probe_push_pull_strings),
    ("set_nested_dict_with_datetimes", _probe_set_nested_dict_datetime),
    ("projection_top_level", _probe_projection),
    ("update_many_in_id", _probe_update_many_in_id),
    ("setoninsert_upsert_by_id", _probe_setoninsert_upsert),
    ("sort_missing_field", _probe_sort_missing_field),
    ("unset_and_inc_missing", _probe_unset_inc_missing),
    ("elemmatch_simple", _probe_elemmatch_simple),
    ("ne_nin_scalar", _probe_ne_nin_scalar),
    ("null_matches_missing", _probe_null_matches_missing),
    ("lookalike_strings_and_empty_dicts", _probe_lookalike_strings),
    ("or_query", _probe_or_query),
    ("replace_one_unique_violation", _probe_replace_unique_violation),
    ("update_one_unique_violation", _probe_update_unique_violation),
    ("find_one_and_update_before_and_nomatch", _probe_fou_before),
]


# --------------------------------------------------------------------------------------
# runner


async def _drop_scratch(db: AsyncDatabase[Doc]) -> None:
    for name in await db.list_collection_names():
        if name.startswith(SCRATCH_PREFIX):
            await db.drop_collection(name)


async def _run_all(
    db: AsyncDatabase[Doc], kind: str, items: Iterable[tuple[str, _Check]]
) -> list[CheckResult]:
    results: list[CheckResult] = []
    await _drop_scratch(db)
    try:
        for name, fn in items:
            coll = db[f"{SCRATCH_PREFIX}{kind}_{name}"]
            try:
                ok, detail = await asyncio.wait_for(fn(coll), _CHECK_TIMEOUT_S)
            except TimeoutError:
                ok, detail = False, f"timed out after {_CHECK_TIMEOUT_S:.0f}s"
            except Exception as exc:  # a raising server is a failed check, not a crash
                ok, detail = False, f"raised {type(exc).__name__}: {_short(str(exc))}"
            results.append(CheckResult(name=name, ok=ok, detail=detail))
    finally:
        await _drop_scratch(db)
    return results


async def run_storage_selfcheck(db: AsyncDatabase[dict[str, Any]]) -> list[CheckResult]:
    """Verify every storage assumption the project relies on; one `CheckResult` each.

    All results must be ok for the code to be correct on this server.
    """
    return await _run_all(db, "check", _CHECKS)


async def probe_known_quirks(db: AsyncDatabase[dict[str, Any]]) -> list[CheckResult]:
    """Measure the quirks in `KNOWN_QUIRKS` (and neighbouring features).

    ``ok=True`` means the server behaves like MongoDB. Informational only: the project
    avoids these features, so a failing probe does not fail the suite.
    """
    return await _run_all(db, "probe", _PROBES)


def format_failures(results: Iterable[CheckResult]) -> str:
    """A readable report of the failed results, or ``""`` when all of them are ok."""
    results = list(results)
    failed = [r for r in results if not r.ok]
    if not failed:
        return ""
    lines = [f"storage self-check: {len(failed)} of {len(results)} failed"]
    lines += [f"- {r.name}: {r.detail}" for r in failed]
    return "\n".join(lines)
