"""Documents of a working group's meetings through the calendar's HTTP API, stored in GridFS
on the real database: members upload PDF and ODT, other files and too large ones are refused,
only the group's members read them, the uploader or the coordinator deletes them."""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from services.calendar.settings import CalendarSettings
from tests.integration.calendar_fixtures import Partners, ok, problem_slug

NEXT_YEAR = dt.date.today().year + 1
BERLIN = ZoneInfo("Europe/Berlin")
MOST = 4096
PDF = b"%PDF-1.7\n" + b"x" * 1000 + b"\n%%EOF\n"


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def calendar_settings(
    calendar_settings: Callable[..., CalendarSettings],
) -> Callable[..., CalendarSettings]:
    """The calendar of `partners` takes documents of at most MOST bytes."""
    return functools.partial(calendar_settings, document_max_bytes=MOST)


async def test_members_share_documents_of_a_meeting_and_nobody_else_reads_them(
    partners: Partners,
) -> None:
    calendar = partners.calendar
    buero = await partners.organisation("Integrationsbüro")
    mriya = await partners.organisation("Verein Mriya")
    linde = await partners.organisation("Treff Linde")
    outsider = await partners.organisation("Sportverein Nord")
    coordinator = partners.editor_of(buero)
    group = ok(
        await calendar.post(
            "/groups", json={"name": "AG Sprache", "coordinator_id": buero}, headers=coordinator
        ),
        201,
    )
    for member in (mriya, linde):
        created_ = await calendar.post(
            f"/groups/{group['id']}/invitations",
            json={"organisation_id": member},
            headers=coordinator,
        )
        assert created_.status_code == 200, created_.text
        accepted = await calendar.post(
            f"/groups/{group['id']}/members/{member}/accept", headers=partners.editor_of(member)
        )
        assert accepted.status_code == 200, accepted.text
    times = {
        "starts_at": dt.datetime(NEXT_YEAR, 6, 20, 14, tzinfo=BERLIN).isoformat(),
        "ends_at": dt.datetime(NEXT_YEAR, 6, 20, 16, tzinfo=BERLIN).isoformat(),
        "visibility": "network",
    }
    meeting = ok(
        await calendar.post(
            "/events",
            json={"organisation_id": buero, "title": "Treffen", "group_id": group["id"], **times},
            headers=coordinator,
        ),
        201,
    )["event"]["id"]
    plain = ok(
        await calendar.post(
            "/events",
            json={"organisation_id": buero, "title": "Fest", **times},
            headers=coordinator,
        ),
        201,
    )["event"]["id"]
    documents = f"/events/{meeting}/documents"
    text = odt()

    agenda = ok(
        await calendar.post(
            documents,
            files={"file": ("Tagesordnung.pdf", PDF, "application/pdf")},
            data={"title": "Tagesordnung"},
            headers=partners.editor_of(mriya),
        ),
        201,
    )
    assert agenda["content_type"] == "application/pdf"
    assert agenda["size"] == len(PDF)
    assert agenda["uploaded_by_organisation_id"] == mriya
    minutes = ok(
        await calendar.post(
            documents,
            files={"file": ("Protokoll.odt", text, "application/octet-stream")},
            headers=coordinator,
        ),
        201,
    )
    assert minutes["content_type"] == "application/vnd.oasis.opendocument.text"
    assert minutes["title"] == "Protokoll.odt"

    renamed = await calendar.post(
        documents,
        files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        headers=coordinator,
    )
    assert problem_slug(renamed, 415) == "unsupported-document-type"
    too_large = await calendar.post(
        documents,
        files={"file": ("gross.pdf", b"%PDF-" + b"x" * MOST, "application/pdf")},
        headers=coordinator,
    )
    assert problem_slug(too_large, 413) == "document-too-large"
    far_too_large = await calendar.post(
        documents,
        files={"file": ("riesig.pdf", b"%PDF-" + b"x" * 200_000, "application/pdf")},
        headers=coordinator,
    )
    assert far_too_large.status_code == 413
    not_a_meeting = await calendar.post(
        f"/events/{plain}/documents",
        files={"file": ("a.pdf", PDF, "application/pdf")},
        headers=coordinator,
    )
    assert problem_slug(not_a_meeting, 404) == "no-such-event"
    stranger = await calendar.post(
        documents,
        files={"file": ("a.pdf", PDF, "application/pdf")},
        headers=partners.editor_of(outsider),
    )
    assert problem_slug(stranger, 404) == "document-not-found"

    listed = await calendar.get(documents, headers=partners.editor_of(linde))
    assert listed.status_code == 200, listed.text
    assert [d["id"] for d in listed.json()] == [agenda["id"], minutes["id"]]
    unseen = await calendar.get(documents, headers=partners.editor_of(outsider))
    assert problem_slug(unseen, 404) == "document-not-found"
    assert problem_slug(await calendar.get(documents), 404) == "document-not-found"

    download = await calendar.get(f"/documents/{agenda['id']}", headers=partners.editor_of(linde))
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "Tagesordnung.pdf" in download.headers["content-disposition"]
    office = await calendar.get(f"/documents/{minutes['id']}", headers=partners.admin)
    assert office.status_code == 200, office.text
    assert office.content == text
    assert office.headers["content-type"] == "application/vnd.oasis.opendocument.text"
    hidden = await calendar.get(f"/documents/{agenda['id']}", headers=partners.editor_of(outsider))
    assert problem_slug(hidden, 404) == "document-not-found"

    refused = await calendar.delete(f"/documents/{agenda['id']}", headers=partners.editor_of(linde))
    assert problem_slug(refused, 403) == "forbidden"
    deleted = await calendar.delete(f"/documents/{agenda['id']}", headers=partners.editor_of(mriya))
    assert deleted.status_code == 204, deleted.text
    gone = await calendar.get(f"/documents/{agenda['id']}", headers=coordinator)
    assert problem_slug(gone, 404) == "document-not-found"
    kept = await calendar.get(f"/documents/{minutes['id']}", headers=coordinator)
    assert kept.status_code == 200
    assert kept.content == text
