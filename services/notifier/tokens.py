"""Signed link tokens (HMAC-SHA256) for unsubscribing and confirming without logging in.

A token is `<payload>.<signature>`, both base64url: the payload names its purpose, what it is
about, the language of the pages it leads to, and when it expires. Nothing is stored; the
signature proves the notifier wrote it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum

from services.notifier.feedback_links import FeedbackLinks

MAX_TOKEN_LENGTH = 1000


class TokenPurpose(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    CONFIRM = "confirm"


class InvalidTokenError(ValueError):
    """The token is forged, damaged, expired or meant for something else; `reason` says which."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class LinkClaim:
    purpose: TokenPurpose
    #: `sub:<subscription id>`, or `org:<organisation id>:<default notice>`.
    subject: str
    language: str
    expires_at: int  # epoch seconds


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"integrationsnetz-notifier-links\n" + secret.encode()).digest()

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def sign(self, claim: LinkClaim) -> str:
        body = {
            "p": claim.purpose.value,
            "s": claim.subject,
            "l": claim.language,
            "e": claim.expires_at,
        }
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, purpose: TokenPurpose, *, now: int) -> LinkClaim:
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise InvalidTokenError("malformed", "This link is damaged.")
        payload, signature = token.split(".")
        try:
            expected = self._signature(payload)
        except UnicodeEncodeError as exc:
            raise InvalidTokenError("malformed", "This link is damaged.") from exc
        if not hmac.compare_digest(expected, signature):
            raise InvalidTokenError("forged", "This link was not issued by Integrationsnetz.")
        try:
            body = json.loads(_unb64(payload))
            claim = LinkClaim(
                purpose=TokenPurpose(body["p"]),
                subject=str(body["s"]),
                language=str(body["l"]),
                expires_at=int(body["e"]),
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise InvalidTokenError("malformed", "This link is damaged.") from exc
        if claim.purpose is not purpose:
            raise InvalidTokenError("wrong-purpose", "This link is meant for something else.")
        if claim.expires_at <= now:
            raise InvalidTokenError("expired", "This link has expired.")
        return claim


class Links:
    """The notifier's own signed links, under NOTIFIER_PUBLIC_URL."""

    def __init__(
        self,
        signer: LinkSigner,
        base_url: str,
        *,
        unsubscribe_days: int,
        confirmation_hours: int,
        feedback: FeedbackLinks | None = None,
    ) -> None:
        self.signer = signer
        #: The feedback links of match emails (none: match emails go out without them).
        self.feedback = feedback
        self.base_url = base_url.rstrip("/")
        self._unsubscribe_seconds = unsubscribe_days * 86_400
        self._confirmation_seconds = confirmation_hours * 3_600

    def unsubscribe_token(self, subject: str, language: str, *, now: int) -> str:
        return self.signer.sign(
            LinkClaim(TokenPurpose.UNSUBSCRIBE, subject, language, now + self._unsubscribe_seconds)
        )

    def unsubscribe_url(self, subject: str, language: str, *, now: int) -> str:
        token = self.unsubscribe_token(subject, language, now=now)
        return f"{self.base_url}/unsubscribe?token={token}"

    def confirmation_url(self, subscription_id: str, language: str, *, now: int) -> str:
        token = self.signer.sign(
            LinkClaim(
                TokenPurpose.CONFIRM,
                subscription_subject(subscription_id),
                language,
                now + self._confirmation_seconds,
            )
        )
        return f"{self.base_url}/subscriptions/confirm?token={token}"


def subscription_subject(subscription_id: str) -> str:
    return f"sub:{subscription_id}"


def default_notice_subject(organisation_id: str, notice: str) -> str:
    return f"org:{organisation_id}:{notice}"


def parse_subject(subject: str) -> tuple[str, str, str | None]:
    """`sub:<id>` → ("sub", id, None); `org:<id>:<notice>` → ("org", id, notice)."""
    kind, _, rest = subject.partition(":")
    if kind == "sub" and rest:
        return "sub", rest, None
    if kind == "org":
        organisation_id, _, notice = rest.rpartition(":")
        if organisation_id and notice:
            return "org", organisation_id, notice
    raise InvalidTokenError("malformed", "This link is damaged.")
