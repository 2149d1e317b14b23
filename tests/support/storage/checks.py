"""The storage self-check: one check per assumption the project's storage code relies on
(docs/storage.md). The expectations are MongoDB's documented behaviour, so the same checks hold
against a real MongoDB (``MONGODB_URL``)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pymongo import ASCENDING, DESCENDING, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from tests.support.storage.expect import (
    CEST,
    HALF_S,
    Check,
    Coll,
    Doc,
    Expect,
    base_time,
    ids_of,
    sorted_ids,
)

# --------------------------------------------------------------------------------------
# the self-checks (one assumption each)


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
    ex = Expect()
    ex.same("find_one", got, doc)
    return ex.result(f"{len(doc) - 1} fields round-tripped with types")


async def _check_replace_versioned(coll: Coll) -> tuple[bool, str]:
    """2. replace_one({_id, version}) replaces on match, matches nothing when stale."""
    base = base_time()
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
    ex = Expect()
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

    ex = Expect()
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
    ex = Expect()

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
    ex.equal("stored ids after rejected inserts", await sorted_ids(coll, {}), ["u1", "u2", "u3"])
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
    ex = Expect()
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
    ex = Expect()
    for label, flt, expected in cases:
        ex.equal(f"{label} {flt}", await sorted_ids(coll, flt), expected)
    return ex.result(f"{len(cases)} queries matched the expected ids")


async def _check_ranges_sort(coll: Coll) -> tuple[bool, str]:
    """7. $gte/$lt on datetimes (insert/replace) and ints, with equality; sort/skip/limit."""
    base = base_time()
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
    ex = Expect()
    cases: list[tuple[str, Doc, list[str]]] = [
        ("datetime $gte/$lt", {"at": {"$gte": h[1], "$lt": h[4]}}, ["r1", "r2", "r3"]),
        ("datetime $gt/$lte", {"at": {"$gt": h[1], "$lte": h[4]}}, ["r2", "r3", "r4"]),
        ("datetime $lt", {"at": {"$lt": h[1]}}, ["r0"]),
        ("datetime $gte from +02:00 bound", {"at": {"$gte": h[5].astimezone(CEST)}}, ["r5"]),
        (
            "sub-second datetimes vs bounds in other seconds",
            {"seen": {"$gte": h[2] - timedelta(milliseconds=200), "$lt": h[4] - HALF_S}},
            ["r2", "r3"],
        ),
        ("int $gte/$lt", {"n": {"$gte": 20, "$lt": 50}}, ["r2", "r3", "r4"]),
        ("int $gt/$lte", {"n": {"$gt": 0, "$lte": 10}}, ["r1"]),
        ("equality + datetime range", {"group": "g1", "at": {"$gte": h[1]}}, ["r2", "r4"]),
        ("equality + int range", {"group": "g2", "n": {"$lt": 40}}, ["r1", "r3"]),
    ]
    for label, flt, expected in cases:
        ex.equal(label, await sorted_ids(coll, flt), expected)

    ex.equal(
        "sort at asc", await ids_of(coll, {}, sort=[("at", ASCENDING)]), [f"r{i}" for i in range(6)]
    )
    ex.equal(
        "sort at desc skip 1 limit 3",
        await ids_of(coll, {}, sort=[("at", DESCENDING)], skip=1, limit=3),
        ["r4", "r3", "r2"],
    )
    by_name = [f"r{names.index(n)}" for n in sorted(names)]
    ex.equal("sort name asc", await ids_of(coll, {}, sort=[("name", ASCENDING)]), by_name)
    ex.equal(
        "sort name desc skip 2 limit 2",
        await ids_of(coll, {}, sort=[("name", DESCENDING)], skip=2, limit=2),
        list(reversed(by_name))[2:4],
    )
    ex.equal(
        "range + sort + limit",
        await ids_of(
            coll, {"at": {"$gte": h[1]}, "group": "g2"}, sort=[("at", DESCENDING)], limit=2
        ),
        ["r5", "r3"],
    )
    cursor_ids = [
        d["_id"]
        async for d in coll.find({"n": {"$gte": 0}}).sort("name", ASCENDING).skip(1).limit(2)
    ]
    ex.equal("cursor .sort().skip().limit()", cursor_ids, by_name[1:3])
    ex.equal(
        "sort sub-second datetimes desc",
        await ids_of(coll, {}, sort=[("seen", DESCENDING)]),
        [f"r{i}" for i in reversed(range(6))],
    )
    return ex.result("datetime/int ranges, equality combos, sorts with skip/limit as expected")


async def _check_update_set_scalars(coll: Coll) -> tuple[bool, str]:
    """8. update_one $set of str/int/float/None/list-of-strings by _id keeps types.

    Booleans are NOT part of this assumption: nx-27017 stores a top-level `$set` bool as
    1/0 (probe ``set_toplevel_bool`` in `KNOWN_QUIRKS`), so the code must not `$set` bools.
    """
    base = base_time()
    await coll.insert_one(
        {"_id": "s1", "name": "old", "count": 1, "active": True, "tags": ["a"], "at": base}
    )
    scalars = {
        "name": "new",
        "count": 7,
        "big": 1_767_312_245_123,
        "tags": ["b", "c"],
        "empty_tags": [],
        "note": None,
        "ratio": 0.75,
    }
    res = await coll.update_one({"_id": "s1"}, {"$set": dict(scalars)})
    missing = await coll.update_one({"_id": "no-such-id"}, {"$set": {"name": "x"}})
    got = await coll.find_one({"_id": "s1"})
    ex = Expect()
    ex.equal("matched_count", res.matched_count, 1)
    ex.equal("matched_count for unknown _id", missing.matched_count, 0)
    ex.same(
        "document after $set",
        got,
        {
            "_id": "s1",
            **scalars,
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
    ex = Expect()
    ex.equal("delete_one by _id deleted_count", r1.deleted_count, 1)
    ex.equal("delete_many by $in deleted_count", r2.deleted_count, 2)
    ex.equal("delete_one by $in deleted_count", r3.deleted_count, 1)
    ex.equal("delete_many by _id deleted_count", r4.deleted_count, 1)
    ex.equal("delete_one of deleted _id deleted_count", r5.deleted_count, 0)
    remaining = await sorted_ids(coll, {})
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
    ex = Expect()
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
    ex = Expect()
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
    ex = Expect()
    ex.equal("flag True", await sorted_ids(coll, {"flag": True}), ["t1", "t2"])
    ex.equal("flag False", await sorted_ids(coll, {"flag": False}), ["f1"])
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
    ex = Expect()
    ex.equal("find", await ids_of(coll, flt, sort=[("at", ASCENDING)]), ["missing", "null", "zero"])
    ex.equal("count", await coll.count_documents(flt), 3)
    ex.equal("count r in [None]", await coll.count_documents({"r": {"$in": [None]}}), 2)
    return ex.result("$in [0, None] matched zero, null and missing; counted 3 and 2")


async def _check_nin_on_lists(coll: Coll) -> tuple[bool, str]:
    """17. `$nin` on a list of strings, beside `$all` on an indexed list and a sort, matches
    documents whose list lacks the value, is empty or is missing (find and count): the
    exchange hides a match from the side that said it does not fit this way."""
    await coll.create_index([("orgs", ASCENDING), ("at", DESCENDING)])
    await coll.insert_many(
        [
            {"_id": "missing", "orgs": ["x", "y"], "at": 1},
            {"_id": "empty", "orgs": ["x", "y"], "at": 2, "gone": []},
            {"_id": "by-x", "orgs": ["x", "y"], "at": 3, "gone": ["x"]},
            {"_id": "by-y", "orgs": ["x", "y"], "at": 4, "gone": ["y"]},
            {"_id": "by-both", "orgs": ["x", "y"], "at": 5, "gone": ["x", "y"]},
            {"_id": "other", "orgs": ["z"], "at": 6, "gone": []},
        ]
    )
    flt: Doc = {"orgs": {"$all": ["x"]}, "gone": {"$nin": ["x"]}}
    ex = Expect()
    ex.equal(
        "find", await ids_of(coll, flt, sort=[("at", DESCENDING)]), ["by-y", "empty", "missing"]
    )
    ex.equal("count", await coll.count_documents(flt), 3)
    return ex.result("$nin [x] matched by-y, empty and missing; counted 3")


async def _check_revision_guarded_replace(coll: Coll) -> tuple[bool, str]:
    """14. replace_one({_id, revision: {$lt: n}}) replaces only an older revision; of many
    concurrent guarded replaces of one document the highest revision stays
    (`shared.projection.apply_revision`)."""
    base = base_time()
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
    ex = Expect()
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
    ex = Expect()
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


async def _check_bulk_claim_and_release(coll: Coll) -> tuple[bool, str]:
    """12. Claims and releases in bulk (the outbox relay's batch): `bulk_write` of `UpdateOne`
    filtered by `_id` plus an integer range, and of `ReplaceOne` guarded by `_id`, version and
    token, applies each operation atomically on its own and counts the matched ones."""
    await coll.insert_many(
        [{"_id": f"b{i}", "lease_until": 0, "version": 1, "pending": True} for i in range(4)]
    )
    await coll.update_one({"_id": "b3"}, {"$set": {"lease_until": 10_000}})
    claim = await coll.bulk_write(
        [
            UpdateOne(
                {"_id": f"b{i}", "pending": True, "lease_until": {"$lte": 1_000}},
                {"$set": {"lease_until": 5_000, "owner": "t"}, "$inc": {"version": 1}},
            )
            for i in range(5)
        ],
        ordered=False,
    )
    held = await coll.find({"_id": {"$in": ["b0", "b1", "b2", "b3"]}, "owner": "t"}).to_list(None)
    release = await coll.bulk_write(
        [
            ReplaceOne(
                {"_id": doc["_id"], "version": 2 if doc["_id"] != "b1" else 9, "owner": "t"},
                {"lease_until": 0, "version": 3, "pending": False},
            )
            for doc in held
        ],
        ordered=False,
    )
    ex = Expect()
    ex.equal("claim matched_count", claim.matched_count, 3)
    ex.equal("claimed, read back by token", sorted(d["_id"] for d in held), ["b0", "b1", "b2"])
    ex.equal("claimed lease_until", sorted(d["lease_until"] for d in held), [5_000] * 3)
    ex.equal("release matched_count (one stale version)", release.matched_count, 2)
    ex.same(
        "released",
        await coll.find_one({"_id": "b0"}),
        {"_id": "b0", "lease_until": 0, "version": 3, "pending": False},
    )
    stale = await coll.find_one({"_id": "b1"}) or {}
    ex.equal("the stale release left its document", stale.get("owner"), "t")
    return ex.result("each claim and guarded release applied on its own, counted right")


async def _check_attempts_and_expiry(coll: Coll) -> tuple[bool, str]:
    """16. The inbox: `$inc` of an attempt counter by `_id` (AFTER, distinct under concurrency),
    `$set` of a state string and an epoch-ms integer in a bulk write, and the sweep: an integer
    range on an indexed field, then delete_many by `$in` on `_id`."""
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
    # completions due together go as one bulk write of updates by `_id` (group commit)
    await coll.bulk_write(
        [
            UpdateOne({"_id": "old"}, {"$set": {"state": "done", "done_ms": 1_767_312_245_000}}),
            UpdateOne({"_id": "new"}, {"$set": {"state": "done", "done_ms": 1_767_312_245_002}}),
        ],
        ordered=False,
    )
    expired = await ids_of(coll, {"done_ms": {"$gt": 0, "$lt": 1_767_312_245_001}})
    deleted = await coll.delete_many({"_id": {"$in": expired}})
    ex = Expect()
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
    ex.equal("left", await sorted_ids(coll, {}), ["a", "new"])
    return ex.result("attempts 2..6 under concurrency; the integer range swept exactly one")


async def _check_projection(coll: Coll) -> tuple[bool, str]:
    """Projections: a `find` with an inclusion projection (the exchange reads listings without their
    search words and outbox) returns `_id` and exactly the fields named, with their types, also
    with a filter, a sort and a limit."""
    now = datetime.now(UTC).replace(microsecond=0)
    full: Doc = {
        "kind": "offer",
        "title": "Sofa",
        "tags": ["sofa", "couch"],
        "quantity": None,
        "revision": 3,
        "created_at": now,
        "search_terms": ["so", "sof", "sofa"],
        "outbox": [{"id": "e1", "seq": 1}],
    }
    await coll.insert_many([{"_id": "p1", **full}, {"_id": "p2", **full, "kind": "request"}])
    fields = {"kind": 1, "title": 1, "tags": 1, "quantity": 1, "revision": 1, "created_at": 1}
    expected = {"_id": "p1", **{name: full[name] for name in fields}}
    ex = Expect()
    ex.same("find_one", await coll.find_one({"_id": "p1"}, fields), expected)
    found = await coll.find({"kind": "offer"}, fields).sort("_id", ASCENDING).limit(5).to_list(5)
    ex.same("find, sorted and limited", found, [expected])
    by_ids = await coll.find({"_id": {"$in": ["p1"]}}, fields).to_list(5)
    ex.same("find by $in", by_ids, [expected])
    return ex.result("only the named fields, with their types")


async def _check_scalar_beside_in_sorted_by_time(coll: Coll) -> tuple[bool, str]:
    """18. Equality on an indexed scalar beside an equality and `$in` on other scalars, sorted
    by a datetime (newest first) and `_id`, paged, and counted by reading the `_id`s; `find_one`
    with a sort takes the highest: the concept lists a measure's activities (one link document
    per measure and activity) and finds its current edition this way."""
    await coll.create_index([("measure", ASCENDING)])
    start = base_time()
    docs: list[Doc] = [
        {"_id": "old", "measure": "m", "state": "active", "vis": "public"},
        {"_id": "network", "measure": "m", "state": "active", "vis": "network"},
        {"_id": "closed", "measure": "m", "state": "closed", "vis": "public"},
        {"_id": "other", "measure": "n", "state": "active", "vis": "public"},
        {"_id": "new", "measure": "m", "state": "active", "vis": "public"},
        {"_id": "same-time", "measure": "m", "state": "active", "vis": "public"},
    ]
    for offset, doc in enumerate(docs):
        doc["at"] = start + timedelta(hours=min(offset, 4))
        doc["edition"] = offset + 1
    await coll.insert_many(docs)
    flt: Doc = {"measure": "m", "state": "active", "vis": {"$in": ["public"]}}
    newest_first = [("at", DESCENDING), ("_id", DESCENDING)]
    ex = Expect()
    ex.equal("find", await ids_of(coll, flt, sort=newest_first), ["same-time", "new", "old"])
    ex.equal("page 2", await ids_of(coll, flt, sort=newest_first, skip=1, limit=1), ["new"])
    ex.equal("ids read", len(await coll.find(flt, {"_id": 1}).to_list()), 3)
    both: Doc = {**flt, "vis": {"$in": ["public", "network"]}}
    ex.equal("ids read with network", len(await coll.find(both, {"_id": 1}).to_list()), 4)
    highest = await coll.find_one({}, sort=[("edition", DESCENDING)])
    ex.equal("find_one sorted", highest["_id"] if highest else None, "same-time")
    return ex.result("found same-time, new, old (newest first), paged and counted; the highest")


async def _recount(coll: Coll, counted: int) -> bool:
    """The concept's recount of a measure: bump `changes`, read it, write guarded by it."""
    await coll.update_one(
        {"_id": "m"}, {"$inc": {"changes": 1, "events": 0, "listings": 0}}, upsert=True
    )
    begun = await coll.find_one({"_id": "m"}, {"changes": 1})
    await asyncio.sleep(0)
    if begun is None:
        return False
    written = await coll.update_one(
        {"_id": "m", "changes": begun["changes"]}, {"$set": {"events": counted, "listings": 1}}
    )
    return written.matched_count == 1


