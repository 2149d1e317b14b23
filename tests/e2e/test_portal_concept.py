"""The integration concept in a real browser: the office imports its spreadsheet through the
preview (a file with wrong rows first, then the right one), an editor of a lead organisation
records a measure's status from "Mein Bereich", and the office publishes a report whose PDF and
workbook open."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from scripts.concept_seed import LEADS, concept_edition
from tests.data.concept.make_fixture import GOOD, WITH_ERRORS
from tests.integration.concept_fixtures import ServedConceptStack
from tests.support.browser import logged_in_page
from tests.support.infra import RabbitVhost
from tests.support.members import member_with_password
from tests.support.portal import served_portal
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDITOR = "leitung@vhs-kempten.example"
PASSWORD = "Volkshochschule-Kempten-2026"


async def office_page(browser: Browser, portal_url: str) -> Page:
    page = await logged_in_page(browser, portal_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    await page.wait_for_url(re.compile(r"/me$"))
    return page


async def test_the_office_imports_its_spreadsheet_through_the_preview(
    served_concept_stack: ServedConceptStack, browser: Browser
) -> None:
    stack = served_concept_stack
    for lead in LEADS:
        await stack.organisation(**lead)
    adopted = await stack.concept.post(
        "/concept/editions", json=concept_edition(), headers=stack.admin
    )
    assert adopted.status_code == 201, adopted.text

    async with served_portal(**stack.urls) as portal_url:
        page = await office_page(browser, portal_url)
        await page.get_by_role("link", name="Maßnahmen aus einer Tabelle importieren").click()
        await page.wait_for_url(re.compile(r"/konzept/import$"))

        await page.get_by_label("Tabelle (.xlsx oder .csv, höchstens 5 MB)").set_input_files(
            WITH_ERRORS
        )
        await page.get_by_role("button", name="Vorschau zeigen").click()
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "7 Zeilen sind fehlerhaft." in await alert.inner_text()
        wrong = page.locator("tr.row-error")
        assert await wrong.count() == 7
        unknown_lead = wrong.filter(has_text="Verein, den es nicht gibt")
        assert await unknown_lead.locator("td").first.inner_text() == "20"
        assert await wrong.filter(has_text="31.02.2023").count() == 1
        assert await page.get_by_role("button", name="Importieren").count() == 0
        assert (await stack.concept.get("/measures", headers=stack.admin)).json()["total"] == 0

        await page.get_by_role("link", name="Korrigierte Tabelle hochladen").click()
        await page.get_by_label("Tabelle (.xlsx oder .csv, höchstens 5 MB)").set_input_files(GOOD)
        await page.get_by_role("button", name="Vorschau zeigen").click()
        await page.get_by_role("button", name="Importieren").wait_for()
        assert "144 Maßnahmen würden neu angelegt" in await page.inner_text("main")
        await page.get_by_role("button", name="Importieren").click()
        done = page.get_by_role("status")
        await done.wait_for()
        assert "144 Maßnahmen neu angelegt" in await done.inner_text()

        await page.get_by_role("link", name="Zum Integrationskonzept").click()
        await page.wait_for_url(re.compile(r"/konzept$"))
        assert await page.locator("ul.measures li").count() == 144
    assert (await stack.concept.get("/measures", headers=stack.admin)).json()["total"] == 144


async def test_a_lead_editor_records_a_status_in_one_step_from_my_page(
    served_concept_stack: ServedConceptStack, rabbit: RabbitVhost, browser: Browser
) -> None:
    stack = served_concept_stack
    vhs = await stack.adopted_with_lead("Volkshochschule Kempten")
    measure = await stack.measure(
        "1.1.1", title="Sprachcafés in allen Stadtteilen", lead_organisation_id=vhs
    )
    await member_with_password(
        stack.directory,
        stack.admin,
        rabbit.url,
        vhs,
        email=EDITOR,
        name="Petra Huber",
        password=PASSWORD,
    )
    async with served_portal(**stack.urls) as portal_url:
        page = await logged_in_page(browser, portal_url, EDITOR, PASSWORD)
        await page.wait_for_url(re.compile(r"/me$"))
        item = page.locator(f"#massnahme-{measure['id']}")
        assert "geplant" in await item.locator(".badge").inner_text()
        await item.get_by_label("Neuer Stand").select_option(label="in Umsetzung")
        await item.get_by_label("Satz für den Bericht").fill("Drei Sprachcafés laufen wöchentlich.")
        await item.get_by_role("button", name="Stand eintragen").click()
        await page.wait_for_url(re.compile(rf"/me#massnahme-{measure['id']}$"))

        item = page.locator(f"#massnahme-{measure['id']}")
        assert await item.locator(".badge").first.inner_text() == "in Umsetzung"
        assert "Drei Sprachcafés laufen wöchentlich." in await item.inner_text()
        await item.get_by_role("link", name="1.1.1 Sprachcafés in allen Stadtteilen").click()
        await page.wait_for_url(re.compile(r"/konzept/massnahmen/"))
        history = page.locator("#verlauf + .scroll table")
        assert "Drei Sprachcafés laufen wöchentlich." in await history.inner_text()
    stored = (await stack.concept.get(f"/measures/{measure['id']}")).json()
    assert stored["status"] == "in_progress"


async def test_the_office_publishes_a_report_whose_pdf_and_workbook_open(
    served_concept_stack: ServedConceptStack, browser: Browser
) -> None:
    stack = served_concept_stack
    vhs = await stack.adopted_with_lead("Volkshochschule Kempten")
    await stack.measure("1.1.1", title="Sprachcafés in allen Stadtteilen", lead_organisation_id=vhs)
    await stack.measure("3.2.1", title="Vereinslotsen", status="in_progress")

    async with served_portal(**stack.urls) as portal_url:
        page = await office_page(browser, portal_url)
        await page.get_by_role("link", name="Bericht veröffentlichen").click()
        await page.wait_for_url(re.compile(r"/konzept/bericht$"))
        assert "Noch ist kein Bericht veröffentlicht." in await page.inner_text("main")
        await page.get_by_label("Titel").fill("Zwischenstand Dezember")
        await page.get_by_role("button", name="Bericht veröffentlichen").click()
        await page.wait_for_url(re.compile(r"/konzept/berichte/[0-9a-f-]{36}$"))
        assert await page.inner_text("h1") == "Zwischenstand Dezember"
        chart = page.get_by_role("img", name="Umsetzungsstand je Handlungsfeld")
        assert await chart.count() == 1

        downloaded = {}
        for name in ("PDF", "Excel (XLSX)"):
            async with page.expect_download() as caught:
                await page.get_by_role("link", name=name).click()
            download = await caught.value
            downloaded[name] = (download.suggested_filename, await download.path())
        assert downloaded["PDF"][0].endswith(".pdf")
        assert downloaded["PDF"][1].read_bytes().startswith(b"%PDF")
        assert downloaded["Excel (XLSX)"][0].endswith(".xlsx")
        sheets = load_workbook(io.BytesIO(downloaded["Excel (XLSX)"][1].read_bytes()))
        cells = [v for row in sheets.worksheets[0].iter_rows(values_only=True) for v in row]
        assert "Zwischenstand Dezember" in " ".join(str(c) for c in cells if c)

        # what the links answer, as the browser gets it
        for name, media_type in (("PDF", "application/pdf"), ("Excel (XLSX)", XLSX)):
            href = await page.get_by_role("link", name=name).get_attribute("href")
            assert href is not None
            answer = await page.request.get(portal_url + href)
            assert answer.status == 200
            assert answer.headers["content-type"] == media_type
