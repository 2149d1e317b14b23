"""The calendar through its HTTP API, against the real app, broker, database and a directory
served over HTTP: clashes, series, feeds, permissions, validation and the directory's events."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from tests.integration.calendar_fixtures import Partners, event_ics_file
from tests.support.amqp import StreamTap
from tests.support.problems import assert_problem

Headers = dict[str, str]
NEXT_YEAR = dt.date.today().year + 1
BERLIN = ZoneInfo("Europe/Berlin")


def at(month: int, day: int, hour: int, minute: int = 0) -> str:
    """A Berlin wall time next year, RFC 3339 with its offset."""
    return dt.datetime(NEXT_YEAR, month, day, hour, minute, tzinfo=BERLIN).isoformat()


def utc(month: int, day: int, hour: int) -> str:
    """The same moment as `at(...)`, as the event stream writes it."""
    moment = dt.datetime(NEXT_YEAR, month, day, hour, tzinfo=BERLIN).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def event_body(organisation_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "title": "Kinderfest im Hoeschpark",
        "starts_at": at(6, 20, 14),
        "ends_at": at(6, 20, 17),
        "venue": {"name": "Stadtteilzentrum Nordstadt", "room": "Saal 2"},
        "district": "Nordstadt",
        "audience": ["children", "families"],
        **changes,
    }


async def plan(partners: Partners, headers: Headers, **body: Any) -> dict[str, Any]:
    """Plan an event; returns what the calendar saved."""
    return await plan_with(partners, "/events", body, headers)


async def plan_for(partners: Partners, organisation_id: str, **changes: Any) -> dict[str, Any]:
    """An editor of the organisation plans an event of it (`event_body` with `changes`)."""
    body = event_body(organisation_id, **changes)
    return await plan(partners, partners.editor_of(organisation_id), **body)


async def test_two_organisations_booking_one_room_at_once_get_a_409_naming_the_other_event(
    partners: Partners, calendar_events: StreamTap
) -> None:
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    anadolu = await partners.organisation("FC Anadolu Nordstadt")
    first = await plan_for(partners, mriya, audience=[])
    first_id = first["event"]["id"]

    clash = event_body(
        anadolu,
        title="Vereinsversammlung",
        starts_at=at(6, 20, 16),
        ends_at=at(6, 20, 18),
        venue={"name": "stadtteilzentrum  NORDSTADT", "room": "saal 2"},
        audience=[],
    )
    refused = await partners.calendar.post(
        "/events", json=clash, headers=partners.editor_of(anadolu)
    )
    problem = assert_problem(refused, 409)
    assert problem["type"].endswith("/room-clash")
    assert "Kinderfest im Hoeschpark" in problem["detail"]
    assert "16:00–17:00" in problem["detail"]
    assert problem["clashes"][0]["event_id"] == first_id
    assert problem["clashes"][0]["organisation_id"] == mriya

    # another room, or the same room later, is fine
    other_room = {**clash, "venue": {"name": "Stadtteilzentrum Nordstadt", "room": "Saal 3"}}
    await plan(partners, partners.editor_of(anadolu), **other_room)
    later = {**clash, "starts_at": at(6, 20, 18), "ends_at": at(6, 20, 19)}
    await plan(partners, partners.editor_of(anadolu), **later)

    # an editor may not override; office staff may, and the conflict is announced
    by_editor = await partners.calendar.post(
        "/events?override=true", json=clash, headers=partners.editor_of(anadolu)
    )
    assert_problem(by_editor, 403)
    overridden = await plan_with(partners, "/events?override=true", clash, partners.admin)
    [conflict] = overridden["conflicts"]
    assert conflict["kind"] == "room"
    assert conflict["other_event_id"] == first_id
    [published] = await calendar_events.wait_for("calendar.conflict.detected")
    assert published["data"]["conflict_kind"] == "room"
    assert sorted(published["data"]["organisation_ids"]) == sorted([mriya, anadolu])
    assert published["data"]["venue"]["room"].casefold() == "saal 2"


async def plan_with(
    partners: Partners, path: str, body: dict[str, Any], headers: Headers
) -> dict[str, Any]:
    response = await partners.calendar.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    saved: dict[str, Any] = response.json()
    return saved


async def test_the_same_audience_in_the_same_district_is_saved_listed_and_announced_once(
    partners: Partners, calendar_events: StreamTap
) -> None:
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    moschee = await partners.organisation("Moscheeverein Nordstadt")
    festival = await plan_for(partners, mriya, venue=None)
    festival_id = festival["event"]["id"]

    editor = partners.editor_of(moschee)
    picnic = await plan_for(
        partners,
        moschee,
        title="Familienpicknick",
        starts_at=at(6, 20, 15),
        ends_at=at(6, 20, 19),
        venue={"name": "Hoeschpark"},
        district="NORDSTADT",
        audience=["families", "seniors"],
    )
    picnic_id = picnic["event"]["id"]
    [conflict] = picnic["conflicts"]
    assert conflict["kind"] == "audience"
    assert conflict["other_event_id"] == festival_id
    assert conflict["other_event_title"] == "Kinderfest im Hoeschpark"
    assert conflict["shared_audience"] == ["families"]
    assert (conflict["overlap_starts_at"], conflict["overlap_ends_at"]) == (
        at(6, 20, 15),
        at(6, 20, 17),
    )

    [published] = await calendar_events.wait_for("calendar.conflict.detected")
    data = published["data"]
    assert (data["conflict_id"], data["conflict_kind"]) == (conflict["id"], "audience")
    assert (data["event_id"], data["other_event_id"]) == (picnic_id, festival_id)
    assert sorted(data["organisation_ids"]) == sorted([mriya, moschee])
    assert published["subject"] == conflict["id"]

    for organisation, headers in ((mriya, partners.editor_of(mriya)), (moschee, editor)):
        listed = await partners.calendar.get(
            "/conflicts", params={"organisation": organisation}, headers=headers
        )
        assert [c["id"] for c in listed.json()["items"]] == [conflict["id"]]
    outsider = await partners.calendar.get(
        "/conflicts", params={"organisation": mriya}, headers=editor
    )
    assert_problem(outsider, 403)

    # saving it again (a new title) keeps the conflict and announces nothing new
    renamed = await partners.calendar.patch(
        f"/events/{picnic_id}", json={"title": "Großes Familienpicknick"}, headers=editor
    )
    assert renamed.status_code == 200, renamed.text
    assert [c["id"] for c in renamed.json()["conflicts"]] == [conflict["id"]]
    assert renamed.json()["event"]["sequence"] == 1
    # moved away, the conflict closes
    moved = await partners.calendar.patch(
        f"/events/{picnic_id}",
        json={"starts_at": at(6, 20, 18), "ends_at": at(6, 20, 20)},
        headers=editor,
    )
    assert moved.json()["conflicts"] == []
    assert moved.json()["event"]["sequence"] == 2
    [rescheduled] = await calendar_events.wait_for("calendar.event.rescheduled")
    assert rescheduled["data"]["previous_starts_at"] == utc(6, 20, 15)
    listed = await partners.calendar.get(
        "/conflicts", params={"organisation": mriya}, headers=partners.admin
    )
    assert listed.json()["items"] == []
    assert len(calendar_events.of_type("calendar.conflict.detected")) == 1


async def test_a_weekly_event_with_one_cancelled_date_shows_correctly_in_the_list_and_the_feed(
    partners: Partners, calendar_events: StreamTap
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    editor = partners.editor_of(treff)
    saved = await plan_for(
        partners,
        treff,
        title="Deutsch-Café",
        starts_at=at(3, 17, 18),
        ends_at=at(3, 17, 20),
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=5"},
        venue={"name": "Linde", "room": "Café"},
    )
    event_id = saved["event"]["id"]
    cancelled = await partners.calendar.post(
        f"/events/{event_id}/cancel",
        json={"occurrence": at(3, 31, 18), "reason": "Osterferien"},
        headers=editor,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["sequence"] == 1
    assert cancelled.json()["status"] == "scheduled"
    [announced] = await calendar_events.wait_for("calendar.event.cancelled")
    assert announced["data"]["occurrence_start"] == utc(3, 31, 18)

    listed = await partners.calendar.get(
        "/events",
        params={"from": f"{NEXT_YEAR}-03-01", "to": f"{NEXT_YEAR}-05-01", "organisation": treff},
    )
    assert listed.status_code == 200, listed.text
    starts = [item["starts_at"] for item in listed.json()["items"]]
    # 18:00 Berlin every Tuesday across the DST switch, without 31 March
    assert starts == [at(3, 17, 18), at(3, 24, 18), at(4, 7, 18), at(4, 14, 18)]
    with_cancelled = await partners.calendar.get(
        "/events",
        params={
            "from": f"{NEXT_YEAR}-03-01",
            "to": f"{NEXT_YEAR}-05-01",
            "organisation": treff,
            "include_cancelled": "true",
        },
    )
    statuses = [(i["starts_at"], i["status"]) for i in with_cancelled.json()["items"]]
    assert (at(3, 31, 18), "cancelled") in statuses

    feed = await partners.calendar.get(
        "/calendar.ics", params={"from": f"{NEXT_YEAR}-03-01", "to": f"{NEXT_YEAR}-05-01"}
    )
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(feed.content)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    [vevent] = [c for c in calendar.walk("VEVENT") if isinstance(c, VEvent)]
    assert vevent["UID"] == f"{event_id}@integrationsnetz"
    assert vevent["SEQUENCE"] == 1
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=5"
    assert [d.isoformat() for d in vevent.exdates] == [at(3, 31, 18)]
    assert vevent["URL"] == f"http://portal.test/events/{event_id}"

    # the organisation's own feed has it too (and nothing of others)
    # the series lies in spring of next year: name the window, the default one (a year ahead)
    # does not reach it when the suite runs before mid-March
    spring = {"from": f"{NEXT_YEAR}-03-01", "to": f"{NEXT_YEAR}-05-01"}
    own = await partners.calendar.get(f"/organisations/{treff}/calendar.ics", params=spring)
    assert own.status_code == 200
    own_calendar = Calendar.from_ical(own.content)
    assert [str(e["UID"]) for e in own_calendar.walk("VEVENT")] == [f"{event_id}@integrationsnetz"]
    assert "Nachbarschaftstreff Linde" in str(own_calendar["X-WR-CALNAME"])

    # moving one occurrence: it shows at its new time and as a RECURRENCE-ID in the feed
    moved = await partners.calendar.patch(
        f"/events/{event_id}/occurrences/{utc(4, 7, 18)}",
        json={"starts_at": at(4, 8, 18), "ends_at": at(4, 8, 20)},
        headers=editor,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["occurrence"]["moved"] is True
    assert moved.json()["event"]["sequence"] == 2
    feed = await partners.calendar.get(f"/organisations/{treff}/calendar.ics", params=spring)
    master, exception = Calendar.from_ical(feed.content).walk("VEVENT")
    assert exception["UID"] == master["UID"]
    assert exception.decoded("RECURRENCE-ID").isoformat() == at(4, 7, 18)
    assert exception.decoded("DTSTART").isoformat() == at(4, 8, 18)
    assert master["SEQUENCE"] == exception["SEQUENCE"] == 2


async def test_one_event_as_an_ics_file_carries_its_feed_uid_and_network_ones_need_a_token(
    partners: Partners,
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    editor = partners.editor_of(treff)
    public = await plan_for(
        partners, treff, title="Deutsch-Café", starts_at=at(9, 8, 18), ends_at=at(9, 8, 20)
    )
    board = await plan_for(
        partners,
        treff,
        title="Vorstandssitzung",
        starts_at=at(9, 9, 18),
        ends_at=at(9, 9, 20),
        visibility="network",
    )
    public_id, board_id = public["event"]["id"], board["event"]["id"]

    file = await partners.calendar.get(f"/events/{public_id}/calendar.ics")
    hidden = await partners.calendar.get(f"/events/{board_id}/calendar.ics")
    for_member = await partners.calendar.get(f"/events/{board_id}/calendar.ics", headers=editor)
    unknown = await partners.calendar.get(
        "/events/01a20175-6dad-718f-a12c-c0b9a10eb02c/calendar.ics"
    )

    vevent = event_ics_file(file, public_id)
    assert str(vevent["SUMMARY"]) == "Deutsch-Café"
    assert vevent.decoded("DTSTART").isoformat() == at(9, 8, 18)
    assert vevent["URL"] == f"http://portal.test/events/{public_id}"
    assert_problem(hidden, 404)
    assert for_member.status_code == 200
    assert "Vorstandssitzung" in for_member.text
    assert_problem(unknown, 404)


async def test_editors_cannot_touch_other_organisations_events(partners: Partners) -> None:
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    anadolu = await partners.organisation("FC Anadolu Nordstadt")
    owner = partners.editor_of(mriya)
    stranger = partners.editor_of(anadolu)
    saved = await plan_for(
        partners, mriya, visibility="network", recurrence={"rrule": "FREQ=DAILY;COUNT=3"}
    )
    event_id = saved["event"]["id"]
    client = partners.calendar

    assert_problem(await client.post("/events", json=event_body(mriya), headers=stranger), 403)
    assert_problem(await client.post("/events", json=event_body(mriya)), 401)
    assert_problem(
        await client.patch(f"/events/{event_id}", json={"title": "Meins"}, headers=stranger), 403
    )
    assert_problem(await client.post(f"/events/{event_id}/cancel", headers=stranger), 403)
    assert_problem(
        await client.patch(
            f"/events/{event_id}/occurrences/{utc(6, 21, 14)}",
            json={"starts_at": at(6, 22, 9), "ends_at": at(6, 22, 10)},
            headers=stranger,
        ),
        403,
    )
    assert_problem(
        await client.post(
            "/imports",
            json={"organisation_id": mriya, "url": "https://mriya.example/cal.ics"},
            headers=stranger,
        ),
        403,
    )
    # a network event is hidden from the public, in the list and the feed
    assert_problem(await client.get(f"/events/{event_id}"), 404)
    assert (await client.get(f"/events/{event_id}", headers=stranger)).status_code == 200
    window = {"from": f"{NEXT_YEAR}-06-01", "to": f"{NEXT_YEAR}-07-01"}
    assert (await client.get("/events", params=window)).json()["items"] == []
    assert len((await client.get("/events", params=window, headers=stranger)).json()["items"]) == 3
    assert b"BEGIN:VEVENT" not in (await client.get("/calendar.ics", params=window)).content
    # co-organisers see it in their calendar, but may not change it ...
    shared = await client.patch(
        f"/events/{event_id}", json={"co_organiser_ids": [anadolu]}, headers=owner
    )
    assert shared.status_code == 200, shared.text
    # ... once they accept (naming them only invites them)
    accepted = await client.post(
        f"/events/{event_id}/co-organisers/{anadolu}/accept", headers=stranger
    )
    assert accepted.status_code == 200, accepted.text
    theirs = await client.get(
        "/events", params={**window, "organisation": anadolu}, headers=stranger
    )
    assert len(theirs.json()["items"]) == 3
    assert_problem(
        await client.patch(f"/events/{event_id}", json={"title": "Unseres"}, headers=stranger),
        403,
    )
    # office staff may change anyone's event
    by_admin = await client.patch(
        f"/events/{event_id}", json={"title": "Geändert vom Büro"}, headers=partners.admin
    )
    assert by_admin.status_code == 200, by_admin.text


async def test_impossible_times_and_rules_get_problem_details(partners: Partners) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    editor = partners.editor_of(treff)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"starts_at": at(6, 20, 17), "ends_at": at(6, 20, 14)}, 422, "end after it starts"),
        ({"starts_at": at(6, 1, 10), "ends_at": at(6, 16, 10)}, 422, "at most 14 days"),
        ({"recurrence": {"rrule": "FREQ=SOMETIMES;COUNT=3"}}, 422, "cannot be read"),
        ({"recurrence": {"rrule": "this is no rule"}}, 422, "Malformed"),
        ({"recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=TU"}}, 422, "COUNT or UNTIL"),
        ({"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=200"}}, 422, "two years"),
        (
            {"recurrence": {"rrule": f"FREQ=MONTHLY;UNTIL={NEXT_YEAR + 3}0101T000000Z"}},
            422,
            "two years",
        ),
        ({"starts_at": "2026-06-20T14:00:00", "ends_at": "2026-06-20T15:00:00"}, 422, "validation"),
        ({"timezone": "Mars/Olympus_Mons"}, 422, "validation"),
    ]
    for changes, status, words in cases:
        response = await partners.calendar.post(
            "/events", json=event_body(treff, **changes), headers=editor
        )
        problem = assert_problem(response, status)
        assert words in problem["detail"], (changes, problem)
    malformed = await partners.calendar.post(
        "/events", content=b"{not json", headers={**editor, "content-type": "application/json"}
    )
    assert_problem(malformed, 400)
    unknown = await partners.calendar.post(
        "/events",
        json=event_body("01a20175-6dad-718f-a12c-c0b9a10eb02c"),
        headers=partners.admin,
    )
    assert_problem(unknown, 422)
    assert_problem(
        await partners.calendar.get("/events", params={"from": "2026-01-01", "to": "2027-06-01"}),
        422,
    )


async def test_archiving_an_organisation_in_the_directory_cancels_its_future_events(
    partners: Partners, calendar_events: StreamTap
) -> None:
    leaving = await partners.organisation("Kulturverein Morgenland")
    staying = await partners.organisation("Stadtteilbüro Hafen")
    editor = partners.editor_of(leaving)
    future = await plan_for(partners, leaving, venue=None, audience=[])
    series = await plan_for(
        partners,
        leaving,
        venue=None,
        audience=[],
        recurrence={"rrule": "FREQ=MONTHLY;COUNT=3"},
        starts_at=at(9, 1, 10),
        ends_at=at(9, 1, 12),
    )
    other = await plan_for(partners, staying, venue=None, audience=[])
    # an event that is over already stays as it was
    past = await plan(
        partners,
        partners.admin,
        **event_body(
            leaving,
            venue=None,
            audience=[],
            starts_at="2025-03-01T10:00:00+01:00",
            ends_at="2025-03-01T12:00:00+01:00",
        ),
    )

    archived = await partners.directory.delete(f"/organisations/{leaving}", headers=partners.admin)
    assert archived.status_code == 200, archived.text
    await partners.known(leaving, "archived")
    cancelled = await calendar_events.wait_for("calendar.event.cancelled", count=2)
    assert {c["subject"] for c in cancelled} == {future["event"]["id"], series["event"]["id"]}
    assert all(c["data"]["occurrence_start"] is None for c in cancelled)

    async def status_of(saved: dict[str, Any]) -> str:
        response = await partners.calendar.get(f"/events/{saved['event']['id']}")
        value: str = response.json()["status"]
        return value

    assert await status_of(future) == "cancelled"
    assert await status_of(series) == "cancelled"
    assert await status_of(other) == "scheduled"
    assert await status_of(past) == "scheduled"
    # and it cannot plan anything any more
    refused = await partners.calendar.post("/events", json=event_body(leaving), headers=editor)
    assert_problem(refused, 409)


async def test_requests_without_valid_tokens_are_refused(partners: Partners) -> None:
    forged = {"Authorization": "Bearer not.a.token"}
    assert_problem(await partners.calendar.get("/conflicts?organisation=x", headers=forged), 401)
    # the operational endpoints answer
    assert (await partners.calendar.get("/healthz")).json() == {"status": "ok"}
    assert (await partners.calendar.get("/readyz")).status_code == 200
    metrics = await partners.calendar.get("/metrics")
    assert "integrationsnetz_http_requests_total" in metrics.text
    await asyncio.sleep(0)


async def test_a_feed_without_a_window_shows_the_last_month_and_the_coming_year(
    partners: Partners,
) -> None:
    """What a calendar app subscribed to the plain feed URL gets: dates relative to today."""
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    today = dt.datetime.now(BERLIN).replace(hour=18, minute=0, second=0, microsecond=0)
    titles = {
        "Vor fünf Wochen": today - dt.timedelta(days=35),
        "Vor drei Wochen": today - dt.timedelta(days=21),
        "In drei Wochen": today + dt.timedelta(days=21),
        "In elf Monaten": today + dt.timedelta(days=335),
        "In dreizehn Monaten": today + dt.timedelta(days=400),
    }
    for title, starts in titles.items():
        await plan_for(
            partners,
            linde,
            title=title,
            starts_at=starts.isoformat(),
            ends_at=(starts + dt.timedelta(hours=2)).isoformat(),
            venue={"name": f"Treff Linde {title}"},
        )

    feed = await partners.calendar.get(f"/organisations/{linde}/calendar.ics")

    assert feed.status_code == 200, feed.text
    shown = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert shown == {"Vor drei Wochen", "In drei Wochen", "In elf Monaten"}
