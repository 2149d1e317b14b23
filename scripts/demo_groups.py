"""The demo's working group with its next meeting, and an evening that takes registrations,
loaded through the calendar's API (`scripts/demo.py` calls it after the events)."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import httpx

GROUP = {
    "name": "Netzwerk der migrantischen Communitys",
    "purpose": "Die Vereine der Stadt treffen sich zweimal im Jahr zu einem Thema, tauschen "
    "sich aus und planen Gemeinsames.",
    "visibility": "network",
    "contacts": [
        {
            "name": "Koordination im Stadtteilbüro",
            "email": "stadtteilbuero-nordstadt@stadt.example",
            "role": "Koordination",
        }
    ],
}
MEMBERS = ("Ukrainischer Verein Mriya e.V.", "Centro Cultural Hispano", "FC Anadolu Nordstadt 1987")


def load_group_and_registrations(
    client: httpx.Client,
    headers: dict[str, str],
    ids: dict[str, str],
    when: dict[str, dt.datetime],
) -> None:
    """A working group coordinated by the Stadtteilbüro with three member associations, its
    next meeting (two places per organisation, for the group's members), and a public
    information evening with ten places and the questions about interpreting and child care.
    `when`: the start of the `meeting` and of the `evening`."""
    calendar = os.environ.get("CALENDAR_URL", "http://127.0.0.1:8002")
    coordinator = ids["Stadtteilbüro Nordstadt"]

    def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Once the calendar has learned of the organisations from the directory's events."""
        deadline = time.monotonic() + 30
        while True:
            response = client.request(method, f"{calendar}{path}", json=body, headers=headers)
            if response.status_code != 422 or "organisation" not in response.text:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        response.raise_for_status()
        return response.json()

    group = call("POST", "/groups", {**GROUP, "coordinator_id": coordinator})
    for name in MEMBERS:
        call("POST", f"/groups/{group['id']}/join-requests", {"organisation_id": ids[name]})
        call("POST", f"/groups/{group['id']}/members/{ids[name]}/accept")
    meeting = call(
        "POST",
        "/events",
        {
            "organisation_id": coordinator,
            "title": "Frühjahrsrunde der migrantischen Communitys",
            "topic": "Projektförderung einwerben",
            "group_id": group["id"],
            "starts_at": when["meeting"].isoformat(),
            "ends_at": (when["meeting"] + dt.timedelta(hours=2)).isoformat(),
            "venue": {"name": "Stadtteilbüro Nordstadt", "room": "Gruppenraum"},
            "district": "Nordstadt",
            "visibility": "network",
        },
    )["event"]
    call(
        "PUT",
        f"/events/{meeting['id']}/registration",
        {
            "capacity": 30,
            "places_per_organisation": 2,
            "questions": ["interpreter", "dietary"],
            "open_to": "group",
        },
    )
    evening = call(
        "POST",
        "/events",
        {
            "organisation_id": coordinator,
            "title": "Infoabend: Ehrenamt in der Flüchtlingshilfe",
            "description": "Wie man mitmachen kann, was man wissen muss — mit Dolmetschung.",
            "starts_at": when["evening"].isoformat(),
            "ends_at": (when["evening"] + dt.timedelta(hours=2)).isoformat(),
            "venue": {"name": "Stadtteilbüro Nordstadt", "room": "Saal"},
            "district": "Nordstadt",
            "audience": ["volunteers"],
            "languages": ["de", "ar", "uk"],
            "visibility": "public",
        },
    )["event"]
    call(
        "PUT",
        f"/events/{evening['id']}/registration",
        {
            "capacity": 10,
            "questions": ["interpreter", "child_care", "accessibility"],
            "open_to": "public",
        },
    )
