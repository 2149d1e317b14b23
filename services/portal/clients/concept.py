"""The integration concept as the portal uses it: the overview, measures with their history,
indicators and activities, a lead organisation's status update, the spreadsheet import with
its preview, and the published reports (as JSON, and as the files the service renders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from services.portal.clients.base import Page, ServiceClient, View

#: Rendering a report's PDF or importing a large sheet takes the service a while.
SLOW = 60.0
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV = "text/csv"


class Goal(View):
    number: str
    title: str = ""


class FieldOfAction(View):
    number: str
    title: str = ""
    goals: list[Goal] = Field(default_factory=list)


class Concept(View):
    id: str = ""
    edition: int = 1
    title: str = ""
    adopted_on: dt.date | None = None
    adopted_by: str = ""
    period_start: int | None = None
    period_end: int | None = None
    fields: list[FieldOfAction] = Field(default_factory=list)


class FieldProgress(View):
    """A field of action and how its measures stand, counted by status."""

    number: str
    title: str = ""
    goals: list[Goal] = Field(default_factory=list)
    total: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)


class MeasureLine(View):
    id: str
    number: str
    goal_number: str = ""
    title: str = ""
    status: str = ""
    lead_organisation_id: str | None = None
    visibility: str = "public"


class Overview(View):
    concept: Concept
    fields: list[FieldProgress] = Field(default_factory=list)
    measures: list[MeasureLine] = Field(default_factory=list)
    statuses: dict[str, int] = Field(default_factory=dict)


class StatusEntry(View):
    on: dt.date
    status: str
    comment: str = ""
    by: str = ""


class IndicatorValue(View):
    on: dt.date
    value: float


class Indicator(View):
    name: str
    unit: str = ""
    target: float | None = None
    baseline: float | None = None
    values: list[IndicatorValue] = Field(default_factory=list)


class Measure(MeasureLine):
    field_number: str = ""
    description: str = ""
    partner_organisation_ids: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    history: list[StatusEntry] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)


class Activity(View):
    kind: str = ""
    source_id: str = ""
    title: str = ""
    occurred_at: dt.datetime | None = None
    link: str = ""


class RowError(View):
    line: int
    number: str = ""
    column: str = ""
    message: str = ""


class PlannedRow(View):
    line: int
    number: str = ""
    title: str = ""
    action: str = ""
    changed_fields: list[str] = Field(default_factory=list)


class ImportPreview(View):
    creates: int = 0
    changes: int = 0
    unchanged: int = 0
    new_fields: list[str] = Field(default_factory=list)
    new_goals: list[str] = Field(default_factory=list)
    rows: list[PlannedRow] = Field(default_factory=list)
    errors: list[RowError] = Field(default_factory=list)


class ReportSummary(View):
    id: str
    title: str = ""
    cut_off: dt.date
    published_at: dt.datetime


class Report(ReportSummary):
    #: The snapshot as the reader may see it (see the concept's `reports.report_view`).
    content: dict[str, Any] = Field(default_factory=dict)


class ConceptClient(ServiceClient):
    service = "concept"

    async def overview(self, token: str | None, **filters: str) -> Overview:
        return await self._read(Overview, "GET", "/overview", params=filters, token=token)

    async def measures(self, token: str | None, **params: Any) -> Page[Measure]:
        return await self._page(Measure, "/measures", params=params, token=token)

    async def measure(self, measure_id: str, token: str | None) -> Measure:
        return await self._read(Measure, "GET", f"/measures/{measure_id}", token=token)

    async def activities(self, measure_id: str, token: str | None) -> Page[Activity]:
        path = f"/measures/{measure_id}/activities"
        return await self._page(Activity, path, params={"limit": 100}, token=token)

    async def record_status(
        self, measure_id: str, status: str, comment: str, token: str
    ) -> Measure:
        body = {"status": status, "comment": comment}
        path = f"/measures/{measure_id}/status"
        return await self._read(Measure, "POST", path, json=body, token=token)

    async def preview_import(self, content: bytes, media_type: str, token: str) -> ImportPreview:
        """What the sheet would create and change, and its wrong rows; saves nothing."""
        return await self._upload("/imports/preview", content, media_type, token)

    async def run_import(self, content: bytes, media_type: str, token: str) -> ImportPreview:
        """All rows, or none (422 `import-has-errors`)."""
        return await self._upload("/imports", content, media_type, token)

    async def _upload(
        self, path: str, content: bytes, media_type: str, token: str
    ) -> ImportPreview:
        headers = {"Content-Type": media_type}
        return await self._read(
            ImportPreview,
            "POST",
            path,
            content=content,
            headers=headers,
            token=token,
            timeout=SLOW,
        )

    async def reports(self) -> list[ReportSummary]:
        return await self._read(list[ReportSummary], "GET", "/reports")

    async def report(self, report_id: str, token: str | None) -> Report:
        return await self._read(Report, "GET", f"/reports/{report_id}", token=token)

    async def publish_report(self, cut_off: str, title: str, token: str) -> Report:
        body = {"cut_off": cut_off, "title": title}
        return await self._read(Report, "POST", "/reports", json=body, token=token, timeout=SLOW)

    async def report_file(self, report_id: str, suffix: str, token: str | None) -> bytes:
        """The report as the service renders it; `suffix` is a key of `MEDIA_TYPES`."""
        path = f"/reports/{report_id}.{suffix}"
        return await self._read(bytes, "GET", path, token=token, raw=True, timeout=SLOW)
