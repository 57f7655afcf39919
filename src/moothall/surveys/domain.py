"""Verbs: every change to a survey, its questions and its responses.

Each verb runs in one transaction, asks :mod:`moothall.surveys.rules` whether the step is
open in the survey's phase and to this person (``StepRefused``, a ``PermissionDenied``
carrying the reason, when not), refuses bad input with ``ValidationError`` (keyed by field,
with a code) before writing anything, and writes an audit entry for every staff action.

``by=None`` on the staff verbs means the system (the demo, an importer): permission is then
the caller's business, but the phase still holds.

What may change when:

- draft: everything (the survey's settings and its questions);
- upcoming or open: the survey's title, summary, description, dates and whether results
  are published; questions' text, hints and option labels (never their keys, kinds or
  conditions: answers already given must keep their meaning);
- closed: the same, but not the dates (a survey is never reopened).

Answering goes page by page. A response remembers the page to come back to
(``current_page``): a question page's number, then :data:`ABOUT_YOU_PAGE` (the
equality-monitoring block, when the survey asks it), then :data:`CHECK_PAGE` ("check your
answers"). Question pages run from 1 to :data:`MAX_PAGE`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility
from moothall.core.audit import changes as audit_changes
from moothall.core.audit import record, snapshot
from moothall.core.validation import free_slug, invalid, line, text, unique_slug
from moothall.councils.models import Council, Ward
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode
from moothall.population.bands import PREFER_NOT_TO_SAY, AgeBand, Disability, Ethnicity, Sex
from moothall.surveys import logic
from moothall.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Kind,
    Question,
    Response,
    Status,
    Survey,
)
from moothall.surveys.rules import Phase, Step, phase_of, refusal

TITLE_LIMIT = 200
SUMMARY_LIMIT = 300
DESCRIPTION_LIMIT = 10_000
QUESTION_LIMIT = 500
HELP_LIMIT = 2_000
LABEL_LIMIT = 200
MAX_OPTIONS = 50
MAX_SCALE = 11
MAX_QUESTIONS = 200
MAX_PAGE = 99
ABOUT_YOU_PAGE = 100  # the equality-monitoring block
CHECK_PAGE = 101  # "check your answers"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

# The usual five-point agreement scale, used when a likert question is given no scale.
DEFAULT_SCALE = (
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
)

# The equality-monitoring block: response field → the values it takes (besides "prefer not
# to say", which every one of them offers, and blank, for not answered).
EQUALITY_FIELDS: dict[str, frozenset[str]] = {
    "age_band": frozenset(AgeBand.values),
    "sex": frozenset(Sex.values),
    "disability": frozenset(Disability.values),
    "ethnicity": frozenset(Ethnicity.values),
}

SURVEY_FIELDS = frozenset(
    {
        "title",
        "slug",
        "summary",
        "description",
        "answer_level",
        "equality_monitoring",
        "results_public",
        "opens_at",
        "closes_at",
    }
)
# What may change once a survey is open (upcoming or open) …
LIVE_SURVEY_FIELDS = frozenset(
    {"title", "summary", "description", "results_public", "opens_at", "closes_at"}
)
# … and once it has closed.
CLOSED_SURVEY_FIELDS = frozenset({"title", "summary", "description", "results_public"})

QUESTION_FIELDS = frozenset(
    {
        "kind",
        "text",
        "help_text",
        "required",
        "options",
        "scale",
        "page",
        "min_value",
        "max_value",
        "max_length",
        "max_choices",
        "show_if_question",
        "show_if_values",
    }
)
# What may change in a question once answers may have arrived (options and scale: labels
# only, with the same keys).
WORDING_FIELDS = frozenset({"text", "help_text", "options", "scale"})


class StepRefused(PermissionDenied):
    """The step is not open in this phase, or not to this person; ``message`` says why."""

    def __init__(self, message: str, step: Step) -> None:
        super().__init__(message)
        self.message = message
        self.step = step


@dataclass(frozen=True)
class AnswerError:
    """One refused answer on a page: the question (None for the equality block), the form
    field it belongs to ("q<id>", or "age_band" …), what to say, and a code for the API."""

    question_id: int | None
    field: str
    message: str
    code: str


# --- Helpers -----------------------------------------------------------------------------


def _check(by: Any, survey: Survey, step: Step) -> None:
    """Refuse unless ``step`` is open to ``by``; ``by=None`` is the system, which still
    respects the phase."""
    if by is None:
        from moothall.surveys.rules import OPEN_IN

        if step != Step.MANAGE and phase_of(survey) not in OPEN_IN[step]:
            raise StepRefused(
                refusal(None, survey, step) or _("This cannot be done now."),
                step,
            )
        return
    why = refusal(by, survey, step)
    if why is not None:
        raise StepRefused(why, step)


def _as_user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _locked(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update(of=("self",)).select_related("council").get(pk=survey.pk)
    )


def _message(error: ValidationError) -> tuple[str, str]:
    """The first message of ``error`` and its code."""
    if hasattr(error, "error_dict"):
        error = next(iter(error.error_dict.values()))[0]
    if hasattr(error, "error_list") and error.error_list and error.error_list[0] is not error:
        error = error.error_list[0]
    message = str(error.message)
    if error.params:
        message = message % error.params
    return message, error.code or "invalid"


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "off", "0", "no", ""):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise invalid(field, _("Choose yes or no."), "invalid_boolean")


def _when(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise invalid(field, _("Enter a real date and time."), "invalid_date")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _whole(value: Any, field: str, *, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise invalid(field, _("Enter a whole number."), "invalid_number")
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise invalid(field, _("Enter a whole number."), "invalid_number") from None
    if not low <= number <= high:
        raise invalid(
            field,
            _("Enter a number from %(low)d to %(high)d."),
            "out_of_range",
            {"low": low, "high": high},
        )
    return number


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise invalid(field, _("Enter a number."), "invalid_number")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise invalid(field, _("Enter a number."), "invalid_number") from None
    if not number.is_finite() or abs(number) >= logic.NUMBER_LIMIT:
        raise invalid(field, _("Enter a smaller number."), "out_of_range")
    if number != number.quantize(Decimal(1).scaleb(-logic.NUMBER_PLACES)):
        raise invalid(
            field,
            _("Use no more than %(places)d decimal places."),
            "too_precise",
            {"places": logic.NUMBER_PLACES},
        )
    return number


# --- Surveys ------------------------------------------------------------------------------


# Fixed paths beside /surveys/<slug>/ (the staff builder's /surveys/new/).
RESERVED_SLUGS = frozenset({"new"})


def _survey_fields(changes: Mapping[str, Any], current: Survey) -> dict[str, Any]:
    unknown = set(changes) - SURVEY_FIELDS
    if unknown:
        raise ValueError(f"Unknown survey fields: {sorted(unknown)}")
    out: dict[str, Any] = {}
    if "title" in changes:
        out["title"] = line(changes["title"], "title", limit=TITLE_LIMIT)
    if "slug" in changes and changes["slug"] is not None:
        slug = str(changes["slug"]).strip().lower()
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 80:
            raise invalid(
                "slug",
                _("Use only lower-case letters, numbers and hyphens, like parks-survey."),
                "invalid_slug",
            )
        out["slug"] = free_slug(
            slug,
            Survey.objects.filter(council_id=current.council_id),
            reserved=RESERVED_SLUGS,
            current_pk=current.pk,
            taken_message=_("Another survey of this council has that address."),
        )
    if "summary" in changes:
        out["summary"] = line(changes["summary"], "summary", required=False, limit=SUMMARY_LIMIT)
    if "description" in changes:
        out["description"] = text(
            changes["description"], "description", required=False, limit=DESCRIPTION_LIMIT
        )
    if "answer_level" in changes:
        try:
            level = int(changes["answer_level"])
        except (TypeError, ValueError):
            level = -1
        if level not in Eligibility.values or isinstance(changes["answer_level"], bool):
            raise invalid("answer_level", _("Choose who may answer."), "invalid_level")
        out["answer_level"] = level
    for name in ("equality_monitoring", "results_public"):
        if name in changes:
            out[name] = _bool(changes[name], name)
    for name in ("opens_at", "closes_at"):
        if name in changes:
            out[name] = _when(changes[name], name)
    opens = out.get("opens_at", current.opens_at)
    closes = out.get("closes_at", current.closes_at)
    if opens and closes and closes <= opens:
        raise invalid(
            "closes_at", _("The survey must close after it opens."), "closes_before_opens"
        )
    return out


@transaction.atomic
def create_survey(
    council: Council,
    *,
    by: Any,
    title: str,
    slug: str | None = None,
    summary: str = "",
    description: str = "",
    answer_level: int = Eligibility.EMAIL_VERIFIED,
    equality_monitoring: bool = True,
    results_public: bool = True,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    """A new survey, in draft (only staff see it). Side effects: audit."""
    from moothall.accounts.rules import Action, can

    if by is not None and not can(by, Action.MANAGE_CONSULTATIONS, council):
        raise StepRefused(_("Only council staff can do this."), Step.MANAGE)
    survey = Survey(council=council, created_by=_as_user(by))
    fields = {
        "title": title,
        "slug": slug,
        "summary": summary,
        "description": description,
        "answer_level": answer_level,
        "equality_monitoring": equality_monitoring,
        "results_public": results_public,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    for name, value in _survey_fields(fields, survey).items():
        setattr(survey, name, value)
    if not survey.slug:
        survey.slug = unique_slug(
            Survey.objects.filter(council=council),
            survey.title,
            fallback="survey",
            reserved=RESERVED_SLUGS,
        )
    survey.save()
    record("surveys.survey_created", actor=by, council=council, target=survey)
    return survey


@transaction.atomic
def update_survey(survey: Survey, *, by: Any, **fields: Any) -> Survey:
    """Change the survey's settings: anything in draft; text, dates and publishing once
    open; text and publishing once closed (see the module's docstring). Side effects:
    audit (the names of the fields that changed)."""
    survey = _locked(survey)
    _check(by, survey, Step.MANAGE)
    phase = phase_of(survey)
    if phase != Phase.DRAFT:
        may = CLOSED_SURVEY_FIELDS if phase == Phase.CLOSED else LIVE_SURVEY_FIELDS
        fixed = sorted(set(fields) - may)
        if fixed:
            raise invalid(
                fixed[0],
                _("This cannot change once the survey is open.")
                if phase != Phase.CLOSED
                else _("This cannot change once the survey has closed."),
                "survey_not_draft",
            )
    cleaned = _survey_fields(fields, survey)
    closes = cleaned.get("closes_at")
    if (
        phase in (Phase.OPEN, Phase.UPCOMING)
        and closes is not None
        and closes != survey.closes_at
        and closes <= timezone.now()
    ):
        raise invalid(
            "closes_at",
            _("The closing date must be in the future. To end the survey now, close it."),
            "closes_in_past",
        )
    if "slug" in fields and fields["slug"] is None:
        cleaned["slug"] = survey.slug
    changed = sorted(name for name, value in cleaned.items() if getattr(survey, name) != value)
    before = snapshot(survey, changed)
    for name, value in cleaned.items():
        setattr(survey, name, value)
    survey.save()
    if changed:
        record(
            "surveys.survey_updated",
            actor=by,
            council=survey.council,
            target=survey,
            changed=changed,
            **audit_changes(before, survey, changed),
        )
    return survey


@transaction.atomic
def open_survey(survey: Survey, *, by: Any) -> Survey:
    """Open a draft survey (for answers from ``opens_at``, or at once). It needs at least
    one question, and a closing date (if any) still ahead. Side effects: audit."""
    survey = _locked(survey)
    _check(by, survey, Step.MANAGE)
    if survey.status != Status.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."), code="not_draft")
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question first."), code="no_questions")
    now = timezone.now()
    if survey.closes_at is not None and survey.closes_at <= now:
        raise invalid(
            "closes_at", _("The closing date has passed. Change it first."), "closes_in_past"
        )
    survey.status = Status.OPEN
    survey.opened_at = now
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    record("surveys.survey_opened", actor=by, council=survey.council, target=survey)
    return survey


@transaction.atomic
def close_survey(survey: Survey, *, by: Any) -> Survey:
    """Close an open survey: no more answers (responses not yet sent are never counted).
    A survey is never reopened. Side effects: audit."""
    survey = _locked(survey)
    _check(by, survey, Step.MANAGE)
    if survey.status != Status.OPEN:
        raise ValidationError(_("Only an open survey can be closed."), code="not_open")
    now = timezone.now()
    survey.status = Status.CLOSED
    # Closed by its date already: that is when it closed.
    survey.closed_at = min(now, survey.closes_at) if survey.closes_at else now
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    record("surveys.survey_closed", actor=by, council=survey.council, target=survey)
    return survey


@transaction.atomic
def delete_survey(survey: Survey, *, by: Any) -> None:
    """Delete a draft survey and its questions. Side effects: audit."""
    survey = _locked(survey)
    _check(by, survey, Step.MANAGE)
    if survey.status != Status.DRAFT:
        raise ValidationError(_("Only a draft survey can be deleted."), code="not_draft")
    if survey.responses.exists():
        raise ValidationError(
            _("This survey has responses: it cannot be deleted."), code="has_responses"
        )
    record(
        "surveys.survey_deleted",
        actor=by,
        council=survey.council,
        target=survey,
        title=survey.title,
    )
    # Conditions protect the questions they depend on: undo them first.
    survey.questions.update(show_if_question=None)
    survey.delete()


# --- Questions ----------------------------------------------------------------------------


def _key_from(label: str) -> str:
    return slugify(label).replace("-", "_")[:36].strip("_") or "option"


def _labelled(
    raw: Any, field: str, *, existing: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, str]]:
    """Options (or rows, or a scale) as ``[{"key", "label"}]`` from a list of labels or of
    ``{"key", "label"}``. A label given alone keeps the key it already had (so correcting
    the list keeps answers' meaning); a new one gets a key made from its label."""
    if raw is None:
        return []
    if isinstance(raw, (str, bytes, dict)) or not isinstance(raw, (list, tuple)):
        raise invalid(field, _("Give a list of answers."), "invalid_options")
    if len(raw) > MAX_OPTIONS:
        raise invalid(
            field,
            _("Give no more than %(count)d answers."),
            "too_many_options",
            {"count": MAX_OPTIONS},
        )
    items: list[tuple[str | None, str]] = []
    for item in raw:
        if isinstance(item, dict):
            key = item.get("key")
            label = item.get("label")
            if key is not None and (not isinstance(key, str) or not _KEY.match(key)):
                raise invalid(
                    field,
                    _("An answer's key must be lower-case letters, numbers, - or _."),
                    "invalid_key",
                )
        else:
            key, label = None, item
        if not isinstance(label, str):
            raise invalid(field, _("Each answer needs a label."), "invalid_options")
        label = line(label, field, limit=LABEL_LIMIT)
        items.append((key or None, label))
    labels = [label.casefold() for _key, label in items]
    if len(set(labels)) != len(labels):
        raise invalid(field, _("Give each answer only once."), "duplicate_option")
    given = [key for key, _label in items if key]
    if len(set(given)) != len(given):
        raise invalid(field, _("Give each answer a different key."), "duplicate_key")
    known = {
        str(o.get("label", "")).casefold(): str(o.get("key"))
        for o in existing
        if isinstance(o, dict)
    }
    used = set(given)
    out: list[dict[str, str]] = []
    for key, label in items:
        if key is None:
            key = known.get(label.casefold())
            if key is None or key in used:
                base = _key_from(label)
                key, n = base, 2
                while key in used:
                    key = f"{base}_{n}"
                    n += 1
            used.add(key)
        out.append({"key": key, "label": label})
    return out


def _question_of(value: Any, survey: Survey) -> Question | None:
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, Question) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise invalid(
            "show_if_question", _("Choose a question of this survey."), "invalid_condition"
        ) from None
    found = Question.objects.filter(survey=survey, pk=pk).first()
    if found is None:
        raise invalid(
            "show_if_question", _("Choose a question of this survey."), "invalid_condition"
        )
    return found


def _question_fields(
    changes: Mapping[str, Any], current: Question, survey: Survey
) -> dict[str, Any]:
    """Check ``changes`` to ``current`` (a new question: unsaved) as a whole, and return
    every field's value after the change."""
    unknown = set(changes) - QUESTION_FIELDS
    if unknown:
        raise ValueError(f"Unknown question fields: {sorted(unknown)}")
    kind = changes.get("kind", current.kind)
    if kind not in Kind.values:
        raise invalid("kind", _("Choose a kind of question."), "invalid_kind")
    out: dict[str, Any] = {"kind": kind}
    out["text"] = (
        line(changes["text"], "text", limit=QUESTION_LIMIT) if "text" in changes else current.text
    )
    out["help_text"] = (
        text(changes["help_text"], "help_text", required=False, limit=HELP_LIMIT)
        if "help_text" in changes
        else current.help_text
    )
    out["required"] = (
        _bool(changes["required"], "required") if "required" in changes else current.required
    )
    if "page" in changes:
        page = _whole(changes["page"], "page", low=1, high=MAX_PAGE)
        out["page"] = page if page is not None else current.page
    else:
        out["page"] = current.page

    # Options (choice kinds: the answers; likert: the rows) and the likert scale.
    if kind in CHOICE_KINDS or kind == Kind.LIKERT:
        options = (
            _labelled(changes["options"], "options", existing=current.options or [])
            if "options" in changes
            else list(current.options or [])
        )
    else:
        options = []
    if kind in CHOICE_KINDS and len(options) < 2:
        raise invalid("options", _("Give at least two answers to choose from."), "too_few_options")
    if kind == Kind.LIKERT and not options:
        # One statement: the question itself.
        options = [{"key": "answer", "label": out["text"]}]
    out["options"] = options
    if kind == Kind.LIKERT:
        scale = (
            _labelled(changes["scale"], "scale", existing=current.scale or [])
            if "scale" in changes
            else list(current.scale or [])
        )
        if not scale:
            scale = [{"key": key, "label": _(label)} for key, label in DEFAULT_SCALE]
        if not 2 <= len(scale) <= MAX_SCALE:
            raise invalid(
                "scale",
                _("A scale needs from 2 to %(count)d points."),
                "invalid_scale",
                {"count": MAX_SCALE},
            )
        out["scale"] = scale
    else:
        out["scale"] = []

    # Limits.
    if kind == Kind.NUMBER:
        low = (
            _decimal(changes["min_value"], "min_value")
            if "min_value" in changes
            else current.min_value
        )
        high = (
            _decimal(changes["max_value"], "max_value")
            if "max_value" in changes
            else current.max_value
        )
        if low is not None and high is not None and low > high:
            raise invalid(
                "max_value",
                _("The largest number allowed cannot be less than the smallest."),
                "min_over_max",
            )
        out["min_value"], out["max_value"] = low, high
    else:
        out["min_value"] = out["max_value"] = None
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        out["max_length"] = (
            _whole(changes["max_length"], "max_length", low=1, high=logic.MAX_TEXT_LIMIT)
            if "max_length" in changes
            else current.max_length
        )
    else:
        out["max_length"] = None
    if kind == Kind.MULTIPLE_CHOICE:
        most = (
            _whole(changes["max_choices"], "max_choices", low=1, high=MAX_OPTIONS)
            if "max_choices" in changes
            else current.max_choices
        )
        if most is not None and most > len(options):
            raise invalid(
                "max_choices",
                _("The most answers one may tick cannot be more than the answers given."),
                "max_choices_over_options",
            )
        out["max_choices"] = most
    else:
        out["max_choices"] = None

    # The condition.
    if "show_if_question" in changes:
        controller = _question_of(changes["show_if_question"], survey)
    else:
        controller = current.show_if_question if current.show_if_question_id else None
    if controller is None:
        out["show_if_question"] = None
        out["show_if_values"] = []
    else:
        if current.pk and controller.pk == current.pk:
            raise invalid(
                "show_if_question",
                _("A question cannot depend on itself."),
                "invalid_condition",
            )
        if controller.kind not in CHOICE_KINDS:
            raise invalid(
                "show_if_question",
                _("A question can only depend on a choice question."),
                "condition_not_choice",
            )
        raw_values = changes.get("show_if_values", current.show_if_values)
        if isinstance(raw_values, str):
            raw_values = [raw_values]
        if not isinstance(raw_values, (list, tuple)) or not raw_values:
            raise invalid(
                "show_if_values",
                _("Choose the answers that show this question."),
                "condition_values_required",
            )
        keys = logic.option_keys(controller.options)
        by_label = {str(o["label"]).casefold(): o["key"] for o in controller.options}
        values: list[str] = []
        for value in raw_values:
            if not isinstance(value, str):
                raise invalid(
                    "show_if_values",
                    _("Choose answers of the question this one depends on."),
                    "invalid_condition_value",
                )
            key = value if value in keys else by_label.get(value.casefold())
            if key is None:
                raise invalid(
                    "show_if_values",
                    _("Choose answers of the question this one depends on."),
                    "invalid_condition_value",
                )
            if key not in values:
                values.append(key)
        out["show_if_question"] = controller
        out["show_if_values"] = values
    return out


def _check_order(questions: Sequence[Question]) -> None:
    """Refuse an order in which a question comes before the question it depends on."""
    seen: set[int] = set()
    for question in questions:
        if question.show_if_question_id is not None and question.show_if_question_id not in seen:
            raise invalid(
                "show_if_question",
                _("A question must come after the question it depends on."),
                "condition_not_earlier",
            )
        seen.add(question.pk)


def _check_dependants(question: Question, fields: Mapping[str, Any]) -> None:
    """Refuse a change that breaks a condition that depends on ``question``."""
    dependants = list(Question.objects.filter(show_if_question=question))
    if not dependants:
        return
    if fields["kind"] not in CHOICE_KINDS:
        raise invalid(
            "kind",
            _("Other questions depend on this one's answers: it must stay a choice question."),
            "has_dependants",
        )
    keys = set(logic.option_keys(fields["options"]))
    for dependant in dependants:
        if not set(dependant.show_if_values) <= keys:
            raise invalid(
                "options",
                _("“%(question)s” depends on an answer you removed. Change it first."),
                "has_dependants",
                {"question": dependant.text},
            )


def _only_wording(question: Question, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Once answers may exist: only wording changes, and options keep their keys. Labels
    given alone, as many as before, correct the old ones in order (keys kept)."""
    changes = dict(changes)
    fixed = sorted(set(changes) - WORDING_FIELDS)
    if fixed:
        raise invalid(
            fixed[0],
            _("Only the wording of a question can change once the survey is open."),
            "survey_not_draft",
        )
    for name in ("options", "scale"):
        if name in changes:
            before = logic.option_keys(getattr(question, name))
            given = changes[name]
            if (
                isinstance(given, (list, tuple))
                and len(given) == len(before)
                and all(isinstance(item, str) for item in given)
            ):
                # Unchanged labels keep their keys; the others take the remaining keys in
                # order (so moving an answer is still seen, and refused, below).
                known = {
                    str(o.get("label", "")).casefold(): o.get("key")
                    for o in getattr(question, name)
                }
                keys = [known.get(label.casefold()) for label in given]
                spare = iter(key for key in before if key not in keys)
                changes[name] = [
                    {"key": key or next(spare, ""), "label": label}
                    for key, label in zip(keys, given, strict=True)
                ]
            after = _labelled(changes[name], name, existing=getattr(question, name) or [])
            if [o["key"] for o in after] != before:
                raise invalid(
                    name,
                    _("Answers cannot be added, removed or reordered once the survey is open."),
                    "survey_not_draft",
                )
            changes[name] = after
    return changes


@transaction.atomic
def add_question(
    survey: Survey,
    *,
    by: Any,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = False,
    options: Sequence[Any] = (),
    scale: Sequence[Any] = (),
    page: int | None = None,
    min_value: Any = None,
    max_value: Any = None,
    max_length: Any = None,
    max_choices: Any = None,
    show_if_question: Question | int | None = None,
    show_if_values: Sequence[str] = (),
) -> Question:
    """Add a question to a draft survey: on ``page`` (default: the last page), after the
    questions there. Side effects: audit."""
    survey = _locked(survey)
    _check(by, survey, Step.MANAGE)
    _must_be_draft(survey)
    existing = logic.questions_of(survey)
    if len(existing) >= MAX_QUESTIONS:
        raise ValidationError(
            _("A survey can have at most %(count)d questions."),
            code="too_many_questions",
            params={"count": MAX_QUESTIONS},
        )
    last_page = existing[-1].page if existing else 1
    question = Question(survey=survey, page=last_page)
    fields = _question_fields(
        {
            "kind": kind,
            "text": text,
            "help_text": help_text,
            "required": required,
            "options": list(options) if isinstance(options, (list, tuple)) else options,
            "scale": list(scale) if isinstance(scale, (list, tuple)) else scale,
            "page": page,
            "min_value": min_value,
            "max_value": max_value,
            "max_length": max_length,
            "max_choices": max_choices,
            "show_if_question": show_if_question,
            "show_if_values": list(show_if_values)
            if isinstance(show_if_values, (list, tuple))
            else show_if_values,
        },
        question,
        survey,
    )
    for name, value in fields.items():
        setattr(question, name, value)
    question.position = max((q.position for q in existing), default=0) + 1
    controller = fields["show_if_question"]
    if controller is not None and logic.order_key(controller) >= (
        question.page,
        question.position,
        0,
    ):
        raise invalid(
            "show_if_question",
            _("A question can only depend on an earlier question."),
            "condition_not_earlier",
        )
    question.save()
    record(
        "surveys.question_added",
        actor=by,
        council=survey.council,
        target=survey,
        question=question.pk,
        kind=question.kind,
    )
    return question


@transaction.atomic
def update_question(question: Question, *, by: Any, **fields: Any) -> Question:
    """Change a question: anything while the survey is a draft (checked as a whole, and
    refused if it breaks a condition on it or its own); only its wording once open.
    Side effects: audit (the names of the fields that changed)."""
    survey = _locked(question.survey)
    question = Question.objects.select_related("show_if_question").get(pk=question.pk)
    _check(by, survey, Step.MANAGE)
    if survey.status != Status.DRAFT:
        fields = _only_wording(question, fields)
    cleaned = _question_fields(fields, question, survey)
    _check_dependants(question, cleaned)
    before = {name: getattr(question, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(question, name, value)
    _check_order(
        logic.ordered([q for q in survey.questions.all() if q.pk != question.pk] + [question])
    )
    changed = sorted(name for name in cleaned if before[name] != getattr(question, name))
    question.save()
    if changed:
        record(
            "surveys.question_updated",
            actor=by,
            council=survey.council,
            target=survey,
            question=question.pk,
            changed=changed,
            **audit_changes(before, question, changed),
        )
    return question


@transaction.atomic
def remove_question(question: Question, *, by: Any) -> None:
    """Remove a question from a draft survey; refused while another question's condition
    depends on it. Side effects: audit."""
    survey = _locked(question.survey)
    _check(by, survey, Step.MANAGE)
    _must_be_draft(survey)
    dependant = Question.objects.filter(show_if_question_id=question.pk).first()
    if dependant is not None:
        raise ValidationError(
            _("“%(question)s” depends on this question. Change or remove it first."),
            code="has_dependants",
            params={"question": dependant.text},
        )
    record(
        "surveys.question_removed",
        actor=by,
        council=survey.council,
        target=survey,
        question=question.pk,
        text=question.text,
    )
    Question.objects.filter(pk=question.pk).delete()


@transaction.atomic
def move_question(question: Question, *, by: Any, direction: str) -> Question:
    """Move a question one place up or down in a draft survey. Next to a page break it
    moves onto the neighbouring page (up: the end of the page before; down: the start of
    the page after). Refused when a question would come before the one it depends on.
    Side effects: audit."""
    survey = _locked(question.survey)
    _check(by, survey, Step.MANAGE)
    _must_be_draft(survey)
    if direction not in ("up", "down"):
        raise invalid("direction", _("Move a question up or down."), "invalid_direction")
    questions = logic.questions_of(survey)
    at = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(questions):
        raise ValidationError(
            _("This question is already first.")
            if direction == "up"
            else _("This question is already last."),
            code="cannot_move",
        )
    moving, neighbour = questions[at], questions[other]
    if moving.page == neighbour.page:
        questions[at], questions[other] = neighbour, moving
    else:
        moving.page = neighbour.page
    _check_order(questions)
    for position, item in enumerate(questions, start=1):
        item.position = position
    Question.objects.bulk_update(questions, ["position", "page"])
    record(
        "surveys.question_moved",
        actor=by,
        council=survey.council,
        target=survey,
        question=question.pk,
        direction=direction,
    )
    question.refresh_from_db()
    return question


def _must_be_draft(survey: Survey) -> None:
    if survey.status != Status.DRAFT:
        raise ValidationError(
            _("Questions cannot be added, removed or moved once the survey is open."),
            code="survey_not_draft",
        )


# --- Answering -------------------------------------------------------------------------------


def pages_of(questions: Iterable[Question]) -> list[int]:
    """The survey's question pages, in order (numbers as set by the builder)."""
    return sorted({q.page for q in questions})


def answers_of(response: Response) -> dict[int, Any]:
    """``{question id: value}`` of everything stored in ``response``."""
    return dict(Answer.objects.filter(response=response).values_list("question_id", "value"))


def page_questions(
    survey: Survey, page: int, answers: Mapping[int, Any], questions: Sequence[Question]
) -> list[Question]:
    """The questions shown on ``page`` to someone who gave ``answers``."""
    return [
        q for q in logic.visible_questions(survey, answers, questions=questions) if q.page == page
    ]


def next_page(
    survey: Survey, after: int, answers: Mapping[int, Any], questions: Sequence[Question]
) -> int:
    """The page after ``after`` that has a question to show (pages whose every question is
    hidden are skipped), then the equality block (when asked), then "check your answers"."""
    shown = {q.page for q in logic.visible_questions(survey, answers, questions=questions)}
    for page in pages_of(questions):
        if page > after and page in shown:
            return page
    if after < ABOUT_YOU_PAGE and survey.equality_monitoring:
        return ABOUT_YOU_PAGE
    return CHECK_PAGE


def previous_page(
    survey: Survey, before: int, answers: Mapping[int, Any], questions: Sequence[Question]
) -> int | None:
    """The page before ``before`` that has a question to show, or None (the first page)."""
    shown = {q.page for q in logic.visible_questions(survey, answers, questions=questions)}
    if before > ABOUT_YOU_PAGE and survey.equality_monitoring:
        return ABOUT_YOU_PAGE
    earlier = [page for page in pages_of(questions) if page < before and page in shown]
    return earlier[-1] if earlier else None


def _hold(response: Response) -> Response:
    # Lock the response row only (its survey is read, not changed).
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey__council")
        .get(pk=response.pk)
    )


def _answerable(response: Response) -> None:
    """Refuse to change a response that was sent, or whose survey is not open now."""
    if response.state != Response.State.IN_PROGRESS:
        raise ValidationError(_("You have already sent your answers."), code="already_submitted")
    if response.channel != Response.Channel.ONLINE:
        raise ValidationError(_("This response was entered from paper."), code="paper")
    phase = phase_of(response.survey)
    if phase != Phase.OPEN:
        raise StepRefused(
            refusal(None, response.survey, Step.ANSWER) or _("This survey is not open."),
            Step.ANSWER,
        )


@transaction.atomic
def start_response(survey: Survey, *, user: Any = None) -> Response:
    """Start answering ``survey``: refused unless it is open and ``user`` (None: someone
    not signed in) may answer. A signed-in person has one response per survey: theirs is
    returned if they already started (or sent) one."""
    survey = Survey.objects.select_related("council").get(pk=survey.pk)
    why = refusal(user, survey, Step.ANSWER)
    if why is not None:
        raise StepRefused(why, Step.ANSWER)
    person = _as_user(user)
    if person is None:
        return Response.objects.create(survey=survey)
    mine = Response.objects.filter(survey=survey, user=person)
    found = mine.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Response.objects.create(survey=survey, user=person)
    except IntegrityError:
        # The same person starting twice at once: one response.
        return mine.get()


def _equality(data: Mapping[str, Any]) -> tuple[dict[str, str], list[AnswerError]]:
    cleaned: dict[str, str] = {}
    errors: list[AnswerError] = []
    for name, allowed in EQUALITY_FIELDS.items():
        value = data.get(name, "")
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if value is None:
            value = ""
        if not isinstance(value, str) or (value and value not in allowed | {PREFER_NOT_TO_SAY}):
            errors.append(
                AnswerError(None, name, _("Select one of the answers given."), "invalid_choice")
            )
            continue
        cleaned[name] = value
    return cleaned, errors


def _by_id(data: Mapping[Any, Any]) -> dict[int, Any]:
    """``data`` keyed by question id (given as ints, "12" or "q12")."""
    out: dict[int, Any] = {}
    for key, value in data.items():
        if isinstance(key, bool):
            continue
        if isinstance(key, int):
            out[key] = value
            continue
        name = str(key).removeprefix("q")
        if name.isdigit() and len(name) < 19:
            out[int(name)] = value
    return out


@transaction.atomic
def save_page(
    response: Response,
    page: int,
    data: Mapping[Any, Any],
    *,
    require: bool = True,
    advance: bool = True,
) -> list[AnswerError]:
    """Check and store one page's answers (``data``: {question id: raw value}, for the
    questions shown on the page; on :data:`ABOUT_YOU_PAGE`: the equality fields).

    Returns the refused answers; when there are any nothing is written. ``require=False``
    (saving to come back later) lets required questions stay unanswered. On success the
    page's answers replace what was stored for it (hidden questions' answers are
    dropped), and ``current_page`` becomes the page to go to next (``advance``), or this
    page (saving for later). A question that a changed answer newly shows on this same
    page keeps the person on this page, so they see it. Raises ``StepRefused`` when the
    survey is not open and ``ValidationError`` when the response was already sent.
    """
    response = _hold(response)
    survey = response.survey
    _answerable(response)
    questions = logic.questions_of(survey)
    if page == ABOUT_YOU_PAGE:
        if not survey.equality_monitoring:
            raise ValidationError(_("This page is not part of the survey."), code="no_such_page")
        cleaned_equality, errors = _equality(data)
        if errors:
            return errors
        for name, value in cleaned_equality.items():
            setattr(response, name, value)
        stored = answers_of(response)
        response.current_page = next_page(survey, page, stored, questions) if advance else page
        response.save()
        return []
    on_page = [q for q in questions if q.page == page]
    if not on_page:
        raise ValidationError(_("This page is not part of the survey."), code="no_such_page")
    given = _by_id(data)
    stored = answers_of(response)
    cleaned: dict[int, Any] = {}
    refused: dict[int, AnswerError] = {}
    council = survey.council
    for question in on_page:
        if question.pk not in given:
            continue
        try:
            cleaned[question.pk] = logic.clean_answer(question, given[question.pk], council=council)
        except ValidationError as error:
            message, code = _message(error)
            refused[question.pk] = AnswerError(
                question.pk, logic.field_name(question), message, code
            )
    after = {k: v for k, v in stored.items() if k not in {q.pk for q in on_page}}
    after |= {k: v for k, v in cleaned.items() if v is not None}
    shown = [q for q in on_page if q in logic.visible_questions(survey, after, questions=questions)]
    errors = [refused[q.pk] for q in shown if q.pk in refused]
    newly_shown = [q for q in shown if q.pk not in given]
    if require:
        for q in shown:
            if q.pk not in given or q.pk in refused:
                continue
            missing = logic.required_error(q, cleaned.get(q.pk))
            if missing is not None:
                message, code = _message(missing)
                errors.append(AnswerError(q.pk, logic.field_name(q), message, code))
    if errors:
        return sorted(errors, key=lambda e: [q.pk for q in shown].index(e.question_id or 0))
    Answer.objects.filter(response=response, question__in=on_page).delete()
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=cleaned[q.pk])
        for q in shown
        if cleaned.get(q.pk) is not None
    )
    if newly_shown or not advance:
        response.current_page = page
    else:
        response.current_page = next_page(survey, page, after, questions)
    response.save()
    return []


