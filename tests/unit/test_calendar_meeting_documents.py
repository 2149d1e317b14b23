"""What a meeting's document is, told by its first bytes: PDF or ODT, nothing else (a renamed
file, a zip of another kind, an ODT whose first entry is not `mimetype`); and the body limit of
the upload route (a path with a parameter)."""

from __future__ import annotations

import io
import zipfile

from services.calendar.documents import ODT, PDF, clean_filename, document_type
from shared.http import BodyLimitMiddleware


def odt(mimetype: bytes = ODT.encode(), first: str = "mimetype") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(first), mimetype if first == "mimetype" else b"<x/>")
        if first == "mimetype":
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("mimetype", mimetype)
    return buffer.getvalue()


def test_pdf_and_odt_are_told_by_their_content() -> None:
    assert document_type(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == PDF
    assert document_type(odt()) == ODT


def test_other_files_are_not_taken() -> None:
    assert document_type(b"MZ\x90\x00 an executable") is None
    assert document_type(b"<html>%PDF-</html>") is None
    assert document_type(odt(b"application/vnd.oasis.opendocument.spreadsheet")) is None
    assert document_type(odt(first="content.xml")) is None
    assert document_type(b"PK\x03\x04 not really a zip") is None
    assert document_type(b"") is None


def test_a_filename_keeps_no_path() -> None:
    assert clean_filename("../../etc/passwd", PDF) == "passwd"
    assert clean_filename("C:\\Users\\x\\Protokoll März.pdf", PDF) == "Protokoll März.pdf"
    assert clean_filename("", ODT) == "dokument.odt"
    assert clean_filename('a"b.pdf', PDF) == "ab.pdf"


def test_a_route_with_a_parameter_takes_its_larger_body() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        return None

    limits = BodyLimitMiddleware(
        app,
        max_bytes=1000,
        larger={"/events/{event_id}/documents": 5000},
    )
    assert limits.limit_of("/events/01a2-b3/documents") == 5000
    assert limits.limit_of("/events/01a2-b3/documents/x") == 1000
    assert limits.limit_of("/events/a/b/documents") == 1000
    assert limits.limit_of("/events") == 1000
