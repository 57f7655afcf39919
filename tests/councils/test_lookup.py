"""``representation_for``: who represents a postcode, in the edge cases of real geography."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from moothall.councils.lookup import UnknownPostcode, representation_for
from moothall.councils.postcodes import InvalidPostcode
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(council):
    council.gss_code = "E10000099"
    council.save()
    return council


def test_a_postcode_whose_district_is_not_on_this_site_still_shows_its_county(county):
    division = factories.WardFactory(council=county, name="Mootford North", gss_code="E58000001")
    factories.PostcodeFactory(
        postcode="MH1 1AA",
        ward_gss="E05000001",
        division_gss="E58000001",
        district_gss="E07000999",  # no council on this site has this code
        county_gss="E10000099",
        parish_gss="",
    )

    answer = representation_for("mh11aa")

    assert answer.postcode == "MH1 1AA"
    assert [(r.council, r.ward) for r in answer.representations] == [(county, division)]


def test_an_unwarded_parish_is_its_own_ward_under_the_parish_code(county):
    parish = factories.CouncilFactory(short_name="Brookby", tier="parish", gss_code="E04000999")
    whole_parish = factories.WardFactory(council=parish, name="Brookby", gss_code="E04000999")
    member = factories.CouncillorFactory(council=parish, ward=whole_parish)
    factories.PostcodeFactory(
        postcode="MH1 1AB",
        ward_gss="E05000001",
        division_gss="",
        district_gss="",
        county_gss="E10000099",
        parish_gss="E04000999",
    )

    answer = representation_for("MH1 1AB")

    assert [(r.council, r.ward, r.councillors) for r in answer.representations] == [
        (county, None, []),
        (parish, whole_parish, [member]),
    ]


def test_a_term_counts_through_its_last_day_and_from_its_first(county):
    today = timezone.localdate()
    division = factories.WardFactory(council=county, gss_code="E58000001")
    last_day = factories.CouncillorFactory(council=county, ward=division, term=None)
    factories.TermOfOfficeFactory(
        councillor=last_day, start_date=dt.date(2021, 5, 6), end_date=today
    )
    first_day = factories.CouncillorFactory(council=county, ward=division, term=None)
    factories.TermOfOfficeFactory(councillor=first_day, start_date=today)
    ended = factories.CouncillorFactory(council=county, ward=division, term=None)
    factories.TermOfOfficeFactory(
        councillor=ended, start_date=dt.date(2021, 5, 6), end_date=today - dt.timedelta(days=1)
    )
    elected = factories.CouncillorFactory(council=county, ward=division, term=None)
    factories.TermOfOfficeFactory(councillor=elected, start_date=today + dt.timedelta(days=1))
    factories.PostcodeFactory(postcode="MH1 1AD", division_gss="E58000001", county_gss="E10000099")

    (representation,) = representation_for("MH1 1AD").representations

    assert set(representation.councillors) == {last_day, first_day}


def test_a_lookup_runs_the_same_few_queries_however_many_councils_answer(
    county, django_assert_num_queries
):
    district = factories.CouncilFactory(tier="district", gss_code="E07000999")
    for council, code in ((county, "E58000001"), (district, "E05000001")):
        ward = factories.WardFactory(council=council, gss_code=code)
        for _ in range(3):
            member = factories.CouncillorFactory(council=council, ward=ward)
            factories.KeyPostFactory(councillor=member)
    factories.PostcodeFactory(
        postcode="MH1 1AE",
        ward_gss="E05000001",
        division_gss="E58000001",
        district_gss="E07000999",
        county_gss="E10000099",
    )

    with django_assert_num_queries(5):
        answer = representation_for("MH1 1AE")
        names = [
            p.title
            for r in answer.representations
            for c in r.councillors
            for p in c.key_posts.all()
        ]

    assert len(names) == 6


def test_text_that_is_not_a_postcode_and_a_postcode_we_lack_are_told_apart(db):
    with pytest.raises(InvalidPostcode):
        representation_for("not a postcode")
    with pytest.raises(UnknownPostcode) as error:
        representation_for("tr99 9zz")
    assert error.value.args == ("TR99 9ZZ",)