def _ward(
    survey: Survey,
    questions: Sequence[Question],
    answers: Mapping[int, Any],
    user: Any,
    *,
    wards: Mapping[int, Ward] | None = None,
) -> Ward | None:
    """Where the respondent lives: their answer to a ward question, else to a postcode
    question, else their account's postcode. ``wards`` (the council's, by id) saves a
    query."""
    for question in questions:
        value = answers.get(question.pk)
        if question.kind == Kind.WARD and isinstance(value, int):
            if wards is not None:
                found = wards.get(value)
            else:
                found = Ward.objects.filter(council=survey.council, pk=value).first()
            if found is not None:
                return found
    for question in questions:
        value = answers.get(question.pk)
        if question.kind == Kind.POSTCODE and isinstance(value, str):
            found = logic.ward_of_postcode(survey.council, value)
            if found is not None:
                return found
    postcode = getattr(user, "postcode", "") or ""
    if postcode:
        try:
            return logic.ward_of_postcode(survey.council, normalise_postcode(postcode))
        except InvalidPostcode:
            return None
    return None


@transaction.atomic
def submit_response(response: Response) -> Response:
    """Send a response: every question shown must have its required answers (else a
    ``ValidationError`` keyed by each unanswered question's field, nothing changed).
    Answers to questions that the final answers hide are discarded. Sets the response's
    ward (from a ward or postcode answer, or the account's postcode). Sending twice
    changes nothing. Raises ``StepRefused`` when the survey is not open or the person may
    no longer answer it."""
    response = _hold(response)
    if response.state == Response.State.SUBMITTED:
        return response
    _answerable(response)
    survey = response.survey
    if response.user_id is not None:
        why = refusal(response.user, survey, Step.ANSWER)
        if why is not None:
            raise StepRefused(why, Step.ANSWER)
    questions = logic.questions_of(survey)
    stored = answers_of(response)
    shown = logic.visible_questions(survey, stored, questions=questions)
    missing = {
        logic.field_name(q): error
        for q in shown
        if (error := logic.required_error(q, stored.get(q.pk))) is not None
    }
    if missing:
        raise ValidationError(missing)
    shown_ids = {q.pk for q in shown}
    hidden = [pk for pk in stored if pk not in shown_ids]
    if hidden:
        Answer.objects.filter(response=response, question_id__in=hidden).delete()
    answers = {pk: value for pk, value in stored.items() if pk in shown_ids}
    response.ward = _ward(survey, shown, answers, response.user)
    response.state = Response.State.SUBMITTED
    response.submitted_at = timezone.now()
    response.current_page = CHECK_PAGE
    response.save()
    return response


