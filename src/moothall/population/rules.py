"""Who may load and see ward population figures, and see who took part.

Population figures are public statistics, and participation is only ever shown with small
groups suppressed, so seeing them needs nothing; loading or replacing a council's figures
is staff work (``Action.MANAGE_CONSULTATIONS``: officers, council admins, platform admins,
each with MFA on). Views and the verb ask :func:`allowed` (or :func:`refusal`).
"""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext as _

from moothall.accounts.rules import Action, can


class Step(enum.StrEnum):
    SEE = "see"  # see a council's population figures and participation against them
    MANAGE = "manage"  # load (or replace) a council's population figures; the staff page


def refusal(user: Any, council: Any, step: Step) -> str | None:
    """Why ``user`` may not take ``step`` at ``council``, or None when they may."""
    if step == Step.SEE:
        return None
    if can(user, Action.MANAGE_CONSULTATIONS, council):
        return None
    return _("Only council staff who run consultations can load population figures.")


def allowed(user: Any, council: Any, step: Step) -> bool:
    return refusal(user, council, step) is None
