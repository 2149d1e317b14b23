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
from collections.abc import Iterable
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase

from tests.support.storage.checks import CHECKS
from tests.support.storage.expect import SCRATCH_PREFIX, Check, CheckResult, Doc, short
from tests.support.storage.files import FILE_CHECKS, FILE_PROBES, GRIDFS_QUIRK
from tests.support.storage.quirks import KNOWN_QUIRKS as _DOCUMENT_QUIRKS
from tests.support.storage.quirks import PROBES, KnownQuirk

__all__ = [
    "KNOWN_QUIRKS",
    "SCRATCH_PREFIX",
    "CheckResult",
    "KnownQuirk",
    "format_failures",
    "probe_known_quirks",
    "run_storage_selfcheck",
]

_CHECK_TIMEOUT_S: Final = 30.0
#: The quirks the project's code avoids, each measured by the probe of the same name.
KNOWN_QUIRKS: Final[list[KnownQuirk]] = [*_DOCUMENT_QUIRKS, GRIDFS_QUIRK]

# --------------------------------------------------------------------------------------
# runner


async def _drop_scratch(db: AsyncDatabase[Doc]) -> None:
    for name in await db.list_collection_names():
        if name.startswith(SCRATCH_PREFIX):
            await db.drop_collection(name)


async def _run_all(
    db: AsyncDatabase[Doc], kind: str, items: Iterable[tuple[str, Check]]
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
                ok, detail = False, f"raised {type(exc).__name__}: {short(str(exc))}"
            results.append(CheckResult(name=name, ok=ok, detail=detail))
    finally:
        await _drop_scratch(db)
    return results


async def run_storage_selfcheck(db: AsyncDatabase[dict[str, Any]]) -> list[CheckResult]:
    """Verify every storage assumption the project relies on; one `CheckResult` each.

    All results must be ok for the code to be correct on this server.
    """
    return await _run_all(db, "check", [*CHECKS, *FILE_CHECKS])


async def probe_known_quirks(db: AsyncDatabase[dict[str, Any]]) -> list[CheckResult]:
    """Measure the quirks in `KNOWN_QUIRKS` (and neighbouring features).

    ``ok=True`` means the server behaves like MongoDB. Informational only: the project
    avoids these features, so a failing probe does not fail the suite.
    """
    return await _run_all(db, "probe", [*PROBES, *FILE_PROBES])


def format_failures(results: Iterable[CheckResult]) -> str:
    """A readable report of the failed results, or ``""`` when all of them are ok."""
    results = list(results)
    failed = [r for r in results if not r.ok]
    if not failed:
        return ""
    lines = [f"storage self-check: {len(failed)} of {len(results)} failed"]
    lines += [f"- {r.name}: {r.detail}" for r in failed]
    return "\n".join(lines)
