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

from dataclasses import dataclass

from pydantic import SecretStr

from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.settings import WebSettings
from shared.signed_tokens import ClaimCodec, SignedTokenError, TokenSigner

PURPOSE = "match-feedback"
#: The key's development default (it is in shared.settings.DEVELOPMENT_SECRETS).
DEVELOPMENT_MATCH_FEEDBACK_SECRET = "change-me"  # noqa: S105 (refused outside development)
MIN_MATCH_FEEDBACK_SECRET_LENGTH = 32


class MatchFeedbackSettings(WebSettings):
    """The key shared by the notifier (signs the links) and the exchange (checks them)."""

    #: Signs and checks the "passt" / "passt nicht" links in match emails (HMAC-SHA256).
    match_feedback_secret: SecretStr = SecretStr(DEVELOPMENT_MATCH_FEEDBACK_SECRET)

    def signing_secrets(self) -> dict[str, tuple[str, int]]:
        return {
            **super().signing_secrets(),
            "match_feedback_secret": (
                self.match_feedback_secret.get_secret_value(),
                MIN_MATCH_FEEDBACK_SECRET_LENGTH,
            ),
        }


class FeedbackTokenError(SignedTokenError):
    """The token is forged, damaged, expired or meant for something else; `reason` says which
    (`malformed`, `forged`, `wrong-purpose`, `expired`)."""


@dataclass(frozen=True)
class FeedbackClaim:
    """What a feedback link says: this side of this match rates it so."""

    match_id: str
    side: MatchSide
    verdict: MatchVerdict
    language: str
    expires_at: int  # epoch seconds


_CLAIM = ClaimCodec(
    FeedbackClaim,
    {"match_id": "m", "side": "s", "verdict": "v", "language": "l", "expires_at": "e"},
)


class FeedbackSigner:
    def __init__(self, secret: str) -> None:
        self._tokens = TokenSigner(b"integrationsnetz-match-feedback", secret, FeedbackTokenError)

    def sign(self, claim: FeedbackClaim) -> str:
        return self._tokens.sign({"p": PURPOSE, **_CLAIM.body(claim)})

    def verify(self, token: str, *, now: int) -> FeedbackClaim:
        """The claim of a token this key signed that has not expired at `now` (epoch seconds);
        raises `FeedbackTokenError` otherwise."""
        return self._tokens.verify(token, _CLAIM.read, purpose=PURPOSE, now=now)
