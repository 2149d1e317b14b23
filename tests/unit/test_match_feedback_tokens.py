"""The signed "passt" / "passt nicht" links of match emails: only the holder of the shared key
writes one, it says exactly one side's verdict on one match, and it expires; the key must be
strong outside development, in the notifier and the exchange alike."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.exchange.settings import ExchangeSettings
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import LinkClaim, LinkSigner, TokenPurpose
from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.match_feedback import FeedbackClaim, FeedbackSigner, FeedbackTokenError

SECRET = "a-match-feedback-secret-of-at-least-32-characters"
NOW = 1_780_000_000
CLAIM = FeedbackClaim("m-1", MatchSide.REQUEST, MatchVerdict.DOES_NOT_FIT, "uk", NOW + 60)


def reason(token: str, *, now: int = NOW, secret: str = SECRET) -> str:
    with pytest.raises(FeedbackTokenError) as refused:
        FeedbackSigner(secret).verify(token, now=now)
    return refused.value.reason


def test_a_link_says_one_sides_verdict_on_one_match_until_it_expires() -> None:
    token = FeedbackSigner(SECRET).sign(CLAIM)
    assert FeedbackSigner(SECRET).verify(token, now=NOW) == CLAIM
    assert reason(token, now=NOW + 60) == "expired"
    assert reason(token, secret="another-secret-of-at-least-32-characters") == "forged"


def test_a_changed_verdict_or_another_links_token_is_refused() -> None:
    token = FeedbackSigner(SECRET).sign(CLAIM)
    other = FeedbackSigner(SECRET).sign(
        FeedbackClaim("m-1", MatchSide.REQUEST, MatchVerdict.FITS, "uk", NOW + 60)
    )
    spliced = token.split(".")[0] + "." + other.split(".")[1]
    assert reason(spliced) == "forged"
    # an unsubscribe token signed with the same secret is no feedback token
    unsubscribe = LinkSigner(SECRET).sign(
        LinkClaim(TokenPurpose.UNSUBSCRIBE, "org:o-1:match_found", "de", NOW + 60)
    )
    assert reason(unsubscribe) == "forged"


@pytest.mark.parametrize("token", ["", "no-dot", "a.b.c", "é.ü", "x" * 2000, "e30.abc"])
def test_a_damaged_link_is_refused(token: str) -> None:
    assert reason(token) in {"malformed", "forged"}


@pytest.mark.parametrize("settings", [ExchangeSettings, NotifierSettings])
def test_the_shared_key_must_be_strong_outside_development(
    settings: type[ExchangeSettings] | type[NotifierSettings],
) -> None:
    others: dict[str, Any] = {"signing_secret": SECRET} if settings is NotifierSettings else {}
    with pytest.raises(ValidationError, match="MATCH_FEEDBACK_SECRET"):
        settings(_env_file=None, environment="test", **others)
    with pytest.raises(ValidationError, match="MATCH_FEEDBACK_SECRET needs at least 32"):
        settings(_env_file=None, environment="test", match_feedback_secret="short", **others)
    assert settings(_env_file=None).weak_secrets()[0] == "MATCH_FEEDBACK_SECRET"
    strong = settings(_env_file=None, environment="test", match_feedback_secret=SECRET, **others)
    assert strong.weak_secrets() == []
