"""How many people live in each ward, by age band and sex: what participation is set against.

One row per ward × age band × sex cell. Rows are only written by
:func:`moothall.population.domain.import_population`, which replaces a council's figures
as a whole from a census-style CSV (see ``docs/representativeness.md``).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from moothall.population.bands import AgeBand, Sex


class WardPopulation(models.Model):
    """The number of residents of one ward in one age band of one sex."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="ward_populations"
    )
    ward = models.ForeignKey("councils.Ward", on_delete=models.CASCADE, related_name="populations")
    age_band = models.CharField(_("age band"), max_length=12, choices=AgeBand.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    count = models.PositiveIntegerField(_("residents"))
    # Where the figures come from ("Census 2021, table TS007A", "Generated for the demo").
    source = models.CharField(_("source"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1801), MaxValueValidator(2200)],
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ward__name", "age_band", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "age_band", "sex"], name="ward_population_unique_cell"
            ),
        ]
        indexes = [models.Index(fields=["council", "ward"], name="ward_population_council")]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.age_band} {self.sex}: {self.count}"
