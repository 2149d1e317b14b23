"""Co-organising needs the named organisation's consent: through the calendar's HTTP API, with
the real broker and database, what an invited organisation sees before and after accepting, and
how it declines or leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.integration.calendar_fixtures import Partners
from tests.support.amqp import StreamTap

NEXT_YEAR = dt.date.today().year + 1
BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = {"from": f"{NEXT_YEAR}-06-01", "to": f"{NEXT_YEAR}-07-01"}


def at(day: int, hour: int) -> str:
    return dt.datetime(NEXT_YEAR, 6, day, hour, tzinfo=BERLIN).isoformat()


def event_body(organisation_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "title": "Kinderfest im Hoeschpark",
        "starts_at": at(20, 14),
        "ends_at": at(20, 17),
        "district": "Nordstadt",
        "audience": ["children"],
        **changes,
    }


def listed(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["event_id"] for item in response.json()["items"]]


async def conflicts_of(partners: Partners, organisation_id: str) -> list[str]:
    found = await partners.calendar.get(
        "/conflicts",
        params={"organisation": organisation_id},
        headers=partners.editor_of(organisation_id),
    )
    assert found.status_code == 200, found.text
    return [item["id"] for item in found.json()["items"]]


async def three_organisations(partners: Partners) -> tuple[str, str, str]:
    """Mriya, Anadolu and Linde registered, in that order."""
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    anadolu = await partners.organisation("FC Anadolu Nordstadt")
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    return mriya, anadolu, linde


async def test_a_named_co_organiser_is_only_invited_until_an_editor_of_its_own_accepts(
    partners: Partners, calendar_events: StreamTap
) -> None:
    client = partners.calendar
    mriya, anadolu, linde = await three_organisations(partners)
    owner, theirs = partners.editor_of(mriya), partners.editor_of(anadolu)
    # a third organisation's event that the new one clashes with (same audience and district)
    other = await client.post(
        "/events", json=event_body(linde, title="Lesung"), headers=partners.editor_of(linde)
    )
    assert other.status_code == 201, other.text

    planned = await client.post(
        "/events", json=event_body(mriya, co_organiser_ids=[anadolu]), headers=owner
    )
    assert planned.status_code == 201, planned.text
    assert planned.json()["event"]["co_organiser_ids"] == []
    assert planned.json()["invited_co_organiser_ids"] == [anadolu]
    event_id = planned.json()["event"]["id"]

    # not in Anadolu's calendar, page or feed, no clash of Anadolu's, not on the stream
    shown = (await client.get(f"/events/{event_id}")).json()
    assert shown["co_organiser_ids"] == []
    assert "invited_organiser_ids" not in shown
    assert event_id not in listed(
        await client.get("/events", params={**WINDOW, "organisation": anadolu})
    )
    feed = await client.get(f"/organisations/{anadolu}/calendar.ics", params=WINDOW)
    assert "Kinderfest" not in feed.text
    [conflict] = (await calendar_events.wait_for("calendar.conflict.detected"))[-1:]
    assert conflict["data"]["organisation_ids"] == [mriya, linde]
    assert await conflicts_of(partners, anadolu) == []
    [scheduled] = [
        body
        for body in await calendar_events.wait_for("calendar.event.scheduled", count=2)
        if body["data"]["event_id"] == event_id
    ]
    assert scheduled["data"]["co_organiser_ids"] == []

    # Mriya's editor cannot accept for Anadolu; Anadolu's editor sees and accepts the invitation
    refused = await client.post(f"/events/{event_id}/co-organisers/{anadolu}/accept", headers=owner)
    assert refused.status_code == 403, refused.text
    assert (
        await client.get("/co-organiser-invitations", params={"organisation": anadolu})
    ).status_code == 401
    assert (
        await client.get(
            "/co-organiser-invitations", params={"organisation": anadolu}, headers=owner
        )
    ).status_code == 403
    invitations = await client.get(
        "/co-organiser-invitations", params={"organisation": anadolu}, headers=theirs
    )
    assert [(i["event_id"], i["organiser_id"]) for i in invitations.json()] == [(event_id, mriya)]
    accepted = await client.post(
        f"/events/{event_id}/co-organisers/{anadolu}/accept", headers=theirs
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["event"]["co_organiser_ids"] == [anadolu]
    assert accepted.json()["invited_co_organiser_ids"] == []

    assert event_id in listed(
        await client.get("/events", params={**WINDOW, "organisation": anadolu})
    )
    [updated] = await calendar_events.wait_for("calendar.event.updated")
    assert updated["data"]["co_organiser_ids"] == [anadolu]
    assert updated["data"]["changed_fields"] == ["co_organiser_ids"]
    assert await conflicts_of(partners, anadolu) == [conflict["data"]["conflict_id"]]
    assert (
        await client.get(
            "/co-organiser-invitations", params={"organisation": anadolu}, headers=theirs
        )
    ).json() == []


async def test_a_co_organiser_can_leave_and_a_declined_invitation_is_gone(
    partners: Partners, calendar_events: StreamTap
) -> None:
    client = partners.calendar
    mriya, anadolu, linde = await three_organisations(partners)
    owner = partners.editor_of(mriya)
    anadolus, lindes = partners.editor_of(anadolu), partners.editor_of(linde)
    clashing = await client.post("/events", json=event_body(linde, title="Lesung"), headers=lindes)
    assert clashing.status_code == 201, clashing.text
    planned = await client.post(
        "/events", json=event_body(mriya, co_organiser_ids=[anadolu, linde]), headers=owner
    )
    event_id = planned.json()["event"]["id"]

    # nobody declines or accepts for someone else, or without an invitation
    for action in ("accept", "decline"):
        foreign = await client.post(
            f"/events/{event_id}/co-organisers/{linde}/{action}", headers=anadolus
        )
        assert foreign.status_code == 403, foreign.text
    uninvited = await client.post(
        f"/events/{clashing.json()['event']['id']}/co-organisers/{anadolu}/accept", headers=anadolus
    )
    assert uninvited.status_code == 404, uninvited.text
    assert uninvited.json()["type"].endswith("/no-invitation")

    declined = await client.post(
        f"/events/{event_id}/co-organisers/{linde}/decline", headers=lindes
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["invited_co_organiser_ids"] == [anadolu]
    again = await client.post(f"/events/{event_id}/co-organisers/{linde}/accept", headers=lindes)
    assert again.status_code == 404, again.text

    joined = await client.post(
        f"/events/{event_id}/co-organisers/{anadolu}/accept", headers=anadolus
    )
    assert joined.json()["event"]["co_organiser_ids"] == [anadolu]
    left = await client.delete(f"/events/{event_id}/co-organisers/{anadolu}", headers=anadolus)
    assert left.status_code == 200, left.text
    assert left.json()["event"]["co_organiser_ids"] == []
    assert event_id not in listed(
        await client.get("/events", params={**WINDOW, "organisation": anadolu})
    )
    assert await conflicts_of(partners, anadolu) == []
    updates = await calendar_events.wait_for("calendar.event.updated", count=2)
    assert [u["data"]["co_organiser_ids"] for u in updates] == [[anadolu], []]
    # the organiser may take co-organisers off too, but a stranger may not
    rejoin = await client.patch(
        f"/events/{event_id}", json={"co_organiser_ids": [anadolu]}, headers=owner
    )
    assert rejoin.json()["invited_co_organiser_ids"] == [anadolu]
    stranger = partners.editor_of(linde)
    assert (
        await client.delete(f"/events/{event_id}/co-organisers/{anadolu}", headers=stranger)
    ).status_code == 403
    withdrawn = await client.delete(f"/events/{event_id}/co-organisers/{anadolu}", headers=owner)
    assert withdrawn.json()["invited_co_organiser_ids"] == []


async def test_a_member_of_both_organisations_or_office_staff_names_a_co_organiser_directly(
    partners: Partners,
) -> None:
    client = partners.calendar
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    anadolu = await partners.organisation("FC Anadolu Nordstadt")
    both = partners.editor_of(mriya, anadolu)
    by_member = await client.post(
        "/events", json=event_body(mriya, co_organiser_ids=[anadolu]), headers=both
    )
    assert by_member.json()["event"]["co_organiser_ids"] == [anadolu]
    by_office = await client.post(
        "/events",
        json=event_body(mriya, co_organiser_ids=[anadolu], starts_at=at(21, 9), ends_at=at(21, 10)),
        headers=partners.admin,
    )
    assert by_office.json()["event"]["co_organiser_ids"] == [anadolu]
