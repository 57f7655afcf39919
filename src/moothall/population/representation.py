"""Who took part, set against who lives here; and weights so results speak for the population.

Surveys, deliberations and petitions each reduce their participants to
:class:`~moothall.population.bands.Profile` rows (ward, age band, sex, each possibly unknown)
and hand them to:

- :func:`participation`: participants per 1,000 residents by ward, and the shares of
  participants and of the population by age band and by sex, with every group of fewer
  than :data:`~moothall.population.bands.SUPPRESS_BELOW` people suppressed;
- :func:`weights`: one weight per profile (or None) so that weighted results stand for the
  ward, age and sex make-up of the population;
- :func:`weighted_share`: a weighted proportion, None when fewer than ``SUPPRESS_BELOW``
  weighted people are behind it.

The method, its bounds and its choices are written up in ``docs/representativeness.md``.
This module reads the population figures and never writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moothall.population.bands import SUPPRESS_BELOW, AgeBand, Profile, Sex

# Weights are kept within these multiples of the mean weight (which is 1), so that no
# single participant speaks for more than five average people, nor for less than a fifth.
TRIM_LOW = 0.2
TRIM_HIGH = 5.0
# Post-stratification on ward × age band × sex is used only when every cell of the
# population holds at least this many participants; otherwise the margins are raked.
MIN_CELL = 20
# Raking stops when every weighted margin share is within this of its target.
RAKE_TOLERANCE = 1e-9
RAKE_MAX_ITERATIONS = 2000
TRIM_MAX_ROUNDS = 50


# --- Participation ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WardRow:
    """One ward: participants (None when suppressed), residents, participants per 1,000."""

    ward_id: int
    name: str
    participants: int | None
    population: int | None  # None when no figures are loaded for the ward
    per_thousand: float | None

    @property
    def suppressed(self) -> bool:
        return self.participants is None


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One age band or sex: participants, their share of those who answered, the
    population's share. Participant figures are None when suppressed."""

    key: str
    label: str
    participants: int | None
    # 0..1, of participants who answered (of all participants when the number who did
    # not answer is itself suppressed: see _groups)
    share_of_participants: float | None
    share_of_population: float | None  # 0..1, None when no figures are loaded

    @property
    def suppressed(self) -> bool:
        return self.participants is None

    @property
    def participants_percent(self) -> float | None:
        return None if self.share_of_participants is None else 100 * self.share_of_participants

    @property
    def population_percent(self) -> float | None:
        return None if self.share_of_population is None else 100 * self.share_of_population


@dataclass(frozen=True, slots=True)
class Participation:
    """Who took part, against the population, ready to show (suppression already applied).

    Every participant count below ``suppress_below`` is None here ("fewer than 10"), and so
    is any count that could be worked out from the others by subtraction.
    """

    participants: int | None  # everyone, None when fewer than suppress_below
    population: int | None  # residents in the loaded figures, None when none are loaded
    per_thousand: float | None
    wards: list[WardRow]
    age_bands: list[GroupRow]
    sexes: list[GroupRow]
    # Participants whose ward, age band or sex is not known (not asked, not answered,
    # "prefer not to say", or a ward outside the council's figures); None when suppressed.
    unknown_ward: int | None
    unknown_age: int | None
    unknown_sex: int | None
    # Whether anyone gave an age band / sex at all (the page leaves the table out if not).
    asked_age: bool
    asked_sex: bool
    suppress_below: int = SUPPRESS_BELOW

    @property
    def has_population(self) -> bool:
        return self.population is not None

    @property
    def any_suppressed(self) -> bool:
        counts: list[int | None] = [self.participants, self.unknown_ward]
        counts += [row.participants for row in self.wards]
        if self.asked_age:
            counts += [row.participants for row in self.age_bands] + [self.unknown_age]
        if self.asked_sex:
            counts += [row.participants for row in self.sexes] + [self.unknown_sex]
        return any(count is None for count in counts)


def suppress(counts: Sequence[int], threshold: int = SUPPRESS_BELOW) -> list[int | None]:
    """``counts`` (the parts of one shown total) with small ones replaced by None.

    Every count from 1 to ``threshold - 1`` is suppressed. So that a suppressed count cannot
    be recovered by subtracting the shown ones from the total, the suppressed counts must
    together hold at least ``threshold`` people (or none at all): while they hold fewer,
    the smallest shown count is suppressed too. Zero is always shown: an empty group
    discloses nobody, and "nobody from this ward took part" is worth knowing.
    """
    hidden = [0 < count < threshold for count in counts]
    while True:
        hidden_total = sum(count for count, hide in zip(counts, hidden, strict=True) if hide)
        if hidden_total == 0 or hidden_total >= threshold:
            break
        shown = [i for i, hide in enumerate(hidden) if not hide and counts[i] > 0]
        if not shown:  # the whole table holds fewer than `threshold`: its total is hidden
            break
        hidden[min(shown, key=lambda i: (counts[i], i))] = True
    return [None if hide else count for count, hide in zip(counts, hidden, strict=True)]


