"""The notifier's headers as they arrive at the mail server, byte for byte: mail providers read
`List-Unsubscribe` without decoding RFC 2047, so it must never be an encoded-word, and a
non-ASCII subject must decode to exactly the subject written."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from services.notifier.texts import texts_for
from tests.integration.notifier_fixtures import NotifierFactory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import offer_posted
from tests.support.mail import CaughtMail, MailServer, tagged

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: A realistic production address: long enough that `policy.SMTP` would fold the link.
PUBLIC_URL = "https://benachrichtigungen.integrationsnetz.stadt-am-fluss.example/dienste/notifier"
TITLE = "Gruppenraum für 20 Personen, abends frei, mit Küche, Beamer und barrierefreiem Zugang"
LANGUAGES = ("uk", "ar", "tr")


def header_lines(mail: CaughtMail) -> dict[str, list[bytes]]:
    """Each header's physical lines as sent (first line without its name), by lower-case name."""
    head = mail.raw.split(b"\r\n\r\n", 1)[0]
    headers: dict[str, list[bytes]] = {}
    name = ""
    for line in head.split(b"\r\n"):
        assert len(line) <= 998, line[:80]
        assert line.isascii(), line[:80]
        if line[:1] in (b" ", b"\t"):
            headers[name].append(line)
        else:
            key, _, value = line.partition(b":")
            name = key.decode().lower()
            headers[name] = [value.removeprefix(b" ")]
    return headers


def assert_correct_on_the_wire(mail: CaughtMail, subject: str, *, listed: bool) -> None:
    headers = header_lines(mail)
    decoded = email.message_from_bytes(mail.raw, policy=email.policy.default)
    assert decoded["Subject"] == subject
    for word in re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", b"".join(headers["subject"])):
        assert len(word) <= 75, word
    assert re.fullmatch(rb"<[^<>\s]+@[^<>\s]+>", b"".join(headers["message-id"]))
    assert len(headers["message-id"]) == 1
    for name in ("x-integrationsnetz-delivery", "x-integrationsnetz-cause"):
        assert len(headers[name]) == 1
        assert b"=?" not in headers[name][0]
    if not listed:
        assert "list-unsubscribe" not in headers
        return
    [unsubscribe] = headers["list-unsubscribe"]  # one line: never folded inside the URI
    assert re.fullmatch(
        rb"<" + re.escape(PUBLIC_URL.encode()) + rb"/unsubscribe\?token=\S+>", unsubscribe
    )
    assert headers["list-unsubscribe-post"] == [b"List-Unsubscribe=One-Click"]


async def confirmed(
    notifier: ServedNotifier, mail_server: MailServer, address: str, language: str
) -> CaughtMail:
    created = await notifier.client.post(
        "/subscriptions", json={"email": address, "language": language, "topics": ["offers"]}
    )
    assert created.status_code == 201, created.text
    [confirmation] = await mail_server.wait_for(lambda m: m.to == address)
    token = confirmation.link(r"/subscriptions/confirm\?token=\S+").split("token=", 1)[1]
    await notifier.service.subscriptions.confirm(token)
    return confirmation


async def test_unsubscribe_and_id_headers_are_one_plain_line_and_subjects_decode_exactly(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    readers = {language: tagged(f"leser-{language}") for language in LANGUAGES}
    async with notifier_factory(notifier_public_url=PUBLIC_URL) as notifier:
        confirmations = {
            language: await confirmed(notifier, mail_server, address, language)
            for language, address in readers.items()
        }
        offer = offer_posted(TITLE, now=NOW)
        [posted] = await publish(notifier.amqp_url, [offer])
        notices = await mail_server.wait_for(lambda m: m.cause == posted.id, count=len(LANGUAGES))

    for language, address in readers.items():
        t = texts_for(language)
        assert_correct_on_the_wire(confirmations[language], t["confirm_subject"], listed=False)
        [notice] = [m for m in notices if m.to == address]
        assert_correct_on_the_wire(notice, t["offer_subject"].format(title=TITLE), listed=True)
