"""What an upload is, by its bytes: the formats taken, everything else refused, and MP4
metadata (where a phone writes the position) blanked without breaking the file."""

from __future__ import annotations

import pytest

from moothall.live.media import sniff_media, strip_mp4_metadata
from tests.live import contributions_scene as s


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: s.picture("JPEG"), ("photo", "image/jpeg", "jpg")),
        (lambda: s.picture("PNG"), ("photo", "image/png", "png")),
        (lambda: s.picture("WEBP"), ("photo", "image/webp", "webp")),
        (lambda: s.mp3(tagged=True), ("audio", "audio/mpeg", "mp3")),
        (lambda: s.mp3(tagged=False), ("audio", "audio/mpeg", "mp3")),
        (s.wav, ("audio", "audio/wav", "wav")),
        (lambda: s.ogg(b"\x01vorbis"), ("audio", "audio/ogg", "ogg")),
        (lambda: s.ogg(b"OpusHead"), ("audio", "audio/ogg", "ogg")),
        (lambda: s.mp4(b"M4A "), ("audio", "audio/mp4", "m4a")),
        (s.flac, ("audio", "audio/flac", "flac")),
        (lambda: s.mp4(b"isom"), ("video", "video/mp4", "mp4")),
        (lambda: s.mp4(b"mp42"), ("video", "video/mp4", "mp4")),
        (lambda: s.mp4(b"qt  "), ("video", "video/quicktime", "mov")),
        (lambda: s.webm(b"webm"), ("video", "video/webm", "webm")),
        (lambda: s.webm(b"matroska"), ("video", "video/x-matroska", "mkv")),
    ],
)
def test_it_knows_each_format_it_takes_by_content(make, expected):
    assert sniff_media(make()) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(s.PDF, id="pdf"),
        pytest.param(s.TEXT, id="text"),
        pytest.param(s.ELF, id="elf-program"),
        pytest.param(s.PE, id="windows-program"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param(b"GIF89a" + bytes(20), id="gif"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", id="svg"),
        pytest.param(b"<!DOCTYPE html><script>alert(1)</script>", id="html"),
        pytest.param(b"PK\x03\x04" + bytes(40), id="zip"),
        pytest.param(s.mp4(b"heic"), id="heic-picture"),
        pytest.param(s.mp4(b"M4P "), id="protected-music"),
        pytest.param(s.ogg(b"\x80theora"), id="ogg-theora"),
        pytest.param(s.webm(b"other"), id="unknown-ebml"),
        pytest.param(b"\xff\xfb\x90\x64" + bytes(413) + b"not a frame", id="one-chance-mpeg-sync"),
        pytest.param(b"", id="empty"),
    ],
)
def test_it_refuses_anything_else(data):
    assert sniff_media(data) is None


def test_a_renamed_program_is_refused_whatever_it_is_called():
    # The name never reaches the sniffer: only the bytes do, and they start "MZ".
    assert sniff_media(s.PE) is None
    assert sniff_media(s.ELF) is None


def test_stripping_blanks_the_position_in_an_mp4_and_keeps_its_size():
    original = s.mp4(b"isom")
    assert b"+51.5074-000.1278/" in original

    stripped = strip_mp4_metadata(original)

    assert len(stripped) == len(original)
    assert b"+51.5074-000.1278/" not in stripped
    assert b"\xa9xyz" not in stripped
    assert b"com.apple.quicktime.location" not in stripped
    # Still the same kind of file, with its movie and media data where they were.
    assert sniff_media(stripped) == ("video", "video/mp4", "mp4")
    assert stripped.index(b"mvhd") == original.index(b"mvhd")
    assert stripped.index(b"mdat") == original.index(b"mdat")


def test_stripping_leaves_a_file_without_metadata_as_it_was():
    clean = s.mp4(b"isom", location=False)

    assert strip_mp4_metadata(clean) == clean


def test_stripping_survives_a_truncated_file():
    truncated = s.mp4(b"isom")[:50]

    assert len(strip_mp4_metadata(truncated)) == 50
