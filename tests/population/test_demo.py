"""The demo's generated population: every ward of the fictional councils, consistent
between tiers, plausible, labelled as generated, and built only once."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from moothall.core.models import AuditEntry
from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council, Ward
from moothall.demo.registry import DemoContext, steps
from moothall.population import demo_data
from moothall.population.models import WardPopulation

pytestmark = pytest.mark.django_db


@pytest.fixture
def area() -> None:
    mootshire(DemoContext())


def residents(slug: str, **filters: str) -> int:
    return WardPopulation.objects.filter(council__slug=slug, **filters).aggregate(n=Sum("count"))[
        "n"
    ]


def test_every_ward_of_the_fictional_councils_gets_every_cell(area):
    summary = demo_data.demo_population(DemoContext())

    assert summary.startswith("generated figures for 6 councils")
    for ward in Ward.objects.filter(council__gss_code__regex=demo_data.FICTIONAL):
        assert WardPopulation.objects.filter(ward=ward).count() == 16, ward
    assert set(WardPopulation.objects.values_list("source", flat=True)) == {demo_data.SOURCE}
    assert "not census" in demo_data.SOURCE


def test_the_county_counts_the_same_people_as_its_districts(area):
    demo_data.demo_population(DemoContext())

    districts = residents("brackenford") + residents("elmsbury")
    assert residents("mootshire") == districts
    for band in ("under_16", "75_plus"):
        for sex in ("female", "male"):
            assert residents("mootshire", age_band=band, sex=sex) == residents(
                "brackenford", age_band=band, sex=sex
            ) + residents("elmsbury", age_band=band, sex=sex)
    assert 0 < residents("little-hallow") < residents("brackenford")


def test_the_figures_look_like_england(area):
    demo_data.demo_population(DemoContext())

    for slug in ("brackenford", "elmsbury"):
        total = residents(slug)
        wards = Ward.objects.filter(council__slug=slug).count()
        assert 4_500 * wards <= total <= 11_000 * wards
        assert 0.15 < residents(slug, age_band="under_16") / total < 0.22
        assert 0.06 < residents(slug, age_band="75_plus") / total < 0.11
        assert 0.49 < residents(slug, sex="female") / total < 0.53
        old = residents(slug, age_band="75_plus")
        assert residents(slug, age_band="75_plus", sex="female") / old > 0.53


def test_the_figures_are_the_same_every_time_and_built_once(area):
    demo_data.demo_population(DemoContext())
    first = sorted(WardPopulation.objects.values_list("ward__gss_code", "age_band", "sex", "count"))
    entries = AuditEntry.objects.filter(action="population.imported").count()

    summary = demo_data.demo_population(DemoContext())

    assert "6 already built" in summary
    assert (
        sorted(WardPopulation.objects.values_list("ward__gss_code", "age_band", "sex", "count"))
        == first
    )
    assert AuditEntry.objects.filter(action="population.imported").count() == entries
    assert demo_data.generated_figures() == demo_data.generated_figures()


def test_figures_someone_loaded_are_never_replaced(area):
    brackenford = Council.objects.get(slug="brackenford")
    ward = Ward.objects.filter(council=brackenford).first()
    WardPopulation.objects.create(
        council=brackenford, ward=ward, age_band="16_24", sex="male", count=5, source="Census"
    )

    summary = demo_data.demo_population(DemoContext())

    assert "1 with other figures left alone" in summary
    assert list(
        WardPopulation.objects.filter(council=brackenford).values_list("count", flat=True)
    ) == [5]


def test_the_step_runs_after_the_councils_are_made():
    found = {step.name: step.order for step in steps()}
    assert (
        found["moothall.population.demo_data.demo_population"]
        > found["moothall.councils.demo_data.mootshire"]
    )
