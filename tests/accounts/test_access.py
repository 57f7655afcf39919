"""Access helpers: what staff may fetch at a council, and the 404/403 they get otherwise."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from moothall.accounts import access
from moothall.accounts.rules import Action
from tests import factories


@pytest.fixture
def area(council, other_council):
    """MH1 1AA lies in Mootshire (county) and MH9 9ZZ in Elsewhere (district)."""
    factories.PostcodeFactory(postcode="MH1 1AA", county_gss=council.gss_code)
    factories.PostcodeFactory(postcode="MH9 9ZZ", district_gss=other_council.gss_code)


@pytest.fixture
def neighbour(area):
    return factories.UserFactory(
        email="nina.neighbour@example.org", name="Nina Neighbour", postcode="MH9 9ZZ"
    )


def test_get_council_for_returns_the_council_to_someone_allowed(council, officer):
    assert access.get_council_for(officer, "mootshire", Action.VIEW_RESIDENTS) == council


def test_get_council_for_an_unknown_slug_is_not_found(council, officer):
    with pytest.raises(Http404):
        access.get_council_for(officer, "nowhere", Action.VIEW_STAFF_AREA)


def test_get_council_for_someone_not_allowed_is_denied(council, moderator):
    with pytest.raises(PermissionDenied):
        access.get_council_for(moderator, "mootshire", Action.VIEW_RESIDENTS)


def test_get_council_for_an_officer_of_another_council_is_denied(council, outsider):
    with pytest.raises(PermissionDenied):
        access.get_council_for(outsider, "mootshire", Action.VIEW_STAFF_AREA)


def test_get_council_for_an_anonymous_visitor_is_denied(council):
    with pytest.raises(PermissionDenied):
        access.get_council_for(AnonymousUser(), "mootshire", Action.VIEW_STAFF_AREA)


def test_residents_of_a_council_are_those_whose_postcode_lies_in_its_area(
    council, other_council, resident, neighbour, officer
):
    assert list(access.residents_of(council)) == [resident]
    assert list(access.residents_of(other_council)) == [neighbour]


def test_a_parish_counts_people_by_its_parish_code(db):
    parish = factories.CouncilFactory(name="Little Moot Parish Council", tier="parish")
    factories.PostcodeFactory(postcode="MH2 2BB", parish_gss=parish.gss_code)
    villager = factories.UserFactory(email="vic@example.org", postcode="MH2 2BB")

    assert list(access.residents_of(parish)) == [villager]


def test_a_council_without_a_gss_code_has_no_residents_even_where_codes_are_blank(db):
    council = factories.CouncilFactory(name="Unknown Council", gss_code=None)
    factories.PostcodeFactory(postcode="MH3 3CC")  # every code blank
    factories.UserFactory(email="blank@example.org", postcode="MH3 3CC")

    assert list(access.residents_of(council)) == []
    assert list(access.search_residents(council, "")) == []


def test_searching_finds_residents_by_part_of_their_name_or_email(council, resident, neighbour):
    assert list(access.search_residents(council, "rita")) == [resident]
    assert list(access.search_residents(council, "RESIDENT@example")) == [resident]
    assert list(access.search_residents(council, "nina")) == []


def test_searching_an_exact_email_finds_someone_outside_the_area(council, resident, neighbour):
    found = list(access.search_residents(council, "  Nina.Neighbour@example.org "))

    assert found == [neighbour]
    assert found[0].lives_here is False
    assert found[0].verified_here is False


def test_search_results_say_who_lives_here_and_who_is_verified(council, resident, officer, area):
    factories.ResidentVerificationFactory(user=resident, council=council, verified_by=officer)

    [row] = access.search_residents(council, "")

    assert (row, row.lives_here, row.verified_here) == (resident, True, True)


def test_a_revoked_verification_does_not_count_as_verified(council, resident, area):
    factories.ResidentVerificationFactory(
        user=resident, council=council, revoked_at="2025-01-01T00:00:00Z"
    )

    [row] = access.search_residents(council, "")

    assert row.verified_here is False


def test_get_resident_for_returns_someone_in_the_area(council, officer, resident, area):
    assert access.get_resident_for(officer, council, resident.pk) == resident


def test_get_resident_for_someone_outside_the_area_is_not_found(council, officer, neighbour):
    with pytest.raises(Http404):
        access.get_resident_for(officer, council, neighbour.pk)


def test_get_resident_for_someone_outside_the_area_is_found_by_their_exact_email(
    council, officer, neighbour
):
    found = access.get_resident_for(
        officer, council, neighbour.pk, known_email="NINA.NEIGHBOUR@example.org"
    )

    assert found == neighbour


@pytest.mark.parametrize("known_email", ["nina", "nina.neighbour@", "x\x00@example.org", ""])
def test_get_resident_for_ignores_a_partial_or_malformed_email(
    council, officer, neighbour, known_email
):
    with pytest.raises(Http404):
        access.get_resident_for(officer, council, neighbour.pk, known_email=known_email)


def test_get_resident_for_someone_verified_here_who_moved_away(council, officer, neighbour):
    factories.ResidentVerificationFactory(user=neighbour, council=council)

    assert access.get_resident_for(officer, council, neighbour.pk) == neighbour


def test_get_resident_for_an_unknown_id_is_not_found(council, officer, area):
    with pytest.raises(Http404):
        access.get_resident_for(officer, council, 10**12)


def test_get_resident_for_a_moderator_is_denied(council, moderator, resident, area):
    with pytest.raises(PermissionDenied):
        access.get_resident_for(moderator, council, resident.pk)


def test_get_resident_for_an_officer_of_another_council_is_denied(
    council, outsider, resident, area
):
    with pytest.raises(PermissionDenied):
        access.get_resident_for(outsider, council, resident.pk)


def test_get_verification_for_one_made_at_another_council_is_not_found(
    council, other_council, officer, resident
):
    elsewhere = factories.ResidentVerificationFactory(user=resident, council=other_council)

    with pytest.raises(Http404):
        access.get_verification_for(officer, council, elsewhere.pk)


def test_get_verification_for_one_made_here(council, officer, resident):
    here = factories.ResidentVerificationFactory(user=resident, council=council)

    assert access.get_verification_for(officer, council, here.pk) == here


def test_get_role_for_a_role_at_another_council_is_not_found(council, council_admin, outsider):
    elsewhere = outsider.roles.get()

    with pytest.raises(Http404):
        access.get_role_for(council_admin, council, elsewhere.pk)


def test_get_role_for_an_officer_is_denied(council, officer, moderator):
    with pytest.raises(PermissionDenied):
        access.get_role_for(officer, council, moderator.roles.get().pk)


def test_council_roles_lists_only_this_councils_roles(
    council, officer, council_admin, outsider, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = [(role.user.email, role.kind) for role in access.council_roles(council)]

    assert rows == [
        ("ada.admin@example.org", "council_admin"),
        ("olive.officer@example.org", "officer"),
    ]


def test_the_audit_log_is_only_for_council_admins(council, officer, council_admin):
    with pytest.raises(PermissionDenied):
        access.get_audit_entries_for(officer, council)
    assert list(access.get_audit_entries_for(council_admin, council)) == []
