"""Follow the Integrationsnetz public event stream, one line per event (see docs/events.md)."""

import argparse
import asyncio
import contextlib
import json
import os

import aio_pika


async def follow(url: str, name: str, keys: list[str], max_events: int, idle: float | None) -> None:
    async with await aio_pika.connect_robust(url) as connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=50)
        queue = await channel.declare_queue(
            f"ext.{name}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        for key in keys:
            await queue.bind("integrationsnetz.events", routing_key=key)
        print(f"listening on {queue.name} for {' '.join(keys)}", flush=True)
        seen: dict[str, None] = {}  # recent event ids, oldest first: delivery is at least once
        with contextlib.suppress(TimeoutError):  # `idle` seconds passed without an event
            async for message in queue.iterator(timeout=idle):
                async with message.process():  # acknowledged after handling, not before
                    event = json.loads(message.body)
                    if event["id"] in seen:
                        continue  # a duplicate: acknowledge it, do nothing else
                    seen[event["id"]] = None
                    if len(seen) > 10_000:
                        del seen[next(iter(seen))]
                    print(event["time"], event["type"], event.get("subject"), flush=True)
                    if (max_events := max_events - 1) == 0:
                        break


if __name__ == "__main__":
    url = os.environ.get("AMQP_URL")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("keys", nargs="*", default=os.environ.get("BINDING_KEYS", "#").split())
    parser.add_argument("--url", default=url, required=url is None, help="or $AMQP_URL")
    parser.add_argument("--name", required=True, help="your queue is ext.<name>")
    parser.add_argument("--max-events", type=int, default=0, help="stop after N events")
    parser.add_argument("--idle-seconds", type=float, help="stop after S seconds without one")
    args = parser.parse_args()
    asyncio.run(follow(args.url, args.name, args.keys, args.max_events, args.idle_seconds))
