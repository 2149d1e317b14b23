"""Fifty German-speaking language-partner requests are open. An unrelated offer (English
conversation) sends no email at all; one fitting offer sends at most k + 1: one to the offering
organisation, one to each of the k best requests — the directory, the exchange and the notifier
on the real broker, database and SMTP server."""

from __future__ import annotations

import httpx

from services.exchange.app import create_app as create_exchange
from shared.contracts.base import EVENTS_EXCHANGE
from tests.integration.exchange_fixtures import MATCHING_CONSUMER, exchange_settings
from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.mail import MailServer, tagged
from tests.support.services import serving
from tests.support.waiting import eventually, until_ready

REQUESTS = 50
EMAILED_PER_LISTING = 3  # MATCH_EMAILS_PER_LISTING's default


async def test_an_unrelated_offer_emails_nobody_and_a_fitting_one_at_most_k_plus_one(
    served_directory: ServedDirectory,
    notifier_factory: NotifierFactory,
    mail_server: MailServer,
    mongo_url: str,
    notifier_vhost: RabbitVhost,
) -> None:
    directory, rabbit_url = served_directory, notifier_vhost.url
    exchange = create_exchange(exchange_settings(mongo_url, rabbit_url, directory.url))
    async with (
        serving(exchange) as exchange_url,
        httpx.AsyncClient(base_url=exchange_url) as client,
        notifier_factory(directory_url=directory.url) as notifier,
        StreamTap(rabbit_url, EVENTS_EXCHANGE, ("exchange.#",)) as stream,
    ):
        await until_ready(client)
        requesting = [
            await directory.register(f"Elterninitiative {n}", email=tagged(f"eltern-{n}"))
            for n in range(REQUESTS)
        ]
        school = await directory.register("Sprachschule Westend", email=tagged("sprachschule"))
        seniors = await directory.register("Seniorenbüro Westend", email=tagged("senioren"))
        everyone = [*requesting, school, seniors]
        await notifier.knows_organisations(*(o["id"] for o in everyone))
        store = exchange.state.exchange.store

        async def exchange_knows_them() -> bool:
            known = [await store.get_organisation(o["id"]) for o in everyone]
            return None not in known

        await eventually(exchange_knows_them)

        async def post(kind: str, organisation: dict[str, str], **fields: object) -> str:
            response = await client.post(
                f"/{kind}",
                json={"organisation_id": organisation["id"], "category": "language_partner"}
                | fields,
                headers=directory.editor_of(organisation["id"]),
            )
            assert response.status_code == 201, response.text
            listing_id: str = response.json()["id"]
            return listing_id

        for n, organisation in enumerate(requesting):
            await post(
                "requests",
                organisation,
                title=f"Deutsch üben für Mütter, Gruppe {n}",
                languages=["uk", "de"],
                district="Westend" if n % 5 == 0 else "Nordstadt",
            )
        posted = await stream.wait_for("exchange.request.posted", REQUESTS)

        async def requests_matched() -> bool:
            """The exchange has matched every request (against no offer yet): the offers
            below are new listings, each matched once, against all fifty."""
            keys = [f"{MATCHING_CONSUMER}:{event['id']}" for event in posted]
            inbox = exchange.state.exchange.store.db["inbox"]
            done = await inbox.count_documents({"_id": {"$in": keys}, "state": "done"})
            return bool(done == len(keys))

        await eventually(requests_matched)

        unrelated = await post(
            "offers", school, title="Konversationskurs Englisch", languages=["de", "en"]
        )
        fitting = await post(
            "offers",
            seniors,
            title="Senioren als Gesprächspartner auf Deutsch",
            tags=["Konversation"],
            languages=["de"],
            district="Westend",
        )
        found = await stream.wait_for("exchange.match.found", REQUESTS)
        by_offer = {
            offer: [m for m in found if m["data"]["offer_id"] == offer]
            for offer in (unrelated, fitting)
        }
        assert by_offer[unrelated] == []
        assert len(by_offer[fitting]) == REQUESTS

        async def all_handled() -> bool:
            inbox = notifier.app.state.runtime.db["inbox"]
            ids = [m["id"] for m in found]
            done = await inbox.count_documents({"event_id": {"$in": ids}, "state": "done"})
            return bool(done == len(ids))

        await eventually(all_handled)
        causes = {m["id"] for m in found}
        mails = await mail_server.wait_for(
            lambda m: m.cause in causes, count=EMAILED_PER_LISTING + 1
        )
        deliveries = notifier.app.state.runtime.db["deliveries"]
        planned = await deliveries.count_documents(
            {"cause_event_id": {"$in": list(causes)}, "template": "match_found"}
        )
        assert planned == EMAILED_PER_LISTING + 1
        assert len({m.to for m in mails}) == EMAILED_PER_LISTING + 1
        assert seniors["email"] in {m.to for m in mails}
        # the three requests told are the best fits: those in the seniors' own district
        best = {m["data"]["request_id"] for m in found if m["data"]["rank"] <= EMAILED_PER_LISTING}
        westend = {o["email"] for n, o in enumerate(requesting) if n % 5 == 0}
        assert {m.to for m in mails} - {seniors["email"]} <= westend
        assert len(best) == EMAILED_PER_LISTING
        assert school["email"] not in {m.to for m in mail_server.mails}
