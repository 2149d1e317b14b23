"""Publishing the interim report and reading it: office staff freeze the concept's state at a
cut-off day; everyone reads the published reports, each seeing the measures their visibility
allows (`reports.py`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from services.concept.domain import visible_levels
from services.concept.report_files import report_pdf, report_xlsx
from services.concept.reports import build_snapshot, report_view
from services.concept.repository import PublishedReport
from services.concept.service import ConceptService, office_only
from shared.auth import Principal
from shared.errors import NotFoundError, RejectedError
from shared.ids import new_id


class Reports:
    def __init__(self, concept: ConceptService) -> None:
        self.concept = concept
        self.store = concept.store

    async def publish(self, cut_off: dt.date, title: str, user: Principal) -> PublishedReport:
        office_only(user)
        if cut_off > self.concept.today():
            raise RejectedError(
                "The cut-off day cannot lie in the future.",
                slug="future-cut-off",
                fields=["cut_off"],
            )
        current = await self.concept.concept()
        measures = await self.store.measures_of(current.id)
        earlier = [r for r in await self.store.reports_of(current.id) if r.cut_off <= cut_off]
        names = {o.id: o.name for o in await self.store.organisations()}
        snapshot = build_snapshot(
            current,
            measures,
            cut_off,
            public_counts=await self.store.activity_counts(["public"]),
            network_counts=await self.store.activity_counts(["public", "network"]),
            lead_names=names,
            facts=await self.store.facts(),
            previous=earlier[0].snapshot if earlier else None,
        )
        report = PublishedReport(
            id=new_id(),
            concept_id=current.id,
            title=title or f"Umsetzungsstand zum {cut_off:%d.%m.%Y}",
            cut_off=cut_off,
            published_at=self.concept.clock(),
            published_by=user.person_id,
            snapshot=snapshot,
        )
        await self.store.add_report(report)
        return report

    async def published(self, edition: int | None = None) -> list[PublishedReport]:
        current = await self.concept.concept(edition)
        return await self.store.reports_of(current.id)

    async def report(self, report_id: str) -> PublishedReport:
        report = await self.store.get_report(report_id)
        if report is None:
            raise NotFoundError("There is no such report.", slug="no-report")
        return report

    async def view(self, report_id: str, user: Principal | None) -> tuple[PublishedReport, Any]:
        report = await self.report(report_id)
        return report, report_view(report.snapshot, visible_levels(user))

    async def xlsx(self, report_id: str, user: Principal | None) -> bytes:
        report, view = await self.view(report_id, user)
        return await asyncio.to_thread(report_xlsx, view, report.title)

    async def pdf(self, report_id: str, user: Principal | None) -> bytes:
        report, view = await self.view(report_id, user)
        return await asyncio.to_thread(report_pdf, view, report.title)
