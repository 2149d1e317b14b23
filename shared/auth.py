"""Bearer-token verification against the directory's JWKS, and the `CurrentUser` dependency.

The directory signs tokens with Ed25519 (EdDSA); every other service only verifies them, so a
city can later put its own OIDC provider in front.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.http import ProblemError

log = logging.getLogger("integrationsnetz.auth")

ISSUER = "integrationsnetz-directory"
AUDIENCE = "integrationsnetz"
ALGORITHM = "EdDSA"

Role = Literal["admin", "editor"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: office staff (`admin`) or a member of organisations (`editor`)."""

    person_id: str
    role: Role
    organisation_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_edit(self, organisation_id: str) -> bool:
        return self.is_admin or organisation_id in self.organisation_ids


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    role = claims.get("role")
    if role not in ("admin", "editor"):
        raise _unauthenticated("The token carries no valid role.")
    orgs = claims.get("orgs") or []
    if not isinstance(orgs, list) or not all(isinstance(o, str) for o in orgs):
        raise _unauthenticated("The token's organisations are malformed.")
    return Principal(person_id=str(claims["sub"]), role=role, organisation_ids=frozenset(orgs))


def decode_token(token: str, key: Any) -> Principal:
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthenticated("The token has expired; log in again.") from exc
    except jwt.PyJWTError as exc:
        raise _unauthenticated("The token is not valid.") from exc
    return principal_from_claims(claims)


def token_key_id(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _unauthenticated("The token is not a JWT.") from exc
    kid = header.get("kid")
    if not isinstance(kid, str) or header.get("alg") != ALGORITHM:
        raise _unauthenticated("The token was not signed by the directory.")
    return kid


class StaticKeyVerifier:
    """Verifies against keys this process holds (the directory itself)."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self._keys = keys

    async def verify(self, token: str) -> Principal:
        key = self._keys.get(token_key_id(token))
        if key is None:
            raise _unauthenticated("The token was signed with an unknown key.")
        return decode_token(token, key)


class JwksVerifier:
    """Verifies against the directory's JWKS, fetched on demand and refreshed on unknown keys."""

    def __init__(self, jwks_url: str, *, min_refresh_seconds: float = 30.0) -> None:
        self._url = jwks_url
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._min_refresh = min_refresh_seconds
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        async with self._lock:
            if self._keys and time.monotonic() - self._fetched_at < self._min_refresh:
                return
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
                    document = response.json()
            except (httpx.HTTPError, json.JSONDecodeError) as exc:
                log.warning("could not fetch JWKS from %s: %s", self._url, exc)
                self._fetched_at = time.monotonic()
                raise ProblemError(
                    503, "Tokens cannot be checked right now: the directory is unreachable."
                ) from exc
            keys: dict[str, Any] = {}
            for jwk in document.get("keys", []):
                try:
                    keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
                except (KeyError, jwt.PyJWTError):
                    log.warning("ignoring an unusable key in the JWKS")
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        kid = token_key_id(token)
        if kid not in self._keys:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise _unauthenticated("The token was signed with an unknown key.")
        return decode_token(token, key)


_bearer = HTTPBearer(auto_error=False, description="A token from the directory's /auth/token")


async def optional_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    if credentials.scheme.lower() != "bearer":
        raise _unauthenticated("Use a Bearer token.")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


async def current_user(
    user: Annotated[Principal | None, Depends(optional_user)],
) -> Principal:
    if user is None:
        raise ProblemError(
            401,
            "This needs a bearer token; get one from the directory at POST /auth/token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


async def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not user.is_admin:
        raise ProblemError(403, "Only office staff (admin) may do this.")
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]
OptionalUser = Annotated[Principal | None, Depends(optional_user)]
AdminUser = Annotated[Principal, Depends(admin_user)]
