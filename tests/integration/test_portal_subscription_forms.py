"""Following by email in the portal, without a browser: what a person sees when the notifier is
down or refuses, and a member ending what their organisation follows on their page."""

from __future__ import annotations

import re

import httpx

from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory, ServedNotifier
from tests.support.infra import RabbitVhost
from tests.support.mail import MailServer, tagged
from tests.support.members import member_with_password
from tests.support.portal import portal_client, refused_from_another_site

SUBSCRIPTION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
A_FORM = {
    "email": "nachbarin@example.org",
    "topics": ["offers", "requests"],
    "categories": ["room"],
    "districts": "Nordstadt",
    "languages": "uk, ar",
    "delivery": "weekly",
    "language": "tr",
}
PASSWORD = "Sprachcafe-Lindenhof-2026"


def portal(
    *, directory_url: str | None = None, notifier_url: str | None = None
) -> httpx.AsyncClient:
    """The portal in-process; what it calls is served over real HTTP, or nowhere (a closed port)."""
    return portal_client(directory_url=directory_url, notifier_url=notifier_url)


def alert_of(html: str) -> str:
    found = re.search(r'<div class="error" role="alert">(.*?)</div>', html, re.S)
    assert found, "no error shown"
    return found.group(1)


async def test_a_follow_form_refused_from_another_site_is_refused() -> None:
    await refused_from_another_site(
        ("/benachrichtigungen", A_FORM), (f"/benachrichtigungen/{SUBSCRIPTION}/beenden", None)
    )


async def test_following_while_the_notifier_is_down_answers_503_and_keeps_what_was_typed() -> None:
    async with portal() as client:
        response = await client.post("/benachrichtigungen", data=A_FORM)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "Die Benachrichtigungen sind gerade nicht erreichbar" in alert_of(response.text)
    assert 'value="nachbarin@example.org"' in response.text
    assert 'value="Nordstadt"' in response.text
    assert 'value="uk, ar"' in response.text
    for ticked in ('name="topics" value="offers"', 'name="topics" value="requests"'):
        assert f"{ticked} checked" in response.text
    assert 'name="topics" value="events">' in response.text
    assert 'name="categories" value="room" checked' in response.text
    assert 'name="delivery" value="weekly" checked' in response.text
    assert '<option value="tr" lang="tr" selected>Türkçe</option>' in response.text


async def test_nothing_ticked_is_pointed_out_in_german_without_asking_the_notifier() -> None:
    # the notifier is nowhere: asking it would answer 503
    async with portal() as client:
        response = await client.post("/benachrichtigungen", data={**A_FORM, "topics": []})
    assert response.status_code == 422
    shown = alert_of(response.text)
    assert "Bitte prüfen Sie: Neuigkeiten." in shown
    assert "neue Angebote, neue Gesuche oder neue Termine" in shown
    assert 'value="nachbarin@example.org"' in response.text


async def test_the_notifiers_refusals_are_shown_in_german_with_what_was_typed(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    reader = tagged("nachbar")
    async with (
        notifier_factory(pending_subscriptions_per_address=1) as notifier,
        portal(notifier_url=notifier.url) as client,
    ):
        typo = await client.post("/benachrichtigungen", data={**A_FORM, "email": "jana@nordstadt"})
        both = await client.post(
            "/benachrichtigungen",
            data={**A_FORM, "email": reader, "topics": ["offers", "events"], "audiences": "youth"},
        )
        first = await client.post("/benachrichtigungen", data={**A_FORM, "email": reader})
        second = await client.post("/benachrichtigungen", data={**A_FORM, "email": reader})
    assert typo.status_code == 422
    assert "Bitte prüfen Sie: E-Mail-Adresse." in alert_of(typo.text)
    assert "gültige E-Mail-Adresse" in typo.text
    assert 'value="jana@nordstadt"' in typo.text
    assert both.status_code == 422
    assert "Bitte prüfen Sie: Kategorie, Zielgruppe." in alert_of(both.text)
    assert 'name="audiences" value="youth" checked' in both.text
    assert first.status_code == 200
    assert "Fast geschafft" in first.text
    assert f"Bitte bestätigen Sie über den Link in der E-Mail an <strong>{reader}</strong>" in (
        first.text
    )
    assert second.status_code == 429
    assert "warten schon mehrere Abonnements auf ihre Bestätigung" in alert_of(second.text)
    assert f'value="{reader}"' in second.text


async def test_a_member_sees_what_their_organisation_follows_on_their_page_and_ends_it(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
    notifier_vhost: RabbitVhost,
) -> None:
    member = tagged("jana")
    linde = await served_directory.register("Nachbarschaftstreff Linde", email=tagged("info"))
    await notifier.knows_organisations(linde["id"])
    await member_with_password(
        served_directory.client,
        served_directory.admin,
        notifier_vhost.url,
        linde["id"],
        email=member,
        name="Jana Novak",
        password=PASSWORD,
    )
    async with portal(directory_url=served_directory.url, notifier_url=notifier.url) as client:
        signed_in = await client.post("/login", data={"email": member, "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.text
        before = await client.get("/me")
        form = await client.get("/benachrichtigungen", params={"organisation": linde["id"]})
        followed = await client.post(
            "/benachrichtigungen",
            data={
                "organisation_id": linde["id"],
                "topics": "requests",
                "categories": ["room", "furniture"],
                "delivery": "daily",
            },
        )
        during = await client.get("/me")
        [subscription_id] = re.findall(r'id="abo-([0-9a-f-]{36})"', during.text)
        ended = await client.post(
            f"/benachrichtigungen/{subscription_id}/beenden",
            data={"organisation_id": linde["id"]},
        )
        after = await client.get("/me")
    listed = await notifier.client.get(
        "/subscriptions",
        params={"organisation_id": linde["id"]},
        headers=served_directory.admin,
    )
    assert "Noch keine." in before.text
    assert f'href="/benachrichtigungen?organisation={linde["id"]}">Für die Organisation folgen' in (
        before.text
    )
    assert form.status_code == 200
    assert "<strong>Nachbarschaftstreff Linde</strong>" in form.text
    assert f'name="organisation_id" value="{linde["id"]}"' in form.text
    assert 'name="email"' not in form.text
    assert followed.status_code == 303, followed.text
    assert followed.headers["location"] == f"/me#folgen-{linde['id']}"
    assert "Neue Gesuche · Kategorie: Raum, Möbel · täglich" in during.text
    assert "Beenden" in during.text
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/me#folgen-{linde['id']}"
    assert "abo-" not in after.text
    assert "Neue Gesuche · Kategorie: Raum, Möbel" not in after.text
    [subscription] = listed.json()["items"]
    assert (subscription["id"], subscription["status"]) == (subscription_id, "ended")


async def test_ending_a_subscription_signed_out_leads_to_the_log_in() -> None:
    async with portal() as client:
        response = await client.post(f"/benachrichtigungen/{SUBSCRIPTION}/beenden")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
