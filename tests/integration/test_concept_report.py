"""The concept over HTTP on the real database and broker: importing the office's spreadsheet
through the preview, bad uploads, a lead organisation's status update, and a published report
as JSON, workbook and PDF that later edits do not change."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PIL import Image

from scripts.concept_seed import FACTS, LEADS, concept_edition
from services.concept.labels import STATUS_LABELS
from shared.contracts.concept import MeasureStatus
from tests.data.concept.make_fixture import GOOD, WITH_ERRORS
from tests.integration.concept_fixtures import ConceptStack

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def kempten(stack: ConceptStack) -> dict[str, str]:
    """The leads registered, the concept adopted and the 144 measures imported; lead ids."""
    leads = {lead["name"]: await stack.organisation(**lead) for lead in LEADS}
    adopted = await stack.concept.post(
        "/concept/editions", json=concept_edition(), headers=stack.admin
    )
    assert adopted.status_code == 201, adopted.text
    imported = await stack.concept.post(
        "/imports", content=GOOD.read_bytes(), headers={**stack.admin, "Content-Type": XLSX}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["creates"] == 144
    return leads


def problem_slug(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    slug: str = response.json()["type"].rsplit("/", 1)[-1]
    return slug


async def test_the_preview_shows_wrong_rows_and_bad_uploads_get_problem_details(
    concept_stack: ConceptStack,
) -> None:
    stack = concept_stack
    for lead in LEADS:
        await stack.organisation(**lead)
    await stack.concept.post("/concept/editions", json=concept_edition(), headers=stack.admin)
    upload = {**stack.admin, "Content-Type": XLSX}

    preview = await stack.concept.post(
        "/imports/preview", content=WITH_ERRORS.read_bytes(), headers=upload
    )
    refused = await stack.concept.post("/imports", content=WITH_ERRORS.read_bytes(), headers=upload)
    broken = await stack.concept.post("/imports", content=b"PK\x03\x04kaputt", headers=upload)
    huge = await stack.concept.post("/imports", content=b"x" * (50 * 1024 * 1024), headers=upload)
    anonymous = await stack.concept.post("/imports/preview", content=GOOD.read_bytes())
    measures = await stack.concept.get("/measures", headers=stack.admin)

    assert preview.status_code == 200
    assert preview.json()["creates"] == 137
    assert [e["line"] for e in preview.json()["errors"]] == [5, 12, 20, 33, 47, 60, 88]
    assert refused.status_code == 422
    assert problem_slug(refused) == "import-has-errors"
    assert len(refused.json()["rows"]) == 7
    assert broken.status_code == 422
    assert problem_slug(broken) == "unreadable-file"
    assert huge.status_code == 413
    assert anonymous.status_code == 401
    assert measures.json()["total"] == 0  # nothing half imported


async def test_a_published_report_holds_the_same_numbers_in_json_workbook_and_pdf(
    concept_stack: ConceptStack, tmp_path: Path
) -> None:
    stack = concept_stack
    leads = await kempten(stack)
    for position, (key, (name, unit, values)) in enumerate(FACTS.items()):
        put = await stack.concept.put(
            f"/facts/{key}",
            json={"name": name, "unit": unit, "values": values, "position": position},
            headers=stack.admin,
        )
        assert put.status_code == 200, put.text
    lead_id = leads["Volkshochschule Kempten"]
    measures = (await stack.concept.get(f"/measures?lead={lead_id}&status=planned")).json()
    measure = measures["items"][0]
    updated = await stack.concept.post(
        f"/measures/{measure['id']}/status",
        json={"status": "in_progress", "comment": "Der erste Kurs hat begonnen."},
        headers=stack.editor_of(lead_id),
    )
    assert updated.status_code == 200, updated.text

    published = await stack.concept.post(
        "/reports", json={"cut_off": updated.json()["history"][-1]["on"]}, headers=stack.admin
    )
    assert published.status_code == 201, published.text
    report_id = published.json()["id"]
    public = (await stack.concept.get(f"/reports/{report_id}")).json()["content"]

    # anonymous readers see the public measures, counted from exactly those
    assert public["total"] == len(public["measures"]) < 144
    assert sum(public["statuses"].values()) == public["total"]
    inhabitants = public["facts"][0]
    assert inhabitants["name"] == "Einwohnerinnen und Einwohner"
    assert [v["value"] for v in inhabitants["values"]] == [70_787, 72_477]
    assert inhabitants["values"][-1]["change_percent"] == 2.4
    row = next(m for m in public["measures"] if m["id"] == measure["id"])
    assert row["sentence"] == "Der erste Kurs hat begonnen."

    workbook = load_workbook(
        io.BytesIO((await stack.concept.get(f"/reports/{report_id}.xlsx")).content)
    )
    overview = list(workbook["Übersicht"].iter_rows(min_row=5, values_only=True))
    for field, line in zip(public["fields"], overview, strict=False):
        assert line[0] == field["number"]
        assert list(line[2:9]) == [field["statuses"][s.value] for s in MeasureStatus]
        assert line[9] == field["total"]
    assert overview[len(public["fields"])][9] == public["total"]
    assert workbook["Maßnahmen"].max_row == public["total"] + 1
    labels = {line[2] for line in workbook["Maßnahmen"].iter_rows(min_row=2, values_only=True)}
    assert labels <= set(STATUS_LABELS.values())

    pdf = await stack.concept.get(f"/reports/{report_id}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert_first_page_is_not_blank(pdf.content, tmp_path)

    # later edits do not change the published report
    await stack.concept.post(
        f"/measures/{measure['id']}/status",
        json={"status": "dropped", "comment": "Doch nicht."},
        headers=stack.admin,
    )
    again = (await stack.concept.get(f"/reports/{report_id}")).json()["content"]
    assert again == public


async def test_network_members_see_network_measures_in_the_report(
    concept_stack: ConceptStack,
) -> None:
    stack = concept_stack
    leads = await kempten(stack)
    published = await stack.concept.post(
        "/reports", json={"cut_off": "2023-10-31", "title": "Zwischenstand"}, headers=stack.admin
    )
    assert published.status_code == 201, published.text
    report_id = published.json()["id"]
    member = stack.editor_of(next(iter(leads.values())))

    public = (await stack.concept.get(f"/reports/{report_id}")).json()["content"]
    network = (await stack.concept.get(f"/reports/{report_id}", headers=member)).json()
    office = (await stack.concept.get(f"/reports/{report_id}", headers=stack.admin)).json()

    # the import happened today: on the cut-off day in the past nothing was in the concept yet
    assert public["total"] == 0
    assert network["content"]["total"] == 0
    assert office["title"] == "Zwischenstand"


def assert_first_page_is_not_blank(pdf: bytes, folder: Path) -> None:
    (folder / "bericht.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "bericht.pdf", "seite"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    (page,) = folder.glob("seite*.png")
    image = Image.open(page).convert("RGB")
    colours: list[tuple[int, tuple[int, int, int]]] = [
        (count, (int(rgb[0]), int(rgb[1]), int(rgb[2])))  # type: ignore[index,unused-ignore]
        for count, rgb in image.getcolors(maxcolors=1_000_000) or []
    ]
    ink = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert ink > image.width * image.height * 0.02, "the first page is (almost) blank"
    # the chart's bars are coloured: some pixels are neither grey nor white
    assert any(max(rgb) - min(rgb) > 60 for _, rgb in colours), "no chart colours on the page"
