from io import StringIO

import pytest
from django.core.management import call_command

from moothall.councils.lookup import representation_for
from moothall.councils.models import Council, Councillor, KeyPost, Person, Postcode, Ward

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def fictional_counts() -> dict[str, int]:
    fictional = Council.objects.filter(gss_code__regex=r"^E\d\d9")
    return {
        "councils": fictional.count(),
        "wards": Ward.objects.filter(council__in=fictional).count(),
        "councillors": Councillor.objects.filter(council__in=fictional).count(),
        "current": Councillor.objects.filter(council__in=fictional).current().count(),
        "people": Person.objects.filter(seats__council__in=fictional).distinct().count(),
        "key_posts": KeyPost.objects.filter(councillor__council__in=fictional).count(),
        "postcodes": Postcode.objects.filter(postcode__startswith="MH").count(),
    }


def test_the_demo_builds_the_fictional_two_tier_area():
    output = run_demo()

    assert "mootshire: 6 councils, 49 wards, 101 councillors, 5040 postcodes" in output
    assert fictional_counts() == {
        "councils": 6,
        "wards": 49,
        "councillors": 101,
        "current": 100,
        "people": 101,
        "key_posts": 22,
        "postcodes": 5040,
    }
    county = Council.objects.get(slug="mootshire")
    assert county.tier == "county"
    assert sorted(county.children.values_list("slug", flat=True)) == ["brackenford", "elmsbury"]
    assert Council.objects.get(slug="little-hallow").parent.slug == "brackenford"


def test_running_the_demo_twice_changes_nothing():
    run_demo()
    before = fictional_counts()
    first_names = sorted(Person.objects.values_list("name", flat=True))

    run_demo()

    assert fictional_counts() == before
    assert sorted(Person.objects.values_list("name", flat=True)) == first_names


def test_a_demo_postcode_finds_county_district_and_parish_in_that_order():
    run_demo()

    answer = representation_for("mh1 0aa")

    assert answer.postcode == "MH1 0AA"
    assert [
        (r.council.slug, r.ward.name if r.ward else None, len(r.councillors))
        for r in answer.representations
    ] == [
        ("mootshire", "Brackenford Central", 1),
        ("brackenford", "Abbey", 2),
        ("brackenford-town", "Brackenford Town", 9),
    ]


def test_the_demo_has_a_former_councillor_after_a_by_election():
    run_demo()

    former = Councillor.objects.get(source="demo", source_id="brackenford-7")
    successor = Councillor.objects.get(source="demo", source_id="brackenford-1001")

    assert not Councillor.objects.current().filter(pk=former.pk).exists()
    assert successor.ward == former.ward
    assert str(successor.terms.get().start_date) == "2024-10-24"


def test_the_demo_shows_real_councils_beside_the_fictional_area():
    output = run_demo()

    assert (
        "real_councils: register: 6 created, 0 updated, 0 unchanged; Lambeth: 21 wards, 63 councillors"
        in output
    )
    assert sorted(
        Council.objects.exclude(gss_code__regex=r"^E\d\d9").values_list("short_name", flat=True)
    ) == [
        "Cardiff",
        "Denbighshire",
        "Kent",
        "Lambeth",
        "Maidstone",
        "Southwark",
    ]
    assert Council.objects.get(short_name="Maidstone").parent.short_name == "Kent"
    assert Councillor.objects.filter(council__short_name="Lambeth").count() == 63

    again = run_demo()

    assert (
        "real_councils: register: 0 created, 0 updated, 6 unchanged; Lambeth: 21 wards, 63 councillors"
        in again
    )
