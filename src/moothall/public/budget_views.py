"""The public side of participatory budgeting: the processes, one process, its projects,
proposing a project, voting, the results (with why each project won or lost) and delivery.

Thin views: fetch the process (404 unless ``rules.refusal(..., Step.VIEW)`` allows it, so
drafts are only for staff who run budgets), check the form, call one verb from
:mod:`moothall.budgeting.domain`, then redirect with a message or show the page again
with the errors. What a person may not do is said in words (``rules.refusal``), with the
way forward (sign in, add a postcode). Everything works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.rules import Action, can
from moothall.budgeting import domain, rules
from moothall.budgeting.models import (
    BallotKind,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    ProcessEvent,
    Project,
    ProjectImage,
    Result,
    Rule,
)
from moothall.budgeting.rules import Step
from moothall.core.forms import add_verb_errors
from moothall.core.text import render_markdown
from moothall.councils.models import Council
from moothall.public.budget_forms import BallotForm, ProjectForm

PROJECTS_PER_PAGE = 20
P = Project.Status
# Phases after voting, when the winners are known (funded first in lists).
AFTER_VOTING = frozenset({Phase.RESULTS, Phase.DELIVERY, Phase.CLOSED})
PUBLIC_PHASES = [Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.DELIVERY]


# --- Fetching ------------------------------------------------------------------------------------


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def _process(request: HttpRequest, council: str, slug: str) -> BudgetProcess:
    """The process, if this person may see it (drafts: staff who run budgets only)."""
    found = get_object_or_404(
        BudgetProcess.objects.select_related("council"), council__slug=council, slug=slug
    )
    if rules.refusal(request.user, found, Step.VIEW) is not None:
        raise Http404
    return found


def _project(
    request: HttpRequest, council: str, slug: str, pk: int, *, hidden: bool = False
) -> Project:
    """The project, if this person may see it. One a moderator hid is found only when
    ``hidden`` (its page, which says why); the rest of what the public does not see is
    for its proposer and staff (withdrawn) or its proposer and moderators (waiting)."""
    process = _process(request, council, slug)
    found = get_object_or_404(
        Project.objects.select_related("budget__ward", "merged_into", "proposed_by"),
        process=process,
        pk=pk,
    )
    found.process = process
    if found.is_hidden:
        if not hidden:
            raise Http404
        return found
    if not _sees(request, found):
        raise Http404
    return found


def _sees(request: HttpRequest, project: Project) -> bool:
    """Whether this person sees a project (not hidden) of a process they may see: a
    withdrawn project is gone for the public, its proposer and staff who run budgets still
    see it; one waiting for a moderator, see :func:`_sees_waiting`."""
    if project.status == P.WITHDRAWN and not (
        _is_proposer(request, project) or rules.manages(request.user, project.process)
    ):
        return False
    return _sees_waiting(request, project) if project.awaiting_moderation else True


def _sees_waiting(request: HttpRequest, project: Project) -> bool:
    """Whether this person sees a proposal waiting for a moderator: its proposer, and the
    council's staff who moderate (they decide it)."""
    return _is_proposer(request, project) or can(
        request.user, Action.MODERATE, project.process.council
    )


def _budget(process: BudgetProcess, budget_id: int) -> Budget:
    found = get_object_or_404(Budget.objects.select_related("ward"), process=process, pk=budget_id)
    found.process = process
    return found


def _is_proposer(request: HttpRequest, project: Project) -> bool:
    return bool(request.user.is_authenticated and project.proposed_by_id == request.user.pk)


def _sign_in_url(request: HttpRequest, next_url: str = "") -> str:
    return reverse("account_login") + "?" + urlencode({"next": next_url or request.get_full_path()})


def _public_projects(process: BudgetProcess) -> QuerySet[Project]:
    return Project.objects.filter(process=process).shown()


def _public_events(process: BudgetProcess) -> QuerySet[ProcessEvent]:
    """The process's timeline: its own events, and those of the projects the public sees."""
    return ProcessEvent.objects.filter(process=process).filter(
        Q(project__isnull=True) | Q(project__in=Project.objects.filter(process=process).shown())
    )


# --- Words for codes -----------------------------------------------------------------------------


def _phase_hint(phase: str) -> str:
    hints = {
        Phase.IDEAS: gettext("Residents propose projects."),
        Phase.REVIEW: gettext("Council officers check that each idea can be done, and cost it."),
        Phase.VOTING: gettext("Residents vote for the projects they want."),
        Phase.RESULTS: gettext("The winners are announced, with why each project won or lost."),
        Phase.DELIVERY: gettext("The council delivers the funded projects and reports progress."),
    }
    return hints.get(Phase(phase), "")


@dataclass
class PhaseStep:
    phase: str
    label: str
    hint: str
    state: str  # "done", "now" or "later"


def _phase_steps(process: BudgetProcess) -> list[PhaseStep]:
    order = [p.value for p in PUBLIC_PHASES]
    at = order.index(process.phase) if process.phase in order else len(order)
    steps = []
    for index, phase in enumerate(PUBLIC_PHASES):
        state = "done" if index < at else "now" if index == at else "later"
        steps.append(PhaseStep(phase.value, str(phase.label), _phase_hint(phase), state))
    return steps


def _event_words(event: ProcessEvent) -> str:
    kind = event.kind
    if kind.startswith("phase_"):
        phase = kind.removeprefix("phase_")
        label = str(Phase(phase).label) if phase in Phase.values else event.summary
        return gettext("The process moved on: %(phase)s.") % {"phase": label}
    words = {
        "project_proposed": gettext("Proposed by a resident."),
        "project_accepted": gettext("Checked and put on the ballot."),
        "project_rejected": gettext("Checked by the council."),
        "project_merged": gettext("Merged into another project."),
        "project_withdrawn": gettext("Withdrawn by the person who proposed it."),
        "delivery_update": gettext("Delivery update."),
    }
    return words.get(kind, gettext("Update."))


