"""Importing a feed from an address an organisation typed in: it reaches only the address that
was checked, never quotes what a server sent, is bounded in time, size (inflated) and events,
and one organisation's slow server holds up no other organisation."""

from __future__ import annotations

import asyncio
import socket
import urllib.parse
import zlib
from typing import Any

import httpcore
import pytest

from tests.integration.calendar_fixtures import Partners
from tests.integration.feed_fixtures import (
    FeedServer,
    importer_with,
    last_state,
    register,
    scheduled_events,
)
from tests.integration.test_calendar_imports import vcalendar, vevent
from tests.support.waiting import eventually

PUBLIC_ADDRESS = "93.184.216.34"
REBINDING_HOST = "feed.rebind.test"


class Unreachable(httpcore.AsyncNetworkBackend):
    """The public internet as seen from the test: records where it was asked to connect, and
    refuses (nothing leaves the machine)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append((host, port))
        raise httpcore.ConnectError("unreachable")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_a_feed_host_that_resolves_to_loopback_at_connect_time_is_never_reached_there(
    partners: Partners, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    feed_server.body = vcalendar(vevent("fest@verein.example", "Sommerfest", 23, 14))
    port = urllib.parse.urlsplit(feed_server.base_url).port
    assert port is not None
    loop = asyncio.get_running_loop()
    system = loop.getaddrinfo
    answered: list[str] = []

    async def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        """A public address when first asked, the loopback address from then on."""
        name = host.decode() if isinstance(host, bytes) else host
        if name != REBINDING_HOST:
            return await system(host, *args, **kwargs)
        address = "127.0.0.1" if answered else PUBLIC_ADDRESS
        answered.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(loop, "getaddrinfo", rebinding)
    service = importer_with(partners, import_allow_private_addresses=False)
    internet = Unreachable()
    service.network = internet
    registration = await register(partners, verein, f"http://{REBINDING_HOST}:{port}/feed.ics")

    await service.import_feed(registration)

    assert feed_server.seen("/feed.ics") == 0
    assert internet.asked == [(PUBLIC_ADDRESS, port)]
    listed = await last_state(partners, registration.id)
    assert listed["state"] == "failed"
    assert listed["last_error"] == f"could not connect to {REBINDING_HOST}"
    assert await scheduled_events(partners, verein) == []


async def test_the_error_stored_for_a_broken_feed_never_quotes_what_the_server_sent(
    partners: Partners, feed_server: FeedServer
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    registration = await register(partners, verein, feed_server.url("/feed.ics"))
    service = importer_with(partners)
    secret = "INTRANET-SECRET-4711"
    pages = [
        f"<html><body>Gehaltsliste {secret}</body></html>",
        f"BEGIN:VCALENDAR\r\n{secret} without a colon\r\nEND:VCALENDAR\r\n",
        f"root:x:0:0:{secret}:/root:/bin/bash\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u@verein.example\r\n"
        f"DTSTART:{secret}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ]
    for page in pages:
        feed_server.body = page.encode()
        await service.import_feed(registration)
        listed = await last_state(partners, registration.id)
        assert secret not in (listed["last_error"] or ""), listed
        assert not any(secret in problem for problem in listed["problems"]), listed

    # a server that does not speak HTTP at all (an SSH daemon, a database)
    async def not_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(f"SSH-2.0-OpenSSH_9.6 {secret}\r\n".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_http, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        other = await register(partners, verein, f"http://127.0.0.1:{port}/feed.ics")
        await service.import_feed(other)
    listed = await last_state(partners, other.id)
    assert listed["state"] == "failed"
    assert secret not in listed["last_error"]
    assert listed["last_error"] == "the feed's server did not answer with valid HTTP"


async def test_a_feed_that_trickles_is_given_up_at_the_whole_download_deadline(
    partners: Partners, feed_server: FeedServer
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    # some 60 pieces, each well within the read timeout, together far beyond the deadline
    feed_server.body = vcalendar(vevent("fest@verein.example", "Sommerfest", 23, 14))
    registration = await register(partners, verein, feed_server.url("/trickle.ics"))
    service = importer_with(partners, import_deadline_seconds=0.5, import_timeout_seconds=10)

    await service.import_feed(registration)

    listed = await last_state(partners, registration.id)
    assert listed["state"] == "failed"
    assert listed["last_error"] == "the feed did not arrive within 0.5 seconds"
    assert await scheduled_events(partners, verein) == []


async def test_a_feed_with_more_events_than_the_cap_is_refused_and_writes_nothing(
    partners: Partners, feed_server: FeedServer
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    feed_server.body = vcalendar(
        *(vevent(f"e{day}@verein.example", f"Treffen {day}", day, 10) for day in range(1, 5))
    )
    registration = await register(partners, verein, feed_server.url("/feed.ics"))
    service = importer_with(partners, import_max_events=3)

    report = await service.import_feed(registration)

    listed = await last_state(partners, registration.id)
    assert listed["state"] == "failed"
    assert listed["last_error"] == "the feed has more than 3 events; nothing was imported"
    assert report.created == 0
    assert await scheduled_events(partners, verein) == []

    # within the cap, the same feed is taken
    feed_server.body = vcalendar(
        *(vevent(f"e{day}@verein.example", f"Treffen {day}", day, 10) for day in range(1, 4))
    )
    assert (await service.import_feed(registration)).created == 3


async def test_a_stalled_feed_of_one_organisation_does_not_hold_up_another_organisations_import(
    partners: Partners, feed_server: FeedServer
) -> None:
    stalling = await partners.organisation("Kulturverein Süd e.V.")
    prompt = await partners.organisation("Sportverein Nord 1920 e.V.")
    feed_server.body = vcalendar(vevent("fest@verein.example", "Sommerfest", 23, 14))
    stalled = await register(partners, stalling, feed_server.url("/stalled.ics"))
    quick = await register(partners, prompt, feed_server.url("/feed.ics"))
    service = importer_with(partners, import_deadline_seconds=600, import_timeout_seconds=120)

    running = asyncio.create_task(service.run_due())
    try:

        async def quick_one_done() -> bool:
            state: str = (await last_state(partners, quick.id))["state"]
            return state == "ok"

        await eventually(lambda: _true(feed_server.seen("/stalled.ics") == 1))
        await eventually(quick_one_done)
        assert not running.done()  # the stalled server has not been released
        assert (await last_state(partners, stalled.id))["state"] == "pending"
    finally:
        feed_server.release.set()
    assert await running == 2
    assert (await last_state(partners, stalled.id))["state"] == "ok"


async def _true(value: bool) -> bool:
    return value


def _bomb(encoding: str, size: int) -> bytes:
    """About `size` bytes that inflate a thousandfold: blocks of zeros, each compressed once
    and repeated (a full flush makes every block stand alone)."""
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(1024 * 1024)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head + block * (size // len(block))


class _Counting:
    """A decompressor that counts the bytes it inflates."""

    def __init__(self, inner: Any, inflated: list[int]) -> None:
        self._inner = inner
        self._inflated = inflated

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out: bytes = self._inner.decompress(data, max_length)
        self._inflated.append(len(out))
        return out

    def flush(self, *args: Any) -> bytes:
        out: bytes = self._inner.flush(*args)
        self._inflated.append(len(out))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_feed_is_cut_at_the_size_cap_counted_on_inflated_bytes(
    partners: Partners, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    feed_server.body = _bomb(encoding, 10 * 1024 * 1024)
    feed_server.headers = {"Content-Encoding": encoding}
    registration = await register(partners, verein, feed_server.url("/feed.ics"))
    cap = 64 * 1024
    service = importer_with(partners, import_max_bytes=cap)
    inflated: list[int] = []
    decompressobj = zlib.decompressobj
    monkeypatch.setattr(
        zlib, "decompressobj", lambda *a, **k: _Counting(decompressobj(*a, **k), inflated)
    )

    await service.import_feed(registration)

    listed = await last_state(partners, registration.id)
    assert listed["state"] == "failed"
    assert listed["last_error"] == f"the feed is larger than {cap} bytes"
    assert sum(inflated) <= cap + 1
