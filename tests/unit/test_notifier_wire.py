"""The notifier's header writing: any subject decodes to exactly itself, in encoded-words of at
most 75 characters and lines of at most 998 octets."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from services.notifier.wire import WIRE, to_bytes

subjects = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=200
).filter(lambda s: s.strip() == s and "  " not in s)


@given(subject=subjects)
def test_any_subject_decodes_to_exactly_itself_from_short_encoded_words(subject: str) -> None:
    message = EmailMessage(policy=WIRE)
    message["Subject"] = subject
    message.set_content("x")
    raw = to_bytes(message)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 and line.isascii() for line in head.split(b"\r\n"))
    assert all(len(w) <= 75 for w in re.findall(rb"=\?[^?]+\?b\?[^?]*\?=", head))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
