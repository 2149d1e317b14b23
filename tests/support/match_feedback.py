"""The key the notifier and the exchange share for the "passt" / "passt nicht" links of match
emails, as every test's services hold it."""

from __future__ import annotations

MATCH_FEEDBACK_SECRET = "a-match-feedback-secret-for-the-tests-only"
