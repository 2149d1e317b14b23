"""Signing keys, the JWKS document, and access tokens (Ed25519 / EdDSA)."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.auth import ALGORITHM, AUDIENCE, ISSUER, Role, StaticKeyVerifier

log = logging.getLogger("integrationsnetz.directory")


class KeyFilePermissionError(PermissionError):
    """A signing key file that others than its owner may read."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def jwk(self) -> dict[str, str]:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(raw),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }


def _key_id(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:16]


def check_key_permissions(file: Path, *, development: bool) -> None:
    """Refuse a key file group or others may access; in development, make it 0600 instead."""
    mode = stat.S_IMODE(file.stat().st_mode)
    if not mode & 0o077:
        return
    if development:
        file.chmod(0o600)
        log.warning("signing key %s was mode %o; set it to 0600", file, mode)
        return
    raise KeyFilePermissionError(
        f"signing key {file} is mode {mode:o}: group or others may read it. "
        f"Make it readable by the service's user only: chmod 600 {file}"
    )


def load_signing_key(path: str, *, create: bool, development: bool | None = None) -> SigningKey:
    """Load a PEM Ed25519 key; in development, create it (mode 0600) when missing. A key file
    others may read is refused outside development (`development` defaults to `create`)."""
    file = Path(path)
    if not file.exists():
        if not create:
            raise FileNotFoundError(
                f"signing key {path} is missing; create one with "
                "`python -m services.directory.tokens new-key PATH`"
            )
        write_new_key(file)
    check_key_permissions(file, development=create if development is None else development)
    private = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return SigningKey(_key_id(private), private)


def write_new_key(file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


class TokenIssuer:
    """Signs access tokens with the current key; publishes current and retired public keys."""

    def __init__(self, current: SigningKey, retired: list[SigningKey], ttl_seconds: int) -> None:
        self.current = current
        self.retired = retired
        self.ttl_seconds = ttl_seconds

    def issue(self, person_id: str, role: Role, organisation_ids: list[str]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": person_id,
            "role": role,
            "orgs": sorted(organisation_ids),
            "iat": now,
            "nbf": now - 5,
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(
            claims, self.current.private, algorithm=ALGORITHM, headers={"kid": self.current.kid}
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.jwk() for key in (self.current, *self.retired)]}

    def verifier(self) -> StaticKeyVerifier:
        return StaticKeyVerifier({key.kid: key.public for key in (self.current, *self.retired)})


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "new-key":
        write_new_key(Path(sys.argv[2]))
        print(f"wrote {sys.argv[2]}")
    else:
        print("usage: python -m services.directory.tokens new-key PATH", file=sys.stderr)
        sys.exit(2)
