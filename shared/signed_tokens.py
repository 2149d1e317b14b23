"""Signed link tokens: what a link may do, carried in the link itself and checked without
storing anything.

A token is `<payload>.<signature>`, both base64url: the payload is the claim as compact JSON
with sorted keys, the signature its HMAC-SHA256 under a key derived from a secret and a label
of the token's kind, so that a token of one kind never passes for one of another. Every claim
names its purpose (`p`) and when it expires (`e`, epoch seconds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import typing
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

MAX_TOKEN_LENGTH = 1000


class SignedTokenError(ValueError):
    """The token is forged, damaged, expired or meant for something else; `reason` says which
    (`malformed`, `forged`, `wrong-purpose`, `expired`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


E = TypeVar("E", bound=SignedTokenError)
C = TypeVar("C")


class TokenSigner(Generic[E]):
    """Signs and checks the tokens of one kind (`label`), raising `error` for a bad one."""

    def __init__(self, label: bytes, secret: str, error: type[E]) -> None:
        self._key = hashlib.sha256(label + b"\n" + secret.encode()).digest()
        self._error = error

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def _damaged(self) -> E:
        return self._error("malformed", "This link is damaged.")

    def sign(self, body: Mapping[str, str | int]) -> str:
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, read: Callable[[Any], C], *, purpose: str, now: int) -> C:
        """The claim `read` makes of the body of a token this key signed for `purpose` that
        has not expired at `now` (epoch seconds); raises the signer's error otherwise."""
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise self._damaged()
        payload, signature = token.split(".")
        try:
            expected = self._signature(payload)
        except UnicodeEncodeError as exc:
            raise self._damaged() from exc
        if not hmac.compare_digest(expected, signature):
            raise self._error("forged", "This link was not issued by Integrationsnetz.")
        try:
            body = json.loads(_unb64(payload))
            claim = read(body)
            claimed_purpose, expires_at = body["p"], int(body["e"])
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise self._damaged() from exc
        if claimed_purpose != purpose:
            raise self._error("wrong-purpose", "This link is meant for something else.")
        if expires_at <= now:
            raise self._error("expired", "This link has expired.")
        return claim


class ClaimCodec(Generic[C]):
    """Writes a claim (a dataclass) as a token body, each field under its short key, and reads
    it back, turning each value into its field's type (`str`, `int`, an enum)."""

    def __init__(self, claim: type[C], keys: Mapping[str, str]) -> None:
        self._claim = claim
        self._keys = keys
        types = typing.get_type_hints(claim)
        self._types = {field: types[field] for field in keys}

    def body(self, claim: C) -> dict[str, str | int]:
        return {key: getattr(claim, field) for field, key in self._keys.items()}

    def read(self, body: Any) -> C:
        return self._claim(
            **{field: self._types[field](body[key]) for field, key in self._keys.items()}
        )
