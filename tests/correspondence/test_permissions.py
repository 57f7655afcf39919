"""Who may write to a ward's councillor: the role × action matrix for writing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.correspondence.models import Message
from tests.correspondence.scene import write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("writer", "sent"),
        ("stranger", "wrong_ward"),  # a resident of another ward of the same council
        ("cara_user", "no_postcode"),  # a councillor writing to herself: no postcode on file
        ("dan_user", "no_postcode"),
        ("lowdale_officer", "no_postcode"),
        ("outsider", "no_postcode"),
        ("anonymous", "denied"),
        ("deactivated", "denied"),
    ],
)
def test_who_may_write_to_a_wards_councillor(request, area, cara_user, persona, outcome):
    if persona == "anonymous":
        actor = AnonymousUser()
    elif persona == "deactivated":
        actor = request.getfixturevalue("writer")
        actor.is_active = False
        actor.save()
    else:
        actor = request.getfixturevalue(persona)

    if outcome == "sent":
        write(actor, [area.cara])
        assert Message.objects.filter(sender=actor).count() == 1
        return
    expected = PermissionDenied if outcome == "denied" else ValidationError
    with pytest.raises(expected) as error:
        write(actor, [area.cara])
    if outcome != "denied":
        exc = error.value
        errors = exc.error_dict["to"] if hasattr(exc, "error_dict") else exc.error_list
        assert errors[0].code == outcome
    assert not Message.objects.exists()


def test_an_officer_who_lives_in_the_ward_writes_as_a_resident_like_anyone(
    lowdale_officer, area, cara_user
):
    lowdale_officer.postcode = "MH1 1AA"
    lowdale_officer.save()

    write(lowdale_officer, [area.cara])

    assert Message.objects.get().sender == lowdale_officer
