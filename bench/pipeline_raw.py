"""The raw speed of the parts under the pipeline, measured in the same run: what the broker takes
and gives with plain aio-pika, and what the SMTP server takes with plain aiosmtplib."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage
from typing import Any

import aio_pika
import aiosmtplib

PUBLISHES = 5_000
SEQUENTIAL_MAILS = 300
CONCURRENT_MAILS = 600
CONCURRENCY = 10


async def broker_rates(amqp_url: str) -> dict[str, float]:
    """Publish with confirms (one in flight per task, 50 tasks), then consume it all."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue("ext.bench.raw", durable=False, auto_delete=False)
        body = b'{"specversion":"1.0","data":{}}' + b" " * 600
        remaining = PUBLISHES

        async def publisher() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await channel.default_exchange.publish(
                    aio_pika.Message(body), routing_key=queue.name
                )

        started = time.monotonic()
        await asyncio.gather(*(publisher() for _ in range(50)))
        publish = PUBLISHES / (time.monotonic() - started)

        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=500)
        consumed = asyncio.Event()
        count = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count
            await message.ack()
            count += 1
            if count >= PUBLISHES:
                consumed.set()

        source = await consumer_channel.get_queue(queue.name)
        started = time.monotonic()
        tag = await source.consume(on_message)
        await asyncio.wait_for(consumed.wait(), timeout=120)
        consume = PUBLISHES / (time.monotonic() - started)
        await source.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    return {"publish_per_s": round(publish), "consume_per_s": round(consume)}


def _mail(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "bench@bench.example"
    message["To"] = f"raw{number}@bench.example"
    message["Subject"] = "Rohmessung"
    message.set_content("Ein Text in der Größe einer Benachrichtigung. " * 40)
    return message


async def smtp_rates(port: int) -> dict[str, float]:
    """A new connection per mail, one at a time; then 10 at a time."""
    started = time.monotonic()
    for number in range(SEQUENTIAL_MAILS):
        await aiosmtplib.send(_mail(number), hostname="127.0.0.1", port=port)
    sequential = SEQUENTIAL_MAILS / (time.monotonic() - started)
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def send(number: int) -> None:
        async with semaphore:
            await aiosmtplib.send(_mail(number), hostname="127.0.0.1", port=port)

    started = time.monotonic()
    await asyncio.gather(*(send(n) for n in range(CONCURRENT_MAILS)))
    concurrent = CONCURRENT_MAILS / (time.monotonic() - started)
    return {"smtp_sequential_per_s": round(sequential), "smtp_concurrent_per_s": round(concurrent)}


async def raw_baselines(amqp_url: str, smtp_port: int) -> dict[str, Any]:
    return {**(await broker_rates(amqp_url)), **(await smtp_rates(smtp_port))}
