"""A survey's results for everyone: charts and tables of the answers to choices and
numbers, raw beside weighted to the population, and who answered against who lives there.

Shown once the survey has closed and when the council publishes its results
(:func:`moothall.surveys.rules.refusal` for ``SEE_RESULTS``); staff who run consultations
see the page at any time. A draft survey is not found by anyone else. What the public
page leaves out (written answers, postcodes, small groups) is set out in
:mod:`moothall.surveys.results`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from moothall.surveys import results, rules
from moothall.surveys.models import Survey
from moothall.surveys.rules import Step


@require_safe
def survey_results(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = get_object_or_404(
        Survey.objects.select_related("council"), council__slug=council, slug=slug
    )
    if rules.refusal(request.user, found, Step.VIEW) is not None:
        raise Http404("No such survey.")
    refused = rules.refusal(request.user, found, Step.SEE_RESULTS)
    context: dict[str, Any] = {"council": found.council, "survey": found, "refusal": refused}
    if refused is None:
        staff = rules.manages(request.user, found)
        # Staff preview the public page as the public sees it (the staff page has the rest).
        context["results"] = results.survey_results(found, results.PUBLIC)
        context["staff_preview"] = (
            staff and rules.refusal(None, found, Step.SEE_RESULTS) is not None
        )
    response = render(request, "public/surveys/results.html", context)
    if refused is None and context.get("staff_preview"):
        response["Cache-Control"] = "private, no-store"
    return response
