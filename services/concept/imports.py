"""What importing the office's spreadsheet would do: the pure plan behind the preview.

Each row is checked on its own (number, status, dates, visibility, formulas, the organisations
it names) and against the others (a number twice, a field or goal titled two ways); then it is
compared with the measure of that number in the current edition: created, changed (which
fields) or unchanged. A plan with any wrong row is not applied at all, so nothing is ever half
imported; importing the same file again finds every row unchanged and writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from services.concept.domain import (
    DESCRIBING_FIELDS,
    MEASURE_NUMBER,
    Concept,
    FieldOfAction,
    Goal,
    Measure,
    field_of_goal,
    goal_of_number,
    number_key,
)
from services.concept.labels import status_from_text, visibility_from_text
from services.concept.spreadsheet import COLUMN_LABELS, SheetRow
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.contracts.directory import OrganisationStatus
from shared.projection import KnownOrganisation
from shared.text import fold

Action = Literal["create", "change", "unchanged"]
#: The describing fields a row sets (besides the status); its goal follows from its number.
ROW_FIELDS = tuple(field for field in DESCRIBING_FIELDS if field != "goal_number")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class RowError:
    line: int
    number: str
    column: str
    message: str


@dataclass(frozen=True)
class MeasureRow:
    """A row that passed every check: what the measure of its number is to become."""

    line: int
    number: str
    goal_number: str
    title: str
    description: str
    lead_organisation_id: str | None
    partner_organisation_ids: list[str]
    target_groups: list[str]
    districts: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    visibility: MeasureVisibility
    status: MeasureStatus
    comment: str


@dataclass(frozen=True)
class PlannedRow:
    row: MeasureRow
    action: Action
    measure_id: str | None = None
    changed_fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportPlan:
    rows: list[PlannedRow]
    errors: list[RowError]
    #: The edition's fields of action and goals as the file makes them.
    fields: list[FieldOfAction]
    new_fields: list[str]
    new_goals: list[str]

    def count(self, action: Action) -> int:
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def structure_changed(self) -> bool:
        return bool(self.new_fields or self.new_goals)


def _split(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in re.split(r"[;\n]", text) if part.strip()))


def _day(text: str, end: bool) -> dt.date:
    """ "2023-03-01", "01.03.2023" or a year ("2023": its first or, as an end, its last day)."""
    if _YEAR.match(text):
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    german = _GERMAN_DATE.match(text)
    if german:
        day, month, year = (int(part) for part in german.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text[:10])


class _RowReader:
    """Checks one row's cells, collecting what is wrong with them."""

    def __init__(self, row: SheetRow, names: dict[str, list[KnownOrganisation]]) -> None:
        self.row = row
        self.names = names
        self.errors: list[RowError] = []
        self.number = row.cells.get("number", "")

    def wrong(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, self.number, COLUMN_LABELS[column], message))

    def text(self, column: str) -> str:
        return self.row.cells.get(column, "").strip()

    def organisation(self, column: str, name: str) -> str | None:
        found = [o for o in self.names.get(fold(name), []) if o.status is OrganisationStatus.ACTIVE]
        if len(found) == 1:
            return found[0].id
        if found:
            self.wrong(column, f"„{name}“ ist mehrdeutig: mehrere Organisationen heißen so.")
        else:
            self.wrong(column, f"Die Organisation „{name}“ ist im Netzwerk nicht bekannt.")
        return None

    def day(self, column: str, end: bool) -> dt.date | None:
        text = self.text(column)
        if not text:
            return None
        try:
            day = _day(text, end)
        except ValueError:
            self.wrong(column, f"„{text}“ ist kein Datum (TT.MM.JJJJ, JJJJ-MM-TT oder ein Jahr).")
            return None
        if not 1950 <= day.year <= 2200:
            self.wrong(column, "Das Datum liegt nicht zwischen 1950 und 2200.")
            return None
        return day

    def read(self) -> MeasureRow | None:
        for column in self.row.formulas:
            self.wrong(column, "Die Zelle enthält eine Formel; bitte nur Werte eintragen.")
        if not MEASURE_NUMBER.match(self.number):
            self.wrong("number", f"„{self.number}“ ist keine Nummer wie 3.2.4.")
        title = self.text("title")
        if not title:
            self.wrong("title", "Die Maßnahme hat keinen Titel.")
        elif len(title) > 300:
            self.wrong("title", "Der Titel ist länger als 300 Zeichen.")
        status = status_from_text(self.text("status"))
        if status is None:
            self.wrong("status", f"„{self.text('status')}“ ist kein bekannter Status.")
        visibility = (
            visibility_from_text(self.text("visibility"))
            if self.text("visibility")
            else MeasureVisibility.PUBLIC
        )
        if visibility is None:
            self.wrong("visibility", "Sichtbarkeit ist öffentlich, Netzwerk oder Büro.")
        lead_name = self.text("lead")
        lead = self.organisation("lead", lead_name) if lead_name else None
        partners = [self.organisation("partners", n) for n in _split(self.text("partners"))]
        start, end = self.day("start", end=False), self.day("end", end=True)
        if start and end and start > end:
            self.wrong("end", "Das Ende liegt vor dem Beginn.")
        if self.errors or status is None or visibility is None:
            return None
        return MeasureRow(
            line=self.row.line,
            number=self.number,
            goal_number=goal_of_number(self.number),
            title=title,
            description=self.text("description"),
            lead_organisation_id=lead,
            partner_organisation_ids=[p for p in partners if p is not None and p != lead],
            target_groups=_split(self.text("target_groups")),
            districts=_split(self.text("districts")),
            planned_start=start,
            planned_end=end,
            visibility=visibility,
            status=status,
            comment=self.text("comment"),
        )


