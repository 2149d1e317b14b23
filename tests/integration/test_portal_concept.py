"""The integration concept in the portal, without a browser, in front of the real directory,
calendar and concept service: the overview and its filters, who sees which measures, a
measure's page with its history, indicators and the events that carry it out, and a lead
editor's status update from `/me`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.concept_fixtures import ServedConceptStack
from tests.support.portal import portal_client, session_of, signed_in_portal
from tests.support.waiting import eventually

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "Volkshochschule-Kempten-2026"


async def three_measures(stack: ServedConceptStack) -> dict[str, Any]:
    """Two organisations, the concept, and a public, a network and an office measure."""
    vhs = await stack.organisation("Volkshochschule Kempten", kind="public_authority")
    library = await stack.organisation("Stadtbibliothek Kempten", kind="public_authority")
    await stack.adopt()
    public = await stack.measure(
        "1.1.1",
        title="Sprachcafés in allen Stadtteilen",
        lead_organisation_id=vhs,
        partner_organisation_ids=[library],
        districts=["Thingers"],
        target_groups=["Neuzugewanderte"],
        planned_start="2024-01-01",
        indicators=[{"name": "Teilnehmende", "unit": "Personen", "target": 120}],
    )
    network = await stack.measure(
        "3.2.1",
        title="Vereinslotsen für neue Mitglieder",
        lead_organisation_id=library,
        visibility="network",
        status="in_progress",
    )
    office = await stack.measure(
        "3.2.2", title="Interne Schulung Sachbearbeitung", visibility="office"
    )
    return {"vhs": vhs, "library": library, "public": public, "network": network, "office": office}


async def a_vhs_member(
    stack: ServedConceptStack, email: str, name: str
) -> tuple[dict[str, Any], str]:
    """`three_measures`, and the session of a member of the Volkshochschule."""
    found = await three_measures(stack)
    session = await stack.member_session(found["vhs"], email=email, name=name, password=PASSWORD)
    return found, session


async def test_anonymous_readers_see_the_public_measures_only_with_their_status_in_words(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    found = await three_measures(stack)
    async with portal_client(**stack.urls) as client:
        overview = await client.get("/konzept")
        hidden = await client.get(f"/konzept/massnahmen/{found['network']['id']}")
    async with signed_in_portal(session_of(stack.editor_of(found["vhs"])), **stack.urls) as client:
        as_member = await client.get("/konzept")

    assert overview.status_code == 200
    page = overview.text
    assert "Sprachcafés in allen Stadtteilen" in page
    assert "Vereinslotsen" not in page
    assert "Interne Schulung" not in page
    # the status is a word on a coloured badge, and the chart says its numbers in words
    assert '<span class="badge badge-planned">geplant</span>' in page
    assert re.search(r'<svg[^>]+role="img"', page)
    assert "1 Sprache und Bildung: 1 geplant" in page
    assert hidden.status_code == 404
    assert "nicht sichtbar" in hidden.text
    # a member of the network sees network measures, never the office's
    assert "Vereinslotsen für neue Mitglieder" in as_member.text
    assert '<span class="badge badge-in_progress">in Umsetzung</span>' in as_member.text
    assert "Interne Schulung" not in as_member.text


async def test_the_overview_filters_by_field_status_lead_and_district(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    found = await three_measures(stack)
    await stack.measure("1.1.2", title="Elternkurse Deutsch", lead_organisation_id=found["library"])
    session = session_of(stack.admin)

    async def shown(query: str) -> set[str]:
        async with signed_in_portal(session, **stack.urls) as client:
            response = await client.get(f"/konzept?{query}")
        assert response.status_code == 200, response.text
        titles = {
            "Sprachcafés in allen Stadtteilen",
            "Vereinslotsen für neue Mitglieder",
            "Interne Schulung Sachbearbeitung",
            "Elternkurse Deutsch",
        }
        return {title for title in titles if f"{title}</a>" in response.text}

    assert await shown("feld=3") == {
        "Vereinslotsen für neue Mitglieder",
        "Interne Schulung Sachbearbeitung",
    }
    assert await shown("status=in_progress") == {"Vereinslotsen für neue Mitglieder"}
    assert await shown(f"federfuehrung={found['library']}") == {
        "Vereinslotsen für neue Mitglieder",
        "Elternkurse Deutsch",
    }
    assert await shown("stadtteil=Thingers") == {"Sprachcafés in allen Stadtteilen"}
    assert await shown("feld=1&status=planned&stadtteil=Nordstadt") == set()
    async with portal_client(**stack.urls) as client:
        nonsense = await client.get("/konzept?status=fast-fertig")
    assert nonsense.status_code == 422
    assert "Diese Seite gibt es nicht oder die Eingabe war ungültig." in nonsense.text


async def test_an_unknown_measure_is_a_german_404_page(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    await stack.adopt()
    async with portal_client(**stack.urls) as client:
        unknown = await client.get("/konzept/massnahmen/01a20175-6dad-718f-a12c-c0b9a10eb02c")
        malformed = await client.get("/konzept/massnahmen/kein-bezeichner")
    assert unknown.status_code == 404
    assert "Diese Maßnahme gibt es nicht" in unknown.text
    assert malformed.status_code in (404, 422)
    assert "<h1>" in malformed.text


async def test_a_lead_editor_records_the_status_from_me_and_the_measure_page_shows_it(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    found, session = await a_vhs_member(stack, "leitung@vhs-kempten.example", "Petra Huber")
    measure_id = found["public"]["id"]
    async with signed_in_portal(session, **stack.urls) as client:
        mine = await client.get("/me")
        recorded = await client.post(
            f"/konzept/massnahmen/{measure_id}/stand",
            data={"status": "in_progress", "satz": "Drei Sprachcafés laufen.", "zurueck": "/me"},
        )
        # the library's measure is not theirs to update
        refused = await client.post(
            f"/konzept/massnahmen/{found['network']['id']}/stand",
            data={"status": "implemented", "satz": "Fertig."},
        )
        page = await client.get(f"/konzept/massnahmen/{measure_id}")

    assert mine.status_code == 200
    assert "Meine Maßnahmen im Integrationskonzept" in mine.text
    assert f'id="massnahme-{measure_id}"' in mine.text
    assert found["network"]["id"] not in mine.text
    assert recorded.status_code == 303
    assert recorded.headers["location"] == f"/me#massnahme-{measure_id}"
    assert refused.status_code == 403
    assert "nur die federführende Organisation und das Büro" in refused.text
    history = page.text.split('id="verlauf"', 1)[1]
    assert "Drei Sprachcafés laufen." in history
    assert '<span class="badge badge-in_progress">in Umsetzung</span>' in history
    assert "von Ihnen" in history
    assert "Volkshochschule Kempten" in page.text
    assert "Stadtbibliothek Kempten" in page.text
    stored = (await stack.concept.get(f"/measures/{measure_id}")).json()
    assert stored["status"] == "in_progress"


async def test_an_event_posted_with_a_measure_in_the_portal_appears_on_the_measures_page(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    found, session = await a_vhs_member(stack, "kurse@vhs-kempten.example", "Ali Yılmaz")
    measure_id = found["public"]["id"]
    recorded = await stack.concept.post(
        f"/measures/{measure_id}/indicator-values",
        json={"indicator": "Teilnehmende", "on": "2024-06-30", "value": 48},
        headers=stack.admin,
    )
    assert recorded.status_code == 200, recorded.text
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=14)
    async with signed_in_portal(session, **stack.urls) as client:
        form = await client.get(f"/events/new?organisation={found['vhs']}")
        posted = await client.post(
            "/events/new",
            data={
                "organisation_id": found["vhs"],
                "title": "Sprachcafé im Stadtteilhaus Thingers",
                "date": day.isoformat(),
                "starts": "17:00",
                "ends": "19:00",
                "visibility": "public",
                "measure_ids": [measure_id],
            },
        )
        assert form.status_code == 200
        assert "Trägt bei zu Maßnahme(n)" in form.text
        assert f'<option value="{measure_id}">1.1.1 Sprachcafés in allen Stadtteilen' in form.text
        assert posted.status_code == 303, posted.text
        event_id = posted.headers["location"].split("/")[2]

        async def on_the_measures_page() -> bool:
            page = await client.get(f"/konzept/massnahmen/{measure_id}")
            return "Sprachcafé im Stadtteilhaus Thingers" in page.text

        await eventually(on_the_measures_page)
        page = (await client.get(f"/konzept/massnahmen/{measure_id}")).text

    activities = page.split('id="aktivitaeten"', 1)[1]
    assert f'href="http://portal.test/events/{event_id}"' in activities
    assert "Termin:" in activities
    indicators = page.split("<h2>Kennzahlen</h2>", 1)[1].split('id="aktivitaeten"')[0]
    assert re.search(r'<svg[^>]+role="img"', indicators)
    assert "30.06.2024: 48 Personen; Ziel: 120 Personen" in indicators
    assert "<td>30.06.2024</td><td>48</td>" in indicators


async def test_the_listing_form_offers_the_measures_and_keeps_the_choice_when_refused(
    served_concept_stack: ServedConceptStack,
) -> None:
    stack = served_concept_stack
    found, session = await a_vhs_member(stack, "boerse@vhs-kempten.example", "Jana Novak")
    measure_id = found["public"]["id"]
    # the exchange is not running: the form comes back as typed
    async with signed_in_portal(session, **stack.urls) as client:
        form = await client.get(f"/offers/new?organisation={found['vhs']}")
        sent = await client.post(
            "/offers/new",
            data={
                "organisation_id": found["vhs"],
                "category": "room",
                "title": "Seminarraum für Sprachcafés",
                "measure_ids": [measure_id, "kein-bezeichner"],
            },
        )
    assert f'<option value="{measure_id}">1.1.1 Sprachcafés' in form.text
    # a member of the network may choose network measures too, never the office's
    assert "3.2.1 Vereinslotsen" in form.text
    assert "Interne Schulung" not in form.text
    assert sent.status_code == 503
    assert f'<option value="{measure_id}" selected>1.1.1 Sprachcafés' in sent.text
