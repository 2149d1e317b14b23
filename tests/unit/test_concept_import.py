"""Importing the office's spreadsheet, on the in-memory repository: the preview says what would
be created and changed and which rows are wrong and why; a file with a wrong row imports
nothing; the same file twice changes nothing; files that are no spreadsheet are refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest

from scripts.concept_seed import COLUMNS, LEADS, concept_edition, measure_rows
from services.concept.importing import ConceptImport
from services.concept.inputs import ConceptCreate
from services.concept.service import ConceptService, MeasureFilter
from services.concept.settings import ConceptSettings
from shared.auth import Principal
from shared.contracts.concept import MeasureCreated, MeasureStatus, MeasureStatusChanged
from shared.contracts.directory import OrganisationStatus
from shared.errors import ForbiddenError, RejectedError
from shared.ids import new_id
from shared.projection import KnownOrganisation
from tests.data.concept.make_fixture import GOOD, WITH_ERRORS
from tests.support.in_memory_concept import InMemoryConceptStore
from tests.support.principals import OFFICE

NOW = dt.datetime(2023, 10, 31, 9, 0, tzinfo=dt.UTC)


async def importer_on(store: InMemoryConceptStore) -> ConceptImport:
    for number, lead in enumerate(LEADS, 1):
        organisation_id = new_id()
        store.known[organisation_id] = KnownOrganisation(
            organisation_id, lead["name"], OrganisationStatus.ACTIVE, number
        )
    service = ConceptService(store, ConceptSettings(_env_file=None), clock=lambda: NOW)
    await service.adopt(ConceptCreate.model_validate(concept_edition()), OFFICE)
    return ConceptImport(service)


def as_csv(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


async def test_the_preview_says_which_rows_are_wrong_and_why_and_saves_nothing() -> None:
    store = InMemoryConceptStore()
    importer = await importer_on(store)

    plan = await importer.preview(WITH_ERRORS.read_bytes(), OFFICE)

    by_line = {error.line: error for error in plan.errors}
    assert sorted(by_line) == [5, 12, 20, 33, 47, 60, 88]
    assert by_line[5].column == "Maßnahme"
    assert "Formel" in by_line[5].message
    assert "schon in Zeile 2" in by_line[12].message
    assert "nicht bekannt" in by_line[20].message
    assert by_line[33].column == "Status"
    assert "keine Nummer" in by_line[47].message
    assert "kein Datum" in by_line[60].message
    assert by_line[88].column == "Handlungsfeld"
    assert plan.count("create") == 144 - 7
    assert store.measures == {}


async def test_a_file_with_a_wrong_row_imports_nothing() -> None:
    store = InMemoryConceptStore()
    importer = await importer_on(store)

    with pytest.raises(RejectedError) as refused:
        await importer.apply(WITH_ERRORS.read_bytes(), OFFICE, None)

    assert refused.value.slug == "import-has-errors"
    assert len(refused.value.extensions["rows"]) == 7
    assert store.measures == {}
    assert store.published == []


async def test_the_144_measures_import_once_and_a_second_import_changes_nothing() -> None:
    store = InMemoryConceptStore()
    importer = await importer_on(store)

    first = await importer.apply(GOOD.read_bytes(), OFFICE, None)
    published = len(store.published)
    second = await importer.apply(GOOD.read_bytes(), OFFICE, None)

    assert first.count("create") == 144
    assert (second.count("create"), second.count("change"), second.count("unchanged")) == (
        0,
        0,
        144,
    )
    assert len(store.measures) == 144
    assert len(store.published) == published
    # network measures are not announced
    assert published == sum(1 for m in store.measures.values() if m.visibility == "public")
    assert all(isinstance(event, MeasureCreated) for event in store.published)
    _, measures = await importer.concept.measures(OFFICE, MeasureFilter())
    assert measures[0].history[0].comment
    assert measures[0].lead_organisation_id in store.known


async def test_a_csv_file_imports_like_the_workbook_and_a_moved_status_is_announced() -> None:
    store = InMemoryConceptStore()
    importer = await importer_on(store)
    rows = measure_rows()
    await importer.apply(as_csv(rows), OFFICE, None)
    public_row = next(r for r in rows if r["Sichtbarkeit"] == "öffentlich")
    public_row["Status"] = "umgesetzt" if public_row["Status"] != "umgesetzt" else "pausiert"
    public_row["Stand"] = "Im Oktober abgeschlossen."

    plan = await importer.apply(as_csv(rows), OFFICE, None)

    (changed,) = [p for p in plan.rows if p.action == "change"]
    assert changed.changed_fields == ["status"]
    announced = store.published[-1]
    assert isinstance(announced, MeasureStatusChanged)
    assert announced.comment == "Im Oktober abgeschlossen."
    assert announced.status in {MeasureStatus.IMPLEMENTED, MeasureStatus.PAUSED}


@pytest.mark.parametrize(
    ("content", "slug"),
    [
        (b"", "empty-file"),
        (b"PK\x03\x04 kein Zip", "unreadable-file"),
        (b"\x00\x01\x02\x89PNG", "unreadable-file"),
        ("Nr.;Maßnahme\n1.1.1;Sprachcafé\n".encode(), "missing-columns"),
    ],
)
async def test_files_that_are_no_spreadsheet_of_measures_are_refused(
    content: bytes, slug: str
) -> None:
    importer = await importer_on(InMemoryConceptStore())

    with pytest.raises(RejectedError) as refused:
        await importer.preview(content, OFFICE)

    assert refused.value.slug == slug


async def test_a_zip_that_is_no_workbook_is_refused() -> None:
    importer = await importer_on(InMemoryConceptStore())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hallo.txt", "kein Excel")

    with pytest.raises(RejectedError) as refused:
        await importer.preview(archive.getvalue(), OFFICE)

    assert refused.value.slug == "unreadable-file"


async def test_only_office_staff_import() -> None:
    importer = await importer_on(InMemoryConceptStore())
    editor = Principal(person_id=new_id(), role="editor", organisation_ids=frozenset({new_id()}))

    with pytest.raises(ForbiddenError):
        await importer.preview(GOOD.read_bytes(), editor)
