"""Checking and cleaning uploaded pictures before an idea shows them.

An upload is judged by its content (Pillow reads it; the name and the browser's
type are ignored), refused when too large in bytes or in pixels, turned the right
way up, shrunk to a sensible size and written out again as a new JPEG or PNG. The
new file carries none of the original's metadata: no EXIF, so no GPS position,
camera serial number or time taken.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from moothall.core.validation import invalid

MAX_BYTES = 8 * 1024 * 1024
# Checked from the header before any pixel is decoded (a small file can claim a huge
# picture: a "decompression bomb").
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000  # longest side after shrinking; plenty for a web page
MAX_IMAGES_PER_IDEA = 6
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str  # "image/jpeg" or "image/png"
    extension: str
    width: int
    height: int


def clean_image(data: bytes, field: str = "image", *, max_bytes: int = MAX_BYTES) -> CleanImage:
    """``data`` as a fresh JPEG or PNG without metadata; ValidationError when it is not a
    picture we take (a JPEG, PNG or WebP within the size and pixel limits). ``max_bytes``
    is the largest upload taken (a council's own limit); the pixel limit holds whatever it
    is."""
    if not data:
        raise invalid(field, _("Choose a picture to upload."), "image_required")
    if len(data) > max_bytes:
        raise invalid(
            field,
            _("The picture must be %(limit)d MB or smaller."),
            "image_too_large",
            {"limit": max_bytes // (1024 * 1024)},
        )
    not_a_picture = invalid(
        field, _("The file must be a picture: a JPEG, PNG or WebP image."), "not_an_image"
    )
    too_many_pixels = invalid(
        field,
        _("The picture is too large: use one of at most %(limit)d megapixels."),
        "image_too_many_pixels",
        {"limit": MAX_PIXELS // 1_000_000},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in ACCEPTED_FORMATS:
                    raise not_a_picture
                if width * height > MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            # verify() leaves the image unusable: open it again to decode the pixels.
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,  # Pillow raises it for some broken PNGs
        EOFError,
    ):
        raise not_a_picture from None
    if picture.width * picture.height == 0:
        raise not_a_picture
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if has_alpha:
        # A fresh image from the pixels alone: nothing of the original's chunks comes along.
        clean = Image.new("RGBA", picture.size)
        clean.paste(picture.convert("RGBA"))
        clean.save(out, format="PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        clean = Image.new("RGB", picture.size)
        clean.paste(picture.convert("RGB"))
        clean.save(out, format="JPEG", quality=85, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    return CleanImage(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
    )


def store_pictures(
    cleaned: list[tuple[CleanImage, str]], build: Callable[[CleanImage, str], Any]
) -> list[Any]:
    """Save each cleaned picture as a row built by ``build(picture, alt_text)`` (an unsaved
    model instance with a ``file`` field), under a random name: nothing of the uploader's
    file name reaches the disk. If anything fails on the way, the files already written are
    deleted again (the rows go with the caller's transaction)."""
    stored: list[Any] = []
    try:
        for picture, alt_text in cleaned:
            image = build(picture, alt_text)
            image.file.save(
                f"{uuid.uuid4().hex}.{picture.extension}", ContentFile(picture.data), save=False
            )
            stored.append(image)
            image.save()
    except BaseException:
        for image in stored:
            image.file.storage.delete(image.file.name)
        raise
    return stored
