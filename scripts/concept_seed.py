"""A concept shaped like Kempten's integration concept — 6 fields of action, 43 goals, 144
measures — and the Faktencheck figures of 2020 and 2023: the demo data (`scripts/demo.py`), the
import fixture (`tests/data/concept/make_fixture.py`) and the benchmark (`bench/concept.py`)
are made from it. The titles are fictional but plausible; the figures are the published ones.
"""

from __future__ import annotations

import itertools
from typing import Any

from services.concept.labels import STATUS_LABELS
from shared.contracts.concept import MeasureStatus

#: The city offices and partners that lead measures (registered by the demo as organisations).
LEADS: list[dict[str, Any]] = [
    {"name": "Amt für Integration", "kind": "public_authority"},
    {"name": "Volkshochschule Kempten", "kind": "public_authority"},
    {"name": "Stadtbibliothek Kempten", "kind": "public_authority"},
    {"name": "Amt für Jugend und Familie", "kind": "public_authority"},
    {"name": "Jobcenter Kempten", "kind": "public_authority"},
    {"name": "Kulturamt Kempten", "kind": "public_authority"},
    {"name": "Amt für Stadtplanung", "kind": "public_authority"},
    {"name": "Gesundheitsamt Kempten", "kind": "public_authority"},
]

FIELDS: list[tuple[str, list[str]]] = [
    (
        "Sprache und Bildung",
        [
            "Alle Kinder sprechen bei der Einschulung gut Deutsch",
            "Eltern begleiten die Bildung ihrer Kinder",
            "Neuzugewanderte finden rasch einen Sprachkurs",
            "Schulen öffnen sich für mehrsprachige Familien",
            "Übergänge von der Schule in den Beruf gelingen",
            "Erwachsene holen Abschlüsse nach",
            "Mehrsprachigkeit wird als Stärke gesehen",
            "Bildungsangebote sind bekannt und erreichbar",
        ],
    ),
    (
        "Arbeit und Wirtschaft",
        [
            "Ausländische Abschlüsse werden schneller anerkannt",
            "Betriebe stellen Menschen mit Migrationsgeschichte ein",
            "Geflüchtete finden den Weg in Ausbildung",
            "Frauen mit Migrationsgeschichte sind erwerbstätig",
            "Gründerinnen und Gründer werden beraten",
            "Berufssprachkurse passen zu den Betrieben",
            "Arbeitgeber kennen die Förderwege",
            "Niemand arbeitet unter seiner Qualifikation",
        ],
    ),
    (
        "Soziale Teilhabe",
        [
            "Vereine öffnen sich für Neuzugewanderte",
            "Migrantenorganisationen sind Partner der Stadt",
            "Ehrenamtliche werden gewonnen und begleitet",
            "Kultur ist für alle zugänglich",
            "Sport verbindet",
            "Ältere Migrantinnen und Migranten nehmen teil",
            "Politische Teilhabe wird gestärkt",
        ],
    ),
    (
        "Gesundheit und Pflege",
        [
            "Gesundheitsangebote sind mehrsprachig",
            "Pflege ist kultursensibel",
            "Psychosoziale Hilfe erreicht Geflüchtete",
            "Frühe Hilfen erreichen alle Familien",
            "Sprachmittlung im Gesundheitswesen ist gesichert",
            "Prävention erreicht alle Stadtteile",
            "Fachkräfte in der Pflege werden gewonnen",
        ],
    ),
    (
        "Interkulturelle Öffnung der Verwaltung",
        [
            "Die Verwaltung spiegelt die Stadtgesellschaft",
            "Beschäftigte sind interkulturell geschult",
            "Informationen gibt es in einfacher Sprache",
            "Beratung ist mehrsprachig",
            "Die Ausländerbehörde ist eine Willkommensbehörde",
            "Integration wird gemessen und berichtet",
        ],
    ),
    (
        "Zusammenleben im Quartier",
        [
            "Nachbarschaften begegnen sich",
            "Wohnraum ist für alle erreichbar",
            "Quartierszentren sind Treffpunkte",
            "Konflikte werden früh gelöst",
            "Öffentliche Räume laden alle ein",
            "Feste feiern die Vielfalt",
            "Rassismus wird entgegengetreten",
        ],
    ),
]

_ACTIONS = [
    "Sprachcafés",
    "Elternabende in mehreren Sprachen",
    "Lotsenprogramm",
    "Informationsreihe",
    "Beratungssprechstunde",
    "Patenschaften",
    "Fortbildung für Fachkräfte",
    "Netzwerktreffen",
    "Mehrsprachiger Wegweiser",
    "Projektwoche",
    "Mentoringprogramm",
    "Aktionstag",
]
_DISTRICTS = ["Altstadt", "Thingers", "St. Mang", "Sankt Lorenz", "Heiligkreuz", "Bühl"]
_TARGETS = ["Neuzugewanderte", "Familien", "Jugendliche", "Frauen", "Seniorinnen und Senioren"]
#: 144 statuses in a plausible mix (30 implemented, 35 continuous, 40 in progress …).
STATUS_MIX = (
    ["implemented"] * 30
    + ["continuous"] * 35
    + ["in_progress"] * 40
    + ["in_preparation"] * 15
    + ["planned"] * 14
    + ["paused"] * 5
    + ["dropped"] * 5
)
#: Measures per field (sum 144).
MEASURES_PER_FIELD = (26, 26, 24, 24, 20, 24)

