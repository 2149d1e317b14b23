"""The "passt" / "passt nicht" links of a match email: each leads to a page of the portal with
one button (link scanners fetch every link in an email; only the button records), which hands
the signed token to the exchange. MATCH_FEEDBACK_SECRET signs them (`shared.match_feedback`)."""

from __future__ import annotations

from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.match_feedback import FeedbackClaim, FeedbackSigner

#: The portal's page behind the links.
FEEDBACK_PATH = "/treffer-bewerten"


class FeedbackLinks:
    def __init__(self, signer: FeedbackSigner, portal_url: str, *, days: int) -> None:
        self.signer = signer
        self.portal_url = portal_url.rstrip("/")
        self._seconds = days * 86_400

    def urls(self, match_id: str, side: str, language: str, *, now: int) -> dict[str, str]:
        """One link per verdict (`fits`, `does_not_fit`) for this side of the match."""
        return {
            verdict.value: self._url(
                FeedbackClaim(match_id, MatchSide(side), verdict, language, now + self._seconds)
            )
            for verdict in MatchVerdict
        }

    def _url(self, claim: FeedbackClaim) -> str:
        return f"{self.portal_url}{FEEDBACK_PATH}?token={self.signer.sign(claim)}"
