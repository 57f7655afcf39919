"""Survey questions as form fields: what each page shows, and what a posted page says.

Not Django forms: a question's field is rendered by ``answer_field.html`` from a
:class:`Field` (GOV.UK markup for each kind), and its posted value is read back by
:func:`read` into the raw shape :func:`moothall.surveys.logic.clean_answer` checks. All
checking is the domain's (one set of messages for the web, the API and paper entry);
the errors it returns are put back on the fields with :func:`with_errors`.

Names and ids (the error summary links to the id):

- one-input kinds (text, number, postcode, ward, single choice): ``q<id>``;
- multiple choice: every checkbox is named ``q<id>`` (the first has id ``q<id>``);
- likert: one group of radios per row, named ``q<id>-<row key>``;
- ranking, without JavaScript: one select per place, ``q<id>-rank-1`` … ``q<id>-rank-N``
  (the first has id ``q<id>``); each lists every option, and the domain checks that
  every place holds a different one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from moothall.councils.models import Council, Ward
from moothall.population.bands import (
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    AgeBand,
    Disability,
    Ethnicity,
    Sex,
)
from moothall.surveys import logic
from moothall.surveys.domain import AnswerError
from moothall.surveys.models import Kind, Question


@dataclass
class Choice:
    value: str
    label: str
    checked: bool
    id: str


@dataclass
class Row:
    """One row of a likert matrix (a fieldset of radios), or one place in a ranking."""

    key: str
    label: str
    name: str
    id: str
    choices: list[Choice]


@dataclass
class Field:
    name: str
    id: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    question: Question | None = None
    value: str = ""
    choices: list[Choice] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    condition: str = ""  # paper entry: when this question applies, in words

    @property
    def href(self) -> str:
        return f"#{self.id}"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        parts = [self.hint_id] if self.hint or self.condition else []
        if self.errors:
            parts.append(self.error_id)
        return " ".join(parts)


def _choices(name: str, options: Any, chosen: Iterable[str]) -> list[Choice]:
    picked = set(chosen)
    out = []
    for index, option in enumerate(options if isinstance(options, list) else []):
        key = str(option.get("key", ""))
        out.append(
            Choice(
                value=key,
                label=str(option.get("label", key)),
                checked=key in picked,
                id=name if index == 0 else f"{name}-{index + 1}",
            )
        )
    return out


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or value == "":
        return []
    return [str(value)]


def _text(value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value)


def place_label(number: int) -> str:
    return pgettext("ranking place", "Choice %(number)d") % {"number": number}


def field_for(
    question: Question,
    value: Any = None,
    *,
    wards: Sequence[Ward] = (),
    condition: str = "",
) -> Field:
    """The field showing ``question`` with ``value`` (a stored answer, or what was posted)."""
    name = logic.field_name(question)
    made = Field(
        name=name,
        id=name,
        kind=question.kind,
        label=question.text,
        hint=question.help_text,
        required=question.required,
        question=question,
        condition=condition,
    )
    kind = question.kind
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        made.choices = _choices(name, question.options, _as_list(value))
    elif kind == Kind.RANKING:
        placed = _as_list(value)
        for number in range(1, len(question.options) + 1):
            here = placed[number - 1] if number - 1 < len(placed) else ""
            row_name = f"{name}-rank-{number}"
            made.rows.append(
                Row(
                    key=str(number),
                    label=place_label(number),
                    name=row_name,
                    id=name if number == 1 else row_name,
                    choices=_choices(row_name, question.options, [here]),
                )
            )
    elif kind == Kind.LIKERT:
        answers = value if isinstance(value, dict) else {}
        for index, row in enumerate(question.options if isinstance(question.options, list) else []):
            key = str(row.get("key", ""))
            row_name = f"{name}-{key}"
            row_id = name if index == 0 else f"{name}-row{index + 1}"
            made.rows.append(
                Row(
                    key=key,
                    label=str(row.get("label", key)),
                    name=row_name,
                    id=row_id,
                    choices=_choices(row_id, question.scale, [_text(answers.get(key))]),
                )
            )
    elif kind == Kind.WARD:
        chosen = _text(value)
        made.choices = [
            Choice(value=str(w.pk), label=w.name, checked=str(w.pk) == chosen, id=name)
            for w in wards
        ]
    else:
        made.value = _text(value)
    return made


def read(questions: Iterable[Question], post: QueryDict | Mapping[str, Any]) -> dict[int, Any]:
    """The raw answers to ``questions`` in a posted form ({question id: raw value}); every
    question is present (an unticked set of boxes posts nothing: that is no answer)."""

    def one(name: str) -> Any:
        return post.get(name, "")

    def many(name: str) -> list[Any]:
        if isinstance(post, QueryDict):
            return post.getlist(name)
        value: Any = post.get(name, [])
        return value if isinstance(value, list) else [value]

    out: dict[int, Any] = {}
    for question in questions:
        name = logic.field_name(question)
        if question.kind == Kind.MULTIPLE_CHOICE:
            out[question.pk] = many(name)
        elif question.kind == Kind.RANKING:
            count = len(question.options) if isinstance(question.options, list) else 0
            out[question.pk] = [one(f"{name}-rank-{n}") for n in range(1, count + 1)]
        elif question.kind == Kind.LIKERT:
            out[question.pk] = {
                key: one(f"{name}-{key}") for key in logic.option_keys(question.options)
            }
        else:
            out[question.pk] = one(name)
    return out


def raw_of(question: Question, value: Any) -> Any:
    """A stored answer in the shape a form shows it."""
    if question.kind == Kind.WARD and value is not None:
        return str(value)
    return value


# --- The equality-monitoring block ----------------------------------------------------------


EQUALITY_ORDER = ("age_band", "sex", "disability", "ethnicity")


def equality_fields(values: Mapping[str, Any]) -> list[Field]:
    """The four equality questions, each optional and each with "Prefer not to say" last."""
    questions = {
        "age_band": (_("What is your age?"), "", AgeBand.choices),
        "sex": (_("What is your sex?"), "", Sex.choices),
        "disability": (
            _(
                "Are your day-to-day activities limited because of a health problem or "
                "disability which has lasted, or is expected to last, at least 12 months?"
            ),
            _("Include problems related to old age."),
            Disability.choices,
        ),
        "ethnicity": (_("What is your ethnic group?"), "", Ethnicity.choices),
    }
    out = []
    for name in EQUALITY_ORDER:
        label, hint, choices = questions[name]
        options = [{"key": key, "label": str(words)} for key, words in choices]
        options.append({"key": PREFER_NOT_TO_SAY, "label": str(PREFER_NOT_TO_SAY_LABEL)})
        out.append(
            Field(
                name=name,
                id=name,
                kind=Kind.SINGLE_CHOICE,
                label=label,
                hint=hint,
                choices=_choices(name, options, [_text(values.get(name))]),
            )
        )
    return out


def equality_label(name: str, value: str) -> str:
    """An equality answer in words ("Not answered" when blank)."""
    if not value:
        return _("Not answered")
    if value == PREFER_NOT_TO_SAY:
        return str(PREFER_NOT_TO_SAY_LABEL)
    choices = {"age_band": AgeBand, "sex": Sex, "disability": Disability, "ethnicity": Ethnicity}
    kind = choices.get(name)
    if kind is not None and value in kind.values:
        return str(kind(value).label)
    return value


def read_equality(post: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    return {name: post.get(name, "") for name in EQUALITY_ORDER}


# --- Errors --------------------------------------------------------------------------------


def with_errors(fields: Sequence[Field], errors: Iterable[AnswerError]) -> list[Field]:
    """Put the domain's refusals on their fields (by form field name)."""
    by_name = {f.name: f for f in fields}
    for error in errors:
        target = by_name.get(error.field)
        if target is not None:
            target.errors.append(error.message)
    return list(fields)


def wards_of(council: Council) -> list[Ward]:
    return list(Ward.objects.filter(council=council).order_by("name"))
