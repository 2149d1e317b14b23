"""Handing emails to the SMTP server over a small pool of open connections.

Opening an SMTP connection (TCP, greeting, EHLO, maybe STARTTLS and AUTH) costs more than
sending a message over it, so the `Mailer` keeps up to `SMTP_CONNECTIONS` connections open and
sends many messages over each; a send that finds none free within half the delivery lease
fails as a temporary error. A connection that breaks (the server hung up, a timeout, a 421
"closing") is dropped, and the message is tried once more on a fresh connection before the
failure counts as a failed attempt. A connection idle for longer than `max_idle_seconds`, or
that has carried `max_messages`, is closed with QUIT and replaced when next needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import NoReturn

import aiosmtplib

from services.notifier.settings import NotifierSettings
from services.notifier.wire import to_bytes

log = logging.getLogger("integrationsnetz.notifier.mailer")

#: Anything shaped like an email address, with or without angle brackets.
_ADDRESS = re.compile(r"<?[^\s<>@\"',;:]+@[^\s<>@\"',;:]+>?")

#: "Service not available, closing transmission channel": the connection is gone, not the mail.
_CLOSING = 421


def redact_addresses(text: str) -> str:
    """SMTP replies and aiosmtplib's errors quote addresses; logs and the event stream get none."""
    return _ADDRESS.sub("<address>", text)


class SendError(Exception):
    """Sending failed; `permanent` when the mail server refused for good (5xx). The detail
    holds no email address (it is logged, stored and published)."""

    def __init__(self, detail: str, *, permanent: bool) -> None:
        detail = redact_addresses(detail)
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


def send_error(exc: BaseException) -> SendError | None:
    """What a failed SMTP conversation means for the delivery; None for anything else."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [error.code for error in exc.recipients]
        detail = "; ".join(f"{e.code} {e.message}" for e in exc.recipients)
        return SendError(detail, permanent=all(code >= 500 for code in codes))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # wrong credentials are an operator's to fix: keep the mail and retry
        return SendError(f"{exc.code} {exc.message}", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendError(f"{exc.code} {exc.message}", permanent=exc.code >= 500)
    if isinstance(exc, (aiosmtplib.SMTPException, OSError, TimeoutError)):
        return SendError(f"{type(exc).__name__}: {exc}", permanent=False)
    return None


def connection_failed(exc: BaseException) -> bool:
    """The connection broke (rather than the server refusing this message): another
    connection may well succeed."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code == _CLOSING
    return isinstance(exc, (aiosmtplib.SMTPException, OSError, TimeoutError))


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    sent: int
    idle_since: float


class Mailer:
    """Hands messages to the SMTP server, each for one envelope recipient, over at most
    `smtp_connections` open connections at once."""

    def __init__(
        self,
        settings: NotifierSettings,
        *,
        max_idle_seconds: float = 30.0,
        max_messages: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._max_idle = max_idle_seconds
        self._max_messages = max_messages
        self._clock = clock
        self._slots = asyncio.Semaphore(settings.smtp_connections)
        #: How long a send waits for a free connection: half the lease on its delivery, so
        #: the conversation has the other half.
        self._slot_wait = settings.delivery_lease_seconds / 2
        self._idle: list[_Connection] = []

    @property
    def open_connections(self) -> int:
        """Connections open and waiting for the next message."""
        return len(self._idle)

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        # flattened here: aiosmtplib would refold our headers with `policy.SMTP`
        data = to_bytes(message)
        try:
            async with asyncio.timeout(self._slot_wait):
                await self._slots.acquire()
        except TimeoutError:
            # the delivery's lease must not run out before it is sent: try again later
            raise SendError(
                f"no SMTP connection came free within {self._slot_wait:g}s", permanent=False
            ) from None
        try:
            try:
                await self._send_once(data, sender, recipient, fresh=False)
                return
            except Exception as exc:
                if not connection_failed(exc):
                    _raise_classified(exc)
                log.info(
                    "SMTP connection failed (%s); trying once more on a new one",
                    redact_addresses(f"{type(exc).__name__}: {exc}"),
                )
            try:
                await self._send_once(data, sender, recipient, fresh=True)
            except Exception as exc:
                _raise_classified(exc)
        finally:
            self._slots.release()

    async def _send_once(self, data: bytes, sender: str, recipient: str, *, fresh: bool) -> None:
        connection = await self._connection(fresh=fresh)
        try:
            # The envelope is given explicitly: headers never decide where mail goes.
            await connection.client.sendmail(sender, [recipient], data)
        except BaseException as exc:
            if isinstance(exc, Exception) and not connection_failed(exc):
                self._put_back(connection)  # the server refused this message, not the channel
            else:
                _abandon(connection)
            raise
        connection.sent += 1
        if connection.sent >= self._max_messages:
            await _quit(connection)
        else:
            self._put_back(connection)

    async def _connection(self, *, fresh: bool) -> _Connection:
        """An open connection: the most recently used idle one still fit for use, else new."""
        while self._idle and not fresh:
            connection = self._idle.pop()
            if connection.client.is_connected and not self._worn(connection):
                return connection
            await _quit(connection)
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_tls,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return _Connection(client, sent=0, idle_since=self._clock())

    def _worn(self, connection: _Connection) -> bool:
        return (
            connection.sent >= self._max_messages
            or self._clock() - connection.idle_since > self._max_idle
        )

    def _put_back(self, connection: _Connection) -> None:
        if not connection.client.is_connected:
            return
        connection.idle_since = self._clock()
        self._idle.append(connection)

    async def close_idle(self) -> int:
        """Close the connections idle for longer than `max_idle_seconds`; returns how many."""
        worn = [c for c in self._idle if self._worn(c) or not c.client.is_connected]
        self._idle = [c for c in self._idle if c not in worn]
        await asyncio.gather(*(_quit(connection) for connection in worn))
        return len(worn)

    async def close(self) -> None:
        """Close every idle connection (at shutdown, once the sends in flight are done)."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_quit(connection) for connection in idle))


def _raise_classified(exc: Exception) -> NoReturn:
    """Raise `exc` as a SendError, or as it is when it is no SMTP failure."""
    error = send_error(exc)
    if error is None:
        raise exc
    raise error from exc


def _abandon(connection: _Connection) -> None:
    with contextlib.suppress(Exception):
        connection.client.close()


async def _quit(connection: _Connection) -> None:
    """Say goodbye politely; a connection that cannot is closed anyway."""
    try:
        if connection.client.is_connected:
            await connection.client.quit()
    except Exception as exc:
        log.debug("SMTP connection closed without QUIT: %s", redact_addresses(repr(exc)))
    finally:
        _abandon(connection)
