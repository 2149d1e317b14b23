"""Signed link tokens (HMAC-SHA256) for unsubscribing and confirming without logging in.

A token is `<payload>.<signature>`, both base64url: the payload names its purpose, what it is
about, the language of the pages it leads to, and when it expires. Nothing is stored; the
signature proves the notifier wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.notifier.feedback_links import FeedbackLinks
from shared.signed_tokens import ClaimCodec, SignedTokenError, TokenSigner


class TokenPurpose(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    CONFIRM = "confirm"


class InvalidTokenError(SignedTokenError):
    """The token is forged, damaged, expired or meant for something else; `reason` says which."""


@dataclass(frozen=True)
class LinkClaim:
    purpose: TokenPurpose
    #: `sub:<subscription id>`, or `org:<organisation id>:<default notice>`.
    subject: str
    language: str
    expires_at: int  # epoch seconds


_CLAIM = ClaimCodec(LinkClaim, {"purpose": "p", "subject": "s", "language": "l", "expires_at": "e"})


class LinkSigner:
    def __init__(self, secret: str) -> None:
        self._tokens = TokenSigner(b"integrationsnetz-notifier-links", secret, InvalidTokenError)

    def sign(self, claim: LinkClaim) -> str:
        return self._tokens.sign(_CLAIM.body(claim))

    def verify(self, token: str, purpose: TokenPurpose, *, now: int) -> LinkClaim:
        return self._tokens.verify(token, _CLAIM.read, purpose=purpose.value, now=now)


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
