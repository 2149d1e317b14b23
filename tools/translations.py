"""The portal's catalogues, brought up to date with its code (`make translations`).

Extracts every text marked for translation in the portal's Python and templates (`babel.cfg`),
updates `services/portal/locale/<lang>/LC_MESSAGES/messages.po` for each language (German is
the source: its catalogue says every msgid as itself), and compiles them to `.mo`. A new text
arrives untranslated, a changed one fuzzy; `tests/unit/test_portal_catalogues.py` fails until a
translator has said each in every language.
"""

from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from services.portal.i18n import AUTONYMS, DEFAULT_LOCALE, LOCALE_DIR, LOCALES

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"


def extract() -> Catalog:
    """Every text of the portal marked for translation, as a template catalogue."""
    with MAPPING.open() as file:
        method_map, options_map = parse_mapping_cfg(file, str(MAPPING))  # type: ignore[no-untyped-call]
    template = Catalog(project="Integrationsnetz", locale=None, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def update(template: Catalog, locale: str) -> Catalog:
    """The language's catalogue with every current text: new ones empty, changed ones fuzzy,
    texts no longer used dropped; German says each as itself."""
    path = catalogue_path(locale)
    if path.exists():
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
    else:
        catalog = Catalog(
            locale=locale,
            project="Integrationsnetz",
            copyright_holder="the Integrationsnetz contributors",
            header_comment=f"# The portal's texts in {AUTONYMS[locale]} (msgids: German).\n#",
        )
    created = catalog.creation_date
    catalog.update(copy.deepcopy(template), update_header_comment=False)
    if path.exists():
        catalog.creation_date = created  # the header changes only when a text does
    catalog.obsolete.clear()
    catalog.fuzzy = False
    if locale == DEFAULT_LOCALE:
        for message in catalog:
            if message.id:
                message.string = message.id
                message.flags.discard("fuzzy")
    return catalog


def save(catalog: Catalog, locale: str) -> None:
    path = catalogue_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False)
    path.write_bytes(buffer.getvalue())
    mo = io.BytesIO()
    write_mo(mo, catalog)
    path.with_suffix(".mo").write_bytes(mo.getvalue())


def main() -> int:
    template = extract()
    for locale in LOCALES:
        catalog = update(template, locale)
        save(catalog, locale)
        untranslated = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
        print(f"{locale}: {len(template)} texts, {untranslated} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