@dataclass
class TimelineEntry:
    at: Any
    words: str
    summary: str
    project: Project | None


def _timeline(events: QuerySet[ProcessEvent], *, with_projects: bool) -> list[TimelineEntry]:
    out = []
    for event in events.select_related("project__process__council"):
        project = event.project
        if (
            project is not None
            and project.status == P.WITHDRAWN
            and event.kind != "project_withdrawn"
        ):
            project = None
        summary = event.summary
        # The phase's own label is already in the words; a project's title goes in a link.
        if (
            event.kind.startswith("phase_")
            or event.kind in ("project_proposed", "project_withdrawn")
            or (event.project is not None and summary == event.project.title)
        ):
            summary = ""
        out.append(
            TimelineEntry(
                at=event.at,
                words=_event_words(event),
                summary=summary,
                project=project if with_projects else None,
            )
        )
    return out


def _money(value: float | int | None) -> str:
    """Money for explanations: whole pounds, or pounds and pence when a share has pence."""
    if value is None:
        return ""
    if abs(value - round(value)) < 0.005:
        return domain.money(round(value))
    return f"£{value:,.2f}"


def _votes(process: BudgetProcess, count: int) -> str:
    if process.ballot_kind == BallotKind.CUMULATIVE:
        return ngettext("%(count)s point", "%(count)s points", count) % {"count": f"{count:,}"}
    return ngettext("%(count)s vote", "%(count)s votes", count) % {"count": f"{count:,}"}


def _says(template: str, **params: Any) -> SafeString:
    """``template`` (translated, trusted) with ``params`` escaped unless already safe."""
    return mark_safe(template % {k: conditional_escape(v) for k, v in params.items()})


def why(
    process: BudgetProcess, explanation: dict[str, Any], projects: dict[int, Project]
) -> SafeString:
    """Why one project won or lost, in plain words (from Result.explanations)."""
    reason = explanation.get("reason")
    votes = _votes(process, int(explanation.get("votes") or 0))
    cost = _money(explanation.get("cost"))
    left = _money(explanation.get("remaining"))
    if reason == "won":
        return _says(
            gettext("Funded: it had %(votes)s and %(left)s was left when its turn came."),
            votes=votes,
            left=left,
        )
    if reason == "did_not_fit":
        return _says(
            gettext("Not funded: it costs %(cost)s but only %(left)s was left when its turn came."),
            cost=cost,
            left=left,
        )
    if reason == "stopped":
        return _says(
            gettext(
                "Not funded: counting stopped at an earlier project that did not fit in what "
                "was left, and this rule does not skip projects."
            )
        )
    if reason == "won_equal_shares":
        payers = int(explanation.get("payers") or 0)
        return _says(
            ngettext(
                "Funded: its %(count)s supporter paid the cost (%(most)s).",
                "Funded: its %(count)s supporters shared the cost (most paid %(most)s; "
                "typically %(typical)s).",
                payers,
            ),
            count=f"{payers:,}",
            most=_money(explanation.get("max_share")),
            typical=_money(explanation.get("typical_share")),
        )
    if reason == "won_fill":
        return _says(
            gettext(
                "Funded: money was left after the Method of Equal Shares, and it was the "
                "project with the most votes that still fitted (it had %(votes)s)."
            ),
            votes=votes,
        )
    if reason == "not_enough_support":
        went_to = explanation.get("went_to")
        money_left = _money(explanation.get("supporters_money"))
        other = projects.get(int(went_to)) if went_to is not None else None
        if other is not None:
            link = format_html(
                '<a class="govuk-link" href="{}">{}</a>', other.get_absolute_url(), other.title
            )
            return _says(
                gettext(
                    "Not funded: its supporters had only %(money)s left between them, less than "
                    "its %(cost)s cost; most of their money went to %(project)s (%(amount)s)."
                ),
                money=money_left,
                cost=cost,
                project=link,
                amount=_money(explanation.get("went_to_amount")),
            )
        return _says(
            gettext(
                "Not funded: its supporters had only %(money)s left between them, less than "
                "its %(cost)s cost."
            ),
            money=money_left,
            cost=cost,
        )
    if reason == "no_votes":
        return _says(gettext("Not funded: nobody voted for it."))
    if explanation.get("selected"):
        return _says(gettext("Funded."))
    return _says(gettext("Not funded."))


def _rule_words(rule: str) -> str:
    words: dict[str, str] = {
        Rule.GREEDY: gettext(
            "The projects with the most votes were funded first, one after another, skipping "
            "any that cost more than was left of the budget."
        ),
        Rule.GREEDY_NO_SKIP: gettext(
            "The projects with the most votes were funded first, one after another, until one "
            "cost more than was left of the budget: counting stopped there."
        ),
        Rule.EQUAL_SHARES: gettext(
            "The Method of Equal Shares: the budget was shared out equally between the voters, "
            "and a project was funded when its supporters could pay for it together from their "
            "shares. This way, every group of voters gets projects in proportion to its size."
        ),
        Rule.EQUAL_SHARES_ADD1: gettext(
            "The Method of Equal Shares: the budget was shared out equally between the voters, "
            "and a project was funded when its supporters could pay for it together from their "
            "shares. Each voter’s share was then raised, one pound at a time, while the "
            "projects chosen still fitted in the real budget; any money left went to the "
            "projects with the most votes that fitted."
        ),
        Rule.EQUAL_SHARES_ADD1_COMPARISON: gettext(
            "The Method of Equal Shares: the budget was shared out equally between the voters, "
            "and a project was funded when its supporters could pay for it together from their "
            "shares. Each voter’s share was then raised, one pound at a time, while the "
            "projects chosen still fitted in the real budget; any money left went to the "
            "projects with the most votes that fitted. Finally the outcome was compared with "
            "the simple “most votes first” outcome, and the one more voters preferred was kept."
        ),
    }
    return words.get(rule, "")


def _rule_label(rule: str) -> str:
    return str(Rule(rule).label) if rule in Rule.values else gettext("Another rule")


