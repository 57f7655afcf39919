"""Answering a survey: the list, a survey's page, its pages of questions, "save and come
back later", "check your answers", sending, and the confirmation.

Thin views: fetch the survey (404 unless ``rules.refusal(..., Step.VIEW)`` allows it),
read the posted page with :mod:`moothall.surveys.forms`, call one verb from
:mod:`moothall.surveys.domain`, then redirect, or show the page again with the errors.

A response is reached by its secret token (``/answer/<token>/…``): that link is the
"save and come back later" link, for anyone. Signed-in people also find their response
again from the survey's page, and people not signed in from the same browser (the token
is kept in their session).

**Conditions without JavaScript.** Each page is rendered on the server from the answers
saved so far. A question that depends on an earlier page's answer simply appears (or
not) on its page. A question that depends on an answer *on the same page* appears when
the person presses "Continue": the page is shown again with the new question and a note
saying so, and they continue from there. Pages whose questions are all hidden are
skipped.

Nothing here answers a bad request with a server error: a closed survey, a survey not yet
open, a person who may not answer, a sent response or a page that is not in the survey
each get a page that says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.residents import Eligibility
from moothall.core.text import render_markdown
from moothall.councils.models import Council
from moothall.surveys import domain, forms, logic, rules
from moothall.surveys.domain import ABOUT_YOU_PAGE, CHECK_PAGE, StepRefused
from moothall.surveys.models import Question, Response, Status, Survey
from moothall.surveys.rules import Phase, Step

# Closed surveys stay listed this long after they close.
RECENTLY_CLOSED = dt.timedelta(days=365)
SESSION_KEY = "surveys.tokens"


# --- Fetching -------------------------------------------------------------------------------


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def _survey(request: HttpRequest, council: str, slug: str) -> Survey:
    found = get_object_or_404(
        Survey.objects.select_related("council"), council__slug=council, slug=slug
    )
    if rules.refusal(request.user, found, Step.VIEW) is not None:
        raise Http404
    return found


def _response(request: HttpRequest, survey: Survey, token: str) -> Response:
    """The response behind a "save and return" link. A response that belongs to one
    signed-in person is not opened while someone else is signed in."""
    found = domain.response_by_token(survey, token)
    if found is None:
        raise Http404
    if (
        found.user_id is not None
        and request.user.is_authenticated
        and found.user_id != request.user.pk
    ):
        raise Http404
    found.survey = survey
    return found


def _remember(request: HttpRequest, response: Response) -> None:
    """Keep the token in the session, so the survey page finds the response again."""
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[str(response.survey_id)] = response.token
    request.session[SESSION_KEY] = tokens


def _mine(request: HttpRequest, survey: Survey) -> Response | None:
    """This person's response to ``survey``: by account when signed in, else by session."""
    if request.user.is_authenticated:
        found = Response.objects.filter(survey=survey, user=request.user).first()
        if found is not None:
            return found
    token = request.session.get(SESSION_KEY, {}).get(str(survey.pk))
    if token:
        found = domain.response_by_token(survey, token)
        if found is not None and (found.user_id is None or found.user_id == request.user.pk):
            return found
    return None


def _kwargs(survey: Survey, response: Response | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"council": survey.council.slug, "slug": survey.slug}
    if response is not None:
        out["token"] = response.token
    return out


def page_url(survey: Survey, response: Response, page: int, *, change: bool = False) -> str:
    """Where a response's page (or the about-you block, or "check your answers") lives."""
    kwargs = _kwargs(survey, response)
    if page == ABOUT_YOU_PAGE:
        url = reverse("public:survey_about_you", kwargs=kwargs)
    elif page >= CHECK_PAGE:
        return reverse("public:survey_check", kwargs=kwargs)
    else:
        url = reverse("public:survey_page", kwargs={**kwargs, "page": page})
    return url + ("?change=1" if change else "")


def resume_url(survey: Survey, response: Response) -> str:
    """Where a response carries on: the page it stopped at, or (when that page has nothing
    to show, or was never reached) the next page that has."""
    page = response.current_page
    if page < ABOUT_YOU_PAGE:
        questions = logic.questions_of(survey)
        answers = domain.answers_of(response)
        if not domain.page_questions(survey, page, answers, questions):
            page = domain.next_page(survey, page - 1, answers, questions)
    return page_url(survey, response, page)


def _results_url(request: HttpRequest, survey: Survey) -> str:
    if not rules.allowed(request.user, survey, Step.SEE_RESULTS):
        return ""
    try:
        return reverse("public:survey_results", kwargs=_kwargs(survey))
    except NoReverseMatch:  # the results pages are another module's
        return ""


