"""Every sentence the notifier writes, in English (`en`): see `texts.py`."""

from __future__ import annotations

from typing import Final

ENGLISH: Final[dict[str, str]] = {
    "reason_languages": "both: {values}",
    "reason_district": "same district: {values}",
    "reason_tags": "tags: {values}",
    "reason_text": "fits: {values}",
    "reason_window": "time windows overlap",
    "reason_capacity": "room for {offered} people, needed for {needed}",
    "reason_practice": "practise {values}",
    "greeting": "Hello,",
    "greeting_named": "Hello {name},",
    "signoff": "Your Integrationsnetz",
    "open_in_portal": "View in the portal",
    "portal_home": "Go to the portal",
    "why_default": "You receive this email as the contact address of {organisation} in "
    "Integrationsnetz.",
    "why_subscription": "You receive this email because this address subscribed to "
    "notifications from Integrationsnetz.",
    "unsubscribe": "Unsubscribe",
    "unsubscribe_hint": "Stop emails like this:",
    "another_organisation": "another partner organisation",
    "a_partner": "A partner organisation",
    "label_category": "Category",
    "label_district": "District",
    "label_when": "When",
    "label_languages": "Languages",
    "label_reasons": "Why it fits",
    "label_previously": "Previously",
    "label_reason": "Reason",
    "label_overlap": "Overlap",
    "label_kind": "Kind",
    "topic_offers": "New offers",
    "topic_requests": "New requests",
    "topic_events": "New events",
    "cat_room": "Room",
    "cat_furniture": "Furniture",
    "cat_equipment": "Equipment",
    "cat_language_partner": "Language partner",
    "cat_volunteers": "Volunteers",
    "cat_cooperation": "Cooperation",
    "cat_expertise": "Expertise",
    "cat_transport": "Transport",
    "cat_other": "Other",
    "conflict_room": "The same room is booked twice.",
    "conflict_audience": "Both events address the same audience in the same district at "
    "the same time.",
    "match_subject": "A match on the exchange: {title}",
    "match_heading": "A match was found",
    "match_offer_text": "Your offer “{own}” fits the request “{other}” by {organisation}.",
    "match_request_text": "Your request “{own}” fits the offer “{other}” by {organisation}.",
    "match_summary_subject": "More matching entries on the exchange: {count}",
    "match_summary_text": "Here are more matching entries for your offers and requests. All "
    "suggestions, best first, are in the portal.",
    "feedback_question": "Is this a good fit? One click helps us find better matches:",
    "feedback_fits": "It fits",
    "feedback_does_not_fit": "It does not fit",
    "conflict_subject": "Events clash: {title}",
    "conflict_heading": "Two events clash",
    "conflict_text": "In the shared calendar, “{title}” clashes with “{other}”.",
    "conflict_text_unknown": "In the shared calendar, two events your organisation takes "
    "part in clash.",
    "a_calendar_entry": "an event",
    "offer_subject": "New offer: {title}",
    "request_subject": "New request: {title}",
    "event_subject": "New event: {title}",
    "new_offer_text": "{organisation} offers something that fits your subscription:",
    "new_request_text": "{organisation} is looking for something that fits your subscription:",
    "new_event_text": "{organisation} added an event that fits your subscription:",
    "rescheduled_subject": "Event moved: {title}",
    "rescheduled_text": "The event “{title}” has moved.",
    "cancelled_subject": "Event cancelled: {title}",
    "cancelled_text": "The event “{title}” has been cancelled.",
    "digest_daily_subject": "Your daily summary: {count} new entries",
    "digest_weekly_subject": "Your weekly summary: {count} new entries",
    "digest_text": "New in Integrationsnetz since your last summary:",
    "confirm_subject": "Please confirm your subscription",
    "confirm_text": "Someone – hopefully you – asked for notifications from "
    "Integrationsnetz at this address. Please confirm:",
    "confirm_button": "Confirm subscription",
    "confirm_ignore": "If this was not you, ignore this email; you will get nothing more.",
    "invitation_subject": "Invitation to Integrationsnetz: {organisation}",
    "invitation_text": "You have been invited to represent {organisation} in "
    "Integrationsnetz. Set your password with this link:",
    "set_password_button": "Set password",
    "link_valid_until": "The link is valid until {when}.",
    "reset_subject": "Your Integrationsnetz password",
    "reset_text": "A new password was requested for your account. Set it with this link:",
    "reset_ignore": "If you did not ask for this, ignore this email; your password stays as it is.",
    "join_subject": "Invitation: represent {organisation} in Integrationsnetz",
    "join_text": "You have been invited to represent {organisation} in "
    "Integrationsnetz with your existing account. Log in and accept the"
    " invitation; nothing changes without your consent.",
    "join_button": "View the invitation",
    "membership_subject": "You now represent {organisation}",
    "membership_text": "Your account has been linked to {organisation} in Integrationsnetz. "
    "Log in as usual.",
    "page_unsubscribe_title": "Unsubscribe",
    "page_unsubscribe_subscription": "Do you want to unsubscribe from these notifications?",
    "page_unsubscribe_default": "Do you want this address to stop receiving emails about {what}?",
    "notice_match_found": "matches on the exchange",
    "notice_conflict_detected": "clashing events",
    "page_unsubscribed_title": "Unsubscribed",
    "page_unsubscribed_text": "You will not receive these emails any more.",
    "page_unsubscribed_default_text": "Your organisation will not receive these emails any "
    "more. Its members can switch them on again in the portal under “Mein Bereich” "
    "(my area).",
    "page_confirmed_title": "Subscription confirmed",
    "page_confirmed_text": "From now on you will receive the notifications you asked for.",
    # working groups and event registrations (`calendar_views.py`)
    "all_day": "all day",
    "label_venue": "Where",
    "label_group": "Working group",
    "label_topic": "Topic",
    "calendar_request_note": "The date is attached as a calendar entry (invite.ics); your email "
    "program can add it to your calendar.",
    "calendar_cancel_note": "The attached cancellation (invite.ics) removes the date from your "
    "calendar.",
    "group_button": "Go to the working group",
    "meeting_invitation_subject": "Meeting invitation: {title}",
    "meeting_invitation_text": "The working group “{group}” is meeting. As a member of the "
    "working group, your organisation is warmly invited.",
    "meeting_rescheduled_subject": "Meeting changed: {title}",
    "meeting_rescheduled_text": "The meeting “{title}” of the working group “{group}” has "
    "changed. Please note the new details.",
    "meeting_cancelled_subject": "Meeting cancelled: {title}",
    "meeting_cancelled_text": "The meeting “{title}” of the working group “{group}” will not "
    "take place.",
    "group_join_requested_subject": "Request to join the working group {group}",
    "group_join_requested_text": "{organisation} would like to join the working group "
    "“{group}”. As the group's coordinator, you can accept or decline the request in the portal.",
    "group_join_requested_button": "View the request",
    "group_invitation_subject": "Invitation to the working group {group}",
    "group_invitation_text": "{coordinator} invites your organisation to join the working group "
    "“{group}”. You can accept the invitation in the portal.",
    "group_invitation_button": "View the invitation",
    "registration_opt_in_subject": "Please confirm your registration: {title}",
    "registration_opt_in_text": "We received a registration for “{title}” with this address. "
    "Please confirm it; only then is it valid:",
    "registration_confirm_button": "Confirm registration",
    "registration_opt_in_ignore": "If you did not register, just ignore this email; the "
    "registration will then lapse.",
    "registration_confirmed_subject": "Registration confirmed: {title}",
    "registration_confirmed_text": "Your registration for “{title}” is confirmed. We look "
    "forward to seeing you!",
    "registration_waitlisted_subject": "On the waiting list: {title}",
    "registration_waitlisted_text": "“{title}” is fully booked at the moment. You are number "
    "{position} on the waiting list. If a place becomes free, you will move up automatically "
    "and get an email.",
    "registration_promoted_subject": "You're in: {title}",
    "registration_promoted_text": "Good news: a place has become free at “{title}”. You have "
    "moved up from the waiting list and are now registered.",
    "registration_cancelled_subject": "Registration cancelled: {title}",
    "registration_cancelled_text": "Your registration for “{title}” has been cancelled. Sorry "
    "you can't make it!",
    "registration_reminder_subject": "Reminder: {title}",
    "registration_reminder_text": "A friendly reminder of “{title}” – you are registered. We "
    "look forward to seeing you!",
    "registration_event_changed_subject": "Event changed: {title}",
    "registration_event_changed_text": "“{title}”, which you registered for, has changed. Your "
    "registration still stands. Please note the new details.",
    "registration_event_cancelled_subject": "Event cancelled: {title}",
    "registration_event_cancelled_text": "Unfortunately, “{title}”, which you registered for, "
    "will not take place. Your registration therefore lapses.",
    "registration_cancel_link": "Cancel my registration",
    "registration_cancel_hint": "If you cannot come, please cancel with the link above so that "
    "your place goes to someone else.",
}
