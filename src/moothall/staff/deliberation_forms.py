"""Forms of the deliberation back-office: a conversation's settings, seed statements and
moderation decisions. They check the shape of what was sent; the verbs in
:mod:`moothall.deliberation.domain` decide and write, and their ``ValidationError``
(keyed by field) comes back into the form beside the field it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility
from moothall.core.validation import MAX_REASON_LENGTH
from moothall.deliberation import domain
from moothall.deliberation.models import Conversation, Mode, Moderation
from moothall.staff.fields import (
    choice_field,
    date_field,
    moments_initial,
    moments_of,
    require_dates,
    text_field,
    time_field,
)

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


class ConversationForm(forms.Form):
    title = text_field(_("Title"), domain.TITLE_LIMIT, required_message=_("Enter a title."))
    summary = text_field(
        _("Summary (optional)"),
        domain.SUMMARY_LIMIT,
        required=False,
        help_text=_("One or two sentences, shown in lists."),
    )
    description = text_field(
        _("Description (optional)"),
        domain.DESCRIPTION_LIMIT,
        required=False,
        textarea=True,
        help_text=_(
            "What the conversation is about and what the council will do with it. "
            "You can use Markdown."
        ),
    )
    mode = choice_field(
        _("How opinion groups are found"), Mode.choices, _("Choose how opinion groups are found.")
    )
    moderation = choice_field(
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
    participate_level = choice_field(
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
    opens_date = date_field(_("Opens on (optional)"), required=False)
    opens_time = time_field(_("Opens at (optional)"), required=False)
    closes_date = date_field(_("Closes on (optional)"), required=False)
    closes_time = time_field(_("Closes at (optional)"), required=False)

    @staticmethod
    def initial_for(conversation: Conversation) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(conversation, name) for name in SETTINGS}
        initial["participate_level"] = str(conversation.participate_level)
        initial |= moments_initial(conversation, MOMENTS)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        require_dates(self, data, MOMENTS)
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in SETTINGS}
        out |= moments_of(self, MOMENTS)
        return out

    def mode_options(self) -> list[tuple[Any, Any]]:
        return [(choice, MODE_HELP[Mode(choice.data["value"])]) for choice in self["mode"]]


class SeedForm(forms.Form):
    text = text_field(
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
    reason = text_field(
        _("Reason for removing it"),
        MAX_REASON_LENGTH,
        required=False,
        textarea=True,
        help_text=_("Needed when removing. Recorded, and may be shown to its author."),
    )
