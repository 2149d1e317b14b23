"""Signed links: they work without logging in, and only when the notifier wrote them, for
their purpose, before they expire. Settings refuse a weak signing secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifier.settings import NotifierSettings
from services.notifier.tokens import (
    InvalidTokenError,
    LinkClaim,
    Links,
    LinkSigner,
    TokenPurpose,
    parse_subject,
)

SECRET = "the-notifier-signing-secret-for-unit-tests"
NOW = 1_800_000_000


def a_token(purpose: TokenPurpose = TokenPurpose.UNSUBSCRIBE, expires_at: int = NOW + 60) -> str:
    return LinkSigner(SECRET).sign(LinkClaim(purpose, "sub:abc", "uk", expires_at))


def reason(token: str, purpose: TokenPurpose = TokenPurpose.UNSUBSCRIBE) -> str:
    with pytest.raises(InvalidTokenError) as refused:
        LinkSigner(SECRET).verify(token, purpose, now=NOW)
    return refused.value.reason


def test_a_signed_token_verifies_and_keeps_its_claim() -> None:
    claim = LinkSigner(SECRET).verify(a_token(), TokenPurpose.UNSUBSCRIBE, now=NOW)
    assert claim == LinkClaim(TokenPurpose.UNSUBSCRIBE, "sub:abc", "uk", NOW + 60)


def test_a_token_signed_with_another_secret_is_forged() -> None:
    other = LinkSigner("another-secret-that-is-long-enough-too").sign(
        LinkClaim(TokenPurpose.UNSUBSCRIBE, "sub:abc", "uk", NOW + 60)
    )
    assert reason(other) == "forged"


def test_a_token_whose_payload_was_changed_is_forged() -> None:
    payload, signature = a_token().split(".")
    evil = LinkSigner("x").sign(LinkClaim(TokenPurpose.UNSUBSCRIBE, "sub:victim", "uk", NOW + 60))
    assert reason(f"{evil.split('.')[0]}.{signature}") == "forged"
    assert reason(f"{payload}.{signature[:-2]}AA") == "forged"


def test_an_expired_token_is_refused() -> None:
    assert reason(a_token(expires_at=NOW)) == "expired"


def test_a_token_for_another_purpose_is_refused() -> None:
    assert reason(a_token(TokenPurpose.CONFIRM)) == "wrong-purpose"
    assert reason(a_token(), TokenPurpose.CONFIRM) == "wrong-purpose"


@pytest.mark.parametrize("token", ["", "no-dot", "a.b.c", "é.ü", "x" * 2000])
def test_a_damaged_token_is_refused(token: str) -> None:
    assert reason(token) in {"malformed", "forged"}


def test_links_point_at_the_notifier_and_carry_a_verifiable_token() -> None:
    links = Links(
        LinkSigner(SECRET),
        "https://notifier.example.org/",
        unsubscribe_days=1,
        confirmation_hours=1,
    )
    url = links.unsubscribe_url("org:o-1:match_found", "tr", now=NOW)
    assert url.startswith("https://notifier.example.org/unsubscribe?token=")
    claim = links.signer.verify(url.split("token=")[1], TokenPurpose.UNSUBSCRIBE, now=NOW)
    assert parse_subject(claim.subject) == ("org", "o-1", "match_found")
    assert claim.expires_at == NOW + 86_400


def test_a_development_signing_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="SIGNING_SECRET"):
        NotifierSettings(_env_file=None, environment="test")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        NotifierSettings(
            _env_file=None,
            environment="test",
            signing_secret="short-secret",
            match_feedback_secret=SECRET,
        )
    settings = NotifierSettings(
        _env_file=None, environment="test", signing_secret=SECRET, match_feedback_secret=SECRET
    )
    assert settings.port == 8004
    assert settings.notifier_public_url == "http://127.0.0.1:8004"
    assert settings.sender_address.addr_spec == "noreply@integrationsnetz.local"
