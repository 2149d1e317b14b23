"""Secrets for emailed links (invitations, password resets, registration confirmations and
cancellations): random, and stored only as their SHA-256, so a database dump opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_one_time_token() -> tuple[str, str]:
    """A secret for a link, and the hash under which it is stored (never the secret itself)."""
    token = secrets.token_urlsafe(32)
    return token, hash_one_time_token(token)


def hash_one_time_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