# --- The processes and one process ---------------------------------------------------------------


@require_safe
def processes(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    listed = BudgetProcess.objects.filter(council=found)
    staff = False
    if listed.filter(phase=Phase.DRAFT).exists():
        probe = BudgetProcess(council=found, phase=Phase.DRAFT)
        staff = rules.manages(request.user, probe)
    if not staff:
        listed = listed.exclude(phase=Phase.DRAFT)
    return render(
        request,
        "public/budgets/processes.html",
        {"council": found, "processes": list(listed.prefetch_related("budgets"))},
    )


@dataclass
class CallToAction:
    heading: str
    text: str = ""
    label: str = ""
    url: str = ""
    refusal: str = ""
    sign_in_url: str = ""
    account: bool = False
    links: list[tuple[str, str]] = field(default_factory=list)


def _account_hint(request: HttpRequest, why_not: str) -> tuple[str, bool]:
    """(sign-in link, show "go to your account") for a refusal to take part."""
    if not request.user.is_authenticated:
        return _sign_in_url(request), False
    return "", True


def _call_to_action(request: HttpRequest, process: BudgetProcess) -> CallToAction:
    kwargs = {"council": process.council.slug, "slug": process.slug}
    projects_url = reverse("public:budget_projects", kwargs=kwargs)
    phase = process.phase
    if phase == Phase.IDEAS:
        refusal = rules.refusal(request.user, process, Step.PROPOSE) or ""
        sign_in, account = _account_hint(request, refusal) if refusal else ("", False)
        return CallToAction(
            heading=gettext("Propose a project"),
            text=gettext(
                "Anyone who may take part can propose a project for one of the budgets. "
                "Council officers then check and cost every proposal."
            ),
            label=gettext("Propose a project"),
            url=reverse("public:budget_project_new", kwargs=kwargs),
            refusal=refusal,
            sign_in_url=sign_in,
            account=account,
            links=[(gettext("See the projects proposed so far"), projects_url)],
        )
    if phase == Phase.REVIEW:
        return CallToAction(
            heading=gettext("Projects are being checked and costed"),
            text=gettext(
                "Council officers are checking that each project can be done and costing it. "
                "Follow this process to hear when voting opens."
            ),
            links=[(gettext("See the projects"), projects_url)],
        )
    if phase == Phase.VOTING:
        refusal = rules.refusal(request.user, process, Step.VOTE) or ""
        sign_in, account = _account_hint(request, refusal) if refusal else ("", False)
        return CallToAction(
            heading=gettext("Vote"),
            text=gettext(
                "Choose the projects you want. You can change your vote until voting closes."
            ),
            label=gettext("Vote now"),
            url=reverse("public:budget_vote_start", kwargs=kwargs),
            refusal=refusal,
            sign_in_url=sign_in,
            account=account,
            links=[(gettext("See the projects on the ballot"), projects_url)],
        )
    links = [(gettext("See every project"), projects_url)]
    if phase in (Phase.DELIVERY, Phase.CLOSED):
        links.insert(
            0,
            (
                gettext("See how the funded projects are going"),
                reverse("public:budget_delivery", kwargs=kwargs),
            ),
        )
    return CallToAction(
        heading=gettext("The results"),
        text=gettext("See which projects won, and why each project won or lost."),
        label=gettext("See the results"),
        url=reverse("public:budget_results", kwargs=kwargs),
        links=links,
    )


@require_safe
def process(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    budgets = list(found.budgets.select_related("ward"))
    events = _public_events(found)
    counts = {
        "projects": _public_projects(found).count(),
        "on_ballot": _public_projects(found).filter(status=P.ACCEPTED).count(),
    }
    return render(
        request,
        "public/budgets/process.html",
        {
            "council": found.council,
            "process": found,
            "description": render_markdown(found.description),
            "steps": _phase_steps(found),
            "budgets": [(b, domain.money(b.amount)) for b in budgets],
            "total": domain.money(sum(b.amount for b in budgets)),
            "action": _call_to_action(request, found),
            "timeline": _timeline(events.order_by("at", "id"), with_projects=True),
            "counts": counts,
            "is_draft": found.phase == Phase.DRAFT,
            "closed": found.phase == Phase.CLOSED,
        },
    )


# --- Projects ------------------------------------------------------------------------------------


STATUS_FILTERS = ["proposed", "accepted", "rejected", "merged", "funded", "not_funded"]


def _status_label(value: str) -> str:
    if value == "funded":
        return gettext("Funded")
    if value == "not_funded":
        return gettext("Not funded")
    return str(P(value).label)


@require_safe
def projects(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    budgets = list(found.budgets.select_related("ward"))
    after = found.phase in AFTER_VOTING
    wanted_budget = request.GET.get("budget", "")[:20]
    chosen_budget = next((b for b in budgets if str(b.pk) == wanted_budget), None)
    statuses = [s for s in STATUS_FILTERS if after or s not in ("funded", "not_funded")]
    wanted_status = request.GET.get("status", "")[:20]
    status = wanted_status if wanted_status in statuses else ""
    listed = _public_projects(found).select_related("budget__ward")
    if chosen_budget is not None:
        listed = listed.filter(budget=chosen_budget)
    if status == "funded":
        listed = listed.filter(is_selected=True)
    elif status == "not_funded":
        listed = listed.filter(status=P.ACCEPTED, is_selected=False)
    elif status:
        listed = listed.filter(status=status)
    listed = (
        listed.order_by("-is_selected", "title", "id") if after else listed.order_by("title", "id")
    )
    page = Paginator(listed, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    params = {"budget": str(chosen_budget.pk) if chosen_budget else "", "status": status}
    return render(
        request,
        "public/budgets/projects.html",
        {
            "council": found.council,
            "process": found,
            "budgets": budgets,
            "chosen_budget": chosen_budget,
            "statuses": [(s, _status_label(s)) for s in statuses],
            "status": status,
            "page": page,
            "page_query": urlencode({k: v for k, v in params.items() if v}),
            "filtered": any(params.values()),
            "after": after,
            "can_propose": found.phase == Phase.IDEAS,
        },
    )


def _image_url(image: ProjectImage, process: BudgetProcess) -> str:
    return reverse(
        "public:budget_project_image",
        kwargs={
            "council": process.council.slug,
            "slug": process.slug,
            "pk": image.project_id,
            "image_id": image.pk,
            "extension": _extension(image),
        },
    )


def _extension(image: ProjectImage) -> str:
    return "png" if image.content_type == "image/png" else "jpg"


@dataclass
class Picture:
    url: str
    alt: str
    width: int
    height: int


@dataclass
class UpdateView:
    update: DeliveryUpdate
    body: SafeString
    pictures: list[Picture]


@require_safe
def project(request: HttpRequest, council: str, slug: str, pk: int) -> HttpResponse:
    found = _project(request, council, slug, pk, hidden=True)
    process = found.process
    if found.is_hidden:
        # Gone on purpose: say so, and why, rather than "page not found".
        return render(
            request,
            "public/budgets/hidden.html",
            {"council": process.council, "process": process, "project": found},
            status=410,
        )
    images = list(found.images.all())
    pictures = [
        Picture(_image_url(i, process), i.alt_text, i.width, i.height)
        for i in images
        if i.update_id is None
    ]
    result_row = None
    after = rules.refusal(request.user, process, Step.SEE_RESULTS) is None
    if after and found.status == P.ACCEPTED:
        result = Result.objects.filter(budget_id=found.budget_id).first()
        explanation = (result.explanations or {}).get(str(found.pk)) if result else None
        if explanation is not None:
            other = explanation.get("went_to")
            others = {}
            if other is not None:
                others = {p.pk: p for p in Project.objects.filter(process=process, pk=int(other))}
                for p in others.values():
                    p.process = process
            result_row = {
                "votes": _votes(process, int(explanation.get("votes") or 0)),
                "selected": bool(explanation.get("selected")),
                "why": why(process, explanation, others),
                "budget_result_url": reverse(
                    "public:budget_result",
                    kwargs={"council": council, "slug": slug, "budget_id": found.budget_id},
                ),
            }
    updates = []
    if found.is_selected:
        for update in found.updates.order_by("-created_at", "-id"):
            updates.append(
                UpdateView(
                    update,
                    render_markdown(update.body),
                    [
                        Picture(_image_url(i, process), i.alt_text, i.width, i.height)
                        for i in images
                        if i.update_id == update.pk
                    ],
                )
            )
    is_proposer = _is_proposer(request, found)
    can_edit = (
        is_proposer
        and found.status == P.PROPOSED
        and rules.refusal(request.user, process, Step.PROPOSE) is None
    )
    can_withdraw = (
        is_proposer and found.status == P.PROPOSED and process.phase in (Phase.IDEAS, Phase.REVIEW)
    )
    events = ProcessEvent.objects.filter(process=process, project=found).order_by("at", "id")
    return render(
        request,
        "public/budgets/project.html",
        {
            "council": process.council,
            "process": process,
            "project": found,
            "description": render_markdown(found.description),
            "pictures": pictures,
            "result_row": result_row,
            "updates": updates,
            "show_delivery": found.is_selected and after,
            "is_proposer": is_proposer,
            "can_edit": can_edit,
            "can_withdraw": can_withdraw,
            "timeline": _timeline(events, with_projects=False),
            "cost": domain.money(found.cost),
            "estimate": domain.money(found.cost_estimate),
            "waiting": found.awaiting_moderation,
            "can_report": request.user.is_authenticated and found.is_public,
        },
    )


def _project_form_page(
    request: HttpRequest,
    process: BudgetProcess,
    form: ProjectForm | None,
    *,
    project: Project | None = None,
    refusal: str = "",
) -> HttpResponse:
    sign_in, account = ("", False)
    if refusal:
        sign_in, account = _account_hint(request, refusal)
        if process.phase != Phase.IDEAS:
            sign_in, account = "", False
    return render(
        request,
        "public/budgets/project_form.html",
        {
            "council": process.council,
            "process": process,
            "project": project,
            "form": form,
            "refusal": refusal,
            "sign_in_url": sign_in,
            "account": account,
            "creating": project is None,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def project_new(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    refusal = rules.refusal(request.user, found, Step.PROPOSE)
    if refusal is not None:
        if request.method == "POST" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _project_form_page(request, found, None, refusal=refusal)
    form = ProjectForm(process=found)
    if request.method == "POST":
        form = ProjectForm(request.POST, request.FILES, process=found)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = domain.propose_project(
                    request.user,
                    found,
                    title=data["title"],
                    description=data["description"],
                    budget=data.get("budget"),
                    cost_estimate=data["cost_estimate"],
                    location=data["location"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    images=form.images(),
                )
            except domain.StepRefused as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_verb_errors(form, error)
            else:
                if made.awaiting_moderation:
                    messages.success(
                        request,
                        gettext(
                            "Your project is sent. A moderator will check it before it is "
                            "published; until then only you can see it."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        gettext(
                            "Your project is published. Council officers will check and cost "
                            "it, and you will hear what they decide."
                        ),
                    )
                return redirect(made.get_absolute_url())
    return _project_form_page(request, found, form)


@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request: HttpRequest, council: str, slug: str, pk: int) -> HttpResponse:
    found = _project(request, council, slug, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _is_proposer(request, found):
        raise PermissionDenied
    process = found.process
    refusal = rules.refusal(request.user, process, Step.PROPOSE)
    if refusal is None and found.status != P.PROPOSED:
        refusal = gettext("This project has been reviewed and can no longer be changed.")
    if refusal is not None:
        return _project_form_page(request, process, None, project=found, refusal=refusal)
    initial = {
        "title": found.title,
        "description": found.description,
        "budget": found.budget_id,
        "cost_estimate": found.cost_estimate or "",
        "location": found.location,
        "latitude": found.latitude if found.latitude is not None else "",
        "longitude": found.longitude if found.longitude is not None else "",
    }
    form = ProjectForm(process=process, with_pictures=False, initial=initial)
    form.fields.pop("cost_estimate")  # the verb does not change an estimate once given
    if request.method == "POST":
        form = ProjectForm(request.POST, process=process, with_pictures=False)
        form.fields.pop("cost_estimate")
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                "title": data["title"],
                "description": data["description"],
                "location": data["location"],
                "latitude": data["latitude"],
                "longitude": data["longitude"],
            }
            if "budget" in data:
                changes["budget"] = data["budget"]
            try:
                domain.edit_project(request.user, found, **changes)
            except domain.StepRefused as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_verb_errors(form, error)
            else:
                messages.success(request, gettext("Your changes are saved."))
                return redirect(found.get_absolute_url())
    return _project_form_page(request, process, form, project=found)


@require_http_methods(["GET", "HEAD", "POST"])
def project_withdraw(request: HttpRequest, council: str, slug: str, pk: int) -> HttpResponse:
    found = _project(request, council, slug, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _is_proposer(request, found):
        raise PermissionDenied
    problem = ""
    if found.status == P.WITHDRAWN:
        problem = gettext("You have already withdrawn this project.")
    elif request.method == "POST":
        try:
            domain.withdraw_project(request.user, found)
        except domain.StepRefused as error:
            problem = error.message
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request, gettext("Your project “%(title)s” is withdrawn.") % {"title": found.title}
            )
            return redirect(found.process.get_absolute_url())
    elif found.status != P.PROPOSED or found.process.phase not in (Phase.IDEAS, Phase.REVIEW):
        problem = gettext("This project has been reviewed and can no longer be withdrawn.")
    return render(
        request,
        "public/budgets/project_withdraw.html",
        {
            "council": found.process.council,
            "process": found.process,
            "project": found,
            "problem": problem,
        },
    )


@require_safe
def project_image(
    request: HttpRequest, council: str, slug: str, pk: int, image_id: int, extension: str
) -> FileResponse:
    image = get_object_or_404(
        ProjectImage.objects.select_related("project__process__council"),
        project__process__council__slug=council,
        project__process__slug=slug,
        project_id=pk,
        pk=image_id,
    )
    # A picture is seen by whoever sees its project's page (a draft process's: staff who
    # run budgets; a withdrawn project's: its proposer and those staff; a waiting one's:
    # its proposer and moderators), never a hidden project's; cached only when public.
    project = image.project
    shown = project.is_public
    sees = (
        not project.is_hidden
        and rules.refusal(request.user, project.process, Step.VIEW) is None
        and _sees(request, project)
    )
    if not sees or extension != _extension(image):
        raise Http404
    try:
        handle = image.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=86400" if shown else "private, no-store"
    return response


# --- Voting --------------------------------------------------------------------------------------


def _vote_refusal(request: HttpRequest, budget: Budget) -> str | None:
    """Why this person may not vote in ``budget`` now (the words ``cast_ballot`` uses)."""
    return domain.vote_refusal(request.user, budget)


@dataclass
class BudgetToVote:
    budget: Budget
    voted: bool
    url: str


@require_safe
def vote_start(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    refusal = rules.refusal(request.user, found, Step.VOTE)
    budgets: list[BudgetToVote] = []
    if refusal is None:
        for budget in domain.budgets_for(request.user, found):
            budgets.append(
                BudgetToVote(
                    budget,
                    domain.ballot_of(request.user, budget) is not None,
                    reverse(
                        "public:budget_ballot",
                        kwargs={"council": council, "slug": slug, "budget_id": budget.pk},
                    ),
                )
            )
    sign_in, account = _account_hint(request, refusal) if refusal else ("", False)
    if refusal and found.phase != Phase.VOTING:
        sign_in, account = "", False
    return render(
        request,
        "public/budgets/vote_start.html",
        {
            "council": found.council,
            "process": found,
            "refusal": refusal,
            "sign_in_url": sign_in,
            "account": account,
            "budgets": budgets,
        },
    )


@dataclass
class BallotSummary:
    """What the ballot adds up to, for the "check my choices" step."""

    chosen: list[Project]
    cost: int
    budget: int
    points: int = 0
    points_left: int = 0
    over: int = 0
    ok: bool = False

    @property
    def left(self) -> int:
        return max(self.budget - self.cost, 0)

    @property
    def cost_text(self) -> str:
        return domain.money(self.cost)

    @property
    def left_text(self) -> str:
        return domain.money(self.left)

    @property
    def over_text(self) -> str:
        return domain.money(self.over)


def _summary(form: BallotForm, budget: Budget) -> BallotSummary:
    """The chosen projects and their total, from what was sent (as far as it makes sense)."""
    by_id = {p.pk: p for p in form.projects}
    process = budget.process
    choices = _loose_choices(form) if form.is_bound else _initial_choices(form)
    points = 0
    if isinstance(choices, dict):
        ids = [pk for pk in choices if pk in by_id]
        points = sum(choices[pk] for pk in ids)
    else:
        ids = [pk for pk in choices if pk in by_id]
    chosen = [by_id[pk] for pk in dict.fromkeys(ids)]
    cost = sum(p.cost or 0 for p in chosen)
    return BallotSummary(
        chosen=chosen,
        cost=cost,
        budget=budget.amount,
        points=points,
        points_left=max(process.points - points, 0),
        over=max(cost - budget.amount, 0),
    )


def _number(value: Any) -> int | None:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


def _loose_choices(form: BallotForm) -> Any:
    """What the sent data chooses, ignoring anything that does not parse."""
    data = form.data
    if form.kind == BallotKind.CUMULATIVE:
        out = {}
        for p in form.projects:
            number = _number(data.get(f"points_{p.pk}", ""))
            if number:
                out[p.pk] = number
        return out
    if form.kind == BallotKind.RANKING:
        ranked = []
        for p in form.projects:
            number = _number(data.get(f"rank_{p.pk}", ""))
            if number:
                ranked.append((number, p.pk))
        return [pk for _n, pk in sorted(ranked)]
    values = data.getlist("choices") if hasattr(data, "getlist") else []
    return [n for n in (_number(v) for v in values) if n is not None]


def _initial_choices(form: BallotForm) -> Any:
    if form.kind == BallotKind.CUMULATIVE:
        return {
            p.pk: form.fields[f"points_{p.pk}"].initial
            for p in form.projects
            if form.fields[f"points_{p.pk}"].initial
        }
    if form.kind == BallotKind.RANKING:
        ranked = [
            (form.fields[f"rank_{p.pk}"].initial, p.pk)
            for p in form.projects
            if form.fields[f"rank_{p.pk}"].initial
        ]
        return [pk for _n, pk in sorted(ranked)]
    return [int(v) for v in form.fields["choices"].initial or []]


def _current(user: Any, budget: Budget, kind: str) -> Any:
    """The person's ballot in ``budget`` as the form's initial values."""
    ballot = domain.ballot_of(user, budget)
    if ballot is None:
        return None
    choices = list(ballot.choices.all())
    if kind == BallotKind.CUMULATIVE:
        return {c.project_id: c.points for c in choices}
    if kind == BallotKind.RANKING:
        return {c.project_id: c.rank for c in choices if c.rank is not None}
    return [c.project_id for c in choices]


@dataclass
class ProblemLink:
    message: str
    anchor: str


def _problems(form: BallotForm) -> list[ProblemLink]:
    """Every error on the ballot, each linking to the field it is about (or the first)."""
    first = ""
    if form.projects:
        pk = form.projects[0].pk
        first = {
            BallotKind.CUMULATIVE: f"points_{pk}",
            BallotKind.RANKING: f"rank_{pk}",
        }.get(BallotKind(form.kind), f"choice-{pk}")
    out = [ProblemLink(str(m), first) for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        anchor = first if name == "choices" else name
        out += [ProblemLink(str(m), anchor) for m in errors]
    return out


def _field_errors(form: BallotForm, project: Project) -> list[str]:
    errors = form.errors.get(f"points_{project.pk}") or form.errors.get(f"rank_{project.pk}")
    return [str(e) for e in errors or []]


def _rules_hint(process: BudgetProcess, budget: Budget) -> list[str]:
    lines = []
    kind = process.ballot_kind
    if kind == BallotKind.APPROVAL:
        if process.max_projects is not None and process.min_projects > 1:
            lines.append(
                gettext("Choose from %(low)d to %(high)d projects.")
                % {"low": process.min_projects, "high": process.max_projects}
            )
        elif process.max_projects is not None:
            lines.append(
                ngettext(
                    "Choose up to %(count)d project.",
                    "Choose up to %(count)d projects.",
                    process.max_projects,
                )
                % {"count": process.max_projects}
            )
        elif process.min_projects > 1:
            lines.append(
                gettext("Choose at least %(count)d projects.") % {"count": process.min_projects}
            )
        else:
            lines.append(gettext("Choose as many projects as you like."))
        if process.knapsack:
            lines.append(
                gettext("Together they may cost no more than the budget: %(amount)s.")
                % {"amount": domain.money(budget.amount)}
            )
    elif kind == BallotKind.CUMULATIVE:
        lines.append(
            gettext("Share out up to %(points)d points between the projects you support.")
            % {"points": process.points}
        )
        if process.max_points_per_project:
            lines.append(
                gettext("Give at most %(cap)d points to any one project.")
                % {"cap": process.max_points_per_project}
            )
    else:
        lines.append(
            gettext(
                "Give your favourite project rank 1, your next favourite rank 2, and so on. "
                "Leave the projects you do not want as “Not ranked”."
            )
        )
    return lines


def _ballot_page(
    request: HttpRequest,
    budget: Budget,
    form: BallotForm | None,
    *,
    refusal: str = "",
    refused_on_post: bool = False,
    checked: bool = False,
) -> HttpResponse:
    process = budget.process
    kwargs = {"council": process.council.slug, "slug": process.slug, "budget_id": budget.pk}
    summary = _summary(form, budget) if form is not None else None
    if summary is not None and checked and form is not None and not form.errors:
        summary.ok = True
    sign_in, account = ("", False)
    if refusal and process.phase == Phase.VOTING:
        sign_in, account = _account_hint(request, refusal)
    return render(
        request,
        "public/budgets/ballot.html",
        {
            "council": process.council,
            "process": process,
            "budget": budget,
            "form": form,
            "rows": [
                (p, form.value_of(p), Truncator(p.description).chars(200), _field_errors(form, p))
                for p in form.projects
            ]
            if form is not None
            else [],
            "rank_numbers": [str(n) for n in range(1, len(form.projects) + 1)] if form else [],
            "problems": _problems(form) if form is not None else [],
            "refusal": refusal,
            "refused_on_post": refused_on_post,
            "sign_in_url": sign_in,
            "account": account,
            "summary": summary,
            "rules_hint": _rules_hint(process, budget),
            "voted": domain.ballot_of(request.user, budget) is not None,
            "ballot_url": reverse("public:budget_ballot", kwargs=kwargs),
            "total_url": reverse("public:budget_ballot_total", kwargs=kwargs),
            "withdraw_url": reverse("public:budget_ballot_withdraw", kwargs=kwargs),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def ballot(request: HttpRequest, council: str, slug: str, budget_id: int) -> HttpResponse:
    found = _process(request, council, slug)
    budget = _budget(found, budget_id)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = _vote_refusal(request, budget)
    if refusal is not None:
        return _ballot_page(
            request, budget, None, refusal=refusal, refused_on_post=request.method == "POST"
        )
    projects_on = list(domain.ballot_projects(budget))
    for p in projects_on:
        p.process = found
    kind = found.ballot_kind
    if request.method != "POST":
        form = BallotForm(
            process=found,
            budget=budget,
            projects=projects_on,
            current=_current(request.user, budget, kind),
        )
        return _ballot_page(request, budget, form)
    form = BallotForm(request.POST, process=found, budget=budget, projects=projects_on)
    action = request.POST.get("action", "check")
    checked = False
    if form.is_valid():
        choices = form.choices()
        try:
            if action == "submit":
                domain.cast_ballot(request.user, budget, choices)
            else:
                domain.check_choices(found, budget, choices)
                checked = True
        except domain.StepRefused as error:
            return _ballot_page(request, budget, None, refusal=error.message, refused_on_post=True)
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            if action == "submit":
                messages.success(request, gettext("Your vote is saved."))
                return redirect(
                    reverse(
                        "public:budget_ballot_done",
                        kwargs={"council": council, "slug": slug, "budget_id": budget.pk},
                    )
                )
    return _ballot_page(request, budget, form, checked=checked)


@require_POST
def ballot_total(request: HttpRequest, council: str, slug: str, budget_id: int) -> HttpResponse:
    """The running total of the ballot (HTMX, as the person ticks): nothing is saved."""
    found = _process(request, council, slug)
    budget = _budget(found, budget_id)
    projects_on = list(domain.ballot_projects(budget))
    form = BallotForm(request.POST, process=found, budget=budget, projects=projects_on)
    problems: list[ProblemLink] = []
    if form.is_valid():
        try:
            domain.check_choices(found, budget, form.choices())
        except ValidationError as error:
            add_verb_errors(form, error)
    problems = _problems(form)
    summary = _summary(form, budget)
    return render(
        request,
        "public/budgets/partials/ballot_total.html",
        {"process": found, "budget": budget, "summary": summary, "live_problems": problems},
    )


@require_safe
def ballot_done(request: HttpRequest, council: str, slug: str, budget_id: int) -> HttpResponse:
    found = _process(request, council, slug)
    budget = _budget(found, budget_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ballot_row = domain.ballot_of(request.user, budget)
    ballot_url = reverse(
        "public:budget_ballot", kwargs={"council": council, "slug": slug, "budget_id": budget.pk}
    )
    if ballot_row is None:
        return redirect(ballot_url)
    choices = list(ballot_row.choices.select_related("project").order_by("rank", "id"))
    others = []
    if found.phase == Phase.VOTING:
        others = [
            b
            for b in domain.budgets_for(request.user, found)
            if b.pk != budget.pk and domain.ballot_of(request.user, b) is None
        ]
    return render(
        request,
        "public/budgets/ballot_done.html",
        {
            "council": found.council,
            "process": found,
            "budget": budget,
            "ballot": ballot_row,
            "choices": choices,
            "cost": domain.money(sum(c.project.cost or 0 for c in choices)),
            "points": sum(c.points for c in choices),
            "open": found.phase == Phase.VOTING,
            "ballot_url": ballot_url,
            "others": others,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def ballot_withdraw(request: HttpRequest, council: str, slug: str, budget_id: int) -> HttpResponse:
    found = _process(request, council, slug)
    budget = _budget(found, budget_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    problem = _vote_refusal(request, budget) or ""
    has_ballot = domain.ballot_of(request.user, budget) is not None
    if not problem and not has_ballot:
        problem = gettext("You have not voted in this budget, so there is nothing to take back.")
    if request.method == "POST" and not problem:
        try:
            domain.withdraw_ballot(request.user, budget)
        except domain.StepRefused as error:
            problem = error.message
        else:
            messages.success(
                request,
                gettext(
                    "Your vote in %(budget)s is taken back. You can vote again until voting closes."
                )
                % {"budget": budget},
            )
            return redirect(
                reverse("public:budget_vote_start", kwargs={"council": council, "slug": slug})
            )
    return render(
        request,
        "public/budgets/ballot_withdraw.html",
        {
            "council": found.council,
            "process": found,
            "budget": budget,
            "problem": problem,
            "ballot_url": reverse(
                "public:budget_ballot",
                kwargs={"council": council, "slug": slug, "budget_id": budget.pk},
            ),
        },
    )


# --- Results -------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    project: Project
    cost: str
    votes: int
    votes_text: str
    selected: bool
    order: int | None
    why: SafeString


@dataclass
class ChartBar:
    label: str
    value: str
    y: int
    width: int
    funded: bool


@dataclass
class VotesChart:
    """A server-drawn horizontal bar chart of the votes (no script); the table carries the
    same numbers, so the picture is hidden from screen readers."""

    bars: list[ChartBar]
    height: int
    label_width: int = 260
    bar_space: int = 340
    row_height: int = 28

    @property
    def width(self) -> int:
        return self.label_width + self.bar_space + 120


@dataclass
class BudgetResult:
    budget: Budget
    result: Result | None
    rows: list[ResultRow]
    winners: list[ResultRow]
    spent: str
    left: str
    turnout: dict[str, int]
    rule_label: str
    rule_words: str
    notes: list[SafeString]
    chart: VotesChart | None
    votes_heading: str
    url: str


def _chart(rows: list[ResultRow]) -> VotesChart | None:
    if not rows:
        return None
    chart = VotesChart(bars=[], height=len(rows) * 28)
    top = max(row.votes for row in rows) or 1
    for index, row in enumerate(rows):
        title = row.project.title
        chart.bars.append(
            ChartBar(
                label=title if len(title) <= 32 else f"{title[:31]}…",
                value=f"{row.votes:,}",
                y=index * chart.row_height,
                width=max(round(chart.bar_space * row.votes / top), 1),
                funded=row.selected,
            )
        )
    return chart


def _budget_result(
    process: BudgetProcess, budget: Budget, turnout: dict[int, dict[str, int]]
) -> BudgetResult:
    result = Result.objects.filter(budget=budget).first()
    explanations: dict[str, Any] = (result.explanations or {}) if result else {}
    ids = [int(pk) for pk in explanations]
    projects = {p.pk: p for p in Project.objects.filter(process=process, pk__in=ids)}
    for p in projects.values():
        p.process = process
    rows = []
    for pk_text, explanation in explanations.items():
        found = projects.get(int(pk_text))
        if found is None:
            continue
        votes = int(explanation.get("votes") or 0)
        rows.append(
            ResultRow(
                project=found,
                cost=_money(explanation.get("cost")),
                votes=votes,
                votes_text=_votes(process, votes),
                selected=bool(explanation.get("selected")),
                order=explanation.get("order"),
                why=why(process, explanation, projects),
            )
        )
    rows.sort(
        key=lambda r: (
            not r.selected,
            r.order if r.order is not None else 0,
            -r.votes,
            r.project.title,
        )
    )
    winners = [r for r in rows if r.selected]
    details = (result.details or {}) if result else {}
    notes: list[SafeString] = []
    per_voter = details.get("per_voter_budget")
    voters = result.ballots if result else 0
    if per_voter is not None and voters:
        equal = budget.amount / voters
        if details.get("completion") and per_voter > equal + 0.005:
            notes.append(
                _says(
                    gettext(
                        "To spend as much of the budget as it could, each voter’s share was "
                        "raised from %(equal)s to %(amount)s; the projects chosen with it still "
                        "fit in the real budget."
                    ),
                    equal=_money(equal),
                    amount=_money(per_voter),
                )
            )
        else:
            notes.append(
                _says(
                    gettext("Each voter’s equal share of the budget was %(amount)s."),
                    amount=_money(per_voter),
                )
            )
    comparison = details.get("comparison")
    if comparison:
        chose = comparison.get("chose")
        notes.append(
            _says(
                gettext(
                    "Comparison with “most votes first”: %(equal)s preferred the Equal Shares "
                    "outcome and %(greedy)s preferred the “most votes first” one, so the "
                    "%(chosen)s outcome was kept."
                ),
                equal=ngettext(
                    "%(count)s voter",
                    "%(count)s voters",
                    int(comparison.get("prefers_equalshares") or 0),
                )
                % {"count": f"{int(comparison.get('prefers_equalshares') or 0):,}"},
                greedy=ngettext(
                    "%(count)s voter",
                    "%(count)s voters",
                    int(comparison.get("prefers_greedy") or 0),
                )
                % {"count": f"{int(comparison.get('prefers_greedy') or 0):,}"},
                chosen=gettext("Equal Shares")
                if chose == "equalshares"
                else gettext("“most votes first”"),
            )
        )
    for tie in details.get("ties_by_lot") or []:
        names = [projects[int(pk)].title for pk in tie if int(pk) in projects]
        if len(names) > 1:
            notes.append(
                _says(
                    gettext(
                        "%(projects)s tied exactly; they were taken in the order they were entered."
                    ),
                    projects=", ".join(f"“{name}”" for name in names),
                )
            )
    spent = result.spent if result else 0
    counts = turnout.get(budget.pk, {"total": 0, "online": 0, "paper": 0})
    return BudgetResult(
        budget=budget,
        result=result,
        rows=rows,
        winners=winners,
        spent=domain.money(spent),
        left=domain.money(max(budget.amount - spent, 0)),
        turnout=counts,
        rule_label=_rule_label(result.rule if result else process.rule),
        rule_words=_rule_words(result.rule if result else process.rule),
        notes=notes,
        chart=_chart(rows),
        votes_heading=gettext("Points")
        if process.ballot_kind == BallotKind.CUMULATIVE
        else gettext("Votes"),
        url=reverse(
            "public:budget_result",
            kwargs={"council": process.council.slug, "slug": process.slug, "budget_id": budget.pk},
        ),
    )


def _results_refused(request: HttpRequest, found: BudgetProcess) -> HttpResponse | None:
    refusal = rules.refusal(request.user, found, Step.SEE_RESULTS)
    if refusal is None:
        return None
    return render(
        request,
        "public/budgets/not_yet.html",
        {
            "council": found.council,
            "process": found,
            "refusal": refusal,
            "heading": gettext("Results"),
        },
    )


@require_safe
def results(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    refused = _results_refused(request, found)
    if refused is not None:
        return refused
    turnout = domain.turnout(found)
    budgets = list(found.budgets.select_related("ward"))
    return render(
        request,
        "public/budgets/results.html",
        {
            "council": found.council,
            "process": found,
            "results": [_budget_result(found, b, turnout) for b in budgets],
            "single": False,
        },
    )


@require_safe
def budget_result(request: HttpRequest, council: str, slug: str, budget_id: int) -> HttpResponse:
    found = _process(request, council, slug)
    budget = _budget(found, budget_id)
    refused = _results_refused(request, found)
    if refused is not None:
        return refused
    return render(
        request,
        "public/budgets/budget_result.html",
        {
            "council": found.council,
            "process": found,
            "budget": budget,
            "r": _budget_result(found, budget, domain.turnout(found)),
        },
    )


# --- Delivery ------------------------------------------------------------------------------------


@dataclass
class DeliveryRow:
    project: Project
    latest: DeliveryUpdate | None
    latest_text: str


@require_safe
def delivery(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _process(request, council, slug)
    refused = _results_refused(request, found)
    if refused is not None:
        return refused
    funded = list(
        _public_projects(found)
        .filter(is_selected=True)
        .select_related("budget__ward")
        .prefetch_related("updates")
        .order_by("budget__ward__name", "title", "id")
    )
    rows = []
    for item in funded:
        item.process = found
        updates = sorted(item.updates.all(), key=lambda u: (u.created_at, u.pk), reverse=True)
        latest = updates[0] if updates else None
        rows.append(
            DeliveryRow(
                item,
                latest,
                Truncator(strip_tags(render_markdown(latest.body))).words(40)
                if latest is not None
                else "",
            )
        )
    return render(
        request,
        "public/budgets/delivery.html",
        {"council": found.council, "process": found, "rows": rows},
    )
