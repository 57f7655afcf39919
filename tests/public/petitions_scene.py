"""Petitions at Mootshire, built through the petitions verbs, for the public pages.

- Mootshire's petition scheme: anyone who lives or works in the area may sign (not those
  who only study there); no sponsors; every petition is checked by a moderator; open
  for 30 days; 2 signatures for an officer response (10 working days), 3 for a committee
  hearing (20) and 4 for a full-council debate (20); "Democratic Services" answers.
- Wards: Moot Ward and Lowdale Ward. Topics: Parks and Roads.
- Postcodes: MH1 1AA (Moot Ward), MH2 2BB (Lowdale Ward), MH9 9ZZ (in the area, in no
  ward of the council), EL1 1AA (another council's area).
- ``publish(...)`` starts a petition as Rita Resident, sends it and has the moderator
  publish it; ``sign(...)`` signs and confirms through the verbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core import mail

from moothall.councils.models import Council, Postcode, Topic, Ward
from moothall.petitions import domain
from moothall.petitions.models import Petition, Signature
from tests import factories


@dataclass
class Scene:
    council: Council
    moot: Ward
    lowdale: Ward
    parks: Topic
    roads: Topic
    resident: Any
    moderator: Any
    officer: Any


def build_scene(council: Council, resident: Any, moderator: Any, officer: Any) -> Scene:
    moot = factories.WardFactory(council=council, name="Moot Ward", slug="moot-ward")
    lowdale = factories.WardFactory(council=council, name="Lowdale Ward", slug="lowdale-ward")
    Postcode.objects.create(postcode="MH1 1AA", ward_gss=moot.gss_code, county_gss=council.gss_code)
    Postcode.objects.create(
        postcode="MH2 2BB", ward_gss=lowdale.gss_code, county_gss=council.gss_code
    )
    Postcode.objects.create(postcode="MH9 9ZZ", county_gss=council.gss_code)
    Postcode.objects.create(postcode="EL1 1AA", county_gss="E10999999")
    parks = Topic.objects.create(council=council, name="Parks", slug="parks")
    roads = Topic.objects.create(council=council, name="Roads", slug="roads")
    domain.update_petition_scheme(
        None,
        council,
        allow_studies=False,
        sponsors_required=0,
        pre_moderation=True,
        duration_days=30,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=4,
        response_working_days=10,
        hearing_working_days=20,
        debate_working_days=20,
    )
    return Scene(
        council=council,
        moot=moot,
        lowdale=lowdale,
        parks=parks,
        roads=roads,
        resident=resident,
        moderator=moderator,
        officer=officer,
    )


def draft(scene: Scene, title: str = "Save Moot Park", **fields: Any) -> Petition:
    fields.setdefault("action", "Keep Moot Park open to everyone, every day.")
    return domain.start_petition(scene.resident, scene.council, title=title, **fields)


def publish(scene: Scene, title: str = "Save Moot Park", **fields: Any) -> Petition:
    petition = draft(scene, title, **fields)
    domain.submit_petition(scene.resident, petition)
    return domain.moderate_petition(scene.moderator, petition, publish=True)


def sign(
    petition: Petition,
    email: str,
    postcode: str = "MH1 1AA",
    *,
    name: str = "Sam Signer",
    confirm: bool = True,
    basis: str = "lives",
) -> Signature:
    signature = domain.sign_petition(
        petition,
        name=name,
        email=email,
        postcode=postcode,
        basis=basis,
        declaration=True,
        ip_address="192.0.2.1",
    )
    if confirm:
        signature = domain.confirm_signature(signature.token)
    return signature


LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def links_in(message: mail.EmailMessage) -> list[str]:
    """The site paths of the links in an email's body."""
    return LINK.findall(message.body)
