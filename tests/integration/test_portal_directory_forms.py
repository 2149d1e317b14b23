"""Registering, changing and archiving organisations and inviting their people in the portal,
without a browser: who may, and what a person sees when the directory is down or refuses."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.notifier_fixtures import ServedDirectory
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.members import member_session
from tests.support.portal import (
    portal_client,
    refused_from_another_site,
    session_of,
    signed_in_portal,
)
from tests.support.waiting import eventually

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
A_FORM = {
    "name": "Deutsch-Ukrainischer Kulturverein",
    "kind": "migrant_organisation",
    "description": "Kultur, Sprache und Begegnung in der Nordstadt.",
    "languages": "de, uk",
    "communities": "ukrainische Familien, Studierende",
    "fields": ["cultural_diversity", "language_education"],
    "district": "Nordstadt",
    "address": "Lindenstraße 4",
    "website": "www.dukv.example.org",
    "email": "info@dukv.example.org",
    "phone": "+49 511 123456",
    "preferred_language": "uk",
}
PASSWORD = "Sonnenblume-Nordstadt-2026"
COMMANDS_EXCHANGE = "integrationsnetz.commands"
SEND_EMAIL = "notifier.email.send"


def portal(directory_url: str | None = None) -> httpx.AsyncClient:
    """The portal in-process; the directory served over real HTTP, or nowhere (a closed port)."""
    return portal_client(directory_url=directory_url)


def staff_portal(directory: ServedDirectory) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The portal in front of the directory, office staff signed in."""
    return signed_in_portal(session_of(directory.admin), directory_url=directory.url)