def _sign_in_url(request: HttpRequest, next_url: str) -> str:
    return reverse("account_login") + "?" + urlencode({"next": next_url})


# --- The list and one survey ----------------------------------------------------------------


@require_safe
def surveys(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    now = timezone.now()
    live = Survey.objects.filter(council=found, status=Status.OPEN).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    closed = (
        Survey.objects.filter(council=found)
        .filter(Q(status=Status.CLOSED) | Q(status=Status.OPEN, closes_at__lte=now))
        .filter(
            Q(closed_at__gte=now - RECENTLY_CLOSED)
            | Q(closed_at__isnull=True, closes_at__gte=now - RECENTLY_CLOSED)
        )
    )
    counted = Count("responses", filter=Q(responses__state=Response.State.SUBMITTED))
    live_list = list(live.annotate(sent=counted).order_by("closes_at", "-opened_at", "-id"))
    return render(
        request,
        "public/surveys/list.html",
        {
            "council": found,
            "open": [s for s in live_list if rules.phase_of(s, now) == Phase.OPEN],
            "upcoming": [s for s in live_list if rules.phase_of(s, now) == Phase.UPCOMING],
            "closed": list(closed.annotate(sent=counted).order_by("-closes_at", "-closed_at")),
        },
    )


def _who_may_answer(survey: Survey) -> str:
    level = Eligibility(survey.answer_level)
    if level == Eligibility.NONE:
        return _("Anyone. You do not need to sign in.")
    if level == Eligibility.EMAIL_VERIFIED:
        return _("Anyone who signs in with a verified email address.")
    if level == Eligibility.POSTCODE_IN_AREA:
        return _("People whose postcode is in %(council)s’s area.") % {
            "council": survey.council.short_name
        }
    return _("Verified residents of %(council)s.") % {"council": survey.council.short_name}


def _survey_page(
    request: HttpRequest, survey: Survey, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    phase = rules.phase_of(survey)
    mine = _mine(request, survey)
    why_not = refusal or (rules.refusal(request.user, survey, Step.ANSWER) or "")
    sign_in = ""
    if why_not and phase == Phase.OPEN and not request.user.is_authenticated:
        sign_in = _sign_in_url(request, survey.get_absolute_url())
    questions = logic.questions_of(survey)
    return render(
        request,
        "public/surveys/survey.html",
        {
            "council": survey.council,
            "survey": survey,
            "phase": phase.value,
            "description": render_markdown(survey.description),
            "who": _who_may_answer(survey),
            "refusal": why_not,
            "sign_in_url": sign_in,
            "account": bool(why_not and request.user.is_authenticated and phase == Phase.OPEN),
            "mine": mine,
            "continue_url": (
                resume_url(survey, mine)
                if mine is not None and mine.state == Response.State.IN_PROGRESS
                else ""
            ),
            "question_count": len(questions),
            "page_count": len(domain.pages_of(questions))
            + (1 if survey.equality_monitoring else 0),
            "results_url": _results_url(request, survey),
            "is_draft": phase == Phase.DRAFT,
        },
        status=status,
    )


@require_safe
def survey(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    return _survey_page(request, _survey(request, council, slug))


@require_POST
def survey_start(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _survey(request, council, slug)
    mine = _mine(request, found)
    if mine is not None and mine.state == Response.State.SUBMITTED:
        return redirect("public:survey_done", **_kwargs(found, mine))
    if mine is not None and rules.phase_of(found) == Phase.OPEN:
        return redirect(resume_url(found, mine))
    try:
        response = domain.start_response(found, user=request.user)
    except StepRefused as refused:
        return _survey_page(request, found, refusal=refused.message, status=403)
    _remember(request, response)
    if response.state == Response.State.SUBMITTED:
        return redirect("public:survey_done", **_kwargs(found, response))
    first = _first_page(found, response)
    return redirect(page_url(found, response, first))


def _first_page(survey: Survey, response: Response) -> int:
    questions = logic.questions_of(survey)
    return domain.next_page(survey, 0, domain.answers_of(response), questions)


# --- Answering ------------------------------------------------------------------------------


def _not_now(request: HttpRequest, survey: Survey, response: Response) -> HttpResponse | None:
    """The page to show instead when this response cannot be answered now."""
    if response.state == Response.State.SUBMITTED:
        return redirect("public:survey_done", **_kwargs(survey, response))
    phase = rules.phase_of(survey)
    if phase != Phase.OPEN:
        return render(
            request,
            "public/surveys/answer_closed.html",
            {
                "council": survey.council,
                "survey": survey,
                "message": rules.refusal(None, survey, Step.ANSWER),
                "results_url": _results_url(request, survey),
            },
            status=403,
        )
    return None


def _progress(
    survey: Survey, page: int, answers: dict[int, Any], questions: list[Question]
) -> tuple[int, int]:
    """(this page's number, how many pages) counting only pages with questions shown."""
    shown = {q.page for q in logic.visible_questions(survey, answers, questions=questions)}
    steps = [p for p in domain.pages_of(questions) if p in shown]
    if survey.equality_monitoring:
        steps.append(ABOUT_YOU_PAGE)
    number = steps.index(page) + 1 if page in steps else 1
    return number, len(steps)


def _back_url(
    survey: Survey,
    response: Response,
    page: int,
    answers: dict[int, Any],
    questions: list[Question],
    change: bool,
) -> str:
    if change:
        return page_url(survey, response, CHECK_PAGE)
    before = domain.previous_page(survey, page, answers, questions)
    return page_url(survey, response, before) if before else survey.get_absolute_url()


def _after_save(
    request: HttpRequest, survey: Survey, response: Response, page: int, change: bool
) -> HttpResponse:
    """Where to go once a page is saved: the same page when a new question appeared on
    it; back to "check your answers" after a change; else the next page."""
    response.refresh_from_db(fields=["current_page"])
    if response.current_page == page:
        messages.info(
            request,
            _("Your answer added a question on this page. Answer it, then continue."),
        )
        return redirect(page_url(survey, response, page, change=change))
    if change:
        return redirect(page_url(survey, response, CHECK_PAGE))
    return redirect(page_url(survey, response, response.current_page))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(
    request: HttpRequest, council: str, slug: str, token: str, page: int
) -> HttpResponse:
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    instead = _not_now(request, found, response)
    if instead is not None:
        return instead
    questions = logic.questions_of(found)
    answers = domain.answers_of(response)
    shown = domain.page_questions(found, page, answers, questions)
    if not shown:
        # Not a page of this survey, or one whose questions are all hidden now.
        return redirect(resume_url(found, response))
    change = request.GET.get("change") == "1"
    wards = forms.wards_of(found.council) if any(q.kind == "ward" for q in shown) else []
    errors: list[domain.AnswerError] = []
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        posted = forms.read(shown, request.POST)
        saving = action == "save"
        try:
            errors = domain.save_page(
                response, page, posted, require=not saving, advance=not saving
            )
        except StepRefused:
            return _not_now(request, found, response) or redirect(found.get_absolute_url())
        except ValidationError:
            response.refresh_from_db()
            return _not_now(request, found, response) or redirect(found.get_absolute_url())
        if not errors:
            _remember(request, response)
            if saving:
                return redirect("public:survey_saved", **_kwargs(found, response))
            return _after_save(request, found, response, page, change)
        values = {q.pk: posted.get(q.pk) for q in shown}
    else:
        values = {q.pk: forms.raw_of(q, answers.get(q.pk)) for q in shown}
    fields = forms.with_errors(
        [forms.field_for(q, values.get(q.pk), wards=wards) for q in shown], errors
    )
    number, count = _progress(found, page, answers, questions)
    return render(
        request,
        "public/surveys/answer_page.html",
        {
            "council": found.council,
            "survey": found,
            "response": response,
            "fields": fields,
            "errors": [(f, message) for f in fields for message in f.errors],
            "number": number,
            "count": count,
            "single": len(fields) == 1,
            "back_url": _back_url(found, response, page, answers, questions, change),
            "change": change,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_about_you(request: HttpRequest, council: str, slug: str, token: str) -> HttpResponse:
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    instead = _not_now(request, found, response)
    if instead is not None:
        return instead
    if not found.equality_monitoring:
        return redirect(page_url(found, response, CHECK_PAGE))
    change = request.GET.get("change") == "1"
    errors: list[domain.AnswerError] = []
    if request.method == "POST":
        posted = forms.read_equality(request.POST)
        saving = request.POST.get("action") == "save"
        try:
            errors = domain.save_page(response, ABOUT_YOU_PAGE, posted, advance=not saving)
        except (StepRefused, ValidationError):
            response.refresh_from_db()
            return _not_now(request, found, response) or redirect(found.get_absolute_url())
        if not errors:
            _remember(request, response)
            if saving:
                return redirect("public:survey_saved", **_kwargs(found, response))
            return redirect(page_url(found, response, CHECK_PAGE))
        values: dict[str, Any] = posted
    else:
        values = {name: getattr(response, name) for name in forms.EQUALITY_ORDER}
    fields = forms.with_errors(forms.equality_fields(values), errors)
    questions = logic.questions_of(found)
    answers = domain.answers_of(response)
    number, count = _progress(found, ABOUT_YOU_PAGE, answers, questions)
    return render(
        request,
        "public/surveys/answer_about_you.html",
        {
            "council": found.council,
            "survey": found,
            "response": response,
            "fields": fields,
            "errors": [(f, message) for f in fields for message in f.errors],
            "number": number,
            "count": count,
            "back_url": _back_url(found, response, ABOUT_YOU_PAGE, answers, questions, change),
        },
    )


def _summary(survey: Survey, response: Response) -> list[dict[str, Any]]:
    """Every question shown, in order, with the answer in words and where to change it."""
    questions = logic.questions_of(survey)
    answers = domain.answers_of(response)
    wards = {w.pk: w.name for w in forms.wards_of(survey.council)}
    rows = []
    for question in logic.visible_questions(survey, answers, questions=questions):
        rows.append(
            {
                "question": question,
                "id": logic.field_name(question),
                "lines": logic.describe(question, answers.get(question.pk), wards),
                "missing": logic.required_error(question, answers.get(question.pk)) is not None,
                "change_url": page_url(survey, response, question.page, change=True)
                + f"#{logic.field_name(question)}",
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_check(request: HttpRequest, council: str, slug: str, token: str) -> HttpResponse:
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    instead = _not_now(request, found, response)
    if instead is not None:
        return instead
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            domain.submit_response(response)
        except StepRefused as refused:
            response.refresh_from_db()
            return _not_now(request, found, response) or _survey_page(
                request, found, refusal=refused.message, status=403
            )
        except ValidationError as error:
            rows = _summary(found, response)
            by_field = {row["id"]: row for row in rows}
            names = error.error_dict if hasattr(error, "error_dict") else {}
            for name in names:
                row = by_field.get(name)
                if row is not None:
                    problems.append(
                        (
                            row["change_url"],
                            _("Answer “%(question)s”") % {"question": row["question"].text},
                        )
                    )
            if not problems:
                problems.append(("#answers", " ".join(error.messages)))
        else:
            request.session.get(SESSION_KEY, {}).pop(str(found.pk), None)
            request.session.modified = True
            return redirect("public:survey_done", **_kwargs(found, response))
    equality = []
    if found.equality_monitoring:
        about = page_url(found, response, ABOUT_YOU_PAGE, change=True)
        for field in forms.equality_fields({}):
            value = getattr(response, field.name)
            equality.append(
                {
                    "label": field.label,
                    "answer": forms.equality_label(field.name, value),
                    "change_url": f"{about}#{field.name}",
                }
            )
    return render(
        request,
        "public/surveys/answer_check.html",
        {
            "council": found.council,
            "survey": found,
            "response": response,
            "rows": _summary(found, response),
            "equality": equality,
            "problems": problems,
            "back_url": page_url(
                found,
                response,
                domain.previous_page(
                    found, CHECK_PAGE, domain.answers_of(response), logic.questions_of(found)
                )
                or 1,
            ),
        },
        status=400 if problems else 200,
    )


@never_cache
@require_safe
def survey_resume(request: HttpRequest, council: str, slug: str, token: str) -> HttpResponse:
    """The "save and come back later" link: on to the page where they stopped."""
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    instead = _not_now(request, found, response)
    if instead is not None:
        return instead
    _remember(request, response)
    return redirect(resume_url(found, response))


@never_cache
@require_safe
def survey_saved(request: HttpRequest, council: str, slug: str, token: str) -> HttpResponse:
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    if response.state == Response.State.SUBMITTED:
        return redirect("public:survey_done", **_kwargs(found, response))
    link = request.build_absolute_uri(
        reverse("public:survey_resume", kwargs=_kwargs(found, response))
    )
    return render(
        request,
        "public/surveys/answer_saved.html",
        {
            "council": found.council,
            "survey": found,
            "response": response,
            "link": link,
            "signed_in": response.user_id is not None,
        },
    )


@never_cache
@require_safe
def survey_done(request: HttpRequest, council: str, slug: str, token: str) -> HttpResponse:
    found = _survey(request, council, slug)
    response = _response(request, found, token)
    if response.state != Response.State.SUBMITTED:
        return redirect(resume_url(found, response))
    return render(
        request,
        "public/surveys/answer_done.html",
        {
            "council": found.council,
            "survey": found,
            "response": response,
            "results_url": _results_url(request, found),
        },
    )
