"""Which language the portal answers in, how it writes dates and numbers in it, and where the
language switcher may send the browser back to."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.portal import i18n, labels, refusals
from services.portal.app import create_app
from services.portal.clients.base import Problem
from services.portal.clients.directory import Organisation
from services.portal.language_switch import same_site_path
from tests.support.portal import portal_settings


@pytest.fixture
def locale() -> Iterator[None]:
    """Each test sets its language; the next starts from German again."""
    yield
    i18n.set_locale(i18n.DEFAULT_LOCALE)


def test_without_anything_to_go_by_the_portal_speaks_german() -> None:
    assert i18n.negotiate() == "de"
    assert i18n.negotiate(None, None, "") == "de"


def test_the_visitors_own_choice_comes_before_everything_else() -> None:
    assert i18n.negotiate(chosen="ar", saved="uk", accept_language="tr") == "ar"


def test_the_members_saved_language_comes_before_the_browsers() -> None:
    assert i18n.negotiate(saved="uk", accept_language="tr, en") == "uk"


def test_a_choice_the_portal_does_not_speak_is_passed_over() -> None:
    assert i18n.negotiate(chosen="fr", saved="xx", accept_language="tr") == "tr"


def test_the_browsers_languages_are_taken_by_their_weight() -> None:
    assert i18n.negotiate(accept_language="fr-FR;q=0.9, uk;q=0.8, en;q=0.7") == "uk"
    assert i18n.negotiate(accept_language="en;q=0.5, ar;q=0.9") == "ar"
    assert i18n.negotiate(accept_language="en;q=0, tr") == "tr"


def test_a_regional_tag_gives_its_language() -> None:
    assert i18n.negotiate(accept_language="uk-UA,uk;q=0.9") == "uk"
    assert i18n.negotiate(chosen="ar_SY") == "ar"
    assert i18n.negotiate(accept_language="EN-gb") == "en"


def test_a_browser_speaking_none_of_the_five_gets_german() -> None:
    assert i18n.negotiate(accept_language="fr, ru;q=0.8, *;q=0.1") == "de"


def test_a_broken_accept_language_header_is_no_error() -> None:
    assert i18n.negotiate(accept_language=";;,q=,tr;q=abc, ,uk;q=0.4") == "uk"


def test_only_arabic_is_written_right_to_left() -> None:
    assert [i18n.text_direction(code) for code in i18n.LOCALES] == [
        "ltr",
        "ltr",
        "ltr",
        "ltr",
        "rtl",
    ]


def test_every_language_is_named_in_itself() -> None:
    assert i18n.AUTONYMS == {
        "de": "Deutsch",
        "en": "English",
        "uk": "Українська",
        "tr": "Türkçe",
        "ar": "العربية",
    }


@pytest.mark.usefixtures("locale")
def test_texts_and_labels_follow_the_current_language() -> None:
    assert i18n.gettext("Anmelden") == "Anmelden"
    i18n.set_locale("uk")
    assert i18n.gettext("Anmelden") == "Увійти"
    assert labels.CATEGORIES["room"] == "Приміщення"
    i18n.set_locale("tr")
    assert (
        refusals.refusal("listing.close", _not_found(), noun="Teklif") == "Bu kayıt (Teklif) yok."
    )


@pytest.mark.usefixtures("locale")
def test_plurals_follow_the_rules_of_the_language() -> None:
    i18n.set_locale("uk")
    forms = [i18n.ngettext("%(num)d E-Mail", "%(num)d E-Mails", n) % {"num": n} for n in (1, 3, 5)]
    assert forms == ["1 лист", "3 листи", "5 листів"]


@pytest.mark.usefixtures("locale")
def test_times_are_berlins_in_every_language() -> None:
    summer_noon_utc = "2027-06-20T10:00:00+00:00"
    assert i18n.berlin_datetime(summer_noon_utc) == "20.06.2027 12:00"
    i18n.set_locale("en")
    assert i18n.berlin_datetime(summer_noon_utc) == "Jun 20, 2027 12:00"
    i18n.set_locale("ar")
    assert "12:00" in i18n.berlin_datetime(dt.datetime(2027, 6, 20, 10, tzinfo=dt.UTC))


@pytest.mark.usefixtures("locale")
def test_numbers_are_written_as_the_language_writes_them() -> None:
    assert i18n.number(1234.5) == "1.234,5"
    assert i18n.number(12) == "12"
    i18n.set_locale("en")
    assert i18n.number(1234.5) == "1,234.5"
    i18n.set_locale("uk")
    assert i18n.number(1234.5).replace("\xa0", " ") == "1 234,5"


@pytest.mark.usefixtures("locale")
def test_dates_are_written_in_the_current_language() -> None:
    day = dt.date(2027, 3, 1)
    assert i18n.local_date(day) == "01.03.2027"
    i18n.set_locale("en")
    assert i18n.local_date(day) == "Mar 1, 2027"
    assert i18n.local_date("not a day") == "not a day"


def test_the_switcher_goes_back_to_a_page_of_the_portal() -> None:
    assert same_site_path("/organisations?q=Nord") == "/organisations?q=Nord"
    assert same_site_path("/konzept#stand") == "/konzept#stand"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "",
        None,
    ],
)
def test_the_switcher_never_sends_the_browser_to_another_site(target: str | None) -> None:
    assert same_site_path(target) == "/"


def _not_found() -> Problem:
    return Problem(404, "not-found")


@pytest.mark.usefixtures("locale")
def test_every_template_has_the_gettext_callables_and_trans_blocks() -> None:
    engine = create_app(portal_settings()).state.templates
    template = engine.env.from_string(
        "{{ _('Anmelden') }}|{{ gettext('Abmelden') }}|{% trans %}Mein Bereich{% endtrans %}|"
        "{{ ngettext('%(num)d E-Mail', '%(num)d E-Mails', 2) }}|"
        "{{ _('Hallo %(name)s', name='<Olena>') }}"
    )
    assert template.render() == "Anmelden|Abmelden|Mein Bereich|2 E-Mails|Hallo &lt;Olena&gt;"
    i18n.set_locale("uk")
    assert template.render() == "Увійти|Вийти|Мій розділ|2 листи|Вітаємо, &lt;Olena&gt;"


def test_a_catalogue_without_its_compiled_file_is_compiled_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = i18n.LOCALE_DIR / "tr" / "LC_MESSAGES" / "messages.po"
    folder = tmp_path / "tr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / "messages.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n._compiled("tr").gettext("Anmelden") == "Giriş yap"
    assert i18n._compiled("xx").gettext("Anmelden") == "Anmelden"


def test_an_organisation_is_described_in_the_readers_language_when_it_gave_one() -> None:
    organisation = Organisation(
        id="o-1",
        description="Beratung für Familien.",
        descriptions={"uk-UA": "Консультації для сімей.", "ar": "  "},
    )
    assert organisation.description_in("uk") == ("Консультації для сімей.", "uk-UA")
    assert organisation.description_in("ar") == ("Beratung für Familien.", "de")
    assert organisation.description_in("de") == ("Beratung für Familien.", "de")
