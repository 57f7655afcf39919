"""Who may read which conversation, and where a councillor's post goes.

A conversation is private to the resident who wrote and the councillor written to.
Nobody else reads it: not officers, not other councillors, not moderators. Helpers
raise ``Http404`` for a conversation that is not the reader's (its existence is
nobody else's business) and ``PermissionDenied`` for a councillor's page opened by
someone who is not a councillor there.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404

from moothall.accounts.models import Role
from moothall.accounts.rules import is_active_user
from moothall.correspondence.models import Message
from moothall.councils.models import Council, Councillor

TOKEN_LENGTH = 32


def _roles_speaking_for(councillors: Iterable[int]) -> QuerySet[Role]:
    # A councillor role counts only at the council of the record it points at.
    return Role.objects.filter(
        kind=Role.Kind.COUNCILLOR,
        councillor_id__in=list(councillors),
        council_id=F("councillor__council_id"),
        user__is_active=True,
    )


def councillor_record_of(user: Any, council: Council) -> Councillor | None:
    """The councillor record ``user`` answers for at ``council`` (their councillor role's link)."""
    if not is_active_user(user):
        return None
    role = (
        Role.objects.filter(
            user=user, council=council, kind=Role.Kind.COUNCILLOR, councillor__isnull=False
        )
        .filter(councillor__council=council)
        .select_related("councillor__person", "councillor__ward")
        .first()
    )
    return role.councillor if role is not None else None


def speaks_for(user: Any, councillor: Councillor) -> bool:
    """Holds the councillor role linked to ``councillor``'s record, at its council."""
    if not is_active_user(user):
        return False
    return _roles_speaking_for([councillor.pk]).filter(user=user).exists()


def councillor_addresses(councillors: Iterable[Councillor]) -> dict[int, str]:
    """Where each councillor's post goes: the email of the account holding the councillor
    role linked to their record, else their published work email; "" when neither. One query.
    """
    members = list(councillors)
    found: dict[int, str] = {}
    rows = (
        _roles_speaking_for(c.pk for c in members)
        .order_by("granted_at", "pk")
        .values_list("councillor_id", "user__email")
    )
    for councillor_id, email in rows:
        found.setdefault(councillor_id, email)
    return {c.pk: found.get(c.pk) or c.work_email for c in members}


def known_addresses(councillor: Councillor) -> set[str]:
    """Every address a councillor's email reply may come from (folded to lower case)."""
    emails = set(
        _roles_speaking_for([councillor.pk]).values_list("user__email", flat=True).order_by()
    )
    if councillor.work_email:
        emails.add(councillor.work_email)
    return {email.strip().lower() for email in emails if email}


def _council(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        raise Http404("No such council.")
    return council


def _thread(council: Council) -> QuerySet[Message]:
    return Message.objects.filter(council=council).select_related(
        "council", "councillor__person", "councillor__ward", "sender"
    )


def get_message_for_sender(user: Any, council_slug: str, pk: int) -> Message:
    """A message ``user`` wrote at the council (404 for anyone else's, or none)."""
    council = _council(council_slug)
    message = _thread(council).filter(pk=pk).first()
    if message is None or not is_active_user(user) or message.sender_id != user.pk:
        raise Http404("No such message.")
    return message


def get_councillor_for(user: Any, council_slug: str) -> Councillor:
    """The councillor record whose inbox ``user`` may read (403 when they answer for none)."""
    council = _council(council_slug)
    councillor = councillor_record_of(user, council)
    if councillor is None:
        raise PermissionDenied
    return councillor


def get_message_for_councillor(user: Any, council_slug: str, pk: int) -> Message:
    """A message to the councillor ``user`` answers for (404 for a message to anyone else)."""
    councillor = get_councillor_for(user, council_slug)
    message = _thread(councillor.council).filter(pk=pk, councillor=councillor).first()
    if message is None:
        raise Http404("No such message.")
    return message


def get_message_by_token(council_slug: str, token: str) -> Message:
    """The message whose councillor reply link carries ``token`` (404 for any other token,
    including the resident's own relay token)."""
    token = (token or "").strip().lower()
    if len(token) != TOKEN_LENGTH or not all(c in "0123456789abcdef" for c in token):
        raise Http404("No such message.")
    message = _thread(_council(council_slug)).filter(token=token).first()
    if message is None or not secrets.compare_digest(message.token, token):
        raise Http404("No such message.")
    return message
