"""Scene for the contributions tests: a live meeting at Mootshire, and media made from
bytes in the test (no fixture files)."""

from __future__ import annotations

import io
import struct
import wave

from PIL import Image

from moothall.live.models import LiveMeeting, LiveSettings
from tests import factories

MB = 1024 * 1024


def live_meeting(council, *, status="live", exempt=False, **settings):
    """A meeting of ``council`` gone live (rows made directly: the models are final),
    on a public item — or an exempt one. ``settings`` go on the council's LiveSettings."""
    meeting = factories.MeetingFactory(body__council=council, status="scheduled")
    public_item = factories.AgendaItemFactory(meeting=meeting, title="Parking in the high street")
    current = public_item
    if exempt:
        current = factories.AgendaItemFactory(
            meeting=meeting, title="Sale of the old depot", is_exempt=True, kind="exempt"
        )
    LiveMeeting.objects.create(meeting=meeting, status=status, current_item=current)
    if settings:
        LiveSettings.objects.update_or_create(council=council, defaults=settings)
    meeting.public_item = public_item
    return meeting


def go_private(meeting):
    item = factories.AgendaItemFactory(
        meeting=meeting, title="Sale of the old depot", is_exempt=True, kind="exempt"
    )
    LiveMeeting.objects.filter(meeting=meeting).update(current_item=item)
    return item


def picture(fmt="JPEG", size=(64, 48), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, (200, 30, 40))
    if exif is not None:
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {  # the GPS IFD: 51°30'N 0°7'W
        1: "N",
        2: (51.0, 30.0, 0.0),
        3: "W",
        4: (0.0, 7.0, 0.0),
    }
    return exif


def mp3_frame() -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes a frame.
    return b"\xff\xfb\x90\x64" + bytes(413)


def mp3(tagged=True) -> bytes:
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + bytes(10) if tagged else b""
    return tag + mp3_frame() * 3


def wav(frames=800) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(frames * 2))
    return out.getvalue()


def ogg(codec=b"\x01vorbis") -> bytes:
    packet = codec + bytes(30 - len(codec))
    header = b"OggS" + bytes([0, 2]) + bytes(8) + struct.pack("<III", 1, 0, 0)
    return header + bytes([1, len(packet)]) + packet


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(brand=b"isom", *, location=True) -> bytes:
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"isomiso2mp41")
    udta = box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7+51.5074-000.1278/")) if location else b""
    keys = box(
        b"keys",
        b"\x00\x00\x00\x00\x00\x00\x00\x01" + box(b"mdta", b"com.apple.quicktime.location.ISO6709"),
    )
    ilst = box(b"ilst", box(b"\x00\x00\x00\x01", box(b"data", bytes(8) + b"+51.5074-000.1278/")))
    meta = box(b"meta", bytes(4) + box(b"hdlr", bytes(24)) + keys + ilst) if location else b""
    mvhd = box(b"mvhd", bytes(100))
    trak = box(b"trak", box(b"tkhd", bytes(84)))
    moov = box(b"moov", mvhd + trak + udta + meta)
    return ftyp + moov + box(b"mdat", b"\x00" * 64)


def webm(doc_type=b"webm") -> bytes:
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + bytes(32)


def flac() -> bytes:
    return b"fLaC" + b"\x80\x00\x00\x22" + bytes(34)


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
TEXT = b"Hello, this is just some text pretending to be a photo.\n"
