"""The interim report in the portal, without a browser: office staff publish it at a cut-off
day; the page, the PDF, the workbook and the JSON the portal passes on hold the same numbers,
and each reader sees the measures their visibility allows."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tests.integration.concept_fixtures import ServedConceptStack
from tests.support.portal import portal_client, session_of, signed_in_portal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_office_staff_publish_a_report_everyone_reads_as_far_as_they_may(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    lead = await stack.adopted_with_lead("Volkshochschule Kempten")
    await stack.measure(
        "1.1.1", title="Sprachcafés in allen Stadtteilen", lead_organisation_id=lead
    )
    await stack.measure("3.2.1", title="Vereinslotsen", visibility="network", status="in_progress")
    fact = await stack.concept.put(
        "/facts/einwohner",
        json={"name": "Einwohnerinnen und Einwohner", "values": {"2020": 70787, "2023": 72477}},
        headers=stack.admin,
    )
    assert fact.status_code == 200, fact.text
    today = dt.datetime.now(dt.UTC).date()
    next_month = (today + dt.timedelta(days=30)).isoformat()

    async with signed_in_portal(session_of(stack.admin), **stack.urls) as client:
        form = await client.get("/konzept/bericht")
        future = await client.post("/konzept/bericht", data={"stichtag": next_month})
        not_a_day = await client.post("/konzept/bericht", data={"stichtag": "gestern"})
        published = await client.post(
            "/konzept/bericht", data={"stichtag": today.isoformat(), "titel": "Zwischenstand"}
        )
        assert published.status_code == 303, published.text
        report_path = published.headers["location"]
        as_office = await client.get(report_path)
    async with portal_client(**stack.urls) as client:
        as_anyone = await client.get("/konzept/bericht")
        pdf = await client.get(f"{report_path}.pdf")
        workbook = await client.get(f"{report_path}.xlsx")
        data = await client.get(f"{report_path}.json")
        unknown = await client.get("/konzept/berichte/01a20175-6dad-718f-a12c-c0b9a10eb02c.pdf")

    assert 'action="/konzept/bericht"' in form.text
    assert future.status_code == 422
    assert "Der Stichtag darf nicht in der Zukunft liegen." in future.text
    assert not_a_day.status_code == 422
    assert "Bitte geben Sie den Stichtag als Datum an." in not_a_day.text

    assert "Vereinslotsen" in as_office.text  # office staff see the network measure
    page = as_anyone.text
    assert as_anyone.status_code == 200
    assert "<h1>Zwischenstand</h1>" in page
    assert "Sprachcafés in allen Stadtteilen" in page
    assert "Vereinslotsen" not in page
    assert "1 Maßnahmen: 1 geplant." in page
    assert "1 Sprache und Bildung: 1 geplant" in page  # the chart's text alternative
    assert "<td>72.477</td><td>+1.690 (+2,4 %)</td>" in page
    assert "Dies ist der erste Bericht." in page

    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert workbook.headers["content-type"] == XLSX
    sheets = load_workbook(io.BytesIO(workbook.content))
    cells = [v for row in sheets.worksheets[0].iter_rows(values_only=True) for v in row]
    assert "Vereinslotsen" not in cells
    assert data.json()["content"]["total"] == 1
    statuses = data.json()["content"]["statuses"]
    assert statuses["planned"] == sum(statuses.values()) == 1
    assert unknown.status_code == 404
    assert "Diesen Bericht gibt es nicht." in unknown.text
