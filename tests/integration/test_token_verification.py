"""Other services verify the directory's tokens against its JWKS over HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.directory.app import create_app
from services.directory.settings import DirectorySettings
from shared.auth import AUDIENCE, ISSUER, JwksVerifier, fetch_jwks
from shared.http import ProblemError
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import until_ready


async def test_a_token_from_the_directory_is_accepted_by_a_service_that_only_knows_its_jwks(
    directory_settings: Callable[..., DirectorySettings],
) -> None:
    async with serving(create_app(directory_settings())) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            await until_ready(client)
            response = await client.post(
                "/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            token = response.json()["access_token"]
        verifier = JwksVerifier(f"{base_url}/.well-known/jwks.json")
        principal = await verifier.verify(token)
        assert principal.is_admin
        assert principal.may_edit("any-organisation")

        header = jwt.get_unverified_header(token)
        forged = jwt.encode(
            {**jwt.decode(token, options={"verify_signature": False})},
            Ed25519PrivateKey.generate(),
            algorithm="EdDSA",
            headers={"kid": header["kid"]},
        )
        with pytest.raises(ProblemError) as rejected:
            await verifier.verify(forged)
        assert rejected.value.status == 401


async def test_an_unreachable_directory_makes_token_checks_answer_503_not_500() -> None:
    verifier = JwksVerifier("http://127.0.0.1:9/.well-known/jwks.json")
    token = jwt.encode(
        {"sub": "x"}, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "k1"}
    )
    with pytest.raises(ProblemError) as unavailable:
        await verifier.verify(token)
    assert unavailable.value.status == 503


# --- refreshing the key set -----------------------------------------------------------------


class FakeClock:
    """A monotonic clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def signing_key(kid: str) -> tuple[Ed25519PrivateKey, dict[str, str]]:
    private = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
    return private, {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


def token_signed_by(private: Ed25519PrivateKey, kid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "person-1",
        "role": "editor",
        "orgs": [],
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid})


@dataclass
class JwksEndpoint:
    """A JWKS served over real HTTP whose keys (or outage) the test controls."""

    url: str
    keys: list[dict[str, str]]
    down: bool = False
    fetches: int = 0

    async def fetch(self, url: str) -> Any:
        self.fetches += 1
        return await fetch_jwks(url)


@pytest.fixture
async def jwks_endpoint() -> AsyncIterator[JwksEndpoint]:
    app = FastAPI()
    endpoint = JwksEndpoint(url="", keys=[])

    @app.get("/.well-known/jwks.json")
    async def jwks() -> Any:
        if endpoint.down:
            return JSONResponse({"detail": "down"}, status_code=503)
        return {"keys": endpoint.keys}

    async with serving(app) as base_url:
        endpoint.url = f"{base_url}/.well-known/jwks.json"
        yield endpoint


async def test_a_token_signed_by_a_key_removed_from_the_jwks_is_refused_after_the_next_refresh(
    jwks_endpoint: JwksEndpoint,
) -> None:
    old, old_jwk = signing_key("old")
    _new, new_jwk = signing_key("new")
    jwks_endpoint.keys = [new_jwk, old_jwk]
    clock = FakeClock()
    verifier = JwksVerifier(
        jwks_endpoint.url, refresh_seconds=300, clock=clock, fetch=jwks_endpoint.fetch
    )
    token = token_signed_by(old, "old")
    assert (await verifier.verify(token)).person_id == "person-1"

    jwks_endpoint.keys = [new_jwk]
    clock.now += 299
    assert (await verifier.verify(token)).person_id == "person-1"
    clock.now += 2
    with pytest.raises(ProblemError) as refused:
        await verifier.verify(token)

    assert refused.value.status == 401
    assert jwks_endpoint.fetches == 2


async def test_while_the_jwks_is_unreachable_requests_share_one_fetch_per_back_off_and_get_401(
    jwks_endpoint: JwksEndpoint,
) -> None:
    known, known_jwk = signing_key("known")
    stranger, _ = signing_key("stranger")
    jwks_endpoint.keys = [known_jwk]
    clock = FakeClock()
    verifier = JwksVerifier(
        jwks_endpoint.url,
        refresh_seconds=300,
        first_backoff_seconds=10,
        clock=clock,
        fetch=jwks_endpoint.fetch,
    )
    assert (await verifier.verify(token_signed_by(known, "known"))).role == "editor"
    jwks_endpoint.down = True
    clock.now += 301
    unknown = token_signed_by(stranger, "stranger")

    async def statuses(n: int) -> list[int]:
        answers = await asyncio.gather(
            *(verifier.verify(unknown) for _ in range(n)), return_exceptions=True
        )
        return [a.status for a in answers if isinstance(a, ProblemError)]

    assert await statuses(30) == [401] * 30
    assert jwks_endpoint.fetches == 2  # the first load, then one for all 30
    clock.now += 9
    assert await statuses(30) == [401] * 30
    assert jwks_endpoint.fetches == 2  # still backing off: nobody fetched
    assert (await verifier.verify(token_signed_by(known, "known"))).role == "editor"
    clock.now += 1
    assert await statuses(30) == [401] * 30
    assert jwks_endpoint.fetches == 3
    clock.now += 19  # the back-off doubled to 20 s
    assert await statuses(30) == [401] * 30
    assert jwks_endpoint.fetches == 3

    jwks_endpoint.down = False
    clock.now += 1
    assert await statuses(1) == [401]
    assert jwks_endpoint.fetches == 4


async def test_while_the_jwks_never_loaded_requests_share_one_fetch_per_back_off_and_get_503(
    jwks_endpoint: JwksEndpoint,
) -> None:
    jwks_endpoint.down = True
    clock = FakeClock()
    verifier = JwksVerifier(
        jwks_endpoint.url, first_backoff_seconds=10, clock=clock, fetch=jwks_endpoint.fetch
    )
    private, _ = signing_key("k1")
    token = token_signed_by(private, "k1")

    first = await asyncio.gather(
        *(verifier.verify(token) for _ in range(20)), return_exceptions=True
    )
    again = await asyncio.gather(
        *(verifier.verify(token) for _ in range(20)), return_exceptions=True
    )

    assert [a.status for a in first if isinstance(a, ProblemError)] == [503] * 20
    assert [a.status for a in again if isinstance(a, ProblemError)] == [503] * 20
    assert jwks_endpoint.fetches == 1
