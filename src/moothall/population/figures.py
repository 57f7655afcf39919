"""A council's loaded population figures, laid out for pages and downloads (read only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from moothall.councils.models import Council, Ward
from moothall.population.bands import AgeBand, Sex
from moothall.population.models import WardPopulation

BANDS = list(AgeBand)


@dataclass(slots=True)
class WardFigures:
    ward: Ward
    by_band: list[int]  # residents per age band, in AgeBand order (both sexes)
    female: int = 0
    male: int = 0

    @property
    def total(self) -> int:
        return self.female + self.male


@dataclass(slots=True)
class Figures:
    wards: list[WardFigures]
    without: list[Ward]  # the council's wards with no figures
    by_band: list[tuple[str, int, int]]  # (label, female, male), council-wide
    sources: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    loaded_at: dt.datetime | None = None

    @property
    def loaded(self) -> bool:
        return bool(self.wards)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.wards)

    @property
    def female(self) -> int:
        return sum(row.female for row in self.wards)

    @property
    def male(self) -> int:
        return sum(row.male for row in self.wards)

    @property
    def band_totals(self) -> list[int]:
        return [female + male for _label, female, male in self.by_band]


def figures(council: Council) -> Figures:
    """The council's figures by ward, age band and sex, in two queries."""
    wards = list(Ward.objects.filter(council=council).order_by("name", "pk"))
    rows: dict[int, WardFigures] = {}
    band_index = {band.value: i for i, band in enumerate(BANDS)}
    by_band: dict[tuple[str, str], int] = {}
    sources: set[str] = set()
    years: set[int] = set()
    loaded_at: dt.datetime | None = None
    cells: Any = WardPopulation.objects.filter(council=council).values_list(
        "ward_id", "age_band", "sex", "count", "source", "year", "loaded_at"
    )
    ward_by_id = {ward.pk: ward for ward in wards}
    for ward_id, band, sex, count, source, year, when in cells:
        row = rows.get(ward_id)
        if row is None:
            row = rows[ward_id] = WardFigures(ward_by_id[ward_id], [0] * len(BANDS))
        row.by_band[band_index[band]] += count
        if sex == Sex.FEMALE:
            row.female += count
        else:
            row.male += count
        by_band[(band, sex)] = by_band.get((band, sex), 0) + count
        if source:
            sources.add(source)
        if year:
            years.add(year)
        loaded_at = when if loaded_at is None or when > loaded_at else loaded_at
    return Figures(
        wards=[rows[ward.pk] for ward in wards if ward.pk in rows],
        without=[ward for ward in wards if ward.pk not in rows],
        by_band=[
            (
                str(band.label),
                by_band.get((band.value, "female"), 0),
                by_band.get((band.value, "male"), 0),
            )
            for band in BANDS
        ],
        sources=sorted(sources),
        years=sorted(years),
        loaded_at=loaded_at,
    )


def rows_for_csv(council: Council) -> list[list[Any]]:
    """The figures as rows of the import format (ward_code, ward_name, age_band, sex, count)."""
    return [
        [code, name, band, sex, count]
        for code, name, band, sex, count in WardPopulation.objects.filter(council=council)
        .order_by("ward__name", "ward_id", "age_band", "sex")
        .values_list("ward__gss_code", "ward__name", "age_band", "sex", "count")
    ]
