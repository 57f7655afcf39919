"""What moderation can act on in ideas: ideas themselves (taken off the public site, their
page saying why) and comments (hidden as a placeholder with the reason), each hidden and
restored by the ideas app's own verbs. Ideas and comments are two spaces whose pre- or
post-moderation is stored in :class:`~moothall.ideas.models.IdeaSettings`; in a
pre-moderated one they wait for a moderator (the general queue of waiting items)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.ideas import domain
from moothall.ideas.models import Comment, Idea, IdeaSettings
from moothall.moderation.registry import POST, PRE, Kind, Space, register, register_spaces


def _author_name(row: Idea | Comment) -> str:
    author = row.author
    return (author.name if author is not None else "") or str(_("A resident"))


def _hide(actor: Any, comment: Comment, reason: str) -> Any:
    return domain.remove_comment(actor, comment, reason=reason)


def _restore(actor: Any, comment: Comment) -> Any:
    return domain.restore_comment(actor, comment)


register(
    Kind(
        name="idea_comment",
        label=_("comment on an idea"),
        at_council=lambda council: Comment.objects.filter(idea__council=council).select_related(
            "idea__council", "author"
        ),
        council_of=lambda comment: comment.idea.council,
        author_of=lambda comment: comment.author,
        author_name=_author_name,
        is_hidden=lambda comment: comment.is_removed,
        hidden_lookup={"is_removed": True},
        is_shown=lambda comment: (
            not comment.is_removed
            and not comment.awaiting_moderation
            and comment.idea.is_public
            and not comment.idea.is_merged
        ),
        hide=_hide,
        restore=_restore,
        url_of=lambda comment: f"{comment.idea.get_absolute_url()}#comment-{comment.pk}",
        excerpt=lambda comment: comment.body,
        is_pending=lambda comment: comment.awaiting_moderation,
        pending_lookup={"awaiting_moderation": True},
        approve=lambda actor, comment: domain.approve_comment(actor, comment),
    )
)


def _hide_idea(actor: Any, idea: Idea, reason: str) -> Any:
    return domain.hide_idea(actor, idea, reason=reason)


def _restore_idea(actor: Any, idea: Idea) -> Any:
    return domain.restore_idea(actor, idea)


register(
    Kind(
        name="idea",
        label=_("idea or need"),
        at_council=lambda council: Idea.objects.filter(council=council).select_related(
            "council", "author"
        ),
        council_of=lambda idea: idea.council,
        author_of=lambda idea: idea.author,
        author_name=_author_name,
        is_hidden=lambda idea: idea.is_hidden,
        hidden_lookup={"hidden_at__isnull": False},
        is_shown=lambda idea: idea.is_public and not idea.is_merged,
        hide=_hide_idea,
        restore=_restore_idea,
        url_of=lambda idea: idea.get_absolute_url(),
        excerpt=lambda idea: f"{idea.title}\n\n{idea.body}",
        is_pending=lambda idea: idea.awaiting_moderation,
        pending_lookup={"awaiting_moderation": True},
        approve=lambda actor, idea: domain.approve_idea(actor, idea),
    )
)


def _spaces(council: Any) -> list[Space]:
    rules = IdeaSettings.for_council(council)
    waiting = reverse("staff:moderation_waiting", kwargs={"council": council.slug})

    def space(key: str, label: Any, field: str, kind: str, pending: int) -> Space:
        return Space(
            key=key,
            label=label,
            mode=PRE if getattr(rules, field) else POST,
            set_mode=lambda actor, mode: domain.update_idea_settings(
                actor, council, **{field: mode == PRE}
            ),
            pending=pending,
            queue_url=f"{waiting}?kind={kind}",
        )

    # Hiding or removing what waited ends its wait: what still waits is undecided.
    return [
        space(
            "ideas",
            _("Ideas and needs"),
            "premoderate_ideas",
            "idea",
            Idea.objects.filter(council=council, awaiting_moderation=True).count(),
        ),
        space(
            "idea_comments",
            _("Comments on ideas"),
            "premoderate_comments",
            "idea_comment",
            Comment.objects.filter(idea__council=council, awaiting_moderation=True).count(),
        ),
    ]


register_spaces(_spaces)
