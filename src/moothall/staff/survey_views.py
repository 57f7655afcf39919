"""The survey builder and results, at /<council>/staff/surveys/.

Officers and council admins (``Action.MANAGE_CONSULTATIONS``, with MFA as for every staff
action) create a survey, set its details, add, change, reorder and remove its questions
(page breaks and conditions included), preview it as a resident will see it, open and
close it, and read the results with a CSV download of every response.

Each view is thin: fetch the council through :func:`moothall.accounts.access.get_council_for`
(404 for an unknown council, 403 for someone who may not act there), fetch the survey
scoped to it (404 otherwise) and ask :func:`moothall.surveys.rules.refusal` for the
``MANAGE`` step, check a form from :mod:`moothall.staff.survey_forms`, call one verb from
:mod:`moothall.surveys.domain`, then add a message and redirect. A verb's refusal
(``StepRefused`` or ``ValidationError``) comes back into the form and its error summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.audit import record_export
from moothall.core.forms import add_verb_errors
from moothall.councils.models import Council
from moothall.staff import survey_forms as sf
from moothall.surveys import domain, export, logic, results
from moothall.surveys import forms as answer_forms
from moothall.surveys.domain import StepRefused
from moothall.surveys.models import CHOICE_KINDS, Kind, Question, Response, Status, Survey
from moothall.surveys.rules import Phase, Step, phase_of, refusal

# --- Fetching what a person may act on ------------------------------------------------------


def _council(request: HttpRequest, slug: str) -> Council:
    return get_council_for(request.user, slug, Action.MANAGE_CONSULTATIONS)


def _survey(request: HttpRequest, council: str, slug: str) -> tuple[Council, Survey]:
    here = _council(request, council)
    found = Survey.objects.filter(council=here, slug=slug).first()
    if found is None:
        raise Http404("No such survey.")
    found.council = here  # already loaded: saves a query per use
    why = refusal(request.user, found, Step.MANAGE)
    if why is not None:
        raise PermissionDenied(why)
    return here, found


def _question(survey: Survey, question_id: int) -> Question:
    found = (
        Question.objects.select_related("show_if_question")
        .filter(survey=survey, pk=question_id)
        .first()
    )
    if found is None:
        raise Http404("No such question.")
    found.survey = survey
    return found


def _url(name: str, survey: Survey, **kwargs: Any) -> str:
    return reverse(
        f"staff:{name}", kwargs={"council": survey.council.slug, "slug": survey.slug, **kwargs}
    )


def _apply(form: forms.BaseForm, error: ValidationError, aliases: dict[str, str]) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {aliases.get(name, name): errors for name, errors in error.error_dict.items()}
        )
    add_verb_errors(form, error)


def _attempt(
    form: forms.BaseForm, call: Callable[[], Any], aliases: dict[str, str] | None = None
) -> tuple[bool, Any]:
    """Run a verb; on a refusal put its message into ``form`` and return (False, None)."""
    try:
        return True, call()
    except StepRefused as refused:
        form.add_error(None, refused.message)
    except ValidationError as error:
        _apply(form, error, aliases or {})
    return False, None


def _ctx(survey: Survey, section: str, **extra: Any) -> dict[str, Any]:
    return {
        "council": survey.council,
        "survey": survey,
        "phase": phase_of(survey),
        "section": section,
        "is_draft": survey.status == Status.DRAFT,
        **extra,
    }


def _fields_that_may_change(survey: Survey) -> frozenset[str] | None:
    """The survey's settings that may change in its phase (None: all)."""
    phase = phase_of(survey)
    if phase == Phase.DRAFT:
        return None
    if phase == Phase.CLOSED:
        return domain.CLOSED_SURVEY_FIELDS
    return domain.LIVE_SURVEY_FIELDS


# --- The list and creating a survey ------------------------------------------------------------


