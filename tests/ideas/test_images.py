"""Pictures on ideas: judged by content, re-encoded without metadata, limited in size,
described for people who cannot see them, and served only through the idea's page."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from moothall.ideas import domain
from moothall.ideas.images import MAX_BYTES, MAX_IMAGES_PER_IDEA, MAX_SIDE, clean_image
from moothall.ideas.models import Idea, IdeaImage
from tests.ideas.scene import jpeg_with_gps, png, png_claiming

pytestmark = pytest.mark.django_db


def opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        clean_image(data)
    return refused.value.error_dict["image"][0].code


# --- Cleaning ----------------------------------------------------------------------------------


def test_a_photo_loses_its_gps_position_camera_and_serial_number():
    original = jpeg_with_gps()
    assert opened(original).getexif()  # the test photo does carry them

    cleaned = clean_image(original)

    assert cleaned.content_type == "image/jpeg"
    assert dict(opened(cleaned.data).getexif()) == {}
    assert b"SpyCam" not in cleaned.data
    assert b"SERIAL-12345" not in cleaned.data
    assert (cleaned.width, cleaned.height) == (64, 48)


def test_a_photo_taken_sideways_is_turned_the_right_way_up():
    picture = Image.new("RGB", (60, 30), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)

    cleaned = clean_image(out.getvalue())

    assert (cleaned.width, cleaned.height) == (30, 60)


def test_a_transparent_png_stays_a_png_and_an_opaque_one_becomes_a_jpeg():
    assert clean_image(png(alpha=True)).content_type == "image/png"
    assert clean_image(png()).content_type == "image/jpeg"


def test_a_webp_picture_is_taken():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(out, format="WEBP")

    assert clean_image(out.getvalue()).content_type == "image/jpeg"


def test_a_large_picture_is_shrunk_to_a_sensible_size():
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(out, format="PNG")

    cleaned = clean_image(out.getvalue())

    assert (cleaned.width, cleaned.height) == (MAX_SIDE, 500)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "image_required"),
        (b"%PDF-1.4 not a picture", "not_an_image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "not_an_image",
        ),
        (jpeg_with_gps()[:200], "not_an_image"),
        (png_claiming(50_000, 50_000), "image_too_many_pixels"),
    ],
    ids=["empty", "pdf", "svg with a script", "cut-off jpeg", "decompression bomb"],
)
def test_what_is_not_a_picture_we_take_is_refused_with_a_clear_reason(data, code):
    assert refusal(data) == code


def test_a_gif_is_refused():
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")

    assert refusal(out.getvalue()) == "not_an_image"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    assert refusal(b"\xff\xd8" + b"0" * MAX_BYTES) == "image_too_large"


def _png_padded_to(size: int) -> bytes:
    """A real PNG made ``size`` bytes long by a private ancillary chunk readers skip."""
    import struct
    import zlib

    small = png()
    head, tail = small[:-12], small[-12:]  # IEND is the last 12 bytes
    filler = b"\x00" * (size - len(small) - 12)
    chunk = struct.pack(">I", len(filler)) + b"prVt" + filler
    chunk += struct.pack(">I", zlib.crc32(b"prVt" + filler))
    return head + chunk + tail


def test_a_caller_sets_a_larger_or_smaller_limit_of_its_own():
    big = _png_padded_to(MAX_BYTES + 1024)

    assert refusal(big) == "image_too_large"
    assert clean_image(big, max_bytes=2 * MAX_BYTES).width == 40
    with pytest.raises(ValidationError) as refused:
        clean_image(png(), max_bytes=10)
    assert refused.value.error_dict["image"][0].code == "image_too_large"


# --- Through the verbs -----------------------------------------------------------------------


def files_on_disk() -> set[str]:
    from django.conf import settings

    folder = os.path.join(settings.MEDIA_ROOT, "ideas", "images")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def test_a_proposal_with_a_picture_stores_the_clean_copy_under_a_random_name(
    council, scene, resident
):
    idea = domain.propose_idea(
        resident,
        council,
        title="Broken swing",
        body="In Moot Park.",
        images=[domain.ImageUpload(jpeg_with_gps(), "A swing with a broken chain")],
    )

    image = idea.images.get()
    assert (image.alt_text, image.content_type, image.uploaded_by) == (
        "A swing with a broken chain",
        "image/jpeg",
        resident,
    )
    stored = image.file.read()
    assert b"SERIAL-12345" not in stored
    assert image.file.name.startswith("ideas/images/")
    assert image.file.name.endswith(".jpg")
    assert image.size == len(stored)


def test_a_picture_needs_words_for_people_who_cannot_see_it(council, scene, resident):
    before = (Idea.objects.count(), files_on_disk())

    with pytest.raises(ValidationError) as refused:
        domain.propose_idea(
            resident, council, title="T", body="B", images=[domain.ImageUpload(png(), "  ")]
        )

    assert list(refused.value.error_dict) == ["alt_text"]
    assert (Idea.objects.count(), files_on_disk()) == before


def test_a_bad_picture_refuses_the_whole_proposal_and_writes_nothing(council, scene, resident):
    before = (Idea.objects.count(), files_on_disk())
    uploads = [domain.ImageUpload(png(), "Fine"), domain.ImageUpload(b"not a picture", "Bad")]

    with pytest.raises(ValidationError):
        domain.propose_idea(resident, council, title="T", body="B", images=uploads)

    assert (Idea.objects.count(), files_on_disk()) == before


def test_an_idea_has_six_pictures_at_most(council, scene, resident):
    for n in range(MAX_IMAGES_PER_IDEA):
        domain.add_image(resident, scene.idea, data=png(), alt_text=f"Picture {n}")

    with pytest.raises(ValidationError) as refused:
        domain.add_image(resident, scene.idea, data=png(), alt_text="One too many")

    assert refused.value.error_dict["image"][0].code == "too_many_images"
    assert scene.idea.images.count() == MAX_IMAGES_PER_IDEA


def test_only_the_author_adds_pictures_and_only_while_the_idea_is_new(
    council, scene, resident, officer
):
    with pytest.raises(PermissionDenied):
        domain.add_image(officer, scene.idea, data=png(), alt_text="Mine")
    domain.set_idea_status(officer, scene.idea, "under_consideration")
    with pytest.raises(ValidationError):
        domain.add_image(resident, scene.idea, data=png(), alt_text="Late")
    assert scene.idea.images.count() == 0


def test_a_moderator_takes_a_picture_down_with_a_reason_and_its_file_goes(
    scene, resident, moderator, django_capture_on_commit_callbacks
):
    image = domain.add_image(resident, scene.idea, data=png(), alt_text="A picture")
    name = os.path.basename(image.file.name)
    with pytest.raises(ValidationError):
        domain.remove_image(moderator, image, reason="")

    with django_capture_on_commit_callbacks(execute=True):
        domain.remove_image(moderator, IdeaImage.objects.get(pk=image.pk), reason="A face.")

    assert not IdeaImage.objects.filter(pk=image.pk).exists()
    assert name not in files_on_disk()


def test_a_resident_cannot_take_down_someone_elses_picture(council, scene, resident):
    from tests.ideas.scene import person

    image = domain.add_image(resident, scene.idea, data=png(), alt_text="A picture")

    with pytest.raises(PermissionDenied):
        domain.remove_image(person("x@example.org", council), image, reason="Dislike")


# --- Serving ----------------------------------------------------------------------------------


def test_a_picture_is_served_through_its_idea_with_safe_headers(client, scene, resident):
    image = domain.add_image(resident, scene.idea, data=png(alpha=True), alt_text="A picture")

    response = client.get(image.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == image.file.open("rb").read()


def test_a_picture_is_not_found_under_another_idea_council_or_extension(
    client, council, scene, resident
):
    image = domain.add_image(resident, scene.idea, data=png(), alt_text="A picture")
    other = domain.propose_idea(resident, council, title="Other", body="B")

    for url in (
        f"/mootshire/ideas/{other.pk}/pictures/{image.pk}.jpg",
        f"/elsewhere/ideas/{scene.idea.pk}/pictures/{image.pk}.jpg",
        f"/mootshire/ideas/{scene.idea.pk}/pictures/{image.pk}.png",
    ):
        assert client.get(url).status_code == 404, url
