"""Ideas at Mootshire for the tests: topics, wards, a resident who lives there, pictures.

Behaviour is built through the verbs in :mod:`moothall.ideas.domain`; only the setting
(topics, wards, postcodes, meetings) is made as plain rows.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PIL import Image

from moothall.councils.models import Council, Topic, Ward
from moothall.ideas import domain
from moothall.ideas.models import Idea
from moothall.meetings.models import Meeting
from tests import factories

LONDON = ZoneInfo("Europe/London")
# A Thursday evening meeting far enough ahead that its agenda is not yet due.
UPCOMING = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)


@dataclass
class Scene:
    council: Council
    parks: Topic
    roads: Topic
    moot_ward: Ward
    hill_ward: Ward
    elsewhere_topic: Topic
    elsewhere_ward: Ward
    idea: Idea
    meeting: Meeting


def live_in(council: Council, *users: object, postcode: str = "MH1 1AA") -> None:
    """Put ``postcode`` in ``council``'s area and give it to each of ``users``."""
    factories.PostcodeFactory(postcode=postcode, county_gss=council.gss_code or "")
    for user in users:
        user.postcode = postcode  # type: ignore[attr-defined]
        user.save(update_fields=["postcode"])  # type: ignore[attr-defined]


def build_scene(council: Council, other_council: Council, resident: object) -> Scene:
    live_in(council, resident)
    parks = Topic.objects.create(council=council, name="Parks and green spaces", slug="parks")
    roads = Topic.objects.create(council=council, name="Roads and transport", slug="roads")
    moot = factories.WardFactory(council=council, name="Moot Ward", slug="moot-ward")
    hill = factories.WardFactory(council=council, name="Hill Ward", slug="hill-ward")
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, start=UPCOMING)
    idea = domain.propose_idea(
        resident,
        council,
        title="Benches in Moot Park",
        body="More **benches** by the pond, please.",
        topic=parks,
        ward=moot,
    )
    return Scene(
        council=council,
        parks=parks,
        roads=roads,
        moot_ward=moot,
        hill_ward=hill,
        elsewhere_topic=Topic.objects.create(council=other_council, name="Parks", slug="parks"),
        elsewhere_ward=factories.WardFactory(council=other_council, name="Far Ward"),
        idea=idea,
        meeting=meeting,
    )


def person(email: str, council: Council | None = None, **extra: object) -> object:
    """A signed-up person (email verified); living in ``council``'s area when given."""
    user = factories.UserFactory(email=email, **extra)
    if council is not None:
        live_in(council, user)
    return user


# --- Pictures ----------------------------------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF says where and with what it was taken (GPS, camera, serial)."""
    picture = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30), *, alpha: bool = False) -> bytes:
    picture = Image.new("RGBA" if alpha else "RGB", size, (10, 120, 40, 128)[: 4 if alpha else 3])
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny file whose header claims a huge picture (a "decompression bomb")."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )
