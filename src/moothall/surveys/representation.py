"""Who answered a survey, for representativeness: one profile per response sent.

Online and paper responses alike; responses saved but never sent are not counted.
"""

from __future__ import annotations

from moothall.population.bands import AgeBand, Profile, Sex
from moothall.surveys.models import Response, Survey

_AGE_BANDS = frozenset(AgeBand.values)
_SEXES = frozenset(Sex.values)


def profiles(survey: Survey) -> list[Profile]:
    """A :class:`~moothall.population.bands.Profile` per sent response (ward, age band and
    sex where known; "prefer not to say" and unanswered become None). One query."""
    rows = (
        Response.objects.filter(survey=survey, state=Response.State.SUBMITTED)
        .order_by("pk")
        .values_list("ward_id", "age_band", "sex")
    )
    return [
        Profile(
            ward_id=ward_id,
            age_band=age_band if age_band in _AGE_BANDS else None,
            sex=sex if sex in _SEXES else None,
        )
        for ward_id, age_band, sex in rows
    ]
