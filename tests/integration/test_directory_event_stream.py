"""What another city system sees when it binds a queue to the public exchange with `#`."""

from __future__ import annotations

import json
from pathlib import Path

from shared.contracts import payload_for_type
from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, EVENTS_EXCHANGE
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.schemas import SCHEMAS, committed_validator
from tests.support.services import RunningService


async def test_a_subscriber_bound_with_hash_receives_every_directory_event_as_a_valid_cloudevent(
    directory: RunningService, admin: dict[str, str], rabbit: RabbitVhost
) -> None:
    client = directory.client
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("#",)) as tap:
        created = await client.post(
            "/organisations",
            json={
                "name": "FC Anadolu Nordstadt",
                "kind": "association",
                "languages": ["tr", "de"],
                "email": "vorstand@fc-anadolu.example",
            },
            headers=admin,
        )
        org_id = created.json()["id"]
        await client.patch(
            f"/organisations/{org_id}", json={"district": "Nordstadt"}, headers=admin
        )
        invited = await client.post(
            f"/organisations/{org_id}/members",
            json={"email": "kemal.private@example.org", "name": "Kemal Yılmaz"},
            headers=admin,
        )
        person_id = invited.json()["person_id"]
        await client.delete(f"/organisations/{org_id}/members/{person_id}", headers=admin)
        await client.delete(f"/organisations/{org_id}", headers=admin)
        await tap.wait_for("directory.organisation.archived")
        await tap.wait_for("directory.member.left")

        messages = list(tap.messages)

    kinds = [json.loads(m.body)["type"].removeprefix("integrationsnetz.") for m in messages]
    # Order is kept per entity (one document's outbox); across entities it follows the writes.
    assert [k for k in kinds if ".organisation." in k] == [
        "directory.organisation.registered.v1",
        "directory.organisation.updated.v1",
        "directory.organisation.archived.v1",
    ]
    assert [k for k in kinds if ".member." in k] == [
        "directory.member.joined.v1",
        "directory.member.left.v1",
    ]

    envelope_validator = committed_validator("cloudevent.json")
    for message in messages:
        document = json.loads(message.body)
        assert message.content_type == CLOUDEVENTS_CONTENT_TYPE
        assert message.message_id == document["id"]
        envelope_validator.validate(document)
        assert document["specversion"] == "1.0"
        assert document["source"] == "/services/directory"
        payload = payload_for_type(document["type"])
        assert payload is not None
        assert document["dataschema"] == payload.schema_urn()
        committed_validator(payload.schema_file_name()).validate(document["data"])
        # the public stream carries no personal data of individual people
        assert "kemal" not in message.body.decode().lower()
        assert "Yılmaz" not in message.body.decode()
    subjects = {json.loads(m.body)["subject"] for m in messages}
    assert subjects == {org_id}


async def test_events_carry_the_request_id_as_their_correlation_id(
    directory: RunningService, admin: dict[str, str], rabbit: RabbitVhost
) -> None:
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        response = await directory.client.post(
            "/organisations",
            json={"name": "Stadtteilbüro Hafen", "kind": "district_office"},
            headers={**admin, "X-Request-ID": "req-hafen-1"},
        )
        assert response.headers["X-Request-ID"] == "req-hafen-1"
        [event] = await tap.wait_for("directory.organisation.registered")
    assert event["correlationid"] == "req-hafen-1"


def test_the_committed_schemas_directory_exists() -> None:
    assert Path(SCHEMAS / "cloudevent.json").exists()
