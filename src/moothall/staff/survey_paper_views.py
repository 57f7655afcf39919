"""Paper responses to a survey, at /<council>/staff/surveys/<slug>/paper/.

Officers and council admins (``Action.MANAGE_CONSULTATIONS``, with MFA) type in a response
that came on paper, all questions on one page. It is checked like an online response,
conditions are applied when it is saved (answers to questions the paper's other answers
hide are dropped), and it is marked as paper with who entered it. Required questions may
be left blank: the paper is entered as it was filled in.

Thin views: fetch the council through :func:`moothall.accounts.access.get_council_for`
(404 for an unknown council, 403 for someone who may not act there), the survey scoped to
it (404 otherwise), read the form with :mod:`moothall.surveys.forms`, call
:func:`moothall.surveys.domain.enter_paper_response`, then redirect with a message or show
the page again with the errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.councils.models import Council
from moothall.surveys import domain, forms, logic, rules
from moothall.surveys.domain import AnswerError, StepRefused
from moothall.surveys.models import Question, Response, Survey
from moothall.surveys.rules import Step

PAPER_PER_PAGE = 100


def _survey(request: HttpRequest, council: str, slug: str) -> tuple[Council, Survey]:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    found = Survey.objects.filter(council=here, slug=slug).first()
    if found is None:
        raise Http404("No such survey.")
    found.council = here
    return here, found


def _condition(question: Question, by_pk: dict[int, Question]) -> str:
    """When a conditional question applies, in words (for the officer reading the paper)."""
    controller = by_pk.get(question.show_if_question_id or 0)
    if controller is None:
        return ""
    answers = [logic.option_label(controller.options, key) for key in question.show_if_values]
    return _("Only if the answer to “%(question)s” is %(answers)s.") % {
        "question": controller.text,
        "answers": _(" or ").join(f"“{a}”" for a in answers),
    }


def _fields(survey: Survey, questions: list[Question], values: dict[int, Any]) -> list[forms.Field]:
    by_pk = {q.pk: q for q in questions}
    wards = forms.wards_of(survey.council) if any(q.kind == "ward" for q in questions) else []
    return [
        forms.field_for(q, values.get(q.pk), wards=wards, condition=_condition(q, by_pk))
        for q in questions
    ]


def _errors(error: ValidationError) -> list[AnswerError]:
    out = []
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            for problem in problems:
                message = problem.message % problem.params if problem.params else problem.message
                out.append(AnswerError(None, name, str(message), problem.code or "invalid"))
    else:
        out.extend(
            AnswerError(None, "", message, error.code or "invalid") for message in error.messages
        )
    return out


@never_cache
@login_required
@require_safe
def survey_paper(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    here, found = _survey(request, council, slug)
    counts = Response.objects.filter(survey=found, state=Response.State.SUBMITTED).aggregate(
        online=Count("pk", filter=Q(channel=Response.Channel.ONLINE)),
        paper=Count("pk", filter=Q(channel=Response.Channel.PAPER)),
    )
    entered = Paginator(
        Response.objects.filter(survey=found, channel=Response.Channel.PAPER)
        .select_related("entered_by", "ward")
        .annotate(answered=Count("answers"))
        .order_by("-submitted_at", "-id"),
        PAPER_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/surveys/paper_list.html",
        {
            "council": here,
            "survey": found,
            "section": "paper",
            "counts": counts,
            "responses": entered.object_list,
            "page": entered,
            "page_query": "",
            "closed": rules.refusal(request.user, found, Step.ENTER_PAPER),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_paper_new(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    here, found = _survey(request, council, slug)
    questions = logic.questions_of(found)
    problems: list[AnswerError] = []
    values: dict[int, Any] = {}
    equality: dict[str, Any] = {}
    closed = rules.refusal(request.user, found, Step.ENTER_PAPER)
    if request.method == "POST" and not closed:
        values = forms.read(questions, request.POST)
        equality = forms.read_equality(request.POST) if found.equality_monitoring else {}
        try:
            response = domain.enter_paper_response(
                found, by=request.user, answers=values, equality=equality
            )
        except StepRefused as refused:
            closed = refused.message
        except ValidationError as error:
            problems = _errors(error)
        else:
            messages.success(
                request,
                _("Paper response %(number)d is entered. You can enter the next one.")
                % {"number": response.pk},
            )
            return redirect("staff:survey_paper_new", council=here.slug, slug=found.slug)
    fields = forms.with_errors(_fields(found, questions, values), problems)
    about = (
        forms.with_errors(forms.equality_fields(equality), problems)
        if found.equality_monitoring
        else []
    )
    general = [p.message for p in problems if p.field not in {f.name for f in fields + about}]
    return render(
        request,
        "staff/surveys/paper_new.html",
        {
            "council": here,
            "survey": found,
            "section": "paper",
            "fields": fields,
            "about": about,
            "errors": [(f, m) for f in fields + about for m in f.errors],
            "general": general,
            "closed": closed,
        },
        status=400 if problems else 200,
    )
