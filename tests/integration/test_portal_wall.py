""" "Suchen und Bieten" in the portal (`/suchen-bieten`) against the real exchange: open offers
and requests, each filter and the words of `q`, pages and their bounds, the members' links to
post, and German pages for values that cannot be right."""

from __future__ import annotations

import re

import pytest

from tests.integration.browse_fixtures import CHAIRS, Browsed

ALL_BUT_CHAIRS = {"Sprachpartner zum Deutschüben", "Senioren als Sprachpartner"}


def listed(page: str) -> dict[str, set[str]]:
    """The titles on the wall, by side ("offers", "requests")."""
    found: dict[str, set[str]] = {"offers": set(), "requests": set()}
    for side, title in re.findall(r'<a href="/(offers|requests)/[0-9a-f-]{36}">([^<]+)</a>', page):
        found[side].add(title)
    return found


async def test_the_wall_shows_open_offers_and_requests_each_linking_to_its_page(
    browsed: Browsed,
) -> None:
    async with browsed.portal() as client:
        page = await client.get("/suchen-bieten")

    assert page.status_code == 200, page.text
    assert 'Angebote <span class="muted">(' + str(CHAIRS + 2) + ")" in page.text
    assert 'Gesuche <span class="muted">(1)' in page.text
    assert listed(page.text)["requests"] == {"Sprachpartner zum Deutschüben"}
    request_id = browsed.listings["Sprachpartner zum Deutschüben"]
    assert f'href="/requests/{request_id}"' in page.text
    assert "Seniorenhaus Lindenhof" in page.text  # who offers it


@pytest.mark.parametrize(
    ("filters", "offers", "requests"),
    [
        pytest.param(
            {"kategorie": "language_partner"},
            {"Senioren als Sprachpartner"},
            {"Sprachpartner zum Deutschüben"},
            id="category",
        ),
        pytest.param(
            {"kategorie": "language_partner", "art": "gesuche"},
            set(),
            {"Sprachpartner zum Deutschüben"},
            id="requests-only",
        ),
        pytest.param(
            {"art": "angebote", "bezirk": "nordstadt"},
            {"Vereinsheim für Feiern"},
            set(),
            id="district-offers-only",
        ),
        pytest.param(
            {"sprache": "de", "kategorie": "language_partner"},
            {"Senioren als Sprachpartner"},
            {"Sprachpartner zum Deutschüben"},
            id="language",
        ),
        pytest.param({"schlagwort": "Raum"}, {"Vereinsheim für Feiern"}, set(), id="tag"),
        pytest.param({"q": "deutsch"}, set(), {"Sprachpartner zum Deutschüben"}, id="q-prefix"),
        pytest.param({"q": "KÜCHE"}, {"Vereinsheim für Feiern"}, set(), id="q-description"),
        pytest.param({"q": "sprach reden"}, {"Senioren als Sprachpartner"}, set(), id="q-all"),
        pytest.param({"q": "zzz"}, set(), set(), id="q-nothing"),
        pytest.param(
            {"organisation": "anadolu"}, {"Vereinsheim für Feiern"}, set(), id="organisation"
        ),
    ],
)
async def test_each_filter_narrows_the_wall(
    browsed: Browsed, filters: dict[str, str], offers: set[str], requests: set[str]
) -> None:
    if "organisation" in filters:
        filters = {**filters, "organisation": browsed.ids[filters["organisation"]]}
    async with browsed.portal() as client:
        page = await client.get("/suchen-bieten", params=filters)

    assert page.status_code == 200, page.text
    assert listed(page.text) == {"offers": offers, "requests": requests}
    if filters.get("art") == "gesuche":
        assert 'id="angebote"' not in page.text
    if not offers and not requests:
        assert "Zurzeit nichts." in page.text


async def test_the_wall_pages_through_the_chairs_and_a_page_beyond_the_last_is_a_404(
    browsed: Browsed,
) -> None:
    chairs = {"art": "angebote", "kategorie": "equipment", "pro_seite": "10"}
    async with browsed.portal() as client:
        first = await client.get("/suchen-bieten", params=chairs)
        last = await client.get("/suchen-bieten", params={**chairs, "seite": "3"})
        beyond = await client.get("/suchen-bieten", params={**chairs, "seite": "4"})

    assert len(listed(first.text)["offers"]) == 10
    assert len(listed(last.text)["offers"]) == CHAIRS - 20
    assert 'aria-current="page">1<' in first.text
    assert "seite=3" in first.text
    assert 'rel="next"' in first.text
    assert 'rel="next"' not in last.text
    assert "pro_seite=10" in first.text  # the links keep the chosen size and filters
    assert "kategorie=equipment" in first.text
    seen = listed(first.text)["offers"] | listed(last.text)["offers"]
    assert len(seen) == 10 + CHAIRS - 20  # no chair twice
    assert beyond.status_code == 404
    assert "Diese Seite gibt es nicht" in beyond.text
    assert 'href="/suchen-bieten?art=angebote&amp;kategorie=equipment&amp;pro_seite=10"' in (
        beyond.text
    )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"kategorie": "katzen"}, "Kategorie"),
        ({"art": "tausch"}, "Art"),
        ({"sprache": "??"}, "Sprache"),
        ({"schlagwort": "x" * 51}, "Schlagwort"),
        ({"q": "x" * 201}, "Suche"),
        ({"organisation": "nicht-eine-id"}, "Organisation"),
        ({"seite": "0"}, "Seite"),
        ({"seite": "1001"}, "Seite"),
        ({"pro_seite": "1000"}, "Einträge pro Seite"),
    ],
)
async def test_a_wall_filter_that_cannot_be_right_gets_a_german_400(
    browsed: Browsed, params: dict[str, str], named: str
) -> None:
    await browsed.assert_filter_refused("/suchen-bieten", params, named)


async def test_members_are_offered_to_post_and_others_to_sign_in(browsed: Browsed) -> None:
    async with browsed.portal(signed_in_as="mriya") as member:
        signed_in = await member.get("/suchen-bieten")
    async with browsed.portal() as anyone:
        signed_out = await anyone.get("/suchen-bieten")

    assert '<a href="/offers/new">Etwas anbieten</a>' in signed_in.text
    assert '<a href="/requests/new">Etwas suchen</a>' in signed_in.text
    assert "/offers/new" not in signed_out.text
    assert 'href="/login"' in signed_out.text
