"""Load a small, fictional partner network into an empty system, through the public APIs.

Idempotent: when the directory already lists an organisation, nothing is loaded.
`python -m scripts.demo` (run by `make up` unless DEMO=0).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from typing import Any

import httpx

from scripts.concept_seed import LEADS
from scripts.demo_concept import LINKED, load_concept
from scripts.demo_groups import load_group_and_registrations
from shared.clock import BERLIN

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "name": "Ukrainischer Verein Mriya e.V.",
        "kind": "migrant_organisation",
        "description": "Treffpunkt, Beratung und Sprachcafé für Geflüchtete aus der Ukraine "
        "und ihre Familien.",
        "languages": ["uk", "ru", "de"],
        "communities": ["Ukrainian"],
        "fields": ["language_education", "counselling", "social_participation"],
        "district": "Nordstadt",
        "email": "kontakt@mriya-verein.example",
        "preferred_language": "uk",
    },
    {
        "name": "Stadtteilbüro Nordstadt",
        "kind": "district_office",
        "description": "Anlaufstelle im Quartier: Räume, Nachbarschaftsprojekte, Stadtteilfeste.",
        "languages": ["de", "tr", "ar"],
        "fields": ["social_participation", "housing"],
        "district": "Nordstadt",
        "email": "stadtteilbuero-nordstadt@stadt.example",
        "phone": "+49 231 555 0100",
    },
    {
        "name": "FC Anadolu Nordstadt 1987",
        "kind": "association",
        "description": "Fußballverein mit Jugendabteilung; sucht Partner für ein "
        "Kinderturnier im Sommer.",
        "languages": ["de", "tr"],
        "communities": ["Turkish"],
        "fields": ["sports", "children_youth"],
        "district": "Nordstadt",
        "email": "vorstand@fc-anadolu.example",
        "preferred_language": "tr",
    },
    {
        "name": "Centro Cultural Hispano",
        "kind": "migrant_organisation",
        "description": "Spanischsprachige Kulturgruppe: Musik, Lesungen, Hausaufgabenhilfe.",
        "languages": ["es", "de"],
        "communities": ["Spanish-speaking", "Latin American"],
        "fields": ["cultural_diversity", "language_education"],
        "district": "Innenstadt",
        "email": "hola@centro-hispano.example",
    },
    {
        "name": "Seniorenhaus Lindenhof",
        "kind": "association",
        "description": "Begegnungsstätte für ältere Menschen; viele möchten sich als "
        "Sprachpartner engagieren.",
        "languages": ["de"],
        "fields": ["social_participation"],
        "district": "Südstadt",
        "email": "begegnung@lindenhof.example",
    },
]


def _next_weekday(weekday: int, hour: int, weeks_ahead: int = 0) -> dt.datetime:
    """The next given weekday (0 = Monday) at `hour` Berlin time, some weeks ahead."""
    today = dt.datetime.now(BERLIN).replace(hour=hour, minute=0, second=0, microsecond=0)
    days = (weekday - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=days, weeks=weeks_ahead)


def _post_when_known(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """Post once the service has learned about the organisation from the directory's events."""
    deadline = time.monotonic() + 30
    while True:
        response = client.post(url, json=body, headers=headers)
        if response.status_code != 422 or time.monotonic() > deadline:
            return response
        if "organisation" not in response.text:
            return response
        time.sleep(0.5)


