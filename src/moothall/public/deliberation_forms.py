"""Forms residents fill in when taking part in a deliberation: a vote, a statement of
their own, and the optional "about you" questions.

They check the shape of what was sent; the verbs in :mod:`moothall.deliberation.domain`
decide, and their ``ValidationError`` comes back into the form beside the field it is
about.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council
from moothall.deliberation.models import Conversation, Vote
from moothall.population.bands import PREFER_NOT_TO_SAY_LABEL, AgeBand, Sex, with_prefer_not

VOTE_CHOICES = [
    (str(Vote.AGREE), _("Agree")),
    (str(Vote.DISAGREE), _("Disagree")),
    (str(Vote.PASS), _("Pass")),
]


def _choices(choices: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    # The labels stay lazy (translated when shown); only the type is narrowed.
    return cast("list[tuple[str, str]]", choices)


class VoteForm(forms.Form):
    """One vote: which statement, and agree (1), disagree (-1) or pass (0)."""

    statement = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": _("Choose a statement to vote on."),
            "invalid": _("Choose a statement to vote on."),
            "min_value": _("Choose a statement to vote on."),
            "max_value": _("Choose a statement to vote on."),
        },
    )
    value = forms.ChoiceField(
        choices=VOTE_CHOICES,
        error_messages={
            "required": _("Choose agree, disagree or pass."),
            "invalid_choice": _("Choose agree, disagree or pass."),
        },
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write your statement."),
            "max_length": _("Use %(limit_value)d characters or fewer."),
            "null_characters_not_allowed": _("Remove the characters that cannot be stored."),
        },
    )

    def __init__(self, *args: Any, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        assert isinstance(field, forms.CharField)
        # The verb counts after joining lines and spaces; let a little more through here.
        field.max_length = conversation.statement_max_length * 2
        field.validators = []
        field.help_text = _(
            "One short idea that others can agree or disagree with, in up to %(limit)d "
            "characters. Plain text: formatting is shown as typed."
        ) % {"limit": conversation.statement_max_length}


class AboutYouForm(forms.Form):
    """Optional answers for representativeness: never shown against anyone's name."""

    ward = forms.ChoiceField(label=_("Which ward do you live in?"), required=False)
    age_band = forms.ChoiceField(
        label=_("How old are you?"),
        required=False,
        widget=forms.RadioSelect,
        choices=with_prefer_not(_choices(AgeBand.choices)),
        error_messages={"invalid_choice": _("Choose an age band from the list.")},
    )
    sex = forms.ChoiceField(
        label=_("What is your sex?"),
        required=False,
        widget=forms.RadioSelect,
        choices=with_prefer_not(_choices(Sex.choices)),
        error_messages={"invalid_choice": _("Choose an answer from the list.")},
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ward"]
        assert isinstance(field, forms.ChoiceField)
        wards = [(str(w.pk), w.name) for w in council.wards.order_by("name", "pk")]
        field.choices = [("", PREFER_NOT_TO_SAY_LABEL), *wards]
        field.error_messages["invalid_choice"] = _("Choose a ward from the list.")

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "ward": int(data["ward"]) if data.get("ward") else None,
            "age_band": data.get("age_band") or "",
            "sex": data.get("sex") or "",
        }
