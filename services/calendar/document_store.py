"""Storage of the meetings' documents: GridFS (bucket `meeting_documents`, files of 255 KiB
chunks), the facts of each document in its file's metadata. No datetimes there: nx-27017
cannot store one in a GridFS file's metadata and reads GridFS's own `uploadDate` back as a
string, so when it was uploaded is kept as epoch seconds. What of GridFS is relied on —
upload with our own string id, download, delete, finding files by a metadata field — is
checked on the server in use by the storage self-check (`tests/support/storage/files.py`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from typing import Any

from gridfs import AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase

from services.calendar.documents import MeetingDocument
from shared.mongo import Document

BUCKET = "meeting_documents"


def document_metadata(document: MeetingDocument) -> Document:
    return {
        "event_id": document.event_id,
        "group_id": document.group_id,
        "title": document.title,
        "content_type": document.content_type,
        "uploaded_at_s": int(document.uploaded_at.timestamp()),
        "uploaded_by_organisation_id": document.uploaded_by_organisation_id,
    }


def document_from_file(file: Any) -> MeetingDocument:
    metadata = file.metadata or {}
    return MeetingDocument(
        id=file._id,
        event_id=metadata["event_id"],
        group_id=metadata["group_id"],
        title=metadata["title"],
        filename=file.filename,
        content_type=metadata["content_type"],
        size=int(file.length),
        uploaded_at=dt.datetime.fromtimestamp(int(metadata["uploaded_at_s"]), dt.UTC),
        uploaded_by_organisation_id=metadata.get("uploaded_by_organisation_id"),
    )


class DocumentStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)

    async def add(self, document: MeetingDocument, data: bytes) -> None:
        await self.bucket.upload_from_stream_with_id(
            document.id, document.filename, io.BytesIO(data), metadata=document_metadata(document)
        )

    async def get(self, document_id: str) -> MeetingDocument | None:
        async for file in self.bucket.find({"_id": document_id}):
            return document_from_file(file)
        return None

    async def content(self, document_id: str) -> bytes | None:
        buffer = io.BytesIO()
        try:
            await self.bucket.download_to_stream(document_id, buffer)
        except NoFile:
            return None
        return buffer.getvalue()

    async def delete(self, document_id: str) -> None:
        with contextlib.suppress(NoFile):  # deleted concurrently: gone either way
            await self.bucket.delete(document_id)

    async def of_event(self, event_id: str) -> list[MeetingDocument]:
        found = [
            document_from_file(f) async for f in self.bucket.find({"metadata.event_id": event_id})
        ]
        return sorted(found, key=lambda document: (document.uploaded_at, document.id))
