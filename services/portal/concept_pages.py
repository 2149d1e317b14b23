"""The city's integration concept in the portal: the overview of the fields of action with
their goals and measures (`/konzept`, filterable), a measure's page with its history,
indicators and the events and listings that carry it out, and the one-step status update of
a lead organisation's editors (the form on the measure's page and on `/me`).

What anyone sees is the concept service's decision: the portal forwards the session's token,
and without one the service shows the public measures only."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from services.portal import charts, labels
from services.portal.clients.base import Page, Problem, optional, unless_refused
from services.portal.clients.concept import Measure, MeasureLine, Overview
from services.portal.clients.directory import Organisation
from services.portal.i18n import _
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see
from shared.ids import ENTITY_ID_PATTERN

router = APIRouter(default_response_class=HTMLResponse)

StatusChoice = Annotated[str, Query(pattern="^(|" + "|".join(charts.STATUS_ORDER) + ")$")]
#: Where the status form sends the browser back to: the measure's page or `/me`.
BACK = r"^(/me|/konzept/massnahmen/[0-9a-f-]{36})$"


async def organisation_names(portal: PortalRequest) -> dict[str, str]:
    """Names of the network's organisations (leads and partners are named by id); empty when
    the directory cannot say, and the pages then say "eine Organisation"."""
    found: dict[str, str] = {}
    offset: int | None = 0
    for _page in range(10):  # at most 1,000 organisations: the network, not the city
        if offset is None:
            break
        page: Page[Organisation] | None = await optional(
            portal.directory.organisations(token=portal.token, limit=100, offset=offset)
        )
        if page is None:
            break
        found.update((o.id, o.name) for o in page.items)
        offset = page.next_offset
    return found


def measures_by_goal(overview: Overview) -> dict[str, list[MeasureLine]]:
    grouped: dict[str, list[MeasureLine]] = defaultdict(list)
    for measure in overview.measures:
        grouped[measure.goal_number].append(measure)
    return grouped


def progress_chart(overview: Overview) -> Markup:
    rows = [(f"{f.number} {f.title}", f.statuses) for f in overview.fields]
    return charts.stacked_bars(rows, title=_("Umsetzungsstand je Handlungsfeld"), chart_id="stand")


@router.get("/konzept")
async def overview_page(
    portal: Portal,
    feld: Annotated[str, Query(max_length=10, pattern=r"^[0-9]*$")] = "",
    status: StatusChoice = "",
    federfuehrung: Annotated[str, Query(pattern=f"^(|{ENTITY_ID_PATTERN[1:-1]})$")] = "",
    stadtteil: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    chosen = {"feld": feld, "status": status, "federfuehrung": federfuehrung}
    chosen["stadtteil"] = stadtteil.strip()
    filters = {
        key: value
        for key, value in (
            ("field", feld),
            ("status", status),
            ("lead", federfuehrung),
            ("district", chosen["stadtteil"]),
        )
        if value
    }
    token = portal.token
    overview = await unless_refused(portal.concept.overview(token, **filters))
    if overview is None:
        return portal.message(
            404,
            title=_("Integrationskonzept"),
            message=_("Es gibt noch kein Integrationskonzept im Portal."),
        )
    everything, names = await asyncio.gather(
        portal.concept.overview(token) if filters else _same(overview),
        organisation_names(portal),
    )
    lead_names = {
        lead: names.get(lead, _("eine Organisation"))
        for lead in {m.lead_organisation_id for m in everything.measures}
        if lead is not None
    }
    leads = sorted(lead_names.items(), key=lambda item: item[1].casefold())
    return portal.page(
        "concept.html",
        overview=overview,
        fields=everything.concept.fields,
        by_goal=measures_by_goal(overview),
        chart=progress_chart(overview),
        chosen=chosen,
        filtered=bool(filters),
        leads=leads,
        names=names,
        statuses=labels.MEASURE_STATUSES,
        status_order=charts.STATUS_ORDER,
        distribution=charts.distribution_sentence,
    )


async def _same(overview: Overview) -> Overview:
    return overview


def _not_found(portal: PortalRequest) -> HTMLResponse:
    return portal.not_found(
        _("Diese Maßnahme gibt es nicht, oder sie ist für Sie nicht sichtbar."),
        ("/konzept", _("Zum Integrationskonzept")),
    )


def indicator_charts(measure: Measure) -> list[Markup]:
    return [
        charts.line_chart(
            [(value.on, value.value) for value in indicator.values],
            title=f"Verlauf: {indicator.name}",
            unit=indicator.unit,
            target=indicator.target,
            chart_id=f"kennzahl-{index}",
        )
        for index, indicator in enumerate(measure.indicators)
    ]


@router.get("/konzept/massnahmen/{measure_id}")
async def measure_page(measure_id: EntityPath, portal: Portal) -> Response:
    token = portal.token
    measure = await unless_refused(portal.concept.measure(measure_id, token))
    if measure is None:
        return _not_found(portal)
    activities, names, me = await asyncio.gather(
        optional(portal.concept.activities(measure_id, token)),
        organisation_names(portal),
        optional(portal.directory.me(token)) if token else _nobody(),
    )
    lead = measure.lead_organisation_id
    may_record = me is not None and (me.is_admin or (lead is not None and me.may_act_for(lead)))
    return portal.page(
        "measure.html",
        measure=measure,
        activities=activities,
        names=names,
        charts=indicator_charts(measure),
        may_record=may_record,
        me_id=me.person_id if me else "",
        statuses=labels.MEASURE_STATUSES,
        visibilities=labels.MEASURE_VISIBILITIES,
        kinds=labels.ACTIVITY_KINDS,
        error=None,
    )


async def _nobody() -> None:
    return None


@router.post("/konzept/massnahmen/{measure_id}/stand")
async def record_status(
    measure_id: EntityPath,
    portal: Portal,
    session: SignedIn,
    status: Annotated[str, Form(pattern="^(" + "|".join(charts.STATUS_ORDER) + ")$")],
    satz: Annotated[str, Form(max_length=1000)] = "",
    zurueck: Annotated[str, Form(pattern=BACK)] = "/me",
) -> Response:
    """A status with its sentence, as of today (the lead's editors and office staff)."""
    try:
        await portal.concept.record_status(measure_id, status, satz.strip(), session.token)
    except Problem as problem:
        link = (zurueck, _("Zurück"))
        return portal.refused(problem, "measure.status", title=_("Nicht eingetragen"), link=link)
    anchor = f"#massnahme-{measure_id}" if zurueck == "/me" else "#verlauf"
    return see(zurueck + anchor)
