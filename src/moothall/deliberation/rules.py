"""What anyone may do in a deliberation (a conversation): the role × status matrix.

The conversation's status (and its opening and closing dates) decides which steps are
open at all; the role (through :func:`moothall.accounts.rules.can`) and the council's
eligibility level for the conversation decide who may take them. Verbs, views and the
API all ask :func:`allowed` (or :func:`refusal`, which also says why not), so the matrix
is tested in one place.

``Eligibility.NONE`` on a conversation means anyone may take part, signed in or not
(an anonymous participant is remembered by their browser session).

Eligibility is asked again at every step, not only on joining: a council may raise a
conversation's level, or a verification may be revoked, after someone joined. It costs
one query (:func:`moothall.accounts.residents.eligible`); a view may have it remembered
for the rest of the request (:func:`moothall.accounts.residents.remember_eligibility`).
Verbs check a participant with :func:`participant_refusal`, which does not load their user.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility, eligible
from moothall.accounts.rules import Action, can, is_active_user
from moothall.deliberation.models import Conversation, Participant, Status


class Step(enum.StrEnum):
    VIEW = "view"  # see the conversation and its statements
    TAKE_PART = "take_part"  # join and vote agree / disagree / pass
    ADD_STATEMENT = "add_statement"  # a participant writes a statement of their own
    MODERATE = "moderate"  # staff: accept, reject or remove participants' statements
    MANAGE = "manage"  # staff: set up, seed statements, open, close, recompute
    SEE_REPORT = "see_report"  # the opinion groups, consensus and participation


# Steps only staff may take (any status).
STAFF_STEPS = {Step.MODERATE: Action.MODERATE, Step.MANAGE: Action.MANAGE_CONSULTATIONS}
# Steps a resident takes at the conversation's level, while it is taking part.
RESIDENT_STEPS = frozenset({Step.TAKE_PART, Step.ADD_STATEMENT})


def manages(user: Any, conversation: Conversation) -> bool:
    return can(user, Action.MANAGE_CONSULTATIONS, conversation.council)


def moderates(user: Any, conversation: Conversation) -> bool:
    return can(user, Action.MODERATE, conversation.council)


def is_staff_for(user: Any, conversation: Conversation) -> bool:
    """Runs or moderates this conversation (sees drafts, the queue, the report early)."""
    return manages(user, conversation) or moderates(user, conversation)


def taking_part(conversation: Conversation, now: dt.datetime | None = None) -> bool:
    """Open, and within its dates (a missing date does not limit it)."""
    now = now or timezone.now()
    if conversation.status != Status.OPEN:
        return False
    if conversation.opens_at is not None and now < conversation.opens_at:
        return False
    return conversation.closes_at is None or now < conversation.closes_at


def closed_refusal(conversation: Conversation, now: dt.datetime | None = None) -> str | None:
    """Why nobody may take part in ``conversation`` now (status or dates), or None."""
    now = now or timezone.now()
    if conversation.status == Status.DRAFT:
        return _("This conversation is not open yet.")
    if conversation.status == Status.CLOSED:
        return _("This conversation has closed. Thank you to everyone who took part.")
    if conversation.opens_at is not None and now < conversation.opens_at:
        return _("This conversation opens on %(date)s.") % {
            "date": date_format(timezone.localtime(conversation.opens_at), "j F Y, H:i")
        }
    if conversation.closes_at is not None and now >= conversation.closes_at:
        return _("This conversation has closed. Thank you to everyone who took part.")
    return None


def refusal(user: Any, conversation: Conversation, step: Step) -> str | None:
    """Why ``user`` may not take ``step`` in ``conversation`` now, or None when they may."""
    if step in STAFF_STEPS:
        if can(user, STAFF_STEPS[step], conversation.council):
            return None
        return _("Only council staff can do this.")
    if conversation.status == Status.DRAFT:
        if is_staff_for(user, conversation):
            return None if step in (Step.VIEW, Step.SEE_REPORT) else closed_refusal(conversation)
        return _("This conversation is not published yet.")
    if step == Step.VIEW:
        return None
    if step == Step.SEE_REPORT:
        return None  # open or closed: the map is public as it forms, as in Polis
    return _taking_part_refusal(user, conversation, step)


def participant_refusal(
    participant: Participant, conversation: Conversation, step: Step
) -> str | None:
    """Why ``participant`` may not take ``step`` (TAKE_PART or ADD_STATEMENT) in
    ``conversation`` now, or None: :func:`refusal` for their user. A participant without
    a user (an anonymous one, remembered by a session; an imported one) is refused as an
    anonymous visitor is. Their user is not loaded: at most one query."""
    if step not in RESIDENT_STEPS:
        raise ValueError(f"not a participant's step: {step}")
    if participant.user_id is None:
        return _taking_part_refusal(None, conversation, step)
    if Participant.user.is_cached(participant):
        return _taking_part_refusal(participant.user, conversation, step)
    return _taking_part_refusal(participant.user_id, conversation, step)


def _taking_part_refusal(who: Any, conversation: Conversation, step: Step) -> str | None:
    """TAKE_PART or ADD_STATEMENT: ``who`` is a user, a user's id, or None (anonymous)."""
    why = closed_refusal(conversation)
    if why is not None:
        return why
    if step == Step.ADD_STATEMENT and not conversation.allow_statements:
        return _("This conversation does not take new statements.")
    level = Eligibility(conversation.participate_level)
    if level == Eligibility.NONE:
        return None
    if who is None or (not isinstance(who, int) and not is_active_user(who)):
        return _("Sign in to take part.")
    answer = eligible(who, conversation.council_id, level)
    if answer is None:
        return _("Sign in to take part.")  # the account has been deactivated
    return None if answer else _needs(level)


def allowed(user: Any, conversation: Conversation, step: Step) -> bool:
    return refusal(user, conversation, step) is None


def needs_sign_in(user: Any, conversation: Conversation) -> bool:
    """Would signing in (rather than anything else) let this person take part?"""
    return conversation.participate_level > Eligibility.NONE and not is_active_user(user)


def _needs(level: Eligibility) -> str:
    if level >= Eligibility.VERIFIED_RESIDENT:
        return _("Only verified residents can take part. Ask the council to verify you.")
    if level >= Eligibility.POSTCODE_IN_AREA:
        return _("Add a postcode in the council’s area to your profile to take part.")
    return _("Verify your email address to take part.")
