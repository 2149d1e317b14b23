"""Other services verify the directory's tokens against its JWKS over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.directory.app import create_app
from services.directory.settings import DirectorySettings
from shared.auth import JwksVerifier
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
