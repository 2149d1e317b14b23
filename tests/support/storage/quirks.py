"""The quirks the project avoids, each measured by a probe, and a few neighbouring features.
Informational: a probe that finds a quirk does not fail the suite; on MongoDB every probe
reports that the server behaves like MongoDB."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Final, TypedDict

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from tests.support.storage.expect import (
    Check,
    Coll,
    Doc,
    base_time,
    diff,
    ids_of,
    short,
    sorted_ids,
    typed,
)


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
# quirk probes (informational)


async def _probe_set_toplevel_datetime(coll: Coll) -> tuple[bool, str]:
    base = base_time()
    t = base.replace(microsecond=123000)
    await coll.insert_one({"_id": "q", "at": base})
    await coll.update_one({"_id": "q"}, {"$set": {"at": t}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("at")
    n = await coll.count_documents({"_id": "q", "at": {"$gte": base - timedelta(seconds=1)}})
    ok = isinstance(got, datetime) and n == 1
    return ok, f"got at={typed(got)}, range count={n}; expected datetime, range count=1"


async def _probe_set_dotted_nested_datetime(coll: Coll) -> tuple[bool, str]:
    base = base_time()
    await coll.insert_one({"_id": "q", "nested": {"at": base, "x": 1}})
    await coll.update_one({"_id": "q"}, {"$set": {"nested.at": base + timedelta(seconds=1)}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("nested")
    problems = diff(got, {"at": base + timedelta(seconds=1), "x": 1})
    return not problems, f"got nested={short(got)}" + (f"; {problems}" if problems else "")


async def _probe_fou_set_datetime(coll: Coll) -> tuple[bool, str]:
    base = base_time()
    await coll.insert_one({"_id": "q", "at": base})
    ret = await coll.find_one_and_update(
        {"_id": "q"}, {"$set": {"at": base}}, return_document=ReturnDocument.AFTER
    )
    stored = (await coll.find_one({"_id": "q"}) or {}).get("at")
    returned = (ret or {}).get("at")
    ok = isinstance(returned, datetime) and isinstance(stored, datetime)
    return ok, f"returned at={typed(returned)}, stored at={typed(stored)}; expected datetimes"


async def _probe_set_toplevel_bool(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "a": False, "b": True, "n": {"c": False}})
    await coll.update_one({"_id": "q"}, {"$set": {"a": True, "b": False, "n.c": True}})
    got = await coll.find_one({"_id": "q"})
    ret = await coll.find_one_and_update(
        {"_id": "q"}, {"$set": {"d": True}}, return_document=ReturnDocument.AFTER
    )
    problems = diff(got, {"_id": "q", "a": True, "b": False, "n": {"c": True}})
    problems += diff((ret or {}).get("d"), True)
    return not problems, (
        f"update_one $set a=True,b=False,n.c=True: got={short(got)}; "
        f"find_one_and_update $set d=True returned d={typed((ret or {}).get('d'))}"
        + (f"; {problems}" if problems else "")
    )


async def _probe_push_subdocument(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "outbox": [{"id": "e0", "v": 1}]})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e1", "v": 2}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    expected = [{"id": "e0", "v": 1}, {"id": "e1", "v": 2}]
    return got == expected, f"got outbox={short(got)} expected={short(expected)}"


async def _probe_pull_condition_after_push(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "outbox": [{"id": "e0"}]})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e1"}}})
    await coll.update_one({"_id": "q"}, {"$push": {"outbox": {"id": "e2"}}})
    before = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    await coll.update_one({"_id": "q"}, {"$pull": {"outbox": {"id": {"$in": ["e1"]}}}})
    got = (await coll.find_one({"_id": "q"}) or {}).get("outbox")
    expected = [{"id": "e0"}, {"id": "e2"}]
    return got == expected, (
        f"array after 2x $push={short(before)}; after $pull id $in [e1]: got={short(got)} "
        f"expected={short(expected)}"
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
        f"$pull id $in [e1]: got={short(got)} expected={short(outbox[1:])}; "
        f"$pull {{id: e1, seq: 2}} (no element matches both): got={short(got2)} expected unchanged"
    )


async def _exists_docs(coll: Coll) -> None:
    await coll.insert_many(
        [{"_id": "null", "a": None}, {"_id": "missing"}, {"_id": "one", "a": 1}, {"_id": "b"}]
    )


async def _probe_exists_true(coll: Coll) -> tuple[bool, str]:
    await _exists_docs(coll)
    got = await sorted_ids(coll, {"a": {"$exists": True}})
    expected = ["null", "one"]
    return got == expected, f"docs a=null, a missing x2, a=1: got={got} expected={expected}"


async def _probe_exists_false(coll: Coll) -> tuple[bool, str]:
    await _exists_docs(coll)
    got = await sorted_ids(coll, {"a": {"$exists": False}})
    expected = ["b", "missing"]
    return got == expected, f"docs a=null, a missing x2, a=1: got={got} expected={expected}"


async def _probe_objectid_equality(coll: Coll) -> tuple[bool, str]:
    oid = ObjectId()
    await coll.insert_many([{"_id": "q1", "ref": oid}, {"_id": "q2", "ref": ObjectId()}])
    got = await sorted_ids(coll, {"ref": oid})
    count = await coll.count_documents({"ref": oid})
    stored = (await coll.find_one({"_id": "q1"}) or {}).get("ref")
    ok = got == ["q1"] and count == 1
    return (
        ok,
        f"find got={got} expected=['q1']; count got={count} expected=1; stored {typed(stored)}",
    )


async def _probe_range_over_array(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "v": [1, 10]}, {"_id": "q2", "v": [5]}, {"_id": "q3", "v": [20]}]
    )
    got = await sorted_ids(coll, {"v": {"$gt": 3, "$lt": 8}})
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
        f"upserted_id={typed(res.upserted_id)} find_one(_id=rep)={short(got)} "
        f"all={short(everything)}; expected upserted_id='rep', doc {{'_id': 'rep', 'v': 1}}"
    )


async def _probe_dotted_projection(coll: Coll) -> tuple[bool, str]:
    await coll.insert_one({"_id": "q", "nested": {"x": 1, "y": 2}, "z": 3})
    got = await coll.find_one({"_id": "q"}, {"nested.x": 1, "_id": 0})
    expected = {"nested": {"x": 1}}
    return got == expected, f"got={short(got)} expected={expected}"


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
    found = await sorted_ids(coll, {"tags": "x"})
    counted = await coll.count_documents({"tags": "x"})
    ok = found == ["q1"] and counted == 1
    return ok, f"find {found} (expected ['q1']), count_documents {counted}"


async def _probe_subsecond_range(coll: Coll) -> tuple[bool, str]:
    base = base_time()
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
        got = await ids_of(coll, flt)
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
    base = base_time()
    await coll.insert_one({"_id": "q"})
    value: Doc = {
        "nested": {"at": base, "inner": {"at": base}},
        "lat": [base],
        "ld": [{"id": "e1", "at": base}],
    }
    await coll.update_one({"_id": "q"}, {"$set": value})
    got = await coll.find_one({"_id": "q"}, {"_id": 0})
    problems = diff(got, value)
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
    base = base_time()
    r1 = await coll.update_one(
        {"_id": "q"}, {"$setOnInsert": {"created": base, "a": 1}, "$set": {"b": 1}}, upsert=True
    )
    doc1 = await coll.find_one({"_id": "q"})
    r2 = await coll.update_one(
        {"_id": "q"}, {"$setOnInsert": {"created": base, "a": 9}, "$set": {"b": 2}}, upsert=True
    )
    doc2 = await coll.find_one({"_id": "q"})
    problems = diff(doc1, {"_id": "q", "created": base, "a": 1, "b": 1})
    problems += diff(doc2, {"_id": "q", "created": base, "a": 1, "b": 2})
    ok = r1.upserted_id == "q" and r2.upserted_id is None and not problems
    return ok, (
        f"1st upserted_id={r1.upserted_id!r} doc={short(doc1)}; "
        f"2nd upserted_id={r2.upserted_id!r} doc={short(doc2)}"
        + (f"; {problems}" if problems else "")
    )


async def _probe_sort_missing_field(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "k": "b"}, {"_id": "q2"}, {"_id": "q3", "k": "a"}, {"_id": "q4", "k": None}]
    )
    asc = await ids_of(coll, {}, sort=[("k", ASCENDING), ("_id", ASCENDING)])
    desc = await ids_of(coll, {}, sort=[("k", DESCENDING), ("_id", ASCENDING)])
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
    problems = diff(got, {"_id": "q", "a": 1, "n": 3})
    return not problems, f"$unset b + $inc missing n: got={short(got)}" + (
        f"; {problems}" if problems else ""
    )


async def _probe_elemmatch_simple(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [
            {"_id": "q1", "items": [{"k": "a", "v": 1}, {"k": "b", "v": 2}]},
            {"_id": "q2", "items": [{"k": "a", "v": 2}]},
        ]
    )
    both = await sorted_ids(coll, {"items": {"$elemMatch": {"k": "a", "v": 1}}})
    cross = await sorted_ids(coll, {"items": {"$elemMatch": {"k": "b", "v": 1}}})
    dotted = await sorted_ids(coll, {"items.k": "b"})
    ok = both == ["q1"] and cross == [] and dotted == ["q1"]
    return ok, (
        f"$elemMatch k=a,v=1 got={both} expected=['q1']; k=b,v=1 got={cross} expected=[]; "
        f"items.k=b got={dotted} expected=['q1']"
    )


async def _probe_ne_nin_scalar(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many(
        [{"_id": "q1", "s": "a"}, {"_id": "q2", "s": "b"}, {"_id": "q3"}, {"_id": "q4", "s": None}]
    )
    ne = await sorted_ids(coll, {"s": {"$ne": "a"}})
    nin = await sorted_ids(coll, {"s": {"$nin": ["a", "b"]}})
    ok = ne == ["q2", "q3", "q4"] and nin == ["q3", "q4"]
    return ok, (
        f"$ne a got={ne} expected=['q2', 'q3', 'q4']; $nin [a,b] got={nin} expected=['q3', 'q4']"
    )


async def _probe_null_matches_missing(coll: Coll) -> tuple[bool, str]:
    await coll.insert_many([{"_id": "q1", "a": None}, {"_id": "q2"}, {"_id": "q3", "a": 0}])
    got = await sorted_ids(coll, {"a": None})
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
    t = await sorted_ids(coll, {"f": True})
    one = await sorted_ids(coll, {"f": 1})
    zero = await sorted_ids(coll, {"f": 0})
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
    eq = await sorted_ids(coll, {"json_obj": '{"a": 1}', "date_like": "2026-01-02 03:04:05"})
    problems = diff(got, doc)
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
    got = await sorted_ids(coll, {"$or": [{"s": "a"}, {"t": "x"}]})
    return got == ["q1", "q2"], f"$or s=a | t=x got={got} expected=['q1', 'q2']"


async def _unique_violation(
    coll: Coll, write: Callable[[], Awaitable[Any]], accepted: str, what: str
) -> tuple[bool, str]:
    """Whether `write`, giving q2 the unique slug q1 has, raises DuplicateKeyError and leaves
    q2 as it was."""
    await coll.create_index("slug", unique=True)
    await coll.insert_many([{"_id": "q1", "slug": "a"}, {"_id": "q2", "slug": "b"}])
    outcome = accepted
    try:
        await write()
    except DuplicateKeyError:
        outcome = "DuplicateKeyError"
    stored = await coll.find_one({"_id": "q2"})
    ok = outcome == "DuplicateKeyError" and stored == {"_id": "q2", "slug": "b"}
    return ok, (
        f"{what} to a duplicate unique value: got {outcome}, doc={stored}; "
        "expected DuplicateKeyError and doc unchanged"
    )


async def _probe_replace_unique_violation(coll: Coll) -> tuple[bool, str]:
    def write() -> Awaitable[Any]:
        return coll.replace_one({"_id": "q2"}, {"slug": "a"})

    return await _unique_violation(coll, write, "replace accepted", "replace_one")


async def _probe_update_unique_violation(coll: Coll) -> tuple[bool, str]:
    def write() -> Awaitable[Any]:
        return coll.update_one({"_id": "q2"}, {"$set": {"slug": "a"}})

    return await _unique_violation(coll, write, "update accepted", "$set")


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
    got = await sorted_ids(coll, {"$or": [{"a": 0}, {"a": None}]})
    expected = ["q1", "q2", "q3"]
    return got == expected, f"$or a=0 | a=None got={got} expected={expected}"


PROBES: Final[list[tuple[str, Check]]] = [
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
