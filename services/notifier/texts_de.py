"""Every sentence the notifier writes, in German (`de`): see `texts.py`."""

from __future__ import annotations

from typing import Final

GERMAN: Final[dict[str, str]] = {
    "reason_languages": "beide: {values}",
    "reason_district": "gleicher Stadtteil: {values}",
    "reason_tags": "Schlagworte: {values}",
    "reason_text": "passt zu: {values}",
    "reason_window": "Zeiträume überschneiden sich",
    "reason_capacity": "Platz für {offered} Personen, gebraucht für {needed}",
    "reason_practice": "{values} üben",
    "greeting": "Guten Tag,",
    "greeting_named": "Guten Tag {name},",
    "signoff": "Ihr Integrationsnetz",
    "open_in_portal": "Im Portal ansehen",
    "portal_home": "Zum Portal",
    "why_default": "Sie erhalten diese E-Mail als Kontaktadresse von {organisation} im "
    "Integrationsnetz.",
    "why_subscription": "Sie erhalten diese E-Mail, weil diese Adresse Benachrichtigungen "
    "aus dem Integrationsnetz abonniert hat.",
    "unsubscribe": "Abbestellen",
    "unsubscribe_hint": "Keine solchen E-Mails mehr erhalten:",
    "another_organisation": "eine andere Partnerorganisation",
    "a_partner": "Eine Partnerorganisation",
    "label_category": "Kategorie",
    "label_district": "Stadtteil",
    "label_when": "Wann",
    "label_languages": "Sprachen",
    "label_reasons": "Warum es passt",
    "label_previously": "Bisher",
    "label_reason": "Grund",
    "label_overlap": "Zeitraum",
    "label_kind": "Art",
    "topic_offers": "Neue Angebote",
    "topic_requests": "Neue Gesuche",
    "topic_events": "Neue Termine",
    "cat_room": "Raum",
    "cat_furniture": "Möbel",
    "cat_equipment": "Ausstattung",
    "cat_language_partner": "Sprachpartnerschaft",
    "cat_volunteers": "Ehrenamtliche",
    "cat_cooperation": "Kooperation",
    "cat_expertise": "Fachwissen",
    "cat_transport": "Transport",
    "cat_other": "Sonstiges",
    "conflict_room": "Derselbe Raum ist doppelt gebucht.",
    "conflict_audience": "Beide Termine richten sich zur selben Zeit im selben Stadtteil "
    "an dieselbe Zielgruppe.",
    "match_subject": "Passender Eintrag in der Börse: {title}",
    "match_heading": "Ein passender Eintrag wurde gefunden",
    "match_offer_text": "Zu Ihrem Angebot „{own}“ passt das Gesuch „{other}“ von {organisation}.",
    "match_request_text": "Zu Ihrem Gesuch „{own}“ passt das Angebot „{other}“ von {organisation}.",
    "match_summary_subject": "Weitere passende Einträge in der Börse: {count}",
    "match_summary_text": "Hier sind weitere passende Einträge zu Ihren Angeboten und Gesuchen. "
    "Alle Vorschläge, nach Eignung geordnet, finden Sie im Portal.",
    "feedback_question": "Passt dieser Vorschlag? Ein Klick hilft uns, bessere Treffer zu finden:",
    "feedback_fits": "Passt",
    "feedback_does_not_fit": "Passt nicht",
    "conflict_subject": "Terminüberschneidung: {title}",
    "conflict_heading": "Zwei Termine überschneiden sich",
    "conflict_text": "Im gemeinsamen Kalender überschneiden sich „{title}“ und „{other}“.",
    "conflict_text_unknown": "Im gemeinsamen Kalender überschneiden sich zwei Termine, an "
    "denen Ihre Organisation beteiligt ist.",
    "a_calendar_entry": "ein Termin",
    "offer_subject": "Neues Angebot: {title}",
    "request_subject": "Neues Gesuch: {title}",
    "event_subject": "Neuer Termin: {title}",
    "new_offer_text": "{organisation} bietet etwas an, das zu Ihrem Abonnement passt:",
    "new_request_text": "{organisation} sucht etwas, das zu Ihrem Abonnement passt:",
    "new_event_text": "{organisation} hat einen Termin eingetragen, der zu Ihrem Abonnement passt:",
    "rescheduled_subject": "Termin verschoben: {title}",
    "rescheduled_text": "Der Termin „{title}“ wurde verschoben.",
    "cancelled_subject": "Termin abgesagt: {title}",
    "cancelled_text": "Der Termin „{title}“ wurde abgesagt.",
    "digest_daily_subject": "Ihre tägliche Übersicht: {count} neue Einträge",
    "digest_weekly_subject": "Ihre wöchentliche Übersicht: {count} neue Einträge",
    "digest_text": "Neu im Integrationsnetz seit Ihrer letzten Übersicht:",
    "confirm_subject": "Bitte bestätigen Sie Ihr Abonnement",
    "confirm_text": "Jemand – hoffentlich Sie – möchte an diese Adresse Benachrichtigungen "
    "aus dem Integrationsnetz erhalten. Bitte bestätigen Sie das:",
    "confirm_button": "Abonnement bestätigen",
    "confirm_ignore": "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail; Sie erhalten "
    "dann nichts weiter.",
    "invitation_subject": "Einladung ins Integrationsnetz: {organisation}",
    "invitation_text": "Sie wurden eingeladen, {organisation} im Integrationsnetz zu "
    "vertreten. Legen Sie über diesen Link Ihr Passwort fest:",
    "set_password_button": "Passwort festlegen",
    "link_valid_until": "Der Link ist gültig bis {when}.",
    "reset_subject": "Ihr Passwort im Integrationsnetz",
    "reset_text": "Für Ihr Konto wurde ein neues Passwort angefordert. Legen Sie es über "
    "diesen Link fest:",
    "reset_ignore": "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail; Ihr "
    "Passwort bleibt unverändert.",
    "join_subject": "Einladung: {organisation} im Integrationsnetz vertreten",
    "join_text": "Sie wurden eingeladen, {organisation} im Integrationsnetz mit "
    "Ihrem bestehenden Konto zu vertreten. Melden Sie sich an und "
    "nehmen Sie die Einladung an; ohne Ihre Zustimmung ändert sich "
    "nichts.",
    "join_button": "Einladung ansehen",
    "membership_subject": "Sie vertreten jetzt {organisation}",
    "membership_text": "Ihr Konto wurde im Integrationsnetz mit {organisation} verknüpft. "
    "Sie können sich wie gewohnt anmelden.",
    "page_unsubscribe_title": "Abbestellen",
    "page_unsubscribe_subscription": "Möchten Sie diese Benachrichtigungen abbestellen?",
    "page_unsubscribe_default": "Möchten Sie an diese Adresse keine E-Mails mehr zu {what} "
    "erhalten?",
    "notice_match_found": "passenden Einträgen in der Börse",
    "notice_conflict_detected": "Terminüberschneidungen",
    "page_unsubscribed_title": "Abbestellt",
    "page_unsubscribed_text": "Sie erhalten diese E-Mails nicht mehr.",
    "page_unsubscribed_default_text": "Ihre Organisation erhält diese E-Mails nicht mehr. "
    "Wer zur Organisation gehört, kann sie im Portal unter „Mein Bereich“ wieder "
    "einschalten.",
    "page_confirmed_title": "Abonnement bestätigt",
    "page_confirmed_text": "Ab jetzt erhalten Sie die gewünschten Benachrichtigungen.",
}
