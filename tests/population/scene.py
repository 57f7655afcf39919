"""A small population for the tests: Mootshire with two wards and known figures.

- Abbey (E05000001): 1,000 residents in each of 16–24 and 65–74, female and male alike
  (4,000 in all).
- Brook (E05000002): 3,000 in each of the same four cells (12,000 in all).
So the council has 16,000 residents: a quarter in Abbey; half 16–24; half female.
"""

from __future__ import annotations

from dataclasses import dataclass

from moothall.councils.models import Council, Ward
from moothall.population.models import WardPopulation
from tests import factories


@dataclass
class Area:
    council: Council
    abbey: Ward
    brook: Ward


def build_area(council: Council, *, figures: bool = True) -> Area:
    abbey = factories.WardFactory(council=council, name="Abbey", slug="abbey", gss_code="E05000001")
    brook = factories.WardFactory(council=council, name="Brook", slug="brook", gss_code="E05000002")
    if figures:
        for ward, count in ((abbey, 1000), (brook, 3000)):
            for band in ("16_24", "65_74"):
                for sex in ("female", "male"):
                    WardPopulation.objects.create(
                        council=council, ward=ward, age_band=band, sex=sex, count=count
                    )
    return Area(council, abbey, brook)


GOOD_CSV = """ward_code,ward_name,age_band,sex,count
E05000001,Abbey,16_24,female,1000
E05000001,Abbey,16_24,male,990
E05000001,Abbey,75_plus,female,300
E05000001,Abbey,75_plus,male,200
E05000002,Brook,16_24,female,2000
E05000002,Brook,16_24,male,2100
E05000002,Brook,75_plus,female,700
E05000002,Brook,75_plus,male,500
"""
