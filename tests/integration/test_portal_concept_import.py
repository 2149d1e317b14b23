"""Importing the concept's spreadsheet through the portal, without a browser: the preview names
the wrong rows and why and imports nothing; a right file is imported on "Importieren", once;
bad uploads get a German page, never a 500; only office staff reach the import."""

from __future__ import annotations

import re

import pytest

from scripts.concept_seed import LEADS, concept_edition
from tests.data.concept.make_fixture import GOOD, WITH_ERRORS
from tests.integration.concept_fixtures import ServedConceptStack
from tests.support.portal import portal_client, session_of, signed_in_portal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def kempten_without_measures(stack: ServedConceptStack) -> None:
    for lead in LEADS:
        await stack.organisation(**lead)
    adopted = await stack.concept.post(
        "/concept/editions", json=concept_edition(), headers=stack.admin
    )
    assert adopted.status_code == 201, adopted.text


def upload(name: str, content: bytes, media_type: str = XLSX) -> dict[str, tuple[str, bytes, str]]:
    return {"datei": (name, content, media_type)}


async def measures_stored(stack: ServedConceptStack) -> int:
    total: int = (await stack.concept.get("/measures", headers=stack.admin)).json()["total"]
    return total


def confirmation_key(page: str) -> str:
    found = re.search(r'name="vorschau" value="([^"]+)"', page)
    assert found, "the preview offers no import"
    return found.group(1)


async def test_the_preview_names_each_wrong_row_and_why_and_imports_nothing(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    await kempten_without_measures(stack)
    expected = await stack.concept.post(
        "/imports/preview",
        content=WITH_ERRORS.read_bytes(),
        headers={**stack.admin, "Content-Type": XLSX},
    )
    async with signed_in_portal(session_of(stack.admin), **stack.urls) as client:
        preview = await client.post(
            "/konzept/import", files=upload(WITH_ERRORS.name, WITH_ERRORS.read_bytes())
        )

    assert preview.status_code == 200
    page = preview.text
    assert "7 Zeilen sind fehlerhaft." in page
    assert "So wird nichts importiert" in page
    errors = page.split('id="fehler"', 1)[1]
    for error in expected.json()["errors"]:
        row = f"<td>{error['line']}</td><td>{error['number']}</td><td>{error['column']}</td>"
        assert row in errors
        assert error["message"] in errors
    assert "Verein, den es nicht gibt" in errors
    assert 'name="vorschau"' not in page  # no import button
    assert await measures_stored(stack) == 0


async def test_a_right_spreadsheet_is_imported_on_confirmation_once(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    await kempten_without_measures(stack)
    async with signed_in_portal(session_of(stack.admin), **stack.urls) as client:
        preview = await client.post(
            "/konzept/import", files=upload("konzept.xlsx", GOOD.read_bytes())
        )
        assert preview.status_code == 200
        assert "<strong>144</strong> Maßnahmen würden neu angelegt" in preview.text
        assert await measures_stored(stack) == 0  # the preview saves nothing

        key = confirmation_key(preview.text)
        imported = await client.post("/konzept/import/bestaetigen", data={"vorschau": key})
        again = await client.post("/konzept/import/bestaetigen", data={"vorschau": key})
        second = await client.post(
            "/konzept/import", files=upload("konzept.xlsx", GOOD.read_bytes())
        )
        first = (await stack.concept.get("/measures?limit=1", headers=stack.admin)).json()
        measure = first["items"][0]
        moved = await stack.concept.post(
            f"/measures/{measure['id']}/status",
            json={"status": "paused" if measure["status"] != "paused" else "planned"},
            headers=stack.admin,
        )
        assert moved.status_code == 200, moved.text
        third = await client.post(
            "/konzept/import", files=upload("konzept.xlsx", GOOD.read_bytes())
        )

    assert imported.status_code == 200
    assert "144 Maßnahmen neu angelegt" in imported.text
    assert await measures_stored(stack) == 144
    assert again.status_code == 410
    assert "Die Vorschau ist abgelaufen" in again.text
    # the same file once more changes nothing
    assert "<strong>0</strong> Maßnahmen würden neu angelegt" in second.text
    assert "<strong>144</strong> bleiben unverändert" in second.text
    assert "es gibt nichts zu importieren" in second.text
    assert 'name="vorschau"' not in second.text
    # a status changed since then: the file would set it back, said in the column's words
    assert "<strong>1</strong> geändert" in third.text
    assert f"<td>{measure['number']}</td>" in third.text
    assert "<td>geändert</td><td>Status</td>" in third.text
    assert 'name="vorschau"' in third.text


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("leer.csv", b"", 422, "Die Datei ist leer."),
        ("foto.png", b"\x89PNG\r\n\x1a\n", 422, "Diese Datei ist keine Tabelle"),
        ("kaputt.xlsx", b"PK\x03\x04kaputt", 422, "Diese Datei lässt sich nicht lesen."),
        ("spalten.csv", b"Titel;Wer\nA;B\n", 422, "Der Tabelle fehlen Spalten."),
        # over the concept's 5 MiB, under the portal's limit: the service refuses it
        ("gross.csv", b"x" * (5 * 1024 * 1024 + 10), 413, "Die Datei ist zu groß"),
        # far over: the portal refuses it before reading it
        ("riesig.xlsx", b"x" * (50 * 1024 * 1024), 413, "Die Datei ist zu groß"),
    ],
)
async def test_bad_uploads_get_a_german_message_and_never_a_500(
    served_concept_stack: ServedConceptStack,
    name: str,
    content: bytes,
    status: int,
    message: str,
) -> None:
    stack = served_concept_stack
    await stack.adopt()
    async with signed_in_portal(session_of(stack.admin), **stack.urls) as client:
        answer = await client.post("/konzept/import", files=upload(name, content, "text/csv"))
        nothing = await client.post("/konzept/import", data={"datei": ""})
    assert answer.status_code == status
    assert message in answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert nothing.status_code == 422
    assert "Bitte wählen Sie eine Datei aus." in nothing.text
    assert await measures_stored(stack) == 0


async def test_only_office_staff_reach_the_import_and_publish_reports(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    lead = await stack.adopted_with_lead("Volkshochschule Kempten")
    member = await stack.member_session(
        lead,
        email="leitung@vhs-kempten.example",
        name="Petra Huber",
        password="Volkshochschule-Kempten-2026",
    )
    async with signed_in_portal(member, **stack.urls) as client:
        form = await client.get("/konzept/import")
        sent = await client.post("/konzept/import", files=upload("konzept.xlsx", GOOD.read_bytes()))
        confirmed = await client.post("/konzept/import/bestaetigen", data={"vorschau": "abc"})
        published = await client.post("/konzept/bericht", data={"stichtag": "2024-01-01"})
        reports = await client.get("/konzept/bericht")
    for refused in (form, sent, confirmed):
        assert refused.status_code == 403
        assert "importiert nur das Büro" in refused.text
    assert published.status_code == 403
    assert "Berichte veröffentlicht nur das Büro" in published.text
    assert 'action="/konzept/bericht"' not in reports.text  # no form to publish
    assert await measures_stored(stack) == 0
    assert (await stack.concept.get("/reports")).json() == []

    async with portal_client(**stack.urls) as client:
        anonymous_form = await client.get("/konzept/import")
        anonymous_publish = await client.post("/konzept/bericht", data={"stichtag": "2024-01-01"})
    assert anonymous_form.headers["location"] == "/login"
    assert anonymous_publish.headers["location"] == "/login"