@dataclass(slots=True)
class _Population:
    """A council's figures: residents per (ward, age band, sex) cell."""

    cells: dict[tuple[int, str, str], int] = field(default_factory=dict)
    ward_names: dict[int, str] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        return bool(self.cells) and self.total > 0

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def by(self, index: int) -> Counter[Any]:
        totals: Counter[Any] = Counter()
        for key, count in self.cells.items():
            totals[key[index]] += count
        return totals


def _population(council: Any) -> _Population:
    from moothall.councils.models import Ward
    from moothall.population.models import WardPopulation

    found = _Population()
    for ward_id, age_band, sex, count in WardPopulation.objects.filter(council=council).values_list(
        "ward_id", "age_band", "sex", "count"
    ):
        found.cells[(ward_id, age_band, sex)] = count
    found.ward_names = dict(Ward.objects.filter(council=council).values_list("id", "name"))
    return found


def participation(council: Any, profiles: Sequence[Profile]) -> Participation:
    """Participants per 1,000 residents by ward, and by age band and sex against the
    population, for ``profiles`` of people who took part in something at ``council``.

    Reads the council's ward population figures (none loaded: population columns are None).
    Every count of fewer than ``SUPPRESS_BELOW`` people is suppressed, with complementary
    suppression so no suppressed count can be worked out from the others (:func:`suppress`).
    """
    population = _population(council)
    ward_ids = set(population.ward_names)
    total = len(profiles)

    ward_counts = Counter(p.ward_id for p in profiles if p.ward_id in ward_ids)
    unknown_ward = total - sum(ward_counts.values())
    ward_pop = population.by(0) if population.loaded else Counter()
    shown_wards = sorted(
        (w for w in ward_ids if ward_pop.get(w) or ward_counts.get(w)),
        key=lambda w: (population.ward_names[w].casefold(), w),
    )
    ward_shown = suppress([ward_counts.get(w, 0) for w in shown_wards] + [unknown_ward])

    # Nothing below is shown when the total itself is small, so the total is suppressed by
    # the same rule: a table of suppressed rows beside a shown total of 4 would disclose it.
    shown_total = total if total >= SUPPRESS_BELOW else None
    pop_total = population.total if population.loaded else None

    wards = []
    for ward_id, shown in zip(shown_wards, ward_shown, strict=False):
        residents = ward_pop.get(ward_id) if population.loaded else None
        wards.append(
            WardRow(
                ward_id=ward_id,
                name=population.ward_names[ward_id],
                participants=shown,
                population=residents,
                per_thousand=_per_thousand(shown, residents),
            )
        )

    age_rows, unknown_age, asked_age = _groups(
        [p.age_band for p in profiles],
        [(band.value, str(band.label)) for band in AgeBand],
        population.by(1) if population.loaded else None,
    )
    sex_rows, unknown_sex, asked_sex = _groups(
        [p.sex for p in profiles],
        [(sex.value, str(sex.label)) for sex in Sex],
        population.by(2) if population.loaded else None,
    )
    return Participation(
        participants=shown_total,
        population=pop_total,
        per_thousand=_per_thousand(shown_total, pop_total),
        wards=wards,
        age_bands=age_rows,
        sexes=sex_rows,
        unknown_ward=ward_shown[-1],
        unknown_age=unknown_age,
        unknown_sex=unknown_sex,
        asked_age=asked_age,
        asked_sex=asked_sex,
    )


def _per_thousand(participants: int | None, residents: int | None) -> float | None:
    if participants is None or not residents:
        return None
    return 1000 * participants / residents


def _groups(
    values: Sequence[str | None],
    choices: list[tuple[str, str]],
    population: Counter[Any] | None,
) -> tuple[list[GroupRow], int | None, bool]:
    keys = {key for key, _label in choices}
    counts = Counter(value for value in values if value in keys)
    answered = sum(counts.values())
    unknown = len(values) - answered
    shown = suppress([counts.get(key, 0) for key, _label in choices] + [unknown])
    # Shares are of those who answered. When the number who did not is suppressed, a share
    # beside its count would give that number away (count / share), so shares are then of
    # everyone who took part.
    base = answered if shown[-1] is not None else len(values)
    pop_total = sum(population.get(key, 0) for key in keys) if population else 0
    rows = []
    for (key, label), count in zip(choices, shown, strict=False):
        rows.append(
            GroupRow(
                key=key,
                label=label,
                participants=count,
                share_of_participants=(count / base if count is not None and base else None),
                share_of_population=(population.get(key, 0) / pop_total if pop_total else None)
                if population
                else None,
            )
        )
    return rows, shown[-1], answered > 0


