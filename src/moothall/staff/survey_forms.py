"""Forms of the survey builder. They check the shape of what was sent; the verbs in
:mod:`moothall.surveys.domain` decide and write, and their ``ValidationError`` (keyed by
the verb's field names) comes back beside the field it is about (see the ``*_ALIASES``).

A question's answers, matrix rows and scale are typed one per line. Once a survey is
open only the wording may change, so the lists become one box per existing answer: an
answer's meaning (its key) can then never move to another label by mistake.

A condition is chosen with one set of checkboxes: the answers of every earlier choice
question, grouped by question. Ticking answers of one question shows this question only
when one of them is given; ticking none shows it always. No script is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility
from moothall.staff.fields import (
    date_field,
    moments_initial,
    moments_of,
    require_dates,
    text_field,
    time_field,
)
from moothall.surveys import domain, logic
from moothall.surveys.models import CHOICE_KINDS, Kind, Question, Survey

TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})
LINES_LIMIT = 20_000  # characters in a one-per-line list

KIND_HINTS = {
    Kind.SHORT_TEXT: _("A line of text, such as a name of a place."),
    Kind.LONG_TEXT: _("A paragraph or more, for views in people's own words."),
    Kind.SINGLE_CHOICE: _("Choose one answer from a list."),
    Kind.MULTIPLE_CHOICE: _("Tick any number of answers from a list (or up to a limit)."),
    Kind.RANKING: _("Put every answer in a list in order of preference."),
    Kind.LIKERT: _("How much people agree with one statement, or with each of several (a matrix)."),
    Kind.NUMBER: _("A number, optionally within a range."),
    Kind.WARD: _("Which of the council's wards the person lives in."),
    Kind.POSTCODE: _("A postcode in the council's area."),
}

LEVEL_LABELS = {
    Eligibility.NONE: _("Anyone, signed in or not"),
    Eligibility.EMAIL_VERIFIED: _("People signed in with a verified email address"),
    Eligibility.POSTCODE_IN_AREA: _("People whose postcode is in the council's area"),
    Eligibility.VERIFIED_RESIDENT: _("Residents the council has verified"),
}

# The verbs' field names → this module's form fields.
SURVEY_ALIASES = {"opens_at": "opens_date", "closes_at": "closes_date"}
QUESTION_ALIASES = {"show_if_question": "condition", "show_if_values": "condition"}


def lines(value: str) -> list[str]:
    """The non-empty lines of ``value``, stripped."""
    return [part.strip() for part in (value or "").splitlines() if part.strip()]


# --- The survey's details ---------------------------------------------------------------------

# (the verb's field, the date field, the time field, the time when none is given)
MOMENTS = {
    "opens_at": ("opens_date", "opens_time", dt.time(0, 0)),
    "closes_at": ("closes_date", "closes_time", dt.time(23, 59)),
}


class SurveyForm(forms.Form):
    """A survey's details. ``may`` (the verb's field names that may still change, None for
    all) drops the fields that are fixed in the survey's phase."""

    title = text_field(_("Title"), domain.TITLE_LIMIT, required_message=_("Enter a title."))
    slug = text_field(
        _("Web address (optional)"),
        80,
        required=False,
        help_text=_(
            "The last part of the survey's address, like parks-survey. Leave empty to make "
            "one from the title."
        ),
    )
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
            "What the survey is about, what the council will do with the answers, and how "
            "long it takes. You can use Markdown."
        ),
    )
    answer_level = forms.TypedChoiceField(
        label=_("Who may answer online"),
        choices=[(str(level.value), LEVEL_LABELS[level]) for level in Eligibility],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who may answer."),
            "invalid_choice": _("Choose who may answer."),
        },
    )
    equality_monitoring = forms.BooleanField(
        label=_("Ask the equality-monitoring questions"),
        required=False,
        help_text=_(
            "Age band, sex, disability and ethnic group, each with “Prefer not to say”, at "
            "the end of the survey. They let the results be set against the population."
        ),
    )
    results_public = forms.BooleanField(
        label=_("Publish the results when the survey closes"),
        required=False,
        help_text=_(
            "Charts and tables of the answers to choices and numbers. Written answers are "
            "never published."
        ),
    )
    opens_date = date_field(_("Opens on (optional)"), required=False)
    opens_time = time_field(_("Opens at (optional)"), required=False)
    closes_date = date_field(_("Closes on (optional)"), required=False)
    closes_time = time_field(_("Closes at (optional)"), required=False)

    def __init__(self, *args: Any, may: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may = may
        if may is not None:
            keep = set(may)
            for verb_field, (day, time, _default) in MOMENTS.items():
                if verb_field in may:
                    keep |= {day, time}
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": survey.title,
            "slug": survey.slug,
            "summary": survey.summary,
            "description": survey.description,
            "answer_level": str(survey.answer_level),
            "equality_monitoring": survey.equality_monitoring,
            "results_public": survey.results_public,
        }
        initial |= moments_initial(survey, MOMENTS)
        return initial

    @staticmethod
    def new_initial() -> dict[str, Any]:
        return {
            "answer_level": str(Eligibility.EMAIL_VERIFIED.value),
            "equality_monitoring": True,
            "results_public": True,
        }

    def has(self, name: str) -> bool:
        return name in self.fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        require_dates(self, data, MOMENTS)
        return data

    def changes(self, *, creating: bool = False) -> dict[str, Any]:
        """The verb's keyword arguments, for the fields on the form."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in (
            "title",
            "summary",
            "description",
            "answer_level",
            "equality_monitoring",
            "results_public",
        ):
            if name in self.fields:
                out[name] = data[name]
        if "slug" in self.fields:
            slug = (data.get("slug") or "").strip()
            if slug or creating:
                out["slug"] = slug or None
        out |= moments_of(self, MOMENTS)
        return out


# --- Questions ---------------------------------------------------------------------------------


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of question?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a kind of question."),
            "invalid_choice": _("Choose a kind of question."),
        },
    )

    def options(self) -> list[tuple[Any, Any]]:
        """Each kind's radio with its hint."""
        return [(choice, KIND_HINTS[Kind(choice.data["value"])]) for choice in self["kind"]]


