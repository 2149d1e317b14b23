"""HTTP routes of the spreadsheet import (office staff): the body is the file itself, an
`.xlsx` workbook or a `.csv` text, no larger than the service's body limit (a larger upload is
refused with 413 before it is read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import Field

from services.concept.importing import ConceptImport
from services.concept.imports import ImportPlan
from shared.auth import CurrentUser
from shared.context import current_correlation_id as correlation_id
from shared.http import state_dependency
from shared.views import View

Importer = Annotated[ConceptImport, state_dependency("importer")]

router = APIRouter(prefix="/imports", tags=["imports"])

SPREADSHEET_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


class RowErrorPublic(View):
    line: int = Field(description="The row's line in the file (the header is line 1).")
    number: str
    column: str = Field(description="The German name of the column.")
    message: str = Field(description="What is wrong, in German.")


class PlannedRowPublic(View):
    line: int
    number: str
    title: str
    action: str = Field(description="`create`, `change` or `unchanged`.")
    changed_fields: list[str]


class ImportPreview(View):
    creates: int
    changes: int
    unchanged: int
    new_fields: list[str]
    new_goals: list[str]
    rows: list[PlannedRowPublic]
    errors: list[RowErrorPublic]


def preview_of(plan: ImportPlan) -> ImportPreview:
    return ImportPreview(
        creates=plan.count("create"),
        changes=plan.count("change"),
        unchanged=plan.count("unchanged"),
        new_fields=plan.new_fields,
        new_goals=plan.new_goals,
        rows=[
            PlannedRowPublic(
                line=p.row.line,
                number=p.row.number,
                title=p.row.title,
                action=p.action,
                changed_fields=p.changed_fields,
            )
            for p in plan.rows
        ],
        errors=[RowErrorPublic.read(error) for error in plan.errors],
    )


@router.post(
    "/preview",
    summary="What importing a spreadsheet would do; saves nothing (office staff)",
    openapi_extra=SPREADSHEET_BODY,
)
async def preview_import(request: Request, user: CurrentUser, importer: Importer) -> ImportPreview:
    return preview_of(await importer.preview(await request.body(), user))


@router.post(
    "",
    summary="Import a spreadsheet of measures: all rows or, if one is wrong, none (office staff)",
    openapi_extra=SPREADSHEET_BODY,
)
async def run_import(request: Request, user: CurrentUser, importer: Importer) -> ImportPreview:
    return preview_of(await importer.apply(await request.body(), user, correlation_id()))