async def _check_guarded_recount(coll: Coll) -> tuple[bool, str]:
    """19. `$inc` of several integer fields with upsert by `_id` creates them (zeros included);
    `update_one` with `$set` of integers guarded by `_id` plus an integer equality applies only
    while the integer is unchanged (the concept's activity counts per measure)."""
    ex = Expect()
    ex.equal("first recount written", await _recount(coll, 5), True)
    ex.same(
        "stored after the first",
        await coll.find_one({"_id": "m"}),
        {"_id": "m", "changes": 1, "events": 5, "listings": 1},
    )
    await coll.update_one({"_id": "m"}, {"$inc": {"changes": 1}})  # another recount began
    stale = await coll.update_one({"_id": "m", "changes": 1}, {"$set": {"events": 99}})
    ex.equal("stale recount matched", stale.matched_count, 0)
    written = await asyncio.gather(*(_recount(coll, n) for n in range(10)))
    stored = await coll.find_one({"_id": "m"})
    ex.equal("changes after 12 recounts", stored["changes"] if stored else None, 12)
    ex.equal("some concurrent recount written", any(written), True)
    ex.equal("events is an int", type(stored["events"]) if stored else None, int)
    return ex.result("zeros created; a stale guard matched nothing; the last recount stayed")


CHECKS: Final[list[tuple[str, Check]]] = [
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
    ("bulk_claim_and_release", _check_bulk_claim_and_release),
    ("nin_on_lists_matches_missing", _check_nin_on_lists),
    ("inclusion_projection", _check_projection),
    ("scalar_beside_in_sorted_by_time", _check_scalar_beside_in_sorted_by_time),
    ("guarded_recount", _check_guarded_recount),
]
