"""Who may call what, for every route the services publish in their OpenAPI documents.

Each route is called as anonymous, as an editor of another organisation, as an editor of the
organisation that owns the resource, and as office staff; the outcome class is compared with the
table below. A route the table does not know fails the test: whoever adds a route decides here
who may use it. Path parameters are filled with real resources of the owning organisation; a
route that changes its resource for good (archive, withdraw, cancel, remove…) gets a fresh one
for each caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from shared.ids import new_id
from tests.fuzz.stack import API_SERVICES, Stack
from tests.support.waiting import eventually

ROLES = ("anonymous", "stranger", "owner", "office")
#: A route's outcome for each role, in ROLES order: ok (2xx), 401, 403, 404 (hidden), or the
#: status code where a route refuses everyone the same way (a made-up token, say).
ALL_OK = ("ok", "ok", "ok", "ok")
SIGNED_IN = ("401", "ok", "ok", "ok")
OWNER_AND_OFFICE = ("401", "403", "ok", "ok")
OFFICE_ONLY = ("401", "403", "403", "ok")
#: A route whose permission is the signed token it is called with: a made-up one is refused alike
#: for everyone.
MADE_UP_TOKEN = ("400", "400", "400", "400")
#: Another organisation's resource: a stranger is not even told that it exists.
HIDDEN_FROM_STRANGERS = ("401", "404", "ok", "ok")
#: What the partner network may see (a `network` working group): hidden from the anonymous.
NETWORK_ONLY = ("404", "ok", "ok", "ok")
#: A working group's documents: read by its members and office staff only, hidden from others.
GROUP_MEMBERS = ("404", "404", "ok", "ok")

TABLE: dict[str, tuple[str, str, str, str]] = {
    # directory
    "directory POST /organisations": OFFICE_ONLY,
    "directory GET /organisations": ALL_OK,
    "directory GET /organisations/facets": ALL_OK,
    "directory GET /organisations/{organisation_id}": ALL_OK,
    "directory PATCH /organisations/{organisation_id}": OWNER_AND_OFFICE,
    "directory DELETE /organisations/{organisation_id}": OFFICE_ONLY,
    "directory GET /organisations/{organisation_id}/members": OWNER_AND_OFFICE,
    "directory POST /organisations/{organisation_id}/members": OWNER_AND_OFFICE,
    "directory DELETE /organisations/{organisation_id}/members/{person_id}": OWNER_AND_OFFICE,
    # a wrong password, so the table does not depend on the log-in lockout
    "directory POST /auth/token": ("401", "401", "401", "401"),
    "directory POST /auth/password": MADE_UP_TOKEN,
    "directory POST /auth/password-reset": ALL_OK,
    "directory GET /me": SIGNED_IN,
    "directory PUT /me/language": SIGNED_IN,
    "directory GET /.well-known/jwks.json": ALL_OK,
    # a made-up invitation token: refused alike for everyone signed in
    "directory POST /invitations/accept": ("401", "400", "400", "400"),
    # calendar
    "calendar POST /events": OWNER_AND_OFFICE,
    "calendar GET /events": ALL_OK,
    "calendar GET /events/{event_id}": ALL_OK,
    "calendar GET /events/{event_id}/calendar.ics": ALL_OK,
    "calendar PATCH /events/{event_id}": OWNER_AND_OFFICE,
    "calendar POST /events/{event_id}/cancel": OWNER_AND_OFFICE,
    "calendar PATCH /events/{event_id}/occurrences/{original_start}": OWNER_AND_OFFICE,
    "calendar GET /conflicts": OWNER_AND_OFFICE,
    "calendar GET /calendar.ics": ALL_OK,
    "calendar GET /organisations/{organisation_id}/calendar.ics": ALL_OK,
    "calendar POST /imports": OWNER_AND_OFFICE,
    "calendar GET /imports": OWNER_AND_OFFICE,
    # the owner is the organisation invited to co-organise another organisation's event
    "calendar GET /co-organiser-invitations": OWNER_AND_OFFICE,
    "calendar POST /events/{event_id}/co-organisers/{organisation_id}/accept": OWNER_AND_OFFICE,
    "calendar POST /events/{event_id}/co-organisers/{organisation_id}/decline": OWNER_AND_OFFICE,
    "calendar DELETE /events/{event_id}/co-organisers/{organisation_id}": OWNER_AND_OFFICE,
    # registrations: anyone registers for a public one; organisers see who
    "calendar PUT /events/{event_id}/registration": OWNER_AND_OFFICE,
    "calendar DELETE /events/{event_id}/registration": OWNER_AND_OFFICE,
    "calendar GET /events/{event_id}/registration": ALL_OK,
    "calendar POST /events/{event_id}/registrations": ALL_OK,
    "calendar GET /events/{event_id}/registrations": OWNER_AND_OFFICE,
    "calendar GET /events/{event_id}/registrations.csv": OWNER_AND_OFFICE,
    "calendar PUT /events/{event_id}/registrations/{registration_id}/attendance": (
        OWNER_AND_OFFICE
    ),
    "calendar DELETE /events/{event_id}/registrations/{registration_id}": OWNER_AND_OFFICE,
    # a made-up link token: unknown to everyone alike
    "calendar POST /registrations/confirm": ("404", "404", "404", "404"),
    "calendar POST /registrations/cancel": ("404", "404", "404", "404"),
    "calendar GET /registrations/by-token": ("404", "404", "404", "404"),
    "calendar GET /me/registrations": SIGNED_IN,
    "calendar GET /registrations/counts": OFFICE_ONLY,
    "calendar GET /registrations/counts/groups": OFFICE_ONLY,
    # calendar: working groups (the owner coordinates a network group; a stranger may ask to join)
    "calendar POST /groups": OWNER_AND_OFFICE,
    "calendar GET /groups": ALL_OK,
    "calendar GET /groups/{group_id}": NETWORK_ONLY,
    "calendar PATCH /groups/{group_id}": OWNER_AND_OFFICE,
    "calendar POST /groups/{group_id}/join-requests": ("401", "ok", "403", "ok"),
    "calendar POST /groups/{group_id}/invitations": OWNER_AND_OFFICE,
    "calendar POST /groups/{group_id}/members/{organisation_id}/accept": OWNER_AND_OFFICE,
    "calendar DELETE /groups/{group_id}/members/{organisation_id}": OWNER_AND_OFFICE,
    "calendar GET /groups/{group_id}/meetings": NETWORK_ONLY,
    "calendar POST /events/{event_id}/documents": HIDDEN_FROM_STRANGERS,
    "calendar GET /events/{event_id}/documents": GROUP_MEMBERS,
    "calendar GET /documents/{document_id}": GROUP_MEMBERS,
    "calendar DELETE /documents/{document_id}": HIDDEN_FROM_STRANGERS,
    # exchange
    "exchange POST /offers": OWNER_AND_OFFICE,
    "exchange GET /offers": ALL_OK,
    "exchange GET /offers/{listing_id}": ALL_OK,
    "exchange PATCH /offers/{listing_id}": OWNER_AND_OFFICE,
    "exchange POST /offers/{listing_id}/withdraw": OWNER_AND_OFFICE,
    "exchange POST /offers/{listing_id}/fulfil": OWNER_AND_OFFICE,
    "exchange POST /requests": OWNER_AND_OFFICE,
    "exchange GET /requests": ALL_OK,
    "exchange GET /requests/{listing_id}": ALL_OK,
    "exchange PATCH /requests/{listing_id}": OWNER_AND_OFFICE,
    "exchange POST /requests/{listing_id}/withdraw": OWNER_AND_OFFICE,
    "exchange POST /requests/{listing_id}/fulfil": OWNER_AND_OFFICE,
    "exchange GET /matches": OWNER_AND_OFFICE,
    "exchange POST /matches/{match_id}/rating": HIDDEN_FROM_STRANGERS,
    "exchange GET /match-feedback": MADE_UP_TOKEN,
    "exchange POST /match-feedback": MADE_UP_TOKEN,
    "exchange GET /reports/match-precision": OFFICE_ONLY,
    "exchange GET /reports/fulfilments": OFFICE_ONLY,
    # notifier
    "notifier POST /subscriptions": OWNER_AND_OFFICE,
    "notifier GET /subscriptions": OWNER_AND_OFFICE,
    "notifier GET /subscriptions/confirm": MADE_UP_TOKEN,
    "notifier POST /subscriptions/confirm": MADE_UP_TOKEN,
    "notifier DELETE /subscriptions/{subscription_id}": HIDDEN_FROM_STRANGERS,
    "notifier GET /unsubscribe": MADE_UP_TOKEN,
    "notifier POST /unsubscribe": MADE_UP_TOKEN,
    "notifier GET /deliveries": OFFICE_ONLY,
    "notifier GET /organisations/{organisation_id}/notices": OWNER_AND_OFFICE,
    "notifier PUT /organisations/{organisation_id}/notices/{notice}": OWNER_AND_OFFICE,
}
#: What the process reports about itself: open to the network by design (see deploy/README.md).
OPERATIONS_ROUTES = {"/healthz", "/readyz", "/metrics"}
#: Routes after whose success the resource is gone or closed: each caller gets a fresh one.
CONSUMING = {
    "directory DELETE /organisations/{organisation_id}",
    "directory DELETE /organisations/{organisation_id}/members/{person_id}",
    "calendar POST /events/{event_id}/cancel",
    "exchange POST /offers/{listing_id}/withdraw",
    "exchange POST /offers/{listing_id}/fulfil",
    "exchange POST /requests/{listing_id}/withdraw",
    "exchange POST /requests/{listing_id}/fulfil",
    "notifier DELETE /subscriptions/{subscription_id}",
    "calendar POST /events/{event_id}/co-organisers/{organisation_id}/accept",
    "calendar POST /events/{event_id}/co-organisers/{organisation_id}/decline",
    "calendar DELETE /events/{event_id}/co-organisers/{organisation_id}",
    "calendar DELETE /events/{event_id}/registration",
    "calendar DELETE /events/{event_id}/registrations/{registration_id}",
    "calendar DELETE /groups/{group_id}/members/{organisation_id}",
    "calendar DELETE /documents/{document_id}",
}
PDF = b"%PDF-1.7\n%%EOF\n"
SERIES_START = dt.datetime(2032, 3, 2, 16, 0, tzinfo=dt.UTC)


@dataclass
class World:
    """The owning organisation's resources, and the other organisation."""

    stack: Stack
    owner: str
    stranger_org: str
    host: str
    ids: dict[str, str]

    @classmethod
    async def make(cls, stack: Stack) -> World:
        owner = await stack.organisation("Eigentümer-Verein e.V.")
        stranger_org = await stack.organisation("Fremder Verein e.V.")
        host = await stack.organisation("Gastgebender Verein e.V.")
        world = cls(stack, owner, stranger_org, host, {"organisation_id": owner})
        world.ids.update(await world.fresh("any", owner))
        world.ids["request_id"] = await stack.listing("requests", owner)
        world.ids["match_id"] = await world.match_with(host)
        world.ids["group_id"], world.ids["meeting_id"] = await world.group_of(owner)
        world.ids["document_id"] = await world.document_of(world.ids["meeting_id"])
        return world

    async def group_of(self, coordinator: str, *members: str) -> tuple[str, str]:
        """A network working group the organisation coordinates (the members invited and
        accepted), and a meeting of it."""
        calendar = self.stack.clients["calendar"]
        body = {"name": f"AG {new_id()}", "coordinator_id": coordinator, "visibility": "network"}
        group_id = await self.stack._created("calendar", "/groups", body)
        for member in members:
            invited = await calendar.post(
                f"/groups/{group_id}/invitations",
                json={"organisation_id": member},
                headers=self.stack.editor_of(coordinator),
            )
            assert invited.status_code == 200, invited.text
            accepted = await calendar.post(
                f"/groups/{group_id}/members/{member}/accept",
                headers=self.stack.editor_of(member),
            )
            assert accepted.status_code == 200, accepted.text
        start = SERIES_START + dt.timedelta(days=60)
        meeting = {
            "organisation_id": coordinator,
            "title": "Treffen der AG",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "visibility": "network",
            "group_id": group_id,
        }
        return group_id, await self.stack._created("calendar", "/events", meeting)

    async def document_of(self, meeting_id: str) -> str:
        response = await self.stack.clients["calendar"].post(
            f"/events/{meeting_id}/documents",
            files={"file": ("Protokoll.pdf", PDF, "application/pdf")},
            headers=self.stack.admin,
        )
        assert response.status_code == 201, response.text
        document_id: str = response.json()["id"]
        return document_id

    async def match_with(self, other: str) -> str:
        """A match of the owner's offers with a request `other` posts."""
        await self.stack.listing("requests", other)
        found: list[str] = []

        async def matched() -> bool:
            response = await self.stack.clients["exchange"].get(
                "/matches", params={"organisation": self.owner}, headers=self.stack.admin
            )
            items = response.json()["items"]
            found[:] = [m["id"] for m in items if m["request"]["organisation_id"] == other]
            return bool(found)

        await eventually(matched)
        return found[0]

    async def fresh(self, route: str, owner: str) -> dict[str, str]:
        """New resources of `owner` for what the route's path names (a new organisation when
        the route archives one)."""
        if route == "directory DELETE /organisations/{organisation_id}":
            return {"organisation_id": await self.stack.organisation("Kurzlebiger Verein")}
        made = {"organisation_id": owner, "notice": "match_found"}
        made["original_start"] = SERIES_START.isoformat().replace("+00:00", "Z")
        if route == "calendar DELETE /groups/{group_id}/members/{organisation_id}":
            made["group_id"], _ = await self.group_of(self.host, owner)  # the owner leaves
        if route == "calendar DELETE /documents/{document_id}":
            made["document_id"] = await self.document_of(self.ids["meeting_id"])
        if "/co-organisers/" in route:
            made["event_id"] = await self.invitation_to(owner)
        elif "{event_id}" in route or route == "any":
            made["event_id"] = await self.stack._created(
                "calendar",
                "/events",
                {
                    "organisation_id": owner,
                    "title": "Sprachcafé",
                    "starts_at": SERIES_START.isoformat(),
                    "ends_at": (SERIES_START + dt.timedelta(hours=2)).isoformat(),
                    "venue": {"name": f"Bürgerhaus {new_id()}"},
                    "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=5"},
                },
            )
        if "/registration" in route or route == "any":
            made["registration_id"] = await self.registration_for(made["event_id"])
        if "{listing_id}" in route or route == "any":
            kind = "requests" if "/requests/" in route else "offers"
            made["listing_id"] = await self.stack.listing(kind, owner)
        if "{subscription_id}" in route or route == "any":
            made["subscription_id"] = await self.stack.subscription(owner)
        if "{person_id}" in route or route == "any":
            made["person_id"] = await self.stack.member(owner)
        return made

    async def registration_for(self, event_id: str) -> str:
        """Set up registration for the event (as office staff) and register someone."""
        calendar = self.stack.clients["calendar"]
        admin = self.stack.admin
        set_up = await calendar.put(
            f"/events/{event_id}/registration", json={"capacity": 50}, headers=admin
        )
        assert set_up.status_code == 200, set_up.text
        registered = await calendar.post(
            f"/events/{event_id}/registrations",
            json={"name": "Amal Haddad", "email": f"amal-{new_id()}@example.org"},
            headers=admin,
        )
        assert registered.status_code == 201, registered.text
        registration_id: str = registered.json()["id"]
        return registration_id

    async def invitation_to(self, invited: str) -> str:
        """An event of the host organisation, planned by one of its editors, that invites
        `invited` to co-organise it."""
        start = SERIES_START + dt.timedelta(days=30)
        response = await self.stack.clients["calendar"].post(
            "/events",
            json={
                "organisation_id": self.host,
                "co_organiser_ids": [invited],
                "title": "Interkulturelles Fest",
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
            },
            headers=self.stack.editor_of(self.host),
        )
        assert response.status_code == 201, response.text
        event_id: str = response.json()["event"]["id"]
        return event_id


