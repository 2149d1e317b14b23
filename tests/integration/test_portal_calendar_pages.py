"""The calendar in the portal (`/kalender`) against the real calendar and directory: the month
as an accessible table, the week, the paged list, each filter, what is seen signed out and
signed in, the feed of a filter, an event's file, and German pages for values that cannot be
right."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from tests.integration.browse_fixtures import JUNE, NEXT_YEAR, PUBLIC_URL, Browsed
from tests.integration.calendar_fixtures import event_ics_file

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def between(text: str, start: str, end: str) -> str:
    """The part of a page from `start` to the next `end` (or to the end of the main part)."""
    part = text.split(start, 1)[1].split("</main>", 1)[0]
    return part.split(end, 1)[0]


def day_cell(page: str, day: int) -> str:
    """The month table's cell of a June day (the cells of May and July have class "other")."""
    cells = re.findall(r"<td class=\"( today)?\">(.*?)</td>", page, flags=re.S)
    for _, cell in cells:
        if re.match(rf"\s*<span[^>]*>{day}<", cell):
            return str(cell)
    raise AssertionError(f"no cell for {day} June")


async def test_the_month_is_a_table_with_caption_and_headers_showing_each_public_date(
    browsed: Browsed,
) -> None:
    async with browsed.portal() as client:
        page = await client.get("/kalender", params={"ansicht": "monat", "monat": JUNE})

    assert page.status_code == 200, page.text
    html = page.text
    assert re.search(rf"<caption><h2>Juni {NEXT_YEAR}</h2></caption>", html)
    assert html.count('<th scope="col">') == 7
    assert '<abbr title="Montag">Mo</abbr>' in html
    assert len(re.findall(r'<th scope="row">', html)) in (5, 6)
    # the weekly Sprachcafé on each of its five Tuesdays, at its Berlin time
    tuesdays = [2, 9, 16, 23, 30]
    for day in tuesdays:
        assert "18:00 Sprachcafé" in day_cell(html, day), day
    assert "Kinderfußballturnier" in day_cell(html, 20)
    assert "22:30 Mitternachtstanz" in day_cell(html, 12)  # 20:30 UTC: still the 12th in Berlin
    assert "Vorstandssitzung" not in html  # only for the network
    assert f'href="/events/{browsed.events["Sprachcafé"]}"' in html
    assert f"?ansicht=monat&amp;monat={NEXT_YEAR}-07" in html
    assert f"?ansicht=monat&amp;monat={NEXT_YEAR}-05" in html


async def test_members_see_the_network_dates_too_and_the_page_says_so_to_others(
    browsed: Browsed,
) -> None:
    async with browsed.portal(signed_in_as="lindenhof") as member:
        signed_in = await member.get("/kalender", params={"monat": JUNE})
    async with browsed.portal() as anyone:
        signed_out = await anyone.get("/kalender", params={"monat": JUNE})

    assert "Vorstandssitzung" in day_cell(signed_in.text, 10)
    assert "nur im Netzwerk" in signed_in.text
    assert "Vorstandssitzung" not in signed_out.text
    assert "Angemeldete Mitglieder sehen auch die Termine" in signed_out.text


async def test_the_week_lists_each_day_from_monday_in_berlin_time(browsed: Browsed) -> None:
    week = dt.date(NEXT_YEAR, 6, 12).isocalendar()
    key = f"{week[0]}-W{week[1]:02d}"
    async with browsed.portal() as client:
        page = await client.get("/kalender", params={"ansicht": "woche", "woche": key})

    assert page.status_code == 200, page.text
    days = re.findall(r"<h3>(\w+), (\d\d\.\d\d\.\d{4})", page.text)
    assert [name for name, _ in days] == WEEKDAYS
    shown = {int(date[:2]): between(page.text, f"{name}, {date}", "<h3>") for name, date in days}
    assert "22:30 Mitternachtstanz" in shown[12]  # 20:30 UTC: on the 12th in Berlin
    assert "Seniorenhaus Lindenhof" in shown[12]  # the organiser's name beside it
    # the weekly Sprachcafé (from 2 June) falls on one day of every week
    [cafe] = [day for day in shown if day % 7 == 2]
    assert "18:00 Sprachcafé" in shown[cafe]
    quiet = [day for day in shown if day not in (cafe, 10, 12) and day <= 30]
    assert all("Keine Termine." in shown[day] for day in quiet)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, {"Sprachcafé", "Kinderfußballturnier", "Mitternachtstanz"}, id="all"),
        pytest.param({"zielgruppe": "children"}, {"Kinderfußballturnier"}, id="audience"),
        pytest.param({"handlungsfeld": "language_education"}, {"Sprachcafé"}, id="field"),
        pytest.param({"sprache": "UK"}, {"Sprachcafé"}, id="language"),
        pytest.param({"bezirk": "südstadt"}, {"Mitternachtstanz"}, id="district"),
        pytest.param({"organisation": "anadolu"}, {"Kinderfußballturnier"}, id="organisation"),
        pytest.param({"bezirk": "Nordstadt", "zielgruppe": "women"}, {"Sprachcafé"}, id="combined"),
        pytest.param({"zielgruppe": "seniors", "sprache": "uk"}, set(), id="nothing"),
        pytest.param({"bezirk": "", "zielgruppe": "", "sprache": ""}, None, id="empty-is-any"),
    ],
)
async def test_each_filter_narrows_the_list_to_the_dates_that_have_it(
    browsed: Browsed, filters: dict[str, str], expected: set[str] | None
) -> None:
    if "organisation" in filters:
        filters = {**filters, "organisation": browsed.ids[filters["organisation"]]}
    async with browsed.portal() as client:
        page = await client.get("/kalender", params={"ansicht": "liste", "monat": JUNE, **filters})

    assert page.status_code == 200, page.text
    titles = set(re.findall(r'<a href="/events/[^"]+">(?:\d\d:\d\d )?([^<]+)</a>', page.text))
    assert titles == (
        expected
        if expected is not None
        else {"Sprachcafé", "Kinderfußballturnier", "Mitternachtstanz"}
    )
    if expected == set():
        assert "Keine passenden Termine." in page.text


