"""The participatory budgeting back-office, at /<council>/staff/budgets/.

Officers and council admins (``Action.MANAGE_BUDGETS``, with MFA as for every staff
action) set up a process, its budgets and ballot, move it through its phases, check and
cost residents' projects, enter paper ballots, read the results and report on delivery.

Each view is thin: fetch the council through
:func:`moothall.accounts.access.get_council_for` (404 for an unknown council, 403 for
someone who may not act there), fetch the process and its objects scoped to it (404
otherwise), check a form from :mod:`moothall.staff.budget_forms`, call one verb from
:mod:`moothall.budgeting.domain`, then add a message and redirect. What the phase allows
is :func:`moothall.budgeting.rules.refusal`'s: a closed step shows its message instead
of the form, and a verb's refusal (``StepRefused`` or ``ValidationError``) comes back into
the form and its error summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.budgeting import domain
from moothall.budgeting.domain import StepRefused, money
from moothall.budgeting.models import (
    Ballot,
    BallotKind,
    Budget,
    BudgetProcess,
    Phase,
    Project,
    ProjectImage,
    Result,
    Rule,
)
from moothall.budgeting.rules import Step, refusal
from moothall.core.audit import record_export
from moothall.councils.models import Council
from moothall.public.exports import _csv_response
from moothall.staff import budget_forms as bf
from moothall.staff.budget_forms import apply_errors

P = Project.Status
PROJECTS_PER_PAGE = 50
PAPER_PER_PAGE = 100


# --- Fetching what a person may act on ------------------------------------------------------


def _council(request: HttpRequest, slug: str) -> Council:
    return get_council_for(request.user, slug, Action.MANAGE_BUDGETS)


def _process(request: HttpRequest, slug: str, process_id: int) -> tuple[Council, BudgetProcess]:
    here = _council(request, slug)
    process = BudgetProcess.objects.filter(council=here, pk=process_id).first()
    if process is None:
        raise Http404("No such process.")
    process.council = here  # already loaded: saves a query per use
    return here, process


def _budget(process: BudgetProcess, budget_id: int) -> Budget:
    budget = Budget.objects.select_related("ward").filter(process=process, pk=budget_id).first()
    if budget is None:
        raise Http404("No such budget.")
    budget.process = process
    return budget


def _project(process: BudgetProcess, project_id: int) -> Project:
    project = (
        Project.objects.select_related("budget__ward", "merged_into", "proposed_by")
        .filter(process=process, pk=project_id)
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    project.process = process
    return project


def _ctx(council: Council, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"council": council, **extra}


def _process_ctx(
    here: Council, request: HttpRequest, process: BudgetProcess, section: str, **extra: Any
) -> dict[str, Any]:
    return _ctx(here, request, process=process, section=section, **extra)


def _url(name: str, process: BudgetProcess, **kwargs: Any) -> str:
    return reverse(
        f"staff:{name}",
        kwargs={"council": process.council.slug, "process_id": process.pk, **kwargs},
    )


def _attempt(
    form: forms.BaseForm, call: Callable[[], Any], aliases: dict[str, str] | None = None
) -> tuple[bool, Any]:
    """Run a verb; on a refusal put its message into ``form`` and return (False, None)."""
    try:
        return True, call()
    except StepRefused as refused:
        form.add_error(None, refused.message)
    except ValidationError as error:
        apply_errors(form, error, aliases)
    return False, None


# --- Processes --------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def processes(request: HttpRequest, council: str) -> HttpResponse:
    here = _council(request, council)
    found = (
        BudgetProcess.objects.filter(council=here)
        .annotate(
            total=Sum("budgets__amount"),
            budget_count=Count("budgets", distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    waiting = dict(
        Project.objects.filter(process__council=here, status=P.PROPOSED)
        .shown()
        .order_by()
        .values_list("process_id")
        .annotate(n=Count("pk"))
        .values_list("process_id", "n")
    )
    rows = [(p, waiting.get(p.pk, 0)) for p in found]
    return render(request, "staff/budgets/processes.html", _ctx(here, request, rows=rows))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def process_new(request: HttpRequest, council: str) -> HttpResponse:
    here = _council(request, council)
    form = bf.ProcessForm(
        request.POST if request.method == "POST" else None, initial=bf.ProcessForm.new_initial()
    )
    if form.is_valid():
        ok, process = _attempt(
            form,
            lambda: domain.create_process(request.user, here, **form.changes()),
            bf.PROCESS_ALIASES,
        )
        if ok:
            messages.success(
                request,
                _("“%(title)s” is created. It stays hidden until you open it for ideas.")
                % {"title": process.title},
            )
            process.council = here
            return redirect(_url("budget_budgets", process))
    return render(request, "staff/budgets/process_form.html", _ctx(here, request, form=form))


@never_cache
@login_required
@require_safe
def process(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    budgets = list(bf.budgets_of(found))
    counts = domain.turnout(found)
    by_status = dict(
        Project.objects.filter(process=found)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    statuses = [(value, label, by_status.get(value, 0)) for value, label in P.choices]
    rows = [(b, counts.get(b.pk, {"total": 0, "paper": 0, "online": 0})) for b in budgets]
    return render(
        request,
        "staff/budgets/process.html",
        _process_ctx(
            here,
            request,
            found,
            "overview",
            budget_rows=rows,
            statuses=statuses,
            total=sum(b.amount for b in budgets),
            moves=[(phase, Phase(phase).label) for phase in domain.next_phases(found)],
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    closed = refusal(request.user, found, Step.EDIT)
    form = bf.ProcessForm(
        request.POST if request.method == "POST" else None,
        initial=bf.ProcessForm.initial_for(found),
        words_only=closed is not None,
    )
    if form.is_valid():
        ok, _updated = _attempt(
            form,
            lambda: domain.update_process(request.user, found, **form.changes()),
            bf.PROCESS_ALIASES,
        )
        if ok:
            messages.success(request, _("The process is saved."))
            return redirect(_url("budget_process", found))
    return render(
        request,
        "staff/budgets/process_form.html",
        _process_ctx(here, request, found, "edit", form=form, closed=closed, keep_form=True),
    )


# --- Budgets ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    closed = refusal(request.user, found, Step.EDIT)
    form = bf.BudgetForm(request.POST if request.method == "POST" else None, council=here)
    if form.is_valid():
        ward = form.chosen_ward()
        ok, budget = _attempt(
            form,
            lambda: domain.set_budget(
                request.user,
                found,
                amount=form.cleaned_data["amount"],
                ward=ward,
                name=form.cleaned_data["name"],
            ),
        )
        if ok:
            messages.success(
                request,
                _("The budget for %(budget)s is %(amount)s.")
                % {"budget": str(budget), "amount": money(budget.amount)},
            )
            return redirect(_url("budget_budgets", found))
    rows = list(
        bf.budgets_of(found).annotate(
            project_count=Count("projects", filter=~Q(projects__status=P.WITHDRAWN))
        )
    )
    return render(
        request,
        "staff/budgets/budgets.html",
        _process_ctx(
            here,
            request,
            found,
            "budgets",
            form=form,
            rows=rows,
            closed=closed,
            total=sum(b.amount for b in rows),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def budget_change(
    request: HttpRequest, council: str, process_id: int, budget_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    budget = _budget(found, budget_id)
    closed = refusal(request.user, found, Step.EDIT)
    form = bf.BudgetForm(
        request.POST if request.method == "POST" else None,
        council=here,
        fixed=budget,
        initial={"amount": str(budget.amount), "name": budget.name},
    )
    if form.is_valid():
        ok, changed = _attempt(
            form,
            lambda: domain.set_budget(
                request.user,
                found,
                amount=form.cleaned_data["amount"],
                ward=budget.ward,
                name=form.cleaned_data["name"],
            ),
        )
        if ok:
            messages.success(
                request,
                _("The budget for %(budget)s is %(amount)s.")
                % {"budget": str(changed), "amount": money(changed.amount)},
            )
            return redirect(_url("budget_budgets", found))
    return render(
        request,
        "staff/budgets/budget_form.html",
        _process_ctx(here, request, found, "budgets", form=form, budget=budget, closed=closed),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def budget_remove(
    request: HttpRequest, council: str, process_id: int, budget_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    budget = _budget(found, budget_id)
    closed = refusal(request.user, found, Step.EDIT)
    form = bf.ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        ok, _nothing = _attempt(form, lambda: domain.remove_budget(request.user, budget))
        if ok:
            messages.success(
                request, _("The budget for %(budget)s is removed.") % {"budget": budget}
            )
            return redirect(_url("budget_budgets", found))
    return render(
        request,
        "staff/budgets/budget_remove.html",
        _process_ctx(here, request, found, "budgets", form=form, budget=budget, closed=closed),
    )


# --- Phases ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def phase(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    form = bf.PhaseForm(request.POST if request.method == "POST" else None, process=found)
    if form.is_valid():
        to = form.cleaned_data["to"]
        if not form.cleaned_data["confirmed"]:
            confirm = bf.PhaseForm(initial={"to": to, "confirmed": True}, process=found)
            return render(
                request,
                "staff/budgets/phase_confirm.html",
                _process_ctx(
                    here,
                    request,
                    found,
                    "phase",
                    form=confirm,
                    to=to,
                    to_label=Phase(to).label,
                    question=bf.PHASE_QUESTIONS[Phase(to)],
                    warning=bf.PHASE_WARNINGS[Phase(to)],
                ),
            )
        ok, moved = _attempt(form, lambda: domain.change_phase(request.user, found, to))
        if ok:
            messages.success(
                request,
                _("The process is now at “%(phase)s”.") % {"phase": moved.get_phase_display()},
            )
            return redirect(_url("budget_process", found))
    moves = [
        (value, label, bf.PHASE_WARNINGS[Phase(value)])
        for value, label in form.fields["to"].choices  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "staff/budgets/phase.html",
        _process_ctx(
            here,
            request,
            found,
            "phase",
            form=form,
            moves=moves,
            closed=refusal(request.user, found, Step.CHANGE_PHASE),
        ),
    )


# --- Projects ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def projects(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    filters = bf.ProjectFilterForm(request.GET, process=found)
    listed = Project.objects.filter(process=found).select_related("budget__ward")
    budget_id = status = ""
    if filters.is_valid():
        budget_id, status = filters.cleaned_data["budget"], filters.cleaned_data["status"]
    if budget_id:
        listed = listed.filter(budget_id=int(budget_id))
    if status:
        listed = listed.filter(status=status)
    # Proposed ones (the queue) first, oldest first; then the rest by title.
    proposed = Q(status=P.PROPOSED)
    listed = listed.annotate(
        queue=Case(When(proposed, then=Value(0)), default=Value(1)),
        waiting_since=Case(When(proposed, then=F("created_at")), default=None),
    ).order_by("queue", "waiting_since", "title", "id")
    page = Paginator(listed, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    filled = {"budget": budget_id, "status": status}
    return render(
        request,
        "staff/budgets/projects.html",
        _process_ctx(
            here,
            request,
            found,
            "projects",
            filters=filters,
            page=page,
            rows=page.object_list,
            page_query=urlencode({k: v for k, v in filled.items() if v}),
            filtered=bool(budget_id or status),
            closed=refusal(request.user, found, Step.REVIEW),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    closed = refusal(request.user, found, Step.REVIEW)
    form = bf.AddProjectForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        process=found,
    )
    if form.is_valid():
        data = form.cleaned_data
        ok, project = _attempt(
            form,
            lambda: domain.add_project(
                request.user,
                found,
                title=data["title"],
                description=data["description"],
                cost=data["cost"],
                budget=data["budget"],
                location=data["location"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                images=form.images(),
            ),
            bf.PICTURE_ALIASES,
        )
        if ok:
            messages.success(request, _("“%(title)s” is on the ballot.") % {"title": project.title})
            return redirect(_url("budget_project", found, project_id=project.pk))
    return render(
        request,
        "staff/budgets/project_new.html",
        _process_ctx(here, request, found, "projects", form=form, closed=closed),
    )


@never_cache
@login_required
@require_safe
def project(request: HttpRequest, council: str, process_id: int, project_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    item = _project(found, project_id)
    return render(
        request,
        "staff/budgets/project.html",
        _process_ctx(
            here,
            request,
            found,
            "projects",
            project=item,
            images=list(item.images.filter(update__isnull=True)),
            merged_from=list(item.merged_from.order_by("title", "pk")),
            events=list(item.events.order_by("at", "id")),
            closed=refusal(request.user, found, Step.REVIEW),
            # A moderator decides a hidden or waiting proposal first (the verbs refuse it).
            can_review=item.status not in (P.MERGED, P.WITHDRAWN) and item.is_shown,
            can_merge=item.status in (P.PROPOSED, P.ACCEPTED) and item.is_shown,
        ),
    )


def _project_form_page(
    request: HttpRequest,
    template: str,
    here: Council,
    process: BudgetProcess,
    item: Project,
    form: forms.Form,
) -> HttpResponse:
    return render(
        request,
        template,
        _process_ctx(
            here,
            request,
            process,
            "projects",
            form=form,
            project=item,
            closed=refusal(request.user, process, Step.REVIEW),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def project_review(
    request: HttpRequest, council: str, process_id: int, project_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    item = _project(found, project_id)
    initial = {"cost": "" if item.cost is None else str(item.cost), "reason": item.review_reason}
    if item.cost is None and item.cost_estimate is not None:
        initial["cost"] = str(item.cost_estimate)
    form = bf.ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        ok, reviewed = _attempt(
            form,
            lambda: domain.review_project(
                request.user,
                item,
                decision=data["decision"],
                cost=data["cost"] if data["decision"] == "accept" else None,
                reason_text=data["reason"],
            ),
        )
        if ok:
            if reviewed.status == P.ACCEPTED:
                text = _("“%(title)s” is on the ballot, costed at %(cost)s.") % {
                    "title": reviewed.title,
                    "cost": money(reviewed.cost),
                }
            else:
                text = _("“%(title)s” is rejected; the reason is published.") % {
                    "title": reviewed.title
                }
            messages.success(request, text)
            return redirect(_url("budget_project", found, project_id=item.pk))
    return _project_form_page(request, "staff/budgets/project_review.html", here, found, item, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def project_merge(
    request: HttpRequest, council: str, process_id: int, project_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    item = _project(found, project_id)
    form = bf.MergeForm(request.POST if request.method == "POST" else None, project=item)
    if form.is_valid():
        into = form.cleaned_data["into"]
        ok, _joined = _attempt(
            form,
            lambda: domain.merge_projects(
                request.user, item, into, reason_text=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(
                request,
                _("“%(duplicate)s” is merged into “%(into)s”.")
                % {"duplicate": item.title, "into": into.title},
            )
            return redirect(_url("budget_project", found, project_id=into.pk))
    return _project_form_page(request, "staff/budgets/project_merge.html", here, found, item, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def project_edit(
    request: HttpRequest, council: str, process_id: int, project_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    item = _project(found, project_id)
    form = bf.ProjectForm(
        request.POST if request.method == "POST" else None,
        process=found,
        initial=bf.ProjectForm.initial_for(item),
    )
    if form.is_valid():
        ok, _edited = _attempt(
            form, lambda: domain.edit_project(request.user, item, **form.changes())
        )
        if ok:
            messages.success(request, _("The project is saved."))
            return redirect(_url("budget_project", found, project_id=item.pk))
    return _project_form_page(request, "staff/budgets/project_edit.html", here, found, item, form)


@never_cache
@login_required
@require_safe
def project_image(
    request: HttpRequest, council: str, process_id: int, project_id: int, image_id: int
) -> FileResponse:
    _here, found = _process(request, council, process_id)
    image = ProjectImage.objects.filter(
        project__process=found, project_id=project_id, pk=image_id
    ).first()
    if image is None:
        raise Http404("No such picture.")
    try:
        handle = image.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Paper ballots -----------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def paper(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    counts = domain.turnout(found)
    budgets_ = list(bf.budgets_of(found))
    rows = [(b, counts.get(b.pk, {"total": 0, "paper": 0, "online": 0})) for b in budgets_]
    ballots = Paginator(
        Ballot.objects.filter(budget__process=found, is_paper=True)
        .select_related("budget__ward", "entered_by")
        .order_by("-created_at", "-id"),
        PAPER_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/budgets/paper.html",
        _process_ctx(
            here,
            request,
            found,
            "paper",
            rows=rows,
            ballots=ballots.object_list,
            page=ballots,
            page_query="",
            totals={key: sum(c[key] for _b, c in rows) for key in ("online", "paper", "total")},
            closed=refusal(request.user, found, Step.ENTER_PAPER),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def paper_enter(
    request: HttpRequest, council: str, process_id: int, budget_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    budget = _budget(found, budget_id)
    on_ballot = list(domain.ballot_projects(budget))
    form = bf.PaperBallotForm(
        request.POST if request.method == "POST" else None, process=found, projects=on_ballot
    )
    if form.is_valid():
        ok, ballot = _attempt(
            form,
            lambda: domain.enter_paper_ballot(
                request.user, budget, form.choices(), reference=form.cleaned_data["reference"]
            ),
        )
        if ok:
            messages.success(
                request,
                _("Paper ballot %(reference)s is entered for %(budget)s.")
                % {"reference": ballot.reference, "budget": str(budget)},
            )
            return redirect(_url("budget_paper_enter", found, budget_id=budget.pk))
    return render(
        request,
        "staff/budgets/paper_enter.html",
        _process_ctx(
            here,
            request,
            found,
            "paper",
            form=form,
            budget=budget,
            projects=on_ballot,
            closed=refusal(request.user, found, Step.ENTER_PAPER),
            ballot_rules=_ballot_rules(found, budget),
        ),
    )


def _ballot_rules(process: BudgetProcess, budget: Budget) -> list[str]:
    """What a valid ballot looks like, in words (for checking the paper)."""
    lines = []
    if process.max_projects is not None:
        lines.append(
            _("Between %(low)d and %(high)d projects.")
            % {"low": max(process.min_projects, 1), "high": process.max_projects}
        )
    elif process.min_projects > 1:
        lines.append(_("At least %(count)d projects.") % {"count": process.min_projects})
    if process.ballot_kind == BallotKind.APPROVAL and process.knapsack:
        lines.append(
            _("The projects chosen may cost at most %(budget)s together.")
            % {"budget": money(budget.amount)}
        )
    if process.ballot_kind == BallotKind.CUMULATIVE:
        lines.append(_("At most %(points)d points in all.") % {"points": process.points})
        if process.max_points_per_project is not None:
            lines.append(
                _("At most %(cap)d points on one project.")
                % {"cap": process.max_points_per_project}
            )
    if process.ballot_kind == BallotKind.RANKING:
        lines.append(_("Give each project the position the voter wrote: 1 is their favourite."))
    return lines


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def paper_void(request: HttpRequest, council: str, process_id: int, ballot_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    ballot = (
        Ballot.objects.select_related("budget__ward", "entered_by")
        .filter(budget__process=found, is_paper=True, pk=ballot_id)
        .first()
    )
    if ballot is None:
        raise Http404("No such paper ballot.")
    form = bf.VoidForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        ok, _nothing = _attempt(
            form,
            lambda: domain.void_paper_ballot(
                request.user, ballot, reason_text=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(
                request,
                _("Paper ballot %(reference)s is removed.") % {"reference": ballot.reference},
            )
            return redirect(_url("budget_paper", found))
    return render(
        request,
        "staff/budgets/paper_void.html",
        _process_ctx(
            here,
            request,
            found,
            "paper",
            form=form,
            ballot=ballot,
            closed=refusal(request.user, found, Step.ENTER_PAPER),
        ),
    )


# --- Results ---------------------------------------------------------------------------------


def pounds(amount: float | int | None) -> str:
    """£1,234 for whole pounds, £1,234.57 for shares of a pound."""
    if amount is None:
        return ""
    if float(amount).is_integer():
        return money(int(amount))
    return f"£{amount:,.2f}"


def explain(e: dict[str, Any], titles: dict[int, str]) -> str:
    """Why one project won or lost, in plain English (from its Result explanation)."""
    why = e.get("reason")
    if why == "won":
        if e.get("remaining") is not None:
            return _(
                "Funded: when its turn came, in order of votes, %(left)s was left: "
                "enough for its cost."
            ) % {"left": pounds(e["remaining"])}
        return _(
            "Funded: when its turn came, in order of votes, there was enough money left for it."
        )
    if why == "did_not_fit":
        if e.get("remaining") is not None:
            return _(
                "Not funded: when its turn came only %(left)s was left, less than its cost."
            ) % {"left": pounds(e["remaining"])}
        return _("Not funded: when its turn came there was not enough money left.")
    if why == "stopped":
        return _("Not funded: counting stopped at an earlier project that did not fit.")
    if why == "won_equal_shares":
        words = _("Funded: its supporters could pay for it together from their equal shares.")
        if e.get("payers"):
            words += " " + _(
                "%(payers)d supporters shared the cost; most paid about %(typical)s, "
                "none more than %(most)s."
            ) % {
                "payers": e["payers"],
                "typical": pounds(e.get("typical_share")),
                "most": pounds(e.get("max_share")),
            }
        return words
    if why == "won_fill":
        return _("Funded with the money left over, in order of votes.")
    if why == "not_enough_support":
        words = _("Not funded: its supporters had only %(money)s left, less than its cost.") % {
            "money": pounds(e.get("supporters_money"))
        }
        went_to = e.get("went_to")
        if went_to is not None:
            words += " " + _("Most of their money went to “%(title)s” (%(amount)s).") % {
                "title": titles.get(int(went_to), _("another project")),
                "amount": pounds(e.get("went_to_amount")),
            }
        return words
    if why == "no_votes":
        return _("Not funded: nobody voted for it.")
    return _("Funded.") if e.get("selected") else _("Not funded.")


def _result_rows(result: Result, titles: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for key, e in result.explanations.items():
        pid = int(key)
        rows.append(
            {
                "id": pid,
                "title": titles.get(pid, ""),
                "cost": e.get("cost"),
                "votes": e.get("votes", 0),
                "selected": bool(e.get("selected")),
                "order": e.get("order"),
                "reason": explain(e, titles),
            }
        )
    rows.sort(
        key=lambda r: (
            not r["selected"],
            r["order"] if r["order"] is not None else 0,
            -(r["votes"] or 0),
            r["title"],
            r["id"],
        )
    )
    return rows


def _comparison(details: dict[str, Any]) -> str:
    compared = details.get("comparison")
    if not compared:
        return ""
    chose = (
        _("so the most-votes-first outcome is used")
        if compared.get("chose") == "greedy"
        else _("so the Equal Shares outcome is used")
    )
    return _(
        "Compared with counting most votes first: %(mes)d voters prefer the Equal Shares "
        "outcome and %(greedy)d the most-votes-first one, %(chose)s."
    ) % {
        "mes": compared.get("prefers_equalshares", 0),
        "greedy": compared.get("prefers_greedy", 0),
        "chose": chose,
    }


@never_cache
@login_required
@require_safe
def results(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    closed = refusal(request.user, found, Step.SEE_RESULTS)
    sections: list[dict[str, Any]] = []
    if closed is None:
        titles = dict(Project.objects.filter(process=found).values_list("pk", "title"))
        for budget in bf.budgets_of(found).select_related("result"):
            result = getattr(budget, "result", None)
            if result is None:
                sections.append({"budget": budget, "result": None})
                continue
            details = result.details or {}
            ties = [
                ", ".join(f"“{titles.get(int(pid), pid)}”" for pid in tie)
                for tie in details.get("ties_by_lot") or []
            ]
            sections.append(
                {
                    "budget": budget,
                    "result": result,
                    "rule": _rule_label(result.rule),
                    "rows": _result_rows(result, titles),
                    "left": max(budget.amount - result.spent, 0),
                    "per_voter": pounds(details.get("per_voter_budget")),
                    "comparison": _comparison(details),
                    "ties": ties,
                    "fill": [titles.get(int(pid), "") for pid in details.get("greedy_fill") or []],
                }
            )
    return render(
        request,
        "staff/budgets/results.html",
        _process_ctx(here, request, found, "results", sections=sections, closed=closed),
    )


def _rule_label(rule: str) -> str:
    return str(Rule(rule).label) if rule in Rule.values else _("Another rule")


_UNSAFE = re.compile(r"[^a-z0-9-]+")


def _filename(*parts: str) -> str:
    """A file name of lowercase letters, digits and hyphens only."""
    name = "-".join(_UNSAFE.sub("-", part.lower()).strip("-") for part in parts if part)
    return (name[:100].strip("-") or "result") + ".csv"


@never_cache
@login_required
@require_safe
def result_csv(request: HttpRequest, council: str, process_id: int, budget_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    budget = _budget(found, budget_id)
    if refusal(request.user, found, Step.SEE_RESULTS) is not None:
        raise Http404("The results are not published yet.")
    result = Result.objects.filter(budget=budget).first()
    if result is None:
        raise Http404("No result for this budget.")
    titles = dict(Project.objects.filter(process=found).values_list("pk", "title"))
    rows = _result_rows(result, titles)
    record_export(
        "budgeting.result_exported",
        actor=request.user,
        council=here,
        target=budget,
        format="csv",
        rows=len(rows),
    )

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            yield [
                row["id"],
                row["title"],
                row["cost"],
                row["votes"],
                "yes" if row["selected"] else "no",
                row["reason"],
            ]

    part = budget.ward.slug if budget.ward_id and budget.ward else "council-wide"
    response = _csv_response(
        _filename(here.slug, found.slug, part, "result"),
        ["id", "title", "cost", "votes", "selected", "reason"],
        lines(),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


# --- Delivery ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def delivery(request: HttpRequest, council: str, process_id: int) -> HttpResponse:
    here, found = _process(request, council, process_id)
    funded = list(
        Project.objects.filter(process=found, is_selected=True)
        .select_related("budget__ward")
        .annotate(update_count=Count("updates"))
        .order_by(F("budget__ward__name").asc(nulls_first=True), "title", "pk")
    )
    return render(
        request,
        "staff/budgets/delivery.html",
        _process_ctx(
            here,
            request,
            found,
            "delivery",
            funded=funded,
            closed=refusal(request.user, found, Step.REPORT_DELIVERY),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delivery_report(
    request: HttpRequest, council: str, process_id: int, project_id: int
) -> HttpResponse:
    here, found = _process(request, council, process_id)
    item = _project(found, project_id)
    if not item.is_selected:
        raise Http404("Only funded projects have a delivery.")
    form = bf.DeliveryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"status": item.delivery_status, "progress": str(item.progress)},
    )
    if form.is_valid():
        data = form.cleaned_data
        ok, _update = _attempt(
            form,
            lambda: domain.report_delivery(
                request.user,
                item,
                status=data["status"],
                progress=data["progress"],
                body=data["body"],
                images=form.images(),
            ),
            bf.PICTURE_ALIASES,
        )
        if ok:
            messages.success(
                request,
                _("The update on “%(title)s” is published and its followers are being told.")
                % {"title": item.title},
            )
            return redirect(_url("budget_delivery_report", found, project_id=item.pk))
    history = list(item.updates.select_related("author").prefetch_related("images"))
    return render(
        request,
        "staff/budgets/delivery_report.html",
        _process_ctx(
            here,
            request,
            found,
            "delivery",
            form=form,
            project=item,
            history=history,
            closed=refusal(request.user, found, Step.REPORT_DELIVERY),
        ),
    )
