"""RabbitMQ topology: exchange and queue names and arguments, declared the same way by everyone.

Queue arguments are part of a queue's identity: redeclaring a queue with other arguments fails
(PRECONDITION_FAILED), so they are constants here, not settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from shared.contracts.base import COMMANDS_EXCHANGE, EVENTS_EXCHANGE

UNROUTED_EXCHANGE = "integrationsnetz.unrouted"
UNROUTED_QUEUE = "integrationsnetz.unrouted"
DEAD_LETTER_EXCHANGE = "integrationsnetz.dead-letters"
#: Set (and counted up) on a parked message sent back by `python -m tools.replay`: a new start
#: with a full set of attempts.
REPLAY_HEADER = "x-replayed"

#: The broker's backstop (`x-delivery-limit`): deliveries after which the broker itself parks a
#: message. Consumers count attempts themselves and park at `delivery_limit` (at most this), so
#: this only acts when their count fails. Changing it changes every consumer queue's identity.
DELIVERY_LIMIT = 5
#: Events nobody was subscribed to are kept for inspection, the newest this many.
UNROUTED_MAX_LENGTH = 100_000

#: The public event stream. Unroutable events go to the alternate exchange instead of vanishing.
events_exchange = RabbitExchange(
    EVENTS_EXCHANGE,
    type=ExchangeType.TOPIC,
    durable=True,
    arguments={"alternate-exchange": UNROUTED_EXCHANGE},
)
#: Private commands (may carry secrets); only the addressed service reads their queue.
commands_exchange = RabbitExchange(COMMANDS_EXCHANGE, type=ExchangeType.DIRECT, durable=True)
unrouted_exchange = RabbitExchange(UNROUTED_EXCHANGE, type=ExchangeType.FANOUT, durable=True)
dead_letter_exchange = RabbitExchange(DEAD_LETTER_EXCHANGE, type=ExchangeType.DIRECT, durable=True)


def parking_queue_name(service: str) -> str:
    return f"{service}.parked"


def consumer_queue(service: str, purpose: str) -> RabbitQueue:
    """A durable quorum queue; the broker parks a message after DELIVERY_LIMIT deliveries."""
    arguments: dict[str, Any] = {
        "x-queue-type": "quorum",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": service,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    return RabbitQueue(
        f"{service}.{purpose}",
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments=cast(Any, arguments),
    )


def parking_queue(service: str) -> RabbitQueue:
    return RabbitQueue(
        parking_queue_name(service),
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments=cast(Any, {"x-queue-type": "quorum"}),
        routing_key=service,
    )


def unrouted_queue() -> RabbitQueue:
    return RabbitQueue(
        UNROUTED_QUEUE,
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments=cast(
            Any,
            {
                "x-queue-type": "quorum",
                "x-max-length": UNROUTED_MAX_LENGTH,
                "x-overflow": "drop-head",
            },
        ),
    )


@dataclass(frozen=True)
class CommandQueue:
    """A service's private command queue: declared by every sender too, so that commands wait
    durably for a receiver that is not running (or not yet deployed)."""

    service: str
    routing_keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def queue(self) -> RabbitQueue:
        return consumer_queue(self.service, "commands")


NOTIFIER_COMMANDS = CommandQueue("notifier", ("notifier.email.send",))
COMMAND_QUEUES: tuple[CommandQueue, ...] = (NOTIFIER_COMMANDS,)


@dataclass(frozen=True)
class Binding:
    queue: RabbitQueue
    exchange: RabbitExchange
    routing_keys: tuple[str, ...]


async def declare_topology(
    broker: Any, bindings: list[Binding], services: set[str], *, shared_queues: bool = True
) -> None:
    """Declare the shared exchanges, the given queues with their bindings, the parking queue of
    every service named, and — unless the broker's definitions already hold them
    (`shared_queues=False`, least privilege in production) — all command queues (idempotent)."""
    for exchange in (unrouted_exchange, events_exchange, commands_exchange, dead_letter_exchange):
        await broker.declare_exchange(exchange)
    unrouted = await broker.declare_queue(unrouted_queue())
    await unrouted.bind(UNROUTED_EXCHANGE, routing_key="")
    all_bindings = list(bindings)
    for command_queue in COMMAND_QUEUES if shared_queues else ():
        services.add(command_queue.service)
        all_bindings.append(
            Binding(command_queue.queue, commands_exchange, command_queue.routing_keys)
        )
    for service in sorted(services):
        parked = await broker.declare_queue(parking_queue(service))
        await parked.bind(DEAD_LETTER_EXCHANGE, routing_key=service)
    for binding in all_bindings:
        queue = await broker.declare_queue(binding.queue)
        for key in binding.routing_keys:
            await queue.bind(binding.exchange.name, routing_key=key)
