"""The directory through its HTTP API, against the real app, broker and database: onboarding,
passwords, search, archiving, memberships, log-in throttling and the operational endpoints."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest

from services.directory.app import create_app
from services.directory.settings import DirectorySettings
from tests.integration.directory_fixtures import (
    COMMANDS_EXCHANGE,
    PASSWORD,
    SEND_EMAIL,
    Headers,
    Team,
    emails_to,
    invite,
    onboard,
    register,
    set_password,
    team,
    token_in,
    try_log_in,
)
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.problems import assert_problem
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, RunningService, log_in, running

# --- helpers ------------------------------------------------------------------------------


class FakeClock:
    """Epoch seconds the test moves forward by hand (the directory's `clock`)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
async def strict_directory(
    directory_settings: Callable[..., DirectorySettings],
) -> AsyncIterator[RunningService]:
    """A directory that lets a client fail 3 times per address within three seconds."""
    settings = directory_settings(login_max_failures=3, login_lock_seconds=3)
    async with running(create_app(settings)) as service:
        yield service


@pytest.fixture
async def alis_invitation_token(
    directory: RunningService, admin: Headers, commands: StreamTap
) -> str:
    """Ali (ali@example.org) invited to Nachbarschaftstreff Linde: the token of the link in his
    invitation, before any password is set with it."""
    client = directory.client
    treff = await register(client, admin, "Nachbarschaftstreff Linde")
    assert (await invite(client, admin, treff["id"], "ali@example.org", "Ali")).status_code == 201
    return token_in((await emails_to(commands, "ali@example.org"))[0])


# --- onboarding ---------------------------------------------------------------------------


async def test_an_invited_member_sets_a_password_and_then_looks_after_only_their_own_organisation(
    directory: RunningService, admin: Headers, commands: StreamTap
) -> None:
    client = directory.client
    mriya = await register(
        client, admin, "Ukrainischer Verein Mriya e.V.", kind="migrant_organisation"
    )
    other = await register(client, admin, "Sportverein Eintracht Nord", description="Fußball")

    invited = await invite(client, admin, mriya["id"], "Jana.Petrenko@Example.org", "Jana Petrenko")
    assert invited.status_code == 201, invited.text
    assert invited.json()["invitation_sent"] is True
    assert invited.json()["organisation_id"] == mriya["id"]

    [invitation] = await emails_to(commands, "jana.petrenko@example.org")
    assert invitation["template"] == "invitation"
    assert invitation["recipient_name"] == "Jana Petrenko"
    assert invitation["params"]["organisation_name"] == "Ukrainischer Verein Mriya e.V."
    assert (await set_password(client, token_in(invitation), PASSWORD)).status_code == 204

    member = await log_in(client, "Jana.Petrenko@Example.org", PASSWORD)
    me = await client.get("/me", headers=member)
    assert me.status_code == 200, me.text
    assert me.json() == {
        "person_id": invited.json()["person_id"],
        "email": "jana.petrenko@example.org",
        "name": "Jana Petrenko",
        "role": "editor",
        "organisations": [{"id": mriya["id"], "name": "Ukrainischer Verein Mriya e.V."}],
        "language": None,
    }

    chose = await client.put("/me/language", json={"language": "uk"}, headers=member)
    assert chose.status_code == 200, chose.text
    assert chose.json()["language"] == "uk"
    assert (await client.get("/me", headers=member)).json()["language"] == "uk"
    not_a_language = await client.put("/me/language", json={"language": "x!"}, headers=member)
    assert not_a_language.status_code == 422
    assert (await client.put("/me/language", json={"language": "ar"})).status_code == 401

    changed = await client.patch(
        f"/organisations/{mriya['id']}",
        json={"description": "Beratung für Geflüchtete aus der Ukraine", "languages": ["uk"]},
        headers=member,
    )
    assert changed.status_code == 200, changed.text
    shown = (await client.get(f"/organisations/{mriya['id']}")).json()
    assert shown["description"] == "Beratung für Geflüchtete aus der Ukraine"
    assert shown["languages"] == ["uk"]
    assert shown["revision"] == mriya["revision"] + 1
    found = (await client.get("/organisations", params={"q": "gefluchtete"})).json()
    assert [o["id"] for o in found["items"]] == [mriya["id"]]

    takeover = await client.patch(
        f"/organisations/{other['id']}", json={"description": "Übernommen"}, headers=member
    )
    assert_problem(takeover, 403)
    assert (await client.get(f"/organisations/{other['id']}")).json()["description"] == "Fußball"

    founding = await client.post(
        "/organisations", json={"name": "Eigene Gründung", "kind": "other"}, headers=member
    )
    assert_problem(founding, 403)
    assert_problem(await client.delete(f"/organisations/{mriya['id']}", headers=member), 403)
    assert (await client.get(f"/organisations/{mriya['id']}")).json()["status"] == "active"
    listed = (await client.get("/organisations")).json()
    assert sorted(o["name"] for o in listed["items"]) == [
        "Sportverein Eintracht Nord",
        "Ukrainischer Verein Mriya e.V.",
    ]


async def test_an_invitation_link_sets_a_password_only_once(
    directory: RunningService, alis_invitation_token: str
) -> None:
    client = directory.client
    token = alis_invitation_token

    assert (await set_password(client, token, PASSWORD)).status_code == 204
    again = await set_password(client, token, "Ein-anderes-Passwort-99")

    assert_problem(again, 400)
    assert (await try_log_in(client, "ali@example.org", PASSWORD)).status_code == 200
    assert (
        await try_log_in(client, "ali@example.org", "Ein-anderes-Passwort-99")
    ).status_code == 401


async def test_a_weak_password_is_refused_and_the_same_link_still_works_afterwards(
    directory: RunningService, alis_invitation_token: str
) -> None:
    client = directory.client
    token = alis_invitation_token

    short = assert_problem(await set_password(client, token, "kurz"), 422)
    own_address = assert_problem(await set_password(client, token, "Ali@Example.org"), 422)
    assert "10" in short["detail"]
    assert "email" in own_address["detail"]
    assert str(short["type"]).endswith("/weak-password")
    assert (short["reason"], own_address["reason"]) == ("too-short", "the-email-address")
    assert (await try_log_in(client, "ali@example.org", "kurz")).status_code == 401

    assert (await set_password(client, token, PASSWORD)).status_code == 204
    assert (await try_log_in(client, "ali@example.org", PASSWORD)).status_code == 200


async def test_a_reset_request_for_an_unknown_address_is_accepted_and_sends_nothing(
    directory: RunningService, admin: Headers, commands: StreamTap
) -> None:
    client = directory.client
    ayse = ("ayse@example.org", "Ayşe")
    await team(
        directory, admin, commands, "Nachbarschaftstreff Linde", ayse, preferred_language="tr"
    )

    unknown = await client.post("/auth/password-reset", json={"email": "niemand@example.org"})
    known = await client.post("/auth/password-reset", json={"email": "Ayse@Example.org"})

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    [reset] = [
        e for e in await emails_to(commands, "ayse@example.org", 2) if e["template"] != "invitation"
    ]
    assert reset["template"] == "password_reset"
    assert reset["language"] == "tr"
    assert [e for e in commands.bodies() if e["data"]["to"] == "niemand@example.org"] == []


@pytest.mark.usefixtures("ayse")
async def test_a_reset_link_replaces_the_old_password(
    directory: RunningService, commands: StreamTap
) -> None:
    client = directory.client

    response = await client.post("/auth/password-reset", json={"email": "ayse@example.org"})
    assert response.status_code == 202
    emails = await emails_to(commands, "ayse@example.org", 2)
    [reset] = [e for e in emails if e["template"] == "password_reset"]

    assert (
        await set_password(client, token_in(reset), "Neues-Passwort-nach-Reset")
    ).status_code == 204
    assert (await try_log_in(client, "ayse@example.org", PASSWORD)).status_code == 401
    assert (
        await try_log_in(client, "ayse@example.org", "Neues-Passwort-nach-Reset")
    ).status_code == 200
    assert_problem(await set_password(client, token_in(reset), "Noch-ein-Passwort-123"), 400)


# --- search -------------------------------------------------------------------------------

CATALOGUE: list[dict[str, Any]] = [
    {
        "name": "Café International",
        "kind": "association",
        "description": "Ein Sprachtreff für Frauen aus aller Welt",
        "languages": ["de", "ar", "fa"],
        "fields": ["language_education", "social_participation"],
        "district": "Südstadt",
    },
    {
        "name": "Ukrainischer Verein Mriya e.V.",
        "kind": "migrant_organisation",
        "languages": ["uk", "ru", "de"],
        "communities": ["Ukrainian"],
        "fields": ["cultural_diversity"],
        "district": "Nordstadt",
    },
    {
        "name": "Moscheegemeinde Ost",
        "kind": "religious_community",
        "languages": ["tr", "ar"],
        "fields": ["religion", "counselling"],
        "district": "Oststadt",
    },
    {
        "name": "Beratungsstelle für Geflüchtete",
        "kind": "counselling_service",
        "description": "Asylverfahrensberatung und Begleitung zu Behörden",
        "languages": ["de", "en", "ar"],
        "fields": ["counselling"],
        "district": "südstadt",
    },
    {
        "name": "Sportverein Eintracht Nord",
        "kind": "association",
        "languages": ["de"],
        "fields": ["sports"],
        "district": "NORDSTADT",
    },
]
#: Archived after registering: it matches many searches and must never show up in them.
ARCHIVED: dict[str, Any] = {
    "name": "Altes Kulturcafé",
    "kind": "association",
    "description": "Café, Sprachtreff und Beratung",
    "languages": ["de", "ar"],
    "fields": ["counselling", "language_education"],
    "district": "Südstadt",
}
CAFE = "Café International"
MRIYA = "Ukrainischer Verein Mriya e.V."
MOSCHEE = "Moscheegemeinde Ost"
BERATUNG = "Beratungsstelle für Geflüchtete"
SPORT = "Sportverein Eintracht Nord"
ACTIVE_IN_ORDER = [BERATUNG, CAFE, MOSCHEE, SPORT, MRIYA]


@pytest.fixture(scope="module")
async def catalogue(module_directory: RunningService) -> RunningService:
    """One directory with five active organisations and one archived, shared by the search
    tests (they only read)."""
    service = module_directory
    admin = await log_in(service.client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for facts in CATALOGUE:
        await register(service.client, admin, **facts)
    archived = await register(service.client, admin, **ARCHIVED)
    deleted = await service.client.delete(f"/organisations/{archived['id']}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    return service


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, ACTIVE_IN_ORDER, id="everything-active-sorted-by-name"),
        pytest.param({"q": "cafe"}, [CAFE], id="q-without-accent"),
        pytest.param({"q": "CAFÉ"}, [CAFE], id="q-in-capitals"),
        pytest.param({"q": "ukrain"}, [MRIYA], id="q-beginning-of-a-word"),
        pytest.param({"q": "sprach"}, [CAFE], id="q-in-description"),
        pytest.param({"q": "ukrainian"}, [MRIYA], id="q-in-communities"),
        pytest.param({"q": "Beratung gefl"}, [BERATUNG], id="q-all-words-must-match"),
        pytest.param({"q": "beratung sport"}, [], id="q-words-in-different-organisations"),
        pytest.param({"q": "rain"}, [], id="q-middle-of-a-word-finds-nothing"),
        pytest.param({"q": "zzz"}, [], id="q-nothing-matches"),
        pytest.param({"kind": "religious_community"}, [MOSCHEE], id="kind"),
        pytest.param({"kind": "association"}, [CAFE, SPORT], id="kind-several"),
        pytest.param({"language": "ar"}, [BERATUNG, CAFE, MOSCHEE], id="language"),
        pytest.param({"language": "UK"}, [MRIYA], id="language-in-capitals"),
        pytest.param({"field": "counselling"}, [BERATUNG, MOSCHEE], id="field"),
        pytest.param({"district": "SÜDSTADT"}, [BERATUNG, CAFE], id="district-any-case"),
        pytest.param({"district": " sudstadt "}, [BERATUNG, CAFE], id="district-without-accent"),
        pytest.param({"district": "nordstadt"}, [SPORT, MRIYA], id="district-stored-in-capitals"),
        pytest.param(
            {"language": "ar", "district": "Südstadt", "field": "language_education"},
            [CAFE],
            id="filters-combined",
        ),
        pytest.param({"q": "verein", "kind": "association"}, [], id="q-and-kind-combined"),
        pytest.param({"community": "Ukrainian"}, [MRIYA], id="community"),
        pytest.param({"community": "Turkish"}, [], id="community-nobody-names"),
    ],
)
async def test_searching_and_filtering_finds_exactly_the_matching_active_organisations(
    catalogue: RunningService, params: dict[str, str], expected: list[str]
) -> None:
    response = await catalogue.client.get("/organisations", params=params)

    assert response.status_code == 200, response.text
    page = response.json()
    assert [o["name"] for o in page["items"]] == expected
    assert page["total"] == len(expected)
    assert page["next_offset"] is None


