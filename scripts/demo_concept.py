"""The demo's integration concept (`scripts/concept_seed.py`), loaded through the concept
service's API as office staff would: the edition with its fields of action and goals, the
spreadsheet of 144 measures through the import, a few status sentences and indicators from the
lead organisations' side, and the Faktencheck figures. Called by `scripts/demo.py`."""

from __future__ import annotations

import csv
import io
import os
import time
from typing import Any

import httpx

from scripts.concept_seed import COLUMNS, FACTS, concept_edition, measure_rows

#: Measures the demo's events and listings carry out, and a few with history and indicators.
LINKED = {"sprachcafe": "1.1.1", "language_partner": "1.3.1", "sports": "3.5.1", "room": "6.3.1"}
HISTORY: list[tuple[str, str, str, str]] = [
    ("1.1.1", "in_preparation", "2021-03-01", "Räume gefunden, Ehrenamtliche geschult."),
    ("1.1.1", "in_progress", "2022-09-15", "Wöchentlich in zwei Stadtteilen, 40 Teilnehmende."),
    ("2.1.1", "in_progress", "2022-05-02", "Erstberatung zur Anerkennung jeden Mittwoch."),
    ("5.4.1", "implemented", "2023-06-30", "Alle Bürgerbüros beraten auf Englisch und Türkisch."),
]
INDICATORS: dict[str, list[dict[str, Any]]] = {
    "1.1.1": [{"name": "Teilnehmende pro Jahr", "unit": "Personen", "target": 200, "baseline": 0}],
    "2.1.1": [{"name": "Beratene Personen", "unit": "Personen", "target": 300, "baseline": 80}],
}
VALUES: list[tuple[str, str, str, float]] = [
    ("1.1.1", "Teilnehmende pro Jahr", "2021-12-31", 60),
    ("1.1.1", "Teilnehmende pro Jahr", "2022-12-31", 140),
    ("1.1.1", "Teilnehmende pro Jahr", "2023-09-30", 175),
    ("2.1.1", "Beratene Personen", "2022-12-31", 150),
    ("2.1.1", "Beratene Personen", "2023-09-30", 240),
]


def spreadsheet() -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(measure_rows())
    return text.getvalue().encode("utf-8")


def _import_when_known(client: httpx.Client, url: str, headers: dict[str, str]) -> None:
    """Import once the concept has learned every lead organisation from the directory."""
    body = spreadsheet()
    upload = {**headers, "Content-Type": "text/csv"}
    deadline = time.monotonic() + 60
    while True:
        preview = client.post(f"{url}/imports/preview", content=body, headers=upload)
        preview.raise_for_status()
        if not preview.json()["errors"]:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the import keeps failing: {preview.json()['errors'][:3]}")
        time.sleep(0.5)
    client.post(f"{url}/imports", content=body, headers=upload).raise_for_status()


def load_concept(client: httpx.Client, headers: dict[str, str]) -> dict[str, str]:
    """Load the concept; returns the measure ids by number."""
    url = os.environ.get("CONCEPT_URL", "http://127.0.0.1:8005").rstrip("/")
    client.post(f"{url}/concept/editions", json=concept_edition(), headers=headers)
    _import_when_known(client, url, headers)
    listed = client.get(f"{url}/measures", params={"limit": 500}, headers=headers)
    listed.raise_for_status()
    ids = {m["number"]: m["id"] for m in listed.json()["items"]}

    def about_measure(method: str, number: str, path: str, body: dict[str, Any]) -> None:
        measure = f"{url}/measures/{ids[number]}"
        client.request(method, measure + path, json=body, headers=headers).raise_for_status()

    for number, indicators in INDICATORS.items():
        about_measure("PATCH", number, "", {"indicators": indicators})
    for number, status, on, comment in HISTORY:
        about_measure("POST", number, "/status", {"status": status, "on": on, "comment": comment})
    for number, indicator, on, value in VALUES:
        body = {"indicator": indicator, "on": on, "value": value}
        about_measure("POST", number, "/indicator-values", body)
    for position, (key, (name, unit, values)) in enumerate(FACTS.items()):
        client.put(
            f"{url}/facts/{key}",
            json={"name": name, "unit": unit, "position": position, "values": values},
            headers=headers,
        ).raise_for_status()
    return ids
