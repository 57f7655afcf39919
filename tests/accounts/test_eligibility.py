"""Eligibility: how strongly a person is tied to a council, on a four-step scale."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from moothall.accounts.models import ResidentVerification
from moothall.accounts.residents import Eligibility, eligibilities_for, eligibility_for, meets
from tests import factories


@pytest.fixture
def county(db):
    return factories.CouncilFactory(
        name="Mootshire County Council",
        short_name="Mootshire",
        slug="mootshire",
        tier="county",
        gss_code="E10000901",
    )


@pytest.fixture
def district(db):
    return factories.CouncilFactory(
        name="Moot Vale District Council",
        short_name="Moot Vale",
        slug="moot-vale",
        tier="district",
        gss_code="E07000901",
    )


@pytest.fixture
def parish(db):
    return factories.CouncilFactory(
        name="Moothampton Town Council",
        short_name="Moothampton",
        slug="moothampton",
        tier="parish",
        gss_code="E04000901",
    )


@pytest.fixture
def elsewhere(db):
    return factories.CouncilFactory(
        name="Elsewhere District Council",
        short_name="Elsewhere",
        slug="elsewhere",
        tier="district",
        gss_code="E07000999",
    )


@pytest.fixture
def moothampton_postcode(db):
    return factories.PostcodeFactory(
        postcode="MH1 1AA",
        ward_gss="E05000901",
        district_gss="E07000901",
        county_gss="E10000901",
        parish_gss="E04000901",
    )


def verify(user, council, **extra):
    return ResidentVerification.objects.create(
        user=user,
        council=council,
        method=ResidentVerification.Method.IN_PERSON,
        reason="Saw a council tax bill at the town hall desk.",
        **extra,
    )


def test_the_levels_are_ordered_from_none_to_verified_resident():
    assert [(level.value, level.label) for level in Eligibility] == [
        (0, "Not signed in or email not verified"),
        (1, "Email address verified"),
        (2, "Postcode in the council’s area"),
        (3, "Verified resident"),
    ]


@pytest.mark.django_db
def test_a_visitor_who_is_not_signed_in_has_no_standing(county, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert eligibility_for(AnonymousUser(), county) == Eligibility.NONE


@pytest.mark.django_db
def test_a_person_whose_email_is_not_verified_has_no_standing_even_with_a_postcode_in_the_area(
    county, moothampton_postcode
):
    person = factories.UserFactory(postcode="MH1 1AA", verified_email=False)

    assert eligibility_for(person, county) == Eligibility.NONE


@pytest.mark.django_db
def test_a_person_whose_email_is_not_verified_has_no_standing_even_when_verified_as_resident(
    county,
):
    person = factories.UserFactory(verified_email=False)
    verify(person, county)

    assert eligibility_for(person, county) == Eligibility.NONE


@pytest.mark.django_db
def test_a_deactivated_account_has_no_standing(county, moothampton_postcode):
    person = factories.UserFactory(postcode="MH1 1AA", is_active=False)

    assert eligibility_for(person, county) == Eligibility.NONE


@pytest.mark.django_db
def test_a_resident_with_a_verified_email_and_no_postcode_is_email_verified(county):
    person = factories.UserFactory(postcode="")

    assert eligibility_for(person, county) == Eligibility.EMAIL_VERIFIED


@pytest.mark.django_db
def test_a_postcode_missing_from_the_directory_proves_nothing(county):
    person = factories.UserFactory(postcode="MH9 9ZZ")

    assert eligibility_for(person, county) == Eligibility.EMAIL_VERIFIED


@pytest.mark.django_db
@pytest.mark.parametrize("council_name", ["county", "district", "parish"])
def test_a_postcode_in_the_councils_area_counts_at_every_tier(
    council_name, request, moothampton_postcode
):
    council = request.getfixturevalue(council_name)
    person = factories.UserFactory(postcode="MH1 1AA")

    assert eligibility_for(person, council) == Eligibility.POSTCODE_IN_AREA


@pytest.mark.django_db
def test_a_postcode_outside_the_councils_area_does_not_count(elsewhere, moothampton_postcode):
    person = factories.UserFactory(postcode="MH1 1AA")

    assert eligibility_for(person, elsewhere) == Eligibility.EMAIL_VERIFIED


@pytest.mark.django_db
def test_a_council_without_a_gss_code_never_matches_a_postcode_without_one():
    council = factories.CouncilFactory(slug="no-code", gss_code=None)
    factories.PostcodeFactory(postcode="MH1 1AB", district_gss="", county_gss="", parish_gss="")
    person = factories.UserFactory(postcode="MH1 1AB")

    assert eligibility_for(person, council) == Eligibility.EMAIL_VERIFIED


@pytest.mark.django_db
def test_a_postcode_saved_in_an_old_untidy_form_is_still_matched(county, moothampton_postcode):
    person = factories.UserFactory(postcode="mh11aa")

    assert eligibility_for(person, county) == Eligibility.POSTCODE_IN_AREA


@pytest.mark.django_db
def test_a_verified_resident_outranks_a_declared_postcode(county, moothampton_postcode):
    person = factories.UserFactory(postcode="MH1 1AA")
    verify(person, county)

    assert eligibility_for(person, county) == Eligibility.VERIFIED_RESIDENT


@pytest.mark.django_db
def test_a_verified_resident_needs_no_postcode(county):
    person = factories.UserFactory(postcode="")
    verify(person, county)

    assert eligibility_for(person, county) == Eligibility.VERIFIED_RESIDENT


@pytest.mark.django_db
def test_a_revoked_verification_no_longer_counts(county, moothampton_postcode):
    person = factories.UserFactory(postcode="MH1 1AA")
    verify(person, county, revoked_at=timezone.now())

    assert eligibility_for(person, county) == Eligibility.POSTCODE_IN_AREA


@pytest.mark.django_db
def test_a_verification_at_one_council_says_nothing_about_another(county, elsewhere):
    person = factories.UserFactory(postcode="")
    verify(person, elsewhere)

    assert eligibility_for(person, county) == Eligibility.EMAIL_VERIFIED
    assert eligibility_for(person, elsewhere) == Eligibility.VERIFIED_RESIDENT


@pytest.mark.django_db
def test_meets_compares_against_the_level_asked_for(county, moothampton_postcode):
    person = factories.UserFactory(postcode="MH1 1AA")

    assert meets(person, county, Eligibility.NONE) is True
    assert meets(person, county, Eligibility.EMAIL_VERIFIED) is True
    assert meets(person, county, Eligibility.POSTCODE_IN_AREA) is True
    assert meets(person, county, Eligibility.VERIFIED_RESIDENT) is False
    assert meets(AnonymousUser(), county, Eligibility.EMAIL_VERIFIED) is False
    assert meets(AnonymousUser(), county, Eligibility.NONE) is True


@pytest.mark.django_db
def test_standing_at_several_councils_takes_a_fixed_number_of_queries(
    county, district, parish, elsewhere, moothampton_postcode, django_assert_num_queries
):
    person = factories.UserFactory(postcode="MH1 1AA")
    verify(person, district)

    with django_assert_num_queries(3):
        levels = eligibilities_for(person, [county, district, parish, elsewhere])

    assert levels == {
        county.pk: Eligibility.POSTCODE_IN_AREA,
        district.pk: Eligibility.VERIFIED_RESIDENT,
        parish.pk: Eligibility.POSTCODE_IN_AREA,
        elsewhere.pk: Eligibility.EMAIL_VERIFIED,
    }
