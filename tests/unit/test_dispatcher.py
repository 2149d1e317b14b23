"""The dispatcher on its own, without broker or database: what becomes of a delivered message
(handled once, retried, parked with its reason) with an in-memory inbox that answers as the
database's does (`shared.messaging.Inbox`). The broker path is tested in
`tests/integration/test_consumer_reliability.py`."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pymongo.errors import AutoReconnect

from shared.contracts.base import CloudEvent, Payload, envelope
from shared.contracts.directory import OrganisationRegistered, OrganisationUpdated
from shared.dispatch import Delivery, Dispatcher, Verdict
from shared.errors import ConflictError
from shared.messaging import Subscriptions
from tests.unit.test_envelope import SAMPLES

LIMIT = 3
P = TypeVar("P", bound=Payload)


class MemoryInbox:
    """The inbox's answers kept in a dictionary: `(consumer, event id)` -> state, attempts."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    async def begin(
        self, consumer: str, event: CloudEvent, *, redelivered: bool, replay: int = 0
    ) -> int | None:
        entry = self.entries.get(f"{consumer}:{event.id}")
        if entry is None:
            self.entries[f"{consumer}:{event.id}"] = {
                "state": "processing",
                "attempts": 1,
                "replay": replay,
            }
            return 1
        if entry["state"] == "done":
            return None
        if entry["state"] == "parked" or replay > entry["replay"]:
            entry.update(state="processing", attempts=1, replay=replay)
            return 1
        if not redelivered:
            return None
        entry["attempts"] += 1
        return int(entry["attempts"])

    async def complete(self, consumer: str, event_id: str) -> None:
        self.entries[f"{consumer}:{event_id}"]["state"] = "done"

    async def parked(self, consumer: str, event_id: str) -> None:
        self.entries[f"{consumer}:{event_id}"]["state"] = "parked"

    def state(self, event: CloudEvent) -> str | None:
        entry = self.entries.get(f"testsvc.directory-events:{event.id}")
        return None if entry is None else str(entry["state"])


