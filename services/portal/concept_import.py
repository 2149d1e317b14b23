"""Office staff import the concept's measures from their spreadsheet: upload an `.xlsx` or
`.csv`, see what it would create and change and which rows are wrong and why, then import —
all rows or, if one is wrong, none (the concept service decides both, the portal says it in
German). The file is held between preview and import (`uploads.py`)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.portal import labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem
from services.portal.clients.concept import CSV, MEDIA_TYPES, ImportPreview
from services.portal.i18n import N_, _
from services.portal.uploads import HeldUploads
from services.portal.web import Portal, PortalRequest, Session, SignedIn

router = APIRouter(default_response_class=HTMLResponse)

#: What the service reads, by the file's ending.
KINDS = {".xlsx": MEDIA_TYPES["xlsx"], ".csv": CSV}
BACK = ("/konzept/import", N_("Eine andere Datei hochladen"))
EXPIRED = N_(
    "Die Vorschau ist abgelaufen (nach 30 Minuten) oder wurde schon importiert. Bitte laden "
    "Sie die Datei noch einmal hoch."
)


class FileRefusedError(ValueError):
    """An upload the portal refuses before asking the service; the message is German."""


def held_uploads(portal: PortalRequest) -> HeldUploads:
    held: HeldUploads = portal.request.app.state.held_uploads
    return held


async def office_only(portal: PortalRequest, session: Session) -> Response | None:
    """The 403 page for anyone but office staff (the service refuses them too)."""
    if (await session.person()).is_admin:
        return None
    return portal.message(
        403,
        title=_("Nur für das Büro"),
        message=refusals.ONLY_OFFICE_CONCEPT,
        link=("/konzept", _("Zum Integrationskonzept")),
    )


def media_type_of(filename: str) -> str:
    kind = KINDS.get(PurePath(filename).suffix.lower())
    if kind is None:
        raise FileRefusedError(
            _(
                "Diese Datei ist keine Tabelle: bitte eine Excel-Datei (.xlsx) oder eine "
                "CSV-Datei (.csv) hochladen."
            )
        )
    return kind


async def read_upload(upload: object, most: int) -> tuple[str, str, bytes]:
    """(name, media type, content) of the form's file; raises FileRefusedError."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FileRefusedError(_("Bitte wählen Sie eine Datei aus."))
    name = PurePath(upload.filename).name
    media_type = media_type_of(name)
    content = await upload.read(most + 1)
    if len(content) > most:
        raise FileRefusedError(_(refusals.FILE_TOO_LARGE))
    if not content.strip():
        raise FileRefusedError(refusals.refusal("concept.import", Problem(422, "empty-file")))
    return name, media_type, content


def _upload_page(portal: PortalRequest, status: int = 200, error: str | None = None) -> Response:
    return portal.page("concept_import.html", status, error=error)


def _preview_page(
    portal: PortalRequest, preview: ImportPreview, name: str, key: str | None, status: int = 200
) -> Response:
    return portal.page(
        "concept_preview.html",
        status,
        preview=preview,
        file_name=name,
        key=key,
        actions=labels.IMPORT_ACTIONS,
        columns=labels.MEASURE_FIELDS,
    )


@router.get("/konzept/import")
async def import_form(portal: Portal, session: SignedIn) -> Response:
    return await office_only(portal, session) or _upload_page(portal)


@router.post("/konzept/import")
async def preview_import(portal: Portal, session: SignedIn) -> Response:
    """The preview: nothing is saved; a file without wrong rows that changes something is
    held for the import."""
    refused = await office_only(portal, session)
    if refused is not None:
        return refused
    settings = portal.request.app.state.settings
    try:
        form = await portal.request.form(max_files=1, max_fields=5)
        name, media_type, content = await read_upload(form.get("datei"), settings.import_max_bytes)
    except FileRefusedError as exc:
        return _upload_page(portal, 422, str(exc))
    try:
        preview = await portal.concept.preview_import(content, media_type, session.token)
    except BackendUnavailableError:
        return _upload_page(portal, 503, labels.unreachable("concept"))
    except Problem as problem:
        return _upload_page(portal, problem.status, refusals.refusal("concept.import", problem))
    key = None
    if not preview.errors and (preview.creates or preview.changes):
        key = held_uploads(portal).keep(session.token, name, media_type, content)
    return _preview_page(portal, preview, name, key)


@router.post("/konzept/import/bestaetigen")
async def run_import(
    portal: Portal,
    session: SignedIn,
    vorschau: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    refused = await office_only(portal, session)
    if refused is not None:
        return refused
    held = held_uploads(portal).get(vorschau, session.token)
    if held is None:
        return portal.message(410, title=_("Vorschau abgelaufen"), message=EXPIRED, link=BACK)
    try:
        done = await portal.concept.run_import(held.content, held.media_type, session.token)
    except BackendUnavailableError:
        message = f"{labels.unreachable('concept')} {_('Die Datei ist noch da.')}"
        return portal.message(503, title=_("Nicht importiert"), message=message, link=BACK)
    except Problem as problem:
        if problem.slug != "import-has-errors":
            return portal.refused(problem, "concept.import", title=_("Nicht importiert"), link=BACK)
        # the concept changed since the preview: show what is wrong now
        again = await portal.concept.preview_import(held.content, held.media_type, session.token)
        held_uploads(portal).drop(vorschau)
        return _preview_page(portal, again, held.name, None, 422)
    held_uploads(portal).drop(vorschau)
    return portal.page("concept_imported.html", done=done, file_name=held.name)
