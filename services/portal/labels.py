"""Every German word the portal puts on a value of the services: the labels of their
vocabularies (keyed by the shared enums where there is one) and the German sentence for each
problem slug a service answers with, per action. No page shows a service's English `detail`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from services.portal.clients.base import Problem
from shared.contracts.calendar import ConflictKind, Visibility
from shared.contracts.concept import MEASURE_STATUS_LABELS, MeasureVisibility
from shared.contracts.directory import OrganisationKind
from shared.contracts.exchange import ListingCategory, ListingStatus, MatchVerdict
from shared.contracts.vocabulary import Audience, FieldOfAction

Vocabulary = TypeVar("Vocabulary", bound=StrEnum)


def _by_value(labels: Mapping[Vocabulary, str]) -> dict[str, str]:
    """Keyed by the enum's value, as the services' JSON and the forms carry it."""
    return {member.value: label for member, label in labels.items()}


CATEGORIES = _by_value(
    {
        ListingCategory.ROOM: "Raum",
        ListingCategory.FURNITURE: "Möbel",
        ListingCategory.EQUIPMENT: "Ausstattung",
        ListingCategory.LANGUAGE_PARTNER: "Sprachpartnerschaft",
        ListingCategory.VOLUNTEERS: "Ehrenamtliche",
        ListingCategory.COOPERATION: "Kooperation",
        ListingCategory.EXPERTISE: "Fachwissen",
        ListingCategory.TRANSPORT: "Transport",
        ListingCategory.OTHER: "Sonstiges",
    }
)
LISTING_STATUSES = _by_value(
    {
        ListingStatus.OPEN: "offen",
        ListingStatus.FULFILLED: "erledigt",
        ListingStatus.WITHDRAWN: "zurückgezogen",
        ListingStatus.EXPIRED: "abgelaufen",
    }
)
ORGANISATION_KINDS = _by_value(
    {
        OrganisationKind.MIGRANT_ORGANISATION: "Migrantenorganisation",
        OrganisationKind.RELIGIOUS_COMMUNITY: "Religionsgemeinschaft",
        OrganisationKind.DISTRICT_OFFICE: "Stadtteilbüro",
        OrganisationKind.COUNSELLING_SERVICE: "Beratungsstelle",
        OrganisationKind.EDUCATION: "Bildung",
        OrganisationKind.PUBLIC_AUTHORITY: "Behörde",
        OrganisationKind.ASSOCIATION: "Verein",
        OrganisationKind.VOLUNTEER_GROUP: "Ehrenamtsgruppe",
        OrganisationKind.OTHER: "Sonstige",
    }
)
FIELDS_OF_ACTION = _by_value(
    {
        FieldOfAction.LANGUAGE_EDUCATION: "Sprache und Bildung",
        FieldOfAction.WORK: "Arbeit und Ausbildung",
        FieldOfAction.SOCIAL_PARTICIPATION: "Gesellschaftliche Teilhabe",
        FieldOfAction.CULTURAL_DIVERSITY: "Kulturelle Vielfalt",
        FieldOfAction.HEALTH: "Gesundheit",
        FieldOfAction.HOUSING: "Wohnen",
        FieldOfAction.SPORTS: "Sport",
        FieldOfAction.COUNSELLING: "Beratung",
        FieldOfAction.CHILDREN_YOUTH: "Kinder und Jugend",
        FieldOfAction.ANTI_DISCRIMINATION: "Antidiskriminierung",
        FieldOfAction.RELIGION: "Religion",
        FieldOfAction.OTHER: "Sonstiges",
    }
)
AUDIENCES = _by_value(
    {
        Audience.CHILDREN: "Kinder",
        Audience.YOUTH: "Jugendliche",
        Audience.FAMILIES: "Familien",
        Audience.WOMEN: "Frauen",
        Audience.MEN: "Männer",
        Audience.SENIORS: "Seniorinnen und Senioren",
        Audience.NEWCOMERS: "Neu Zugewanderte",
        Audience.PROFESSIONALS: "Fachkräfte",
        Audience.VOLUNTEERS: "Ehrenamtliche",
        Audience.EVERYONE: "Alle",
    }
)
VISIBILITIES = _by_value(
    {
        Visibility.PUBLIC: "Öffentlich (auch auf der Website der Stadt)",
        Visibility.NETWORK: "Nur im Netzwerk",
    }
)
CONFLICT_KINDS = _by_value(
    {
        ConflictKind.ROOM: "Raum doppelt belegt",
        ConflictKind.AUDIENCE: "Gleiches Publikum im selben Stadtteil",
    }
)
ROLES = {"admin": "Büro des Amts für Integration", "editor": "Mitglied"}
#: What a side said of a match.
MEASURE_STATUSES = _by_value(MEASURE_STATUS_LABELS)
MEASURE_VISIBILITIES = _by_value(
    {
        MeasureVisibility.PUBLIC: "öffentlich",
        MeasureVisibility.NETWORK: "nur im Netzwerk",
        MeasureVisibility.OFFICE: "nur für das Büro",
    }
)
ACTIVITY_KINDS = {"event": "Termin", "offer": "Angebot", "request": "Gesuch"}
IMPORT_ACTIONS = {"create": "neu", "change": "geändert", "unchanged": "unverändert"}
#: A measure's fields as the import's columns name them (what a preview says has changed).
MEASURE_FIELDS = {
    "title": "Maßnahme",
    "description": "Beschreibung",
    "lead_organisation_id": "Federführung",
    "partner_organisation_ids": "Partner",
    "target_groups": "Zielgruppen",
    "districts": "Stadtteile",
    "planned_start": "Beginn",
    "planned_end": "Ende",
    "visibility": "Sichtbarkeit",
    "goal_number": "Ziel",
    "status": "Status",
}
VERDICTS = _by_value({MatchVerdict.FITS: "passt", MatchVerdict.DOES_NOT_FIT: "passt nicht"})
#: Through which of its matches a listing was fulfilled: none.
WITHOUT_THE_NETWORK = "ohne Vermittlung über das Netz"
#: The languages the notifier writes its emails in; the directory accepts any language tag.
PREFERRED_LANGUAGES = {
    "de": "Deutsch",
    "en": "Englisch",
    "uk": "Ukrainisch",
    "tr": "Türkisch",
    "ar": "Arabisch",
}
#: The same languages, each by its own name, so that whoever reads it finds their language.
EMAIL_LANGUAGES = {
    "de": "Deutsch",
    "en": "English",
    "uk": "Українська",
    "tr": "Türkçe",
    "ar": "العربية",
}
TOPICS = {"offers": "Neue Angebote", "requests": "Neue Gesuche", "events": "Neue Termine"}
DELIVERIES = {"immediate": "sofort", "daily": "täglich", "weekly": "wöchentlich"}
#: How often match notices come (the best three of a listing at once, or in a summary).
NOTICE_CADENCES = {
    "immediate": "sofort (höchstens eine E-Mail pro Eintrag und Tag)",
    "daily": "täglich als Übersicht",
    "weekly": "wöchentlich als Übersicht",
}
EMAIL_TEMPLATES = {
    "match_found": "Treffer in der Börse",
    "conflict_detected": "Terminüberschneidung",
    "new_listing": "Neues Angebot oder Gesuch",
    "new_event": "Neuer Termin",
    "event_rescheduled": "Termin verschoben",
    "event_cancelled": "Termin abgesagt",
    "digest": "Übersicht (täglich/wöchentlich)",
    "match_summary": "Übersicht passender Einträge",
    "subscription_confirmation": "Bestätigung eines Abonnements",
    "invitation": "Einladung",
    "password_reset": "Passwort zurücksetzen",
    "membership_added": "Neue Mitgliedschaft",
    "membership_invitation": "Einladung (bestehendes Konto)",
}
DELIVERY_STATUSES = {
    "pending": "wartet / nächster Versuch",
    "sent": "verschickt",
    "failed": "aufgegeben",
    "skipped": "nicht nötig (keine Adresse, abbestellt)",
}
#: Each service as the subject of "… ist gerade nicht erreichbar".
SERVICES = {
    "directory": "Das Verzeichnis ist",
    "calendar": "Der Kalender ist",
    "exchange": "Die Börse ist",
    "notifier": "Die Benachrichtigungen sind",
    "concept": "Das Integrationskonzept ist",
}


def unreachable(service: str) -> str:
    subject = SERVICES.get(service, "Ein Teil des Integrationsnetzes ist")
    return f"{subject} gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."


def unreachable_form_kept(service: str) -> str:
    """A form shown again, as typed, because `service` is down."""
    return (
        f"{SERVICES[service]} gerade nicht erreichbar. Ihre Angaben sind noch da: "
        "Bitte senden Sie das Formular später noch einmal ab."
    )


# --- problems, by slug ----------------------------------------------------------------------

NOT_DONE = "Das hat leider nicht geklappt."
NO_SUCH_ORGANISATION = "Diese Organisation gibt es nicht (mehr)."
NOT_ACTIVE = "Diese Organisation ist nicht mehr aktiv und kann nicht mehr geändert werden."
NO_ONE_JOINS = "Diese Organisation ist nicht mehr aktiv: es kann niemand mehr beitreten."
ONLY_STAFF_REGISTER = "Nur das Büro des Amts für Integration kann Organisationen anlegen."
ONLY_MEMBERS_EDIT = (
    "Sie dürfen diese Organisation nicht bearbeiten: das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_MEMBERS_INVITE = (
    "Sie dürfen in diese Organisation niemanden einladen: "
    "das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_OFFICE_CONCEPT = "Das Integrationskonzept importiert nur das Büro des Amts für Integration."
FILE_TOO_LARGE = "Die Datei ist zu groß: Tabellen für den Import dürfen höchstens 5 MB groß sein."
#: The directory's password rules (`services/directory/domain.py`, `password_problem`). Its
#: `weak-password` problem does not say which rule failed, so all of them are named.
TOO_WEAK = (
    "Dieses Passwort ist zu schwach. Bitte wählen Sie ein Passwort mit mindestens 10 Zeichen, "
    "das nicht Ihre E-Mail-Adresse ist und nicht nur aus wenigen verschiedenen Zeichen besteht."
)

#: What to say when a service refuses an action, by the problem's slug (a specific slug first,
#: then the generic one of its status: "forbidden", "not-found", "conflict", …).
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
        "forbidden": "Nur das Büro des Amts für Integration kann Organisationen archivieren.",
        "not-found": NO_SUCH_ORGANISATION,
    },
    "member.invite": {
        "forbidden": ONLY_MEMBERS_INVITE,
        "not-found": NO_SUCH_ORGANISATION,
        "already-a-member": "Diese Person gehört schon zur Organisation und kann sich anmelden.",
        "organisation-archived": NO_ONE_JOINS,
        "invitation-in-progress": "Diese Adresse wird gerade eingeladen. Bitte versuchen Sie es "
        "gleich noch einmal.",
        "conflict": "Diese Adresse wird gerade eingeladen. Bitte versuchen Sie es gleich noch "
        "einmal.",
    },
    "member.remove": {
        "forbidden": "Mitglieder entfernen dürfen nur die Mitglieder der Organisation und das "
        "Büro.",
        "not-found": "Diese Person gehört nicht (mehr) zur Organisation.",
    },
    "invitation.accept": {
        "forbidden": "Diese Einladung gilt für ein anderes Konto. Melden Sie sich mit der "
        "Adresse an, an die sie ging.",
        "organisation-archived": NO_ONE_JOINS,
        "conflict": NO_ONE_JOINS,
    },
    "password.set": {
        "expired-token": "Dieser Link ist abgelaufen. Bitten Sie um einen neuen.",
        "bad-token": "Dieser Link ist ungültig oder wurde schon benutzt.",
        "malformed-token": "Dieser Link ist ungültig oder wurde schon benutzt.",
        "weak-password": TOO_WEAK,
        "validation-error": "Bitte prüfen Sie das Passwort: es darf höchstens 1000 Zeichen "
        "lang sein.",
    },
    "listing.post": {
        "forbidden": "Sie dürfen für diese Organisation nichts einstellen.",
        "unknown-organisation": "Die Börse kennt diese Organisation noch nicht. Bitte versuchen "
        "Sie es in ein paar Sekunden noch einmal.",
        "organisation-archived": "Diese Organisation ist nicht mehr im Netzwerk aktiv und kann "
        "nichts einstellen.",
    },
    "listing.close": {
        "forbidden": "Sie dürfen dieses {noun} nicht ändern: das dürfen nur Mitglieder der "
        "Organisation und das Büro.",
        "not-found": "Dieses {noun} gibt es nicht.",
        "listing-closed": "Dieses {noun} ist bereits abgeschlossen.",
        "conflict": "Dieses {noun} ist bereits abgeschlossen.",
        "not-a-match-of-this-listing": "Dieser Treffer gehört nicht zu diesem {noun}. Bitte "
        "wählen Sie einen seiner Treffer oder „ohne Vermittlung über das Netz“.",
        "validation-error": "Dieser Treffer gehört nicht zu diesem {noun}. Bitte wählen Sie "
        "einen seiner Treffer oder „ohne Vermittlung über das Netz“.",
    },
    "match.rate": {
        "forbidden": "Sie dürfen diesen Treffer nicht für diese Organisation bewerten: das "
        "dürfen nur ihre Mitglieder und das Büro.",
        "not-involved": "Diese Organisation ist an diesem Treffer nicht beteiligt.",
        "not-found": "Diesen Treffer gibt es nicht, oder er betrifft Ihre Organisationen nicht.",
    },
    "match.feedback": {
        "expired-token": "Dieser Link ist abgelaufen. Sie können den Treffer weiterhin im "
        "Portal unter „Mein Bereich“ bewerten.",
        "forged-token": "Dieser Link ist ungültig. Bitte nutzen Sie den Link aus der E-Mail "
        "unverändert oder bewerten Sie den Treffer im Portal.",
        "malformed-token": "Dieser Link ist beschädigt. Bitte nutzen Sie den Link aus der "
        "E-Mail unverändert oder bewerten Sie den Treffer im Portal.",
        "wrong-purpose-token": "Dieser Link ist nicht für eine Bewertung gedacht.",
        "validation-error": "Dieser Link ist beschädigt. Bitte nutzen Sie den Link aus der "
        "E-Mail unverändert oder bewerten Sie den Treffer im Portal.",
        "not-found": "Diesen Treffer gibt es nicht (mehr).",
    },
    "office.report": {
        "forbidden": "Diese Auswertung sieht nur das Büro des Amts für Integration.",
    },
    "event.plan": {
        "forbidden": "Sie dürfen für diese Organisation keine Termine eintragen.",
        "invalid-event": "Datum oder Uhrzeit passen nicht: Termine liegen zwischen den Jahren "
        "2000 und 2100 und dauern höchstens 14 Tage.",
        "unknown-organisation": "Der Kalender kennt diese Organisation noch nicht. Bitte in "
        "einer Minute erneut versuchen.",
        "organisation-archived": "Diese Organisation ist nicht mehr im Netzwerk und kann keine "
        "Termine eintragen.",
    },
    "co-organising.answer": {
        "forbidden": "Sie dürfen für diese Organisation nicht antworten.",
        "not-found": "Diese Einladung gibt es nicht (mehr).",
    },
    "subscription.create": {
        "rate-limited": "Für diese Adresse warten schon mehrere Abonnements auf ihre "
        "Bestätigung. Bitte bestätigen Sie zuerst über die Links in den E-Mails, die Sie "
        "bekommen haben, oder versuchen Sie es in ein paar Tagen noch einmal.",
        "forbidden": "Sie dürfen für diese Organisation keine Benachrichtigungen einrichten.",
    },
    "subscription.end": {
        "forbidden": "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden.",
        "not-found": "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden.",
    },
    "concept.import": {
        "forbidden": ONLY_OFFICE_CONCEPT,
        "office-only": ONLY_OFFICE_CONCEPT,
        "empty-file": "Die Datei ist leer. Bitte wählen Sie die Tabelle mit den Maßnahmen.",
        "unreadable-file": "Diese Datei lässt sich nicht lesen. Bitte laden Sie eine "
        "Excel-Tabelle (.xlsx) oder eine CSV-Datei hoch.",
        "missing-columns": "Der Tabelle fehlen Spalten. In der ersten Zeile müssen mindestens "
        "Handlungsfeld, Ziel, Nr., Maßnahme und Status stehen.",
        "too-many-rows": "Die Tabelle hat zu viele Zeilen für einen Import.",
        "payload-too-large": FILE_TOO_LARGE,
        "no-concept": "Es gibt noch kein Integrationskonzept, in das importiert werden kann.",
        "import-has-errors": "Die Tabelle hat fehlerhafte Zeilen; es wurde nichts importiert.",
        "busy": "Gerade wird schon importiert. Bitte versuchen Sie es gleich noch einmal.",
    },
    "measure.status": {
        "forbidden": "Den Stand dieser Maßnahme tragen nur die federführende Organisation und "
        "das Büro ein.",
        "not-lead": "Den Stand dieser Maßnahme tragen nur die federführende Organisation und "
        "das Büro ein.",
        "not-found": "Diese Maßnahme gibt es nicht.",
        "future-status": "Ein Stand gilt ab heute oder einem vergangenen Tag.",
        "validation-error": "Bitte wählen Sie einen Stand; der Satz darf höchstens 1000 "
        "Zeichen lang sein.",
    },
    "report.publish": {
        "forbidden": "Berichte veröffentlicht nur das Büro des Amts für Integration.",
        "office-only": "Berichte veröffentlicht nur das Büro des Amts für Integration.",
        "future-cut-off": "Der Stichtag darf nicht in der Zukunft liegen.",
        "no-concept": "Es gibt noch kein Integrationskonzept, über das berichtet werden kann.",
        "validation-error": "Bitte geben Sie einen gültigen Stichtag an.",
    },
    "notice.switch": {
        "forbidden": "Sie dürfen die Benachrichtigungen dieser Organisation nicht ändern.",
        "not-found": NO_SUCH_ORGANISATION,
    },
}

#: What a refused action says when its table has nothing for the slug.
REFUSED = {
    "organisation.register": "Das Verzeichnis hat die Angaben nicht angenommen. Bitte prüfen "
    "Sie sie.",
    "organisation.change": "Das Verzeichnis hat die Angaben nicht angenommen. Bitte prüfen "
    "Sie sie.",
    "member.invite": "Das Verzeichnis hat die Einladung nicht angenommen. Bitte prüfen Sie die "
    "Angaben.",
    "invitation.accept": "Dieser Einladungslink ist ungültig, abgelaufen, zurückgezogen oder "
    "wurde schon benutzt. Bitten Sie die Organisation um eine neue Einladung.",
    "password.set": "Das Passwort konnte nicht gesetzt werden. Bitte versuchen Sie es erneut.",
    "listing.post": "Die Börse hat die Angaben nicht angenommen. Bitte prüfen Sie sie.",
    "event.plan": "Der Kalender hat den Termin nicht angenommen.",
    "co-organising.answer": "Der Kalender hat die Antwort nicht angenommen.",
    "subscription.create": "Die Benachrichtigungen haben die Angaben nicht angenommen. Bitte "
    "prüfen Sie sie.",
    "subscription.end": "Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden.",
    "match.rate": "Die Börse hat die Bewertung nicht angenommen.",
    "match.feedback": "Die Börse hat die Bewertung nicht angenommen.",
    "concept.import": "Das Integrationskonzept hat die Tabelle nicht angenommen.",
    "measure.status": "Das Integrationskonzept hat den Stand nicht angenommen.",
    "report.publish": "Das Integrationskonzept hat den Bericht nicht veröffentlicht.",
}


def refusal(action: str, problem: Problem, **words: str) -> str:
    """The German sentence for `problem` refusing `action` (a key of `REFUSALS`), decided on
    its slug alone; `words` fill in placeholders such as {noun}."""
    table = REFUSALS.get(action, {})
    text = table.get(problem.slug) or table.get(problem.generic) or REFUSED.get(action, NOT_DONE)
    return text.format(**words) if words else text


def knows(action: str, problem: Problem) -> bool:
    """Whether `action` has its own sentence for the problem's own slug (not its status's)."""
    return problem.slug in REFUSALS.get(action, {})
