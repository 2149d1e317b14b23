"""The HTTP edge every service shares: whatever a route raises leaves as problem details."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.http import create_api


def an_api_whose_route_overflows() -> FastAPI:
    app = create_api(title="t", description="d", version="1", max_body_bytes=1024)

    @app.get("/far-future")
    async def far_future() -> None:
        raise OverflowError("date value out of range")

    return app


async def test_a_value_that_overflows_while_a_request_is_handled_is_a_422_not_a_500() -> None:
    transport = httpx.ASGITransport(app=an_api_whose_route_overflows())
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        answer = await client.get("/far-future")
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/out-of-range")
