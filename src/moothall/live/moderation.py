"""What moderation can act on at live meetings: residents' comments and attendees'
media, and the two spaces whose pre- or post-moderation is stored in
:class:`~moothall.live.models.LiveSettings` (read and set here, never copied)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.live import contributions
from moothall.live.domain import update_live_settings
from moothall.live.models import Comment, Contribution, LiveSettings, Media
from moothall.moderation.registry import Kind, Space, register, register_spaces


def _live_url(row: Comment | Media) -> str:
    return reverse(
        "public:live", kwargs={"council": row.meeting.council.slug, "pk": row.meeting_id}
    )


def _hide_comment(actor: Any, comment: Comment, reason: str) -> Any:
    return contributions.remove_comment(actor, comment, reason=reason)


def _restore_comment(actor: Any, comment: Comment) -> Any:
    return contributions.restore_comment(actor, comment)


def _hide_media(actor: Any, media: Media, reason: str) -> Any:
    return contributions.remove_media(actor, media, reason=reason)


register(
    Kind(
        name="live_comment",
        label=_("comment at a live meeting"),
        at_council=lambda council: Comment.objects.filter(meeting__council=council).select_related(
            "meeting__council", "author"
        ),
        council_of=lambda comment: comment.meeting.council,
        author_of=lambda comment: comment.author,
        author_name=lambda comment: comment.display_name,
        is_hidden=lambda comment: comment.status == Contribution.REMOVED,
        hidden_lookup={"status": Contribution.REMOVED},
        is_shown=lambda comment: comment.status == Contribution.PUBLISHED,
        hide=_hide_comment,
        restore=_restore_comment,
        url_of=_live_url,
        excerpt=lambda comment: comment.text,
    )
)

register(
    Kind(
        name="live_media",
        label=_("photo, sound or video at a live meeting"),
        at_council=lambda council: Media.objects.filter(meeting__council=council).select_related(
            "meeting__council", "uploader"
        ),
        council_of=lambda media: media.meeting.council,
        author_of=lambda media: media.uploader,
        author_name=lambda media: media.display_name,
        is_hidden=lambda media: media.status == Contribution.REMOVED,
        hidden_lookup={"status": Contribution.REMOVED},
        is_shown=lambda media: media.status == Contribution.PUBLISHED,
        hide=_hide_media,
        # Removing an upload deletes its file: there is nothing to put back.
        restore=None,
        url_of=_live_url,
        excerpt=lambda media: media.caption,
    )
)


def _spaces(council: Any) -> list[Space]:
    rules = LiveSettings.for_council(council)
    queue = reverse("staff:live_moderation", kwargs={"council": council.slug})
    return [
        Space(
            key="live_comments",
            label=_("Comments at live meetings"),
            mode=rules.comment_moderation,
            set_mode=lambda actor, mode: update_live_settings(
                actor, council, comment_moderation=mode
            ),
            pending=Comment.objects.filter(
                meeting__council=council, status=Contribution.PENDING
            ).count(),
            queue_url=queue,
        ),
        Space(
            key="live_media",
            label=_("Photos, sound and video at live meetings"),
            mode=rules.media_moderation,
            set_mode=lambda actor, mode: update_live_settings(
                actor, council, media_moderation=mode
            ),
            pending=Media.objects.filter(
                meeting__council=council, status=Contribution.PENDING
            ).count(),
            queue_url=queue,
        ),
    ]


register_spaces(_spaces)