async def test_pages_of_organisations_fit_together_without_gaps_or_repeats(
    catalogue: RunningService,
) -> None:
    seen: list[str] = []
    offset: int | None = 0
    pages = []
    while offset is not None:
        response = await catalogue.client.get(
            "/organisations", params={"limit": 2, "offset": offset}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append((page["offset"], page["limit"], page["total"], len(page["items"])))
        seen += [o["name"] for o in page["items"]]
        offset = page["next_offset"]

    assert seen == ACTIVE_IN_ORDER
    assert pages == [(0, 2, 5, 2), (2, 2, 5, 2), (4, 2, 5, 1)]
    beyond = (await catalogue.client.get("/organisations", params={"offset": 10})).json()
    assert (beyond["items"], beyond["total"], beyond["next_offset"]) == ([], 5, None)


async def test_the_facets_count_what_the_search_finds_per_value_of_each_filter(
    catalogue: RunningService,
) -> None:
    everything = await catalogue.client.get("/organisations/facets")
    speaking_german = await catalogue.client.get("/organisations/facets", params={"language": "de"})
    archived = await catalogue.client.get("/organisations/facets", params={"status": "archived"})
    bad = await catalogue.client.get("/organisations/facets", params={"field": "knitting"})

    assert everything.status_code == 200, everything.text
    facets = everything.json()
    assert facets["total"] == 5
    assert facets["kind"] == {
        "association": 2,
        "counselling_service": 1,
        "migrant_organisation": 1,
        "religious_community": 1,
    }
    assert facets["language"]["de"] == 4
    assert facets["language"]["ar"] == 3
    assert facets["community"] == {"Ukrainian": 1}
    assert facets["field"]["counselling"] == 2
    # one count per district however it is written; named as the first in name order writes it
    assert facets["district"] == {"südstadt": 2, "NORDSTADT": 2, "Oststadt": 1}
    german = speaking_german.json()
    assert german["total"] == 4
    assert german["kind"] == {"association": 2, "counselling_service": 1, "migrant_organisation": 1}
    assert "Oststadt" not in german["district"]
    assert_problem(archived, 403)
    assert_problem(bad, 422)


async def test_office_staff_can_list_archived_organisations_and_nobody_else_can(
    catalogue: RunningService,
) -> None:
    client = catalogue.client
    admin = await log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)

    archived = await client.get("/organisations", params={"status": "archived"}, headers=admin)
    anonymous = await client.get("/organisations", params={"status": "archived"})

    assert archived.status_code == 200, archived.text
    assert [o["name"] for o in archived.json()["items"]] == ["Altes Kulturcafé"]
    assert archived.json()["items"][0]["status"] == "archived"
    assert_problem(anonymous, 403)


