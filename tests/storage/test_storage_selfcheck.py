"""The storage self-check (docs/storage.md) against the server in use: nx-27017 or MONGODB_URL."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from tests.support.storage import (
    KNOWN_QUIRKS,
    SCRATCH_PREFIX,
    format_failures,
    probe_known_quirks,
    run_storage_selfcheck,
)


async def _scratch_left(db: AsyncDatabase[dict[str, Any]]) -> list[str]:
    return [n for n in await db.list_collection_names() if n.startswith(SCRATCH_PREFIX)]


async def test_every_storage_assumption_holds(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    results = await run_storage_selfcheck(mongo_db)
    report = format_failures(results)
    print(report or f"all {len(results)} storage self-checks ok")
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}")
    assert results
    assert all(r.ok for r in results), report
    assert len({r.name for r in results}) == len(results)
    assert await _scratch_left(mongo_db) == []


async def test_known_quirks_are_probed(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    """Informational: prints how the server behaves; only the probes' presence is asserted."""
    results = await probe_known_quirks(mongo_db)
    for r in results:
        print(f"{'like MongoDB' if r.ok else 'QUIRK       '} {r.name}: {r.detail}")
    probed = {r.name for r in results}
    assert [q["name"] for q in KNOWN_QUIRKS if q["name"] not in probed] == []
    assert all(q["nx_27017"] and q["instead"] for q in KNOWN_QUIRKS)
    assert await _scratch_left(mongo_db) == []
