"""What the portal says when a service refuses an action: a sentence per problem slug and
action, written in German (marked with `N_`) and said in the request's language. The words for
the services' values are in `labels.py`."""

from __future__ import annotations

from services.portal.clients.base import Problem
from services.portal.i18n import N_, _

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
NO_SUCH_GROUP = N_("Diese Arbeitsgruppe gibt es nicht, oder Sie dürfen sie nicht sehen.")
NO_SUCH_MEETING = N_("Dieses Treffen gibt es nicht (mehr).")
NO_SUCH_DOCUMENT = N_("Dieses Dokument gibt es nicht (mehr), oder Sie dürfen es nicht sehen.")
ONLY_COORDINATORS = N_(
    "Das dürfen nur die Mitglieder der koordinierenden Organisation und das Büro."
)
DOCUMENT_TOO_LARGE = N_("Die Datei ist zu groß: Dokumente dürfen höchstens 10 MB groß sein.")
GROUP_ARCHIVED = N_("Diese Arbeitsgruppe ist archiviert; sie nimmt niemanden mehr auf.")
CHANGED_MEANWHILE = N_(
    "Die Arbeitsgruppe wurde gerade von jemand anderem geändert. Bitte versuchen Sie es "
    "noch einmal."
)
NOT_IN_THE_GROUP = N_("Diese Organisation gehört nicht (mehr) zur Arbeitsgruppe.")
NOT_IN_THE_NETWORK = N_("Diese Organisation ist nicht (mehr) im Netzwerk aktiv.")
#: The directory's password rules (`services/directory/domain.py`, `password_problem`). Its
#: `weak-password` problem does not say which rule failed, so all of them are named.
TOO_WEAK = N_(
    "Dieses Passwort ist zu schwach. Bitte wählen Sie ein Passwort mit mindestens 10 Zeichen, "
    "das nicht Ihre E-Mail-Adresse ist und nicht nur aus wenigen verschiedenen Zeichen besteht."
)

