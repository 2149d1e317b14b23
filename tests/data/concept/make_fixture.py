"""Write the import fixtures of the concept's tests (run from the repository's root):

    .venv/bin/python -m tests.data.concept.make_fixture

- `kempten-massnahmen.xlsx`: the 144 measures of the demo concept, one row each, all right;
- `kempten-massnahmen-fehler.xlsx`: the same 144 rows, of which `BROKEN` are wrong in the ways
  an office's spreadsheet goes wrong (a formula, a number twice, an unknown organisation …).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from scripts.concept_seed import COLUMNS, measure_rows

HERE = Path(__file__).resolve().parent
GOOD = HERE / "kempten-massnahmen.xlsx"
WITH_ERRORS = HERE / "kempten-massnahmen-fehler.xlsx"

#: Line in the sheet (the header is line 1) → (column, what is written there instead).
BROKEN: dict[int, tuple[str, str]] = {
    5: ("Maßnahme", '=HYPERLINK("http://example.org","Klick")'),
    12: ("Nr.", "1.1.1"),
    20: ("Federführung", "Verein, den es nicht gibt"),
    33: ("Status", "fast fertig"),
    47: ("Nr.", "3.2"),
    60: ("Beginn", "31.02.2023"),
    88: ("Handlungsfeld", "Ein anderer Name für das Feld"),
}


def write(path: Path, broken: dict[int, tuple[str, str]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Maßnahmen"
    sheet.append(COLUMNS)
    for line, row in enumerate(measure_rows(), start=2):
        values = dict(row)
        if line in broken:
            column, value = broken[line]
            values[column] = value
        sheet.append([values[column] for column in COLUMNS])
    # fixed properties: written again, the file holds the same
    workbook.properties.creator = "Integrationsnetz"
    workbook.properties.created = workbook.properties.modified = dt.datetime(2024, 2, 27)
    workbook.save(path)


if __name__ == "__main__":
    write(GOOD, {})
    write(WITH_ERRORS, BROKEN)
    print(f"wrote {GOOD.name} and {WITH_ERRORS.name}")
