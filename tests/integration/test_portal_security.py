"""The portal's browser-facing defences: security headers on every answer, and no
state-changing request that does not come from the portal's own pages."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from services.portal.app import create_app
from services.portal.settings import PortalSettings
from tests.support.portal import PORTAL, portal_client

TEMPLATES = Path(__file__).parents[2] / "services" / "portal" / "templates"


def bare_portal(base_url: str = PORTAL) -> httpx.AsyncClient:
    """The portal as a client that sends no Origin of its own."""
    client = portal_client()
    client.headers.pop("Origin")
    client.base_url = httpx.URL(base_url)
    return client


def portal_post_routes() -> list[str]:
    """Every path the portal accepts a POST on, from its own route table (OpenAPI)."""
    document = create_app(PortalSettings(_env_file=None)).openapi()
    paths = [path for path, methods in document["paths"].items() if "post" in methods]
    assert paths
    return sorted(re.sub(r"\{[^}]+\}", "x-1", path) for path in paths)


async def test_every_page_forbids_framing_sniffing_and_foreign_styles() -> None:
    async with bare_portal() as client:
        answers = [await client.get(path) for path in ("/", "/login", "/no-such-page")]
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'none'" in policy
        assert "form-action 'self'" in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


async def test_the_pages_own_styles_carry_the_nonce_the_policy_allows() -> None:
    async with bare_portal() as client:
        answer = await client.get("/login")
    [nonce] = re.findall(r"'nonce-([^']+)'", answer.headers["content-security-policy"])
    styles = re.findall(r"<style[^>]*>", answer.text)
    assert styles
    assert all(f'nonce="{nonce}"' in tag for tag in styles)
    async with bare_portal() as client:
        again = await client.get("/login")
    assert nonce not in again.headers["content-security-policy"]


def test_every_style_or_script_in_the_templates_carries_the_nonce() -> None:
    tags = [
        (template.name, tag)
        for template in TEMPLATES.glob("*.html")
        for tag in re.findall(r"<(?:style|script)\b[^>]*>", template.read_text())
    ]
    assert tags
    assert [name for name, tag in tags if "csp_nonce" not in tag] == []
    inline = [t.name for t in TEMPLATES.glob("*.html") if re.search(r"\sstyle=", t.read_text())]
    assert inline == []


async def test_hsts_is_sent_over_https_and_not_over_plain_http() -> None:
    async with bare_portal("https://portal.test") as client:
        secure = await client.get("/login")
    async with bare_portal() as client:
        plain = await client.get("/login")
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in plain.headers


async def test_hsts_is_sent_when_the_public_address_is_https_behind_a_proxy() -> None:
    app = create_app(PortalSettings(_env_file=None, public_base_url="https://portal.stadt.example"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal:8000") as client:
        answer = await client.get("/login")
    assert "strict-transport-security" in answer.headers


async def test_logging_out_from_another_site_is_refused_and_keeps_the_session() -> None:
    async with bare_portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        foreign = await client.post("/logout", headers={"Origin": "https://evil.example"})
        own = await client.post("/logout", headers={"Origin": PORTAL})
    assert foreign.status_code == 403
    assert "set-cookie" not in foreign.headers
    assert "Dieses Formular kam nicht vom Portal" in foreign.text
    assert own.status_code == 303
    assert "inx_session=" in own.headers["set-cookie"]


@pytest.mark.parametrize("path", portal_post_routes())
async def test_a_post_that_names_no_origin_is_refused_on_every_form(path: str) -> None:
    async with bare_portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        nameless = await client.post(path, data={"email": "a@example.org"})
        opaque = await client.post(
            path, data={"email": "a@example.org"}, headers={"Origin": "null"}
        )
    assert nameless.status_code == 403, path
    assert opaque.status_code == 403, path
    assert nameless.headers["content-type"].startswith("text/html")


async def test_a_form_that_names_the_portal_as_its_referer_is_accepted() -> None:
    async with bare_portal() as client:
        answer = await client.post(
            "/forgot-password",
            data={"email": "a@example.org"},
            headers={"Referer": f"{PORTAL}/forgot-password"},
        )
    assert answer.status_code != 403


async def test_a_form_from_the_configured_public_address_is_accepted() -> None:
    app = create_app(PortalSettings(_env_file=None, public_base_url="https://portal.stadt.example"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal:8000") as client:
        answer = await client.post("/logout", headers={"Origin": "https://portal.stadt.example"})
    assert answer.status_code == 303


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_session_cookie_must_be_secure_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="COOKIE_SECURE"):
        PortalSettings(_env_file=None, environment=environment)
    secure = PortalSettings(_env_file=None, environment=environment, cookie_secure=True)
    assert secure.cookie_secure
