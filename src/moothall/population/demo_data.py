"""Generated ward population figures for the demo's fictional councils (NOT census figures).

Every ward of Mootshire's district councils (Brackenford, Elmsbury) gets a total of a few
thousand residents, split into age bands and sexes roughly as England's population is
(Census 2021 proportions, each ward tilted younger or older and with some noise). The
county's divisions and the parishes are built from the same people: each district ward's
residents are shared out over the postcodes it holds, and a division or parish counts the
residents of its postcodes, so the county's total is the districts' total.

Deterministic (seeded) and loaded through :func:`moothall.population.domain.import_population`
with the source "Generated for the Moothall demo (not census figures)". A council whose
figures were loaded by someone else (another source) is left alone; the real councils of the
demo get none (invented figures for a real place could be taken for real ones).
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict

from moothall.councils.models import Council, Postcode, Ward
from moothall.demo.registry import DemoContext, demo_step
from moothall.population.bands import AgeBand, Sex
from moothall.population.domain import import_population
from moothall.population.models import WardPopulation

SEED = 2021  # the census year the proportions come from
SOURCE = "Generated for the Moothall demo (not census figures)"
FICTIONAL = r"^E\d\d9"  # the demo's invented GSS codes (see councils.demo_data._gss)

# England, Census 2021 (rounded): share of residents in each band, and the female share
# of each band (women outlive men, so the oldest band is mostly female).
ENGLAND_AGE_SHARES = {
    AgeBand.UNDER_16: 0.186,
    AgeBand.AGE_16_24: 0.104,
    AgeBand.AGE_25_34: 0.134,
    AgeBand.AGE_35_44: 0.128,
    AgeBand.AGE_45_54: 0.134,
    AgeBand.AGE_55_64: 0.126,
    AgeBand.AGE_65_74: 0.100,
    AgeBand.AGE_75_PLUS: 0.086,
}
FEMALE_SHARES = {
    AgeBand.UNDER_16: 0.488,
    AgeBand.AGE_16_24: 0.490,
    AgeBand.AGE_25_34: 0.505,
    AgeBand.AGE_35_44: 0.508,
    AgeBand.AGE_45_54: 0.508,
    AgeBand.AGE_55_64: 0.507,
    AgeBand.AGE_65_74: 0.522,
    AgeBand.AGE_75_PLUS: 0.573,
}
YOUNG = {AgeBand.AGE_16_24, AgeBand.AGE_25_34, AgeBand.AGE_35_44}
OLD = {AgeBand.AGE_55_64, AgeBand.AGE_65_74, AgeBand.AGE_75_PLUS}
WARD_RESIDENTS = (4_500, 11_000)

Cells = dict[tuple[str, str], int]  # (age band, sex) -> residents


def ward_cells(rng: random.Random) -> Cells:
    """One invented ward: a total, an age profile tilted younger or older, and noise."""
    total = rng.randint(*WARD_RESIDENTS)
    tilt = rng.uniform(-0.3, 0.3)  # > 0: a younger ward (a town centre), < 0: older
    weights = {}
    for band, share in ENGLAND_AGE_SHARES.items():
        factor = 1 + tilt if band in YOUNG else 1 - tilt if band in OLD else 1.0
        weights[band] = share * factor * rng.lognormvariate(0, 0.08)
    scale = total / sum(weights.values())
    cells: Cells = {}
    for band, weight in weights.items():
        residents = round(weight * scale)
        female = round(residents * min(max(rng.gauss(FEMALE_SHARES[band], 0.01), 0.4), 0.65))
        cells[(band.value, Sex.FEMALE.value)] = female
        cells[(band.value, Sex.MALE.value)] = residents - female
    return cells


def share_out(count: int, parts: list[int]) -> list[int]:
    """``count`` split in proportion to ``parts`` in whole numbers (largest remainder)."""
    whole = sum(parts)
    if whole == 0:
        return [0] * len(parts)
    exact = [count * part / whole for part in parts]
    result = [int(value) for value in exact]
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - result[i]), i))
    for i in order[: count - sum(result)]:
        result[i] += 1
    return result


def generated_figures() -> dict[int, dict[int, Cells]]:
    """Invented figures for every ward of the fictional councils: council id -> ward id -> cells."""
    rng = random.Random(SEED)  # noqa: S311 - invented statistics, not secrets
    fictional = Council.objects.filter(gss_code__regex=FICTIONAL)
    wards = list(Ward.objects.filter(council__in=fictional).select_related("council"))
    by_code = {ward.gss_code: ward for ward in wards if ward.gss_code}
    districts = sorted(
        {ward.council for ward in wards if ward.council.tier == Council.Tier.DISTRICT},
        key=lambda council: council.slug,
    )
    figures: dict[int, dict[int, Cells]] = defaultdict(dict)
    # Postcodes per (district ward, division, parish), to share each ward's people out.
    postcodes: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for ward_gss, division, parish in Postcode.objects.filter(
        ward_gss__in=list(by_code)
    ).values_list("ward_gss", "division_gss", "parish_gss"):
        postcodes[ward_gss][(division, parish)] += 1
    derived: dict[int, Cells] = defaultdict(lambda: defaultdict(int))
    for district in districts:
        for ward in sorted(
            (w for w in wards if w.council_id == district.pk), key=lambda w: w.gss_code
        ):
            cells = ward_cells(rng)
            figures[district.pk][ward.pk] = cells
            places = sorted(postcodes.get(ward.gss_code, {}).items())
            if not places:
                continue
            for key, count in cells.items():
                shares = share_out(count, [n for _place, n in places])
                for ((division, parish), _n), share in zip(places, shares, strict=True):
                    for code in (division, parish):
                        if code in by_code:
                            derived[by_code[code].pk][key] += share
    for ward in sorted(wards, key=lambda w: w.gss_code):
        if ward.council.tier == Council.Tier.DISTRICT:
            continue
        cells = dict(derived.get(ward.pk, {})) or ward_cells(rng)
        figures[ward.council_id][ward.pk] = cells
    return figures


def as_csv(wards: dict[int, Cells]) -> str:
    names = dict(Ward.objects.filter(pk__in=list(wards)).values_list("pk", "gss_code"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ward_code", "age_band", "sex", "count"])
    for ward_id in sorted(wards, key=lambda pk: names[pk]):
        for band in AgeBand:
            for sex in Sex:
                writer.writerow(
                    [names[ward_id], band.value, sex.value, wards[ward_id][(band.value, sex.value)]]
                )
    return out.getvalue()


@demo_step(order=15)
def demo_population(context: DemoContext) -> str:
    """Generated ward population by age band and sex for the fictional councils."""
    loaded = skipped = unchanged = residents = 0
    councils = {c.pk: c for c in Council.objects.filter(gss_code__regex=FICTIONAL)}
    for council_id, wards in sorted(generated_figures().items()):
        council = councils[council_id]
        other = WardPopulation.objects.filter(council=council).exclude(source=SOURCE).exists()
        if other:  # figures someone loaded: never overwrite them with invented ones
            skipped += 1
            continue
        if _loaded(council) == wards:  # built already: a second run changes nothing
            unchanged += 1
            continue
        summary = import_population(
            council, as_csv(wards), by=None, replace=True, source_name=SOURCE
        )
        loaded += 1
        residents += summary.residents if council.tier == Council.Tier.DISTRICT else 0
    return (
        f"generated figures for {loaded} councils ({residents:,} residents in the districts)"
        + (f", {unchanged} already built" if unchanged else "")
        + (f", {skipped} with other figures left alone" if skipped else "")
    )


def _loaded(council: Council) -> dict[int, Cells]:
    found: dict[int, Cells] = defaultdict(dict)
    for ward_id, band, sex, count in WardPopulation.objects.filter(council=council).values_list(
        "ward_id", "age_band", "sex", "count"
    ):
        found[ward_id][(band, sex)] = count
    return dict(found)
