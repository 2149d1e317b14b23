"""An https feed fetched over a connection pinned to the checked address still presents the
feed's host name (SNI) and has the certificate verified for that name, not for the address."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.calendar.safe_fetch import FetchError, FetchLimits, SafeFetcher

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class TlsFeed:
    port: int
    trusted: ssl.SSLContext
    #: Server names the clients asked for.
    sni: list[str | None] = field(default_factory=list)


@pytest.fixture
async def tls_feed(tmp_path: Path) -> AsyncIterator[TlsFeed]:
    """A feed served over TLS with a certificate for verein.example only, by a test CA."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test CA"))
        .issuer_name(_name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("verein.example"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("verein.example")]), False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "leaf.pem", tmp_path / "leaf.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    trusted = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode()
    )
    served = TlsFeed(port=0, trusted=trusted)

    def remember(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        served.sni.append(name)

    server_context.sni_callback = remember

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(FEED)}\r\nConnection: close\r\n\r\n"
            writer.write(head.encode() + FEED)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client refused the certificate
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
    async with server:
        served.port = server.sockets[0].getsockname()[1]
        yield served


def fetcher(feed: TlsFeed) -> SafeFetcher:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    limits = FetchLimits(
        deadline_seconds=30, timeout_seconds=10, max_bytes=4096, allow_private=True
    )
    return SafeFetcher(limits, resolver=resolve, ssl_context=feed.trusted)


async def test_a_pinned_https_feed_is_verified_for_its_host_name(tls_feed: TlsFeed) -> None:
    data = await fetcher(tls_feed).fetch(f"https://verein.example:{tls_feed.port}/feed.ics")
    assert data == FEED
    assert tls_feed.sni == ["verein.example"]


async def test_a_pinned_https_feed_whose_certificate_names_another_host_is_refused(
    tls_feed: TlsFeed,
) -> None:
    with pytest.raises(FetchError, match=r"could not connect to other\.example"):
        await fetcher(tls_feed).fetch(f"https://other.example:{tls_feed.port}/feed.ics")
