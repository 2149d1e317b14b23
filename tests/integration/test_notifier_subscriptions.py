"""Subscriptions over HTTP: organisations follow at once, bad input gets problem details, and
forged or expired links are refused."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import pytest

from services.notifier.tokens import LinkClaim, LinkSigner, TokenPurpose
from tests.integration.notifier_fixtures import (
    SIGNING_SECRET,
    NotifierFactory,
    ServedDirectory,
    ServedNotifier,
)
from tests.support.amqp import publish
from tests.support.events import offer_posted
from tests.support.mail import MailServer, tagged

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


async def test_an_organisation_follows_offers_at_once_and_its_editors_manage_the_subscription(
    served_directory: ServedDirectory, notifier: ServedNotifier, mail_server: MailServer
) -> None:
    contact = tagged("kontakt")
    organisation = await served_directory.register(
        "Elternverein Regenbogen", email=contact, preferred_language="ar"
    )
    await notifier.knows_organisations(organisation["id"])
    subscription = await notifier.subscribe(
        {
            "organisation_id": organisation["id"],
            "topics": ["offers", "requests"],
            "filters": {"tags": ["Sprachcafé"]},
        },
        headers=served_directory.admin,
    )
    assert (subscription["status"], subscription["language"]) == ("active", "ar")

    offer = offer_posted("Raum für das Sprachcafé", now=NOW, tags=["sprachcafe"])
    [posted] = await publish(notifier.amqp_url, [offer])
    [mail] = await mail_server.wait_for(lambda m: m.cause == posted.id)
    assert mail.to == contact
    assert 'dir="rtl"' in mail.html
    assert "عرض جديد" in mail.header("Subject")

    listed = await notifier.client.get(
        "/subscriptions",
        params={"organisation_id": organisation["id"]},
        headers=served_directory.admin,
    )
    assert [s["id"] for s in listed.json()["items"]] == [subscription["id"]]
    ended = await notifier.client.delete(
        f"/subscriptions/{subscription['id']}", headers=served_directory.admin
    )
    assert ended.status_code == 204
    listed = await notifier.client.get(
        "/subscriptions",
        params={"organisation_id": organisation["id"], "status": "active"},
        headers=served_directory.admin,
    )
    assert listed.json()["items"] == []


def body(**changes: Any) -> dict[str, Any]:
    return {"email": "someone@example.org", "topics": ["offers"], **changes}


BAD_SUBSCRIPTIONS = [
    pytest.param(body(email="not an address"), 422, id="malformed-address"),
    pytest.param(body(email="a@b@example.org"), 422, id="two-at-signs"),
    pytest.param(body(filters={"categories": ["spaceship"]}), 422, id="unknown-category"),
    pytest.param(
        body(topics=["events"], filters={"audiences": ["aliens"]}), 422, id="unknown-audience"
    ),
    pytest.param(body(filters={"languages": ["not a tag!"]}), 422, id="bad-language"),
    pytest.param(body(filters={"colour": ["red"]}), 422, id="unknown-filter"),
    pytest.param(body(filters={"audiences": ["children"]}), 422, id="audience-for-offers"),
    pytest.param(body(topics=["events"], filters={"categories": ["room"]}), 422, id="cat-events"),
    pytest.param(body(topics=["gossip"]), 422, id="unknown-topic"),
    pytest.param(body(topics=[]), 422, id="no-topic"),
    pytest.param(body(delivery="hourly"), 422, id="unknown-cadence"),
    pytest.param(
        body(filters={"organisation_ids": [str(uuid.uuid4())]}), 422, id="unknown-organisation"
    ),
    pytest.param(body(organisation_id=str(uuid.uuid4())), 422, id="address-and-organisation"),
    pytest.param({"topics": ["offers"]}, 422, id="no-subscriber"),
    pytest.param(
        {"organisation_id": str(uuid.uuid4()), "topics": ["offers"]}, 401, id="org-without-token"
    ),
]


def sign(
    purpose: TokenPurpose, subject: str, *, expires_in: int, secret: str = SIGNING_SECRET
) -> str:
    return LinkSigner(secret).sign(LinkClaim(purpose, subject, "de", int(time.time()) + expires_in))


async def test_bad_subscriptions_and_bad_links_get_problem_details(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    async with notifier_factory() as notifier:
        for param in BAD_SUBSCRIPTIONS:
            request, expected = param.values
            response = await notifier.client.post("/subscriptions", json=request)
            assert response.status_code == expected, (param.id, response.text)
            assert response.headers["content-type"] == "application/problem+json", param.id
            assert response.json()["status"] == expected

        subscription = str(uuid.uuid4())
        bad_links = {
            "forged": (
                sign(
                    TokenPurpose.CONFIRM,
                    f"sub:{subscription}",
                    expires_in=600,
                    secret="someone-elses-secret-of-sufficient-length",
                ),
                400,
            ),
            "expired": (sign(TokenPurpose.CONFIRM, f"sub:{subscription}", expires_in=-1), 410),
            "wrong-purpose": (
                sign(TokenPurpose.UNSUBSCRIBE, f"sub:{subscription}", expires_in=600),
                400,
            ),
            "garbage": ("x" * 40, 400),
        }
        for case, (token, status) in bad_links.items():
            for method in ("GET", "POST"):
                confirm = await notifier.client.request(
                    method, "/subscriptions/confirm", params={"token": token}
                )
                assert confirm.status_code == status, (case, method, confirm.text)
                assert confirm.headers["content-type"] == "application/problem+json"

        forged = sign(
            TokenPurpose.UNSUBSCRIBE,
            f"sub:{subscription}",
            expires_in=600,
            secret="someone-elses-secret-of-sufficient-length",
        )
        expired = sign(TokenPurpose.UNSUBSCRIBE, f"sub:{subscription}", expires_in=-5)
        for token, status in [(forged, 400), (expired, 410)]:
            page = await notifier.client.get("/unsubscribe", params={"token": token})
            click = await notifier.client.post(
                "/unsubscribe", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
            )
            assert (page.status_code, click.status_code) == (status, status)

        unauthenticated = await notifier.client.get("/deliveries")
        assert unauthenticated.status_code == 401
        assert mail_server.mails == []  # none of it planned an email
