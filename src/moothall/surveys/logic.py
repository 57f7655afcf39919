"""What a survey asks and what counts as an answer: conditions, and each kind's validation.

No writes here: :mod:`moothall.surveys.domain` calls these before it stores anything, and
the answering pages, paper entry and the API get the same messages from them.

**Order.** Questions are asked in ``(page, position, id)`` order; "earlier" means earlier
in that order. The domain keeps positions and pages in step, so the order is also the
order the builder shows.

**Conditions.** A question with ``show_if_question`` is shown only when that earlier
question (a choice kind) is itself shown and its answer matches ``show_if_values``:

- single choice: the chosen option is one of the values;
- multiple choice: any ticked option is one of the values (any overlap);
- ranking: the option ranked first is one of the values.

A question whose controlling question is hidden is hidden too, however that question was
once answered. Answers to hidden questions are discarded when a response is sent.

**Answers** (the ``Answer.value`` shapes are in :class:`moothall.surveys.models.Answer`):

- text: stripped; at most ``max_length`` characters (default 500 short, 5,000 long);
  short text is one line;
- single choice: one option key;
- multiple choice: option keys, at most ``max_choices`` (stored in the options' order);
- ranking: every option, each once: a full ranking (the usual survey practice, and what
  ranked results such as Borda counts need). Nothing at all is "no answer";
- likert/matrix: ``{row key: scale key}``; rows may be left out here, but a required
  question counts as answered only with every row (:func:`is_complete`);
- number: digits with an optional sign and decimal point (commas and spaces between
  digits are ignored), at most 4 decimal places, within ``min_value``/``max_value``;
- ward: a ward of this survey's council (stored by id);
- postcode: a valid UK postcode in the council's area (when the council's area is known:
  it has a GSS code), stored normalised ("SW1A 1AA").

:func:`clean_answer` raises only ``django.core.exceptions.ValidationError``, whatever it
is given (tested with hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from moothall.councils.models import Council, Postcode, Ward
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode
from moothall.surveys.models import CHOICE_KINDS, Kind, Question, Survey

SHORT_TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 5000
MAX_TEXT_LIMIT = 20_000  # the most an officer may allow for one text answer
NUMBER_LIMIT = Decimal(10) ** 10  # what the stored range (14 digits, 4 decimals) holds
NUMBER_PLACES = 4
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def field_name(question: Question | int) -> str:
    """The name of a question's answer in forms and in ``ValidationError`` dicts: "q<id>"."""
    return f"q{question if isinstance(question, int) else question.pk}"


def order_key(question: Question) -> tuple[int, int, int]:
    return (question.page, question.position, question.pk or 0)


