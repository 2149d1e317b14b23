"""Replay parked messages: `python -m tools.replay SERVICE [--limit N] [--dry-run]`.

A parked message goes back to the queue it came from (the `x-parked-queue` header set when the
consumer parked it, or the broker's `x-death` record when the delivery limit parked it), through
the default exchange so no other subscriber sees it twice. Each message is acknowledged on the
parking queue only after the broker confirmed the republish: nothing is lost on the way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.topology import REPLAY_HEADER, parking_queue_name


def original_queue(headers: dict[str, Any]) -> str | None:
    parked = headers.get("x-parked-queue")
    if isinstance(parked, str | bytes) and parked:
        return parked.decode() if isinstance(parked, bytes) else parked
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths:
        queue = deaths[0].get("queue") if isinstance(deaths[0], dict) else None
        if isinstance(queue, str | bytes) and queue:
            return queue.decode() if isinstance(queue, bytes) else queue
    return None


@dataclass
class ReplayReport:
    replayed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"replayed {self.replayed}, left parked {self.skipped}"


async def replay_parked(
    rabbitmq_url: str, service: str, *, limit: int = 1000, dry_run: bool = False
) -> ReplayReport:
    report = ReplayReport()
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(parking_queue_name(service), ensure=True)
        held: list[AbstractIncomingMessage] = []
        for _ in range(limit):
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            headers = dict(message.headers or {})
            target = original_queue(headers)
            reason = headers.get("x-parked-reason") or "delivery limit reached"
            print(f"{message.message_id}  from {target or '?'}  reason: {reason!s}")
            if target is None or dry_run:
                report.skipped += 1
                held.append(message)  # released below, so this run does not see it again
                continue
            for key in ("x-parked-reason", "x-parked-at", "x-death", "x-delivery-count"):
                headers.pop(key, None)
            previous = headers.get(REPLAY_HEADER)
            headers[REPLAY_HEADER] = (previous if isinstance(previous, int) else 0) + 1
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=target,
                mandatory=True,
            )
            await message.ack()
            report.replayed += 1
        for message in held:
            await message.nack(requeue=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("service", help="e.g. notifier: replays notifier.parked")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--dry-run", action="store_true", help="list, do not replay")
    parser.add_argument(
        "--rabbitmq-url",
        default=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    )
    args = parser.parse_args(argv)
    report = asyncio.run(
        replay_parked(args.rabbitmq_url, args.service, limit=args.limit, dry_run=args.dry_run)
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