def request_for(route: str, world: World) -> dict[str, Any]:
    """Arguments that make a valid request of the route, for whoever may make it."""
    owner = world.owner
    later = dt.datetime(2033, 5, 4, 10, tzinfo=dt.UTC)
    bodies: dict[str, dict[str, Any]] = {
        "directory POST /organisations": {
            "json": {"name": "Neuer Verein e.V.", "kind": "association"}
        },
        "directory PATCH /organisations/{organisation_id}": {
            "json": {"description": "Beratung und Begegnung"}
        },
        "directory POST /organisations/{organisation_id}/members": {
            "json": {"email": f"neu-{new_id()}@example.org", "name": "Amal Haddad"}
        },
        "directory POST /auth/token": {
            "data": {"username": "nobody@example.org", "password": "wrong-password"}
        },
        "directory POST /auth/password": {
            "json": {"token": "not-a-token", "password": "ein-neues-langes-passwort"}
        },
        "directory POST /auth/password-reset": {
            "json": {"email": f"nobody-{new_id()}@example.org"}
        },
        "directory PUT /me/language": {"json": {"language": "tr"}},
        "calendar POST /events": {
            "json": {
                "organisation_id": owner,
                "title": "Nachbarschaftsfest",
                "starts_at": later.isoformat(),
                "ends_at": (later + dt.timedelta(hours=3)).isoformat(),
            }
        },
        "calendar PATCH /events/{event_id}": {"json": {"title": "Sprachcafé am Dienstag"}},
        "calendar POST /events/{event_id}/cancel": {"json": {"reason": "Ferien"}},
        "calendar PATCH /events/{event_id}/occurrences/{original_start}": {
            "json": {
                "starts_at": (SERIES_START + dt.timedelta(hours=1)).isoformat(),
                "ends_at": (SERIES_START + dt.timedelta(hours=3)).isoformat(),
            }
        },
        "calendar POST /groups": {"json": {"name": "AG Sprache", "coordinator_id": owner}},
        "calendar PATCH /groups/{group_id}": {"json": {"purpose": "Austausch"}},
        "calendar POST /groups/{group_id}/join-requests": {
            "json": {"organisation_id": world.stranger_org}
        },
        "calendar POST /groups/{group_id}/invitations": {"json": {"organisation_id": world.host}},
        "calendar POST /events/{event_id}/documents": {
            "files": {"file": ("Tagesordnung.pdf", PDF, "application/pdf")}
        },
        "calendar POST /imports": {
            "json": {"organisation_id": owner, "url": "https://kalender.example/feed.ics"}
        },
        "exchange PATCH /offers/{listing_id}": {"json": {"title": "Zwei Räume für Elterncafés"}},
        "exchange PATCH /requests/{listing_id}": {"json": {"title": "Raum für zwei Elterncafés"}},
        "notifier POST /subscriptions": {"json": {"organisation_id": owner, "topics": ["events"]}},
        "notifier GET /subscriptions": {"params": {"organisation_id": owner}},
        "calendar GET /conflicts": {"params": {"organisation": owner}},
        "calendar GET /imports": {"params": {"organisation": owner}},
        "calendar GET /co-organiser-invitations": {"params": {"organisation": owner}},
        "calendar PUT /events/{event_id}/registration": {"json": {"capacity": 40}},
        "calendar POST /events/{event_id}/registrations": {
            "json": {"name": "Jana Petrenko", "email": f"jana-{new_id()}@example.org"}
        },
        "calendar PUT /events/{event_id}/registrations/{registration_id}/attendance": {
            "json": {"attended": True}
        },
        "calendar POST /registrations/confirm": {"json": {"token": "not-a-token"}},
        "calendar POST /registrations/cancel": {"json": {"token": "not-a-token"}},
        "calendar GET /registrations/by-token": {"params": {"token": "not-a-token"}},
        "directory POST /invitations/accept": {"json": {"token": "not-a-token"}},
        "notifier POST /subscriptions/confirm": {"params": {"token": "not-a-token"}},
        "exchange GET /matches": {"params": {"organisation": owner}},
        "exchange POST /matches/{match_id}/rating": {
            "json": {"organisation_id": owner, "verdict": "fits"}
        },
        "exchange GET /match-feedback": {"params": {"token": "not-a-feedback-token"}},
        "exchange POST /match-feedback": {"json": {"token": "not-a-feedback-token"}},
        "notifier GET /subscriptions/confirm": {"params": {"token": "not-a-token"}},
        "notifier GET /unsubscribe": {"params": {"token": "not-a-token"}},
        "notifier POST /unsubscribe": {"params": {"token": "not-a-token"}},
        "notifier PUT /organisations/{organisation_id}/notices/{notice}": {
            "json": {"enabled": False}
        },
    }
    for kind in ("offers", "requests"):
        bodies[f"exchange POST /{kind}"] = {
            "json": {"organisation_id": owner, "category": "room", "title": "Saal für Feiern"}
        }
    return bodies.get(route, {})


