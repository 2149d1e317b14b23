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

from services.portal.i18n import AUTONYMS, N_, Labels, _
from shared.contracts.calendar import ConflictKind, RegistrationOpenTo, Visibility
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
#: Who sees a working group (and its meetings): the calendar's `visibility` of a group.
GROUP_VISIBILITIES = Labels(
    {
        "public": N_("Öffentlich (alle sehen die Gruppe und ihre Treffen)"),
        "network": N_("Nur im Netzwerk (angemeldete Mitglieder)"),
        "office": N_("Nur die Mitgliedsorganisationen und das Büro"),
    }
)
GROUP_STATUSES = Labels({"active": N_("aktiv"), "archived": N_("archiviert")})
CONFLICT_KINDS = _by_value(
    {
        ConflictKind.ROOM: N_("Raum doppelt belegt"),
        ConflictKind.AUDIENCE: N_("Gleiches Publikum im selben Stadtteil"),
    }
)
ROLES = Labels({"admin": N_("Büro des Amts für Integration"), "editor": N_("Mitglied")})
#: Where a measure of the integration concept stands.
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
#: What a side said of a match.
VERDICTS = _by_value({MatchVerdict.FITS: N_("passt"), MatchVerdict.DOES_NOT_FIT: N_("passt nicht")})
#: Through which of its matches a listing was fulfilled: none.
WITHOUT_THE_NETWORK = N_("ohne Vermittlung über das Netz")
#: A registration's state, as the registrant and the organisers read it.
REGISTRATION_STATES = Labels(
    {
        "pending": N_("wartet auf Bestätigung per E-Mail"),
        "confirmed": N_("angemeldet"),
        "waiting": N_("auf der Warteliste"),
        "cancelled": N_("abgemeldet"),
    }
)
#: Who may register for an event.
REGISTRATION_OPEN_TO = _by_value(
    {
        RegistrationOpenTo.PUBLIC: N_("Alle, auch ohne Konto (mit Bestätigung per E-Mail)"),
        RegistrationOpenTo.NETWORK: N_("Nur angemeldete Mitglieder des Netzwerks"),
        RegistrationOpenTo.GROUP: N_("Nur Mitglieder der Arbeitsgruppe"),
    }
)
#: The questions organisers may ask on registering.
REGISTRATION_QUESTIONS = Labels(
    {
        "interpreter": N_("Dolmetschung"),
        "child_care": N_("Kinderbetreuung"),
        "accessibility": N_("Barrierefreiheit"),
        "dietary": N_("Ernährung"),
    }
)
#: Why no one can register right now.
REGISTRATION_CLOSED = Labels(
    {
        "full": N_("Alle Plätze sind vergeben: Sie können sich auf die Warteliste setzen."),
        "deadline": N_("Der Anmeldeschluss ist vorbei."),
        "closed": N_("Die Anmeldung ist geschlossen."),
    }
)
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
        "registration_opt_in": N_("Anmeldung bestätigen"),
        "registration_confirmed": N_("Anmeldung bestätigt"),
        "registration_waitlisted": N_("Auf der Warteliste"),
        "registration_promoted": N_("Von der Warteliste nachgerückt"),
        "registration_cancelled": N_("Abmeldung"),
        "registration_reminder": N_("Erinnerung an eine Anmeldung"),
        "registration_event_changed": N_("Angemeldeter Termin geändert"),
        "registration_event_cancelled": N_("Angemeldeter Termin abgesagt"),
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
