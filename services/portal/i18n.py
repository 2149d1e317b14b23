"""The portal's languages: which it speaks, which one a request gets, and the gettext callables
that pages, templates and labels translate with.

German is the source language: every msgid is the German text, and `locale/<lang>/LC_MESSAGES/
messages.po` holds the other four (`make translations` extracts, updates and compiles them).
A request's language is chosen once, by `negotiate` (the visitor's own choice in the `lang`
cookie, then the member's saved language, then `Accept-Language`, then German), and kept in a
context variable for everything that renders the answer. Dates and numbers are written by Babel
in that language; times are always Berlin's.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import io
import logging
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Final

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from shared.clock import BERLIN

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DEFAULT_LOCALE: Final = "de"
#: The languages the portal speaks, each by its own name (the notifier's emails speak the same).
AUTONYMS: Final[dict[str, str]] = {
    "de": "Deutsch",
    "en": "English",
    "uk": "Українська",
    "tr": "Türkçe",
    "ar": "العربية",
}
LOCALES: Final = tuple(AUTONYMS)
RIGHT_TO_LEFT: Final = frozenset({"ar"})
#: The visitor's own choice of language (set by the switcher, `/sprache`).
LANGUAGE_COOKIE: Final = "lang"
LANGUAGE_COOKIE_MAX_AGE: Final = 365 * 24 * 3600

_current: ContextVar[str] = ContextVar("portal_locale", default=DEFAULT_LOCALE)
logger = logging.getLogger(__name__)


def supported(tag: str | None) -> str | None:
    """The portal's locale for a tag (`uk-UA` → `uk`), or None when it does not speak it."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in AUTONYMS else None


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an `Accept-Language` header, most wanted first (q=0 means "not this")."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag.strip():
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(
    chosen: str | None = None, saved: str | None = None, accept_language: str | None = None
) -> str:
    """The language of an answer: the visitor's explicit choice, the signed-in member's saved
    language, the first supported language of `Accept-Language`, else German."""
    for candidate in (chosen, saved):
        if (locale := supported(candidate)) is not None:
            return locale
    for tag in accepted_languages(accept_language):
        if tag == "*":
            return DEFAULT_LOCALE
        if (locale := supported(tag)) is not None:
            return locale
    return DEFAULT_LOCALE


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    """The language of everything the current request renders from here on."""
    _current.set(locale if locale in AUTONYMS else DEFAULT_LOCALE)


def text_direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current_locale()) in RIGHT_TO_LEFT else "ltr"


def _compiled(locale: str) -> gettext_module.NullTranslations:
    """The compiled catalogue, or — when no `.mo` was built or it is older than its `.po` —
    the `.po` compiled in memory, so that the portal speaks every language after a plain
    checkout too."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return gettext_module.GNUTranslations(file)
    if not po.exists():
        logger.warning("no catalogue for %s: the portal shows German instead", locale)
        return gettext_module.NullTranslations()
    logger.info("compiling %s in memory: run `make translations` to build it", po)
    with po.open("rb") as file:
        catalog = read_po(file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    if locale == DEFAULT_LOCALE or locale not in AUTONYMS:
        return gettext_module.NullTranslations()
    return _compiled(locale)


def gettext(message: str) -> str:
    """`message` (German) in the current request's language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current_locale()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Marks a German text for the catalogue where it is defined; `gettext` translates it
    where it is shown (labels are defined once, shown in each request's language)."""
    return message


class Labels(Mapping[str, str]):
    """A table of German labels (marked with `N_`) that answers in the current language."""

    def __init__(self, german: Mapping[str, str]) -> None:
        self.german = dict(german)

    def __getitem__(self, key: str) -> str:
        return gettext(self.german[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.german)

    def __len__(self) -> int:
        return len(self.german)


def _moment(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(BERLIN)


def berlin_datetime(value: str | dt.datetime | None) -> str:
    """A moment as Berlin's date and time in the current language (German: 07.12.2026 14:30)."""
    moment = _moment(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return f"{local_date(moment.date())} {time_of_day(moment)}"


def berlin_clock(value: str | dt.datetime | None) -> str:
    """The Berlin time of day of a moment (18:30), empty for none."""
    moment = _moment(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return time_of_day(moment)


def time_of_day(value: dt.datetime) -> str:
    """The time of day in Berlin (14:30; the 24-hour clock in every language the portal speaks)."""
    return format_time(value.astimezone(BERLIN).time(), "HH:mm", locale=current_locale())


def local_date(value: str | dt.date | None, style: str = "medium") -> str:
    """A calendar day in the current language (German medium: 07.12.2026)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return local_date(dt.date.fromisoformat(value[:10]), style)
        except ValueError:
            return value
    return format_date(value, style, locale=current_locale())


def number(value: float) -> str:
    """A number in the current language, one decimal at most (German: 1.234,5 and 12)."""
    return format_decimal(value, format="#,##0.#", locale=current_locale())