async def test_the_list_pages_through_the_dates_and_a_page_beyond_the_last_is_a_404(
    browsed: Browsed,
) -> None:
    june = {"ansicht": "liste", "monat": JUNE, "pro_seite": "10"}
    async with browsed.portal() as client:
        first = await client.get("/kalender", params=june)
        beyond = await client.get("/kalender", params={**june, "seite": "2"})
        few = await client.get("/kalender", params={**june, "zielgruppe": "newcomers"})

    # five Sprachcafé dates, the tournament and the dance: one page of ten
    assert len(re.findall(r'<a href="/events/', first.text)) == 7
    assert 'rel="next"' not in first.text
    assert beyond.status_code == 404
    assert "Diese Seite gibt es nicht" in beyond.text
    assert f"/kalender?ansicht=liste&amp;monat={JUNE}" in beyond.text
    assert few.text.count("Sprachcafé</a>") == 5


async def test_the_list_without_a_month_shows_the_coming_dates_from_today(
    browsed: Browsed,
) -> None:
    async with browsed.portal() as client:
        page = await client.get("/kalender", params={"ansicht": "liste"})

    assert "Die nächsten Termine" in page.text
    assert "Elternabend" in page.text  # in two weeks
    assert "Kinderfußballturnier" not in page.text  # June next year: beyond the 90 days


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"ansicht": "jahr"}, "Ansicht"),
        ({"monat": f"{NEXT_YEAR}-13"}, "Monat"),
        ({"monat": "1850-01"}, "Monat"),
        ({"ansicht": "woche", "woche": f"{NEXT_YEAR}-W54"}, "Woche"),
        ({"zielgruppe": "katzen"}, "Zielgruppe"),
        ({"handlungsfeld": "knitting"}, "Handlungsfeld"),
        ({"sprache": "deutsch!"}, "Sprache"),
        ({"organisation": "org-1"}, "Organisation"),
        ({"bezirk": "x" * 101}, "Stadtteil"),
        ({"ansicht": "liste", "seite": "0"}, "Seite"),
        ({"ansicht": "liste", "seite": "99999"}, "Seite"),
        ({"ansicht": "liste", "pro_seite": "1000"}, "Einträge pro Seite"),
    ],
)
async def test_a_filter_that_cannot_be_right_gets_a_german_400_naming_it(
    browsed: Browsed, params: dict[str, str], named: str
) -> None:
    await browsed.assert_filter_refused("/kalender", params, named)


async def test_the_feed_of_a_filter_is_offered_and_holds_the_filtered_public_dates(
    browsed: Browsed,
) -> None:
    async with browsed.portal() as client:
        page = await client.get(
            "/kalender", params={"monat": JUNE, "zielgruppe": "children", "bezirk": "Nordstadt"}
        )
        feed = await client.get(
            "/kalender.ics",
            params={
                "audience": "children",
                "from": f"{NEXT_YEAR}-06-01",
                "to": f"{NEXT_YEAR}-07-01",
            },
        )
        by_language = await client.get(
            "/kalender.ics",
            params={"language": "uk", "from": f"{NEXT_YEAR}-06-01", "to": f"{NEXT_YEAR}-07-01"},
        )

    host = PUBLIC_URL.removeprefix("https://")
    assert f'href="webcal://{host}/kalender.ics?district=Nordstadt&amp;audience=children"' in (
        page.text
    )
    assert "Diese Auswahl im eigenen Kalender" in page.text
    assert feed.status_code == 200, feed.text
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert summaries == {"Kinderfußballturnier"}
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(by_language.content).walk("VEVENT")}
    assert summaries == {"Sprachcafé"}


async def test_an_event_page_offers_its_ics_file_which_members_get_for_network_events_too(
    browsed: Browsed,
) -> None:
    public, board = browsed.events["Kinderfußballturnier"], browsed.events["Vorstandssitzung"]
    async with browsed.portal() as anyone:
        page = await anyone.get(f"/events/{public}")
        file = await anyone.get(f"/events/{public}/kalender.ics")
        hidden = await anyone.get(f"/events/{board}/kalender.ics")
    async with browsed.portal(signed_in_as="mriya") as member:
        for_member = await member.get(f"/events/{board}/kalender.ics")

    assert f'href="/events/{public}/kalender.ics"' in page.text
    assert "Zu meinem Kalender hinzufügen" in page.text
    vevent = event_ics_file(file, public)
    assert str(vevent["SUMMARY"]) == "Kinderfußballturnier"
    assert hidden.status_code == 404
    assert "nur im Netzwerk sichtbar" in hidden.text
    assert for_member.status_code == 200
    assert "Vorstandssitzung" in for_member.text
