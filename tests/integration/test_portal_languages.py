"""The portal in the visitor's language: Arabic right to left, the language switcher, the
browser's Accept-Language — and German for everyone who says nothing."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.notifier_fixtures import ServedDirectory
from tests.support.portal import ANOTHER_SITE, PORTAL, portal_client
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD


def html_tag(page: httpx.Response) -> str:
    found = re.search(r"<html[^>]*>", page.text)
    assert found is not None
    return found.group(0)


async def test_a_page_in_arabic_is_written_right_to_left_and_in_arabic() -> None:
    async with portal_client() as client:
        client.cookies.set("lang", "ar")
        page = await client.get("/")
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "شبكة العمل من أجل الاندماج" in page.text  # "Das Netzwerk der Integrationsarbeit"
    assert "الدليل غير متاح حاليًا." in page.text  # the directory is down, said in Arabic
    assert "Das Netzwerk der Integrationsarbeit" not in page.text


async def test_a_browser_asking_for_ukrainian_gets_ukrainian() -> None:
    async with portal_client() as client:
        page = await client.get("/login", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.8"})
    assert html_tag(page) == '<html lang="uk" dir="ltr">'
    assert "Забули пароль?" in page.text
    assert "Passwort vergessen?" not in page.text


async def test_without_accept_language_the_portal_stays_german() -> None:
    async with portal_client() as client:
        page = await client.get("/login")
    assert html_tag(page) == '<html lang="de" dir="ltr">'
    assert "Passwort vergessen?" in page.text


async def test_every_page_offers_the_five_languages_by_their_own_names() -> None:
    async with portal_client() as client:
        page = await client.get("/organisations?q=Nord", headers={"Accept-Language": "tr"})
    switcher = page.text[page.text.index('action="/sprache"') :]
    switcher = switcher[: switcher.index("</form>")]
    for code, name in [
        ("de", "Deutsch"),
        ("en", "English"),
        ("uk", "Українська"),
        ("tr", "Türkçe"),
        ("ar", "العربية"),
    ]:
        assert f'value="{code}" lang="{code}"' in switcher
        assert name in switcher
    assert 'name="next" value="/organisations?q=Nord"' in switcher


async def test_switching_the_language_remembers_it_and_goes_back_to_the_same_page() -> None:
    async with portal_client() as client:
        switched = await client.post("/sprache", data={"lang": "ar", "next": "/login?x=1"})
        again = await client.get("/login")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login?x=1"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("lang=ar;")
    assert "HttpOnly" in cookie
    assert "Max-Age=31536000" in cookie
    assert html_tag(again) == '<html lang="ar" dir="rtl">'
    assert "نسيت كلمة المرور؟" in again.text


async def test_the_chosen_language_comes_before_the_browsers() -> None:
    async with portal_client() as client:
        client.cookies.set("lang", "tr")
        page = await client.get("/login", headers={"Accept-Language": "uk"})
    assert html_tag(page) == '<html lang="tr" dir="ltr">'
    assert "Şifrenizi mi unuttunuz?" in page.text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/x", "//evil.example/x", "/\\evil.example", f"{PORTAL}@evil.example"],
)
async def test_the_switcher_redirects_only_within_the_portal(target: str) -> None:
    async with portal_client() as client:
        switched = await client.post("/sprache", data={"lang": "uk", "next": target})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"


async def test_a_language_the_portal_does_not_speak_changes_nothing() -> None:
    async with portal_client() as client:
        switched = await client.post("/sprache", data={"lang": "fr", "next": "/login"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    assert "set-cookie" not in switched.headers


async def test_a_switch_posted_from_another_site_is_refused_in_the_visitors_language() -> None:
    async with portal_client() as client:
        client.cookies.set("lang", "en")
        refused = await client.post(
            "/sprache", data={"lang": "ar", "next": "/"}, headers=ANOTHER_SITE
        )
    assert refused.status_code == 403
    assert "This form did not come from the portal." in refused.text
    assert "set-cookie" not in refused.headers


async def test_an_error_page_speaks_the_visitors_language() -> None:
    async with portal_client() as client:
        client.cookies.set("lang", "uk")
        missing = await client.get("/set-password")
    assert missing.status_code == 422
    assert "Такої сторінки немає або введення було неправильним." in missing.text


async def test_a_members_language_is_saved_in_the_directory_and_taken_at_the_next_log_in(
    served_directory: ServedDirectory,
) -> None:
    credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    async with portal_client(directory_url=served_directory.url) as client:
        signed_in = await client.post("/login", data=credentials)
        assert signed_in.status_code == 303
        assert "lang=" not in signed_in.headers.get("set-cookie", "")
        switched = await client.post("/sprache", data={"lang": "tr", "next": "/me"})
    assert switched.headers["location"] == "/me"
    me = await served_directory.client.get("/me", headers=served_directory.admin)
    assert me.json()["language"] == "tr"

    async with portal_client(directory_url=served_directory.url) as elsewhere:
        again = await elsewhere.post("/login", data=credentials)
        assert again.headers.get_list("set-cookie")[-1].startswith("lang=tr;")
        page = await elsewhere.get("/login")
    assert html_tag(page) == '<html lang="tr" dir="ltr">'

    async with portal_client(directory_url=served_directory.url) as chosen_before:
        chosen_before.cookies.set("lang", "en")
        kept = await chosen_before.post("/login", data=credentials)
    assert not any(c.startswith("lang=") for c in kept.headers.get_list("set-cookie"))


async def test_switching_while_the_directory_is_down_still_switches_the_page() -> None:
    async with portal_client() as client:
        client.cookies.set("inx_session", "a-session-token")
        switched = await client.post("/sprache", data={"lang": "uk", "next": "/"})
    assert switched.status_code == 303
    assert switched.headers["set-cookie"].startswith("lang=uk;")


async def test_an_organisation_page_shows_the_description_in_the_readers_language_if_given(
    served_directory: ServedDirectory,
) -> None:
    mriya = await served_directory.register(
        "Ukrainischer Verein Mriya e.V.",
        description="Beratung und Treffpunkt für Familien aus der Ukraine.",
        descriptions={"uk": "Консультації та зустрічі для сімей з України."},
    )
    path = f"/organisations/{mriya['id']}"
    async with portal_client(directory_url=served_directory.url) as client:
        german = await client.get(path)
        ukrainian = await client.get(path, headers={"Accept-Language": "uk"})
        turkish = await client.get(path, headers={"Accept-Language": "tr"})
    assert "Beratung und Treffpunkt für Familien aus der Ukraine." in german.text
    assert "Die Beschreibung gibt es nur auf" not in german.text
    assert '<p dir="auto" lang="uk">Консультації та зустрічі для сімей з України.</p>' in (
        ukrainian.text
    )
    assert "Beratung und Treffpunkt" not in ukrainian.text
    assert '<p dir="auto" lang="de">Beratung und Treffpunkt' in turkish.text
    assert "Açıklama yalnızca Almanca olarak mevcut." in turkish.text
