from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def area(council, other_council):
    """MH1 1AA lies in Mootshire (a county); MH9 9ZZ in Elsewhere (a district)."""
    factories.PostcodeFactory(
        postcode="MH1 1AA", county_gss=council.gss_code, district_gss="E07999999"
    )
    factories.PostcodeFactory(postcode="MH9 9ZZ", district_gss=other_council.gss_code)


@pytest.fixture
def neighbour(area):
    """Someone who lives in Elsewhere, not in Mootshire."""
    return factories.UserFactory(
        email="nina.neighbour@example.org", name="Nina Neighbour", postcode="MH9 9ZZ"
    )


@pytest.fixture
def urls(council, resident, officer, area):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)
    role = officer.roles.get()
    return {
        "dashboard": "/mootshire/staff/",
        "residents": "/mootshire/staff/residents/",
        "resident": f"/mootshire/staff/residents/{resident.pk}/",
        "verify": f"/mootshire/staff/residents/{resident.pk}/verify/",
        "revoke_verification": f"/mootshire/staff/verifications/{verification.pk}/revoke/",
        "roles": "/mootshire/staff/roles/",
        "revoke_role": f"/mootshire/staff/roles/{role.pk}/revoke/",
        "audit": "/mootshire/staff/audit/",
    }


# --- The clerk's meeting screens (tests/staff/test_meetings_*) ---------------------------
# Imported inside the fixtures: importing the meetings verbs while conftests load, before
# the root conftest's pytest_configure, would fix the task backend to the database one.


@pytest.fixture
def scene(council, other_council):
    from tests.staff.meetings_scene import build_scene

    return build_scene(council, other_council)


@pytest.fixture
def objects(scene, resident):
    """Ids of one of each kind of object the meeting screens show, for literal URLs."""
    from tests.staff.meetings_scene import build_objects

    return build_objects(scene, resident)


@pytest.fixture
def clerk(client, officer):
    """A client signed in as Mootshire's officer (the clerk)."""
    client.force_login(officer)
    return client
