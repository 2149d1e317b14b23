"""Every word the portal puts on a value of the services: the labels of their vocabularies
(keyed by the shared enums where there is one) and the sentence for each problem slug a service
answers with, per action. No page shows a service's English `detail`.

The texts are German, marked with `N_` for the catalogues; the tables (`Labels`) and
`refusal`, `unreachable` answer in the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from services.portal.clients.base import Problem
from services.portal.i18n import AUTONYMS, N_, Labels, _
from shared.contracts.calendar import ConflictKind, Visibility
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.contracts.directory import OrganisationKind
from shared.contracts.exchange import ListingCategory, ListingStatus, MatchVerdict
from shared.contracts.vocabulary import Audience, FieldOfAction

Vocabulary = TypeVar("Vocabulary", bound=StrEnum)


def _by_value(labels: Mapping[Vocabulary, str]) -> Labels:
    """Keyed by the enum's value, as the services' JSON and the forms carry it."""
    return Labels({member.value: label for member, label in labels.items()})


CATEGORIES = _by_value(
    {
        ListingCategory.ROOM: N_("Raum"),
        ListingCategory.FURNITURE: N_("Möbel"),
        ListingCategory.EQUIPMENT: N_("Ausstattung"),
        ListingCategory.LANGUAGE_PARTNER: N_("Sprachpartnerschaft"),
        ListingCategory.VOLUNTEERS: N_("Ehrenamtliche"),
        ListingCategory.COOPERATION: N_("Kooperation"),
        ListingCategory.EXPERTISE: N_("Fachwissen"),
        ListingCategory.TRANSPORT: N_("Transport"),
        ListingCategory.OTHER: N_("Sonstiges"),
    }
)
LISTING_STATUSES = _by_value(
    {
        ListingStatus.OPEN: N_("offen"),
        ListingStatus.FULFILLED: N_("erledigt"),
        ListingStatus.WITHDRAWN: N_("zurückgezogen"),
        ListingStatus.EXPIRED: N_("abgelaufen"),
    }
)
ORGANISATION_KINDS = _by_value(
    {
        OrganisationKind.MIGRANT_ORGANISATION: N_("Migrantenorganisation"),
        OrganisationKind.RELIGIOUS_COMMUNITY: N_("Religionsgemeinschaft"),
        OrganisationKind.DISTRICT_OFFICE: N_("Stadtteilbüro"),
        OrganisationKind.COUNSELLING_SERVICE: N_("Beratungsstelle"),
        OrganisationKind.EDUCATION: N_("Bildung"),
        OrganisationKind.PUBLIC_AUTHORITY: N_("Behörde"),
        OrganisationKind.ASSOCIATION: N_("Verein"),
        OrganisationKind.VOLUNTEER_GROUP: N_("Ehrenamtsgruppe"),
        OrganisationKind.OTHER: N_("Sonstige"),
    }
)
FIELDS_OF_ACTION = _by_value(
    {
        FieldOfAction.LANGUAGE_EDUCATION: N_("Sprache und Bildung"),
        FieldOfAction.WORK: N_("Arbeit und Ausbildung"),
        FieldOfAction.SOCIAL_PARTICIPATION: N_("Gesellschaftliche Teilhabe"),
        FieldOfAction.CULTURAL_DIVERSITY: N_("Kulturelle Vielfalt"),
        FieldOfAction.HEALTH: N_("Gesundheit"),
        FieldOfAction.HOUSING: N_("Wohnen"),
        FieldOfAction.SPORTS: N_("Sport"),
        FieldOfAction.COUNSELLING: N_("Beratung"),
        FieldOfAction.CHILDREN_YOUTH: N_("Kinder und Jugend"),
        FieldOfAction.ANTI_DISCRIMINATION: N_("Antidiskriminierung"),
        FieldOfAction.RELIGION: N_("Religion"),
        FieldOfAction.OTHER: N_("Sonstiges"),
    }
)
AUDIENCES = _by_value(
    {
        Audience.CHILDREN: N_("Kinder"),
        Audience.YOUTH: N_("Jugendliche"),
        Audience.FAMILIES: N_("Familien"),
        Audience.WOMEN: N_("Frauen"),
        Audience.MEN: N_("Männer"),
        Audience.SENIORS: N_("Seniorinnen und Senioren"),
        Audience.NEWCOMERS: N_("Neu Zugewanderte"),
        Audience.PROFESSIONALS: N_("Fachkräfte"),
        Audience.VOLUNTEERS: N_("Ehrenamtliche"),
        Audience.EVERYONE: N_("Alle"),
    }
)
VISIBILITIES = _by_value(
    {
        Visibility.PUBLIC: N_("Öffentlich (auch auf der Website der Stadt)"),
        Visibility.NETWORK: N_("Nur im Netzwerk"),
    }
)
CONFLICT_KINDS = _by_value(
    {
        ConflictKind.ROOM: N_("Raum doppelt belegt"),
        ConflictKind.AUDIENCE: N_("Gleiches Publikum im selben Stadtteil"),
    }
)
ROLES = Labels({"admin": N_("Büro des Amts für Integration"), "editor": N_("Mitglied")})
#: What a side said of a match.
MEASURE_STATUSES = _by_value(
    {
        MeasureStatus.PLANNED: N_("geplant"),
        MeasureStatus.IN_PREPARATION: N_("in Vorbereitung"),
        MeasureStatus.IN_PROGRESS: N_("in Umsetzung"),
        MeasureStatus.IMPLEMENTED: N_("umgesetzt"),
        MeasureStatus.CONTINUOUS: N_("Daueraufgabe"),
        MeasureStatus.PAUSED: N_("pausiert"),
        MeasureStatus.DROPPED: N_("entfallen"),
    }
)
MEASURE_VISIBILITIES = _by_value(
    {
        MeasureVisibility.PUBLIC: N_("öffentlich"),
        MeasureVisibility.NETWORK: N_("nur im Netzwerk"),
        MeasureVisibility.OFFICE: N_("nur für das Büro"),
    }
)
ACTIVITY_KINDS = Labels({"event": N_("Termin"), "offer": N_("Angebot"), "request": N_("Gesuch")})
IMPORT_ACTIONS = Labels(
    {"create": N_("neu"), "change": N_("geändert"), "unchanged": N_("unverändert")}
)
#: A measure's fields as the import's columns name them (what a preview says has changed).
MEASURE_FIELDS = Labels(
    {
        "title": N_("Maßnahme"),
        "description": N_("Beschreibung"),
        "lead_organisation_id": N_("Federführung"),
        "partner_organisation_ids": N_("Partner"),
        "target_groups": N_("Zielgruppen"),
        "districts": N_("Stadtteile"),
        "planned_start": N_("Beginn"),
        "planned_end": N_("Ende"),
        "visibility": N_("Sichtbarkeit"),
        "goal_number": N_("Ziel"),
        "status": N_("Status"),
    }
)
VERDICTS = _by_value({MatchVerdict.FITS: N_("passt"), MatchVerdict.DOES_NOT_FIT: N_("passt nicht")})
#: Through which of its matches a listing was fulfilled: none.
WITHOUT_THE_NETWORK = N_("ohne Vermittlung über das Netz")
#: The languages the notifier writes its emails in; the directory accepts any language tag.
PREFERRED_LANGUAGES = Labels(
    {
        "de": N_("Deutsch"),
        "en": N_("Englisch"),
        "uk": N_("Ukrainisch"),
        "tr": N_("Türkisch"),
        "ar": N_("Arabisch"),
    }
)
#: The same languages, each by its own name, so that whoever reads it finds their language.
EMAIL_LANGUAGES = AUTONYMS
TOPICS = Labels(
    {"offers": N_("Neue Angebote"), "requests": N_("Neue Gesuche"), "events": N_("Neue Termine")}
)
DELIVERIES = Labels(
    {"immediate": N_("sofort"), "daily": N_("täglich"), "weekly": N_("wöchentlich")}
)
#: How often match notices come (the best three of a listing at once, or in a summary).
NOTICE_CADENCES = Labels(
    {
        "immediate": N_("sofort (höchstens eine E-Mail pro Eintrag und Tag)"),
        "daily": N_("täglich als Übersicht"),
        "weekly": N_("wöchentlich als Übersicht"),
    }
)
EMAIL_TEMPLATES = Labels(
    {
        "match_found": N_("Treffer in der Börse"),
        "conflict_detected": N_("Terminüberschneidung"),
        "new_listing": N_("Neues Angebot oder Gesuch"),
        "new_event": N_("Neuer Termin"),
        "event_rescheduled": N_("Termin verschoben"),
        "event_cancelled": N_("Termin abgesagt"),
        "digest": N_("Übersicht (täglich/wöchentlich)"),
        "match_summary": N_("Übersicht passender Einträge"),
        "subscription_confirmation": N_("Bestätigung eines Abonnements"),
        "invitation": N_("Einladung"),
        "password_reset": N_("Passwort zurücksetzen"),
        "membership_added": N_("Neue Mitgliedschaft"),
        "membership_invitation": N_("Einladung (bestehendes Konto)"),
    }
)
DELIVERY_STATUSES = Labels(
    {
        "pending": N_("wartet / nächster Versuch"),
        "sent": N_("verschickt"),
        "failed": N_("aufgegeben"),
        "skipped": N_("nicht nötig (keine Adresse, abbestellt)"),
    }
)
#: Each service, said to be down (a whole sentence each, so that every language can word it).
UNREACHABLE = Labels(
    {
        "directory": N_("Das Verzeichnis ist gerade nicht erreichbar."),
        "calendar": N_("Der Kalender ist gerade nicht erreichbar."),
        "exchange": N_("Die Börse ist gerade nicht erreichbar."),
        "notifier": N_("Die Benachrichtigungen sind gerade nicht erreichbar."),
        "concept": N_("Das Integrationskonzept ist gerade nicht erreichbar."),
    }
)


def unreachable(service: str) -> str:
    down = UNREACHABLE.get(service) or _(
        "Ein Teil des Integrationsnetzes ist gerade nicht erreichbar."
    )
    return f"{down} {_('Bitte versuchen Sie es in einigen Minuten erneut.')}"


def unreachable_form_kept(service: str) -> str:
    """A form shown again, as typed, because `service` is down."""
    kept = _("Ihre Angaben sind noch da: Bitte senden Sie das Formular später noch einmal ab.")
    return f"{UNREACHABLE[service]} {kept}"


# --- problems, by slug ----------------------------------------------------------------------

NOT_DONE = N_("Das hat leider nicht geklappt.")
NO_SUCH_ORGANISATION = N_("Diese Organisation gibt es nicht (mehr).")
NOT_ACTIVE = N_("Diese Organisation ist nicht mehr aktiv und kann nicht mehr geändert werden.")
NO_ONE_JOINS = N_("Diese Organisation ist nicht mehr aktiv: es kann niemand mehr beitreten.")
ONLY_STAFF_REGISTER = N_("Nur das Büro des Amts für Integration kann Organisationen anlegen.")
ONLY_MEMBERS_EDIT = N_(
    "Sie dürfen diese Organisation nicht bearbeiten: das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_MEMBERS_INVITE = N_(
    "Sie dürfen in diese Organisation niemanden einladen: "
    "das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_OFFICE_CONCEPT = N_(
    "Das Integrationskonzept importiert nur das Büro des Amts für Integration."
)
FILE_TOO_LARGE = N_(
    "Die Datei ist zu groß: Tabellen für den Import dürfen höchstens 5 MB groß sein."
)
#: The directory's password rules (`services/directory/domain.py`, `password_problem`). Its
#: `weak-password` problem does not say which rule failed, so all of them are named.
TOO_WEAK = N_(
    "Dieses Passwort ist zu schwach. Bitte wählen Sie ein Passwort mit mindestens 10 Zeichen, "
    "das nicht Ihre E-Mail-Adresse ist und nicht nur aus wenigen verschiedenen Zeichen besteht."
)

#: What to say when a service refuses an action, by the problem's slug (a specific slug first,
#: then the generic one of its status: N_("forbidden"), "not-found", "conflict", …).
REFUSALS: dict[str, dict[str, str]] = {
    "organisation.register": {
        "forbidden": ONLY_STAFF_REGISTER,
        "not-found": NO_SUCH_ORGANISATION,
        "organisation-archived": NOT_ACTIVE,
        "conflict": NOT_ACTIVE,
    },
    "organisation.change": {
        "forbidden": ONLY_MEMBERS_EDIT,
        "not-found": NO_SUCH_ORGANISATION,
        "organisation-archived": NOT_ACTIVE,
        "conflict": NOT_ACTIVE,
    },
    "organisation.archive": {
        "forbidden": N_("Nur das Büro des Amts für Integration kann Organisationen archivieren."),
        "not-found": NO_SUCH_ORGANISATION,
    },
    "member.invite": {
        "forbidden": ONLY_MEMBERS_INVITE,
        "not-found": NO_SUCH_ORGANISATION,
        "already-a-member": N_(
            "Diese Person gehört schon zur Organisation und kann sich anmelden."
        ),
        "organisation-archived": NO_ONE_JOINS,
        "invitation-in-progress": N_(
            "Diese Adresse wird gerade eingeladen. Bitte versuchen Sie es gleich noch einmal."
        ),
        "conflict": N_(
            "Diese Adresse wird gerade eingeladen. Bitte versuchen Sie es gleich noch einmal."
        ),
    },
    "member.remove": {
        "forbidden": N_(
            "Mitglieder entfernen dürfen nur die Mitglieder der Organisation und das Büro."
        ),
        "not-found": N_("Diese Person gehört nicht (mehr) zur Organisation."),
    },
    "invitation.accept": {
        "forbidden": N_(
            "Diese Einladung gilt für ein anderes Konto. Melden Sie sich mit der "
            "Adresse an, an die sie ging."
        ),
        "organisation-archived": NO_ONE_JOINS,
        "conflict": NO_ONE_JOINS,
    },
    "password.set": {
        "expired-token": N_("Dieser Link ist abgelaufen. Bitten Sie um einen neuen."),
        "bad-token": N_("Dieser Link ist ungültig oder wurde schon benutzt."),
        "malformed-token": N_("Dieser Link ist ungültig oder wurde schon benutzt."),
        "weak-password": TOO_WEAK,
        "validation-error": N_(
            "Bitte prüfen Sie das Passwort: es darf höchstens 1000 Zeichen lang sein."
        ),
    },
    "listing.post": {
        "forbidden": N_("Sie dürfen für diese Organisation nichts einstellen."),
        "unknown-organisation": N_(
            "Die Börse kennt diese Organisation noch nicht. Bitte versuchen "
            "Sie es in ein paar Sekunden noch einmal."
        ),
        "organisation-archived": N_(
            "Diese Organisation ist nicht mehr im Netzwerk aktiv und kann nichts einstellen."
        ),
    },
    "listing.close": {
        "forbidden": N_(
            "Sie dürfen dieses {noun} nicht ändern: das dürfen nur Mitglieder der "
            "Organisation und das Büro."
        ),
        "not-found": N_("Dieses {noun} gibt es nicht."),
        "listing-closed": N_("Dieses {noun} ist bereits abgeschlossen."),
        "conflict": N_("Dieses {noun} ist bereits abgeschlossen."),
        "not-a-match-of-this-listing": N_(
            "Dieser Treffer gehört nicht zu diesem {noun}. Bitte "
            "wählen Sie einen seiner Treffer oder „ohne Vermittlung über das Netz“."
        ),
        "validation-error": N_(
            "Dieser Treffer gehört nicht zu diesem {noun}. Bitte wählen Sie "
            "einen seiner Treffer oder „ohne Vermittlung über das Netz“."
        ),
    },
    "match.rate": {
        "forbidden": N_(
            "Sie dürfen diesen Treffer nicht für diese Organisation bewerten: das "
            "dürfen nur ihre Mitglieder und das Büro."
        ),
        "not-involved": N_("Diese Organisation ist an diesem Treffer nicht beteiligt."),
        "not-found": N_(
            "Diesen Treffer gibt es nicht, oder er betrifft Ihre Organisationen nicht."
        ),
    },
    "match.feedback": {
        "expired-token": N_(
            "Dieser Link ist abgelaufen. Sie können den Treffer weiterhin im "
            "Portal unter „Mein Bereich“ bewerten."
        ),
        "forged-token": N_(
            "Dieser Link ist ungültig. Bitte nutzen Sie den Link aus der E-Mail "
            "unverändert oder bewerten Sie den Treffer im Portal."
        ),
        "malformed-token": N_(
            "Dieser Link ist beschädigt. Bitte nutzen Sie den Link aus der "
            "E-Mail unverändert oder bewerten Sie den Treffer im Portal."
        ),
        "wrong-purpose-token": N_("Dieser Link ist nicht für eine Bewertung gedacht."),
        "validation-error": N_(
            "Dieser Link ist beschädigt. Bitte nutzen Sie den Link aus der "
            "E-Mail unverändert oder bewerten Sie den Treffer im Portal."
        ),
        "not-found": N_("Diesen Treffer gibt es nicht (mehr)."),
    },
    "office.report": {
        "forbidden": N_("Diese Auswertung sieht nur das Büro des Amts für Integration."),
    },
    "event.plan": {
        "forbidden": N_("Sie dürfen für diese Organisation keine Termine eintragen."),
        "invalid-event": N_(
            "Datum oder Uhrzeit passen nicht: Termine liegen zwischen den Jahren "
            "2000 und 2100 und dauern höchstens 14 Tage."
        ),
        "unknown-organisation": N_(
            "Der Kalender kennt diese Organisation noch nicht. Bitte in "
            "einer Minute erneut versuchen."
        ),
        "organisation-archived": N_(
            "Diese Organisation ist nicht mehr im Netzwerk und kann keine Termine eintragen."
        ),
    },
    "co-organising.answer": {
        "forbidden": N_("Sie dürfen für diese Organisation nicht antworten."),
        "not-found": N_("Diese Einladung gibt es nicht (mehr)."),
    },
    "subscription.create": {
        "rate-limited": N_(
            "Für diese Adresse warten schon mehrere Abonnements auf ihre "
            "Bestätigung. Bitte bestätigen Sie zuerst über die Links in den E-Mails, die Sie "
            "bekommen haben, oder versuchen Sie es in ein paar Tagen noch einmal."
        ),
        "forbidden": N_("Sie dürfen für diese Organisation keine Benachrichtigungen einrichten."),
    },
    "subscription.end": {
        "forbidden": N_(
            "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden."
        ),
        "not-found": N_(
            "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden."
        ),
    },
    "concept.import": {
        "forbidden": ONLY_OFFICE_CONCEPT,
        "office-only": ONLY_OFFICE_CONCEPT,
        "empty-file": N_("Die Datei ist leer. Bitte wählen Sie die Tabelle mit den Maßnahmen."),
        "unreadable-file": N_(
            "Diese Datei lässt sich nicht lesen. Bitte laden Sie eine "
            "Excel-Tabelle (.xlsx) oder eine CSV-Datei hoch."
        ),
        "missing-columns": N_(
            "Der Tabelle fehlen Spalten. In der ersten Zeile müssen mindestens "
            "Handlungsfeld, Ziel, Nr., Maßnahme und Status stehen."
        ),
        "too-many-rows": N_("Die Tabelle hat zu viele Zeilen für einen Import."),
        "payload-too-large": FILE_TOO_LARGE,
        "no-concept": N_("Es gibt noch kein Integrationskonzept, in das importiert werden kann."),
        "import-has-errors": N_("Die Tabelle hat fehlerhafte Zeilen; es wurde nichts importiert."),
        "busy": N_("Gerade wird schon importiert. Bitte versuchen Sie es gleich noch einmal."),
    },
    "measure.status": {
        "forbidden": N_(
            "Den Stand dieser Maßnahme tragen nur die federführende Organisation und das Büro ein."
        ),
        "not-lead": N_(
            "Den Stand dieser Maßnahme tragen nur die federführende Organisation und das Büro ein."
        ),
        "not-found": N_("Diese Maßnahme gibt es nicht."),
        "future-status": N_("Ein Stand gilt ab heute oder einem vergangenen Tag."),
        "validation-error": N_(
            "Bitte wählen Sie einen Stand; der Satz darf höchstens 1000 Zeichen lang sein."
        ),
    },
    "report.publish": {
        "forbidden": N_("Berichte veröffentlicht nur das Büro des Amts für Integration."),
        "office-only": N_("Berichte veröffentlicht nur das Büro des Amts für Integration."),
        "future-cut-off": N_("Der Stichtag darf nicht in der Zukunft liegen."),
        "no-concept": N_("Es gibt noch kein Integrationskonzept, über das berichtet werden kann."),
        "validation-error": N_("Bitte geben Sie einen gültigen Stichtag an."),
    },
    "notice.switch": {
        "forbidden": N_("Sie dürfen die Benachrichtigungen dieser Organisation nicht ändern."),
        "not-found": NO_SUCH_ORGANISATION,
    },
}

#: What a refused action says when its table has nothing for the slug.
REFUSED = {
    "organisation.register": N_(
        "Das Verzeichnis hat die Angaben nicht angenommen. Bitte prüfen Sie sie."
    ),
    "organisation.change": N_(
        "Das Verzeichnis hat die Angaben nicht angenommen. Bitte prüfen Sie sie."
    ),
    "member.invite": N_(
        "Das Verzeichnis hat die Einladung nicht angenommen. Bitte prüfen Sie die Angaben."
    ),
    "invitation.accept": N_(
        "Dieser Einladungslink ist ungültig, abgelaufen, zurückgezogen oder "
        "wurde schon benutzt. Bitten Sie die Organisation um eine neue Einladung."
    ),
    "password.set": N_("Das Passwort konnte nicht gesetzt werden. Bitte versuchen Sie es erneut."),
    "listing.post": N_("Die Börse hat die Angaben nicht angenommen. Bitte prüfen Sie sie."),
    "event.plan": N_("Der Kalender hat den Termin nicht angenommen."),
    "co-organising.answer": N_("Der Kalender hat die Antwort nicht angenommen."),
    "subscription.create": N_(
        "Die Benachrichtigungen haben die Angaben nicht angenommen. Bitte prüfen Sie sie."
    ),
    "subscription.end": N_(
        "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden."
    ),
    "match.rate": N_("Die Börse hat die Bewertung nicht angenommen."),
    "match.feedback": N_("Die Börse hat die Bewertung nicht angenommen."),
    "concept.import": N_("Das Integrationskonzept hat die Tabelle nicht angenommen."),
    "measure.status": N_("Das Integrationskonzept hat den Stand nicht angenommen."),
    "report.publish": N_("Das Integrationskonzept hat den Bericht nicht veröffentlicht."),
}


def refusal(action: str, problem: Problem, **words: str) -> str:
    """The sentence for `problem` refusing `action` (a key of `REFUSALS`) in the request's
    language, decided on its slug alone; `words` fill in placeholders such as {noun}."""
    table = REFUSALS.get(action, {})
    german = table.get(problem.slug) or table.get(problem.generic) or REFUSED.get(action, NOT_DONE)
    text = _(german)
    return text.format(**words) if words else text


def knows(action: str, problem: Problem) -> bool:
    """Whether `action` has its own sentence for the problem's own slug (not its status's)."""
    return problem.slug in REFUSALS.get(action, {})
