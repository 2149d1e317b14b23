"""What every service answers a refused request with: RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

import httpx

from services.portal.clients.base import Problem


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """`response` is problem details with `status`, a type, a title and a detail; returns them."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def validation_problem(*errors: tuple[str, str]) -> Problem:
    """A service's answer to a body that failed validation, as the portal's clients read it:
    one error a (location, message) pair."""
    return Problem.of(
        422,
        {
            "type": "https://integrationsnetz.de/problems/validation-error",
            "status": 422,
            "detail": "The request did not pass validation; see `errors`.",
            "errors": [
                {"location": location, "message": message, "type": "value_error"}
                for location, message in errors
            ],
        },
    )
