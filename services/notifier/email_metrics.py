"""The notifier's counters of emails: sent, given up, retried, skipped (`/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter

EMAILS_SENT = Counter(
    "integrationsnetz_emails_sent_total", "Emails the mail server accepted", ["template"]
)
EMAILS_FAILED = Counter(
    "integrationsnetz_emails_failed_total", "Emails given up after the last attempt", ["template"]
)
EMAIL_ATTEMPT_ERRORS = Counter(
    "integrationsnetz_email_attempt_errors_total",
    "Sending attempts that failed and will be retried",
    ["template"],
)
EMAILS_SKIPPED = Counter(
    "integrationsnetz_emails_skipped_total",
    "Planned emails not sent (unsubscribed, no contact address, organisation archived)",
    ["template"],
)
