"""A petition's signers as profiles: confirmed signatures only, ward only, residents only."""

from __future__ import annotations

import pytest

from moothall.petitions.models import Signature
from moothall.petitions.representation import profiles
from moothall.population.bands import Profile
from tests.public.petitions_scene import build_scene, publish, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident, moderator, officer):
    return build_scene(council, resident, moderator, officer)


def test_confirmed_signatures_give_their_ward_from_the_postcode(scene):
    petition = publish(scene)
    sign(petition, "a@example.org", "MH1 1AA")
    sign(petition, "b@example.org", "MH2 2BB")
    sign(petition, "c@example.org", "MH9 9ZZ")  # in the area, in no ward

    assert sorted(profiles(petition), key=lambda p: (p.ward_id is None, p.ward_id)) == [
        Profile(scene.moot.pk, None, None),
        Profile(scene.lowdale.pk, None, None),
        Profile(None, None, None),
    ]


def test_unconfirmed_withdrawn_and_invalidated_signatures_are_left_out(scene):
    petition = publish(scene)
    kept = sign(petition, "a@example.org")
    sign(petition, "pending@example.org", confirm=False)
    for status, email in (
        (Signature.Status.WITHDRAWN, "w@example.org"),
        (Signature.Status.INVALIDATED, "i@example.org"),
    ):
        signature = sign(petition, email)
        Signature.objects.filter(pk=signature.pk).update(status=status)

    assert profiles(petition) == [Profile(kept.ward_id, None, None)]


def test_people_who_work_in_a_ward_are_not_counted_as_its_residents(scene):
    petition = publish(scene)
    sign(petition, "w@example.org", "MH1 1AA", basis="works")

    assert profiles(petition) == [Profile(None, None, None)]
    assert Signature.objects.get().ward == scene.moot  # the signature keeps its ward
