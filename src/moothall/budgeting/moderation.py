"""What moderation can act on in participatory budgeting: the projects residents propose.

A proposal can be reported while it is shown, and hidden (its page then says why) and
restored through the budgeting app's own verbs. Each process that is not finished is a
space: its proposals are published at once and moderated after (post), or wait for a
moderator to approve them (pre), as ``BudgetProcess.pre_moderation`` says."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.budgeting import domain
from moothall.budgeting.models import BudgetProcess, Phase, Project
from moothall.moderation.registry import POST, PRE, Kind, Space, register, register_spaces

KIND = "budget_project"


def _author_name(project: Project) -> str:
    # The public page says "By a resident" (never the proposer's name) or "By the council".
    if project.proposed_by_id is None:
        return str(_("The council"))
    return str(_("A resident"))


def _hide(actor: Any, project: Project, reason: str) -> Any:
    return domain.hide_project(actor, project, reason=reason)


def _restore(actor: Any, project: Project) -> Any:
    return domain.restore_project(actor, project)


register(
    Kind(
        name=KIND,
        label=_("proposed budget project"),
        at_council=lambda council: Project.objects.filter(process__council=council).select_related(
            "process__council", "budget", "proposed_by"
        ),
        council_of=lambda project: project.process.council,
        author_of=lambda project: project.proposed_by,
        author_name=_author_name,
        is_hidden=lambda project: project.is_hidden,
        hidden_lookup={"hidden_at__isnull": False},
        is_shown=lambda project: project.is_public,
        hide=_hide,
        restore=_restore,
        url_of=lambda project: project.get_absolute_url(),
        excerpt=lambda project: f"{project.title}\n\n{project.description}",
        is_pending=lambda project: project.awaiting_moderation,
        pending_lookup={"awaiting_moderation": True},
        approve=domain.approve_project,
    )
)


def _set_mode(actor: Any, process: BudgetProcess, mode: str) -> Any:
    return domain.update_process(actor, process, pre_moderation=mode == PRE)


def _space(process: BudgetProcess, council: Any, waiting: int) -> Space:
    return Space(
        key=f"budget-{process.pk}",
        label=_("Project proposals: %(process)s") % {"process": process.title},
        mode=PRE if process.pre_moderation else POST,
        set_mode=lambda actor, mode: _set_mode(actor, process, mode),
        pending=waiting,
        queue_url=reverse("staff:moderation_waiting", kwargs={"council": council.slug})
        + f"?kind={KIND}",
    )


def _spaces(council: Any) -> list[Space]:
    processes = (
        BudgetProcess.objects.filter(council=council)
        .exclude(phase=Phase.CLOSED)
        .annotate(
            waiting=Count(
                "projects",
                filter=Q(projects__awaiting_moderation=True, projects__hidden_at__isnull=True),
            )
        )
        .order_by("pk")
    )
    return [_space(process, council, process.waiting) for process in processes]


register_spaces(_spaces)
