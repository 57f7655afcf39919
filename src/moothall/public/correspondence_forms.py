"""Forms for writing to councillors and replying. The verbs check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moothall.core.validation import MAX_REASON_LENGTH
from moothall.correspondence.domain import NAME_MAX_LENGTH, SUBJECT_MAX_LENGTH
from moothall.councils.models import Councillor, Ward

ALL = "all"


def _body_field(label: str, max_length: int, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        max_length=max_length,
        help_text=gettext("Up to %(limit)d characters.") % {"limit": max_length},
        error_messages={
            "required": required_message,
            "max_length": _("Use %(limit_value)d characters or fewer"),
        },
    )


class WriteForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Who do you want to write to?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who to write to"),
            "invalid_choice": _("Choose who to write to"),
        },
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("The councillor sees your name, email address and postcode."),
        error_messages={"required": _("Enter your name")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={
            "required": _("Enter a subject"),
            "max_length": _("Use %(limit_value)d characters or fewer"),
        },
    )
    body = forms.CharField()  # replaced in __init__ with the council's length limit

    def __init__(
        self,
        *args: Any,
        councillors: list[Councillor],
        ward: Ward,
        max_length: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.councillors = {str(c.pk): c for c in councillors}
        choices = [(str(c.pk), str(c)) for c in councillors]
        if len(councillors) > 1:
            everyone = gettext("All %(count)d councillors of %(ward)s") % {
                "count": len(councillors),
                "ward": ward.name,
            }
            choices.insert(0, (ALL, everyone))
        to_field = self.fields["to"]
        assert isinstance(to_field, forms.ChoiceField)
        to_field.choices = choices
        self.fields["body"] = _body_field(
            gettext("Your message"), max_length, gettext("Enter your message")
        )

    def clean_to(self) -> list[Councillor]:
        value = self.cleaned_data.get("to") or ""
        if value == ALL:
            return list(self.councillors.values())
        return [self.councillors[value]]


class ReplyForm(forms.Form):
    body = forms.CharField()

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"] = _body_field(
            gettext("Your reply"), max_length, gettext("Enter your reply")
        )


class BlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional, only you see this)"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Use %(limit_value)d characters or fewer")},
    )
