"""Participatory budgeting in the API (read-only): processes, projects, results, delivery.

Reads show exactly what the public site shows (``budgeting.rules``: Step.VIEW and
Step.SEE_RESULTS for nobody in particular). A process being prepared (the draft phase) is
a 404 like an unknown slug, and so is a withdrawn project, one a moderator hid and one
waiting for a moderator (``Project.objects.shown()``). Whether a project was funded,
its delivery and every vote count appear only once results are published; asking for the
results before then is a 409 ``{"detail", "code": "not_published"}``. No ballot, voter,
proposer or officer is ever named here.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time and cannot resolve ``Query[...]`` from a string annotation.

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from moothall.api.budgeting_schemas import (
    BudgetProcessDetailOut,
    BudgetProcessOut,
    BudgetProjectOut,
    BudgetResultsOut,
    DeliveryUpdateOut,
    ProjectFilters,
    results_published,
)
from moothall.api.endpoints import _council_or_404
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.api.voice_schemas import CodedErrorOut
from moothall.budgeting.models import (
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    Project,
    ProjectImage,
    Result,
)
from moothall.councils.models import Council

budgeting_router = Router(tags=["Participatory budgeting"])

PUBLIC_ONLY = (
    "Public data only, as the site shows it: a process being prepared (draft) and withdrawn, "
    "hidden or not yet moderated projects never appear, votes and results only once they "
    "are published, and no voter, proposer or officer is named."
)


def _described(text: str) -> str:
    return f"{text}\n\n{PUBLIC_ONLY}"


def public_processes(council: Council) -> QuerySet[BudgetProcess]:
    return (
        BudgetProcess.objects.filter(council=council)
        .exclude(phase=Phase.DRAFT)
        .select_related("council")
    )


def _process_or_404(council: Council, process_slug: str) -> BudgetProcess:
    process = public_processes(council).filter(slug=process_slug).first()
    if process is None:
        raise Http404(
            gettext("%(council)s has no participatory budgeting process “%(slug)s”.")
            % {"council": council.short_name, "slug": process_slug}
        )
    return process


def _budgets(process: BudgetProcess) -> list[Budget]:
    budgets = list(Budget.objects.filter(process=process).select_related("ward"))
    # Council-wide first, then wards by name (the same order on every database).
    return sorted(budgets, key=lambda b: (b.ward is not None, b.ward.name if b.ward else "", b.pk))


def _public_projects(process: BudgetProcess) -> QuerySet[Project]:
    return (
        Project.objects.filter(process=process)
        .shown()
        .select_related("process__council")
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProjectImage.objects.select_related("project__process__council").order_by(
                    "created_at", "id"
                ),
            )
        )
    )


@budgeting_router.get(
    "/councils/{slug:slug}/budgets",
    response={200: list[BudgetProcessOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_budgets",
    operation_id="list_council_budgets",
    summary="A council's participatory budgeting processes, the newest first",
    description=_described(
        "Each process with its phase (ideas, review, voting, results, delivery, closed) and "
        "its dates. imported=true for a finished election imported from a Pabulib file."
    ),
)
@paginate(LimitOffset)
def list_council_budgets(request: HttpRequest, slug: str) -> QuerySet[BudgetProcess]:
    return public_processes(_council_or_404(slug)).order_by("-created_at", "-pk")


@budgeting_router.get(
    "/councils/{slug:slug}/budgets/{slug:process_slug}",
    response={200: BudgetProcessDetailOut, 404: ErrorOut},
    url_name="budget_process",
    operation_id="get_budget_process",
    summary="One participatory budgeting process: its budgets, phase and ballot rules",
    description=_described(
        "The budgets (council-wide, ward null, then one per ward), how people vote "
        "(approval, with or without a budget cap; points; ranking) and how winners are "
        "chosen (the rule, named as Pabulib names it)."
    ),
)
def get_budget_process(request: HttpRequest, slug: str, process_slug: str) -> BudgetProcess:
    process = _process_or_404(_council_or_404(slug), process_slug)
    process.public_budgets = _budgets(process)  # type: ignore[attr-defined]
    return process


@budgeting_router.get(
    "/councils/{slug:slug}/budgets/{slug:process_slug}/projects",
    response={200: list[BudgetProjectOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="budget_projects",
    operation_id="list_budget_projects",
    summary="A process's projects: cost, budget, review status, and funding and delivery",
    description=_described(
        "Proposed, on the ballot (accepted, with the officers' cost), not feasible "
        "(rejected, with the published reason) and merged projects, by title. selected, "
        "delivery_status and progress are null until results are published. Filter by "
        "budget (its id), status and selected."
    ),
)
@paginate(LimitOffset)
def list_budget_projects(
    request: HttpRequest, slug: str, process_slug: str, filters: Query[ProjectFilters]
) -> QuerySet[Project]:
    process = _process_or_404(_council_or_404(slug), process_slug)
    found = _public_projects(process)
    if filters.budget is not None:
        found = found.filter(budget_id=filters.budget)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.selected is not None:
        if not results_published(process):
            return Project.objects.none()
        found = found.filter(is_selected=filters.selected)
    return found.order_by("title", "pk")


def _project_results(result: Result, projects: dict[int, Project]) -> list[dict[str, Any]]:
    rows = []
    explanations = result.explanations if isinstance(result.explanations, dict) else {}
    for key, explained in explanations.items():
        project = projects.get(int(key))
        if project is None:
            continue
        rows.append(
            {
                "id": project.pk,
                "title": project.title,
                "cost": explained.get("cost", project.cost or 0),
                "votes": explained.get("votes", 0),
                "points": explained.get("points"),
                "selected": bool(explained.get("selected")),
                "order": explained.get("order"),
                "reason": explained.get("reason", ""),
                "remaining": explained.get("remaining"),
                "payers": explained.get("payers"),
                "paid_all": explained.get("paid_all"),
                "max_share": explained.get("max_share"),
                "typical_share": explained.get("typical_share"),
                "supporters_money": explained.get("supporters_money"),
                "went_to": explained.get("went_to"),
                "went_to_amount": explained.get("went_to_amount"),
            }
        )
    # The funded in the order chosen, then the rest by votes (most first).
    rows.sort(
        key=lambda r: (not r["selected"], r["order"] or 0, -(r["votes"] or 0), r["title"], r["id"])
    )
    return rows


@budgeting_router.get(
    "/councils/{slug:slug}/budgets/{slug:process_slug}/results",
    response={200: BudgetResultsOut, 404: ErrorOut, 409: CodedErrorOut},
    url_name="budget_results",
    operation_id="get_budget_results",
    summary="A process's results: per budget, the funded projects and why each won or lost",
    description=_described(
        "Per budget: the rule, the funded projects in the order chosen, the money spent, "
        "the ballots counted, and for every project on the ballot its votes and the "
        "explanation fields the site words in plain English (reason, remaining, and for "
        'Equal Shares the supporters\' shares and where their money went). 409 {"code": '
        '"not_published"} before results are published.'
    ),
)
def get_budget_results(request: HttpRequest, slug: str, process_slug: str) -> Any:
    process = _process_or_404(_council_or_404(slug), process_slug)
    if not results_published(process):
        return Status(
            409,
            {
                "detail": gettext("The results of %(process)s are not published yet.")
                % {"process": process.title},
                "code": "not_published",
            },
        )
    budgets = _budgets(process)
    results = {r.budget_id: r for r in Result.objects.filter(budget__process=process)}
    projects = {
        p.pk: p for p in Project.objects.filter(process=process).only("id", "title", "cost")
    }
    answer = []
    for budget in budgets:
        result = results.get(budget.pk)
        if result is None:
            continue
        details = result.details if isinstance(result.details, dict) else {}
        answer.append(
            {
                "budget": budget,
                "rule": result.rule,
                "selected": [int(pk) for pk in result.selected],
                "spent": result.spent,
                "ballots": result.ballots,
                "details": {
                    "per_voter_budget": details.get("per_voter_budget"),
                    "completion": details.get("completion"),
                    "greedy_fill": details.get("greedy_fill") or [],
                },
                "projects": _project_results(result, projects),
                "computed_at": result.computed_at,
            }
        )
    return Status(200, {"process": process, "budgets": answer})


@budgeting_router.get(
    "/councils/{slug:slug}/budgets/{slug:process_slug}/projects/{int:id}/updates",
    response={200: list[DeliveryUpdateOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="budget_project_updates",
    operation_id="list_budget_project_updates",
    summary="A funded project's delivery updates: status, progress and what happened",
    description=_described(
        "Newest first, each with its photos. A project that was not funded has none."
    ),
)
@paginate(LimitOffset)
def list_budget_project_updates(
    request: HttpRequest, slug: str, process_slug: str, id: Path[int]
) -> QuerySet[DeliveryUpdate]:
    process = _process_or_404(_council_or_404(slug), process_slug)
    project = Project.objects.filter(process=process, pk=id).shown().first()
    if project is None:
        raise Http404(
            gettext("%(process)s has no project %(id)s.") % {"process": process.title, "id": id}
        )
    if not results_published(process):
        return DeliveryUpdate.objects.none()
    return (
        DeliveryUpdate.objects.filter(project=project)
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProjectImage.objects.select_related("project__process__council").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )
