"""Bearer-token verification against the directory's JWKS, and the `CurrentUser` dependency.

The directory signs tokens with Ed25519 (EdDSA); every other service only verifies them, so a
city can later put its own OIDC provider in front.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
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


Clock = Callable[[], float]
JwksFetch = Callable[[str], Awaitable[Any]]


async def fetch_jwks(url: str) -> Any:
    """GET the JWKS document (raises httpx.HTTPError or a JSON error when it cannot)."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()


class JwksVerifier:
    """Verifies against the directory's JWKS.

    The key set is fetched on first use and again every `refresh_seconds`, so keys removed from
    the JWKS stop being trusted. A token with an unknown `kid` may trigger an early fetch at most
    every `min_refresh_seconds`. When a fetch fails, no further fetch happens before a back-off
    (doubling up to `max_backoff_seconds`); meanwhile the last good keys stay in use, and tokens
    no known key signed are refused at once. Only one fetch runs at a time.
    """

    def __init__(
        self,
        jwks_url: str,
        *,
        min_refresh_seconds: float = 30.0,
        refresh_seconds: float = 300.0,
        first_backoff_seconds: float = 5.0,
        max_backoff_seconds: float = 300.0,
        clock: Clock = time.monotonic,
        fetch: JwksFetch = fetch_jwks,
    ) -> None:
        self._url = jwks_url
        self._keys: dict[str, Any] = {}
        self._min_refresh = min_refresh_seconds
        self._refresh_every = refresh_seconds
        self._first_backoff = first_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._clock = clock
        self._fetch = fetch
        self._backoff = 0.0
        self._failing = False
        #: when the next scheduled fetch is due (after a failure: when the back-off ends)
        self._next_fetch_at = float("-inf")
        #: before this, an unknown key id does not cause a fetch of its own
        self._next_unknown_fetch_at = float("-inf")
        self._fetching: asyncio.Task[None] | None = None

    def _fetch_due(self, kid: str, now: float) -> bool:
        if now >= self._next_fetch_at:
            return True
        return kid not in self._keys and now >= self._next_unknown_fetch_at

    async def _refresh(self) -> None:
        # one fetch at a time: concurrent callers wait for the same one instead of starting theirs
        if self._fetching is None or self._fetching.done():
            self._fetching = asyncio.create_task(self._fetch_keys())
        await asyncio.shield(self._fetching)

    async def _fetch_keys(self) -> None:
        try:
            document = await self._fetch(self._url)
            raw_keys = document.get("keys", []) if isinstance(document, dict) else None
            if not isinstance(raw_keys, list):
                raise ValueError("the JWKS document has no list of keys")
        except (httpx.HTTPError, ValueError) as exc:  # JSONDecodeError is a ValueError
            self._backoff = min(
                self._max_backoff, self._backoff * 2 if self._backoff else self._first_backoff
            )
            now = self._clock()
            self._next_fetch_at = self._next_unknown_fetch_at = now + self._backoff
            self._failing = True
            log.warning(
                "could not fetch JWKS from %s (%s); next try in %.0fs",
                self._url,
                exc,
                self._backoff,
            )
            return
        keys: dict[str, Any] = {}
        for jwk in raw_keys:
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
            except (KeyError, TypeError, jwt.PyJWTError):
                log.warning("ignoring an unusable key in the JWKS")
        now = self._clock()
        self._keys = keys
        self._backoff = 0.0
        self._failing = False
        self._next_fetch_at = now + self._refresh_every
        self._next_unknown_fetch_at = now + self._min_refresh

    async def verify(self, token: str) -> Principal:
        kid = token_key_id(token)
        if self._fetch_due(kid, self._clock()):
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            if self._failing and not self._keys:
                raise ProblemError(
                    503, "Tokens cannot be checked right now: the directory is unreachable."
                )
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
