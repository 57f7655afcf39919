"""What moderation can act on in deliberations: participants' statements (hidden and
restored with :func:`moothall.deliberation.domain.moderate_statement`), and each
conversation that is not closed as a space, pre- or post-moderated as the conversation
itself stores it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.deliberation import domain
from moothall.deliberation.models import Conversation, Statement, Status
from moothall.moderation.registry import Kind, Space, register, register_spaces

S = Statement.State


def _author(statement: Statement) -> Any:
    participant = statement.author
    return participant.user if participant is not None else None


def _name(statement: Statement) -> str:
    user = _author(statement)
    return (user.name if user is not None else "") or str(_("A participant"))


def _hide(actor: Any, statement: Statement, reason: str) -> Any:
    return domain.moderate_statement(statement, by=actor, accept=False, reason=reason)


def _restore(actor: Any, statement: Statement) -> Any:
    return domain.moderate_statement(statement, by=actor, accept=True)


register(
    Kind(
        name="statement",
        label=_("statement in a deliberation"),
        # The council's own seed statements are not residents' contributions.
        at_council=lambda council: Statement.objects.filter(
            conversation__council=council, is_seed=False
        ).select_related("conversation__council", "author__user"),
        council_of=lambda statement: statement.conversation.council,
        author_of=_author,
        author_name=_name,
        # A statement rejected while it waited was never shown; only a shown one that a
        # moderator took down counts as hidden here (and may be restored).
        is_hidden=lambda statement: statement.state == S.REJECTED,
        hidden_lookup={"state": S.REJECTED},
        is_shown=lambda statement: (
            statement.state == S.ACCEPTED and statement.conversation.status != Status.DRAFT
        ),
        hide=_hide,
        restore=_restore,
        url_of=lambda statement: statement.conversation.get_absolute_url(),
        excerpt=lambda statement: statement.text,
    )
)


def _setter(conversation: Conversation) -> Callable[[Any, str], Any]:
    def set_mode(actor: Any, mode: str) -> Any:
        return domain.update_conversation(conversation, by=actor, moderation=mode)

    return set_mode


def _spaces(council: Any) -> list[Space]:
    conversations = (
        Conversation.objects.filter(council=council)
        .exclude(status=Status.CLOSED)
        .annotate(waiting=Count("statements", filter=Q(statements__state=S.PENDING)))
        .order_by("title", "id")
    )
    return [
        Space(
            key=f"conversation-{conversation.pk}",
            label=_("Statements in “%(title)s”") % {"title": conversation.title},
            mode=conversation.moderation,
            set_mode=_setter(conversation),
            pending=conversation.waiting,
            queue_url=reverse(
                "staff:conversation_moderation",
                kwargs={"council": council.slug, "conversation_id": conversation.pk},
            ),
        )
        for conversation in conversations
    ]


register_spaces(_spaces)
