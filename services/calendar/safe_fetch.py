"""Fetching an address that an organisation typed in without letting it reach inside the city's
network: every host is resolved once, each of its addresses checked, and the connection goes to
exactly such a checked address (TLS still verified for the host name); redirects are checked
the same way; the whole download has a deadline and a size cap counted on the inflated bytes;
and no error ever quotes what the server sent."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import urllib.parse
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Host name and port to the addresses it stands for (as getaddrinfo gives them).
Resolver = Callable[[str, int], Awaitable[list[str]]]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3

_FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        # Ranges `is_global` lets through on some Python versions, or that lead elsewhere.
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)


class FetchError(ValueError):
    """The address cannot or must not be fetched; the message is safe to show to its owner."""


def is_public_address(address: IPAddress) -> bool:
    """Whether a feed may be fetched from `address`: globally routable, and no IPv4 address
    embedded in it (mapped, 6to4, Teredo) is private either."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return False
        embedded: list[ipaddress.IPv4Address] = []
        if address.ipv4_mapped is not None:
            embedded.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if any(not is_public_address(inner) for inner in embedded):
            return False
    if any(address in network for network in _FORBIDDEN_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


def check_url(url: str) -> httpx.URL:
    """The URL parsed (IDNA, percent-encoding); only http:// and https:// with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError("the feed address is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError("only http:// and https:// feed addresses can be imported")
    return parsed


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver, asked once per host and hop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses that were checked, whatever host the request names (TLS
    keeps the request's host name for SNI and certificate verification)."""

    def __init__(self, addresses: Iterable[str], inner: httpcore.AsyncNetworkBackend) -> None:
        self.addresses = list(addresses)
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception = httpcore.ConnectError("no address to connect to")
        for address in self.addresses:
            try:
                return await self.inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("feeds are not fetched over unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class BoundedBody:
    """Collects a response body, inflating gzip/deflate step by step so that never more than
    `limit` + 1 inflated bytes exist, whatever the compression ratio."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self.limit = limit
        self.received = bytearray()
        encoding = content_encoding.strip().lower()
        self._raw_deflate_fallback = encoding == "deflate"
        self._inflater: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
        elif encoding not in ("", "identity"):
            raise FetchError("the feed is sent in a compression that is not supported")

    @property
    def compressed(self) -> bool:
        return self._inflater is not None

    def add(self, chunk: bytes) -> None:
        if self._inflater is None:
            self._take(chunk)
            return
        try:
            self._inflate(chunk)
        except zlib.error:
            raise FetchError("the feed's compressed data is broken") from None

    def finish(self) -> bytes:
        if self._inflater is not None:
            try:
                self._take(self._inflater.flush())
            except zlib.error:
                raise FetchError("the feed's compressed data is broken") from None
        return bytes(self.received)

    def _inflate(self, data: bytes) -> None:
        while data and not self._inflater.eof:
            room = self.limit - len(self.received)
            try:
                piece = self._inflater.decompress(data, room + 1)
            except zlib.error:
                if not self._raw_deflate_fallback:
                    raise
                # Some servers send "deflate" without the zlib header (raw deflate).
                self._raw_deflate_fallback = False
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_deflate_fallback = False
            self._take(piece)
            data = self._inflater.unconsumed_tail

    def _take(self, piece: bytes) -> None:
        self.received.extend(piece)
        if len(self.received) > self.limit:
            raise FetchError(f"the feed is larger than {self.limit} bytes")


@dataclass(frozen=True)
class FetchLimits:
    #: The whole download, redirects included.
    deadline_seconds: float
    #: Each connect and each read.
    timeout_seconds: float
    max_bytes: int
    allow_private: bool = False
    max_redirects: int = MAX_REDIRECTS


def _header(response: httpcore.Response, name: bytes) -> str:
    for key, value in response.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class SafeFetcher:
    """GETs a feed within `limits`; `resolver` and `network` are the seams for tests."""

    def __init__(
        self,
        limits: FetchLimits,
        *,
        resolver: Resolver | None = None,
        network: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.limits = limits
        self.resolver = resolver or system_resolver
        self.network = network or httpcore.AnyIOBackend()
        # No proxies from the environment: a proxy would resolve the host itself.
        self.ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)

    async def fetch(self, url: str, accept: str = "text/calendar, */*;q=0.5") -> bytes:
        try:
            async with asyncio.timeout(self.limits.deadline_seconds):
                return await self._follow(url, accept)
        except TimeoutError:
            raise FetchError(
                f"the feed did not arrive within {self.limits.deadline_seconds:g} seconds"
            ) from None

    async def _addresses(self, target: httpx.URL) -> list[str]:
        host = target.raw_host.decode("ascii")
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            found = await self.resolver(host, port)
        except OSError:
            raise FetchError(f"cannot resolve {host}") from None
        addresses: list[str] = []
        for text in found:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise FetchError(f"cannot resolve {host}") from None
            if not self.limits.allow_private and not is_public_address(address):
                raise FetchError(f"{host} is not a public address")
            addresses.append(str(address))
        if not addresses:
            raise FetchError(f"cannot resolve {host}")
        return addresses

    async def _follow(self, url: str, accept: str) -> bytes:
        for _ in range(self.limits.max_redirects + 1):
            target = check_url(url)
            addresses = await self._addresses(target)
            timeout = self.limits.timeout_seconds
            async with httpcore.AsyncConnectionPool(
                ssl_context=self.ssl_context,
                network_backend=PinnedBackend(addresses, self.network),
                max_connections=1,
                retries=0,
            ) as pool:
                try:
                    async with pool.stream(
                        "GET",
                        httpcore.URL(
                            scheme=target.raw_scheme,
                            host=target.raw_host,
                            port=target.port,
                            target=target.raw_path,
                        ),
                        headers=[
                            (b"Host", target.netloc),
                            (b"Accept", accept.encode()),
                            (b"Accept-Encoding", b"gzip, deflate"),
                            (b"User-Agent", b"Integrationsnetz-Kalender"),
                        ],
                        extensions={
                            "timeout": {
                                "connect": timeout,
                                "read": timeout,
                                "write": timeout,
                                "pool": timeout,
                            }
                        },
                    ) as response:
                        location = _header(response, b"location")
                        if response.status in REDIRECTS and location:
                            url = urllib.parse.urljoin(str(target), location)
                            continue
                        if response.status != 200:
                            raise FetchError(f"the feed answered HTTP {response.status}")
                        return await self._read(response)
                except httpcore.TimeoutException:
                    raise FetchError("the feed's server did not answer in time") from None
                except httpcore.ConnectError:
                    raise FetchError(f"could not connect to {target.host}") from None
                except httpcore.ProtocolError:
                    raise FetchError("the feed's server did not answer with valid HTTP") from None
                except (httpcore.NetworkError, OSError, ssl.SSLError):
                    raise FetchError("the connection to the feed's server failed") from None
        raise FetchError("the feed redirects too often")

    async def _read(self, response: httpcore.Response) -> bytes:
        body = BoundedBody(_header(response, b"content-encoding"), self.limits.max_bytes)
        length = _header(response, b"content-length")
        if not body.compressed and length.isdigit() and int(length) > self.limits.max_bytes:
            raise FetchError(f"the feed is larger than {self.limits.max_bytes} bytes")
        async for chunk in response.aiter_stream():
            body.add(chunk)
        return body.finish()
