"""The portal's five catalogues say every text the portal has, each really translated: the
current texts are extracted to a template (as `make translations` does) and every catalogue
must hold each of them, translated, not fuzzy, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from services.portal.i18n import DEFAULT_LOCALE, LOCALES
from tools.translations import catalogue_path, extract

#: `%(name)s` (gettext's Python format) and `{name}` (str.format, the refusals' `{noun}`).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.fixture(scope="module")
def current_texts(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The portal's texts as its code has them now, through a temporary .pot file."""
    pot = tmp_path_factory.mktemp("catalogues") / "messages.pot"
    with pot.open("wb") as file:
        write_po(file, extract())
    with pot.open("rb") as file:
        return read_po(file)


def read_catalogue(locale: str) -> Catalog:
    with catalogue_path(locale).open("rb") as file:
        return read_po(file, locale=locale)


def wrong(message: Message, translated: Message | None, num_plurals: int) -> str | None:
    """Why `translated` does not say `message` properly, or None."""
    if translated is None:
        return "missing"
    if translated.fuzzy:
        return "fuzzy"
    ids = _texts(message.id)
    strings = _texts(translated.string)
    if len(ids) > 1 and len(strings) != num_plurals:
        return f"{len(strings)} plural forms, the language has {num_plurals}"
    if not all(strings):
        return "untranslated"
    expected = set().union(*(placeholders(text) for text in ids))
    for text in strings:
        found = placeholders(text)
        # a plural form may leave out the number itself ("one request"), never anything else
        if found - expected or (expected - {"num"}) - found:
            return f"placeholders {sorted(found)} instead of {sorted(expected)}"
        if len(ids) == 1 and found != expected:
            return f"placeholders {sorted(found)} instead of {sorted(expected)}"
    if ids[0].endswith("\n") != strings[0].endswith("\n"):
        return "the line ending differs"
    return None


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as its texts (one, or one per plural form)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(str(text or "") for text in value)
    return ("",)


def test_the_portal_has_texts_to_translate(current_texts: Catalog) -> None:
    assert len([m for m in current_texts if m.id]) > 500


@pytest.mark.parametrize("locale", LOCALES)
def test_every_current_text_is_translated_in_the_catalogue(
    current_texts: Catalog, locale: str
) -> None:
    catalogue = read_catalogue(locale)
    problems = {
        str(message.id): why
        for message in current_texts
        if message.id and (why := wrong(message, catalogue.get(message.id), catalogue.num_plurals))
    }
    assert problems == {}, f"{locale}: run `make translations` and translate: {problems}"


@pytest.mark.parametrize("locale", [locale for locale in LOCALES if locale != DEFAULT_LOCALE])
def test_a_translation_is_not_the_german_text_copied(locale: str) -> None:
    catalogue = read_catalogue(locale)
    sentences = [m.id for m in catalogue if isinstance(m.id, str) and len(m.id.split()) >= 4]
    strings = {m.id: m.string for m in catalogue if isinstance(m.id, str)}
    copied = [s for s in sentences if strings[s] == s and not s.startswith("Handlungsfeld")]
    assert copied == []


def test_the_catalogues_are_the_ones_make_translations_names() -> None:
    for locale in LOCALES:
        assert catalogue_path(locale).is_file(), locale
        assert Path(catalogue_path(locale)).parent.name == "LC_MESSAGES"
