"""The documents of a working group's meetings: what the event page of a meeting shows (its
group, its topic, its documents and, for the group's members, an upload form), the download
through the portal (`/dokumente/{id}`: the calendar hands the file out to the session of a
group member or office staff only), uploading and deleting."""

from __future__ import annotations

import asyncio
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.portal import forms, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Download, Problem, optional
from services.portal.clients.calendar import Event
from services.portal.i18n import _
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see
from shared.ids import is_entity_id

router = APIRouter(default_response_class=HTMLResponse)

#: Where the upload form posts: one fixed path, so that it alone may take a large body.
UPLOAD_PATH = "/dokumente"
#: The kinds of documents the calendar keeps; any other type is passed on as bytes.
DOCUMENT_TYPES = ("application/pdf", "application/vnd.oasis.opendocument.text")
#: What cannot stand in a quoted file name of a header.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._ ()+-]")
_EXTENDED_NAME = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;\s]+)", re.IGNORECASE)
_PLAIN_NAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


async def meeting_part(portal: PortalRequest, event: Event) -> dict[str, Any]:
    """What the event page shows of a group meeting: the group (None when the reader may not
    see it), its documents (None when the reader may not read them or the calendar cannot
    say), whether the reader may upload (members of member organisations, managers), and the
    reader's organisations (`mine`)."""
    part: dict[str, Any] = {"group": None, "documents": None, "may_upload": False, "mine": []}
    token = portal.token
    if not event.group_id:
        return part
    group = await optional(portal.calendar.group(event.group_id, token))
    part["group"] = group
    if group is None or token is None or not (group.is_member or group.may_manage):
        return part
    documents, me = await asyncio.gather(
        optional(portal.calendar.documents(event.id, token)),
        optional(portal.directory.me(token)),
    )
    # the reader's organisations may delete what they uploaded (the managers anything)
    mine = [o.id for o in me.organisations] if me else []
    return {**part, "documents": documents, "may_upload": True, "mine": mine}


def _back(event_id: str) -> tuple[str, str]:
    return (f"/events/{event_id}#dokumente", _("Zurück zum Treffen"))


@router.post(UPLOAD_PATH)
async def upload_document(portal: Portal, session: SignedIn) -> Response:
    settings = portal.request.app.state.settings
    form = await portal.request.form(max_files=1, max_fields=5)
    event_id = forms.text_of(form, "event_id", strip=True)
    if not is_entity_id(event_id):
        return portal.message(422, title=_("Ungültige Eingabe"), message=refusals.NO_SUCH_MEETING)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return portal.message(
            422,
            title=_("Nicht hochgeladen"),
            message=_("Bitte wählen Sie eine Datei aus."),
            link=_back(event_id),
        )
    content = await upload.read(settings.document_max_bytes + 1)
    name = PurePath(upload.filename).name
    file = (name, content, upload.content_type or "application/octet-stream")
    title = forms.text_of(form, "title", strip=True)
    try:
        await portal.calendar.upload_document(event_id, file, title, session.token)
    except BackendUnavailableError:
        return portal.message(
            503,
            title=_("Nicht hochgeladen"),
            message=labels.unreachable("calendar"),
            link=_back(event_id),
        )
    except Problem as problem:
        return portal.refused(
            problem, "document.upload", title=_("Nicht hochgeladen"), link=_back(event_id)
        )
    return see(f"/events/{event_id}#dokumente")


def file_name(disposition: str) -> str:
    """The file name a `Content-Disposition` names (its `filename*` first, RFC 6266), without
    any folder; "dokument" when it names none."""
    extended = _EXTENDED_NAME.search(disposition)
    plain = _PLAIN_NAME.search(disposition)
    if extended:
        charset = "utf-8" if extended[1].lower() == "utf-8" else "latin-1"
        named = unquote(extended[2], encoding=charset, errors="replace")
    else:
        named = (plain[1] or plain[2] or "") if plain else ""
    return PurePath(named.replace("\\", "/")).name or "dokument"


def attachment(name: str) -> str:
    """A `Content-Disposition` that saves the file as `name` (RFC 6266: a plain fallback and
    the UTF-8 name)."""
    plain = _UNSAFE_IN_NAME.sub("_", name) or "dokument"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def as_download(document: Download) -> Response:
    """The calendar's file, always as an attachment, as a PDF or ODT or else as plain bytes."""
    media_type = document.media_type.split(";", 1)[0].strip().lower()
    return Response(
        document.content,
        media_type=media_type if media_type in DOCUMENT_TYPES else "application/octet-stream",
        headers={"Content-Disposition": attachment(file_name(document.disposition))},
    )


@router.get("/dokumente/{document_id}", response_class=Response)
async def download_document(document_id: EntityPath, portal: Portal) -> Response:
    try:
        document = await portal.calendar.document(document_id, portal.token)
    except Problem:
        return portal.not_found(refusals.NO_SUCH_DOCUMENT)
    return as_download(document)


@router.post("/dokumente/{document_id}/loeschen")
async def delete_document(document_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    event_id = forms.text_of(await portal.form(), "event_id", strip=True)
    back = _back(event_id) if is_entity_id(event_id) else None
    try:
        await portal.calendar.delete_document(document_id, session.token)
    except Problem as problem:
        return portal.refused(problem, "document.delete", title=_("Nicht gelöscht"), link=back)
    return see(f"/events/{event_id}#dokumente" if back else "/arbeitsgruppen")