def _structure(
    concept: Concept, rows: Sequence[tuple[SheetRow, MeasureRow]], errors: list[RowError]
) -> tuple[list[FieldOfAction], list[str], list[str]]:
    """The edition's fields and goals with those the file names added; a field or goal the file
    titles otherwise than the edition (or than an earlier row) is an error of the row."""
    fields = {f.number: f.title for f in concept.fields}
    goals = {g.number: g.title for f in concept.fields for g in f.goals}
    new_fields: list[str] = []
    new_goals: list[str] = []
    for sheet_row, row in rows:
        for number, title, known, new, column in (
            (
                field_of_goal(row.goal_number),
                sheet_row.cells.get("field", ""),
                fields,
                new_fields,
                "field",
            ),
            (row.goal_number, sheet_row.cells.get("goal", ""), goals, new_goals, "goal"),
        ):
            title = _without_number(title.strip(), number)
            if not title:
                errors.append(
                    RowError(row.line, row.number, COLUMN_LABELS[column], "Die Zelle ist leer.")
                )
            elif number not in known:
                known[number] = title
                new.append(number)
            elif fold(known[number]) != fold(title):
                errors.append(
                    RowError(
                        row.line,
                        row.number,
                        COLUMN_LABELS[column],
                        f"{number} heißt „{known[number]}“, nicht „{title}“.",
                    )
                )
    structure = [
        FieldOfAction(
            number=number,
            title=title,
            goals=[
                Goal(number=goal, title=goals[goal])
                for goal in sorted(goals, key=number_key)
                if field_of_goal(goal) == number
            ],
        )
        for number, title in sorted(fields.items(), key=lambda item: number_key(item[0]))
    ]
    return structure, new_fields, new_goals


def _without_number(title: str, number: str) -> str:
    """ "3 Soziale Teilhabe" and "3.2: Vereine öffnen sich" name their number first."""
    for prefix in (f"{number} ", f"{number}: ", f"{number}. ", f"{number} – ", f"{number} - "):
        if title.startswith(prefix):
            return title[len(prefix) :].strip()
    return title


def _compare(row: MeasureRow, measure: Measure | None) -> PlannedRow:
    if measure is None:
        return PlannedRow(row, "create")
    changed = [name for name in ROW_FIELDS if getattr(row, name) != getattr(measure, name)]
    if row.goal_number != measure.goal_number:
        changed.append("goal_number")
    if row.status is not measure.status:
        changed.append("status")
    return PlannedRow(row, "change" if changed else "unchanged", measure.id, changed)


def plan_import(
    sheet: Sequence[SheetRow],
    concept: Concept,
    measures: Sequence[Measure],
    organisations: Sequence[KnownOrganisation],
) -> ImportPlan:
    """What importing `sheet` into the edition `concept` holding `measures` would do."""
    names: dict[str, list[KnownOrganisation]] = {}
    for organisation in organisations:
        names.setdefault(fold(organisation.name), []).append(organisation)
    errors: list[RowError] = []
    read: list[tuple[SheetRow, MeasureRow]] = []
    first_line: dict[str, int] = {}
    for sheet_row in sheet:
        reader = _RowReader(sheet_row, names)
        row = reader.read()
        if reader.number in first_line and MEASURE_NUMBER.match(reader.number):
            reader.wrong("number", f"Die Nummer steht schon in Zeile {first_line[reader.number]}.")
            row = None
        first_line.setdefault(reader.number, sheet_row.line)
        errors.extend(reader.errors)
        if row is not None:
            read.append((sheet_row, row))
    structure, new_fields, new_goals = _structure(concept, read, errors)
    wrong_lines = {error.line for error in errors}
    by_number = {measure.number: measure for measure in measures}
    planned = [_compare(row, by_number.get(row.number)) for _, row in read]
    planned = [p for p in planned if p.row.line not in wrong_lines]
    return ImportPlan(
        rows=planned,
        errors=sorted(errors, key=lambda e: (e.line, e.column)),
        fields=structure,
        new_fields=new_fields,
        new_goals=new_goals,
    )
