"""The HTTP edge every service shares: whatever a route raises leaves as problem details."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import FastAPI

from shared.errors import ConflictError
from shared.http import ProblemError, create_api, state_dependency


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


def an_api_raising_problems() -> FastAPI:
    app = create_api(title="t", description="d", version="1", max_body_bytes=1024)
    app.state.greeting = "Guten Tag"

    @app.get("/problem")
    async def problem() -> None:
        raise ProblemError(403, "Not for you.", headers={"X-Why": "staff only"})

    @app.get("/conflict")
    async def conflict() -> None:
        raise ConflictError("The room is taken.", slug="room-clash", other_event_id="e-1")

    @app.get("/greeting")
    async def greeting(text: Annotated[str, state_dependency("greeting")]) -> str:
        return text

    return app


async def get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=an_api_raising_problems())
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        return await client.get(path)


async def test_a_problem_raised_by_a_route_answers_with_its_status_and_headers() -> None:
    answer = await get("/problem")
    assert answer.status_code == 403
    assert answer.headers["x-why"] == "staff only"
    assert answer.json() == {
        "type": "https://integrationsnetz.de/problems/forbidden",
        "title": "ForbiddenError",
        "status": 403,
        "detail": "Not for you.",
        "instance": "/problem",
        "request_id": answer.headers["x-request-id"],
    }


async def test_an_application_error_answers_with_the_status_of_its_kind_and_its_slug() -> None:
    answer = await get("/conflict")
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["type"] == "https://integrationsnetz.de/problems/room-clash"
    assert (problem["detail"], problem["other_event_id"]) == ("The room is taken.", "e-1")


async def test_a_route_gets_what_the_app_keeps_in_its_state() -> None:
    answer = await get("/greeting")
    assert answer.json() == "Guten Tag"
