"""Documents: the type judged by content, stored once, text extracted for search.

PDFs come from moothall.demo.pdf.make_pdf; DOCX files are built here with zipfile (the
smallest package Word opens: content types, the package relationship, the document).
"""

import io
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import AuditEntry
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain, files
from moothall.meetings.files import DOCX, HTML, PDF, ExtractionFailed, extract_text
from moothall.meetings.models import Document, MeetingSettings, StoredFile, TimelineEntry
from moothall.meetings.tasks import extract_document_text
from tests import factories

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def document_xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )


def make_docx(*paragraphs: str, body: str | None = None) -> bytes:
    if body is None:
        body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document_xml(body))
    return buffer.getvalue()


def make_zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip's central directory claims for ``member``."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        if out[start + 46 : start + 46 + name_length] == member.encode():
            struct.pack_into("<I", out, start + 24, size)
            return bytes(out)
        start += 4
    raise AssertionError(f"{member} not in the zip")


PDF_BYTES = make_pdf("Bin collections in Moot Ward move to Tuesdays.", title="Bins")
DOCX_BYTES = make_docx("Budget 2030/31", "Council tax rises by 2.99%.")
HTML_BYTES = (
    b"<!DOCTYPE html><html><head><title>Skip</title></head><body><p>Parks</p></body></html>"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


# --- Judging the type by content --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(PDF_BYTES, PDF, id="pdf"),
        pytest.param(DOCX_BYTES, DOCX, id="docx"),
        pytest.param(HTML_BYTES, HTML, id="html doctype"),
        pytest.param(b"\xef\xbb\xbf  <html lang='cy'><p>Croeso</p></html>", HTML, id="html bom"),
        pytest.param(b"<!-- exported --> <div>Minutes</div>", HTML, id="html comment first"),
        pytest.param(b"<P>Caf\xe9 licence</P>", HTML, id="html cp1252"),
        pytest.param(EXE_BYTES, None, id="exe"),
        pytest.param(PNG_BYTES, None, id="png"),
        pytest.param(make_zip(notes__txt="hello"), None, id="plain zip"),
        pytest.param(make_zip(word__document__xml="<x/>"), None, id="zip no content types"),
        pytest.param(
            make_zip(**{"[Content_Types].xml": "<x/>", "xl__workbook.xml": "<x/>"}),
            None,
            id="xlsx-like zip",
        ),
        pytest.param(b"PK\x03\x04 not really a zip", None, id="broken zip"),
        pytest.param(b"Plain text minutes", None, id="text"),
        pytest.param(b"<script>alert(1)</script>", None, id="script only"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", None, id="svg"),
        pytest.param(b"<p>\x81\x8d\x8f</p>", None, id="html in no encoding"),
        pytest.param(b"", None, id="empty"),
    ],
)
def test_the_type_is_judged_by_content(data, expected):
    assert files.sniff_content_type(data) == expected


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_judged_without_error(data):
    assert files.sniff_content_type(data) in (None, PDF, DOCX, HTML)


# --- Extracting text ----------------------------------------------------------------------------


def test_the_text_of_a_pdf_is_read():
    assert extract_text(PDF_BYTES, PDF) == "Bins\nBin collections in Moot Ward move to Tuesdays."


def test_a_pdf_of_many_pages_is_read_page_by_page():
    text = "\n".join(f"Line {n}" for n in range(60))
    extracted = extract_text(make_pdf(text), PDF)
    assert extracted.startswith("Line 0\nLine 1")
    assert "Line 59" in extracted


def test_the_text_of_a_word_document_is_read_with_tabs_and_breaks():
    body = (
        "<w:p><w:r><w:t>Item</w:t><w:tab/><w:t>Cost</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Roads</w:t><w:br/><w:t xml:space='preserve'>  £2m  </w:t></w:r></w:p>"
        "<w:p/><w:p/><w:p><w:r><w:t>End</w:t></w:r></w:p>"
    )
    assert extract_text(make_docx(body=body), DOCX) == "Item Cost\nRoads\n £2m \n\nEnd"
    assert extract_text(DOCX_BYTES, DOCX) == "Budget 2030/31\nCouncil tax rises by 2.99%."