def load_listings_and_events(
    client: httpx.Client, headers: dict[str, str], ids: dict[str, str], measures: dict[str, str]
) -> None:
    """The listings and events; some carry measures of the concept out (`measures`: id by
    number, empty when the concept could not be loaded)."""

    def carrying(purpose: str) -> list[str]:
        number = LINKED[purpose]
        return [measures[number]] if number in measures else []

    exchange = os.environ.get("EXCHANGE_URL", "http://127.0.0.1:8003")
    calendar = os.environ.get("CALENDAR_URL", "http://127.0.0.1:8002")
    listings: list[tuple[str, dict[str, Any]]] = [
        (
            "requests",
            {
                "organisation_id": ids["Ukrainischer Verein Mriya e.V."],
                "category": "language_partner",
                "title": "Sprachpartner zum Deutschüben",
                "description": "Geflüchtete Frauen möchten im Alltag Deutsch sprechen üben.",
                "tags": ["Sprachcafé", "Alltagsdeutsch"],
                "languages": ["de"],
                "district": "Nordstadt",
                "measure_ids": carrying("language_partner"),
            },
        ),
        (
            "offers",
            {
                "organisation_id": ids["Seniorenhaus Lindenhof"],
                "category": "language_partner",
                "title": "Senioren als Sprachpartner",
                "description": "Ältere Menschen aus dem Lindenhof treffen sich gern zum Deutsch "
                "sprechen, einmal pro Woche.",
                "tags": ["Sprachcafé"],
                "languages": ["de"],
                "district": "Südstadt",
                "measure_ids": carrying("language_partner"),
            },
        ),
        (
            "offers",
            {
                "organisation_id": ids["Stadtteilbüro Nordstadt"],
                "category": "room",
                "title": "Gruppenraum für 30 Personen",
                "description": "Abends und am Wochenende frei, mit Küche.",
                "tags": ["Raum", "Küche"],
                "district": "Nordstadt",
                "quantity": 1,
                "measure_ids": carrying("room"),
            },
        ),
        (
            "requests",
            {
                "organisation_id": ids["FC Anadolu Nordstadt 1987"],
                "category": "cooperation",
                "title": "Partner für ein Kinderfußballturnier gesucht",
                "description": "Wer macht mit beim Sommerturnier für Kinder aus dem Stadtteil?",
                "tags": ["Fußball", "Kinder"],
                "district": "Nordstadt",
            },
        ),
    ]
    for collection, body in listings:
        _post_when_known(client, f"{exchange}/{collection}", body, headers).raise_for_status()
    first = _next_weekday(1, 17)
    events = [
        {
            "organisation_id": ids["Ukrainischer Verein Mriya e.V."],
            "title": "Sprachcafé",
            "description": "Jeden Dienstag: Deutsch sprechen bei Tee und Kuchen.",
            "starts_at": first.isoformat(),
            "ends_at": (first + dt.timedelta(hours=2)).isoformat(),
            "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=20"},
            "venue": {"name": "Stadtteilbüro Nordstadt", "room": "Gruppenraum"},
            "district": "Nordstadt",
            "audience": ["newcomers", "women"],
            "languages": ["de", "uk"],
            "fields": ["language_education"],
            "measure_ids": carrying("sprachcafe"),
        },
        {
            "organisation_id": ids["FC Anadolu Nordstadt 1987"],
            "co_organiser_ids": [ids["Stadtteilbüro Nordstadt"]],
            "title": "Kinderfußballturnier im Hoeschpark",
            "starts_at": _next_weekday(5, 11, weeks_ahead=4).isoformat(),
            "ends_at": _next_weekday(5, 16, weeks_ahead=4).isoformat(),
            "venue": {"name": "Hoeschpark", "room": "Kunstrasenplatz"},
            "district": "Nordstadt",
            "audience": ["children", "families"],
            "fields": ["sports", "children_youth"],
            "measure_ids": carrying("sports"),
        },
    ]
    for body in events:
        _post_when_known(client, f"{calendar}/events", body, headers).raise_for_status()


def main() -> int:
    if os.environ.get("DEMO", "1") == "0":
        return 0
    email = os.environ.get("ADMIN_EMAIL", "admin@integrationsnetz.local")
    password = os.environ.get("ADMIN_PASSWORD", "integrationsnetz-dev")
    directory_url = os.environ.get("DIRECTORY_URL", "http://127.0.0.1:8001")
    with httpx.Client(base_url=directory_url, timeout=10) as client:
        existing = client.get("/organisations", params={"limit": 1}).json()
        if existing.get("total", 0) > 0:
            print("demo: the directory already has organisations; nothing loaded")
            return 0
        token = client.post("/auth/token", data={"username": email, "password": password})
        if token.status_code != 200:
            print(f"demo: cannot log in as {email}: {token.text}", file=sys.stderr)
            return 1
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        ids: dict[str, str] = {}
        for organisation in [*ORGANISATIONS, *LEADS]:
            response = client.post("/organisations", json=organisation, headers=headers)
            response.raise_for_status()
            ids[organisation["name"]] = response.json()["id"]
        print(f"demo: loaded {len(ORGANISATIONS) + len(LEADS)} partner organisations")
        measures: dict[str, str] = {}
        try:
            measures = load_concept(client, headers)
            print(f"demo: loaded the integration concept with {len(measures)} measures")
        except (httpx.HTTPError, RuntimeError) as exc:
            print(f"demo: the integration concept not loaded ({exc})", file=sys.stderr)
        try:
            load_listings_and_events(client, headers, ids, measures)
        except httpx.HTTPError as exc:
            print(f"demo: listings and events not loaded ({exc})", file=sys.stderr)
            return 1
        print("demo: loaded listings (with a match) and events")
        when = {"meeting": _next_weekday(2, 18, weeks_ahead=3), "evening": _next_weekday(3, 18, 1)}
        try:
            load_group_and_registrations(client, headers, ids, when)
        except httpx.HTTPError as exc:
            print(f"demo: the working group not loaded ({exc})", file=sys.stderr)
            return 1
        print("demo: loaded a working group with its meeting, and an evening taking registrations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
