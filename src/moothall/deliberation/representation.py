"""Who took part in a deliberation, for representativeness (see moothall.population)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from moothall.deliberation.models import Conversation, Participant, Vote
from moothall.population.bands import AgeBand, Profile, Sex

_AGE_BANDS = frozenset(AgeBand.values)
_SEXES = frozenset(Sex.values)


def profiles(conversation: Conversation) -> list[Profile]:
    """One profile per participant who voted at least once, in joining order: their
    optional ward, age band and sex ("prefer not to say" and unanswered become None).
    One query."""
    voted = Vote.objects.filter(participant=OuterRef("pk"))
    rows = (
        Participant.objects.filter(conversation=conversation)
        .filter(Exists(voted))
        .order_by("number")
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
