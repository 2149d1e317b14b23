"""A local SMTP server for development that delivers nothing: every message is kept as a file.

    python -m scripts.mailcatcher --port 1025 --dir var/mail

Each message is written to ``<dir>/<UTC time>-<id>.eml`` exactly as received, preceded by two
headers recording the SMTP envelope (``X-Envelope-From``, ``X-Envelope-To``), which shows
recipients that are not in the headers (Bcc). One line per message goes to stdout:
``mail to a@example.org: Subject``. AUTH is offered and any credentials are accepted, so a
service configured with a user name works unchanged; there is no TLS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import logging
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session


class MailDirHandler:
    """aiosmtpd handler: store each message as an .eml file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        content = envelope.original_content
        if content is None:
            raw = envelope.content
            content = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
        recipients = ", ".join(envelope.rcpt_tos) or "(nobody)"
        envelope_headers = (
            f"X-Envelope-From: <{envelope.mail_from or ''}>\r\n"
            f"X-Envelope-To: {', '.join(f'<{r}>' for r in envelope.rcpt_tos)}\r\n"
        ).encode()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".eml.tmp")
        tmp.write_bytes(envelope_headers + content)
        tmp.replace(path)  # readers never see half a message
        subject = _subject(content)
        print(f"mail to {recipients}: {subject}  [{path.name}]", flush=True)
        return "250 Message accepted for delivery"


def _subject(content: bytes) -> str:
    try:
        message = email.message_from_bytes(content, policy=email.policy.default)
        subject = message.get("Subject")
    except Exception:  # a broken header must not lose the message
        return "(unreadable subject)"
    return str(subject) if subject is not None else "(no subject)"


def _accept_any_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    return AuthResult(success=True)


async def serve(host: str, port: int, directory: Path) -> None:
    loop = asyncio.get_running_loop()
    handler = MailDirHandler(directory)

    def protocol() -> SMTP:
        return SMTP(
            handler,
            hostname="mailcatcher.local",
            enable_SMTPUTF8=True,
            auth_require_tls=False,
            authenticator=_accept_any_login,
            loop=loop,
        )

    server = await loop.create_server(protocol, host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"mail catcher listening on {host}:{port}, writing to {directory}/", flush=True)
    try:
        await stop.wait()
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), timeout=2)
    print("mail catcher stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.mailcatcher", description="Catch outgoing mail into .eml files."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"), dest="directory")
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    # aiosmtpd itself sets the deprecated attribute on every AUTH and warns about it.
    logging.getLogger("mail.log").addFilter(
        lambda record: "login_data is deprecated" not in record.getMessage()
    )
    try:
        asyncio.run(serve(args.host, args.port, args.directory))
    except OSError as exc:
        print(f"mail catcher: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
