"""Forms of the moderation back-office: hide, warn, ban, and a space's mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field
from moothall.moderation.domain import EXPLANATION_LIMIT, MAX_BAN_DAYS, MESSAGE_LIMIT
from moothall.moderation.models import Rule
from moothall.moderation.registry import POST, PRE

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _rule(label: StrOrPromise) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Rule.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the rule it breaks."),
            "invalid_choice": _("Choose a rule from the list."),
        },
    )


class HideForm(forms.Form):
    prefix = "hide"
    rule = _rule(_("Which rule does it break?"))
    explanation = text_field(
        _("Explanation (optional)"),
        EXPLANATION_LIMIT,
        required=False,
        textarea=True,
        help_text=_("Sent to the author, and shown in place of a hidden comment on ideas."),
    )


class WarnForm(forms.Form):
    prefix = "warn"
    rule = _rule(_("Warn the author about which rule?"))
    message = text_field(
        _("Message to the author (optional)"), MESSAGE_LIMIT, required=False, textarea=True
    )


class BanForm(forms.Form):
    prefix = "ban"
    rule = _rule(_("Ban the author under which rule?"))
    length = forms.ChoiceField(
        label=_("How long for?"),
        choices=[("days", _("A number of days")), ("permanent", _("Permanently"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long the ban lasts.")},
    )
    days = forms.IntegerField(
        label=_("Number of days"),
        required=False,
        min_value=1,
        max_value=MAX_BAN_DAYS,
        error_messages={
            "invalid": _("Enter a whole number of days."),
            "min_value": _("Enter at least 1 day."),
            "max_value": _("Enter %(limit_value)s days or fewer."),
        },
    )
    message = text_field(
        _("Message to the author (optional)"), MESSAGE_LIMIT, required=False, textarea=True
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("length") == "days" and not data.get("days") and "days" not in self.errors:
            self.add_error("days", _("Enter the number of days."))
        return data


class SpaceForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How is it moderated?"),
        choices=[
            (PRE, _("Checked before it is shown (pre-moderation)")),
            (POST, _("Shown at once, hidden if it breaks the rules (post-moderation)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it is moderated.")},
    )
