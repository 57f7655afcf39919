"""Forms of the deliberation back-office: a conversation's settings, seed statements and
moderation decisions. They check the shape of what was sent; the verbs in
:mod:`moothall.deliberation.domain` decide and write, and their ``ValidationError``
(keyed by field) comes back into the form beside the field it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility
from moothall.core.validation import MAX_REASON_LENGTH
from moothall.deliberation import domain
from moothall.deliberation.models import Conversation, Mode, Moderation
from moothall.staff.meeting_forms import DATE_FORMATS, TIME_FORMATS, DateField, local_moment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MODE_HELP = {
    Mode.IMPROVED: _(
        "The same votes always give the same groups, and groups stay steady as votes arrive. "
        "Recommended."
    ),
    Mode.POLIS: _("Groups found exactly as Polis finds them, to compare with Polis' own reports."),
}
LEVEL_LABELS = {
    Eligibility.NONE: _("Anyone, signed in or not"),
    Eligibility.EMAIL_VERIFIED: _("Anyone signed in with a verified email address"),
    Eligibility.POSTCODE_IN_AREA: _("People with a postcode in the council’s area"),
    Eligibility.VERIFIED_RESIDENT: _("Verified residents only"),
}
# Where the verb's field names differ from the form's.
ALIASES = {"opens_at": "opens_date", "closes_at": "closes_date"}
MOMENTS = {
    "opens_at": ("opens_date", "opens_time", dt.time(0, 0)),
    "closes_at": ("closes_date", "closes_time", dt.time(23, 59)),
}
SETTINGS = (
    "title",
    "summary",
    "description",
    "mode",
    "moderation",
    "allow_statements",
    "statement_max_length",
    "participate_level",
    "ask_about_you",
)


def _text(
    label: StrOrPromise,
    limit: int,
    *,
    required: bool = True,
    required_message: StrOrPromise = "",
    textarea: bool = False,
    help_text: StrOrPromise = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={
            "required": required_message or _("This field is required."),
            "max_length": _("Use %(limit_value)d characters or fewer."),
            "null_characters_not_allowed": _("Remove the characters that cannot be stored."),
        },
    )


def _radios(label: StrOrPromise, choices: Any, message: StrOrPromise, help_text: Any = "") -> Any:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": message, "invalid_choice": message},
    )


def _date(label: StrOrPromise) -> DateField:
    return DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text=_("For example, 14/03/2030."),
        error_messages={"invalid": _("Enter a real date, for example 14/03/2030.")},
    )


def _time(label: StrOrPromise) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=TIME_FORMATS,
        help_text=_("Use the 24-hour clock, for example 18:30."),
        error_messages={"invalid": _("Enter a real time, for example 18:30.")},
    )


class ConversationForm(forms.Form):
    title = _text(_("Title"), domain.TITLE_LIMIT, required_message=_("Enter a title."))
    summary = _text(
        _("Summary (optional)"),
        domain.SUMMARY_LIMIT,
        required=False,
        help_text=_("One or two sentences, shown in lists."),
    )
    description = _text(
        _("Description (optional)"),
        domain.DESCRIPTION_LIMIT,
        required=False,
        textarea=True,
        help_text=_(
            "What the conversation is about and what the council will do with it. "
            "You can use Markdown."
        ),
    )
    mode = _radios(
        _("How opinion groups are found"), Mode.choices, _("Choose how opinion groups are found.")
    )
    moderation = _radios(
        _("New statements from participants"),
        Moderation.choices,
        _("Choose how new statements are moderated."),
    )
    allow_statements = forms.BooleanField(
        label=_("Participants may add statements"), required=False
    )
    statement_max_length = forms.IntegerField(
        label=_("Longest statement, in characters"),
        min_value=20,
        max_value=domain.MAX_STATEMENT_LENGTH,
        help_text=_("Polis uses 140. Shorter statements are easier to vote on."),
        error_messages={
            "required": _("Enter a number of characters."),
            "invalid": _("Enter a whole number, like 280."),
            "min_value": _("Enter a number from 20 to %(limit_value)s.")
            % {"limit_value": domain.MAX_STATEMENT_LENGTH},
            "max_value": _("Enter a number from 20 to %(limit_value)s."),
        },
        widget=forms.NumberInput,
    )
    participate_level = _radios(
        _("Who may take part"),
        [(str(level.value), LEVEL_LABELS[level]) for level in Eligibility],
        _("Choose who may take part."),
    )
    ask_about_you = forms.BooleanField(
        label=_("Ask participants about themselves (optional for them)"),
        required=False,
        help_text=_(
            "Ward, age band and sex, so you can see whether the people taking part reflect "
            "the people who live here."
        ),
    )
    opens_date = _date(_("Opens on (optional)"))
    opens_time = _time(_("Opens at (optional)"))
    closes_date = _date(_("Closes on (optional)"))
    closes_time = _time(_("Closes at (optional)"))

    @staticmethod
    def initial_for(conversation: Conversation) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(conversation, name) for name in SETTINGS}
        initial["participate_level"] = str(conversation.participate_level)
        for name, (day, time, _default) in MOMENTS.items():
            moment = getattr(conversation, name)
            if moment is not None:
                local = timezone.localtime(moment)
                initial[day] = local.date().strftime("%d/%m/%Y")
                initial[time] = local.time().strftime("%H:%M")
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for _name, (day, time, _default) in MOMENTS.items():
            if data.get(time) is not None and data.get(day) is None and day not in self.errors:
                self.add_error(day, _("Enter the date as well as the time."))
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in SETTINGS}
        for name, (day, time, default) in MOMENTS.items():
            out[name] = (
                None
                if data.get(day) is None
                else local_moment(data[day], data.get(time) or default)
            )
        return out

    def mode_options(self) -> list[tuple[Any, Any]]:
        return [(choice, MODE_HELP[Mode(choice.data["value"])]) for choice in self["mode"]]


class SeedForm(forms.Form):
    text = _text(
        _("Statement"),
        domain.MAX_STATEMENT_LENGTH,
        required_message=_("Write the statement."),
        textarea=True,
        help_text=_("One idea people can agree or disagree with. Plain text."),
    )
    is_meta = forms.BooleanField(
        label=_("A statement about the conversation itself"),
        required=False,
        help_text=_("Shown for votes, but never used to find opinion groups."),
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Show it")), ("reject", _("Remove it"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
        error_messages={
            "required": _("Choose whether to show or remove the statement."),
            "invalid_choice": _("Choose whether to show or remove the statement."),
        },
    )
    reason = _text(
        _("Reason for removing it"),
        MAX_REASON_LENGTH,
        required=False,
        textarea=True,
        help_text=_("Needed when removing. Recorded, and may be shown to its author."),
    )
