"""CSV files as German spreadsheet programs open them by a double click: semicolons, a UTF-8
byte order mark, and every cell safe to open (no formula runs); and their download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from fastapi import Response

#: A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: str) -> str:
    """A value a spreadsheet shows as text, never runs (OWASP CSV injection): a cell that
    starts like a formula gets a leading apostrophe."""
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def german_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The header, then every row with each cell made safe, as one CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def csv_download(content: str, file_name: str) -> Response:
    """A CSV text as a file to save, never kept by a cache (it holds personal data)."""
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )
