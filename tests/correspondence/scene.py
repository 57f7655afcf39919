"""The scene for writing to councillors, on the small area of tests/public/area.py.

- ``writer`` (Rita Resident) lives at MH1 1AA: Lowdale Central ward (Lowdale District),
  Mootford North division (Mootshire County) and Brookby parish. Email verified.
- ``cara_user`` holds the councillor role linked to Cara Cole (Lowdale Central): Cara's
  post goes to her account's address, cara.private@home.example, never shown to Rita.
- Brian Brook (Lowdale Central) has neither an account nor a work email: he cannot be
  written to. Ada Lovelace (Mootford North) has a work email and no account.
- ``dan_user`` is a councillor of another Lowdale ward; ``lowdale_officer`` an officer of
  Lowdale with MFA; ``outsider`` an officer of another council; ``stranger`` a resident of
  another ward.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from moothall.correspondence import domain
from moothall.correspondence.models import Message
from moothall.councils.models import Councillor, Postcode, Ward
from tests import factories
from tests.public.area import Area, build_area

CARA_PRIVATE = "cara.private@home.example"
CARA_WORK = "cara.cole@lowdale.example"


@dataclass
class Scene:
    area: Area
    other_ward: Ward
    dan: Councillor
    other_postcode: Postcode


@pytest.fixture
def scene(db) -> Scene:
    area = build_area()
    other_ward = factories.WardFactory(
        council=area.district, name="Lowdale East", slug="lowdale-east", gss_code="E05000302"
    )
    dan = factories.CouncillorFactory(
        council=area.district, ward=other_ward, person__name="Dan Dyer", work_email=""
    )
    other_postcode = factories.PostcodeFactory(
        postcode="MH2 2BB",
        ward_gss="E05000302",
        division_gss="E58000301",
        district_gss="E07000301",
        county_gss="E10000031",
    )
    return Scene(area=area, other_ward=other_ward, dan=dan, other_postcode=other_postcode)


@pytest.fixture
def area(scene: Scene) -> Area:
    return scene.area


@pytest.fixture
def writer(scene):
    return factories.UserFactory(
        email="rita.resident@example.org", name="Rita Resident", postcode="MH1 1AA"
    )


@pytest.fixture
def cara_user(scene):
    user = factories.UserFactory(email=CARA_PRIVATE, name="Cara Cole")
    factories.RoleFactory(
        user=user, council=scene.area.district, kind="councillor", councillor=scene.area.cara
    )
    return user


@pytest.fixture
def dan_user(scene):
    user = factories.UserFactory(email="dan.private@home.example", name="Dan Dyer")
    factories.RoleFactory(
        user=user, council=scene.area.district, kind="councillor", councillor=scene.dan
    )
    return user


@pytest.fixture
def lowdale_officer(scene):
    user = factories.UserFactory(email="olive.officer@lowdale.example", name="Olive Officer")
    factories.RoleFactory(user=user, council=scene.area.district, kind="officer")
    factories.give_mfa(user)
    return user


@pytest.fixture
def outsider(scene):
    elsewhere = factories.CouncilFactory(
        name="Elsewhere District Council", short_name="Elsewhere", slug="elsewhere"
    )
    user = factories.UserFactory(email="otto.outsider@example.org", name="Otto Outsider")
    factories.RoleFactory(user=user, council=elsewhere, kind="officer")
    factories.give_mfa(user)
    return user


@pytest.fixture
def stranger(scene):
    return factories.UserFactory(
        email="sam.stranger@example.org", name="Sam Stranger", postcode="MH2 2BB"
    )


def write(sender, councillors, *, subject="Pothole on Mill Lane", body=None, **kwargs) -> Message:
    """The first message of a letter, written through the verb."""
    text = body if body is not None else "There is a deep pothole outside number 12."
    return domain.write_to_councillors(
        sender, councillors[0].council, councillors, subject=subject, body=text, **kwargs
    )[0]