async def test_a_member_may_not_list_archived_organisations(
    directory: RunningService, linde: Team
) -> None:
    response = await directory.client.get(
        "/organisations", params={"status": "archived"}, headers=linde.member.headers
    )

    assert_problem(response, 403)


# --- archiving ----------------------------------------------------------------------------


async def test_an_archived_organisation_is_frozen_and_hidden_from_the_public(
    directory: RunningService, admin: Headers
) -> None:
    client = directory.client
    treff = await register(client, admin, "Nachbarschaftstreff Linde")
    path = f"/organisations/{treff['id']}"

    first = await client.delete(path, headers=admin)
    second = await client.delete(path, headers=admin)

    assert first.status_code == 200, first.text
    assert first.json()["status"] == "archived"
    assert first.json()["revision"] == treff["revision"] + 1
    assert second.status_code == 200, second.text
    assert second.json() == first.json()
    assert_problem(await client.patch(path, json={"name": "Wieder da"}, headers=admin), 409)
    assert_problem(await invite(client, admin, treff["id"], "ali@example.org", "Ali"), 409)
    assert (await client.get(path, headers=admin)).json()["name"] == "Nachbarschaftstreff Linde"
    assert_problem(await client.get(path), 404)
    assert (await client.get("/organisations")).json()["items"] == []


