"""The registrants of an event as a CSV file for German spreadsheet programs, made as the
portal's export of the directory (`services/portal/office_pages.py`), by
`shared/spreadsheets.py`: semicolons, a UTF-8 byte order mark, German headers, every cell safe
to open (no formula runs)."""

from __future__ import annotations

from services.calendar.registration_reading import listed
from services.calendar.roster import Registration, Roster
from shared.clock import BERLIN
from shared.spreadsheets import german_csv

CSV_COLUMNS = (
    "Name",
    "E-Mail",
    "Organisation",
    "Status",
    "Wartelistenplatz",
    "Angemeldet am",
    "Dolmetschung (Sprache)",
    "Kinderbetreuung (Anzahl)",
    "Barrierefreiheit",
    "Ernährung",
    "Teilgenommen",
)

STATES = {
    "confirmed": "bestätigt",
    "waiting": "Warteliste",
    "pending": "unbestätigt",
    "cancelled": "abgemeldet",
}


def _cells(registration: Registration, roster: Roster, organisations: dict[str, str]) -> list[str]:
    answers = registration.answers
    position = roster.position(registration.id)
    organisation = registration.organisation_id
    attended = {True: "ja", False: "nein", None: ""}[registration.attended]
    return [
        registration.name,
        registration.email,
        organisations.get(organisation, organisation) if organisation else "",
        STATES[registration.state],
        str(position) if position is not None else "",
        registration.created_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M"),
        answers.interpreter_language or "",
        str(answers.child_care) if answers.child_care is not None else "",
        answers.accessibility or "",
        answers.dietary or "",
        attended,
    ]


def spreadsheet(roster: Roster, organisations: dict[str, str]) -> str:
    """Every registration of the roster, confirmed first, then the waiting list in order."""
    rows = (_cells(registration, roster, organisations) for registration in listed(roster))
    return german_csv(CSV_COLUMNS, rows)
