"""Pages for office staff only: "Did we email them?" — the notifier's delivery log, searchable
by address and status, for the person on the phone with a partner who got nothing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from services.portal import labels
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Page, Problem
from services.portal.clients.directory import Organisation
from services.portal.clients.notifier import Delivery
from services.portal.i18n import _, berlin_datetime
from services.portal.web import BACK_TO_ME, Portal, SignedIn
from shared.clock import BERLIN
from shared.spreadsheets import csv_download, german_csv

router = APIRouter(default_response_class=HTMLResponse)

PAGE_SIZE = 50


@router.get("/buero/zustellungen")
async def delivery_log(
    portal: Portal,
    session: SignedIn,
    adresse: Annotated[str, Query(max_length=320)] = "",
    status: Annotated[str, Query(pattern=r"^(|pending|sent|failed|skipped)$")] = "",
    ab: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    params: dict[str, Any] = {"limit": PAGE_SIZE, "offset": ab}
    if adresse.strip():
        params["recipient"] = adresse.strip().lower()
    if status:
        params["status"] = status
    log: Page[Delivery] | None = None
    try:
        log = await portal.notifier.deliveries(session.token, **params)
    except BackendUnavailableError:
        pass  # the page says so
    except Problem as problem:
        if problem.generic == "forbidden":
            return portal.message(
                403,
                title=_("Nur für das Büro"),
                message=_("Das Zustellprotokoll sieht nur das Büro des Amts für Integration."),
                link=BACK_TO_ME,
            )
    return portal.page(
        "delivery_log.html",
        503 if log is None else 200,
        log=log,
        adresse=adresse,
        status=status,
        statuses=labels.DELIVERY_STATUSES,
        templates=labels.EMAIL_TEMPLATES,
    )


# --- the directory as a spreadsheet ----------------------------------------------------------

CSV_COLUMNS = (
    "Name",
    "Art",
    "Stadtteil",
    "Adresse",
    "E-Mail",
    "Telefon",
    "Website",
    "Sprachen",
    "Communities",
    "Handlungsfelder",
    "Status",
    "Angelegt",
    "Geändert",
)


def _csv_cells(organisation: Organisation) -> list[str]:
    return [
        organisation.name,
        labels.ORGANISATION_KINDS.get(organisation.kind, organisation.kind),
        organisation.district or "",
        organisation.address or "",
        organisation.email or "",
        organisation.phone or "",
        organisation.website or "",
        ", ".join(organisation.languages),
        ", ".join(organisation.communities),
        ", ".join(labels.FIELDS_OF_ACTION.get(f, f) for f in organisation.fields),
        "archiviert" if organisation.status == "archived" else "aktiv",
        berlin_datetime(organisation.created_at),
        berlin_datetime(organisation.updated_at),
    ]


def spreadsheet(organisations: list[Organisation]) -> str:
    """CSV as German spreadsheet programs open it by a double click, sorted by name."""
    by_name = sorted(organisations, key=lambda o: o.name.casefold())
    return german_csv(CSV_COLUMNS, (_csv_cells(organisation) for organisation in by_name))


@router.get("/buero/organisationen.csv", response_class=Response)
async def directory_spreadsheet(
    portal: Portal,
    session: SignedIn,
    archivierte: Annotated[bool, Query()] = False,
) -> Response:
    """Every organisation of the network (with the archived ones on request) for office staff:
    for mailings, reports to the council, a printed list at the network meeting."""
    try:
        is_admin = (await session.person()).is_admin
    except Problem:
        is_admin = False
    if not is_admin:
        return portal.message(
            403,
            title=_("Nur für das Büro"),
            message=_("Die Liste aller Organisationen lädt nur das Büro herunter."),
            link=("/organisations", _("Zu den Organisationen")),
        )
    organisations: list[Organisation] = []
    for status in ["active", "archived"] if archivierte else ["active"]:
        # up to 10,000 organisations: the whole network, not a choice list
        pages = portal.directory.all_organisations(session.token, status=status, max_pages=100)
        async for items in pages:
            organisations.extend(items)
    today = dt.datetime.now(BERLIN).date().isoformat()
    return csv_download(spreadsheet(organisations), f"organisationen-{today}.csv")
