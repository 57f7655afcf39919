"""Surveys in the API (read-only): a council's surveys, one survey with its questions, and
its published results.

Reads show exactly what the public site shows (``surveys.rules``: Step.VIEW and
Step.SEE_RESULTS for nobody in particular). A survey being prepared (draft) is a 404 like
an unknown slug. Results are given once the survey has closed and the council publishes
them; before then (or when it does not) the results are a 409
``{"detail", "code": "not_published"}``. Written answers, postcodes and respondents never
appear; a question answered by fewer than 10 people is ``withheld`` (see
:mod:`moothall.surveys.results`).

The lead mounts ``survey_router`` in :mod:`moothall.api.consultations`.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time.

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Router, Status
from ninja.pagination import paginate

from moothall.api.endpoints import _council_or_404
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.api.survey_schemas import (
    SurveyDetailOut,
    SurveyOut,
    SurveyResultsOut,
    results_published,
)
from moothall.api.voice_schemas import CodedErrorOut
from moothall.councils.models import Council
from moothall.surveys import logic, results
from moothall.surveys.models import Question, Survey
from moothall.surveys.models import Status as SurveyStatus

survey_router = Router(tags=["Surveys"])

PUBLIC_ONLY = (
    "Public data only, as the site shows it: a survey being prepared (draft) never appears, "
    "results only once published, and no written answer, postcode or respondent."
)


def _described(text: str) -> str:
    return f"{text}\n\n{PUBLIC_ONLY}"


def public_surveys(council: Council) -> QuerySet[Survey]:
    return Survey.objects.filter(council=council).exclude(status=SurveyStatus.DRAFT)


def _survey_or_404(council: Council, survey_slug: str) -> Survey:
    found = public_surveys(council).filter(slug=survey_slug).first()
    if found is None:
        raise Http404(
            gettext("%(council)s has no survey “%(slug)s”.")
            % {"council": council.short_name, "slug": survey_slug}
        )
    found.council = council
    return found


@survey_router.get(
    "/councils/{slug:slug}/surveys",
    response={200: list[SurveyOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_surveys",
    operation_id="list_council_surveys",
    summary="A council's surveys, the newest first",
    description=_described(
        "Each survey with its phase (upcoming, open, closed), its dates, who may answer "
        "online, and where its results are once published."
    ),
)
@paginate(LimitOffset)
def list_council_surveys(request: HttpRequest, slug: str) -> QuerySet[Survey]:
    council = _council_or_404(slug)
    return public_surveys(council).select_related("council").order_by("-created_at", "-pk")


@survey_router.get(
    "/councils/{slug:slug}/surveys/{slug:survey_slug}",
    response={200: SurveyDetailOut, 404: ErrorOut},
    url_name="survey",
    operation_id="get_survey",
    summary="One survey with its questions, in the order they are asked",
    description=_described(
        "The questions with their kind, page, answers to choose from (keys and labels), "
        "scale, limits and the condition that shows each (an earlier choice question and its "
        "option keys)."
    ),
)
def get_survey(request: HttpRequest, slug: str, survey_slug: str) -> Survey:
    found = _survey_or_404(_council_or_404(slug), survey_slug)
    questions = logic.ordered(Question.objects.filter(survey=found))
    for number, question in enumerate(questions, start=1):
        question.number = number  # type: ignore[attr-defined]
    found.public_questions = questions  # type: ignore[attr-defined]
    return found


@survey_router.get(
    "/councils/{slug:slug}/surveys/{slug:survey_slug}/results",
    response={200: SurveyResultsOut, 404: ErrorOut, 409: CodedErrorOut},
    url_name="survey_results",
    operation_id="get_survey_results",
    summary="A survey's published results: tallies per question, raw and weighted",
    description=_described(
        "Per question: how many answered, and for choices the count and share of each "
        "answer with the share weighted to the population; for rankings Borda points and "
        "mean positions; for agreement scales the counts per scale point per statement; for "
        "numbers the mean, median, range and a histogram. A weighted figure resting on fewer "
        'than 10 people is null. 409 {"code": "not_published"} until the survey has closed '
        "and the council publishes its results."
    ),
)
def get_survey_results(request: HttpRequest, slug: str, survey_slug: str) -> Any:
    found = _survey_or_404(_council_or_404(slug), survey_slug)
    if not results_published(found):
        return Status(
            409,
            {
                "detail": gettext("The results of %(survey)s are not published.")
                % {"survey": found.title},
                "code": "not_published",
            },
        )
    figures = results.survey_results(found, results.PUBLIC)
    return Status(
        200,
        {
            "survey": found,
            "responses": figures.total,
            "online": figures.online,
            "paper": figures.paper,
            "weighted": figures.weighted,
            "questions": [q.to_json() for q in figures.questions],
        },
    )
