"""What an attendee's upload is, judged by its bytes alone (never by its name or the
browser's word), and what of its metadata we can take out.

:func:`sniff_media` knows a small list of formats and refuses everything else
(programs above all: a Windows program renamed ``photo.jpg`` still starts ``MZ`` and
matches none of them). Photos are only *recognised* here; the verb then re-encodes them
through :func:`moothall.ideas.images.clean_image`, which drops every byte of metadata
(EXIF, so the GPS position, camera serial and time taken).

Audio and video are stored as sent, apart from :func:`strip_mp4_metadata`:

- **MP4 / MOV / M4A** (ISO base media files) can carry where they were made: a phone
  writes ``©xyz`` (ISO 6709, e.g. ``+51.5074-000.1278/``) in ``moov/udta`` and Apple's
  ``com.apple.quicktime.location.ISO6709`` key in ``moov/meta``; an XMP ``uuid`` box may
  hold ``exif:GPSLatitude``. These survive an upload unless stripped, so the strip turns
  every ``udta`` and ``meta`` box under ``moov`` (and its tracks) and every XMP ``uuid``
  box into a ``free`` box of the same size with its contents zeroed. Players skip
  ``free`` boxes and no offset moves (``stco`` chunk offsets stay right), so the file
  still plays. What this cannot reach: positions recorded *as a track* (a GoPro's GPMF
  ``gpmd`` telemetry in ``mdat``) and anything a format hides in the media data itself.
- **WebM / Matroska** can name a place in its ``Tags``; **MP3** in ID3 frames;
  **OGG / FLAC** in comment fields. These are not rewritten: nothing records a position
  there by default, and moderation (pre-moderation is the default for media) is the check.

Pure functions: no models, no database.
"""

from __future__ import annotations

import struct

PHOTO, AUDIO, VIDEO = "photo", "audio", "video"

# ISO base media file "brands" (the ftyp box) by what they hold.
_AUDIO_BRANDS = {b"M4A ": ("audio/mp4", "m4a"), b"M4B ": ("audio/mp4", "m4a")}
_VIDEO_BRANDS = {
    b"qt  ": ("video/quicktime", "mov"),
    **dict.fromkeys(
        (
            b"isom",
            b"iso2",
            b"iso3",
            b"iso4",
            b"iso5",
            b"iso6",
            b"mp41",
            b"mp42",
            b"avc1",
            b"M4V ",
            b"M4VH",
            b"M4VP",
            b"dash",
            b"mmp4",
            b"MSNV",
            b"3gp4",
            b"3gp5",
            b"3gp6",
        ),
        ("video/mp4", "mp4"),
    ),
}