# --- memberships --------------------------------------------------------------------------


async def test_inviting_someone_again_before_they_set_a_password_sends_a_new_link(
    directory: RunningService, admin: Headers, commands: StreamTap
) -> None:
    client = directory.client
    treff = await register(client, admin, "Nachbarschaftstreff Linde")

    first = await invite(client, admin, treff["id"], "ali@example.org", "Ali")
    second = await invite(client, admin, treff["id"], "ALI@example.org", "Ali")

    assert first.status_code == second.status_code == 201
    assert first.json()["invitation_sent"] is second.json()["invitation_sent"] is True
    assert first.json()["person_id"] == second.json()["person_id"]
    invitations = await emails_to(commands, "ali@example.org", 2)
    assert [e["template"] for e in invitations] == ["invitation", "invitation"]
    assert token_in(invitations[0]) != token_in(invitations[1])

    assert (await set_password(client, token_in(invitations[1]), PASSWORD)).status_code == 204
    assert_problem(await invite(client, admin, treff["id"], "ali@example.org", "Ali"), 409)
    assert (await try_log_in(client, "ali@example.org", PASSWORD)).status_code == 200


def link_token(email: dict[str, Any], page: str) -> str:
    link: str = email["params"]["link"]
    assert link.startswith(f"http://portal.test/{page}?token="), link
    [token] = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"]
    return token


