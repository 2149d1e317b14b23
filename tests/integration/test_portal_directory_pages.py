"""The directory in the portal (`/organisations`) against the real directory: search and each
facet with its counts, pages, an organisation's page with its coming dates and open listings,
and the statements every page's footer links to."""

from __future__ import annotations

import re

import pytest

from tests.integration.browse_fixtures import OFFICE_EMAIL, Browsed

MRIYA = "Ukrainischer Verein Mriya e.V."
LINDENHOF = "Seniorenhaus Lindenhof"
ANADOLU = "FC Anadolu Nordstadt 1987"


def names(page: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/organisations/[0-9a-f-]{36}">([^<]+)</a></h3>', page))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, {MRIYA, LINDENHOF, ANADOLU}, id="all"),
        pytest.param({"sprache": "uk"}, {MRIYA}, id="language"),
        pytest.param({"art": "association"}, {LINDENHOF, ANADOLU}, id="kind"),
        pytest.param({"gemeinschaft": "Turkish"}, {ANADOLU}, id="community"),
        pytest.param({"handlungsfeld": "sports"}, {ANADOLU}, id="field"),
        pytest.param({"bezirk": "SÜDSTADT"}, {LINDENHOF}, id="district"),
        pytest.param({"q": "ukrain"}, {MRIYA}, id="words"),
        pytest.param({"sprache": "de", "bezirk": "Nordstadt"}, {MRIYA, ANADOLU}, id="combined"),
        pytest.param({"sprache": "ar"}, set(), id="nobody"),
    ],
)
async def test_search_and_each_facet_find_exactly_the_organisations_that_have_it(
    browsed: Browsed, filters: dict[str, str], expected: set[str]
) -> None:
    async with browsed.portal() as client:
        page = await client.get("/organisations", params=filters)

    assert page.status_code == 200, page.text
    assert names(page.text) == expected
    if not expected:
        assert "Keine Organisation gefunden." in page.text


async def test_each_facet_value_is_a_link_with_the_number_it_would_find(browsed: Browsed) -> None:
    async with browsed.portal() as client:
        everything = await client.get("/organisations")
        german = await client.get("/organisations", params={"sprache": "de", "art": "association"})

    page = everything.text
    assert '<a href="/organisations?art=association">Verein</a> <span class="muted">(2)' in page
    assert '<a href="/organisations?sprache=de">de</a> <span class="muted">(3)' in page
    assert '<a href="/organisations?sprache=uk">uk</a> <span class="muted">(1)' in page
    assert '<a href="/organisations?gemeinschaft=Ukrainian">Ukrainian</a>' in page
    assert '<a href="/organisations?handlungsfeld=sports">Sport</a>' in page
    assert '<a href="/organisations?bezirk=Nordstadt">Nordstadt</a> <span class="muted">(2)' in (
        page
    )
    # a chosen value is shown with a link that drops it and keeps the others
    assert "<strong>Verein</strong> (2)" in german.text
    assert 'href="/organisations?sprache=de"' in german.text
    assert "2 Organisationen gefunden." in german.text


async def test_the_directory_pages_and_a_page_beyond_the_last_is_a_404(browsed: Browsed) -> None:
    async with browsed.portal() as client:
        smallest = await client.get("/organisations", params={"pro_seite": "10"})
        beyond = await client.get("/organisations", params={"pro_seite": "10", "seite": "2"})
        bad = [
            await client.get("/organisations", params=params)
            for params in (
                {"art": "katzen"},
                {"handlungsfeld": "knitting"},
                {"sprache": "!"},
                {"seite": "-1"},
                {"pro_seite": "500"},
            )
        ]

    assert len(names(smallest.text)) == 3
    assert 'rel="next"' not in smallest.text
    assert beyond.status_code == 404
    assert "Zur ersten Seite" in beyond.text
    assert [answer.status_code for answer in bad] == [400] * 5
    assert all("Ungültiger Filter" in answer.text for answer in bad)


async def test_an_organisations_page_lists_its_coming_dates_and_open_listings(
    browsed: Browsed,
) -> None:
    mriya = browsed.ids["mriya"]
    async with browsed.portal() as client:
        page = await client.get(f"/organisations/{mriya}")

    assert page.status_code == 200, page.text
    assert "Sprachpartner zum Deutschüben" in page.text
    assert "Elternabend" in page.text  # in two weeks
    assert "Senioren als Sprachpartner" not in page.text  # Lindenhof's
    assert f'href="/kalender?ansicht=liste&amp;organisation={mriya}"' in page.text
    assert f'href="/suchen-bieten?organisation={mriya}"' in page.text


async def test_the_header_leads_to_the_browsing_pages_and_every_footer_to_the_statements(
    browsed: Browsed,
) -> None:
    async with browsed.portal() as client:
        pages = [await client.get(path) for path in ("/", "/kalender", "/organisations")]
        statement = await client.get("/barrierefreiheit")
        plain = await client.get("/leichte-sprache")

    for page in pages:
        assert '<a href="/kalender">Kalender</a>' in page.text
        assert '<a href="/suchen-bieten">Suchen & Bieten</a>' in page.text
        assert '<a href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a>' in page.text
        assert 'href="/leichte-sprache"' in page.text
    assert statement.status_code == 200
    assert "Erklärung zur Barrierefreiheit" in statement.text
    assert "teilweise mit der BITV 2.0 vereinbar" in statement.text
    assert "Nicht barrierefreie Inhalte" in statement.text
    assert f'href="mailto:{OFFICE_EMAIL}"' in statement.text  # from the portal's settings
    assert "Schlichtungsstelle" in statement.text
    assert plain.status_code == 200
    assert "Das Integrations-Netz ist eine Internet-Seite." in plain.text
    assert OFFICE_EMAIL in plain.text