# MPEG audio: bitrates (kbit/s) of Layer III by version, and sampling rates.
_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def sniff_media(data: bytes) -> tuple[str, str, str] | None:
    """``(kind, content_type, extension)`` of ``data`` — kind is "photo", "audio" or
    "video" — or None when it is none of the formats we take: JPEG, PNG, WebP photos;
    MP3, WAV, OGG (Vorbis or Opus), M4A, FLAC audio; MP4, MOV, WebM, Matroska video."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return PHOTO, "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PHOTO, "image/png", "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return PHOTO, "image/webp", "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AUDIO, "audio/wav", "wav"
    if head.startswith(b"fLaC"):
        return AUDIO, "audio/flac", "flac"
    if head.startswith(b"OggS"):
        return _ogg(data)
    if head[4:8] == b"ftyp":
        return _iso_media(data)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _matroska(data)
    if _is_mp3(data):
        return AUDIO, "audio/mpeg", "mp3"
    return None


def _ogg(data: bytes) -> tuple[str, str, str] | None:
    # The first page holds the codec's identification header, right after the page
    # header (27 bytes) and its segment table.
    if len(data) < 28:
        return None
    first = data[27 + data[26] : 27 + data[26] + 8]
    if first.startswith(b"\x01vorbis") or first.startswith(b"OpusHead"):
        return AUDIO, "audio/ogg", "ogg"
    return None  # Theora, Speex, FLAC-in-Ogg…: not taken


def _iso_media(data: bytes) -> tuple[str, str, str] | None:
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > len(data) or size % 4:
        return None
    major = data[8:12]
    if major in _AUDIO_BRANDS:
        return AUDIO, *_AUDIO_BRANDS[major]
    if major in _VIDEO_BRANDS:
        return VIDEO, *_VIDEO_BRANDS[major]
    return None  # HEIC/AVIF pictures, protected (M4P) music, unknown brands


def _matroska(data: bytes) -> tuple[str, str, str] | None:
    # The EBML header names the document type: DocType (0x4282), a size, then the name.
    header = data[:256]
    at = header.find(b"\x42\x82")
    if at < 0 or at + 3 > len(header):
        return None
    length_byte = header[at + 2]
    if not length_byte & 0x80:  # we only read the one-byte size every muxer writes
        return None
    length = length_byte & 0x7F
    doc_type = header[at + 3 : at + 3 + length]
    if doc_type == b"webm":
        return VIDEO, "video/webm", "webm"
    if doc_type == b"matroska":
        return VIDEO, "video/x-matroska", "mkv"
    return None


def _mp3_frame_length(header: bytes) -> int | None:
    """Bytes in the MPEG Layer III frame starting with ``header`` (4 bytes), or None."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 0x3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer_bits = (header[1] >> 1) & 0x3  # 1: Layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x3
    if version_bits == 1 or layer_bits != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    padding = (header[2] >> 1) & 0x1
    bitrate = _MP3_BITRATES[1 if version_bits == 3 else 2][bitrate_index] * 1000
    rate = _MP3_RATES[version_bits][rate_index]
    samples = 144 if version_bits == 3 else 72
    return samples * bitrate // rate + padding


def _is_mp3(data: bytes) -> bool:
    start = 0
    if data.startswith(b"ID3"):
        # ID3v2: version (< 0xFF), flags, then a "syncsafe" size (7 bits a byte).
        if len(data) < 10 or data[3] == 0xFF or data[4] == 0xFF:
            return False
        size_bytes = data[6:10]
        if any(b & 0x80 for b in size_bytes):
            return False
        size = 0
        for b in size_bytes:
            size = (size << 7) | b
        start = 10 + size + (10 if data[5] & 0x10 else 0)  # + footer
        if start >= len(data):
            return True  # a tag and nothing else yet: still an MP3 file's start
    length = _mp3_frame_length(data[start : start + 4])
    if length is None:
        return False
    # A second frame right after the first, when there is one, makes a chance match of
    # two bytes (0xFFEx) much less likely.
    following = data[start + length : start + length + 4]
    return len(following) < 4 or _mp3_frame_length(following) is not None


# --- MP4 / MOV metadata ---------------------------------------------------------------

# Boxes that only hold other boxes, and the path to look for metadata in.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
_METADATA = {b"udta", b"meta"}
_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


def _boxes(data: bytearray, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """``(type, box start, payload start, box end)`` of the boxes in ``data[start:end]``;
    stops at the first box that does not fit."""
    found = []
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            if at + 16 > end:
                break
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            break
        found.append((kind, at, at + header, at + size))
        at += size
    return found


def _blank(data: bytearray, box_start: int, payload: int, box_end: int) -> None:
    """Make the box at ``box_start`` a ``free`` box of the same size, its contents zeroed."""
    data[box_start + 4 : box_start + 8] = b"free"
    data[payload:box_end] = bytes(box_end - payload)


def strip_mp4_metadata(data: bytes) -> bytes:
    """``data`` (an MP4, MOV or M4A file) with its user data and metadata boxes blanked:
    ``udta`` and ``meta`` under ``moov`` and its tracks (``©xyz`` and Apple's location
    keys live there) or at the top level, and XMP ``uuid`` boxes. Sizes and offsets do
    not change, so the file plays as before. Anything not understood is left as it is."""
    out = bytearray(data)

    def walk(start: int, end: int) -> None:
        for kind, box_start, payload, box_end in _boxes(out, start, end):
            xmp = kind == b"uuid" and out[payload : payload + 16] == _XMP_UUID
            if kind in _METADATA or xmp:
                _blank(out, box_start, payload, box_end)
            elif kind in _CONTAINERS:
                walk(payload, box_end)

    walk(0, len(out))
    return bytes(out)
