"""The storage self-check of GridFS, as the calendar keeps the documents of meetings
(`services/calendar/document_store.py`): files uploaded under our own string id with metadata,
read back whole, found by a metadata field, deleted without touching the other files; and the
probe of datetimes in GridFS (which nx-27017 gets wrong)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Final

from gridfs import AsyncGridFSBucket, NoFile

from tests.support.storage.expect import Check, Coll, Expect, typed
from tests.support.storage.quirks import KnownQuirk

#: What the calendar keeps in a file's metadata: strings, None and integers (epoch seconds).
METADATA: Final = {"title": "Tagesordnung", "by": None, "at_s": 1_767_312_245}
#: Several chunks (GridFS cuts files into chunks of 255 KiB) and a short last one.
_LARGE: Final = bytes(range(256)) * 2100 + b"end"


def _bucket(coll: Coll) -> AsyncGridFSBucket:
    """A bucket named after the scratch collection (its `.files` and `.chunks` are dropped
    with the other scratch collections)."""
    return AsyncGridFSBucket(coll.database, bucket_name=coll.name)


async def _read(bucket: AsyncGridFSBucket, file_id: str) -> bytes | None:
    buffer = io.BytesIO()
    try:
        await bucket.download_to_stream(file_id, buffer)
    except NoFile:
        return None
    return buffer.getvalue()


async def _check_gridfs_documents(coll: Coll) -> tuple[bool, str]:
    """GridFS as the calendar's meeting documents use it: upload with a string id and string
    metadata, download whole, find by `metadata.event_id`, delete one file and its chunks."""
    bucket = _bucket(coll)
    files = {
        "doc-large": (_LARGE, "e1"),
        "doc-small": (b"%PDF-1.7 small", "e1"),
        "doc-other": (b"PK\x03\x04 other", "e2"),
    }
    for file_id, (data, event_id) in files.items():
        await bucket.upload_from_stream_with_id(
            file_id,
            f"{file_id}.pdf",
            io.BytesIO(data),
            metadata={**METADATA, "event_id": event_id},
        )
    ex = Expect()
    for file_id, (data, _) in files.items():
        ex.equal(f"{file_id} read back", await _read(bucket, file_id), data)
    found = sorted([f._id async for f in bucket.find({"metadata.event_id": "e1"})])
    ex.equal("found by metadata", found, ["doc-large", "doc-small"])
    [small] = [f async for f in bucket.find({"_id": "doc-small"})]
    ex.equal("length", small.length, len(files["doc-small"][0]))
    ex.same(
        "metadata",
        small.metadata,
        {**METADATA, "event_id": "e1"},
    )
    await bucket.delete("doc-large")
    ex.equal("deleted file read", await _read(bucket, "doc-large"), None)
    chunks = coll.database[f"{coll.name}.chunks"]
    left = await chunks.find({"files_id": "doc-large"}).to_list()
    ex.equal("chunks of the deleted file", left, [])
    ex.equal("other file kept", await _read(bucket, "doc-small"), files["doc-small"][0])
    return ex.result("3 files round-tripped (one of several chunks), found by metadata, deleted")


async def _probe_gridfs_datetimes(coll: Coll) -> tuple[bool, str]:
    bucket = _bucket(coll)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await bucket.upload_from_stream_with_id("plain", "p.pdf", io.BytesIO(b"%PDF-"))
    [plain] = [f async for f in bucket.find({"_id": "plain"})]
    upload_date = typed(plain.upload_date)
    try:
        await bucket.upload_from_stream_with_id(
            "q", "q.pdf", io.BytesIO(b"%PDF-"), metadata={"at": at}
        )
    except Exception as exc:  # what the server does is the finding
        return False, f"uploadDate {upload_date}; metadata datetime raised {type(exc).__name__}"
    [stored] = [f async for f in bucket.find({"_id": "q"})]
    got = (stored.metadata or {}).get("at")
    ok = got == at and isinstance(plain.upload_date, datetime)
    return ok, f"uploadDate {upload_date}; metadata datetime {typed(got)}"


GRIDFS_QUIRK: Final[KnownQuirk] = {
    "name": "gridfs_datetimes",
    "nx_27017": "GridFS's own `uploadDate` is read back as a string without zone, and uploading "
    "a file whose metadata holds a datetime fails ('Object of type datetime is not JSON "
    "serializable').",
    "instead": "A document's metadata holds strings and integers only; when it was uploaded is "
    "an integer (epoch seconds) in it.",
}

FILE_CHECKS: Final[list[tuple[str, Check]]] = [("gridfs_documents", _check_gridfs_documents)]
FILE_PROBES: Final[list[tuple[str, Check]]] = [("gridfs_datetimes", _probe_gridfs_datetimes)]
