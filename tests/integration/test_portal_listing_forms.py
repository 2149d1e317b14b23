"""Posting and closing offers and requests in the portal, without a browser: who may, and what a
person sees when the exchange is down or refuses."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.exchange_fixtures import Network
from tests.support.portal import (
    portal_client,
    refused_from_another_site,
    session_of,
    signed_in_portal,
)

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
A_FORM = {
    "organisation_id": ORGANISATION,
    "category": "furniture",
    "title": "Zwölf Stühle für den Gruppenraum",
    "description": "Stapelbar, gut erhalten.",
    "tags": "Stühle, Gruppenraum",
    "languages": "de, ar",
    "district": "Nordstadt",
    "available_from": "2026-06-01",
    "available_until": "",
    "quantity": "12",
    "expires_at": "",
}


def portal(
    *, directory_url: str | None = None, exchange_url: str | None = None
) -> httpx.AsyncClient:
    """The portal in-process; what it calls is served over real HTTP, or nowhere (a closed port)."""
    return portal_client(directory_url=directory_url, exchange_url=exchange_url)


def portal_of(network: Network) -> httpx.AsyncClient:
    return portal(directory_url=str(network.directory.base_url), exchange_url=network.exchange_url)


@contextlib.asynccontextmanager
async def signed_in_for(network: Network, organisation_id: str) -> AsyncIterator[httpx.AsyncClient]:
    """The portal in front of the network, a member of the organisation signed in."""
    async with signed_in_portal(
        session_of(network.editor_of(organisation_id)),
        directory_url=str(network.directory.base_url),
        exchange_url=network.exchange_url,
    ) as client:
        yield client


@pytest.fixture
async def mriya_and_seniors(served_network: Network) -> tuple[str, str]:
    """Two organisations in the network: Mriya and the Seniorenbüro."""
    mriya = await served_network.register("Ukrainischer Verein Mriya e.V.")
    seniors = await served_network.register("Seniorenbüro Lindenhof")
    return mriya, seniors


async def test_the_listing_forms_send_someone_who_is_not_signed_in_to_the_log_in() -> None:
    async with portal() as client:
        answers = [
            await client.get("/offers/new"),
            await client.get("/requests/new"),
            await client.post("/offers/new", data=A_FORM),
            await client.post(f"/requests/{ORGANISATION}/withdraw"),
        ]
    for answer in answers:
        assert answer.status_code == 303, answer.request.url
        assert answer.headers["location"] == "/login"


async def test_posting_while_the_exchange_is_down_answers_503_and_keeps_what_was_typed() -> None:
    async with portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        response = await client.post("/offers/new", data=A_FORM)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "Die Börse ist gerade nicht erreichbar" in response.text
    for typed in ("Zwölf Stühle für den Gruppenraum", "Stapelbar, gut erhalten.", "de, ar"):
        assert typed in response.text
    assert 'value="2026-06-01"' in response.text
    assert 'value="12"' in response.text
    assert '<option value="furniture" selected>' in response.text
    assert f'<option value="{ORGANISATION}" selected>' in response.text


async def test_a_listing_form_refused_from_another_site_is_refused() -> None:
    await refused_from_another_site(
        ("/offers/new", A_FORM), (f"/offers/{ORGANISATION}/fulfil", None)
    )


async def test_a_date_the_portal_cannot_read_is_pointed_out_without_asking_the_exchange() -> None:
    async with portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        response = await client.post(
            "/requests/new",
            data={**A_FORM, "available_from": "nächsten Montag", "quantity": "viele"},
        )
    assert response.status_code == 422
    assert "Bitte prüfen Sie: Verfügbar ab, Anzahl." in response.text
    assert "nächsten Montag" in response.text
    # the summary links each refused field; the field names its hint and its error
    assert '<a href="#feld-available_from">' in response.text
    assert 'id="feld-available_from" aria-invalid="true"' in response.text
    assert 'aria-describedby="hinweis-available_from fehler-available_from"' in response.text
    assert 'id="hinweis-available_from"' in response.text
    assert 'id="fehler-available_from"' in response.text


async def test_a_member_cannot_post_for_another_organisation_and_is_told_so_in_german(
    served_network: Network, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    async with signed_in_for(served_network, mriya) as client:
        response = await client.post("/offers/new", data={**A_FORM, "organisation_id": seniors})
    assert response.status_code == 403
    assert "Sie dürfen für diese Organisation nichts einstellen." in response.text
    assert "Zwölf Stühle für den Gruppenraum" in response.text
    listed = await served_network.client.get("/offers", params={"organisation": seniors})
    assert listed.json()["total"] == 0


async def test_what_the_exchange_refuses_is_named_by_the_german_label_of_the_field(
    served_network: Network,
) -> None:
    mriya = await served_network.register("Ukrainischer Verein Mriya e.V.")
    backwards = {
        **A_FORM,
        "organisation_id": mriya,
        "available_from": "2030-06-10",
        "available_until": "2030-06-01",
    }
    async with signed_in_for(served_network, mriya) as client:
        window = await client.post("/requests/new", data=backwards)
        title = await client.post(
            "/requests/new", data={**A_FORM, "organisation_id": mriya, "title": "ab"}
        )
    assert window.status_code == 422
    assert "Bitte prüfen Sie: Verfügbar ab, Verfügbar bis." in window.text
    assert 'value="2030-06-10"' in window.text
    assert title.status_code == 422
    assert "Bitte prüfen Sie: Titel." in title.text
    assert "3 bis 200 Zeichen" in title.text


async def test_office_staff_may_post_for_any_organisation_and_close_what_visitors_only_see(
    served_network: Network, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    request = await served_network.post(
        "requests", mriya, category="furniture", title="Stühle für das Sprachcafé gesucht"
    )
    path = f"/requests/{request['id']}"
    async with portal_of(served_network) as client:
        anonymous = await client.get(path)
        client.cookies.set("inx_session", session_of(served_network.admin))
        form = await client.get("/offers/new", params={"organisation": seniors})
        as_staff = await client.get(path)
        fulfilled = await client.post(f"{path}/fulfil")
        after = await client.get(path)
    assert anonymous.status_code == 200
    assert "Stühle für das Sprachcafé gesucht" in anonymous.text
    assert "Zurückziehen" not in anonymous.text
    assert form.status_code == 200
    assert f'<option value="{seniors}" selected>Seniorenbüro Lindenhof</option>' in form.text
    assert f'<option value="{mriya}">Ukrainischer Verein Mriya e.V.</option>' in form.text
    assert "Zurückziehen" in as_staff.text
    assert "Erledigt" in as_staff.text
    assert fulfilled.status_code == 303
    assert fulfilled.headers["location"] == path
    assert "Status: erledigt" in after.text
    assert "Zurückziehen" not in after.text


async def test_closing_another_organisations_listing_is_refused_in_german(
    served_network: Network, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    offer = await served_network.post(
        "offers", seniors, category="language_partner", title="Senioren als Sprachpartner"
    )
    async with signed_in_for(served_network, mriya) as client:
        response = await client.post(f"/offers/{offer['id']}/withdraw")
    assert response.status_code == 403
    assert "Sie dürfen dieses Angebot nicht ändern" in response.text
    still = await served_network.client.get(f"/offers/{offer['id']}")
    assert still.json()["status"] == "open"
