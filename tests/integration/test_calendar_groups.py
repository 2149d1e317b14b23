"""The story of a working group through the calendar's HTTP API, with the real broker and
database: a coordinator founds a group, one organisation asks to join and is accepted, another
is invited and accepts; a meeting is planned, moved and called off, and each time both members'
addresses are sent the email command with an iCalendar REQUEST (SEQUENCE counted up) or CANCEL.
The public stream hears of the group without its contact people."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts.base import COMMANDS_EXCHANGE
from tests.integration.calendar_fixtures import (
    Partners,
    email_of,
    invitation,
    ok,
    problem_slug,
)
from tests.integration.directory_fixtures import emails_to
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.mail import tagged
from tests.support.members import SEND_EMAIL

NEXT_YEAR = dt.date.today().year + 1
BERLIN = ZoneInfo("Europe/Berlin")
CONTACT = {"name": "Ayşe Demir", "email": "ayse.demir@example.org", "role": "Koordination"}


async def test_a_group_meets_and_its_members_are_sent_each_version_of_the_meeting(
    partners: Partners, rabbit: RabbitVhost, calendar_events: StreamTap
) -> None:
    addresses = {name: tagged(name) for name in ("buero", "mriya", "linde")}
    buero = await partners.organisation("Integrationsbüro", email=addresses["buero"])
    mriya = await partners.organisation("Verein Mriya", email=addresses["mriya"])
    linde = await partners.organisation("Treff Linde", email=addresses["linde"])
    coordinator = partners.editor_of(buero)
    calendar = partners.calendar

    async with StreamTap(rabbit.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as commands:
        group = ok(
            await calendar.post(
                "/groups",
                json={
                    "name": "Netzwerk der Communitys",
                    "purpose": "Austausch zweimal im Jahr",
                    "coordinator_id": buero,
                    "visibility": "network",
                    "contacts": [CONTACT],
                },
                headers=coordinator,
            ),
            201,
        )
        group_id = group["id"]

        ok(
            await calendar.post(
                f"/groups/{group_id}/join-requests",
                json={"organisation_id": mriya},
                headers=partners.editor_of(mriya),
            )
        )
        [asked] = await emails_to(commands, addresses["buero"])
        assert asked["template"] == "group_join_requested"
        assert asked["params"]["organisation_name"] == "Verein Mriya"
        shown = ok(await calendar.get(f"/groups/{group_id}", headers=coordinator))
        assert [m["state"] for m in shown["members"]] == ["member", "requested"]
        ok(await calendar.post(f"/groups/{group_id}/members/{mriya}/accept", headers=coordinator))

        ok(
            await calendar.post(
                f"/groups/{group_id}/invitations",
                json={"organisation_id": linde},
                headers=coordinator,
            )
        )
        [invited] = await emails_to(commands, addresses["linde"])
        assert invited["template"] == "group_invitation"
        ok(
            await calendar.post(
                f"/groups/{group_id}/members/{linde}/accept", headers=partners.editor_of(linde)
            )
        )

        as_member = ok(await calendar.get(f"/groups/{group_id}", headers=partners.editor_of(mriya)))
        assert as_member["is_member"] is True
        assert as_member["member_count"] == 3
        assert as_member["contacts"][0]["email"] == CONTACT["email"]
        outsider = await partners.organisation("Sportverein Nord")
        as_outsider = ok(
            await calendar.get(f"/groups/{group_id}", headers=partners.editor_of(outsider))
        )
        assert as_outsider["contacts"] == []
        assert as_outsider["may_manage"] is False
        assert (await calendar.get(f"/groups/{group_id}")).status_code == 404  # network only

        planned = ok(
            await calendar.post(
                "/events",
                json={
                    "organisation_id": buero,
                    "title": "Treffen der Arbeitsgruppe",
                    "starts_at": dt.datetime(NEXT_YEAR, 6, 20, 14, tzinfo=BERLIN).isoformat(),
                    "ends_at": dt.datetime(NEXT_YEAR, 6, 20, 16, tzinfo=BERLIN).isoformat(),
                    "visibility": "network",
                    "group_id": group_id,
                    "topic": "Fördermittel einwerben",
                },
                headers=coordinator,
            ),
            201,
        )
        event_id = planned["event"]["id"]
        assert planned["event"]["group_id"] == group_id
        assert planned["event"]["topic"] == "Fördermittel einwerben"
        uid = f"{event_id}@integrationsnetz"

        sequences: list[int] = []
        for name in ("mriya", "linde"):
            invited_to = await email_of(commands, addresses[name], "meeting_invitation")
            method, vevent = invitation(invited_to)
            assert method == "REQUEST"
            assert str(vevent["UID"]) == uid
            assert invited_to["params"]["topic"] == "Fördermittel einwerben"
            assert invited_to["params"]["group_link"].endswith(f"/arbeitsgruppen/{group_id}")
            sequences.append(vevent.decoded("SEQUENCE"))
        assert sequences[0] == sequences[1]

        ok(
            await calendar.patch(
                f"/events/{event_id}",
                json={"starts_at": dt.datetime(NEXT_YEAR, 6, 27, 14, tzinfo=BERLIN).isoformat()},
                headers=coordinator,
            )
        )
        for name in ("mriya", "linde"):
            moved = await email_of(commands, addresses[name], "meeting_rescheduled")
            method, vevent = invitation(moved)
            assert method == "REQUEST"
            assert str(vevent["UID"]) == uid
            assert vevent.decoded("SEQUENCE") == sequences[0] + 1

        ok(await calendar.post(f"/events/{event_id}/cancel", headers=coordinator))
        for name in ("mriya", "linde", "buero"):
            method, vevent = invitation(
                await email_of(commands, addresses[name], "meeting_cancelled")
            )
            assert method == "CANCEL"
            assert str(vevent["UID"]) == uid

    meetings = ok(
        await calendar.get(f"/groups/{group_id}/meetings", headers=partners.editor_of(linde))
    )
    assert [m["id"] for m in meetings["items"]] == [event_id]
    filtered = ok(
        await calendar.get(
            "/events",
            params={"group_id": group_id, "from": f"{NEXT_YEAR}-06-01", "to": f"{NEXT_YEAR}-07-01"},
            headers=coordinator,
        )
    )
    assert [item["event_id"] for item in filtered["items"]] == []  # cancelled: not listed

    updates = await calendar_events.wait_for("calendar.group.updated", count=2)
    [created] = calendar_events.of_type("calendar.group.created")
    assert created["data"]["member_ids"] == [buero]
    assert sorted(updates[-1]["data"]["member_ids"]) == sorted([buero, mriya, linde])
    everything = json.dumps(calendar_events.bodies())
    assert "Ayşe" not in everything
    assert CONTACT["email"] not in everything
    for address in addresses.values():
        assert address not in everything


async def test_the_group_rules_of_meetings_and_memberships_are_answered_with_their_slugs(
    partners: Partners,
) -> None:
    buero = await partners.organisation("Integrationsbüro")
    mriya = await partners.organisation("Verein Mriya")
    coordinator = partners.editor_of(buero)
    calendar = partners.calendar
    group = ok(
        await calendar.post(
            "/groups",
            json={"name": "AG Sprache", "coordinator_id": buero, "visibility": "network"},
            headers=coordinator,
        ),
        201,
    )

    def meeting(**changes: Any) -> dict[str, Any]:
        return {
            "organisation_id": buero,
            "title": "Treffen",
            "starts_at": dt.datetime(NEXT_YEAR, 6, 20, 14, tzinfo=BERLIN).isoformat(),
            "ends_at": dt.datetime(NEXT_YEAR, 6, 20, 16, tzinfo=BERLIN).isoformat(),
            "visibility": "network",
            "group_id": group["id"],
            **changes,
        }

    wider = await calendar.post("/events", json=meeting(visibility="public"), headers=coordinator)
    assert problem_slug(wider, 422) == "visibility-wider-than-group"
    other = await calendar.post(
        "/events", json=meeting(organisation_id=mriya), headers=partners.editor_of(mriya)
    )
    assert problem_slug(other, 403) == "forbidden"
    left = await calendar.delete(f"/groups/{group['id']}/members/{buero}", headers=coordinator)
    assert problem_slug(left, 409) == "coordinator-cannot-leave"
    again = await calendar.post(
        f"/groups/{group['id']}/join-requests", json={"organisation_id": buero}, headers=coordinator
    )
    assert problem_slug(again, 409) == "already-member"
    foreign = await calendar.post(
        "/groups", json={"name": "X", "coordinator_id": buero}, headers=partners.editor_of(mriya)
    )
    assert problem_slug(foreign, 403) == "forbidden"
    unknown = await calendar.get(
        "/groups/01a20175-6dad-718f-a12c-c0b9a10eb02c", headers=coordinator
    )
    assert problem_slug(unknown, 404) == "group-not-found"
    bad = await calendar.post(
        "/groups", json={"name": "", "coordinator_id": buero}, headers=coordinator
    )
    assert bad.status_code == 422