async def olena_of_dukv_and(
    directory: ServedDirectory, vhost: RabbitVhost, other_name: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The Kulturverein and another organisation registered, in that order, and the session of
    Olena, a member of the Kulturverein."""
    own = await directory.register("Deutsch-Ukrainischer Kulturverein")
    other = await directory.register(other_name)
    return own, other, await a_member_of(directory, vhost, own["id"], "olena@dukv.example")


async def a_member_of(
    directory: ServedDirectory, vhost: RabbitVhost, organisation_id: str, email: str
) -> str:
    """The session of a real member of the organisation (invited, password set, logged in)."""
    return await member_session(
        directory.client,
        directory.admin,
        vhost.url,
        organisation_id,
        email=email,
        name="Olena Kovalenko",
        password=PASSWORD,
    )


async def test_the_directory_forms_send_someone_who_is_not_signed_in_to_the_log_in() -> None:
    async with portal() as client:
        answers = [
            await client.get("/organisations/new"),
            await client.post("/organisations/new", data=A_FORM),
            await client.get(f"/organisations/{ORGANISATION}/edit"),
            await client.post(f"/organisations/{ORGANISATION}/edit", data=A_FORM),
            await client.get(f"/organisations/{ORGANISATION}/members"),
            await client.post(
                f"/organisations/{ORGANISATION}/members/new",
                data={"name": "Olena Kovalenko", "email": "olena@example.org"},
            ),
            await client.post(f"/organisations/{ORGANISATION}/archive", data={"confirmed": "yes"}),
        ]
    for answer in answers:
        assert answer.status_code == 303, answer.request.url
        assert answer.headers["location"] == "/login"


async def test_a_directory_form_refused_from_another_site_is_refused() -> None:
    await refused_from_another_site(
        ("/organisations/new", A_FORM),
        (f"/organisations/{ORGANISATION}/edit", A_FORM),
        (
            f"/organisations/{ORGANISATION}/members/new",
            {"name": "Olena Kovalenko", "email": "olena@example.org"},
        ),
        (f"/organisations/{ORGANISATION}/archive", {"confirmed": "yes"}),
    )


async def test_registering_while_the_directory_is_down_answers_503_and_keeps_what_was_typed() -> (
    None
):
    async with portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        registered = await client.post("/organisations/new", data=A_FORM)
        changed = await client.post(f"/organisations/{ORGANISATION}/edit", data=A_FORM)
    for response in (registered, changed):
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert "Das Verzeichnis ist gerade nicht erreichbar" in response.text
        for typed in (
            'value="Deutsch-Ukrainischer Kulturverein"',
            "Kultur, Sprache und Begegnung in der Nordstadt.",
            'value="de, uk"',
            'value="ukrainische Familien, Studierende"',
            'value="www.dukv.example.org"',
            'value="info@dukv.example.org"',
            'value="+49 511 123456"',
            'value="Lindenstraße 4"',
            '<option value="migrant_organisation" selected>',
            '<option value="uk" selected>',
            'value="cultural_diversity" checked',
            'value="language_education" checked',
        ):
            assert typed in response.text, typed
        assert 'value="housing" checked' not in response.text


async def test_office_staff_are_offered_to_register_and_get_a_german_field_message(
    served_directory: ServedDirectory,
) -> None:
    async with portal(served_directory.url) as client:
        anonymous = await client.get("/organisations")
        client.cookies.set("inx_session", session_of(served_directory.admin))
        listed = await client.get("/organisations")
        form = await client.get("/organisations/new")
        refused = await client.post("/organisations/new", data={**A_FORM, "email": "info@dukv"})
        registered = await client.post("/organisations/new", data=A_FORM)
        shown = await client.get(registered.headers["location"])
    assert "Organisation anlegen" not in anonymous.text
    assert '<a href="/organisations/new">Organisation anlegen</a>' in listed.text
    assert form.status_code == 200
    assert "Handlungsfelder" in form.text
    assert "Kulturelle Vielfalt" in form.text
    assert refused.status_code == 422
    assert "Bitte prüfen Sie: Kontakt-E-Mail." in refused.text
    assert 'value="info@dukv"' in refused.text
    assert 'value="Deutsch-Ukrainischer Kulturverein"' in refused.text
    assert registered.status_code == 303
    location = registered.headers["location"]
    stored = await served_directory.client.get(location)
    assert stored.json()["website"] == "https://www.dukv.example.org/"
    assert stored.json()["fields"] == ["cultural_diversity", "language_education"]
    assert stored.json()["preferred_language"] == "uk"
    assert "Handlungsfelder: Kulturelle Vielfalt, Sprache und Bildung" in shown.text


async def test_a_member_may_not_register_nor_edit_another_organisation_and_is_told_in_german(
    served_directory: ServedDirectory, notifier_vhost: RabbitVhost
) -> None:
    own, other, session = await olena_of_dukv_and(
        served_directory, notifier_vhost, "Seniorenbüro Lindenhof"
    )
    async with signed_in_portal(session, directory_url=served_directory.url) as client:
        register = await client.get("/organisations/new")
        edit_other = await client.get(f"/organisations/{other['id']}/edit")
        patch_other = await client.post(
            f"/organisations/{other['id']}/edit", data={**A_FORM, "name": "Übernommen"}
        )
        other_page = await client.get(f"/organisations/{other['id']}")
        edit_own = await client.get(f"/organisations/{own['id']}/edit")
        own_page = await client.get(f"/organisations/{own['id']}")
    assert register.status_code == 403
    assert "Nur das Büro des Amts für Integration kann Organisationen anlegen." in register.text
    assert edit_other.status_code == 403
    assert "Sie dürfen diese Organisation nicht bearbeiten" in edit_other.text
    assert patch_other.status_code == 403
    assert "Sie dürfen diese Organisation nicht bearbeiten" in patch_other.text
    assert 'value="Übernommen"' in patch_other.text
    unchanged = await served_directory.client.get(f"/organisations/{other['id']}")
    assert unchanged.json()["name"] == "Seniorenbüro Lindenhof"
    for hidden in ("Bearbeiten", "Mitglied einladen", "Archivieren"):
        assert hidden not in other_page.text
    assert edit_own.status_code == 200
    assert 'value="Deutsch-Ukrainischer Kulturverein"' in edit_own.text
    assert "Bearbeiten" in own_page.text
    assert "Mitglied einladen" in own_page.text
    assert "olena@dukv.example" in own_page.text
    assert "Archivieren" not in own_page.text


async def test_editing_sends_only_what_changed_and_keeps_a_change_made_meanwhile(
    served_directory: ServedDirectory,
) -> None:
    organisation = await served_directory.register(
        "Deutsch-Ukrainischer Kulturverein", district="Nordstadt", phone="0511 123456"
    )
    path = f"/organisations/{organisation['id']}"
    async with staff_portal(served_directory) as client:
        form = await client.get(f"{path}/edit")
        # someone else changes the district while the form is open
        meanwhile = await served_directory.client.patch(
            path, json={"district": "Südstadt"}, headers=served_directory.admin
        )
        assert meanwhile.status_code == 200
        shown = {
            "name": "Deutsch-Ukrainischer Kulturverein",
            "kind": "association",
            "description": "",
            "languages": "",
            "communities": "",
            "district": "Nordstadt",
            "address": "",
            "website": "",
            "email": "",
            "phone": "0511 123456",
            "preferred_language": "de",
        }
        posted = {
            **shown,
            **{f"shown.{name}": value for name, value in shown.items()},
            "description": "Jetzt auch mit Kinderchor.",
            "phone": "",
        }
        saved = await client.post(f"{path}/edit", data=posted)
        after = await client.get(path)
    assert form.status_code == 200
    assert 'name="shown.district" value="Nordstadt"' in form.text
    assert saved.status_code == 303
    assert saved.headers["location"] == path
    stored = (await served_directory.client.get(path)).json()
    assert stored["description"] == "Jetzt auch mit Kinderchor."
    assert stored["district"] == "Südstadt"
    assert stored["phone"] is None
    assert "Jetzt auch mit Kinderchor." in after.text


async def test_an_invitation_is_confirmed_in_german_and_the_member_is_listed_as_invited(
    served_directory: ServedDirectory,
) -> None:
    organisation = await served_directory.register("Deutsch-Ukrainischer Kulturverein")
    path = f"/organisations/{organisation['id']}"
    invite = {"name": "Olena Kovalenko", "email": "olena@dukv.example"}
    async with portal(served_directory.url) as client:
        anonymous = await client.get(path)
        client.cookies.set("inx_session", session_of(served_directory.admin))
        refused = await client.post(
            f"{path}/members/new", data={**invite, "email": "olena(at)dukv"}
        )
        invited = await client.post(f"{path}/members/new", data=invite)
        landed = await client.get(invited.headers["location"])
        again = await client.post(f"{path}/members/new", data=invite)
    for hidden in ("Mitglied einladen", "Mitglieder", "Archivieren", "Bearbeiten"):
        assert hidden not in anonymous.text
    assert refused.status_code == 422
    assert "Bitte prüfen Sie: E-Mail-Adresse." in refused.text
    assert 'value="olena(at)dukv"' in refused.text
    assert 'value="Olena Kovalenko"' in refused.text
    assert invited.status_code == 303
    assert landed.status_code == 200
    assert "Einladung an Olena Kovalenko ist unterwegs." in landed.text
    assert "eingeladen, noch kein Passwort gesetzt" in landed.text
    # invited again before setting a password: a new link is on its way
    assert again.status_code == 303


async def test_archiving_by_office_staff_shows_the_organisation_as_no_longer_active(
    served_directory: ServedDirectory,
) -> None:
    organisation = await served_directory.register("Kulturverein La Casa")
    path = f"/organisations/{organisation['id']}"
    async with staff_portal(served_directory) as client:
        before = await client.get(path)
        unconfirmed = await client.post(f"{path}/archive")
        archived = await client.post(f"{path}/archive", data={"confirmed": "yes"})
        after = await client.get(path)
        edit = await client.get(f"{path}/edit")
        client.cookies.clear()
        anonymous = await client.get(path)
    assert "Archivieren" in before.text
    assert "offenen Angebote und Gesuche werden zurückgezogen" in before.text
    assert unconfirmed.status_code == 422
    assert archived.status_code == 303
    assert archived.headers["location"] == path
    assert after.status_code == 200
    assert "nicht mehr aktiv" in after.text
    assert '<button type="submit">Archivieren</button>' not in after.text
    assert "Bearbeiten" not in after.text
    assert edit.status_code == 409
    assert "nicht mehr aktiv" in edit.text
    assert anonymous.status_code == 404
    stored = await served_directory.client.get(path, headers=served_directory.admin)
    assert stored.json()["status"] == "archived"


async def test_only_office_staff_may_archive_and_a_member_is_told_so_in_german(
    served_directory: ServedDirectory, notifier_vhost: RabbitVhost
) -> None:
    own = await served_directory.register("Deutsch-Ukrainischer Kulturverein")
    session = await a_member_of(served_directory, notifier_vhost, own["id"], "olena@dukv.example")
    async with signed_in_portal(session, directory_url=served_directory.url) as client:
        response = await client.post(
            f"/organisations/{own['id']}/archive", data={"confirmed": "yes"}
        )
    assert response.status_code == 403
    assert "Nur das Büro des Amts für Integration kann Organisationen archivieren." in response.text
    stored = await served_directory.client.get(f"/organisations/{own['id']}")
    assert stored.json()["status"] == "active"


async def test_office_staff_remove_a_member_and_the_list_says_so(
    served_directory: ServedDirectory,
) -> None:
    organisation = await served_directory.register("Deutsch-Ukrainischer Kulturverein")
    path = f"/organisations/{organisation['id']}"
    invite = {"name": "Olena Kovalenko", "email": "olena@dukv.example"}
    async with staff_portal(served_directory) as client:
        invited = await client.post(f"{path}/members/new", data=invite)
        person_id = invited.headers["location"].split("eingeladen=")[1].split("#")[0]
        remove = f"{path}/members/{person_id}/remove"
        foreign = await client.post(remove, headers={"Origin": "https://evil.example"})
        still_there = await client.get(f"{path}/members")
        removed = await client.post(remove)
        landed = await client.get(removed.headers["location"])
        twice = await client.post(remove)
        client.cookies.clear()
        signed_out = await client.post(remove)
    assert foreign.status_code == 403
    assert f'id="mitglied-{person_id}"' in still_there.text
    assert removed.status_code == 303
    assert "Das Mitglied gehört nicht mehr dazu." in landed.text
    assert f'id="mitglied-{person_id}"' not in landed.text
    assert "Olena Kovalenko" not in landed.text
    assert twice.status_code == 404
    assert "gehört nicht (mehr) zur Organisation" in twice.text
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/login")


async def test_office_staff_choose_among_all_organisations_beyond_one_page(
    served_directory: ServedDirectory,
) -> None:
    """The directory hands out at most 100 per page; the forms page through all of them."""
    for n in range(101):
        await served_directory.register(f"Verein {n:03d}")
    async with staff_portal(served_directory) as client:
        offer_form = await client.get("/offers/new")
        event_form = await client.get("/events/new")
    for form in (offer_form, event_form):
        assert form.status_code == 200, form.text
        assert ">Verein 000<" in form.text
        assert ">Verein 100<" in form.text


async def test_someone_with_an_account_invited_in_the_portal_joins_by_accepting_on_the_link_page(
    served_directory: ServedDirectory, notifier_vhost: RabbitVhost
) -> None:
    own, other, session = await olena_of_dukv_and(
        served_directory, notifier_vhost, "Nachbarschaftstreff Linde"
    )
    path = f"/organisations/{other['id']}"
    async with StreamTap(notifier_vhost.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as tap:
        async with staff_portal(served_directory) as client:
            invited = await client.post(
                f"{path}/members/new", data={"name": "Olena K.", "email": "olena@dukv.example"}
            )
            landed = await client.get(invited.headers["location"])

        async def asked() -> bool:
            return any(c["data"]["template"] == "membership_invitation" for c in tap.bodies())

        await eventually(asked)
    [command] = [c for c in tap.bodies() if c["data"]["template"] == "membership_invitation"]
    link = urlsplit(command["data"]["params"]["link"])
    assert link.path == "/einladung"
    async with portal(served_directory.url) as client:
        signed_out = await client.get(f"/einladung?{link.query}")
        client.cookies.set("inx_session", session)
        offered = await client.get(f"/einladung?{link.query}")
        [token] = parse_qs(link.query)["token"]
        accepted = await client.post("/einladung", data={"token": token})
        again = await client.post("/einladung", data={"token": token})

    assert "Einladung an Olena K. ist unterwegs." in landed.text
    assert "Bitte zuerst anmelden" in signed_out.text
    assert offered.status_code == 200
    assert "Einladung annehmen" in offered.text
    assert accepted.status_code == 200, accepted.text
    assert "Sie vertreten jetzt Nachbarschaftstreff Linde." in accepted.text
    assert again.status_code == 400
    me = await served_directory.client.get("/me", headers={"Authorization": f"Bearer {session}"})
    assert [o["id"] for o in me.json()["organisations"]] == [own["id"], other["id"]]