STATUS_SENTENCES = {
    "implemented": "Abgeschlossen; die Ergebnisse sind im Fachgremium vorgestellt worden.",
    "continuous": "Läuft als Daueraufgabe weiter und ist im Haushalt verankert.",
    "in_progress": "Seit Herbst 2022 in Umsetzung; erste Termine haben stattgefunden.",
    "in_preparation": "Konzept liegt vor, Partner sind gewonnen, Start im nächsten Halbjahr.",
    "planned": "Noch nicht begonnen.",
    "paused": "Ruht, bis die Stelle wieder besetzt ist.",
    "dropped": "Entfällt; das Angebot wird von einem Partner übernommen.",
}

#: The Faktencheck Migration: key → (name, unit, {year: value}).
FACTS: dict[str, tuple[str, str, dict[int, float]]] = {
    "einwohner": ("Einwohnerinnen und Einwohner", "", {2020: 70_787, 2023: 72_477}),
    "nationen": ("Nationen", "", {2020: 125, 2023: 125}),
    "migrationshintergrund": (
        "Menschen mit Migrationshintergrund",
        "",
        {2020: 27_027, 2023: 30_199},
    ),
    "migrationshintergrund-anteil": (
        "Anteil mit Migrationshintergrund",
        "%",
        {2020: 38.2, 2023: 41.7},
    ),
    "auslaender": ("Ausländerinnen und Ausländer", "", {2020: 11_689, 2023: 14_239}),
    "auslaender-anteil": ("Ausländeranteil", "%", {2020: 16.5, 2023: 19.6}),
    "eu-anteil": ("davon aus EU-Staaten", "%", {2020: 45.2, 2023: 40.5}),
    "drittstaaten-anteil": ("davon aus Drittstaaten", "%", {2020: 54.8, 2023: 59.5}),
    "asyl": ("Menschen mit Fluchthintergrund (Asyl)", "", {2020: 1_372, 2023: 1_549}),
}


def concept_edition() -> dict[str, Any]:
    """The body of `POST /concept/editions`: the fields of action and their goals."""
    return {
        "title": "Integrationskonzept der Stadt",
        "adopted_on": "2019-07-18",
        "period_start": 2019,
        "period_end": 2025,
        "adopted_by": "Stadtrat",
        "fields": [
            {
                "number": str(f),
                "title": title,
                "goals": [{"number": f"{f}.{g}", "title": goal} for g, goal in enumerate(goals, 1)],
            }
            for f, (title, goals) in enumerate(FIELDS, 1)
        ],
    }


def measure_rows(count_per_field: tuple[int, ...] = MEASURES_PER_FIELD) -> list[dict[str, str]]:
    """One row per measure, as the office's spreadsheet has them (German column names)."""
    rows: list[dict[str, str]] = []
    statuses = itertools.cycle(_spread(STATUS_MIX))
    for f, ((field_title, goals), count) in enumerate(zip(FIELDS, count_per_field, strict=True), 1):
        for index in range(count):
            g = index % len(goals) + 1
            m = index // len(goals) + 1
            seq = len(rows)
            action = _ACTIONS[seq % len(_ACTIONS)]
            status = next(statuses)
            lead = LEADS[seq % len(LEADS)]["name"]
            partner = LEADS[(seq + 3) % len(LEADS)]["name"]
            rows.append(
                {
                    "Handlungsfeld": field_title,
                    "Ziel": goals[g - 1],
                    "Nr.": f"{f}.{g}.{m}",
                    "Maßnahme": f"{action}: {goals[g - 1]}",
                    "Beschreibung": f"{action} im Handlungsfeld {field_title}.",
                    "Federführung": lead,
                    "Partner": partner if partner != lead else "",
                    "Status": STATUS_LABELS[MeasureStatus(status)],
                    "Zielgruppen": _TARGETS[seq % len(_TARGETS)],
                    "Stadtteile": "; ".join(_DISTRICTS[seq % 6 : seq % 6 + 1 + seq % 2]),
                    "Beginn": str(2019 + seq % 4),
                    "Ende": "" if status == "continuous" else str(2023 + seq % 3),
                    "Sichtbarkeit": "Netzwerk" if seq % 12 == 5 else "öffentlich",
                    "Stand": STATUS_SENTENCES[status],
                }
            )
    return rows


def _spread(values: list[str]) -> list[str]:
    """The mix interleaved (every field gets some of each status)."""
    return [values[(i * 37) % len(values)] for i in range(len(values))]


COLUMNS = list(measure_rows((1, 0, 0, 0, 0, 0))[0])
