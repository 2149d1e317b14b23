"""A real SMTP server (aiosmtpd on loopback) that keeps what it receives, the mails it caught
with their parts, headers and links, and addresses unique to a test."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from tests.support.infra import free_port


@dataclass(frozen=True)
class CaughtMail:
    envelope_to: list[str]
    message: EmailMessage
    #: The message exactly as it arrived over SMTP (a decoding parser hides wire mistakes).
    raw: bytes = b""

    @property
    def to(self) -> str:
        return self.envelope_to[0]

    def header(self, name: str) -> str:
        value = self.message.get(name)
        return "" if value is None else str(value)

    @property
    def cause(self) -> str:
        return self.header("X-Integrationsnetz-Cause")

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        content: str = body.get_content()
        return content

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")

    def link(self, pattern: str) -> str:
        found = re.search(pattern, self.text)
        assert found, f"no link matching {pattern!r} in:\n{self.text}"
        return found.group(0)


@dataclass
class MailServer:
    """An SMTP server on a fixed loopback port that keeps every accepted message; it can be
    stopped and started again on the same port, and can run a hook at each RCPT. It counts
    the SMTP sessions clients opened (each greets with EHLO or HELO, again after STARTTLS)."""

    port: int
    mails: list[CaughtMail] = field(default_factory=list)
    rcpt_count: int = 0
    on_rcpt: Callable[[int], None] | None = None
    #: Asked at each MAIL FROM with the SMTP session: a reply refusing it, or None to accept.
    on_mail: Callable[[Any], str | None] | None = None
    sessions: int = 0
    quits: int = 0
    _controller: Controller | None = None

    async def handle_EHLO(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, hostname: str
    ) -> str:
        self.sessions += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        refusal = self.on_mail(session) if self.on_mail is not None else None
        if refusal is not None:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.quits += 1
        return "221 Bye"

    async def handle_RCPT(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        self.rcpt_count += 1
        if self.on_rcpt is not None:
            self.on_rcpt(self.rcpt_count)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(CaughtMail(list(envelope.rcpt_tos), message, raw))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[CaughtMail]:
        return [m for m in self.mails if m.to == address]

    async def wait_for(
        self,
        predicate: Callable[[CaughtMail], bool] = lambda _m: True,
        count: int = 1,
        timeout: float = 15.0,
    ) -> list[CaughtMail]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [m for m in self.mails if predicate(m)]
            if len(found) >= count:
                return found
            if asyncio.get_running_loop().time() > deadline:
                seen = [(m.to, m.header("Subject")) for m in self.mails]
                raise AssertionError(f"expected {count} matching mails in {timeout}s; saw {seen}")
            await asyncio.sleep(0.05)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port())
    server.start()
    yield server
    server.stop()


def link_token(link: str) -> str:
    """The `token` of an emailed link (a set-password or a confirmation link)."""
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token


def tagged(local: str) -> str:
    """A unique address per test, so mails are told apart whatever else runs."""
    return f"{local}-{uuid.uuid4().hex[:8]}@example.org"
