"""Importing the office's spreadsheet of measures: the preview (nothing is saved) and the
import itself, which saves only a file without a single wrong row (`imports.py` plans both)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from services.concept import domain
from services.concept.domain import Measure
from services.concept.imports import ROW_FIELDS, ImportPlan, MeasureRow, plan_import
from services.concept.repository import MeasureChange
from services.concept.service import ConceptService, office_only
from services.concept.spreadsheet import SpreadsheetError, read_rows
from shared.auth import Principal
from shared.contracts.base import Payload
from shared.errors import ConflictError, RejectedError
from shared.ids import new_id


class ConceptImport:
    def __init__(self, concept: ConceptService) -> None:
        self.concept = concept
        self.store = concept.store

    async def preview(self, content: bytes, user: Principal) -> ImportPlan:
        """What importing the file would create and change, and which rows are wrong and why."""
        office_only(user)
        try:
            sheet = read_rows(content, self.concept.settings.import_max_rows)
        except SpreadsheetError as exc:
            raise RejectedError(str(exc), slug=exc.slug) from exc
        current = await self.concept.concept()
        measures = await self.store.measures_of(current.id)
        organisations = await self.store.organisations()
        return plan_import(sheet, current, measures, organisations)

    async def apply(
        self, content: bytes, user: Principal, correlation_id: str | None
    ) -> ImportPlan:
        """Import the file, or nothing at all when a row is wrong."""
        plan = await self.preview(content, user)
        if plan.errors:
            raise RejectedError(
                "Die Datei hat fehlerhafte Zeilen; es wurde nichts übernommen.",
                slug="import-has-errors",
                rows=[dataclasses.asdict(error) for error in plan.errors],
            )
        current = await self.concept.concept()
        if plan.structure_changed:
            await self.concept.save_structure(current.model_copy(update={"fields": plan.fields}))
        now, today = self.concept.clock(), self.concept.today()
        for planned in plan.rows:
            row = planned.row
            if planned.action == "create":
                measure = _new_measure(current.id, row, user.person_id, now, today)
                if not await self.store.add_measure(
                    measure, domain.created(measure), correlation_id
                ):
                    raise ConflictError(
                        f"Maßnahme {row.number} wurde gleichzeitig angelegt.", slug="busy"
                    )
            elif planned.action == "change" and planned.measure_id:
                change = _change_to(row, user.person_id, now, today)
                await self.store.update_measure(planned.measure_id, change, correlation_id)
        return plan


def _new_measure(
    concept_id: str, row: MeasureRow, person_id: str, now: dt.datetime, today: dt.date
) -> Measure:
    return Measure(
        id=new_id(),
        concept_id=concept_id,
        number=row.number,
        goal_number=row.goal_number,
        **{name: getattr(row, name) for name in ROW_FIELDS},
        status=row.status,
        history=[
            domain.StatusEntry(
                on=today, status=row.status, comment=row.comment, by=person_id, recorded_at=now
            )
        ],
        created_at=now,
        updated_at=now,
    )


def _change_to(row: MeasureRow, person_id: str, now: dt.datetime, today: dt.date) -> MeasureChange:
    """The row's description, then its status (with its sentence) if that moved."""

    def change(measure: Measure) -> tuple[Measure, Sequence[Payload]] | None:
        events: list[Payload] = []
        described = domain.describe(
            measure,
            {name: getattr(row, name) for name in (*ROW_FIELDS, "goal_number")},
            now,
        )
        if described is not None:
            measure, announced = described
            events.extend(announced)
        if row.status is measure.status:
            return (measure, events) if described is not None else None
        measure, announced = domain.change_status(
            measure, row.status, today, row.comment, person_id, now
        )
        return measure, [*events, *announced]

    return change
