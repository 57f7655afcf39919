"""Access helpers for the petitions back-office: what a staff member may open, and see.

Each ``get_<thing>_for(user, ...)`` decides through :mod:`moothall.accounts.rules` and
raises ``Http404`` for an unknown council or a thing of another council, and
``PermissionDenied`` when the council exists but the person may not take the action
there. An officer of another council is refused Mootshire's pages (403) and cannot
reach Mootshire's petitions through their own council's pages (404).

Moderators look after petitions (moderation, abuse flags, invalidation) and see counts,
internet addresses and email domains; names and email addresses of signers are shown
only to officers and council admins (:func:`sees_signers`), as UK GDPR's data
minimisation asks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from moothall.accounts.access import get_council_for
from moothall.accounts.models import Role, User
from moothall.accounts.rules import Action, can
from moothall.councils.models import Council
from moothall.petitions.models import AbuseAlert, Hearing, Obligation, Petition

# People an obligation can be given to: those who work for the council.
OWNER_ROLES = (Role.Kind.OFFICER, Role.Kind.COUNCIL_ADMIN)


def get_petitions_council_for(user: Any, slug: str, action: Action = Action.MODERATE) -> Council:
    """The council at ``slug`` if ``user`` may take ``action`` on its petitions there."""
    return get_council_for(user, slug, action)


def sees_signers(user: Any, council: Council) -> bool:
    """May ``user`` see the names and email addresses of ``council``'s petition signers?

    Officers and council admins (who own obligations and enter paper petitions); not
    moderators, who judge floods by numbers, addresses and domains."""
    return can(user, Action.MANAGE_VOICE, council)


def get_petition_for(
    user: Any, slug: str, petition_id: int, action: Action = Action.MANAGE_VOICE
) -> tuple[Council, Petition]:
    """``(council, petition)`` when ``user`` may take ``action`` there and the petition is
    the council's. Http404 otherwise for the petition, PermissionDenied for the action."""
    council = get_petitions_council_for(user, slug, action)
    petition = (
        Petition.objects.select_related("topic", "ward", "creator")
        .filter(council=council, pk=petition_id)
        .first()
    )
    if petition is None:
        raise Http404("No such petition.")
    petition.council = council  # already loaded: saves a query per use
    return council, petition


def get_obligation_for(user: Any, slug: str, obligation_id: int) -> tuple[Council, Obligation]:
    """An obligation of the council that ``user`` may assign (MANAGE_VOICE)."""
    council = get_petitions_council_for(user, slug, Action.MANAGE_VOICE)
    obligation = (
        Obligation.objects.select_related("petition", "owner")
        .filter(council=council, pk=obligation_id)
        .first()
    )
    if obligation is None:
        raise Http404("No such obligation.")
    obligation.council = council
    obligation.petition.council = council
    return council, obligation


def get_hearing_for(
    user: Any, slug: str, petition_id: int, hearing_id: int
) -> tuple[Council, Petition, Hearing]:
    """A hearing of the council's petition, for linking the decision (MANAGE_VOICE)."""
    council, petition = get_petition_for(user, slug, petition_id, Action.MANAGE_VOICE)
    hearing = (
        Hearing.objects.select_related("agenda_item__meeting__body", "decision")
        .filter(petition=petition, pk=hearing_id)
        .first()
    )
    if hearing is None:
        raise Http404("No such hearing.")
    hearing.petition = petition
    return council, petition, hearing


def get_alert_for(
    user: Any, slug: str, petition_id: int, alert_id: int
) -> tuple[Council, Petition, AbuseAlert]:
    """An abuse alert about the council's petition (MODERATE)."""
    council, petition = get_petition_for(user, slug, petition_id, Action.MODERATE)
    alert = AbuseAlert.objects.filter(petition=petition, pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    alert.petition = petition
    return council, petition, alert


def possible_owners(council: Council) -> QuerySet[User]:
    """Officers and council admins of ``council``, by name: who may own an obligation."""
    return (
        User.objects.filter(roles__council=council, roles__kind__in=OWNER_ROLES, is_active=True)
        .distinct()
        .order_by("name", "email", "pk")
    )
