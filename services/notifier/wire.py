"""How the notifier's emails look on the wire.

Python's `email.policy.SMTP` folds a header it cannot break at whitespace into RFC 2047
encoded-words — also a long `List-Unsubscribe: <https://…>`, which the big mail providers
(RFC 2369/8058 readers) then cannot read — and its encoded-word folding can drop the space
between two words of a non-ASCII subject. The headers the notifier writes itself are therefore
written here, exactly: URI and id headers verbatim on one line (ASCII, at most 998 octets),
a non-ASCII subject as whole-character UTF-8 encoded-words of at most 75 characters. Address
and MIME headers keep the standard folding.
"""

from __future__ import annotations

import base64
import io
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

#: RFC 5322 2.1.1: a line is at most 998 octets without its CRLF.
MAX_LINE = 998
#: RFC 2047 2: an encoded-word is at most 75 characters.
MAX_ENCODED_WORD = 75
_EW_PREFIX, _EW_SUFFIX = "=?utf-8?b?", "?="
#: UTF-8 octets per encoded-word: base64 turns 3 octets into 4 characters.
_OCTETS_PER_WORD = (MAX_ENCODED_WORD - len(_EW_PREFIX) - len(_EW_SUFFIX)) // 4 * 3

#: Headers written verbatim: URIs and ids that readers must see exactly as set.
VERBATIM = frozenset(
    {
        "list-unsubscribe",
        "list-unsubscribe-post",
        "list-id",
        "message-id",
        "references",
        "in-reply-to",
        "date",
        "auto-submitted",
        "content-language",
        "x-integrationsnetz-delivery",
        "x-integrationsnetz-cause",
        "x-integrationsnetz-template",
    }
)


class HeaderError(ValueError):
    """A header value that cannot be written correctly on the wire."""


def _plain_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable()


def verbatim(name: str, value: str) -> str:
    """A header value to be written as it is: printable ASCII, one line of ≤ 998 octets."""
    if not _plain_ascii(value):
        raise HeaderError(f"{name} must be printable ASCII on one line")
    if len(name) + 2 + len(value) > MAX_LINE:
        raise HeaderError(f"{name} does not fit on one line of {MAX_LINE} octets")
    return value


def _chunks(text: str) -> list[str]:
    """Split into pieces of at most `_OCTETS_PER_WORD` UTF-8 octets, never inside a character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in text:
        octets = len(char.encode())
        if size + octets > _OCTETS_PER_WORD:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += octets
    if current:
        pieces.append(current)
    return pieces


def subject_value(text: str) -> str:
    """A subject as written on the wire: plain if it is ASCII (and cannot be taken for an
    encoded-word), else encoded-words joined by folding whitespace, which decoders drop."""
    if _plain_ascii(text) and "=?" not in text and len("Subject: ") + len(text) <= MAX_LINE:
        return text
    words = [
        f"{_EW_PREFIX}{base64.b64encode(piece.encode()).decode()}{_EW_SUFFIX}"
        for piece in _chunks(text)
    ]
    return "\r\n ".join(words)


class WirePolicy(EmailPolicy):
    """`email.policy.SMTP`, except that the notifier's own headers are stored as finished
    wire text (see the module docstring) and written out unchanged."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        key = name.lower()
        if key == "subject" and isinstance(value, str):
            return (name, subject_value(value))
        if key in VERBATIM and isinstance(value, str):
            return (name, verbatim(name, value))
        return super().header_store_parse(name, value)


#: Strings stored by `WirePolicy` are never refolded (`refold_source="none"`).
WIRE = WirePolicy(linesep="\r\n", refold_source="none")


def to_bytes(message: EmailMessage) -> bytes:
    """The message as sent over SMTP, CRLF line ends, with `WIRE`'s header rules."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=WIRE).flatten(message)
    return buffer.getvalue()
