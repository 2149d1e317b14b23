"""The interim report on the concept (`/konzept/bericht`): office staff publish one at a
cut-off day; everyone reads the published ones, each as their visibility allows — on the page
(the status distribution per field as a chart, what changed since the previous report, every
measure with its latest sentence, the activity counts, the yearly figures) and as PDF, workbook
or JSON, which the portal passes through from the concept service as the iCalendar feeds are
(the reader's session goes with it, so the files hold exactly what the page shows)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from services.portal import charts, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, optional, unless_refused
from services.portal.clients.concept import MEDIA_TYPES, Report
from services.portal.i18n import N_, _
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see
from shared.clock import BERLIN

router = APIRouter(default_response_class=HTMLResponse)
TO_REPORTS = ("/konzept/bericht", N_("Zu den Berichten"))


def report_chart(content: dict[str, Any]) -> Markup:
    rows = [
        (f"{field.get('number', '')} {field.get('title', '')}", field.get("statuses", {}))
        for field in content.get("fields", [])
    ]
    return charts.stacked_bars(
        rows, title=_("Umsetzungsstand je Handlungsfeld"), chart_id="bericht"
    )


async def _is_office(portal: PortalRequest) -> bool:
    token = portal.token
    me = await optional(portal.directory.me(token)) if token else None
    return me is not None and me.is_admin


def _report_page(
    portal: PortalRequest,
    report: Report | None,
    reports: list[Any],
    *,
    office: bool,
    status_code: int = 200,
    error: str | None = None,
    cut_off: str = "",
    title: str = "",
) -> Response:
    content = report.content if report else {}
    return portal.page(
        "report.html",
        status_code,
        report=report,
        content=content,
        chart=report_chart(content) if report else None,
        reports=reports,
        office=office,
        error=error,
        cut_off=cut_off or dt.datetime.now(BERLIN).date().isoformat(),
        title=title,
        statuses=labels.MEASURE_STATUSES,
        status_order=charts.STATUS_ORDER,
        distribution=charts.distribution_sentence,
    )


@router.get("/konzept/bericht")
async def reports_page(portal: Portal) -> Response:
    """The published reports, the latest in full; office staff publish the next one here."""
    reports, office = await optional(portal.concept.reports()), await _is_office(portal)
    latest = None
    if reports:
        latest = await unless_refused(portal.concept.report(reports[0].id, portal.token))
    status_code = 503 if reports is None else 200
    return _report_page(portal, latest, reports or [], office=office, status_code=status_code)


@router.post("/konzept/bericht")
async def publish_report(
    portal: Portal,
    session: SignedIn,
    stichtag: Annotated[str, Form(max_length=20)] = "",
    titel: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    async def again(status_code: int, error: str) -> Response:
        reports = await optional(portal.concept.reports()) or []
        office = await _is_office(portal)
        return _report_page(
            portal,
            None,
            reports,
            office=office,
            status_code=status_code,
            error=error,
            cut_off=stichtag,
            title=titel,
        )

    try:
        cut_off = dt.date.fromisoformat(stichtag)
    except ValueError:
        return await again(422, _("Bitte geben Sie den Stichtag als Datum an."))
    try:
        published = await portal.concept.publish_report(
            cut_off.isoformat(), titel.strip(), session.token
        )
    except BackendUnavailableError:
        return await again(503, labels.unreachable("concept"))
    except Problem as problem:
        return await again(problem.status, refusals.refusal("report.publish", problem))
    return see(f"/konzept/berichte/{published.id}")


async def _file(portal: PortalRequest, report_id: str, suffix: str) -> Response:
    try:
        content = await portal.concept.report_file(report_id, suffix, portal.token)
    except Problem:
        return portal.not_found(NO_REPORT, TO_REPORTS)
    name = f"integrationsbericht-{report_id[:8]}.{suffix}"
    return Response(
        content,
        media_type=MEDIA_TYPES[suffix],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


NO_REPORT = N_("Diesen Bericht gibt es nicht.")


@router.get("/konzept/berichte/{report_id}.pdf", response_class=Response)
async def report_pdf(report_id: EntityPath, portal: Portal) -> Response:
    return await _file(portal, report_id, "pdf")


@router.get("/konzept/berichte/{report_id}.xlsx", response_class=Response)
async def report_workbook(report_id: EntityPath, portal: Portal) -> Response:
    return await _file(portal, report_id, "xlsx")


@router.get("/konzept/berichte/{report_id}.json", response_class=Response)
async def report_json(report_id: EntityPath, portal: Portal) -> Response:
    """The same numbers for the city's open-data portal."""
    report = await unless_refused(portal.concept.report(report_id, portal.token))
    if report is None:
        return portal.not_found(NO_REPORT, TO_REPORTS)
    return JSONResponse(report.model_dump(mode="json"))


@router.get("/konzept/berichte/{report_id}")
async def report_page(report_id: EntityPath, portal: Portal) -> Response:
    report = await unless_refused(portal.concept.report(report_id, portal.token))
    if report is None:
        return portal.not_found(NO_REPORT, TO_REPORTS)
    reports = await optional(portal.concept.reports()) or []
    return _report_page(portal, report, reports, office=await _is_office(portal))
