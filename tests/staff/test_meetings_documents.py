"""Attaching, downloading and removing a meeting's documents, exempt ones included."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import Document, MeetingSettings, StoredFile
from tests.staff import html
from tests.staff.meetings_scene import PDF, SECRET_PDF, Scene

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_clerk_attaches_a_report_to_an_item(clerk, scene: Scene, officer):
    response = clerk.post(
        scene.url("documents/new/"),
        {
            "title": "Bins report",
            "kind": "report",
            "agenda_item": scene.bins.pk,
            "exempt_paragraph": "",
            "file": upload("bins.pdf", PDF),
        },
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == scene.url()
    assert (document.agenda_item, document.meeting, document.original_name) == (
        scene.bins,
        scene.meeting,
        "bins.pdf",
    )
    assert (document.is_exempt, document.published_at) == (False, None)
    assert document.stored_file.content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="meetings.attach_document", actor=officer).exists()
    page = clerk.get(response["Location"])
    assert html.banners(page) == ["Document attached: Bins report."]
    assert ("Bins report", f"/mootshire/staff/meetings/documents/{document.pk}/") in html.links(
        page
    )


def test_the_attach_form_offers_the_item_from_the_link(clerk, scene: Scene):
    response = clerk.get(scene.url(f"documents/new/?item={scene.land.pk}"))

    assert response.context["form"]["agenda_item"].value() == str(scene.land.pk)
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_paper_for_an_exempt_item_is_exempt_and_marked(clerk, scene: Scene):
    clerk.post(
        scene.url("documents/new/"),
        {"title": "Valuation", "kind": "appendix", "agenda_item": scene.valuation.pk,
         "file": upload("valuation.pdf", SECRET_PDF)},
    )  # fmt: skip

    document = Document.objects.get()
    assert document.is_exempt
    assert not Document.objects.public().exists()
    page = clerk.get(scene.url()).content.decode()
    assert 'Valuation</a> <strong class="govuk-tag govuk-tag--red">Exempt</strong>' in page


def test_a_whole_meeting_document_can_be_made_exempt_by_paragraph(clerk, scene: Scene):
    clerk.post(
        scene.url("documents/new/"),
        {"title": "Legal advice", "kind": "other", "agenda_item": "", "exempt_paragraph": "5",
         "file": upload("advice.pdf", SECRET_PDF)},
    )  # fmt: skip

    document = Document.objects.get()
    assert (document.is_exempt, document.exempt_paragraph, document.agenda_item) == (True, 5, None)
    rows = html.table_rows(clerk.get(scene.url()))
    assert rows[0] == [
        "Legal advice",
        "Other document",
        "Exempt – paragraph 5",
        "Remove Legal advice",
    ]


def test_a_file_that_is_not_a_pdf_docx_or_html_is_refused_clearly(clerk, scene: Scene):
    response = clerk.post(
        scene.url("documents/new/"),
        {"title": "Notes", "kind": "report", "file": upload("notes.pdf", b"just some text")},
    )

    assert response.status_code == 200
    assert html.error_summary(response) == [
        "The file must be a PDF, a Word document (DOCX) or a web page (HTML)."
    ]
    assert html.error_links(response) == ["#id_file"]
    assert (Document.objects.count(), StoredFile.objects.count()) == (0, 0)


def test_a_file_larger_than_the_councils_limit_is_refused_before_it_is_read(
    clerk, scene: Scene, council
):
    MeetingSettings.objects.create(
        council=council, notice_clear_days=5, document_max_bytes=1024 * 1024
    )
    big = PDF + b"%" * (1024 * 1024)

    response = clerk.post(
        scene.url("documents/new/"),
        {"title": "Pack", "kind": "agenda_pack", "file": upload("pack.pdf", big)},
    )

    assert html.error_summary(response) == ["The file must be smaller than 1 MB."]
    assert html.field_errors(response) == {"id_file": "Error: The file must be smaller than 1 MB."}
    assert "smaller than 1 MB" in response.context["form"].fields["file"].help_text
    assert Document.objects.count() == 0


def test_an_empty_or_missing_file_is_refused(clerk, scene: Scene):
    missing = clerk.post(scene.url("documents/new/"), {"title": "Pack", "kind": "agenda_pack"})
    empty = clerk.post(
        scene.url("documents/new/"),
        {"title": "Pack", "kind": "agenda_pack", "file": upload("p.pdf", b"")},
    )

    assert html.error_summary(missing) == ["Choose a file to upload."]
    assert html.error_summary(empty) == ["The file is empty."]
    assert Document.objects.count() == 0


def test_an_item_of_another_meeting_cannot_be_chosen(clerk, scene: Scene):
    other = domain.add_agenda_item(None, scene.past, title="Minutes")

    response = clerk.post(
        scene.url("documents/new/"),
        {"title": "X", "kind": "report", "agenda_item": other.pk, "file": upload("x.pdf", PDF)},
    )

    assert html.error_summary(response) == ["Choose an item of this meeting."]
    assert Document.objects.count() == 0


def test_staff_download_an_exempt_document_marked_as_exempt(clerk, scene: Scene, council):
    document = domain.attach_document(
        None, council, data=SECRET_PDF, title="Valuation", kind="appendix",
        agenda_item=scene.valuation, original_name="valuation.pdf",
    )  # fmt: skip

    response = clerk.get(f"/mootshire/staff/meetings/documents/{document.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECRET_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="EXEMPT-valuation.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_public_document_downloads_under_its_own_name(clerk, scene: Scene, council):
    document = domain.attach_document(
        None, council, data=PDF, title="Bins report", kind="report", meeting=scene.meeting
    )

    response = clerk.get(f"/mootshire/staff/meetings/documents/{document.pk}/")

    assert response["Content-Disposition"] == 'attachment; filename="bins-report.pdf"'


def test_another_councils_document_is_not_found(clerk, scene: Scene, other_council):
    theirs = domain.attach_document(
        None, other_council, data=PDF, title="Licence", kind="report",
        meeting=scene.elsewhere_meeting,
    )  # fmt: skip

    assert clerk.get(f"/mootshire/staff/meetings/documents/{theirs.pk}/").status_code == 404
    assert clerk.post(f"/mootshire/staff/meetings/documents/{theirs.pk}/remove/").status_code == 404
    assert Document.objects.filter(pk=theirs.pk).exists()


def test_a_clerk_removes_an_unpublished_document_without_a_reason(clerk, scene: Scene, council):
    document = domain.attach_document(
        None, council, data=PDF, title="Draft", kind="report", meeting=scene.meeting
    )

    response = clerk.post(f"/mootshire/staff/meetings/documents/{document.pk}/remove/", {})

    assert response.status_code == 302
    assert response["Location"] == scene.url()
    assert not Document.objects.exists()


def test_a_published_document_needs_a_reason_to_come_down(clerk, scene: Scene, council):
    document = domain.attach_document(
        None, council, data=PDF, title="Bins report", kind="report", meeting=scene.meeting
    )
    domain.publish_agenda(None, scene.meeting)
    url = f"/mootshire/staff/meetings/documents/{document.pk}/remove/"

    refused = clerk.post(url, {"reason": ""})
    removed = clerk.post(url, {"reason": "Wrong version"})

    assert html.error_summary(refused) == ["Enter a reason."]
    assert removed.status_code == 302
    assert not Document.objects.exists()
    assert scene.meeting.timeline.get(kind="document_removed").describe() == (
        "Document removed: Bins report. Reason: Wrong version"
    )
