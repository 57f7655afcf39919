"""What anyone may do in a participatory budgeting process: the role × phase matrix.

The phase decides which steps are open at all; the role (through
:func:`moothall.accounts.rules.can`) and the council's eligibility levels decide who may
take them. Verbs, views and the API all ask :func:`allowed` (or :func:`refusal`, which
also says why not), so the matrix is tested in one place.
"""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import Action, can, can_contribute
from moothall.budgeting.models import BudgetProcess, Phase


class Step(enum.StrEnum):
    VIEW = "view"  # see the process and its projects
    PROPOSE = "propose"  # a resident proposes a project
    REVIEW = "review"  # staff: accept (with a cost), reject or merge projects; add projects
    EDIT = "edit"  # staff: ballot rules, budgets, dates, rule
    VOTE = "vote"  # a resident casts or changes their ballot
    ENTER_PAPER = "enter_paper"  # staff: enter a paper ballot
    SEE_RESULTS = "see_results"  # see which projects won and why
    REPORT_DELIVERY = "report_delivery"  # staff: delivery updates on funded projects
    CHANGE_PHASE = "change_phase"  # staff: move the process on (or one step back)


# Which phases each step is open in.
OPEN_IN: dict[Step, frozenset[str]] = {
    Step.VIEW: frozenset(set(Phase.values) - {Phase.DRAFT}),
    Step.PROPOSE: frozenset({Phase.IDEAS}),
    Step.REVIEW: frozenset({Phase.DRAFT, Phase.IDEAS, Phase.REVIEW}),
    Step.EDIT: frozenset({Phase.DRAFT, Phase.IDEAS, Phase.REVIEW}),
    Step.VOTE: frozenset({Phase.VOTING}),
    Step.ENTER_PAPER: frozenset({Phase.VOTING}),
    Step.SEE_RESULTS: frozenset({Phase.RESULTS, Phase.DELIVERY, Phase.CLOSED}),
    Step.REPORT_DELIVERY: frozenset({Phase.RESULTS, Phase.DELIVERY}),
    Step.CHANGE_PHASE: frozenset(Phase.values),
}

# Steps only staff who run budgeting may take (in any phase where they are open).
STAFF_STEPS = frozenset(
    {Step.REVIEW, Step.EDIT, Step.ENTER_PAPER, Step.REPORT_DELIVERY, Step.CHANGE_PHASE}
)
# Steps a resident takes, at the eligibility level the council set for them.
RESIDENT_STEPS = {Step.PROPOSE: "propose_level", Step.VOTE: "vote_level"}


def manages(user: Any, process: BudgetProcess) -> bool:
    return can(user, Action.MANAGE_BUDGETS, process.council)


def needed_level(process: BudgetProcess, step: Step) -> Eligibility:
    return Eligibility(getattr(process, RESIDENT_STEPS[step]))


def refusal(user: Any, process: BudgetProcess, step: Step) -> str | None:
    """Why ``user`` may not take ``step`` in ``process`` now, or None when they may."""
    if step == Step.VIEW and process.phase == Phase.DRAFT:
        return None if manages(user, process) else _("This process is not published yet.")
    if process.phase not in OPEN_IN[step]:
        return _phase_closed(process, step)
    if step in STAFF_STEPS:
        return None if manages(user, process) else _("Only council staff can do this.")
    if step in RESIDENT_STEPS:
        if not can_contribute(user):
            return _("Sign in with a verified email address to take part.")
        level = needed_level(process, step)
        if eligibility_for(user, process.council) < level:
            return _needs(level)
    return None


def allowed(user: Any, process: BudgetProcess, step: Step) -> bool:
    return refusal(user, process, step) is None


def _phase_closed(process: BudgetProcess, step: Step) -> str:
    if step == Step.PROPOSE:
        return _("This process is not collecting ideas now.")
    if step in (Step.VOTE, Step.ENTER_PAPER):
        return _("Voting is not open.")
    if step == Step.SEE_RESULTS:
        return _("The results are not published yet.")
    if step == Step.EDIT:
        return _("The ballot and budgets cannot change once voting has started.")
    if step == Step.REVIEW:
        return _("Projects cannot be reviewed once voting has started.")
    if step == Step.REPORT_DELIVERY:
        if process.phase == Phase.CLOSED:
            return _("The process is finished: delivery can no longer be reported.")
        return _("Delivery can be reported once results are published.")
    return _("This cannot be done in the current phase.")


def _needs(level: Eligibility) -> str:
    if level >= Eligibility.VERIFIED_RESIDENT:
        return _("Only verified residents can take part. Ask the council to verify you.")
    if level >= Eligibility.POSTCODE_IN_AREA:
        return _("Add a postcode in the council’s area to your profile to take part.")
    return _("Sign in with a verified email address to take part.")
