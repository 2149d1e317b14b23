"""Reading the office's spreadsheet of measures: an `.xlsx` workbook (its first sheet) or a
`.csv` file, one row per measure under a header row. Only reading happens here: what a row
means is `imports.py`'s business.

Nothing in a file is trusted: a file that is no workbook and no text, a workbook that cannot be
opened, a sheet without the needed columns or with too many rows is refused as a whole with a
`SpreadsheetError`; a cell holding a formula is reported with its row (its value would be what
the spreadsheet program last computed, or nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from shared.text import fold

#: The columns an import knows, by their folded German (or English) headers.
HEADERS: dict[str, str] = {
    "handlungsfeld": "field",
    "field": "field",
    "ziel": "goal",
    "goal": "goal",
    "nr": "number",
    "nr.": "number",
    "nummer": "number",
    "number": "number",
    "massnahme": "title",
    "titel": "title",
    "title": "title",
    "beschreibung": "description",
    "description": "description",
    "federfuhrung": "lead",
    "federfuehrung": "lead",
    "lead": "lead",
    "partner": "partners",
    "partners": "partners",
    "status": "status",
    "zielgruppen": "target_groups",
    "zielgruppe": "target_groups",
    "stadtteile": "districts",
    "stadtteil": "districts",
    "beginn": "start",
    "start": "start",
    "ende": "end",
    "end": "end",
    "sichtbarkeit": "visibility",
    "visibility": "visibility",
    "stand": "comment",
    "kommentar": "comment",
    "comment": "comment",
}
REQUIRED_COLUMNS = ("field", "goal", "number", "title", "status")
#: German names of the columns, for messages.
COLUMN_LABELS = {
    "field": "Handlungsfeld",
    "goal": "Ziel",
    "number": "Nr.",
    "title": "Maßnahme",
    "description": "Beschreibung",
    "lead": "Federführung",
    "partners": "Partner",
    "status": "Status",
    "target_groups": "Zielgruppen",
    "districts": "Stadtteile",
    "start": "Beginn",
    "end": "Ende",
    "visibility": "Sichtbarkeit",
    "comment": "Stand",
}
MAX_CELL_CHARACTERS = 5000


class SpreadsheetError(ValueError):
    """The file as a whole cannot be imported; `slug` says why, the message in German."""

    def __init__(self, detail: str, *, slug: str) -> None:
        super().__init__(detail)
        self.slug = slug


@dataclass(frozen=True)
class SheetRow:
    """One row under the header: its line in the file and its cells by column key."""

    line: int
    cells: dict[str, str]
    #: Columns whose cell holds a formula.
    formulas: list[str] = field(default_factory=list)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL_CHARACTERS]


def _is_formula(value: object, data_type: str | None = None) -> bool:
    return data_type == "f" or (isinstance(value, str) and value.startswith("="))


def _columns(header: list[object]) -> list[str | None]:
    columns = [HEADERS.get(fold(_cell_text(cell)).rstrip(":")) for cell in header]
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise SpreadsheetError(
            f"Der Tabelle fehlen die Spalten {', '.join(missing)} (in der ersten Zeile).",
            slug="missing-columns",
        )
    return columns


def _rows(raw: Iterator[list[tuple[object, str | None]]], max_rows: int) -> list[SheetRow]:
    """Rows from (value, data type) cells, the first being the header."""
    try:
        header = next(raw)
    except StopIteration:
        raise SpreadsheetError("Die Tabelle ist leer.", slug="empty-file") from None
    columns = _columns([value for value, _ in header])
    rows: list[SheetRow] = []
    for line, cells in enumerate(raw, start=2):
        if all(_cell_text(value) == "" for value, _ in cells):
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(
                f"Die Tabelle hat mehr als {max_rows} Zeilen.", slug="too-many-rows"
            )
        texts: dict[str, str] = {}
        formulas: list[str] = []
        for key, (value, data_type) in zip(columns, cells, strict=False):
            if key is None:
                continue
            if _is_formula(value, data_type):
                formulas.append(key)
            texts[key] = _cell_text(value)
        rows.append(SheetRow(line=line, cells=texts, formulas=formulas))
    return rows


def _xlsx_cells(content: bytes) -> Iterator[list[tuple[object, str | None]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [(cell.value, getattr(cell, "data_type", None)) for cell in row]
    finally:
        workbook.close()


def _csv_cells(content: bytes) -> Iterator[list[tuple[object, str | None]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count)
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield [(value, None) for value in row]


def read_rows(content: bytes, max_rows: int) -> list[SheetRow]:
    """The rows of an `.xlsx` or `.csv` file; raises SpreadsheetError when it cannot be read."""
    if not content.strip():
        raise SpreadsheetError("Die Datei ist leer.", slug="empty-file")
    if content.startswith(b"PK\x03\x04"):
        try:
            return _rows(_xlsx_cells(content), max_rows)
        except SpreadsheetError:
            raise
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
            raise SpreadsheetError(
                "Die Excel-Datei lässt sich nicht öffnen; bitte als .xlsx oder .csv speichern.",
                slug="unreadable-file",
            ) from exc
        except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl
            raise SpreadsheetError(
                "Die Excel-Datei ist beschädigt.", slug="unreadable-file"
            ) from exc
    if b"\x00" in content[:4096]:
        raise SpreadsheetError(
            "Die Datei ist weder eine Excel-Tabelle (.xlsx) noch eine CSV-Datei.",
            slug="unreadable-file",
        )
    try:
        return _rows(_csv_cells(content), max_rows)
    except csv.Error as exc:
        raise SpreadsheetError(
            "Die CSV-Datei lässt sich nicht lesen.", slug="unreadable-file"
        ) from exc