@dataclass(frozen=True)
class _Checked:
    """A whole response, checked: the answers kept (conditions applied), the equality
    answers, and the questions shown."""

    answers: dict[int, Any]
    equality: dict[str, str]
    shown: list[Question]


def _check_whole(
    survey: Survey,
    questions: Sequence[Question],
    answers: Mapping[Any, Any],
    equality: Mapping[str, Any] | None,
) -> _Checked:
    """Check a whole response given at once (paper, or imported): each answer as online,
    conditions applied (answers to questions the other answers hide are dropped), required
    questions not enforced (it is entered as it was given). Raises ``ValidationError``
    keyed by field; refuses a response with nothing in it."""
    by_pk = {q.pk: q for q in questions}
    given = _by_id(answers)
    unknown = sorted(set(given) - set(by_pk))
    if unknown or len(given) != len(answers):
        raise invalid("answers", _("Answer only this survey's questions."), "unknown_question")
    errors: dict[str, ValidationError] = {}
    cleaned: dict[int, Any] = {}
    for pk, raw in given.items():
        try:
            value = logic.clean_answer(by_pk[pk], raw, council=survey.council)
        except ValidationError as error:
            message, code = _message(error)
            errors[logic.field_name(pk)] = ValidationError(message, code=code)
            continue
        if value is not None:
            cleaned[pk] = value
    shown = logic.visible_questions(survey, cleaned, questions=questions)
    shown_ids = {q.pk for q in shown}
    errors = {
        name: error for name, error in errors.items() if int(name.removeprefix("q")) in shown_ids
    }
    equality_values, equality_errors = (
        _equality(equality or {}) if survey.equality_monitoring else ({}, [])
    )
    for problem in equality_errors:
        errors[problem.field] = ValidationError(problem.message, code=problem.code)
    if errors:
        raise ValidationError(errors)
    kept = {pk: value for pk, value in cleaned.items() if pk in shown_ids}
    if not kept and not any(equality_values.values()):
        raise ValidationError(_("Enter at least one answer from the paper."), code="empty")
    return _Checked(answers=kept, equality=equality_values, shown=shown)


