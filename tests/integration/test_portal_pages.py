"""The portal's pages keep working when a service behind them is down."""

from __future__ import annotations

import httpx

from tests.support.portal import portal_client


def portal_without_services() -> httpx.AsyncClient:
    return portal_client()


async def test_the_home_page_says_which_part_is_unreachable_instead_of_failing() -> None:
    async with portal_without_services() as client:
        response = await client.get("/")
    assert response.status_code == 200
    assert "Das Verzeichnis ist gerade nicht erreichbar" in response.text
    assert "Der Kalender ist gerade nicht erreichbar" in response.text


async def test_a_set_password_link_without_token_gets_a_readable_page() -> None:
    async with portal_without_services() as client:
        response = await client.get("/set-password")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


async def test_log_in_while_the_directory_is_down_answers_503_with_a_message() -> None:
    async with portal_without_services() as client:
        response = await client.post(
            "/login", data={"email": "a@example.org", "password": "irrelevant-password"}
        )
    assert response.status_code == 503
    assert "nicht erreichbar" in response.text


async def test_a_form_posted_from_another_site_is_refused() -> None:
    async with portal_without_services() as client:
        response = await client.post(
            "/forgot-password",
            data={"email": "a@example.org"},
            headers={"Origin": "https://evil.example"},
        )
    assert response.status_code == 403


async def test_a_match_link_from_an_email_leads_to_the_members_page() -> None:
    async with portal_without_services() as client:
        response = await client.get("/matches/m-1")
    assert response.status_code == 303
    assert response.headers["location"] == "/me#match-m-1"


async def test_switching_a_notice_while_the_notifier_is_down_answers_503_with_a_message() -> None:
    form = {"organisation_id": "org-1", "notice": "match_found", "enabled": "true"}
    async with portal_without_services() as client:
        client.cookies.set("inx_session", "a-session-token")
        response = await client.post("/me/notices", data=form)
        foreign = await client.post(
            "/me/notices", data=form, headers={"Origin": "https://evil.example"}
        )
        unknown = await client.post("/me/notices", data={**form, "notice": "newsletter"})
        weekly = {"organisation_id": "org-1", "notice": "match_found", "cadence": "weekly"}
        cadence = await client.post("/me/notices", data=weekly)
        hourly = await client.post("/me/notices", data={**weekly, "cadence": "hourly"})
        client.cookies.clear()
        signed_out = await client.post("/me/notices", data=form)
    assert response.status_code == 503
    assert "nicht erreichbar" in response.text
    assert foreign.status_code == 403
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("text/html")
    assert cadence.status_code == 503
    assert hourly.status_code == 422
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login"
