"""What anyone may do with a survey: the role × step (× phase) matrix.

A survey's *phase* comes from its status and its dates together:

- ``draft``: being built; only staff who run consultations see it;
- ``upcoming``: opened by staff, but ``opens_at`` is still ahead;
- ``open``: opened, and now is between ``opens_at`` and ``closes_at`` (either may be empty);
- ``closed``: closed by staff, or ``closes_at`` has passed (no task is needed to close a
  survey on time: a passed closing date closes it here, for every verb and page at once).

The phase decides which steps are open at all; the role (through
:func:`moothall.accounts.rules.can` with ``Action.MANAGE_CONSULTATIONS``) and the
survey's ``answer_level`` (:func:`moothall.accounts.residents.eligibility_for`) decide who
may take them. ``Eligibility.NONE`` means anyone, signed in or not. Verbs, views and the
API all ask :func:`refusal` (or :func:`allowed`), so the matrix is tested in one place.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import Action, can
from moothall.surveys.models import Status, Survey


class Step(enum.StrEnum):
    VIEW = "view"  # see the survey's page
    ANSWER = "answer"  # answer it online
    MANAGE = "manage"  # staff: build, change, open, close, delete
    ENTER_PAPER = "enter_paper"  # staff: enter a response that came on paper
    SEE_RESULTS = "see_results"  # see the results


class Phase(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


# Which phases each step is open in.
OPEN_IN: dict[Step, frozenset[Phase]] = {
    Step.VIEW: frozenset({Phase.UPCOMING, Phase.OPEN, Phase.CLOSED}),  # drafts: staff only
    Step.ANSWER: frozenset({Phase.OPEN}),
    Step.MANAGE: frozenset(Phase),  # the verbs say what may change in each phase
    Step.ENTER_PAPER: frozenset({Phase.OPEN}),
    Step.SEE_RESULTS: frozenset({Phase.CLOSED}),  # for the public; staff always
}

STAFF_STEPS = frozenset({Step.MANAGE, Step.ENTER_PAPER})


def phase_of(survey: Survey, now: dt.datetime | None = None) -> Phase:
    """The survey's phase at ``now`` (default: this moment)."""
    if survey.status == Status.DRAFT:
        return Phase.DRAFT
    if survey.status == Status.CLOSED:
        return Phase.CLOSED
    now = now or timezone.now()
    if survey.closes_at is not None and survey.closes_at <= now:
        return Phase.CLOSED
    if survey.opens_at is not None and survey.opens_at > now:
        return Phase.UPCOMING
    return Phase.OPEN


def manages(user: Any, survey: Survey) -> bool:
    """Does ``user`` run consultations at the survey's council (officers, admins)?"""
    return can(user, Action.MANAGE_CONSULTATIONS, survey.council)


def refusal(user: Any, survey: Survey, step: Step, *, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` (None or anonymous: someone not signed in) may not take ``step`` in
    ``survey`` now, or None when they may."""
    phase = phase_of(survey, now)
    if step == Step.VIEW and phase == Phase.DRAFT:
        return None if manages(user, survey) else _("This survey is not published yet.")
    if step == Step.SEE_RESULTS:
        if manages(user, survey):
            return None
        if phase != Phase.CLOSED:
            return _("The results are published when the survey closes.")
        if not survey.results_public:
            return _("The council has not published the results of this survey.")
        return None
    if phase not in OPEN_IN[step]:
        return _closed(survey, phase)
    if step in STAFF_STEPS:
        return None if manages(user, survey) else _("Only council staff can do this.")
    if step == Step.ANSWER:
        level = Eligibility(survey.answer_level)
        if level > Eligibility.NONE and eligibility_for(user, survey.council) < level:
            return needs(level)
    return None


def allowed(user: Any, survey: Survey, step: Step, *, now: dt.datetime | None = None) -> bool:
    return refusal(user, survey, step, now=now) is None


def _closed(survey: Survey, phase: Phase) -> str:
    if phase == Phase.DRAFT:
        return _("This survey is not open yet.")
    if phase == Phase.UPCOMING:
        assert survey.opens_at is not None
        opens = timezone.localtime(survey.opens_at)
        return _("This survey opens on %(date)s at %(time)s.") % {
            "date": date_format(opens, "j F Y"),
            "time": date_format(opens, "H:i"),
        }
    return _("This survey has closed.")


def needs(level: Eligibility) -> str:
    """What someone must do to reach ``level``, in words."""
    if level >= Eligibility.VERIFIED_RESIDENT:
        return _("Only verified residents can answer this survey. Ask the council to verify you.")
    if level >= Eligibility.POSTCODE_IN_AREA:
        return _(
            "Only people whose postcode is in the council’s area can answer this survey. "
            "Sign in and add your postcode to your account."
        )
    return _("Sign in with a verified email address to answer this survey.")
