"""Working groups in the portal, without a browser: founding one, an organisation asking to join
and being accepted, another invited, a meeting planned with its topic, its documents uploaded,
downloaded through the portal and refused to whoever is not in the group — against the real
directory and calendar; and what the pages say when the calendar is down or refuses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import httpx

from tests.integration.calendar_fixtures import ServedPartners
from tests.support.infra import RabbitVhost
from tests.support.members import member_session
from tests.support.portal import portal_client, refused_from_another_site, signed_in_portal

BERLIN = ZoneInfo("Europe/Berlin")
GROUP = "01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c"
ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
A_GROUP = {
    "name": "Netzwerk der Communitys",
    "purpose": "Die Vereine tauschen sich zweimal im Jahr zu einem Thema aus.",
    "coordinator_id": ORGANISATION,
    "visibility": "network",
    "contacts.0.name": "Olena Kovalenko",
    "contacts.0.email": "olena@kulturbruecke.example",
    "contacts.0.role": "Sprecherin",
}
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


# --- without the services ------------------------------------------------------------------


async def test_the_group_pages_say_when_the_calendar_is_down() -> None:
    async with portal_client() as portal:
        listed = await portal.get("/arbeitsgruppen")
        shown = await portal.get(f"/arbeitsgruppen/{GROUP}")
    for page in (listed, shown):
        assert page.status_code == 503
        assert "Der Kalender ist gerade nicht erreichbar" in page.text


async def test_founding_a_group_with_the_calendar_down_keeps_what_was_typed() -> None:
    async with signed_in_portal("a-session-token") as portal:
        answer = await portal.post("/arbeitsgruppen/neu", data=A_GROUP)
    assert answer.status_code == 503
    page = answer.text
    assert "Der Kalender ist gerade nicht erreichbar" in page
    for typed in (
        'value="Netzwerk der Communitys"',
        ">Die Vereine tauschen sich zweimal im Jahr zu einem Thema aus.</textarea>",
        f'value="{ORGANISATION}" selected',
        'value="network" checked',
        'value="Olena Kovalenko"',
        'value="olena@kulturbruecke.example"',
        'value="Sprecherin"',
    ):
        assert typed in page


async def test_the_forms_want_a_session_and_refuse_another_site() -> None:
    async with portal_client() as portal:
        for path in ("/arbeitsgruppen/neu", f"/arbeitsgruppen/{GROUP}/bearbeiten"):
            answer = await portal.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/login"
    await refused_from_another_site(
        ("/arbeitsgruppen/neu", A_GROUP),
        (f"/arbeitsgruppen/{GROUP}/beitreten", {"organisation_id": ORGANISATION}),
        (f"/arbeitsgruppen/{GROUP}/mitglieder", {"organisation_id": ORGANISATION}),
        ("/dokumente", {"event_id": GROUP}),
    )


async def test_a_membership_form_without_an_organisation_is_refused_before_the_calendar() -> None:
    async with signed_in_portal("a-session-token") as portal:
        answer = await portal.post(
            f"/arbeitsgruppen/{GROUP}/mitglieder",
            data={"organisation_id": "../admin", "action": "accept"},
        )
    assert answer.status_code == 422
    assert "Bitte wählen Sie eine Organisation." in answer.text


async def test_a_document_larger_than_the_portal_takes_gets_its_own_sentence() -> None:
    async with signed_in_portal("a-session-token", document_max_bytes=4096) as portal:
        answer = await portal.post(
            "/dokumente",
            data={"event_id": GROUP},
            files={"file": ("protokoll.pdf", PDF + b"0" * 8192, "application/pdf")},
        )
    assert answer.status_code == 413
    assert "Dokumente dürfen höchstens 10 MB groß sein." in answer.text


# --- with the real directory and calendar --------------------------------------------------


@dataclass
class Network:
    """Three organisations, each with a member signed in to the portal."""

    partners: ServedPartners
    bruecke: str
    anadolu: str
    linde: str
    sessions: dict[str, str]

    def portal(self, organisation_id: str | None) -> httpx.AsyncClient:
        """The portal in front of the directory and calendar, a member of the organisation
        signed in (nobody for None)."""
        client = portal_client(
            directory_url=self.partners.directory_url, calendar_url=self.partners.calendar_url
        )
        if organisation_id is not None:
            client.cookies.set("inx_session", self.sessions[organisation_id])
        return client


async def a_network(partners: ServedPartners, rabbit: RabbitVhost) -> Network:
    names = {
        "bruecke": ("Kulturbrücke Nordstadt", "olena@kulturbruecke.example", "Olena Kovalenko"),
        "anadolu": ("FC Anadolu Nordstadt 1987", "emre@anadolu.example", "Emre Yıldız"),
        "linde": ("Nachbarschaftstreff Linde", "ayse@linde.example", "Ayşe Demir"),
    }
    ids: dict[str, str] = {}
    sessions: dict[str, str] = {}
    for key, (name, email, person) in names.items():
        ids[key] = await partners.organisation(name)
        sessions[ids[key]] = await member_session(
            partners.directory,
            partners.admin,
            rabbit.url,
            ids[key],
            email=email,
            name=person,
            password="ein-langes-passwort-2026",
        )
    return Network(partners, ids["bruecke"], ids["anadolu"], ids["linde"], sessions)


def group_id_of(location: str) -> str:
    found = re.fullmatch(r"/arbeitsgruppen/([0-9a-f-]{36})", location)
    assert found, location
    return found[1]


async def test_a_coordinator_founds_a_group_another_organisation_joins_a_third_is_invited(
    served_partners: ServedPartners, rabbit: RabbitVhost
) -> None:
    net = await a_network(served_partners, rabbit)
    async with net.portal(net.bruecke) as olena, net.portal(net.anadolu) as emre:
        blank = await olena.get("/arbeitsgruppen/neu")
        founded = await olena.post(
            "/arbeitsgruppen/neu", data={**A_GROUP, "coordinator_id": net.bruecke}
        )
        assert founded.status_code == 303, founded.text
        group_id = group_id_of(founded.headers["location"])
        page = f"/arbeitsgruppen/{group_id}"

        listed = await emre.get("/arbeitsgruppen")
        seen_by_emre = await emre.get(page)
        asked = await emre.post(f"{page}/beitreten", data={"organisation_id": net.anadolu})
        again = await emre.post(f"{page}/beitreten", data={"organisation_id": net.anadolu})
        requested = await olena.get(page)
        accepted = await olena.post(
            f"{page}/mitglieder", data={"organisation_id": net.anadolu, "action": "accept"}
        )
        invited = await olena.post(f"{page}/einladen", data={"organisation_id": net.linde})
        managed = await olena.get(page)
        member_view = await emre.get(page)
        coordinator_leaves = await olena.post(
            f"{page}/mitglieder", data={"organisation_id": net.bruecke, "action": "remove"}
        )

    assert blank.status_code == 200
    assert f'value="{net.bruecke}" selected>Kulturbrücke Nordstadt</option>' in blank.text
    assert listed.status_code == 200
    assert f'href="/arbeitsgruppen/{group_id}"' in listed.text
    assert "Kulturbrücke Nordstadt" in listed.text
    # a member of an outside organisation: the purpose, no contacts, the button to ask
    assert "zweimal im Jahr" in seen_by_emre.text
    assert "Olena Kovalenko" not in seen_by_emre.text
    assert "Beitritt anfragen (FC Anadolu Nordstadt 1987)" in seen_by_emre.text
    assert "Treffen planen" not in seen_by_emre.text
    assert asked.status_code == 200, asked.text
    assert "Beitritt angefragt" in asked.text
    assert again.status_code == 200  # asking twice is the same request
    assert f'id="anfrage-{net.anadolu}"' in requested.text
    assert "FC Anadolu Nordstadt 1987 möchte beitreten." in requested.text
    assert accepted.status_code == 303, accepted.text
    assert invited.status_code == 303, invited.text
    assert f'id="mitglied-{net.anadolu}"' in managed.text
    assert f'id="eingeladen-{net.linde}"' in managed.text
    assert f'id="anfrage-{net.anadolu}"' not in managed.text
    assert "Treffen planen" in managed.text
    # a member now: the contact people, and no request button any more
    assert "Olena Kovalenko" in member_view.text
    assert "olena@kulturbruecke.example" in member_view.text
    assert "Beitritt anfragen" not in member_view.text
    assert "Arbeitsgruppe verlassen" in member_view.text
    assert coordinator_leaves.status_code == 409
    assert "kann die Arbeitsgruppe nicht verlassen" in coordinator_leaves.text


async def test_an_invited_organisation_joins_by_asking_and_may_leave_again(
    served_partners: ServedPartners, rabbit: RabbitVhost
) -> None:
    net = await a_network(served_partners, rabbit)
    async with net.portal(net.bruecke) as olena, net.portal(net.linde) as ayse:
        founded = await olena.post(
            "/arbeitsgruppen/neu", data={**A_GROUP, "coordinator_id": net.bruecke}
        )
        page = f"/arbeitsgruppen/{group_id_of(founded.headers['location'])}"
        await olena.post(f"{page}/einladen", data={"organisation_id": net.linde})
        joined = await ayse.post(f"{page}/beitreten", data={"organisation_id": net.linde})
        member = await ayse.get(page)
        left = await ayse.post(
            f"{page}/mitglieder", data={"organisation_id": net.linde, "action": "remove"}
        )
        after = await olena.get(page)
    assert joined.status_code == 303, joined.text
    assert joined.headers["location"] == f"{page}#mitglieder"
    assert f'id="mitglied-{net.linde}"' in member.text
    assert left.status_code == 303, left.text
    assert f'id="mitglied-{net.linde}"' not in after.text


async def test_a_meeting_is_planned_from_the_group_and_its_documents_stay_in_the_group(
    served_partners: ServedPartners, rabbit: RabbitVhost
) -> None:
    net = await a_network(served_partners, rabbit)
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=30)
    async with (
        net.portal(net.bruecke) as olena,
        net.portal(net.anadolu) as emre,
        net.portal(net.linde) as ayse,
        net.portal(None) as visitor,
    ):
        founded = await olena.post(
            "/arbeitsgruppen/neu", data={**A_GROUP, "coordinator_id": net.bruecke}
        )
        group_id = group_id_of(founded.headers["location"])
        page = f"/arbeitsgruppen/{group_id}"
        await emre.post(f"{page}/beitreten", data={"organisation_id": net.anadolu})
        await olena.post(
            f"{page}/mitglieder", data={"organisation_id": net.anadolu, "action": "accept"}
        )

        form = await olena.get(f"/events/new?organisation={net.bruecke}&gruppe={group_id}")
        meeting = {
            "title": "Zweites Treffen",
            "date": day.isoformat(),
            "starts": "17:00",
            "ends": "19:00",
            "visibility": "network",
            "group_id": group_id,
            "topic": "Projektförderung einwerben",
        }
        planned = await olena.post("/events/new", data={**meeting, "organisation_id": net.bruecke})
        assert planned.status_code == 303, planned.text
        event_page = planned.headers["location"]
        event_id = event_page.rsplit("/", 1)[-1]
        not_the_coordinator = await emre.post(
            "/events/new",
            data={**meeting, "organisation_id": net.anadolu, "title": "Eigenes Treffen"},
        )

        uploaded = await emre.post(
            "/dokumente",
            data={"event_id": event_id, "title": "Tagesordnung"},
            files={"file": ("tagesordnung.pdf", PDF, "application/pdf")},
        )
        refused_type = await emre.post(
            "/dokumente",
            data={"event_id": event_id},
            files={"file": ("notizen.txt", b"nur Text", "text/plain")},
        )
        shown_to_member = await emre.get(event_page)
        group_page = await olena.get(page)
        document_id = re.findall(r'href="/dokumente/([0-9a-f-]{36})"', shown_to_member.text)
        assert len(document_id) == 1, shown_to_member.text
        download = f"/dokumente/{document_id[0]}"
        downloaded = await olena.get(download)
        shown_to_outsider = await ayse.get(event_page)
        outsider_download = await ayse.get(download)
        visitor_download = await visitor.get(download)
        outsider_upload = await ayse.post(
            "/dokumente",
            data={"event_id": event_id},
            files={"file": ("fremd.pdf", PDF, "application/pdf")},
        )
        deleted = await emre.post(f"{download}/loeschen", data={"event_id": event_id})
        after = await emre.get(event_page)

    assert form.status_code == 200
    assert f'name="group_id" value="{group_id}"' in form.text
    assert "Netzwerk der Communitys" in form.text
    assert not_the_coordinator.status_code == 403, not_the_coordinator.text
    assert "nur die Mitglieder der koordinierenden Organisation" in not_the_coordinator.text
    assert 'value="Eigenes Treffen"' in not_the_coordinator.text
    assert uploaded.status_code == 303, uploaded.text
    assert uploaded.headers["location"] == f"/events/{event_id}#dokumente"
    assert refused_type.status_code == 415
    assert "PDF-Datei oder ein Textdokument (.odt)" in refused_type.text
    # the meeting's page: its group, its topic, its documents and the upload form
    assert "Treffen der Arbeitsgruppe" in shown_to_member.text
    assert "Projektförderung einwerben" in shown_to_member.text
    assert ">Tagesordnung</a>" in shown_to_member.text
    assert 'action="/dokumente"' in shown_to_member.text
    assert 'id="kommende-treffen"' in group_page.text
    assert "Projektförderung einwerben" in group_page.text
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"].startswith(
        'attachment; filename="tagesordnung.pdf"'
    )
    # whoever is not in the group sees neither the documents nor the upload form
    assert shown_to_outsider.status_code == 200
    assert "Tagesordnung" not in shown_to_outsider.text
    assert 'action="/dokumente"' not in shown_to_outsider.text
    assert outsider_download.status_code == 404
    assert visitor_download.status_code == 404
    assert outsider_upload.status_code == 404
    assert "nur die Mitgliedsorganisationen der Arbeitsgruppe" in outsider_upload.text
    assert deleted.status_code == 303, deleted.text
    assert "Tagesordnung" not in after.text
    assert "Noch keine Dokumente." in after.text
