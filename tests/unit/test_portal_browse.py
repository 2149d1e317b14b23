"""Reading the browsing pages' filters and page numbers from the address, and their page
links, without I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from services.portal.browse import (
    MOST_PAGES,
    PAGE_SIZES,
    Asked,
    BadFilterError,
    Pages,
    address,
)


def asked(query: str) -> Asked:
    return Asked(QueryParams(query))


def test_an_empty_field_of_a_filter_form_means_any() -> None:
    form = asked("bezirk=&zielgruppe=&sprache=&seite=")

    assert form.text("bezirk") is None
    assert form.choice("zielgruppe", {"children"}) is None
    assert form.language("sprache") is None
    assert form.page_number() == 1
    assert form.page_size() == PAGE_SIZES[0]


def test_a_language_is_written_as_the_services_write_it() -> None:
    assert asked("sprache=UK").language("sprache") == "uk"
    assert asked("sprache=es-419").language("sprache") == "es-419"


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("zielgruppe=katzen", lambda a: a.choice("zielgruppe", {"children"})),
        ("sprache=deutsch!", lambda a: a.language("sprache")),
        ("organisation=org-1", lambda a: a.entity_id("organisation")),
        ("seite=0", lambda a: a.page_number()),
        ("seite=-1", lambda a: a.page_number()),
        ("seite=zwei", lambda a: a.page_number()),
        (f"seite={MOST_PAGES + 1}", lambda a: a.page_number()),
        ("pro_seite=1000", lambda a: a.page_size()),
        ("pro_seite=7", lambda a: a.page_size()),
        ("bezirk=" + "x" * 101, lambda a: a.text("bezirk")),
    ],
)
def test_a_value_that_cannot_be_right_names_its_parameter(query: str, read: object) -> None:
    name = query.split("=")[0]
    with pytest.raises(BadFilterError) as refused:
        read(asked(query))  # type: ignore[operator]
    assert refused.value.parameter == name


@given(st.integers(0, 10_000), st.sampled_from(PAGE_SIZES), st.integers(1, MOST_PAGES))
def test_the_pages_cover_every_item_once_and_link_the_first_and_the_last(
    total: int, size: int, number: int
) -> None:
    pages = Pages(number, size, total)

    assert (pages.count - 1) * size < max(total, 1) <= pages.count * size
    assert pages.offset == (number - 1) * size
    assert pages.beyond_the_last == (number > pages.count)
    linked = pages.around()
    assert linked[0] == 1
    assert linked[-1] == pages.count or number > pages.count
    assert linked == sorted(set(linked))


def test_a_link_keeps_the_chosen_filters_and_leaves_out_the_empty_ones() -> None:
    chosen = {"kategorie": "room", "bezirk": None, "q": "Beamer Saal", "seite": 3}

    assert address("/suchen-bieten", chosen, seite=4) == (
        "/suchen-bieten?kategorie=room&q=Beamer+Saal&seite=4"
    )
    assert address("/suchen-bieten", {"q": None}) == "/suchen-bieten"
