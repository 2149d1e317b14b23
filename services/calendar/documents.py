"""Documents of a working group's meetings (agendas, minutes): PDF or ODT, read only by the
group's members and the office, kept as the group's record until someone deletes them (not
with the event's retention). What a file is, is told by its first bytes, never by its name."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Protocol

from services.calendar.group_repository import GroupRepository
from services.calendar.groups import Group
from shared.auth import Principal
from shared.clock import utc_now
from shared.errors import ForbiddenError, NotFoundError, TooLargeError, UnsupportedTypeError
from shared.ids import new_id

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
#: An ODT's first zip entry is `mimetype`, stored, holding exactly its media type.
_ODT_MIMETYPE = ODT.encode("ascii")


def document_type(data: bytes) -> str | None:
    """PDF (`%PDF-` magic) or ODT (a zip whose first entry `mimetype` names ODT); else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if not entries or entries[0].filename != "mimetype":
                return None
            first = entries[0]
            if first.file_size > len(_ODT_MIMETYPE):  # never inflate more than that
                return None
            return ODT if archive.read(first).strip() == _ODT_MIMETYPE else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def clean_filename(name: str | None, content_type: str) -> str:
    """The file's own name without any path, at most 200 characters; a plain one if none."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"\\')[:200]
    return base or ("dokument.pdf" if content_type == PDF else "dokument.odt")


@dataclass(frozen=True)
class MeetingDocument:
    id: str
    event_id: str
    group_id: str
    title: str
    filename: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    uploaded_by_organisation_id: str | None


class DocumentRepository(Protocol):
    async def add(self, document: MeetingDocument, data: bytes) -> None: ...

    async def get(self, document_id: str) -> MeetingDocument | None: ...

    async def content(self, document_id: str) -> bytes | None: ...

    async def delete(self, document_id: str) -> None: ...

    async def of_event(self, event_id: str) -> list[MeetingDocument]: ...


def _not_found() -> NotFoundError:
    return NotFoundError("No document with this id.", slug="document-not-found")


def _acting_organisation(group: Group, user: Principal) -> str | None:
    """Whom an upload is recorded for: the caller's member organisation, else the coordinator
    (office staff acting for the group: none)."""
    for organisation_id in group.member_ids:
        if organisation_id in user.organisation_ids:
            return organisation_id
    return None


class Documents:
    def __init__(self, store: DocumentRepository, groups: GroupRepository, max_bytes: int) -> None:
        self.store = store
        self.groups = groups
        self.max_bytes = max_bytes

    async def _group_of_event(self, event_id: str, user: Principal | None) -> Group:
        """The group of a meeting whose documents the caller may read."""
        event = await self.groups.get_event(event_id)
        group = None
        if event is not None and event.group_id is not None:
            group = await self.groups.get_group(event.group_id)
        if group is None:
            raise NotFoundError("No meeting of a working group with this id.", slug="no-such-event")
        if not group.reads_documents(user):
            raise _not_found()
        return group

    async def upload(
        self,
        event_id: str,
        filename: str | None,
        title: str | None,
        data: bytes,
        user: Principal,
    ) -> MeetingDocument:
        group = await self._group_of_event(event_id, user)
        if len(data) > self.max_bytes:
            raise TooLargeError(
                f"A document may have at most {self.max_bytes} bytes.", slug="document-too-large"
            )
        content_type = document_type(data)
        if content_type is None:
            raise UnsupportedTypeError(
                "Only PDF and ODT (OpenDocument text) documents are taken.",
                slug="unsupported-document-type",
            )
        name = clean_filename(filename, content_type)
        document = MeetingDocument(
            id=new_id(),
            event_id=event_id,
            group_id=group.id,
            title=(title or "").strip()[:200] or name,
            filename=name,
            content_type=content_type,
            size=len(data),
            uploaded_at=utc_now().replace(microsecond=0),
            uploaded_by_organisation_id=_acting_organisation(group, user),
        )
        await self.store.add(document, data)
        return document

    async def of_event(self, event_id: str, user: Principal | None) -> list[MeetingDocument]:
        await self._group_of_event(event_id, user)
        return await self.store.of_event(event_id)

    async def _readable(
        self, document_id: str, user: Principal | None
    ) -> tuple[MeetingDocument, Group]:
        document = await self.store.get(document_id)
        group = await self.groups.get_group(document.group_id) if document else None
        if document is None or group is None or not group.reads_documents(user):
            raise _not_found()
        return document, group

    async def download(
        self, document_id: str, user: Principal | None
    ) -> tuple[MeetingDocument, bytes]:
        document, _ = await self._readable(document_id, user)
        data = await self.store.content(document_id)
        if data is None:
            raise _not_found()
        return document, data

    async def delete(self, document_id: str, user: Principal) -> None:
        """The uploading organisation's members, or those who manage the group."""
        document, group = await self._readable(document_id, user)
        uploader = document.uploaded_by_organisation_id
        if not (group.may_manage(user) or (uploader is not None and user.may_edit(uploader))):
            raise ForbiddenError(
                "Only the uploading organisation or the group's coordinator may delete it.",
                slug="forbidden",
            )
        await self.store.delete(document_id)