@never_cache
@login_required
@require_safe
def surveys(request: HttpRequest, council: str) -> HttpResponse:
    here = _council(request, council)
    found = list(
        Survey.objects.filter(council=here)
        .annotate(
            sent=Count("responses", filter=Q(responses__state=Response.State.SUBMITTED)),
        )
        .order_by("-created_at", "-id")
    )
    rows = [(s, phase_of(s)) for s in found]
    return render(request, "staff/surveys/list.html", {"council": here, "rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, council: str) -> HttpResponse:
    here = _council(request, council)
    form = sf.SurveyForm(
        request.POST if request.method == "POST" else None, initial=sf.SurveyForm.new_initial()
    )
    if form.is_valid():
        ok, survey = _attempt(
            form,
            lambda: domain.create_survey(here, by=request.user, **form.changes(creating=True)),
            sf.SURVEY_ALIASES,
        )
        if ok:
            survey.council = here
            messages.success(
                request,
                _("“%(title)s” is created. It stays hidden until you open it. Add its questions.")
                % {"title": survey.title},
            )
            return redirect(_url("survey", survey))
    return render(request, "staff/surveys/builder_details.html", {"council": here, "form": form})


# --- One survey: the builder ---------------------------------------------------------------


def describe_condition(question: Question, numbers: dict[int, int]) -> str:
    """“Shown when question 2 is “Yes” or “Sometimes”.”"""
    controller = question.show_if_question
    if controller is None:
        return ""
    labels = [f"“{logic.option_label(controller.options, key)}”" for key in question.show_if_values]
    words = _(" or ").join(labels)
    number = numbers.get(controller.pk, 0)
    if controller.kind == Kind.MULTIPLE_CHOICE:
        return _("Shown when the answer to question %(number)d includes %(values)s.") % {
            "number": number,
            "values": words,
        }
    if controller.kind == Kind.RANKING:
        return _("Shown when %(values)s is ranked first in question %(number)d.") % {
            "number": number,
            "values": words,
        }
    return _("Shown when the answer to question %(number)d is %(values)s.") % {
        "number": number,
        "values": words,
    }


def _pages(questions: list[Question]) -> list[dict[str, Any]]:
    """The questions grouped by page, each with its number and condition in words."""
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    by_id = {q.pk: q for q in questions}
    pages: list[dict[str, Any]] = []
    for n, q in enumerate(questions, start=1):
        if q.show_if_question_id:
            q.show_if_question = by_id.get(q.show_if_question_id)
        if not pages or pages[-1]["number"] != q.page:
            pages.append({"number": q.page, "rows": []})
        pages[-1]["rows"].append(
            {
                "question": q,
                "number": n,
                "condition": describe_condition(q, numbers),
                "first": n == 1,
                "last": n == len(questions),
                "options": [str(o.get("label", "")) for o in q.options or []]
                if q.kind in CHOICE_KINDS or (q.kind == Kind.LIKERT and len(q.options or []) > 1)
                else [],
            }
        )
    for index, page in enumerate(pages, start=1):
        page["index"] = index
    return pages


@never_cache
@login_required
@require_safe
def survey(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    questions = logic.questions_of(found)
    counts = dict(
        Response.objects.filter(survey=found)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return render(
        request,
        "staff/surveys/builder_survey.html",
        _ctx(
            found,
            "questions",
            pages=_pages(questions),
            question_count=len(questions),
            sent=counts.get(Response.State.SUBMITTED, 0),
            in_progress=counts.get(Response.State.IN_PROGRESS, 0),
            move_form=sf.MoveForm(),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    may = _fields_that_may_change(found)
    form = sf.SurveyForm(
        request.POST if request.method == "POST" else None,
        initial=sf.SurveyForm.initial_for(found),
        may=may,
    )
    if form.is_valid():
        ok, updated = _attempt(
            form,
            lambda: domain.update_survey(found, by=request.user, **form.changes()),
            sf.SURVEY_ALIASES,
        )
        if ok:
            updated.council = found.council
            messages.success(request, _("The survey's details are saved."))
            return redirect(_url("survey", updated))
    return render(
        request,
        "staff/surveys/builder_details.html",
        _ctx(found, "details", form=form, limited=may is not None),
    )


# --- Questions -------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return str(Kind(kind).label)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_question_new(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    if found.status != Status.DRAFT:
        return render(
            request,
            "staff/surveys/builder_closed.html",
            _ctx(
                found,
                "questions",
                closed=_("Questions cannot be added once the survey is open."),
            ),
        )
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        # First choose the kind (a GET form: the choice lands in the address).
        # "choose" is sent with the form, so Continue with nothing chosen says so.
        sent = "kind" in request.GET or "choose" in request.GET
        chooser = sf.KindForm(request.GET if sent else None)
        if chooser.is_bound:
            chooser.is_valid()
        return render(
            request, "staff/surveys/builder_kind.html", _ctx(found, "questions", form=chooser)
        )
    questions = logic.questions_of(found)
    form = sf.QuestionForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        survey=found,
        survey_questions=questions,
        initial=sf.QuestionForm.new_initial(kind, questions),
    )
    if form.is_valid():
        ok, added = _attempt(
            form,
            lambda: domain.add_question(found, by=request.user, kind=kind, **form.changes()),
            sf.QUESTION_ALIASES,
        )
        if ok:
            messages.success(request, _("The question “%(text)s” is added.") % {"text": added.text})
            if "another" in request.POST:
                return redirect(_url("survey_question_new", found))
            return redirect(_url("survey", found) + f"#question-{added.pk}")
    return render(
        request,
        "staff/surveys/builder_question.html",
        _ctx(
            found,
            "questions",
            form=form,
            kind=kind,
            kind_label=_kind_label(kind),
            kind_hint=sf.KIND_HINTS[Kind(kind)],
            creating=True,
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_question_edit(
    request: HttpRequest, council: str, slug: str, question_id: int
) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    item = _question(found, question_id)
    questions = logic.questions_of(found)
    wording_only = found.status != Status.DRAFT
    form = sf.QuestionForm(
        request.POST if request.method == "POST" else None,
        kind=item.kind,
        survey=found,
        survey_questions=questions,
        question=item,
        wording_only=wording_only,
        initial=sf.QuestionForm.initial_for(item),
    )
    if form.is_valid():
        ok, _changed = _attempt(
            form,
            lambda: domain.update_question(item, by=request.user, **form.changes()),
            sf.QUESTION_ALIASES,
        )
        if ok:
            messages.success(request, _("The question is saved."))
            return redirect(_url("survey", found) + f"#question-{item.pk}")
    number = next((n for n, q in enumerate(questions, start=1) if q.pk == item.pk), 0)
    return render(
        request,
        "staff/surveys/builder_question.html",
        _ctx(
            found,
            "questions",
            form=form,
            question=item,
            number=number,
            kind=item.kind,
            kind_label=_kind_label(item.kind),
            kind_hint=sf.KIND_HINTS[Kind(item.kind)],
            creating=False,
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_question_remove(
    request: HttpRequest, council: str, slug: str, question_id: int
) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    item = _question(found, question_id)
    form = sf.ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        ok, _nothing = _attempt(form, lambda: domain.remove_question(item, by=request.user))
        if ok:
            messages.success(
                request, _("The question “%(text)s” is removed.") % {"text": item.text}
            )
            return redirect(_url("survey", found))
    closed = (
        None
        if found.status == Status.DRAFT
        else _("Questions cannot be removed once the survey is open.")
    )
    return render(
        request,
        "staff/surveys/builder_remove.html",
        _ctx(found, "questions", form=form, question=item, closed=closed),
    )


@never_cache
@login_required
@require_POST
def survey_question_move(
    request: HttpRequest, council: str, slug: str, question_id: int
) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    item = _question(found, question_id)
    form = sf.MoveForm(request.POST)
    if form.is_valid():
        ok, _moved = _attempt(
            form,
            lambda: domain.move_question(
                item, by=request.user, direction=form.cleaned_data["direction"]
            ),
        )
        if ok:
            messages.success(request, _("The question is moved."))
            return redirect(_url("survey", found) + f"#question-{item.pk}")
    for error in [*form.non_field_errors(), *form["direction"].errors]:
        messages.error(request, str(error))
    return redirect(_url("survey", found) + f"#question-{item.pk}")


# --- Preview ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def survey_preview(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    """The questions page by page with the very fields residents get (S1's answering
    markup), each conditional one saying when it is asked. Nothing can be sent."""
    _here, found = _survey(request, council, slug)
    questions = logic.questions_of(found)
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    wards = answer_forms.wards_of(found.council)
    pages = _pages(questions)
    for page in pages:
        for row in page["rows"]:
            question = row["question"]
            row["field"] = answer_forms.field_for(
                question, wards=wards, condition=describe_condition(question, numbers)
            )
    return render(
        request,
        "staff/surveys/builder_preview.html",
        _ctx(
            found,
            "preview",
            pages=pages,
            equality=answer_forms.equality_fields({}) if found.equality_monitoring else [],
        ),
    )


# --- Lifecycle -------------------------------------------------------------------------------


def _lifecycle(
    request: HttpRequest,
    council: str,
    slug: str,
    *,
    section: str,
    allowed: Callable[[Survey], str | None],
    verb: Callable[..., Any],
    template: str,
    done: str,
) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    form = sf.ConfirmForm(request.POST if request.method == "POST" else None)
    closed = allowed(found)
    if closed is None and form.is_valid():
        ok, _result = _attempt(form, lambda: verb(found, by=request.user), sf.SURVEY_ALIASES)
        if ok:
            messages.success(request, done)
            if section == "delete":
                return redirect(reverse("staff:surveys", kwargs={"council": found.council.slug}))
            return redirect(_url("survey", found))
    return render(
        request,
        template,
        _ctx(
            found,
            section,
            form=form,
            closed=closed,
            question_count=found.questions.count(),
            sent=found.responses.filter(state=Response.State.SUBMITTED).count(),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_open(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    return _lifecycle(
        request,
        council,
        slug,
        section="open",
        allowed=lambda s: None if s.status == Status.DRAFT else _("The survey is already open."),
        verb=domain.open_survey,
        template="staff/surveys/builder_open.html",
        done=_("The survey is open."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_close(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    return _lifecycle(
        request,
        council,
        slug,
        section="close",
        allowed=lambda s: (
            None
            if s.status == Status.OPEN
            else (
                _("The survey is closed.")
                if s.status == Status.CLOSED
                else _("The survey has not been opened.")
            )
        ),
        verb=domain.close_survey,
        template="staff/surveys/builder_close.html",
        done=_("The survey is closed. No more answers can be sent."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_delete(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    return _lifecycle(
        request,
        council,
        slug,
        section="delete",
        allowed=lambda s: (
            None
            if s.status == Status.DRAFT
            else _("Only a survey that has never been opened can be deleted.")
        ),
        verb=domain.delete_survey,
        template="staff/surveys/builder_delete.html",
        done=_("The survey is deleted."),
    )


# --- Results ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def survey_results(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    _here, found = _survey(request, council, slug)
    figures = results.survey_results(found, results.STAFF)
    return render(
        request,
        "staff/surveys/results.html",
        _ctx(found, "results", results=figures),
    )


@never_cache
@login_required
@require_safe
def survey_csv(request: HttpRequest, council: str, slug: str) -> StreamingHttpResponse:
    here, found = _survey(request, council, slug)
    record_export(
        "surveys.responses_exported",
        actor=request.user,
        council=here,
        target=found,
        format="csv",
        rows=Response.objects.filter(survey=found, state=Response.State.SUBMITTED).count(),
    )
    return export.response(found)