def test_the_text_of_a_web_page_is_read_without_head_scripts_or_styles():
    page = (
        b"<html><head><title>T</title><style>p{}</style></head><body>"
        b"<script>var x = 1;</script><h1>Parks &amp; open spaces</h1>"
        b"<p>Mowing\xc2\xa0in   May.</p><ul><li>One</li><li>Two</li></ul></body></html>"
    )
    assert extract_text(page, HTML) == "Parks & open spaces\n\nMowing in May.\n\nOne\n\nTwo"


def test_a_cp1252_web_page_is_read():
    assert extract_text(b"<p>Caf\xe9 licence</p>", HTML) == "Café licence"


def test_an_unknown_type_cannot_be_read():
    with pytest.raises(ExtractionFailed):
        extract_text(b"hello", "text/plain")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.4\nnot a pdf at all", id="garbage after header"),
        pytest.param(PDF_BYTES[: len(PDF_BYTES) // 2], id="truncated"),
        pytest.param(PDF_BYTES.replace(b"/Kids[4 0 R]", b"/Kids[2 0 R]"), id="page tree loop"),
    ],
)
def test_a_damaged_pdf_fails_extraction_cleanly(data):
    with pytest.raises(ExtractionFailed):
        extract_text(data, PDF)


# A small PDF with two bytes damaged (found by fuzzing): the catalog's /Type became /9ype
# and the page tree's "<<" became "<z". pypdf's repair then meets a loop and raises
# LimitReachedError, which is not a PdfReadError.
LOOPING_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</9ype/Catalog/Pages 2 0 R>>\nendobj\n"
    b"2 0 obj\n<z/Type/Pages/Kids[4 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>\n"
    b"endobj\n4 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 5 0 R"
    b"/Resources<</Font<</F1 3 0 R>>>>>>\nendobj\n5 0 obj\n<</Length 71>>stream\n"
    b"BT /F1 10 Tf 50 800 Td 14 TL\n(Hello world) Tj T*\n(second line) Tj T*\nET\n"
    b"endstream\nendobj\nxref\n0 6\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \n0000000199 00000 n \n"
    b"0000000311 00000 n \ntrailer\n<</Size 6/Root 1 0 R>>\nstartxref\n429\n%%EOF\n"
)


def test_a_pdf_whose_repair_loops_fails_extraction_cleanly():
    with pytest.raises(ExtractionFailed):
        extract_text(LOOPING_PDF, PDF)


def test_a_web_page_with_a_broken_marked_section_fails_extraction_cleanly():
    # html.parser raises AssertionError on "<![ x" (expected name token).
    with pytest.raises(ExtractionFailed, match="web page"):
        extract_text(b"<html><![ x", HTML)


def test_an_encrypted_pdf_fails_extraction():
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(PDF_BYTES))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionFailed, match="encrypted"):
        extract_text(buffer.getvalue(), PDF)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(make_zip(notes__txt="x"), id="no document part"),
        pytest.param(make_docx(body="<w:p><w:r><w:t>unclosed"), id="broken xml"),
        pytest.param(b"PK\x03\x04 broken", id="broken zip"),
    ],
)
def test_a_damaged_word_document_fails_extraction(data):
    with pytest.raises(ExtractionFailed):
        extract_text(data, DOCX)


def test_a_word_document_claiming_to_unpack_to_gigabytes_is_not_unpacked():
    bomb = declare_size(DOCX_BYTES, "word/document.xml", 4_000_000_000)
    assert files.sniff_content_type(bomb) == DOCX
    with pytest.raises(ExtractionFailed, match="too large"):
        extract_text(bomb, DOCX)


def test_a_word_document_lying_about_its_size_is_not_read_past_it():
    # Claims 10 bytes but holds more: zipfile stops at the claim and the CRC check fails.
    liar = declare_size(DOCX_BYTES, "word/document.xml", 10)
    with pytest.raises(ExtractionFailed):
        extract_text(liar, DOCX)


