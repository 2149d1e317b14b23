"""The concept on the real broker and database: what another city system bound with `#` sees
of it, and how calendar entries naming a measure become the measure's activities."""

from __future__ import annotations

import json

from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, EVENTS_EXCHANGE
from tests.integration.concept_fixtures import ConceptStack
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.schemas import committed_validator
from tests.support.waiting import eventually


async def test_a_subscriber_bound_with_hash_sees_public_measures_only_as_valid_cloudevents(
    concept_stack: ConceptStack, rabbit: RabbitVhost
) -> None:
    stack = concept_stack
    lead = await stack.adopted_with_lead("Kulturamt der Stadt Kempten")
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("#",)) as tap:
        hidden = [
            await stack.measure("3.2.1", visibility="network", lead_organisation_id=lead),
            await stack.measure("3.2.2", visibility="office", lead_organisation_id=lead),
        ]
        public = await stack.measure("3.2.3", lead_organisation_id=lead)
        for measure in [*hidden, public]:
            response = await stack.concept.post(
                f"/measures/{measure['id']}/status",
                json={"status": "in_progress", "comment": "Läuft seit Oktober."},
                headers=stack.editor_of(lead),
            )
            assert response.status_code == 200, response.text
        await tap.wait_for("concept.measure.status_changed")
        # the public measure's events are published in order: its status change came last
        messages = [m for m in tap.messages if b'"integrationsnetz.concept.' in m.body]

    bodies = [json.loads(m.body) for m in messages]
    assert {body["subject"] for body in bodies} == {public["id"]}
    hidden_ids = {m["id"] for m in hidden}
    assert not any(hidden_id.encode() in m.body for m in tap.messages for hidden_id in hidden_ids)
    assert [body["type"] for body in bodies] == [
        "integrationsnetz.concept.measure.created.v1",
        "integrationsnetz.concept.measure.status_changed.v1",
    ]
    envelope = committed_validator("cloudevent.json")
    for message, body in zip(messages, bodies, strict=True):
        assert message.content_type == CLOUDEVENTS_CONTENT_TYPE
        assert message.message_id == body["id"]
        envelope.validate(body)
        file_name = body["dataschema"].removeprefix("urn:integrationsnetz:schema:") + ".json"
        committed_validator(file_name).validate(body["data"])
    changed = bodies[-1]["data"]
    assert changed["status"] == "in_progress"
    assert changed["previous_status"] == "planned"
    assert changed["comment"] == "Läuft seit Oktober."


async def test_an_event_planned_for_a_measure_shows_among_the_measures_activities(
    concept_stack: ConceptStack,
) -> None:
    stack = concept_stack
    lead = await stack.adopted_with_lead("Stadtbibliothek Kempten")
    measure = await stack.measure("1.1.1", lead_organisation_id=lead)
    planned = await stack.calendar.post(
        "/events",
        json={
            "organisation_id": lead,
            "title": "Sprachcafé in der Stadtbibliothek",
            "starts_at": "2031-06-20T14:00:00+02:00",
            "ends_at": "2031-06-20T16:00:00+02:00",
            "measure_ids": [measure["id"]],
        },
        headers=stack.editor_of(lead),
    )
    assert planned.status_code == 201, planned.text
    event_id = planned.json()["event"]["id"]

    async def listed() -> bool:
        response = await stack.concept.get(f"/measures/{measure['id']}/activities")
        return bool(response.json()["total"] == 1)

    await eventually(listed)
    activities = (await stack.concept.get(f"/measures/{measure['id']}/activities")).json()
    (activity,) = activities["items"]
    assert activity["kind"] == "event"
    assert activity["title"] == "Sprachcafé in der Stadtbibliothek"
    assert activity["link"] == f"http://portal.test/events/{event_id}"

    cancelled = await stack.calendar.post(
        f"/events/{event_id}/cancel", json={}, headers=stack.editor_of(lead)
    )
    assert cancelled.status_code == 200, cancelled.text

    async def gone() -> bool:
        response = await stack.concept.get(f"/measures/{measure['id']}/activities")
        return bool(response.json()["total"] == 0)

    await eventually(gone)