async def test_an_account_invited_to_another_organisation_joins_only_by_accepting_it_itself(
    directory: RunningService,
    admin: Headers,
    commands: StreamTap,
    linde: Team,
    mriya: Team,
) -> None:
    client = directory.client
    ali, jana = linde.member, mriya.member

    existing = await invite(client, jana.headers, mriya.id, "ali@example.org", "A. Nonym")
    new = await invite(client, jana.headers, mriya.id, "kemal@example.org", "Kemal")

    assert existing.status_code == new.status_code == 201, existing.text
    assert existing.json().keys() == new.json().keys()
    assert existing.json()["invitation_sent"] is new.json()["invitation_sent"] is True
    assert existing.json()["person_id"] != ali.person_id
    members = (await client.get(f"/organisations/{mriya.id}/members", headers=jana.headers)).json()
    assert [(m["name"], m["email"], m["has_password"]) for m in members] == [
        ("A. Nonym", "ali@example.org", False),
        ("Jana", "jana@example.org", True),
        ("Kemal", "kemal@example.org", False),
    ]
    ali_me = (await client.get("/me", headers=ali.headers)).json()
    assert [o["id"] for o in ali_me["organisations"]] == [linde.id]  # not without consent

    [_, asked] = await emails_to(commands, "ali@example.org", 2)
    assert asked["template"] == "membership_invitation"
    assert asked["params"]["organisation_name"] == "Ukrainischer Verein Mriya e.V."
    token = link_token(asked, "einladung")
    assert_problem(await set_password(client, token, "Passwort-des-Angreifers-1"), 400)
    by_other = await client.post("/invitations/accept", json={"token": token}, headers=jana.headers)
    assert_problem(by_other, 403)

    accepted = await client.post("/invitations/accept", json={"token": token}, headers=ali.headers)

    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"id": mriya.id, "name": "Ukrainischer Verein Mriya e.V."}
    again = await client.post("/invitations/accept", json={"token": token}, headers=ali.headers)
    assert_problem(again, 400)
    ali_me = (await client.get("/me", headers=ali.headers)).json()
    assert [o["id"] for o in ali_me["organisations"]] == [linde.id, mriya.id]
    members = (await client.get(f"/organisations/{mriya.id}/members", headers=jana.headers)).json()
    assert ("Ali", True) in [(m["name"], m["has_password"]) for m in members]
    assert (await try_log_in(client, "ali@example.org", PASSWORD)).status_code == 200


async def test_a_withdrawn_invitation_of_an_account_can_no_longer_be_accepted(
    directory: RunningService, admin: Headers, commands: StreamTap, linde: Team
) -> None:
    client = directory.client
    mriya = await register(client, admin, "Ukrainischer Verein Mriya e.V.")
    invited = await invite(client, admin, mriya["id"], "ali@example.org", "Ali")
    [_, asked] = await emails_to(commands, "ali@example.org", 2)

    withdrawn = await client.delete(
        f"/organisations/{mriya['id']}/members/{invited.json()['person_id']}", headers=admin
    )

    assert withdrawn.status_code == 204, withdrawn.text
    assert (await client.get(f"/organisations/{mriya['id']}/members", headers=admin)).json() == []
    token = link_token(asked, "einladung")
    refused = await client.post(
        "/invitations/accept", json={"token": token}, headers=linde.member.headers
    )
    assert_problem(refused, 400)