def condition_groups(
    survey_questions: list[Question], question: Question | None
) -> list[tuple[Question, int, list[tuple[str, str]]]]:
    """The earlier choice questions a question may depend on: (question, its number,
    [(checkbox value, option label)])."""
    numbered = list(enumerate(survey_questions, start=1))
    if question is not None and question.pk is not None:
        at = next((i for i, (_n, q) in enumerate(numbered) if q.pk == question.pk), len(numbered))
        numbered = numbered[:at]
    groups = []
    for number, candidate in numbered:
        if candidate.kind not in CHOICE_KINDS:
            continue
        options = [
            (f"{candidate.pk}:{o['key']}", str(o.get("label", o["key"])))
            for o in candidate.options or []
            if isinstance(o, dict) and "key" in o
        ]
        groups.append((candidate, number, options))
    return groups


class QuestionForm(forms.Form):
    """One question of one kind: its words, its answers, its limits, its page and its
    condition. ``wording_only`` (the survey is open): the words and the answers' labels."""

    text = text_field(
        _("Question"), domain.QUESTION_LIMIT, required_message=_("Enter the question.")
    )
    help_text = text_field(
        _("Hint (optional)"),
        domain.HELP_LIMIT,
        required=False,
        textarea=True,
        help_text=_("Shown under the question, for example what to include."),
    )
    required = forms.BooleanField(
        label=_("An answer is required"),
        required=False,
        help_text=_("People cannot send the survey without answering it (when it is shown)."),
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        survey: Survey,
        survey_questions: list[Question],
        question: Question | None = None,
        wording_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.question = question
        self.wording_only = wording_only
        self.option_keys: list[tuple[str, str]] = []
        self.scale_keys: list[tuple[str, str]] = []
        self.groups: list[tuple[Question, int, list[tuple[str, str]]]] = []
        if wording_only:
            del self.fields["required"]
            self._wording_fields(question)
            return
        self._answer_fields(kind)
        pages = sorted({q.page for q in survey_questions}) or [1]
        last = pages[-1]
        page_choices = [(str(p), _("Page %(number)d") % {"number": p}) for p in range(1, last + 1)]
        page_choices.append(
            (str(last + 1), _("A new page (page %(number)d)") % {"number": last + 1})
        )
        self.fields["page"] = forms.TypedChoiceField(
            label=_("Page"),
            choices=page_choices,
            coerce=int,
            help_text=_(
                "Questions on one page are asked together; a new page starts a page break."
            ),
            error_messages={"invalid_choice": _("Choose a page.")},
        )
        self.groups = condition_groups(survey_questions, question)
        self.fields["condition"] = forms.MultipleChoiceField(
            label=_("Show this question only when an earlier answer is…"),
            required=False,
            choices=[(value, label) for _q, _n, options in self.groups for value, label in options],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": _("Choose answers of an earlier choice question."),
            },
        )

    # Fields by kind.

    def _answer_fields(self, kind: str) -> None:
        if kind in CHOICE_KINDS:
            self.fields["options"] = text_field(
                _("Answers to choose from"),
                LINES_LIMIT,
                required_message=_("Enter the answers to choose from, one per line."),
                textarea=True,
                help_text=_("One per line, in the order they are shown."),
            )
        if kind == Kind.MULTIPLE_CHOICE:
            self.fields["max_choices"] = text_field(
                _("The most answers one may tick (optional)"),
                5,
                required=False,
                help_text=_("Empty: any number."),
            )
        if kind == Kind.LIKERT:
            self.fields["options"] = text_field(
                _("Statements to rate (optional)"),
                LINES_LIMIT,
                required=False,
                textarea=True,
                help_text=_(
                    "One per line, to make a matrix. Leave empty to rate the question itself."
                ),
            )
            self.fields["scale"] = text_field(
                _("Scale"),
                LINES_LIMIT,
                required=False,
                textarea=True,
                help_text=_(
                    "One point per line, from one end to the other. Leave empty for “Strongly "
                    "agree” to “Strongly disagree”."
                ),
            )
        if kind == Kind.NUMBER:
            self.fields["min_value"] = text_field(
                _("Smallest number allowed (optional)"), 20, required=False
            )
            self.fields["max_value"] = text_field(
                _("Largest number allowed (optional)"), 20, required=False
            )
        if kind in TEXT_KINDS:
            self.fields["max_length"] = text_field(
                _("Longest answer, in characters (optional)"),
                6,
                required=False,
                help_text=_("Empty: %(short)s for short text, %(long)s for long text.")
                % {"short": f"{logic.SHORT_TEXT_LIMIT:,}", "long": f"{logic.LONG_TEXT_LIMIT:,}"},
            )

    def _wording_fields(self, question: Question | None) -> None:
        assert question is not None
        options = list(question.options or [])
        if self.kind == Kind.LIKERT and [o.get("key") for o in options] == ["answer"]:
            options = []  # one statement: the question itself, changed with its text
        if self.kind in CHOICE_KINDS or self.kind == Kind.LIKERT:
            for i, option in enumerate(options, start=1):
                name = f"option_{i}"
                self.fields[name] = text_field(
                    _("Statement %(number)d") % {"number": i}
                    if self.kind == Kind.LIKERT
                    else _("Answer %(number)d") % {"number": i},
                    domain.LABEL_LIMIT,
                    required_message=_("Enter the answer's words."),
                )
                self.option_keys.append((name, option["key"]))
        if self.kind == Kind.LIKERT:
            for i, point in enumerate(question.scale or [], start=1):
                name = f"scale_{i}"
                self.fields[name] = text_field(
                    _("Scale point %(number)d") % {"number": i},
                    domain.LABEL_LIMIT,
                    required_message=_("Enter the scale point's words."),
                )
                self.scale_keys.append((name, point["key"]))

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "page": str(question.page),
        }
        labels = [str(o.get("label", "")) for o in question.options or []]
        if question.kind == Kind.LIKERT and labels == [question.text]:
            labels = []  # one statement: the question itself
        initial["options"] = "\n".join(labels)
        initial["scale"] = "\n".join(str(o.get("label", "")) for o in question.scale or [])
        for i, option in enumerate(question.options or [], start=1):
            initial[f"option_{i}"] = option.get("label", "")
        for i, point in enumerate(question.scale or [], start=1):
            initial[f"scale_{i}"] = point.get("label", "")
        initial["max_choices"] = "" if question.max_choices is None else str(question.max_choices)
        initial["max_length"] = "" if question.max_length is None else str(question.max_length)
        for name in ("min_value", "max_value"):
            value = getattr(question, name)
            initial[name] = "" if value is None else logic.plain(value)
        if question.show_if_question_id:
            initial["condition"] = [
                f"{question.show_if_question_id}:{key}" for key in question.show_if_values
            ]
        return initial

    @staticmethod
    def new_initial(kind: str, survey_questions: list[Question]) -> dict[str, Any]:
        last = max((q.page for q in survey_questions), default=1)
        initial: dict[str, Any] = {"page": str(last)}
        if kind == Kind.LIKERT:
            initial["scale"] = "\n".join(str(_(label)) for _key, label in domain.DEFAULT_SCALE)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = data.get("condition") or []
        controllers = {value.split(":", 1)[0] for value in ticked}
        if len(controllers) > 1:
            self.add_error("condition", _("Choose answers of one question only."))
        return data

    def condition(self) -> tuple[int | None, list[str]]:
        ticked = self.cleaned_data.get("condition") or []
        if not ticked:
            return None, []
        controller = int(ticked[0].split(":", 1)[0])
        return controller, [value.split(":", 1)[1] for value in ticked]

    def changes(self) -> dict[str, Any]:
        """The verb's keyword arguments (without ``kind``)."""
        data = self.cleaned_data
        out: dict[str, Any] = {"text": data["text"], "help_text": data["help_text"]}
        if self.wording_only:
            question = self.question
            assert question is not None
            if self.option_keys:
                out["options"] = [
                    {"key": key, "label": data[name]} for name, key in self.option_keys
                ]
            if self.scale_keys:
                out["scale"] = [{"key": key, "label": data[name]} for name, key in self.scale_keys]
            return out
        out["required"] = data["required"]
        out["page"] = data["page"]
        if "options" in self.fields:
            out["options"] = lines(data["options"])
        if "scale" in self.fields:
            out["scale"] = lines(data["scale"])
        for name in ("max_choices", "min_value", "max_value", "max_length"):
            if name in self.fields:
                out[name] = data[name].strip() or None
        controller, values = self.condition()
        out["show_if_question"] = controller
        out["show_if_values"] = values
        return out

    def answer_fields(self) -> list[Any]:
        """The bound fields about answers (for the template, in order)."""
        names = ["options", "max_choices", "scale", "min_value", "max_value", "max_length"]
        return [self[name] for name in names if name in self.fields]

    def wording_fields(self) -> list[Any]:
        return [self[name] for name, _key in self.option_keys + self.scale_keys]

    def condition_groups(self) -> list[tuple[Question, int, list[tuple[str, str, bool, str]]]]:
        """Each earlier choice question with its checkboxes (value, label, ticked, id). The
        ids run on across the groups, so the error summary's link finds the first box."""
        if "condition" not in self.fields:
            return []
        field = self["condition"]
        ticked = set(field.value() or [])
        out = []
        running = 0
        for q, n, options in self.groups:
            boxes = []
            for value, label in options:
                boxes.append((value, label, value in ticked, f"{field.auto_id}_{running}"))
                running += 1
            out.append((q, n, boxes))
        return out


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", _("Up")), ("down", _("Down"))],
        error_messages={
            "required": _("Move a question up or down."),
            "invalid_choice": _("Move a question up or down."),
        },
    )


class ConfirmForm(forms.Form):
    """A button that confirms (a CSRF-protected POST with nothing else in it)."""
