"""The residents' "Report this" form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field
from moothall.moderation.domain import NOTE_LIMIT
from moothall.moderation.models import Rule


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"),
        choices=Rule.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you are reporting this."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )
    note = text_field(
        _("Anything the moderators should know (optional)"),
        NOTE_LIMIT,
        required=False,
        textarea=True,
        help_text=_("Do not include your own personal details."),
    )