#: What joining a working group (asked or invited) may be refused for, but not being allowed.
JOINING = {
    "already-member": N_("Diese Organisation gehört schon zur Arbeitsgruppe."),
    "group-archived": GROUP_ARCHIVED,
    "concurrent-change": CHANGED_MEANWHILE,
    "group-not-found": NO_SUCH_GROUP,
    "not-found": NO_SUCH_GROUP,
    "organisation-archived": NOT_IN_THE_NETWORK,
    "unknown-organisation": NOT_IN_THE_NETWORK,
}

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
        "group-meeting-organiser": N_(
            "Treffen einer Arbeitsgruppe lädt die koordinierende Organisation ein."
        ),
        "visibility-wider-than-group": N_(
            "Das Treffen darf nicht für mehr Menschen sichtbar sein als die Arbeitsgruppe."
        ),
        "group-not-found": NO_SUCH_GROUP,
        "group-archived": N_("Diese Arbeitsgruppe ist archiviert und plant keine Treffen mehr."),
        "meeting-stays-in-its-group": N_(
            "Ein Treffen bleibt das Treffen seiner Arbeitsgruppe. Sagen Sie es ab und planen "
            "Sie ein neues."
        ),
    },
    "group.found": {
        "forbidden": N_("Sie dürfen für diese Organisation keine Arbeitsgruppe gründen."),
        "unknown-organisation": N_(
            "Der Kalender kennt diese Organisation noch nicht. Bitte in "
            "einer Minute erneut versuchen."
        ),
        "organisation-archived": N_(
            "Diese Organisation ist nicht mehr im Netzwerk und kann keine Arbeitsgruppe gründen."
        ),
    },
    "group.change": {
        "forbidden": ONLY_COORDINATORS,
        "concurrent-change": CHANGED_MEANWHILE,
        "group-not-found": NO_SUCH_GROUP,
        "not-found": NO_SUCH_GROUP,
    },
    "group.join": {
        "forbidden": N_("Sie dürfen nur für Ihre eigene Organisation den Beitritt anfragen."),
        **JOINING,
    },
    "group.invite": {"forbidden": ONLY_COORDINATORS, **JOINING},
    "group.membership": {
        "forbidden": N_(
            "Das dürfen nur die koordinierende Organisation, die betroffene Organisation "
            "und das Büro."
        ),
        "coordinator-cannot-leave": N_(
            "Die koordinierende Organisation kann die Arbeitsgruppe nicht verlassen."
        ),
        "group-not-found": NO_SUCH_GROUP,
        "group-archived": GROUP_ARCHIVED,
        "concurrent-change": CHANGED_MEANWHILE,
        "membership-not-found": NOT_IN_THE_GROUP,
        "not-found": NOT_IN_THE_GROUP,
    },
    "document.upload": {
        "forbidden": N_(
            "Dokumente laden nur die Mitgliedsorganisationen der Arbeitsgruppe und das Büro hoch."
        ),
        "unsupported-document-type": N_(
            "Bitte laden Sie eine PDF-Datei oder ein Textdokument (.odt) hoch."
        ),
        "document-too-large": DOCUMENT_TOO_LARGE,
        "payload-too-large": DOCUMENT_TOO_LARGE,
        "no-such-event": NO_SUCH_MEETING,
        "document-not-found": N_(
            "Dokumente dieses Treffens sehen und ergänzen nur die Mitgliedsorganisationen der "
            "Arbeitsgruppe und das Büro."
        ),
        "not-found": NO_SUCH_MEETING,
    },
    "document.delete": {
        "forbidden": N_(
            "Dieses Dokument löschen nur die Organisation, die es hochgeladen hat, "
            "und die koordinierende Organisation."
        ),
        "document-not-found": NO_SUCH_DOCUMENT,
        "not-found": NO_SUCH_DOCUMENT,
    },
    "co-organising.answer": {
        "forbidden": N_("Sie dürfen für diese Organisation nicht antworten."),
        "not-found": N_("Diese Einladung gibt es nicht (mehr)."),
    },
    "registration.register": {
        "registration-needs-sign-in": N_(
            "Für diese Veranstaltung melden sich nur Mitglieder des Netzwerks an. Bitte "
            "melden Sie sich zuerst im Portal an."
        ),
        "registration-group-only": N_(
            "Für dieses Treffen melden sich nur Mitglieder der Organisationen der Arbeitsgruppe an."
        ),
        "registration-closed": N_(
            "Die Anmeldung ist geschlossen: der Anmeldeschluss ist vorbei oder die "
            "Veranstaltung hat schon begonnen."
        ),
        "registration-not-found": N_("Für diese Veranstaltung gibt es keine Anmeldung."),
        "already-registered": N_(
            "Mit dieser E-Mail-Adresse ist schon jemand angemeldet, auf der Warteliste oder "
            "wartet auf die Bestätigung per E-Mail."
        ),
        "organisation-places-taken": N_(
            "Für diese Organisation sind schon so viele Personen angemeldet, wie die "
            "Veranstalter je Organisation zulassen."
        ),
        "forbidden": N_("Sie dürfen sich nicht für diese Organisation anmelden."),
        "not-found": N_("Diese Veranstaltung gibt es nicht (mehr)."),
    },
    "registration.set_up": {
        "forbidden": N_(
            "Die Anmeldung richten nur die Veranstalter dieser Veranstaltung und das Büro ein."
        ),
        "invalid-registration": N_(
            "Der Anmeldeschluss darf nicht nach dem Beginn der Veranstaltung liegen."
        ),
        "registration-closed": N_(
            "Diese Veranstaltung ist abgesagt: es kann sich niemand mehr anmelden."
        ),
        "registration-not-found": N_("Für diese Veranstaltung gibt es keine Anmeldung."),
        "not-found": N_("Diese Veranstaltung gibt es nicht (mehr)."),
    },
    "registration.link": {
        "registration-token-invalid": N_(
            "Dieser Link ist ungültig oder wurde schon benutzt. Bitte nutzen Sie den Link aus "
            "der E-Mail unverändert."
        ),
        "registration-token-expired": N_(
            "Dieser Link ist abgelaufen. Bitte melden Sie sich auf der Seite der Veranstaltung "
            "noch einmal an."
        ),
        "registration-closed": N_("Die Anmeldung zu dieser Veranstaltung ist geschlossen."),
        "not-found": N_(
            "Dieser Link ist ungültig oder wurde schon benutzt. Bitte nutzen Sie den Link aus "
            "der E-Mail unverändert."
        ),
        "validation-error": N_(
            "Dieser Link ist beschädigt. Bitte nutzen Sie den Link aus der E-Mail unverändert."
        ),
    },
    "registration.cancel": {
        "forbidden": N_(
            "Diese Anmeldung können nur die angemeldete Person, die Veranstalter und das Büro "
            "stornieren."
        ),
        "not-found": N_("Diese Anmeldung gibt es nicht (mehr)."),
    },
    "registration.participants": {
        "forbidden": N_(
            "Die Teilnehmenden sehen nur die Veranstalter dieser Veranstaltung und das Büro."
        ),
        "registration-not-found": N_("Für diese Veranstaltung gibt es keine Anmeldung."),
        "not-found": N_("Diese Veranstaltung oder Anmeldung gibt es nicht (mehr)."),
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
    "group.found": N_("Der Kalender hat die Arbeitsgruppe nicht angenommen."),
    "group.change": N_("Der Kalender hat die Änderung nicht angenommen."),
    "document.upload": N_("Der Kalender hat das Dokument nicht angenommen."),
    "subscription.create": N_(
        "Die Benachrichtigungen haben die Angaben nicht angenommen. Bitte prüfen Sie sie."
    ),
    "registration.register": N_("Der Kalender hat die Anmeldung nicht angenommen."),
    "registration.set_up": N_("Der Kalender hat die Einstellungen nicht angenommen."),
    "registration.link": N_("Der Kalender hat den Link nicht angenommen."),
    "registration.cancel": N_("Der Kalender hat die Abmeldung nicht angenommen."),
    "registration.participants": N_("Der Kalender hat die Änderung nicht angenommen."),
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
