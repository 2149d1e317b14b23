"""The portal's typed clients without a network: a service's answer becomes a view model (what a
service adds is ignored), a 4xx one typed `Problem`, a 401 a signed-out session, a 5xx or an
unreadable answer `BackendUnavailableError`. Only the transport is replaced."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.portal.backends import BackendUnavailableError
from services.portal.clients import Clients
from services.portal.clients.base import Problem, SignedOutError, optional, unless_refused
from tests.support.portal import mocked_clients

PROBLEMS = "https://integrationsnetz.de/problems/"
ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"


def answering(status: int, body: Any, seen: list[httpx.Request] | None = None) -> Clients:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body)

    return mocked_clients(handler)


# --- view models ----------------------------------------------------------------------------


async def test_who_is_signed_in_is_read_and_what_the_directory_adds_is_ignored() -> None:
    seen: list[httpx.Request] = []
    me = {
        "person_id": "p-1",
        "email": "olena@example.org",
        "name": "Olena",
        "role": "editor",
        "organisations": [{"id": ORGANISATION, "name": "Kulturverein", "since": "2026"}],
        "something_new": {"nested": True},
    }
    person = await answering(200, me, seen).directory.me("a-token")
    assert person.name == "Olena"
    assert [o.name for o in person.organisations] == ["Kulturverein"]
    assert person.may_act_for(ORGANISATION)
    assert not person.is_admin
    assert seen[0].url == "http://directory.test/me"
    assert seen[0].headers["Authorization"] == "Bearer a-token"


async def test_a_page_of_listings_is_read_with_its_items() -> None:
    body = {
        "items": [{"id": "l-1", "title": "Gruppenraum", "category": "room", "score": 0.5}],
        "total": 1,
        "next_offset": None,
        "facets": {},
    }
    found = await answering(200, body).exchange.listings("offers", limit=10)
    assert found.total == 1
    assert found.items[0].title == "Gruppenraum"
    assert found.items[0].tags == []


async def test_an_answer_no_view_model_can_read_counts_as_a_broken_service() -> None:
    with pytest.raises(BackendUnavailableError):
        await answering(200, {"items": "not a list"}).exchange.listings("offers")


async def test_a_service_answering_5xx_is_unavailable() -> None:
    with pytest.raises(BackendUnavailableError):
        await answering(503, {"detail": "down"}).calendar.events()


# --- problems -------------------------------------------------------------------------------


async def test_a_4xx_becomes_a_problem_with_its_slug_and_fields() -> None:
    body = {
        "type": PROBLEMS + "cannot-clear",
        "title": "Conflict",
        "status": 409,
        "detail": "These fields cannot be cleared: name, kind.",
        "fields": ["name", "kind"],
    }
    with pytest.raises(Problem) as refused:
        await answering(409, body).directory.change(ORGANISATION, {"name": None}, "a-token")
    assert (refused.value.status, refused.value.slug) == (409, "cannot-clear")
    assert refused.value.fields == ["name", "kind"]
    assert refused.value.generic == "conflict"


async def test_a_validation_problem_keeps_the_locations_of_its_errors() -> None:
    body = {
        "type": PROBLEMS + "validation-error",
        "status": 422,
        "detail": "The request did not pass validation; see `errors`.",
        "errors": [
            {"location": "body.languages.1", "message": "not a tag", "type": "value_error"},
            {"location": "body", "message": "`a` before `b`", "type": "value_error"},
            {"location": "query.limit", "message": "too big", "type": "less_than_equal"},
        ],
    }
    with pytest.raises(Problem) as refused:
        await answering(422, body).exchange.post("offers", {}, "a-token")
    assert [error.path for error in refused.value.errors] == [["languages", "1"], [], []]
    assert refused.value.errors[1].location == "body"


async def test_a_room_clash_carries_the_events_holding_the_room() -> None:
    body = {
        "type": PROBLEMS + "room-clash",
        "status": 409,
        "clashes": [{"event_id": "e-1", "title": "Chorprobe", "organisation_id": "o-2"}],
    }
    with pytest.raises(Problem) as refused:
        await answering(409, body).calendar.plan({}, "a-token", override=False)
    assert refused.value.slug == "room-clash"
    assert refused.value.clashes[0].title == "Chorprobe"


@pytest.mark.parametrize(
    ("status", "body", "slug"),
    [
        (404, "not json at all", "not-found"),
        (403, {"detail": "no type"}, "forbidden"),
        (409, {"type": PROBLEMS + "already-a-member/"}, "already-a-member"),
        (422, {"type": PROBLEMS + "bad-dates", "errors": "not a list"}, "validation-error"),
        (418, None, "error"),
    ],
)
def test_a_body_that_is_no_problem_document_gets_the_generic_slug_of_its_status(
    status: int, body: Any, slug: str
) -> None:
    assert Problem.of(status, body).slug == slug


async def test_a_refused_session_is_signed_out() -> None:
    with pytest.raises(SignedOutError):
        await answering(401, {"type": PROBLEMS + "unauthenticated"}).notifier.notices("o", "t")
    with pytest.raises(SignedOutError):  # the directory no longer knows the person
        await answering(404, {"type": PROBLEMS + "not-found"}).directory.me("a-token")


async def test_a_401_without_a_session_is_a_problem_like_any_other() -> None:
    with pytest.raises(Problem) as refused:
        await answering(401, {}).directory.log_in("a@example.org", "wrong", {})
    assert refused.value.generic == "unauthenticated"


async def test_optional_parts_are_none_when_refused_or_down_the_main_part_only_when_refused() -> (
    None
):
    refusing = answering(403, {"type": PROBLEMS + "forbidden"})
    down = answering(500, {})
    assert await optional(refusing.calendar.events()) is None
    assert await optional(down.calendar.events()) is None
    assert await unless_refused(refusing.calendar.events()) is None
    with pytest.raises(BackendUnavailableError):
        await unless_refused(down.calendar.events())


async def test_an_id_no_url_can_carry_names_nothing() -> None:
    with pytest.raises(Problem) as refused:
        await answering(200, {}).directory.organisation("bad\nid")
    assert refused.value.generic == "not-found"