@transaction.atomic
def enter_paper_response(
    survey: Survey,
    *,
    by: Any,
    answers: Mapping[Any, Any],
    equality: Mapping[str, Any] | None = None,
) -> Response:
    """An officer enters a response that came on paper, all at once: marked as paper, with
    who entered it. Each answer is checked as online; conditions are applied (answers to
    questions the paper's other answers hide are dropped). Required questions may be left
    blank, as the paper was: it is entered as given. Refused (``ValidationError`` keyed by
    field, nothing written) for a bad answer or an empty paper. Side effects: audit."""
    survey = Survey.objects.select_related("council").get(pk=survey.pk)
    _check(by, survey, Step.ENTER_PAPER)
    questions = logic.questions_of(survey)
    checked = _check_whole(survey, questions, answers, equality)
    response = Response.objects.create(
        survey=survey,
        channel=Response.Channel.PAPER,
        state=Response.State.SUBMITTED,
        entered_by=_as_user(by),
        submitted_at=timezone.now(),
        current_page=CHECK_PAGE,
        ward=_ward(survey, checked.shown, checked.answers, None),
        **checked.equality,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, value=value)
        for pk, value in checked.answers.items()
    )
    record(
        "surveys.paper_response_entered",
        actor=by,
        council=survey.council,
        target=survey,
        response=response.pk,
    )
    return response


