"""HTTP routes of the interim report: office staff publish one at a cut-off day; everyone
reads the published ones as JSON (the open-data portal), as a workbook or as a PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import Field

from services.concept.inputs import ReportCreate
from services.concept.report_files import XLSX_MEDIA_TYPE
from services.concept.reporting import Reports
from services.concept.repository import PublishedReport
from shared.auth import CurrentUser, OptionalUser
from shared.http import state_dependency
from shared.ids import EntityId
from shared.views import View

ReportUseCases = Annotated[Reports, state_dependency("reports")]

router = APIRouter(prefix="/reports", tags=["reports"])


class ReportSummary(View):
    id: str
    title: str
    cut_off: dt.date
    published_at: dt.datetime


class ReportPublic(ReportSummary):
    content: dict[str, Any] = Field(
        description="The snapshot as the caller may see it: `statuses` and `fields[].statuses` "
        "count the `measures` listed, `changes` since the previous report, `facts` by year."
    )


def _public(report: PublishedReport, view: dict[str, Any]) -> ReportPublic:
    return ReportPublic.read(report, content=view)


def _download(name: str, suffix: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{suffix}"'}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a report: the concept frozen at a cut-off day (office staff)",
)
async def publish_report(
    data: ReportCreate, user: CurrentUser, reports: ReportUseCases, response: Response
) -> ReportPublic:
    report = await reports.publish(data.cut_off, data.title, user)
    response.headers["Location"] = f"/reports/{report.id}"
    return _public(*await reports.view(report.id, user))


@router.get("", summary="Published reports of the current edition, latest cut-off first")
async def list_reports(reports: ReportUseCases) -> list[ReportSummary]:
    return [ReportSummary.read(report) for report in await reports.published()]


@router.get(
    "/{report_id}.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    summary="A report as a workbook",
)
async def report_workbook(
    report_id: EntityId, reports: ReportUseCases, user: OptionalUser
) -> Response:
    content = await reports.xlsx(report_id, user)
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=_download("bericht", "xlsx"))


@router.get(
    "/{report_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="A report as a PDF, with its charts",
)
async def report_pdf(report_id: EntityId, reports: ReportUseCases, user: OptionalUser) -> Response:
    content = await reports.pdf(report_id, user)
    return Response(content, media_type="application/pdf", headers=_download("bericht", "pdf"))


@router.get("/{report_id}", summary="A report as JSON (open data)")
async def get_report(
    report_id: EntityId, reports: ReportUseCases, user: OptionalUser
) -> ReportPublic:
    return _public(*await reports.view(report_id, user))
