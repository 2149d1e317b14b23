"""HTTP routes of the meetings' documents: upload (multipart `file`, optional `title`), list,
download as an attachment, delete."""

from __future__ import annotations

import urllib.parse
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status

from services.calendar.documents import Documents, MeetingDocument
from services.calendar.schemas import BerlinTime, EventId
from services.calendar.settings import CalendarSettings
from shared.auth import CurrentUser, OptionalUser
from shared.http import state_dependency
from shared.ids import EntityId
from shared.views import View

DocumentService = Annotated[Documents, state_dependency("documents")]
UPLOAD_PATH = "/events/{event_id}/documents"
#: Room for the multipart framing and the title around the largest document.
MULTIPART_OVERHEAD = 64 * 1024

router = APIRouter(tags=["documents of meetings"])


def upload_limit(settings: CalendarSettings) -> int:
    """The largest upload request taken in: the largest document and its framing."""
    return settings.document_max_bytes + MULTIPART_OVERHEAD


class DocumentView(View):
    id: str
    title: str
    filename: str
    content_type: str
    size: int
    uploaded_at: BerlinTime
    uploaded_by_organisation_id: str | None


@router.post(
    UPLOAD_PATH,
    status_code=status.HTTP_201_CREATED,
    summary="Add a document (PDF or ODT) to a group's meeting (the group's members)",
    responses={
        413: {"description": "Larger than the calendar takes"},
        415: {"description": "Neither PDF nor ODT"},
    },
)
async def upload(
    event_id: EventId,
    file: Annotated[UploadFile, File(description="The document: PDF or ODT.")],
    user: CurrentUser,
    documents: DocumentService,
    title: Annotated[str | None, Form(max_length=200)] = None,
) -> DocumentView:
    data = await file.read()
    document = await documents.upload(event_id, file.filename, title, data, user)
    return DocumentView.read(document)


@router.get(UPLOAD_PATH, summary="The documents of a group's meeting (the group's members)")
async def list_documents(
    event_id: EventId, user: OptionalUser, documents: DocumentService
) -> list[DocumentView]:
    return [DocumentView.read(d) for d in await documents.of_event(event_id, user)]


def _disposition(document: MeetingDocument) -> str:
    fallback = document.filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    quoted = urllib.parse.quote(document.filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


@router.get(
    "/documents/{document_id}",
    summary="Download a document (the group's members)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/octet-stream": {}}}},
)
async def download(
    document_id: EntityId, user: OptionalUser, documents: DocumentService
) -> Response:
    document, data = await documents.download(document_id, user)
    return Response(
        data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": _disposition(document),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a document (the uploading organisation or the group's coordinator)",
)
async def delete(document_id: EntityId, user: CurrentUser, documents: DocumentService) -> None:
    await documents.delete(document_id, user)
