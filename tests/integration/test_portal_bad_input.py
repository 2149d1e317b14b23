"""Whatever a browser, a bot or a broken form sends to the portal's pages, the answer is a
readable page or a redirect — never a 500."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.portal import portal_app

SOME_ID = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
APP = portal_app()  # every service down: the portal's own handling
#: Every page and form of the portal, from its OpenAPI document.
ROUTES = sorted(
    (method.upper(), path)
    for path, operations in APP.openapi()["paths"].items()
    for method in operations
    if method in ("get", "post")
)
BODIES: list[tuple[str, dict[str, str], bytes]] = [
    ("empty", {"content-type": "application/x-www-form-urlencoded"}, b""),
    (
        "unknown and repeated fields",
        {"content-type": "application/x-www-form-urlencoded"},
        b"x=1&x=2&organisation_id=&title=" + b"A" * 5000 + b"&enabled=vielleicht",
    ),
    (
        "odd values",
        {"content-type": "application/x-www-form-urlencoded"},
        b"organisation_id=../../etc&notice=match_found&enabled=true&date=31.02.2026"
        b"&starts=25:99&ends=&quantity=-1&topics=nonsense&email=%00%ff",
    ),
    ("not a form", {"content-type": "application/json"}, b'{"title": ["x"]}'),
    ("broken bytes", {"content-type": "application/x-www-form-urlencoded"}, b"\xff\xfe=\x00"),
    ("multipart", {"content-type": "multipart/form-data; boundary=zz"}, b"--zz--\r\n"),
]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", SOME_ID, path)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_no_page_answers_500_whatever_it_is_sent(method: str, path: str) -> None:
    transport = httpx.ASGITransport(app=APP, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        for signed_in in (False, True):
            client.cookies.clear()
            if signed_in:
                client.cookies.set("inx_session", "not-a-real-token")
            if method == "GET":
                for query in ("", "?organisation=..%2F&q=%00&ab=-1&status=x&token=" + "t" * 300):
                    answer = await client.get(concrete(path) + query)
                    assert answer.status_code < 500 or answer.status_code in (502, 503), (
                        f"GET {path}{query} signed_in={signed_in}: {answer.status_code}"
                    )
                continue
            for name, headers, body in BODIES:
                answer = await client.post(concrete(path), content=body, headers=headers)
                assert answer.status_code < 500 or answer.status_code in (502, 503), (
                    f"POST {path} ({name}) signed_in={signed_in}: {answer.status_code} "
                    f"{answer.text[:300]}"
                )


async def test_no_page_answers_500_with_the_directory_and_the_notifier_answering(
    served_directory: ServedDirectory, notifier: ServedNotifier
) -> None:
    """The same, signed in as office staff, with real services refusing what they must: their
    4xx answers reach the portal's German messages, not a crash."""
    organisation = await served_directory.register("Nachbarschaftstreff Linde")
    await notifier.knows_organisations(organisation["id"])
    app = portal_app(directory_url=served_directory.url, notifier_url=notifier.url)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        client.cookies.set(
            "inx_session", served_directory.admin["Authorization"].removeprefix("Bearer ")
        )
        for method, path in ROUTES:
            url = re.sub(r"\{[^}]+\}", organisation["id"], path)
            if method == "GET":
                answer = await client.get(url + "?organisation=..%2F&ab=-1&status=x")
                assert answer.status_code < 500 or answer.status_code in (502, 503), (
                    f"GET {path}: {answer.status_code} {answer.text[:300]}"
                )
                continue
            if path.endswith("/archive"):
                continue  # would end the organisation the other requests use
            for name, headers, body in BODIES:
                answer = await client.post(url, content=body, headers=headers)
                assert answer.status_code < 500 or answer.status_code in (502, 503), (
                    f"POST {path} ({name}): {answer.status_code} {answer.text[:300]}"
                )
