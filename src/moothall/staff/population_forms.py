"""The form for loading a council's ward population figures (staff:population)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.population.domain import MAX_BYTES

REPLACE = "replace"
UPDATE = "update"


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per ward, age band and sex, with the columns ward_code or ward_name, "
            "age_band, sex and count."
        ),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a CSV file to upload."),
            "missing": _("Choose a CSV file to upload."),
        },
    )
    mode = forms.ChoiceField(
        label=_("What to do with the figures loaded before"),
        choices=[
            (REPLACE, _("Replace them all with this file")),
            (UPDATE, _("Keep them, and add or update the figures in this file")),
        ],
        initial=REPLACE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to do with the figures loaded before."),
            "invalid_choice": _("Choose what to do with the figures loaded before."),
        },
    )
    source = forms.CharField(
        label=_("Source (optional)"),
        help_text=_("For example, Census 2021, table TS007A."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Use 200 characters or fewer.")},
    )
    year = forms.IntegerField(
        label=_("Year the figures count (optional)"),
        required=False,
        min_value=1801,
        max_value=2200,
        error_messages={
            "invalid": _("Enter a year like 2021."),
            "min_value": _("Enter a year like 2021."),
            "max_value": _("Enter a year like 2021."),
        },
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is over %(megabytes)d MB: too large for ward population figures."),
                params={"megabytes": MAX_BYTES // 1_000_000},
            )
        return upload
