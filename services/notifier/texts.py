"""Every sentence the notifier writes, in the five languages it writes in (one module each:
`texts_de.py`, `texts_en.py`, `texts_uk.py`, `texts_tr.py`, `texts_ar.py`).

Placeholders (`{title}`) are filled with user-supplied values as plain text; the HTML template
escapes the finished sentence, so a title can never become markup.
"""

from __future__ import annotations

from typing import Final

from services.notifier.texts_ar import ARABIC
from services.notifier.texts_de import GERMAN
from services.notifier.texts_en import ENGLISH
from services.notifier.texts_tr import TURKISH
from services.notifier.texts_uk import UKRAINIAN

DEFAULT_LANGUAGE: Final = "de"
RIGHT_TO_LEFT: Final = frozenset({"ar"})

TEXTS: Final[dict[str, dict[str, str]]] = {
    "de": GERMAN,
    "en": ENGLISH,
    "uk": UKRAINIAN,
    "tr": TURKISH,
    "ar": ARABIC,
}

SUPPORTED_LANGUAGES: Final = tuple(TEXTS)


#: Languages by their own name (autonym), understood whatever the email's language.
LANGUAGE_AUTONYMS: Final[dict[str, str]] = {
    "ar": "العربية",
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fa": "فارسی",
    "fr": "Français",
    "it": "Italiano",
    "ku": "Kurdî",
    "pl": "Polski",
    "ro": "Română",
    "ru": "Русский",
    "sq": "Shqip",
    "tr": "Türkçe",
    "uk": "Українська",
}


def email_language(tag: str | None) -> str:
    """The language to write in for a BCP 47 tag: its primary subtag if we write it, else
    German."""
    if not tag:
        return DEFAULT_LANGUAGE
    primary = tag.split("-", 1)[0].lower()
    return primary if primary in TEXTS else DEFAULT_LANGUAGE


def texts_for(language: str) -> dict[str, str]:
    return TEXTS[email_language(language)]