# --- Weights ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Weighting:
    """The outcome of :func:`weighting`: weights and how they were made."""

    weights: list[float | None]
    method: str  # "post-stratification", "raking" or "none"
    converged: bool
    trimmed: int  # how many weights sit at a trimming bound
    margins: tuple[str, ...]  # which of "ward", "age_band", "sex" were weighted on


def weights(council: Any, profiles: Sequence[Profile]) -> list[float | None]:
    """One weight per profile (None where it cannot be weighted): see :func:`weighting`."""
    return weighting(council, profiles).weights


def weighting(council: Any, profiles: Sequence[Profile]) -> Weighting:
    """Weights that make ``profiles`` stand for ``council``'s population by ward, age and sex.

    Post-stratification on ward × age band × sex cells when every profile is fully known and
    every populated cell holds at least ``MIN_CELL`` participants; otherwise raking (iterative
    proportional fitting) on the ward, age band and sex margins, each profile taking part in
    the margins it answered. Weights average 1 and are trimmed to ``[TRIM_LOW, TRIM_HIGH]``.
    A profile known on none of the margins, or every profile when no figures are loaded,
    gets None.
    """
    return compute_weights(_population(council).cells, profiles)


def compute_weights(
    cells: dict[tuple[int, str, str], int], profiles: Sequence[Profile]
) -> Weighting:
    """:func:`weighting` on given population cells (no database): for tests and analysts."""
    none = Weighting([None] * len(profiles), "none", True, 0, ())
    if not profiles or sum(cells.values()) <= 0:
        return none
    dims = ("ward", "age_band", "sex")
    values = [[p.ward_id, p.age_band, p.sex] for p in profiles]
    margins: list[Counter[Any]] = [Counter(), Counter(), Counter()]
    for key, count in cells.items():
        for index in range(3):
            margins[index][key[index]] += count

    # Post-stratification when the cells are large enough.
    populated = {key: count for key, count in cells.items() if count > 0}
    complete = all(all(v is not None for v in row) for row in values)
    if complete:
        cell_counts = Counter(tuple(row) for row in values)
        if all(cell_counts.get(key, 0) >= MIN_CELL for key in populated) and all(
            key in populated for key in cell_counts
        ):
            n, big_n = len(profiles), sum(populated.values())
            raw = [
                populated[(row[0], row[1], row[2])] * n / big_n / cell_counts[tuple(row)]  # type: ignore[index]
                for row in values
            ]
            # Weights average 1 by construction; beyond the trimming bounds, rake instead.
            if all(TRIM_LOW <= w <= TRIM_HIGH for w in raw):
                return Weighting(raw, "post-stratification", True, 0, dims)  # type: ignore[arg-type]

    # Raking on the margins each profile answered.
    codes: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    used: list[str] = []
    for index, name in enumerate(dims):
        pop = {key: count for key, count in margins[index].items() if count > 0}
        # A category nobody in the sample is in cannot be weighted up from nobody: it is
        # left out and the others share its weight.
        present = sorted(
            {row[index] for row in values if row[index] in pop}, key=lambda k: (str(type(k)), k)
        )
        if not present:
            continue
        position = {key: i for i, key in enumerate(present)}
        code = np.array([position.get(row[index], -1) for row in values], dtype=np.int64)
        target = np.array([pop[key] for key in present], dtype=float)
        codes.append(code)
        targets.append(target / target.sum())
        used.append(name)
    if not codes:
        return none
    known_any = np.zeros(len(profiles), dtype=bool)
    for code in codes:
        known_any |= code >= 0
    start = np.where(known_any, 1.0, 0.0)

    def rake(w: np.ndarray) -> np.ndarray:
        return _rake(w, codes, targets)

    raked, converged_rake = _rake_converged(start, codes, targets)
    final, trimmed, converged_trim = _trim(raked, rake, known_any)
    result: list[float | None] = [
        float(w) if known else None for w, known in zip(final, known_any, strict=True)
    ]
    return Weighting(result, "raking", converged_rake and converged_trim, trimmed, tuple(used))


