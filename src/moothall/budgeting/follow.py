"""People may follow a participatory budgeting process (phases, results) and any public
project in it (review, results, delivery updates). Drafts are nobody's business yet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from moothall.budgeting.models import BudgetProcess, Project
from moothall.notifications.registry import register

register(
    "budget_process",
    BudgetProcess,
    label=_("Participatory budget"),
    is_public=lambda process: process.is_public,
    queryset=lambda: BudgetProcess.objects.select_related("council"),
)
register(
    "budget_project",
    Project,
    label=_("Budget project"),
    council_of=lambda project: project.process.council,
    is_public=lambda project: project.is_public,
    queryset=lambda: Project.objects.select_related("process__council"),
)
