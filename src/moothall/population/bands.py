"""The words every consultation uses for who someone is: age band, sex, and "prefer not to say".

Surveys' equality-monitoring block, deliberation's optional "about you" questions and the
ward population tables all speak this vocabulary, so participation can be set against the
population without translating between schemes. The bands follow the Office for National
Statistics' usual ten-year groupings (with 16–24 as the youngest adult band).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# Shown as the last option of every equality question; never counted in a group.
PREFER_NOT_TO_SAY = "prefer_not_to_say"
PREFER_NOT_TO_SAY_LABEL = _("Prefer not to say")

# Groups smaller than this are never shown on their own (counts, shares or weights).
SUPPRESS_BELOW = 10


class AgeBand(models.TextChoices):
    UNDER_16 = "under_16", _("Under 16")
    AGE_16_24 = "16_24", _("16 to 24")
    AGE_25_34 = "25_34", _("25 to 34")
    AGE_35_44 = "35_44", _("35 to 44")
    AGE_45_54 = "45_54", _("45 to 54")
    AGE_55_64 = "55_64", _("55 to 64")
    AGE_65_74 = "65_74", _("65 to 74")
    AGE_75_PLUS = "75_plus", _("75 or over")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Disability(models.TextChoices):
    YES_A_LOT = "yes_a_lot", _("Yes, limited a lot")
    YES_A_LITTLE = "yes_a_little", _("Yes, limited a little")
    NO = "no", _("No")


class Ethnicity(models.TextChoices):
    """The five high-level groups of the 2021 Census of England and Wales."""

    ASIAN = "asian", _("Asian, Asian British or Asian Welsh")
    BLACK = "black", _("Black, Black British, Black Welsh, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Other ethnic group")


def with_prefer_not(choices: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """``choices`` with "Prefer not to say" last, as every equality question offers it."""
    return [*choices, (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL)]


@dataclass(frozen=True, slots=True)
class Profile:
    """What is known of one participant for representativeness; None where not known.

    ``age_band`` and ``sex`` hold AgeBand / Sex values only ("prefer not to say" and
    unanswered both become None).
    """

    ward_id: int | None
    age_band: str | None
    sex: str | None