def test_a_word_document_with_an_entity_bomb_is_refused_by_the_xml_parser():
    bomb_xml = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body>'
        "</w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", bomb_xml)
    with pytest.raises(ExtractionFailed):
        extract_text(buffer.getvalue(), DOCX)


def _mutations(base: bytes):
    return st.one_of(
        st.integers(min_value=0, max_value=len(base)).map(lambda n: base[:n]),
        st.lists(
            st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), min_size=1, max_size=8
        ).map(lambda changes: _apply(base, changes)),
    )


def _apply(base: bytes, changes) -> bytes:
    data = bytearray(base)
    for index, value in changes:
        data[index] = value
    return bytes(data)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        _mutations(PDF_BYTES).map(lambda d: (d, PDF)),
        _mutations(DOCX_BYTES).map(lambda d: (d, DOCX)),
        _mutations(HTML_BYTES).map(lambda d: (d, HTML)),
    )
)
def test_a_damaged_file_of_any_type_gives_text_or_extraction_failed_only(case):
    data, content_type = case
    try:
        text = extract_text(data, content_type)
    except ExtractionFailed:
        return
    assert isinstance(text, str)


# --- Attaching documents ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A fresh media folder per test, so files written by one test never meet another's."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def stored_paths() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "documents"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def counts() -> dict[str, int]:
    models = (AuditEntry, Document, StoredFile, TimelineEntry)
    return {model.__name__: model.objects.count() for model in models} | {
        "files": len(stored_paths())
    }


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    return factories.MeetingFactory(body=body)


def attach(council, data, **kwargs):
    kwargs.setdefault("title", "Report")
    kwargs.setdefault("kind", "report")
    return domain.attach_document(None, council, data=data, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "content_type", "extension"),
    [
        (PDF_BYTES, "agenda.docx", PDF, "pdf"),
        (DOCX_BYTES, "budget.pdf", DOCX, "docx"),
        (HTML_BYTES, "parks.exe", HTML, "html"),
    ],
)
def test_a_document_is_stored_by_its_content_whatever_its_name(
    council, officer, meeting, data, name, content_type, extension
):
    document = domain.attach_document(
        officer,
        council,
        data=data,
        title="Paper",
        kind="report",
        meeting=meeting,
        original_name=name,
    )
    stored = document.stored_file
    assert (stored.content_type, stored.size, document.original_name) == (
        content_type,
        len(data),
        name,
    )
    assert stored.file.name == f"documents/{stored.sha256[:2]}/{stored.sha256}.{extension}"
    with stored.file.open("rb") as handle:
        assert handle.read() == data
    entry = AuditEntry.objects.get(action="meetings.attach_document")
    assert (entry.actor, entry.details) == (officer, {"sha256": stored.sha256, "exempt": False})


@pytest.mark.django_db
def test_identical_bytes_are_stored_once(council, meeting):
    first = attach(council, PDF_BYTES, meeting=meeting, title="Agenda pack")
    second = attach(council, PDF_BYTES, meeting=meeting, title="Agenda pack (again)")
    assert first.stored_file_id == second.stored_file_id
    assert StoredFile.objects.count() == 1
    assert [p.name for p in stored_paths()] == [f"{first.stored_file.sha256}.pdf"]


NOT_A_DOCUMENT = "The file must be a PDF, a Word document (DOCX) or a web page (HTML)."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "The file is empty.", id="empty"),
        pytest.param(EXE_BYTES, NOT_A_DOCUMENT, id="renamed exe"),
        pytest.param(PNG_BYTES, NOT_A_DOCUMENT, id="renamed png"),
        pytest.param(make_zip(notes__txt="x"), NOT_A_DOCUMENT, id="zip that is not docx"),
    ],
)
def test_a_file_that_is_empty_or_not_a_document_is_refused_with_nothing_written(
    council, meeting, data, message
):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        attach(council, data, meeting=meeting, original_name="report.pdf")
    assert caught.value.message_dict == {"file": [message]}
    assert counts() == before