@dataclass(frozen=True)
class ImportedResponse:
    """One response gathered elsewhere: answers ({question id: value}), equality answers,
    and when it was sent (default: now)."""

    answers: Mapping[Any, Any]
    equality: Mapping[str, Any] | None = None
    submitted_at: dt.datetime | None = None


@transaction.atomic
def import_responses(
    survey: Survey,
    *,
    by: Any,
    rows: Sequence[ImportedResponse],
    channel: str = Response.Channel.ONLINE,
) -> list[Response]:
    """Add many sent responses gathered elsewhere (another survey tool, a data-entry
    bureau, the demo) at once, each checked as a paper response is, and inserted in bulk.
    All or nothing: a bad row is refused with a ``ValidationError`` naming it (its
    number, from 1, and the field). Only while the survey is open, by staff who may enter
    paper responses. Side effects: one audit entry."""
    survey = Survey.objects.select_related("council").get(pk=survey.pk)
    _check(by, survey, Step.ENTER_PAPER)
    if channel not in Response.Channel.values:
        raise invalid("channel", _("Choose online or paper."), "invalid_channel")
    questions = logic.questions_of(survey)
    wards = {w.pk: w for w in Ward.objects.filter(council=survey.council)}
    now = timezone.now()
    made: list[tuple[Response, dict[int, Any]]] = []
    for number, row in enumerate(rows, start=1):
        try:
            checked = _check_whole(survey, questions, row.answers, row.equality)
        except ValidationError as error:
            message, code = _message(error)
            raise ValidationError(
                _("Response %(number)d: %(problem)s"),
                code=code,
                params={"number": number, "problem": message},
            ) from None
        when = _when(row.submitted_at, "submitted_at") or now
        response = Response(
            survey=survey,
            channel=channel,
            state=Response.State.SUBMITTED,
            entered_by=_as_user(by) if channel == Response.Channel.PAPER else None,
            started_at=when,
            submitted_at=when,
            current_page=CHECK_PAGE,
            ward=_ward(survey, checked.shown, checked.answers, None, wards=wards),
            **checked.equality,
        )
        made.append((response, checked.answers))
    responses = Response.objects.bulk_create([response for response, _answers in made])
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, value=value)
        for response, (_made, answers) in zip(responses, made, strict=True)
        for pk, value in answers.items()
    )
    record(
        "surveys.responses_imported",
        actor=by,
        council=survey.council,
        target=survey,
        count=len(responses),
        channel=channel,
    )
    return responses


def response_by_token(survey: Survey, token: str) -> Response | None:
    """The online response with this "save and return" token, if any."""
    if not token or len(token) > 64:
        return None
    return (
        Response.objects.select_related("survey__council")
        .filter(survey=survey, token=token, channel=Response.Channel.ONLINE)
        .first()
    )
