"""The calendar's HTTP API against pathological input: recurrence rules that never end, rules
stored before they were checked, dates at the ends of the calendar, and a long expansion that
must not hold up other requests. Real app, broker, database and directory."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import httpx
import pytest

import services.calendar.domain
from services.calendar.domain import Event
from services.calendar.store import EVENTS, event_document
from tests.integration.calendar_fixtures import Partners
from tests.integration.test_calendar_api import at, event_body, plan, plan_for
from tests.support.problems import assert_problem
from tests.support.waiting import eventually

NEVER_MATCHES = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1"


async def test_a_recurrence_rule_that_never_matches_is_refused_with_422(
    partners: Partners,
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    editor = partners.editor_of(treff)
    for rule, reason in (
        (NEVER_MATCHES, "does not end within two years"),
        ("FREQ=HOURLY;BYSETPOS=2;COUNT=3", "too much work"),
        ("FREQ=SECONDLY;COUNT=1000", "at most hourly"),
    ):
        body = event_body(treff, venue=None, recurrence={"rrule": rule})
        refused = await partners.calendar.post("/events", json=body, headers=editor)
        problem = assert_problem(refused, 422)
        assert reason in problem["detail"], problem
    # the same via a change of an existing series
    saved = await plan(partners, editor, **event_body(treff, venue=None))
    changed = await partners.calendar.patch(
        f"/events/{saved['event']['id']}",
        json={"recurrence": {"rrule": NEVER_MATCHES}},
        headers=editor,
    )
    assert "does not end" in assert_problem(changed, 422)["detail"]


async def test_a_stored_rule_that_never_matches_is_listed_once_in_the_calendar_and_its_feed(
    partners: Partners,
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    saved = await plan_for(partners, treff, venue=None)
    # as if written before rules were checked for the work they need
    event = partners.store
    loaded = await event.get_event(saved["event"]["id"])
    assert loaded is not None
    broken = Event.model_validate({**loaded.model_dump(), "rrule": NEVER_MATCHES})
    await event.db[EVENTS].replace_one({"_id": broken.id}, event_document(broken))

    window = {"from": at(6, 1, 0)[:10], "to": at(7, 1, 0)[:10]}
    listed = await partners.calendar.get("/events", params=window)
    assert listed.status_code == 200, listed.text
    assert [item["event_id"] for item in listed.json()["items"]] == [broken.id]
    feed = await partners.calendar.get("/calendar.ics", params=window)
    assert feed.status_code == 200, feed.text
    assert feed.text.count("BEGIN:VEVENT") == 1


async def test_other_requests_are_answered_while_a_window_is_being_expanded(
    partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    series = {"rrule": "FREQ=WEEKLY;COUNT=10"}
    await plan_for(partners, treff, recurrence=series)

    started, release = threading.Event(), threading.Event()
    released_by_the_test: list[bool] = []
    real_nominal_end = services.calendar.domain.nominal_end

    def held_nominal_end(event: Event, start: dt.datetime) -> dt.datetime:
        """The expansion, held until the test lets it go (or a safety timeout passes)."""
        if not started.is_set():
            started.set()
            released_by_the_test.append(release.wait(timeout=20))
        return real_nominal_end(event, start)

    monkeypatch.setattr(services.calendar.domain, "nominal_end", held_nominal_end)
    window = {"from": at(6, 1, 0)[:10], "to": at(9, 1, 0)[:10]}
    listing = asyncio.create_task(partners.calendar.get("/events", params=window))

    async def expansion_started() -> bool:
        return started.is_set()

    await eventually(expansion_started)
    health = await partners.calendar.get("/healthz")
    assert health.status_code == 200
    release.set()
    listed = await listing
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == 10
    # /healthz was answered while the expansion still waited, not after it gave up waiting
    assert released_by_the_test == [True]


@pytest.mark.parametrize("extreme", ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00"])
async def test_dates_at_the_extremes_get_a_4xx_never_a_500(
    partners: Partners, extreme: str
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    editor = partners.editor_of(treff)
    series = await plan_for(
        partners, treff, venue=None, recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"}
    )
    event_id = series["event"]["id"]
    client = partners.calendar

    async def assert_4xx(response: httpx.Response) -> None:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")

    for path in ("/events", "/calendar.ics", f"/organisations/{treff}/calendar.ics"):
        for params in ({"from": extreme}, {"to": extreme}, {"from": extreme, "to": extreme}):
            await assert_4xx(await client.get(path, params=params))
    bodies: list[dict[str, Any]] = [
        event_body(treff, starts_at=extreme, ends_at=extreme),
        event_body(treff, starts_at=at(6, 20, 14), ends_at=extreme),
        event_body(treff, recurrence={"rrule": "FREQ=WEEKLY;COUNT=3", "exdates": [extreme]}),
        event_body(
            treff, recurrence={"rrule": "FREQ=WEEKLY;UNTIL=" + extreme[:10].replace("-", "")}
        ),
    ]
    for body in bodies:
        await assert_4xx(await client.post("/events", json=body, headers=editor))
    for patch in ({"starts_at": extreme}, {"ends_at": extreme}):
        await assert_4xx(await client.patch(f"/events/{event_id}", json=patch, headers=editor))
    await assert_4xx(
        await client.post(
            f"/events/{event_id}/cancel", json={"occurrence": extreme}, headers=editor
        )
    )
    move = {"starts_at": extreme, "ends_at": extreme}
    original = series["event"]["starts_at"].replace("+", "%2B")
    for path, body in (
        (
            f"/events/{event_id}/occurrences/{extreme.replace('+', '%2B')}",
            {
                "starts_at": at(6, 21, 14),
                "ends_at": at(6, 21, 17),
            },
        ),
        (f"/events/{event_id}/occurrences/{original}", move),
    ):
        await assert_4xx(await client.patch(path, json=body, headers=editor))