@pytest.mark.django_db
def test_a_file_over_the_councils_limit_is_refused_with_nothing_written(council, meeting):
    MeetingSettings.objects.create(council=council, notice_clear_days=5, document_max_bytes=1024)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        attach(council, b"<p>" + b"A" * 1030, meeting=meeting)
    assert list(caught.value.message_dict) == ["file"]
    assert counts() == before


@pytest.mark.django_db
def test_the_size_refusal_names_the_limit_and_has_a_code(council, meeting):
    MeetingSettings.objects.create(
        council=council, notice_clear_days=5, document_max_bytes=2 * 1024 * 1024
    )
    with pytest.raises(ValidationError) as caught:
        attach(council, b"<p>" + b"A" * (2 * 1024 * 1024), meeting=meeting)
    assert caught.value.messages == ["The file must be smaller than 2 MB."]
    assert caught.value.error_dict["file"][0].code == "too_large"


@pytest.mark.django_db
def test_a_file_of_exactly_the_limit_is_accepted(council, meeting):
    MeetingSettings.objects.create(council=council, notice_clear_days=5, document_max_bytes=1024)
    page = b"<p>" + b"x" * (1024 - 7) + b"</p>"
    assert len(page) == 1024
    assert attach(council, page, meeting=meeting).stored_file.size == 1024


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"kind": "memo"}, "kind"),
        ({"exempt_paragraph": 8}, "exempt_paragraph"),
    ],
)
def test_a_document_needs_a_title_a_kind_and_a_real_paragraph(council, meeting, kwargs, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        attach(council, PDF_BYTES, meeting=meeting, **kwargs)
    assert field in caught.value.message_dict
    assert counts() == before


@pytest.mark.django_db
def test_a_document_cannot_go_on_another_councils_meeting(council, other_council):
    elsewhere = factories.MeetingFactory(body__council=other_council)
    item = factories.AgendaItemFactory(meeting=elsewhere)
    before = counts()
    for kwargs in ({"meeting": elsewhere}, {"agenda_item": item}):
        with pytest.raises(ValidationError) as caught:
            attach(council, PDF_BYTES, **kwargs)
        assert caught.value.code == "other_council"
    assert counts() == before


@pytest.mark.django_db
def test_the_text_is_extracted_after_commit_and_shared_by_twins(
    council, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pdf = attach(council, PDF_BYTES, meeting=meeting)
        docx = attach(council, DOCX_BYTES, meeting=meeting)
        page = attach(council, HTML_BYTES, meeting=meeting)
    texts = {d.pk: (d.extraction, d.text) for d in Document.objects.all()}
    assert texts == {
        pdf.pk: ("done", "Bins\nBin collections in Moot Ward move to Tuesdays."),
        docx.pk: ("done", "Budget 2030/31\nCouncil tax rises by 2.99%."),
        page.pk: ("done", "Parks"),
    }
    twin = attach(council, PDF_BYTES, meeting=meeting, title="Twin")
    assert domain.save_extracted_text(twin.pk).text == texts[pdf.pk][1]


@pytest.mark.django_db
def test_a_damaged_pdf_is_accepted_and_marked_failed_without_raising(
    council, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = attach(council, b"%PDF-1.4\nthis is not a pdf", meeting=meeting)
    document.refresh_from_db()
    assert document.extraction == "failed"
    assert document.extraction_error.startswith("the PDF could not be read")
    assert document.text == ""


@pytest.mark.django_db
def test_a_word_document_claiming_gigabytes_is_marked_failed(
    council, meeting, django_capture_on_commit_callbacks
):
    bomb = declare_size(DOCX_BYTES, "word/document.xml", 4_000_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        document = attach(council, bomb, meeting=meeting)
    document.refresh_from_db()
    assert (document.extraction, document.extraction_error) == (
        "failed",
        "the document is too large to read",
    )


@pytest.mark.django_db
def test_a_pdf_whose_repair_loops_is_marked_failed(council, meeting):
    document = attach(council, LOOPING_PDF, meeting=meeting)
    assert domain.save_extracted_text(document.pk).extraction == "failed"


@pytest.mark.django_db
def test_the_extraction_task_survives_the_document_being_gone(council, meeting):
    document = attach(council, PDF_BYTES, meeting=meeting)
    pk = document.pk
    document.delete()
    assert domain.save_extracted_text(pk) is None
    assert extract_document_text.call(pk) == "gone"


@pytest.mark.django_db
def test_papers_are_private_until_the_agenda_is_published_then_supplements_are_public_at_once(
    council, officer, meeting
):
    draft = attach(council, PDF_BYTES, meeting=meeting, title="Draft report")
    assert draft.published_at is None
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("document_added", False)
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(None, meeting, now=meeting.start.replace(month=2))
    supplement = attach(council, DOCX_BYTES, meeting=meeting, title="Supplement")
    assert supplement.published_at is not None
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("document_added", True)
    assert entry.details == {"title": "Supplement", "document": supplement.pk}
    assert entry.describe() == "Document added: Supplement."
    assert set(Document.objects.public()) == {draft, supplement}


@pytest.mark.django_db
def test_an_exempt_supplement_is_kept_off_the_public_timeline(council, meeting):
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(None, meeting, now=meeting.start.replace(month=2))
    secret = attach(council, PDF_BYTES, meeting=meeting, title="Bidders", exempt_paragraph=3)
    assert secret.is_exempt
    assert not Document.objects.public().filter(pk=secret.pk).exists()
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == ("document_added", False, "")
    assert (
        AuditEntry.objects.filter(action="meetings.attach_document").latest("id").details["exempt"]
    )


@pytest.mark.django_db
def test_a_decision_notice_without_a_meeting_is_public_at_once(council):
    notice = attach(council, PDF_BYTES, kind="decision_notice", title="Officer decision")
    report = attach(council, DOCX_BYTES, title="Loose report")
    assert notice.published_at is not None
    assert report.published_at is None


@pytest.mark.django_db
def test_removing_a_published_document_needs_a_reason_and_says_so(council, officer, meeting):
    domain.add_agenda_item(None, meeting, title="Budget")
    document = attach(council, PDF_BYTES, meeting=meeting, title="Wrong version")
    domain.publish_agenda(None, meeting, now=meeting.start.replace(month=2))
    document.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.remove_document(officer, document)
    assert "reason" in caught.value.message_dict
    assert counts() == before
    domain.remove_document(officer, document, reason="Superseded")
    assert not Document.objects.filter(pk=document.pk).exists()
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "document_removed",
        True,
        {"title": "Wrong version", "reason": "Superseded"},
    )
    assert entry.describe() == "Document removed: Wrong version. Reason: Superseded"
    assert AuditEntry.objects.get(action="meetings.remove_document").details == {
        "reason": "Superseded"
    }


@pytest.mark.django_db
def test_removing_an_unpublished_or_exempt_document_stays_off_the_public_timeline(
    council, officer, meeting
):
    draft = attach(council, PDF_BYTES, meeting=meeting, title="Draft")
    domain.remove_document(officer, draft)
    assert meeting.timeline.latest("id").is_public is False
    secret = attach(council, DOCX_BYTES, meeting=meeting, title="Bidders", exempt_paragraph=3)
    domain.add_agenda_item(None, meeting, title="Budget")
    domain.publish_agenda(None, meeting, now=meeting.start.replace(month=2))
    secret.refresh_from_db()
    domain.remove_document(officer, secret, reason="Filed in error")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == ("document_removed", False, "")


@pytest.mark.django_db
def test_a_file_left_by_a_rolled_back_upload_is_reused_at_its_hash_path(council, meeting):
    def upload_then_fail() -> None:
        with transaction.atomic():
            attach(council, PDF_BYTES, meeting=meeting)
            raise RuntimeError("the import failed later on")

    with pytest.raises(RuntimeError):
        upload_then_fail()
    assert StoredFile.objects.count() == 0
    document = attach(council, PDF_BYTES, meeting=meeting)
    sha = document.stored_file.sha256
    assert document.stored_file.file.name == f"documents/{sha[:2]}/{sha}.pdf"
    assert [p.name for p in stored_paths()] == [f"{sha}.pdf"]