async def test_a_removed_member_is_gone_from_the_organisation_and_removing_again_finds_nobody(
    directory: RunningService, admin: Headers, linde: Team
) -> None:
    client = directory.client
    ali = linde.member
    ali_path = f"/organisations/{linde.id}/members/{ali.person_id}"

    first = await client.delete(ali_path, headers=admin)
    second = await client.delete(ali_path, headers=admin)

    assert first.status_code == 204, first.text
    assert first.content == b""
    assert_problem(second, 404)
    assert (await client.get("/me", headers=ali.headers)).json()["organisations"] == []
    assert (await client.get(f"/organisations/{linde.id}/members", headers=admin)).json() == []


async def test_members_of_an_organisation_are_visible_to_it_and_to_staff_but_not_to_others(
    directory: RunningService,
    admin: Headers,
    linde: Team,
    mriya: Team,
) -> None:
    client = directory.client
    ali, jana = linde.member, mriya.member
    linde_members = f"/organisations/{linde.id}/members"

    by_outsider = await client.get(linde_members, headers=jana.headers)
    by_staff = await client.get(linde_members, headers=admin)
    by_member = await client.get(linde_members, headers=ali.headers)

    assert_problem(by_outsider, 403)
    assert_problem(await client.get(linde_members), 401)
    removal = await client.delete(f"{linde_members}/{ali.person_id}", headers=jana.headers)
    assert_problem(removal, 403)
    assert_problem(await invite(client, jana.headers, linde.id, "kemal@example.org", "K."), 403)
    assert by_staff.status_code == by_member.status_code == 200
    assert by_staff.json() == [
        {
            "person_id": ali.person_id,
            "name": "Ali",
            "email": "ali@example.org",
            "has_password": True,
        }
    ]
    assert by_member.json() == by_staff.json()


# --- log-in -------------------------------------------------------------------------------


async def test_after_five_failed_log_ins_even_the_right_password_must_wait(
    directory: RunningService,
) -> None:
    client = directory.client
    for _ in range(5):
        assert_problem(await try_log_in(client, ADMIN_EMAIL, "falsch-geraten"), 401)

    locked = await try_log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)

    assert_problem(locked, 429)
    assert 1 <= int(locked.headers["Retry-After"]) <= 300