def ordered(questions: Iterable[Question]) -> list[Question]:
    return sorted(questions, key=order_key)


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questions in the order they are asked (one query, cached on
    ``survey`` by a ``prefetch_related("questions")``)."""
    return ordered(survey.questions.all())


def option_keys(options: Sequence[Mapping[str, Any]] | Any) -> list[str]:
    if not isinstance(options, list):
        return []
    return [str(o.get("key")) for o in options if isinstance(o, dict)]


def option_label(options: Any, key: Any) -> str:
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and option.get("key") == key:
            return str(option.get("label", key))
    return str(key)


# --- Conditions ----------------------------------------------------------------------------


def matches(controller: Question, value: Any, values: Sequence[Any]) -> bool:
    """Does ``value`` (an answer to ``controller``) meet a condition on ``values``?"""
    if value is None:
        return False
    wanted = {str(v) for v in values}
    if controller.kind == Kind.SINGLE_CHOICE:
        return isinstance(value, str) and value in wanted
    if controller.kind == Kind.MULTIPLE_CHOICE:
        return isinstance(value, list) and any(str(v) in wanted for v in value)
    if controller.kind == Kind.RANKING:
        return isinstance(value, list) and bool(value) and str(value[0]) in wanted
    return False


def visible_questions(
    survey: Survey,
    answers: Mapping[int, Any],
    *,
    questions: Sequence[Question] | None = None,
) -> list[Question]:
    """The questions shown to someone who gave ``answers`` ({question id: value}), in order.

    ``questions`` (the survey's, in any order) saves the query when the caller has them.
    """
    shown: set[int] = set()
    out: list[Question] = []
    for question in ordered(questions if questions is not None else survey.questions.all()):
        controller_id = question.show_if_question_id
        if controller_id is not None:
            if controller_id not in shown:
                continue
            controller = next(q for q in out if q.pk == controller_id)
            if not matches(controller, answers.get(controller_id), question.show_if_values):
                continue
        shown.add(question.pk)
        out.append(question)
    return out


# --- Answers -------------------------------------------------------------------------------


def is_blank(raw: Any) -> bool:
    """Nothing given: None, an empty or blank string, an empty list or dict, or a list or
    dict of nothing but those."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return all(is_blank(item) for item in raw)
    if isinstance(raw, dict):
        return all(is_blank(item) for item in raw.values())
    return False


def missing_message(question: Question) -> str:
    """What to say when a required question was not answered (GOV.UK style)."""
    kind = question.kind
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        return _("Enter your answer to this question.")
    if kind == Kind.SINGLE_CHOICE:
        return _("Select an answer.")
    if kind == Kind.MULTIPLE_CHOICE:
        return _("Select at least one answer.")
    if kind == Kind.RANKING:
        return _("Put the options in order.")
    if kind == Kind.LIKERT:
        if len(question.options) > 1:
            return _("Select an answer for every row.")
        return _("Select an answer.")
    if kind == Kind.NUMBER:
        return _("Enter a number.")
    if kind == Kind.WARD:
        return _("Select your ward.")
    if kind == Kind.POSTCODE:
        return _("Enter your postcode.")
    return _("Answer this question.")


def _bad(message: str, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def _string(raw: Any) -> str:
    """A single text value; lists of one (as forms send) are unwrapped."""
    if isinstance(raw, (list, tuple)) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _bad(_("This answer is not in the right form."), "invalid")
    value = str(raw)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(_("Remove the characters that cannot be stored."), "bad_characters") from None
    if "\x00" in value:
        raise _bad(_("Remove the characters that cannot be stored."), "bad_characters")
    return value


def _strings(raw: Any) -> list[str]:
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise _bad(_("This answer is not in the right form."), "invalid")
    return [_string(item).strip() for item in raw]


def text_limit(question: Question) -> int:
    if question.max_length:
        return int(question.max_length)
    return LONG_TEXT_LIMIT if question.kind == Kind.LONG_TEXT else SHORT_TEXT_LIMIT


def clean_answer(question: Question, raw: Any, *, council: Council | None = None) -> Any:
    """The value to store for ``raw`` (what a form, the API or a paper entry gave) as an
    answer to ``question``, or None for no answer. Whether an answer was *required* is
    the caller's question (it depends on the other answers). Raises ValidationError."""
    if is_blank(raw):
        return None
    kind = question.kind
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        return _clean_text(question, raw)
    if kind == Kind.SINGLE_CHOICE:
        key = _string(raw).strip()
        if key not in option_keys(question.options):
            raise _bad(_("Select one of the answers given."), "invalid_choice")
        return key
    if kind == Kind.MULTIPLE_CHOICE:
        return _clean_multiple(question, raw)
    if kind == Kind.RANKING:
        return _clean_ranking(question, raw)
    if kind == Kind.LIKERT:
        return _clean_likert(question, raw)
    if kind == Kind.NUMBER:
        return _clean_number(question, raw)
    if kind == Kind.WARD:
        return _clean_ward(question, raw, council)
    if kind == Kind.POSTCODE:
        return _clean_postcode(question, raw, council)
    raise _bad(_("This question cannot be answered."), "invalid_kind")


def _clean_text(question: Question, raw: Any) -> str:
    value = _string(raw).strip()
    if question.kind == Kind.LONG_TEXT:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    elif any(c in _LINE_BREAKS for c in value):
        raise _bad(_("Write your answer on one line."), "line_break")
    limit = text_limit(question)
    if len(value) > limit:
        raise _bad(
            ngettext(
                "Your answer must be %(limit)d character or fewer.",
                "Your answer must be %(limit)d characters or fewer.",
                limit,
            ),
            "too_long",
            {"limit": limit},
        )
    return value


def _clean_multiple(question: Question, raw: Any) -> list[str] | None:
    chosen = {key for key in _strings(raw) if key}
    keys = option_keys(question.options)
    if chosen - set(keys):
        raise _bad(_("Select from the answers given."), "invalid_choice")
    if not chosen:
        return None
    if question.max_choices and len(chosen) > question.max_choices:
        raise _bad(
            ngettext(
                "Select no more than %(count)d answer.",
                "Select no more than %(count)d answers.",
                question.max_choices,
            ),
            "too_many",
            {"count": question.max_choices},
        )
    return [key for key in keys if key in chosen]


def _clean_ranking(question: Question, raw: Any) -> list[str] | None:
    ranked = _strings(raw)
    keys = option_keys(question.options)
    if not any(ranked):
        return None
    # Forms send one select per position; trailing unfilled positions are fine only when
    # nothing is missing, which the full-ranking check below catches with a clear message.
    filled = [key for key in ranked if key]
    if set(filled) - set(keys):
        raise _bad(_("Rank only the options given."), "invalid_choice")
    if len(set(filled)) != len(filled):
        raise _bad(_("Give each option a different place."), "duplicate_rank")
    if "" in ranked[: len(filled)] or len(filled) != len(keys):
        raise _bad(
            _("Give every option a place, from 1 to %(count)d."),
            "incomplete_ranking",
            {"count": len(keys)},
        )
    return filled


def _clean_likert(question: Question, raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        raise _bad(_("This answer is not in the right form."), "invalid")
    rows = option_keys(question.options)
    scale = set(option_keys(question.scale))
    out: dict[str, str] = {}
    for row, value in raw.items():
        if not isinstance(row, str) or row not in rows:
            raise _bad(_("Answer only the rows given."), "invalid_row")
        chosen = _string(value).strip() if not is_blank(value) else ""
        if not chosen:
            continue
        if chosen not in scale:
            raise _bad(_("Select one of the answers given."), "invalid_choice")
        out[row] = chosen
    if not out:
        return None
    return {row: out[row] for row in rows if row in out}


def is_complete(question: Question, value: Any) -> bool:
    """Does ``value`` (a cleaned answer) fully answer ``question``, as a required question
    must be answered? Any answer does, but a matrix needs every row."""
    if value is None:
        return False
    if question.kind == Kind.LIKERT:
        return isinstance(value, dict) and set(option_keys(question.options)) <= set(value)
    return True


def required_error(question: Question, value: Any) -> ValidationError | None:
    """The refusal for a required question left unanswered (or a matrix half answered)."""
    if not question.required or is_complete(question, value):
        return None
    if value is not None:
        return _bad(_("Select an answer for every row."), "incomplete_matrix")
    return _bad(missing_message(question), "required")


def _clean_number(question: Question, raw: Any) -> str:
    if isinstance(raw, Decimal):
        text = format(raw, "f") if raw.is_finite() else "x"
    elif isinstance(raw, float):
        text = repr(raw)
    else:
        text = _string(raw)
    compact = re.sub(r"(?<=\d)[,\s](?=\d)", "", text.strip())
    if len(compact) > 40 or not _NUMBER.match(compact):
        raise _bad(_("Enter a number, like 12 or 3.5."), "invalid_number")
    try:
        number = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _bad(_("Enter a number, like 12 or 3.5."), "invalid_number") from None
    exponent = number.normalize().as_tuple().exponent  # an int: the number is finite
    if isinstance(exponent, int) and -exponent > NUMBER_PLACES:
        raise _bad(
            _("Use no more than %(places)d decimal places."),
            "too_precise",
            {"places": NUMBER_PLACES},
        )
    low, high = question.min_value, question.max_value
    if abs(number) >= NUMBER_LIMIT:
        raise _bad(_("Enter a smaller number."), "out_of_range")
    if low is not None and high is not None and not low <= number <= high:
        raise _bad(
            _("Enter a number from %(low)s to %(high)s."),
            "out_of_range",
            {"low": plain(low), "high": plain(high)},
        )
    if low is not None and number < low:
        raise _bad(_("Enter %(low)s or more."), "out_of_range", {"low": plain(low)})
    if high is not None and number > high:
        raise _bad(_("Enter %(high)s or less."), "out_of_range", {"high": plain(high)})
    return plain(number)


def plain(number: Decimal | int) -> str:
    """A decimal without trailing zeros or an exponent: 12, 3.5, -0.25."""
    value = Decimal(number)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _clean_ward(question: Question, raw: Any, council: Council | None) -> int:
    text = _string(raw).strip()
    council_id = council.pk if council is not None else question.survey.council_id
    if not text.isdigit() or len(text) > 18:
        raise _bad(_("Select your ward from the list."), "invalid_ward")
    ward_id = int(text)
    if not Ward.objects.filter(council_id=council_id, pk=ward_id).exists():
        raise _bad(_("Select your ward from the list."), "invalid_ward")
    return ward_id


def _clean_postcode(question: Question, raw: Any, council: Council | None) -> str:
    text = _string(raw)
    try:
        canonical = normalise_postcode(text)
    except InvalidPostcode:
        raise _bad(_("Enter a full UK postcode, like SW1A 1AA."), "invalid_postcode") from None
    council = council if council is not None else question.survey.council
    if council.gss_code:
        row = Postcode.objects.filter(postcode=canonical).first()
        if row is None or not in_area(council, row):
            raise _bad(
                _("This postcode is not in %(council)s’s area."),
                "postcode_outside",
                {"council": council.short_name or council.name},
            )
    return canonical


def in_area(council: Council, postcode: Postcode) -> bool:
    return bool(council.gss_code) and council.gss_code in (
        postcode.district_gss,
        postcode.county_gss,
        postcode.parish_gss,
    )


def ward_of_postcode(council: Council, canonical: str) -> Ward | None:
    """The council's ward that holds ``canonical`` (a normalised postcode), if known."""
    row = Postcode.objects.filter(postcode=canonical).first()
    if row is None:
        return None
    codes = [c for c in (row.ward_gss, row.division_gss, row.parish_gss) if c]
    if not codes:
        return None
    return Ward.objects.filter(council=council, gss_code__in=codes).first()


def is_choice(question: Question) -> bool:
    return question.kind in CHOICE_KINDS


def describe(question: Question, value: Any, wards: Mapping[int, str] | None = None) -> list[str]:
    """An answer in words, one line per item (for "check your answers" and staff lists)."""
    if value is None:
        return []
    kind = question.kind
    if kind in (Kind.SINGLE_CHOICE,):
        return [option_label(question.options, value)]
    if kind == Kind.MULTIPLE_CHOICE and isinstance(value, list):
        return [option_label(question.options, key) for key in value]
    if kind == Kind.RANKING and isinstance(value, list):
        return [
            f"{place}. {option_label(question.options, key)}"
            for place, key in enumerate(value, start=1)
        ]
    if kind == Kind.LIKERT and isinstance(value, dict):
        rows = question.options if isinstance(question.options, list) else []
        if len(rows) == 1:
            return [option_label(question.scale, value.get(option_keys(rows)[0]))]
        return [
            f"{option_label(rows, row)}: {option_label(question.scale, scale)}"
            for row, scale in value.items()
        ]
    if kind == Kind.WARD:
        if wards is not None and value in wards:
            return [wards[value]]
        ward = Ward.objects.filter(pk=value).first() if isinstance(value, int) else None
        return [ward.name if ward else str(value)]
    return [str(value)]
