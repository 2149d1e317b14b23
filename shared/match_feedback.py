"""Signed match-feedback links: "passt" / "passt nicht" with one click from a match email,
without logging in.

The notifier writes the links into the match email; the exchange, which records the rating,
checks them. Both hold the same key (`MATCH_FEEDBACK_SECRET`), and nothing else is shared: the
token carries its purpose, the match, the side that rates, the verdict, the language of the
email and when it expires; its HMAC-SHA256 signature proves the notifier wrote it. Nothing is
stored, so a link can be used again (the rating is idempotent) until it expires.

A token is `<payload>.<signature>`, both base64url, like the notifier's unsubscribe links, but
signed with a key of its own: an unsubscribe token is never a feedback token, nor the reverse.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Self

from pydantic import SecretStr, model_validator

from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.settings import WebSettings

PURPOSE = "match-feedback"
MAX_TOKEN_LENGTH = 1000
#: The key's development default (it is in shared.settings.DEVELOPMENT_SECRETS).
DEVELOPMENT_MATCH_FEEDBACK_SECRET = "change-me"  # noqa: S105 (refused outside development)
MIN_MATCH_FEEDBACK_SECRET_LENGTH = 32


class MatchFeedbackSettings(WebSettings):
    """The key shared by the notifier (signs the links) and the exchange (checks them)."""

    #: Signs and checks the "passt" / "passt nicht" links in match emails (HMAC-SHA256).
    match_feedback_secret: SecretStr = SecretStr(DEVELOPMENT_MATCH_FEEDBACK_SECRET)

    def secrets_to_check(self) -> dict[str, str]:
        return {
            **super().secrets_to_check(),
            "match_feedback_secret": self.match_feedback_secret.get_secret_value(),
        }

    @model_validator(mode="after")
    def _strong_match_feedback_secret_outside_development(self) -> Self:
        secret = self.match_feedback_secret.get_secret_value()
        if self.environment != "development" and len(secret) < MIN_MATCH_FEEDBACK_SECRET_LENGTH:
            raise ValueError(
                f"MATCH_FEEDBACK_SECRET needs at least {MIN_MATCH_FEEDBACK_SECRET_LENGTH} "
                f"characters for ENVIRONMENT={self.environment}"
            )
        return self


class FeedbackTokenError(ValueError):
    """The token is forged, damaged, expired or meant for something else; `reason` says which
    (`malformed`, `forged`, `wrong-purpose`, `expired`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FeedbackClaim:
    """What a feedback link says: this side of this match rates it so."""

    match_id: str
    side: MatchSide
    verdict: MatchVerdict
    language: str
    expires_at: int  # epoch seconds


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _damaged() -> FeedbackTokenError:
    return FeedbackTokenError("malformed", "This link is damaged.")


class FeedbackSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"integrationsnetz-match-feedback\n" + secret.encode()).digest()

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def sign(self, claim: FeedbackClaim) -> str:
        body = {
            "p": PURPOSE,
            "m": claim.match_id,
            "s": claim.side.value,
            "v": claim.verdict.value,
            "l": claim.language,
            "e": claim.expires_at,
        }
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, *, now: int) -> FeedbackClaim:
        """The claim of a token this key signed that has not expired at `now` (epoch seconds);
        raises `FeedbackTokenError` otherwise."""
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise _damaged()
        payload, signature = token.split(".")
        try:
            expected = self._signature(payload)
        except UnicodeEncodeError as exc:
            raise _damaged() from exc
        if not hmac.compare_digest(expected, signature):
            raise FeedbackTokenError("forged", "This link was not issued by Integrationsnetz.")
        try:
            body = json.loads(_unb64(payload))
            purpose = body["p"]
            claim = FeedbackClaim(
                match_id=str(body["m"]),
                side=MatchSide(body["s"]),
                verdict=MatchVerdict(body["v"]),
                language=str(body["l"]),
                expires_at=int(body["e"]),
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise _damaged() from exc
        if purpose != PURPOSE:
            raise FeedbackTokenError("wrong-purpose", "This link is meant for something else.")
        if claim.expires_at <= now:
            raise FeedbackTokenError("expired", "This link has expired.")
        return claim