def _rake(w: np.ndarray, codes: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """One sweep of raking: scale each margin, among those who answered it, to its target."""
    w = w.copy()
    for code, target in zip(codes, targets, strict=True):
        known = code >= 0
        totals = np.bincount(code[known], weights=w[known], minlength=len(target))
        known_total = totals.sum()
        if known_total <= 0:
            continue
        factor = np.divide(target * known_total, totals, out=np.ones_like(totals), where=totals > 0)
        w[known] *= factor[code[known]]
    return w


def _margin_error(w: np.ndarray, codes: list[np.ndarray], targets: list[np.ndarray]) -> float:
    worst = 0.0
    for code, target in zip(codes, targets, strict=True):
        known = code >= 0
        totals = np.bincount(code[known], weights=w[known], minlength=len(target))
        if totals.sum() > 0:
            worst = max(worst, float(np.abs(totals / totals.sum() - target).max()))
    return worst


def _rake_converged(
    w: np.ndarray, codes: list[np.ndarray], targets: list[np.ndarray]
) -> tuple[np.ndarray, bool]:
    for _iteration in range(RAKE_MAX_ITERATIONS):
        w = _rake(w, codes, targets)
        if _margin_error(w, codes, targets) < RAKE_TOLERANCE:
            return w, True
    return w, False


def _trim(
    w: np.ndarray, rerake: Any, active: np.ndarray | None = None
) -> tuple[np.ndarray, int, bool]:
    """Weights with mean 1 over ``active``, each within ``[TRIM_LOW, TRIM_HIGH]``.

    When raking pushed some past a bound, they are cut to it (the others scaled so the
    mean stays 1) and the weights raked again from there, until raking and cutting agree
    (rake, trim, rake again). Returns the weights, how many sit at a bound, and whether
    they settled; the bounds and the mean hold either way.
    """
    active = np.ones(len(w), dtype=bool) if active is None else active
    if not active.any():
        return w, 0, True
    w = _cap(_normalise(w, active), active)
    settled = False
    for _round in range(TRIM_MAX_ROUNDS):
        if not _pinned(w, active).any():
            settled = True
            break
        again = _cap(_normalise(rerake(w), active), active)
        moved = float(np.abs(again - w)[active].max())
        w = again
        if moved < 1e-9:
            settled = True
            break
    return w, int(_pinned(w, active).sum()), settled


def _pinned(w: np.ndarray, active: np.ndarray) -> np.ndarray:
    return active & (np.isclose(w, TRIM_LOW, atol=1e-12) | np.isclose(w, TRIM_HIGH, atol=1e-12))


def _cap(w: np.ndarray, active: np.ndarray) -> np.ndarray:
    """``w`` cut to the bounds, the weights between them scaled so the mean stays 1."""
    w = w.copy()
    target = float(active.sum())
    for _round in range(100):
        w[active] = np.clip(w[active], TRIM_LOW, TRIM_HIGH)
        excess = target - float(w[active].sum())
        if abs(excess) <= 1e-12 * target:
            break
        free = active & (w > TRIM_LOW + 1e-12) & (w < TRIM_HIGH - 1e-12)
        if not free.any():
            break
        total = float(w[free].sum())
        w[free] *= (total + excess) / total
    return w


def _normalise(w: np.ndarray, active: np.ndarray) -> np.ndarray:
    mean = w[active].mean()
    return w / mean if mean > 0 else w


def weighted_share(weights: Sequence[float | None], flags: Sequence[bool | None]) -> float | None:
    """The weighted share of people for whom ``flags`` is True.

    ``weights`` and ``flags`` line up with the same profiles. People with no weight, or with
    a flag of None (say, did not answer this question), are left out. Returns None when
    fewer than ``SUPPRESS_BELOW`` people are left: a weighted result from so few is not shown.
    """
    if len(weights) != len(flags):
        raise ValueError("weights and flags must be the same length")
    total = chosen = 0.0
    people = 0
    for weight, flag in zip(weights, flags, strict=True):
        if weight is None or flag is None:
            continue
        people += 1
        total += weight
        if flag:
            chosen += weight
    if people < SUPPRESS_BELOW or total <= 0:
        return None
    return chosen / total


def profiles_from(rows: Iterable[tuple[int | None, str | None, str | None]]) -> list[Profile]:
    """Profiles from (ward_id, age_band, sex) rows, turning anything but a known band or sex
    (blank, "prefer not to say") into None."""
    bands, sexes = set(AgeBand.values), set(Sex.values)
    return [
        Profile(
            ward_id=ward_id,
            age_band=age if age in bands else None,
            sex=sex if sex in sexes else None,
        )
        for ward_id, age, sex in rows
    ]
