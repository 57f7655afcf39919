"""The back-office form for importing a Polis export. It checks the shape of what was sent
(a file no larger than the limit, a web address, a mode); the .zip's contents are checked
by :func:`moothall.deliberation.interchange.import_zip`, whose refusals come back beside
the file field (a folder problem) or the field they name (the web address)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.deliberation.interchange import MAX_ZIP_BYTES
from moothall.deliberation.models import Mode

MODE_HELP = {
    Mode.POLIS: _("Finds groups as Polis does, so they can be set against the ones Polis found."),
    Mode.IMPROVED: _("Deterministic and stable: the same votes always give the same groups."),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Polis export (.zip)"),
        help_text=_(
            "A .zip holding comments.csv and votes.csv, and usually participants-votes.csv "
            "and summary.csv, as Polis exports them, smaller than %(mb)d MB."
        )
        % {"mb": MAX_ZIP_BYTES // 1024 // 1024},
        error_messages={
            "required": _("Choose a .zip file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a .zip file to upload."),
            "missing": _("Choose a .zip file to upload."),
        },
    )
    slug = forms.SlugField(
        label=_("Web address (optional)"),
        help_text=_("Letters, numbers and hyphens. Left empty, it is made from the topic."),
        required=False,
        max_length=80,
        error_messages={"invalid": _("Use letters, numbers and hyphens only.")},
    )
    mode = forms.ChoiceField(
        label=_("How opinion groups are found"),
        choices=[(mode.value, f"{mode.label}. {MODE_HELP[mode]}") for mode in Mode],
        initial=Mode.POLIS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how opinion groups are found."),
            "invalid_choice": _("Choose how opinion groups are found."),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before the bytes are read, so a huge upload is refused cheaply.
        if upload.size > MAX_ZIP_BYTES:
            raise forms.ValidationError(
                _("The file must be smaller than %(mb)d MB."),
                code="too_large",
                params={"mb": MAX_ZIP_BYTES // 1024 // 1024},
            )
        if not (upload.name or "").lower().endswith(".zip"):
            raise forms.ValidationError(_("Choose a .zip file."), code="not_zip")
        return upload