async def test_a_locked_address_does_not_lock_others_and_opens_again_after_the_lock_time(
    strict_directory: RunningService, rabbit: RabbitVhost
) -> None:
    client = strict_directory.client
    clock = FakeClock()
    strict_directory.app.state.directory.clock = clock
    admin = await log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    treff = await register(client, admin, "Nachbarschaftstreff Linde")
    async with StreamTap(rabbit.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as commands:
        await onboard(client, admin, commands, treff["id"], "ali@example.org", "Ali")

    for _ in range(3):
        assert_problem(await try_log_in(client, "ali@example.org", "falsch"), 401)
    locked = await try_log_in(client, "ALI@example.org", PASSWORD)
    assert_problem(locked, 429)
    assert 1 <= int(locked.headers["Retry-After"]) <= 3

    assert (await try_log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200
    assert (await try_log_in(client, "jemand@example.org", "falsch")).status_code == 401

    clock.now += int(locked.headers["Retry-After"])
    assert (await try_log_in(client, "ali@example.org", PASSWORD)).status_code == 200


async def test_forty_parallel_wrong_guesses_get_only_the_allowed_number_of_password_checks(
    directory: RunningService,
) -> None:
    guesses = await asyncio.gather(
        *(try_log_in(directory.client, ADMIN_EMAIL, f"falsch-{i}") for i in range(40))
    )

    statuses = sorted(g.status_code for g in guesses)
    assert statuses == [401] * 5 + [429] * 35  # 5 = login_max_failures: only they were checked
    assert_problem(await try_log_in(directory.client, ADMIN_EMAIL, ADMIN_PASSWORD), 429)


def client_at(app: Any, address: str) -> httpx.AsyncClient:
    """An HTTP client whose requests come from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_lock_caused_from_one_client_does_not_stop_the_member_logging_in_from_another(
    directory: RunningService,
) -> None:
    async with (
        client_at(directory.app, "203.0.113.66") as stranger,
        client_at(directory.app, "198.51.100.7") as member,
    ):
        guesses = [await try_log_in(stranger, ADMIN_EMAIL, f"falsch-{i}") for i in range(30)]
        assert [g.status_code for g in guesses] == [401] * 5 + [429] * 25
        assert_problem(await try_log_in(stranger, ADMIN_EMAIL, ADMIN_PASSWORD), 429)

        assert (await try_log_in(member, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200


async def test_behind_a_trusted_proxy_attempts_count_for_the_forwarded_client_not_the_proxy(
    directory_settings: Callable[..., DirectorySettings],
) -> None:
    settings = directory_settings(trusted_proxies=["10.0.0.0/8"])
    async with (
        running(create_app(settings)) as service,
        client_at(service.app, "10.0.0.2") as proxy,
    ):

        async def via_proxy(client_ip: str, password: str) -> httpx.Response:
            return await proxy.post(
                "/auth/token",
                data={"username": ADMIN_EMAIL, "password": password},
                headers={"X-Forwarded-For": f"6.6.6.6, {client_ip}"},
            )

        for _ in range(5):
            assert_problem(await via_proxy("203.0.113.66", "falsch"), 401)
        assert_problem(await via_proxy("203.0.113.66", ADMIN_PASSWORD), 429)
        assert (await via_proxy("198.51.100.7", ADMIN_PASSWORD)).status_code == 200


async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    directory: RunningService,
) -> None:
    wrong = await try_log_in(directory.client, ADMIN_EMAIL, "falsch-geraten")
    unknown = await try_log_in(directory.client, "niemand@example.org", "falsch-geraten")

    assert assert_problem(wrong, 401)["detail"] == assert_problem(unknown, 401)["detail"]
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"] == "Bearer"


# --- operations ---------------------------------------------------------------------------


async def test_the_directory_says_it_is_alive_and_ready(directory: RunningService) -> None:
    alive = await directory.client.get("/healthz")
    ready = await directory.client.get("/readyz")

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": True, "broker": True}}


async def test_the_metrics_count_the_http_requests_served(directory: RunningService) -> None:
    await directory.client.get("/healthz")

    metrics = await directory.client.get("/metrics")

    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert (
        'integrationsnetz_http_requests_total{method="GET",route="/healthz",status="200"}'
        in metrics.text
    )


async def test_the_published_key_is_the_one_that_signs_log_in_tokens(
    directory: RunningService, admin: Headers
) -> None:
    token = admin["Authorization"].removeprefix("Bearer ")

    jwks = await directory.client.get("/.well-known/jwks.json")

    assert jwks.status_code == 200
    [key] = jwks.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert key["kid"] == jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["EdDSA"],
        audience="integrationsnetz",
        issuer="integrationsnetz-directory",
    )
    assert claims["role"] == "admin"
    assert claims["orgs"] == []


async def test_an_organisation_gives_its_description_in_further_languages(
    directory: RunningService, admin: Headers
) -> None:
    client = directory.client
    mriya = await register(
        client,
        admin,
        "Ukrainischer Verein Mriya e.V.",
        description="Beratung und Treffpunkt für Familien aus der Ukraine.",
        descriptions={"uk": "Консультації та зустрічі для сімей з України."},
    )
    assert mriya["descriptions"] == {"uk": "Консультації та зустрічі для сімей з України."}
    changed = await client.patch(
        f"/organisations/{mriya['id']}",
        json={"descriptions": {"uk": "Консультації.", "ar": "استشارات ولقاءات."}},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    shown = (await client.get(f"/organisations/{mriya['id']}")).json()
    assert shown["descriptions"] == {"uk": "Консультації.", "ar": "استشارات ولقاءات."}
    assert shown["description"] == "Beratung und Treffpunkt für Familien aus der Ukraine."
    cleared = await client.patch(
        f"/organisations/{mriya['id']}", json={"descriptions": None}, headers=admin
    )
    assert cleared.status_code == 409
    assert cleared.json()["fields"] == ["descriptions"]
    not_a_tag = await client.patch(
        f"/organisations/{mriya['id']}", json={"descriptions": {"x!": "?"}}, headers=admin
    )
    assert not_a_tag.status_code == 422
    other = await register(client, admin, "Sportverein Eintracht Nord")
    assert other["descriptions"] == {}