class Handler:
    """The registered handler: records what it handled, fails on demand."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.failures: list[Exception] = []

    async def __call__(self, payload: OrganisationRegistered, event: CloudEvent) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.handled.append(payload.organisation_id)


def setup() -> tuple[Dispatcher, MemoryInbox, Handler]:
    subscriptions = Subscriptions("testsvc", "directory-events")
    handler = Handler()
    subscriptions.on(OrganisationRegistered)(handler)
    inbox = MemoryInbox()
    return Dispatcher(subscriptions, inbox, delivery_limit=LIMIT), inbox, handler


def sample_of(kind: type[P], organisation_id: str) -> CloudEvent:
    sample = next(s for s in SAMPLES if type(s) is kind)
    return envelope(sample.model_copy(update={"organisation_id": organisation_id}))


def registered(organisation_id: str = "org-1") -> CloudEvent:
    return sample_of(OrganisationRegistered, organisation_id)


def delivery(event: CloudEvent, *, redelivered: bool = False, replay: int = 0) -> Delivery:
    body = event.model_dump_json(exclude_none=True).encode()
    return Delivery(body, redelivered=redelivered, replay=replay)


async def test_a_message_is_handled_and_its_event_remembered() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()

    verdict = await dispatcher.dispatch(delivery(event))

    assert verdict == Verdict("processed", event.type)
    assert handler.handled == ["org-1"]
    assert inbox.state(event) == "done"


async def test_a_message_delivered_twice_is_handled_once() -> None:
    dispatcher, _inbox, handler = setup()
    event = registered()

    first = await dispatcher.dispatch(delivery(event))
    redelivered = await dispatcher.dispatch(delivery(event, redelivered=True))
    published_again = await dispatcher.dispatch(delivery(event))

    assert [first.outcome, redelivered.outcome, published_again.outcome] == [
        "processed",
        "duplicate",
        "duplicate",
    ]
    assert handler.handled == ["org-1"]


async def test_a_second_copy_arriving_while_the_first_is_retried_is_dropped() -> None:
    dispatcher, _inbox, handler = setup()
    event = registered()
    handler.failures.append(RuntimeError("not now"))

    assert (await dispatcher.dispatch(delivery(event))).outcome == "retried"
    assert (await dispatcher.dispatch(delivery(event))).outcome == "duplicate"
    assert (await dispatcher.dispatch(delivery(event, redelivered=True))).outcome == "processed"
    assert handler.handled == ["org-1"]


async def test_a_failing_handler_is_retried_up_to_the_limit_then_parked_with_the_reason() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()
    handler.failures.extend(RuntimeError(f"broken {n}") for n in range(1, LIMIT + 2))

    verdicts = [await dispatcher.dispatch(delivery(event))]
    for _ in range(LIMIT - 1):
        verdicts.append(await dispatcher.dispatch(delivery(event, redelivered=True)))

    assert [v.outcome for v in verdicts] == ["retried"] * (LIMIT - 1) + ["parked"]
    assert verdicts[-1].reason == f"handler failed {LIMIT} times: RuntimeError('broken {LIMIT}')"
    assert verdicts[-1].event_type == event.type
    assert len(handler.failures) == 1, "the handler ran exactly LIMIT times"
    assert inbox.state(event) == "parked"


async def test_an_application_error_of_the_handler_counts_as_a_failure_like_any_other() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()
    handler.failures.extend(ConflictError("The room is taken.", slug="room-clash") for _ in "abc")

    outcomes = [(await dispatcher.dispatch(delivery(event))).outcome]
    for _ in range(LIMIT - 2):
        outcomes.append((await dispatcher.dispatch(delivery(event, redelivered=True))).outcome)
    last = await dispatcher.dispatch(delivery(event, redelivered=True))

    assert outcomes == ["retried"] * (LIMIT - 1)
    assert last.outcome == "parked"
    assert "ConflictError('The room is taken.')" in last.reason
    assert handler.handled == []
    assert inbox.state(event) == "parked"


async def test_a_body_that_is_no_cloudevent_is_parked_at_once() -> None:
    dispatcher, inbox, handler = setup()

    verdict = await dispatcher.dispatch(Delivery(b'{"specversion": "1.0", "id": '))

    assert verdict.outcome == "parked"
    assert verdict.event_type == "unknown"
    assert verdict.reason.startswith("not a valid CloudEvents JSON document: ")
    assert handler.handled == []
    assert inbox.entries == {}, "nothing is remembered of it"


async def test_data_that_does_not_match_its_type_is_parked_at_once_with_the_field() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()
    document = json.loads(delivery(event).body)
    del document["data"]["name"]

    verdict = await dispatcher.dispatch(Delivery(json.dumps(document).encode()))

    assert verdict.outcome == "parked"
    assert verdict.reason.startswith(f"data does not match {event.type}: ")
    assert "name: Field required" in verdict.reason
    assert handler.handled == []
    assert inbox.entries == {}


async def test_a_type_the_queue_has_no_handler_for_is_parked_at_once() -> None:
    dispatcher, inbox, handler = setup()
    unhandled = sample_of(OrganisationUpdated, "org-1")
    unknown_version = registered().model_copy(
        update={"type": "integrationsnetz.directory.organisation.registered.v9"}
    )

    for event in (unhandled, unknown_version):
        verdict = await dispatcher.dispatch(delivery(event))
        assert verdict == Verdict(
            "parked", event.type, f"unknown or unsupported event type {event.type!r}"
        )
    assert handler.handled == []
    assert inbox.entries == {}


async def test_a_message_whose_earlier_attempts_all_ended_without_a_verdict_is_parked() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()
    # the consumer died inside each attempt: the broker delivers it again and again
    for _ in range(LIMIT):
        await inbox.begin("testsvc.directory-events", event, redelivered=True)

    verdict = await dispatcher.dispatch(delivery(event, redelivered=True))

    assert verdict == Verdict("parked", event.type, f"not handled after {LIMIT} attempts")
    assert handler.handled == [], "it is not tried once more"
    assert inbox.state(event) == "parked"


async def test_a_parked_message_sent_back_is_handled_afresh() -> None:
    dispatcher, _inbox, handler = setup()
    event = registered()
    handler.failures.extend(RuntimeError("broken") for _ in range(LIMIT))
    await dispatcher.dispatch(delivery(event))
    for _ in range(LIMIT - 1):
        await dispatcher.dispatch(delivery(event, redelivered=True))

    verdict = await dispatcher.dispatch(delivery(event, replay=1))

    assert verdict.outcome == "processed"
    assert handler.handled == ["org-1"]


async def test_a_database_outage_in_the_handler_is_waited_out_not_counted() -> None:
    dispatcher, inbox, handler = setup()
    event = registered()
    handler.failures.append(AutoReconnect("the database went away"))

    verdict = await dispatcher.dispatch(delivery(event))

    assert verdict == Verdict("processed", event.type)
    assert handler.handled == ["org-1"]
    assert inbox.entries[f"testsvc.directory-events:{event.id}"]["attempts"] == 1