def outcome(response: httpx.Response) -> str:
    if response.is_success:
        return "ok"
    return str(response.status_code)


async def test_every_route_answers_each_kind_of_caller_as_the_authorisation_table_says(
    stack: Stack,
) -> None:
    world = await World.make(stack)
    stranger_person = await stack.member(world.stranger_org)
    owner_person = await stack.member(world.owner)
    issuer = stack.apps["directory"].state.directory.issuer

    def bearer(person: str, organisation: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.issue(person, 'editor', [organisation])}"}

    headers = {
        "anonymous": {},
        "stranger": bearer(stranger_person, world.stranger_org),
        "owner": bearer(owner_person, world.owner),
        "office": stack.admin,
    }
    routes: list[str] = []
    for service in API_SERVICES:
        for path, operations in stack.apps[service].openapi()["paths"].items():
            if path in OPERATIONS_ROUTES:
                continue
            routes.extend(f"{service} {method.upper()} {path}" for method in operations)
    unknown = sorted(set(routes) - TABLE.keys())
    assert not unknown, f"routes missing from the authorisation table: {unknown}"

    observed: dict[str, tuple[str, ...]] = {}
    for route in routes:
        service, method, path = route.split(" ", 2)
        seen = []
        for role in ROLES:
            ids = await world.fresh(route, world.owner) if route in CONSUMING else world.ids
            if "/requests/" in route and route not in CONSUMING:
                ids = {**ids, "listing_id": world.ids["request_id"]}
            if "{event_id}/documents" in route:
                ids = {**ids, "event_id": world.ids["meeting_id"]}
            call: Callable[..., Awaitable[httpx.Response]] = stack.clients[service].request
            response = await call(
                method,
                path.format(**ids),
                headers=headers[role],
                **request_for(route, world),
            )
            seen.append(outcome(response))
            if not response.is_success and response.status_code != 400:
                kind = response.headers.get("content-type", "")
                assert kind.startswith("application/problem+json"), (route, role, kind)
        observed[route] = tuple(seen)

    differences = {
        route: {"expected": TABLE[route], "observed": seen}
        for route, seen in observed.items()
        if seen != TABLE[route]
    }
    assert not differences, json.dumps(differences, indent=1)
