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
    # working groups and event registrations (`calendar_views.py`)
    "all_day": "ganztägig",
    "label_venue": "Ort",
    "label_group": "Arbeitsgruppe",
    "label_topic": "Thema",
    "calendar_request_note": "Der Termin liegt als Kalendereintrag bei (invite.ics); Ihr "
    "E-Mail-Programm kann ihn in Ihren Kalender übernehmen.",
    "calendar_cancel_note": "Die beigefügte Absage (invite.ics) entfernt den Termin aus Ihrem "
    "Kalender.",
    "group_button": "Zur Arbeitsgruppe",
    "meeting_invitation_subject": "Einladung zum Treffen: {title}",
    "meeting_invitation_text": "Die Arbeitsgruppe „{group}“ trifft sich. Als Mitglied der "
    "Arbeitsgruppe ist Ihre Organisation herzlich eingeladen.",
    "meeting_rescheduled_subject": "Treffen geändert: {title}",
    "meeting_rescheduled_text": "Das Treffen „{title}“ der Arbeitsgruppe „{group}“ hat sich "
    "geändert. Bitte beachten Sie die neuen Angaben.",
    "meeting_cancelled_subject": "Treffen abgesagt: {title}",
    "meeting_cancelled_text": "Das Treffen „{title}“ der Arbeitsgruppe „{group}“ findet nicht "
    "statt.",
    "group_join_requested_subject": "Beitrittsanfrage für die Arbeitsgruppe {group}",
    "group_join_requested_text": "{organisation} möchte der Arbeitsgruppe „{group}“ beitreten. "
    "Als Koordination der Arbeitsgruppe können Sie die Anfrage im Portal annehmen oder ablehnen.",
    "group_join_requested_button": "Anfrage ansehen",
    "group_invitation_subject": "Einladung in die Arbeitsgruppe {group}",
    "group_invitation_text": "{coordinator} lädt Ihre Organisation in die Arbeitsgruppe "
    "„{group}“ ein. Im Portal können Sie die Einladung annehmen.",
    "group_invitation_button": "Einladung ansehen",
    "registration_opt_in_subject": "Bitte bestätigen Sie Ihre Anmeldung: {title}",
    "registration_opt_in_text": "Für „{title}“ ist eine Anmeldung mit dieser Adresse "
    "eingegangen. Bitte bestätigen Sie sie; erst dann ist sie gültig:",
    "registration_confirm_button": "Anmeldung bestätigen",
    "registration_opt_in_ignore": "Wenn Sie sich nicht angemeldet haben, ignorieren Sie diese "
    "E-Mail; die Anmeldung verfällt dann.",
    "registration_confirmed_subject": "Anmeldung bestätigt: {title}",
    "registration_confirmed_text": "Ihre Anmeldung für „{title}“ ist bestätigt. Wir freuen uns "
    "auf Sie!",
    "registration_waitlisted_subject": "Auf der Warteliste: {title}",
    "registration_waitlisted_text": "„{title}“ ist im Moment ausgebucht. Sie stehen auf Platz "
    "{position} der Warteliste. Wird ein Platz frei, rücken Sie automatisch nach und erhalten "
    "eine E-Mail.",
    "registration_promoted_subject": "Sie sind dabei: {title}",
    "registration_promoted_text": "Gute Nachricht: Bei „{title}“ ist ein Platz frei geworden. "
    "Sie sind von der Warteliste nachgerückt und jetzt fest angemeldet.",
    "registration_cancelled_subject": "Abmeldung bestätigt: {title}",
    "registration_cancelled_text": "Sie sind von „{title}“ abgemeldet. Schade, dass Sie nicht "
    "kommen können!",
    "registration_reminder_subject": "Erinnerung: {title}",
    "registration_reminder_text": "Wir möchten Sie an „{title}“ erinnern – Sie sind angemeldet. "
    "Wir freuen uns auf Sie!",
    "registration_event_changed_subject": "Geänderte Veranstaltung: {title}",
    "registration_event_changed_text": "Bei „{title}“, wofür Sie angemeldet sind, hat sich etwas "
    "geändert. Ihre Anmeldung bleibt bestehen. Bitte beachten Sie die neuen Angaben.",
    "registration_event_cancelled_subject": "Veranstaltung abgesagt: {title}",
    "registration_event_cancelled_text": "„{title}“, wofür Sie angemeldet sind, findet leider "
    "nicht statt. Ihre Anmeldung ist damit hinfällig.",
    "registration_cancel_link": "Teilnahme absagen",
    "registration_cancel_hint": "Falls Sie nicht kommen können, sagen Sie bitte über den Link "
    "oben ab – so wird Ihr Platz für andere frei.",
}
