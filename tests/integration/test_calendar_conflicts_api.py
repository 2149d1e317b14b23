"""Conflicts through the calendar's HTTP API once their dates are over. Real app, broker,
database and directory."""

from __future__ import annotations

from tests.integration.calendar_fixtures import Partners
from tests.integration.test_calendar_api import plan_for


async def test_conflicts_whose_dates_are_over_are_no_longer_listed(partners: Partners) -> None:
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    moschee = await partners.organisation("Moscheeverein Nordstadt")
    past = {"starts_at": "2001-06-20T14:00:00+02:00", "ends_at": "2001-06-20T17:00:00+02:00"}
    await plan_for(partners, mriya, venue=None, **past)
    picnic = await plan_for(partners, moschee, venue=None, **past)
    assert [c["kind"] for c in picnic["conflicts"]] == ["audience"]
    await plan_for(partners, mriya, venue=None)
    coming = await plan_for(partners, moschee, venue=None)
    [open_one] = coming["conflicts"]

    listed = await partners.calendar.get(
        "/conflicts", params={"organisation": mriya}, headers=partners.admin
    )
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [open_one["id"]]
    assert listed.json()["total"] == 1
