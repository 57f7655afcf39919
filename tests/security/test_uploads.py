"""Every upload is judged by its content, never by its name or the browser's declared type.

The uploads (see /work/notes/docs_security.md for the inventory) and their checkers:

- pictures (ideas, budget projects and their delivery reports, live blog photos, live
  photos by residents): ``ideas.images.clean_image`` (Pillow reads it; re-encoded);
- meeting documents: ``meetings.files.sniff_content_type`` (PDF, DOCX or HTML by bytes);
- live media by residents and recordings: ``live.media.sniff_media``;
- captions: ``live.captions.parse``; ward populations: ``population.domain``;
- Polis conversations: ``deliberation.interchange.unpack_zip``.

Each gets disguised files (a web page or a program under a harmless name, a truncated
picture, a picture whose header claims billions of pixels): a clear message, no row and
no file stored. The verbs take bytes only, so a name cannot sway them; the view tests
send a disguised file under a trusted name and type as well.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from moothall.ideas.images import clean_image
from moothall.live.media import sniff_media
from moothall.meetings.files import sniff_content_type
from tests import factories

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
GIF_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00*/=1;alert(1)//" + b"\x00" * 20
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = b"name,age\nRita,40\n"
ZIP = b""  # filled below: a zip with one text file, not a Word document


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


ZIP = _zip()


def picture(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, format=kind)
    return out.getvalue()


def truncated(kind: str) -> bytes:
    data = picture(kind, (300, 200))
    return data[: len(data) // 3]


def pixel_bomb() -> bytes:
    """A small PNG whose header claims 60,000 × 60,000 pixels (3.6 gigapixels)."""
    data = bytearray(picture("PNG", (1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 60_000, 60_000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


NOT_PICTURES = {
    "html": HTML,
    "exe": EXE,
    "elf": ELF,
    "svg": SVG,
    "gif polyglot": GIF_POLYGLOT,
    "pdf": PDF,
    "text": TEXT,
    "zip": ZIP,
    "truncated jpeg": truncated("JPEG"),
    "truncated png": truncated("PNG"),
    "truncated webp": truncated("WEBP"),
}


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


# --- The checkers --------------------------------------------------------------------------


@pytest.mark.parametrize("data", NOT_PICTURES.values(), ids=NOT_PICTURES.keys())
def test_a_picture_that_is_not_one_is_refused_by_its_content(data):
    with pytest.raises(ValidationError) as refused:
        clean_image(data)

    assert refused.value.message_dict == {
        "image": ["The file must be a picture: a JPEG, PNG or WebP image."]
    }


def test_a_picture_claiming_billions_of_pixels_is_refused_before_it_is_decoded():
    with pytest.raises(ValidationError) as refused:
        clean_image(pixel_bomb())

    assert refused.value.message_dict == {
        "image": ["The picture is too large: use one of at most 40 megapixels."]
    }


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_a_real_picture_is_taken_and_written_afresh(kind):
    cleaned = clean_image(picture(kind))

    assert cleaned.content_type in {"image/jpeg", "image/png"}
    assert Image.open(io.BytesIO(cleaned.data)).size == (64, 48)


NOT_DOCUMENTS = {
    "exe": EXE,
    "elf": ELF,
    "svg": SVG,
    "jpeg": picture(),
    "zip that is not a word document": ZIP,
    "text": TEXT,
    "gif polyglot": GIF_POLYGLOT,
}


@pytest.mark.parametrize("data", NOT_DOCUMENTS.values(), ids=NOT_DOCUMENTS.keys())
def test_a_document_that_is_not_a_pdf_docx_or_web_page_is_not_recognised(data):
    assert sniff_content_type(data) is None


NOT_MEDIA = {"html": HTML, "exe": EXE, "elf": ELF, "svg": SVG, "pdf": PDF, "text": TEXT}


@pytest.mark.parametrize("data", NOT_MEDIA.values(), ids=NOT_MEDIA.keys())
def test_media_that_is_not_audio_video_or_a_photo_is_not_recognised(data):
    assert sniff_media(data) is None


# --- The verbs: a clear refusal, and nothing stored ----------------------------------------


@pytest.fixture
def live_meeting(council, officer):
    from moothall.live import domain
    from moothall.meetings import domain as meetings

    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
    factories.AgendaItemFactory(meeting=meeting, title="Library opening hours", position=0)
    meetings.renumber(meeting)
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    return meeting


DISGUISES = {"html": HTML, "exe": EXE, "truncated jpeg": truncated("JPEG")}


@pytest.mark.django_db
@pytest.mark.parametrize("data", DISGUISES.values(), ids=DISGUISES.keys())
def test_an_idea_with_a_disguised_picture_is_refused_and_nothing_is_stored(council, resident, data):
    from moothall.ideas import domain
    from moothall.ideas.models import Idea, IdeaImage

    before = media_files()
    with pytest.raises(ValidationError) as refused:
        domain.propose_idea(
            resident,
            council,
            title="A bench by the pond",
            body="Somewhere to sit.",
            images=[domain.ImageUpload(data=data, alt_text="The pond")],
        )

    assert "The file must be a picture" in str(refused.value)
    assert not Idea.objects.exists()
    assert not IdeaImage.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_budget_project_with_a_disguised_picture_is_refused_and_nothing_is_stored(council, data):
    from moothall.budgeting import domain
    from moothall.budgeting.models import Phase, Project, ProjectImage
    from moothall.ideas.domain import ImageUpload
    from tests.budgeting.scene import build_scene

    scene = build_scene(council, phase=Phase.IDEAS)
    before = media_files()
    with pytest.raises(ValidationError) as refused:
        domain.propose_project(
            scene.hill_resident,
            scene.process,
            title="Wildflower verges",
            description="Let the verges grow wild.",
            budget=scene.hill_budget,
            images=[ImageUpload(data=data, alt_text="A verge")],
        )

    assert "The file must be a picture" in str(refused.value)
    assert not Project.objects.filter(title="Wildflower verges").exists()
    assert not ProjectImage.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_live_photo_or_clip_in_disguise_is_refused_and_nothing_is_stored(
    live_meeting, resident, data
):
    from moothall.live import contributions
    from moothall.live.models import Media

    before = media_files()
    with pytest.raises(ValidationError) as refused:
        contributions.upload_media(resident, live_meeting, data=data, caption="The vote")

    assert refused.value.messages
    assert not Media.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_live_blog_photo_in_disguise_is_refused_and_nothing_is_stored(
    live_meeting, officer, data
):
    from moothall.live import domain
    from moothall.live.models import BlogPost

    before = media_files()
    with pytest.raises(ValidationError) as refused:
        domain.post_blog(officer, live_meeting, text="The vote", photo=data, photo_alt="Hands")

    assert refused.value.message_dict == {
        "photo": ["The file must be a picture: a JPEG, PNG or WebP image."]
    }
    assert not BlogPost.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", [HTML, EXE, ELF, picture()], ids=["html", "exe", "elf", "jpeg"])
def test_a_recording_that_is_not_audio_or_video_is_refused_and_nothing_is_stored(
    live_meeting, officer, data
):
    from moothall.live import record
    from moothall.live.models import Recording

    before = media_files()
    with pytest.raises(ValidationError) as refused:
        record.add_recording(officer, live_meeting, data=data)

    assert "The file must be a recording" in str(refused.value)
    assert not Recording.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", [HTML, EXE, picture()], ids=["html", "exe", "jpeg"])
def test_a_caption_file_that_is_not_captions_is_refused_and_nothing_changes(
    live_meeting, officer, data
):
    from moothall.live import record

    recording = record.add_recording(officer, live_meeting, url="https://video.example/1")
    with pytest.raises(ValidationError) as refused:
        record.import_captions(officer, recording, data=data)

    assert refused.value.messages
    assert recording.segments.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [EXE, ELF, SVG, picture(), ZIP], ids=["exe", "elf", "svg", "jpeg", "zip"]
)
def test_a_meeting_document_in_disguise_is_refused_and_nothing_is_stored(
    live_meeting, officer, council, data
):
    from moothall.meetings import domain
    from moothall.meetings.models import Document, StoredFile

    before = media_files()
    with pytest.raises(ValidationError) as refused:
        domain.attach_document(
            officer,
            council,
            data=data,
            title="Report",
            kind="report",
            meeting=live_meeting,
            original_name="report.pdf",
        )

    assert refused.value.messages
    assert not Document.objects.exists()
    assert not StoredFile.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
@pytest.mark.parametrize("data", [HTML, EXE, picture(), ZIP], ids=["html", "exe", "jpeg", "zip"])
def test_a_population_file_that_is_not_a_csv_of_figures_is_refused(council, officer, data):
    from moothall.population import domain
    from moothall.population.models import WardPopulation

    with pytest.raises(ValidationError) as refused:
        domain.import_population(council, data, by=officer)

    assert refused.value.messages
    assert not WardPopulation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [HTML, EXE, picture(), ZIP], ids=["html", "exe", "jpeg", "zip"])
def test_a_polis_upload_that_is_not_a_polis_export_is_refused(council, officer, data):
    from moothall.deliberation import interchange
    from moothall.deliberation.models import Conversation

    with pytest.raises((ValidationError, interchange.InterchangeError)):
        interchange.import_zip(council, io.BytesIO(data), by=officer)

    assert not Conversation.objects.exists()


# --- Through the site: a trusted name and type change nothing -----------------------------


@pytest.mark.django_db
def test_a_web_page_named_like_a_photo_is_refused_on_the_live_page(client, live_meeting, resident):
    from moothall.live.models import Media

    client.force_login(resident)
    before = media_files()

    response = client.post(
        f"/mootshire/meetings/{live_meeting.pk}/live/upload",
        {
            "file": SimpleUploadedFile("vote.jpg", HTML, content_type="image/jpeg"),
            "caption": "The vote",
        },
    )

    assert response.status_code == 400
    assert '<a href="#upload-file">The file must be a photo' in response.content.decode()
    assert not Media.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
def test_a_program_named_like_a_pdf_is_refused_by_the_clerks_form(client, council, officer):
    from moothall.meetings.models import Document
    from tests.staff.meetings_scene import build_scene

    scene = build_scene(council, factories.CouncilFactory(slug="elsewhere"))
    client.force_login(officer)
    before = media_files()

    response = client.post(
        scene.url("documents/new/"),
        {
            "title": "Bins report",
            "kind": "report",
            "agenda_item": scene.bins.pk,
            "exempt_paragraph": "",
            "file": SimpleUploadedFile("bins.pdf", EXE, content_type="application/pdf"),
        },
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Document.objects.exists()
    assert media_files() == before


# --- The council's logo (the Django admin, for platform staff) ------------------------------


def logo_form(council, data: bytes, name: str = "logo.png"):
    from django.contrib import admin
    from django.forms.models import model_to_dict

    from moothall.councils.models import Council

    form_class = admin.site._registry[Council].get_form(None, council)
    fields = {k: v for k, v in model_to_dict(council).items() if v is not None and k != "logo"}
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return form_class(data=fields, files={"logo": upload}, instance=council)


LOGO_DISGUISES = {
    "html": HTML,
    "svg": SVG,
    "exe": EXE,
    "truncated png": truncated("PNG"),
    "pixel bomb": pixel_bomb(),
    "gif": picture("GIF"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", LOGO_DISGUISES.values(), ids=LOGO_DISGUISES.keys())
def test_a_logo_named_png_that_is_not_a_picture_is_refused(council, data):
    form = logo_form(council, data)

    assert not form.is_valid()
    assert form.errors["logo"] == [
        "The logo must be a picture: a PNG, JPEG or WebP image of at most 2 MB."
    ]


@pytest.mark.django_db
def test_a_real_logo_is_taken(council):
    form = logo_form(council, picture("PNG"))

    assert "logo" not in form.errors, form.errors
