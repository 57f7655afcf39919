"""Verbs: what the public adds to a live meeting — comments and attendees' media — and
their moderation.

Who may contribute: a signed-in, active person whose email address is verified
(:data:`moothall.accounts.residents.Eligibility.EMAIL_VERIFIED`, the first step of the
scale ideas and petitions use), and the council's own staff. When: only while the
meeting is live (not before, not while adjourned, not after) and never in private
session (an exempt item): then the verbs refuse with ``ValidationError`` codes
``not_live`` and ``private_session``.

What the council chooses (:class:`moothall.live.models.LiveSettings`): pre-moderation
(the contribution waits, PENDING, and nothing is published) or post-moderation (it is
PUBLISHED at once and a live event goes out); comment length, comments per ten minutes,
and the largest photo, audio and video file.

Each verb runs in one transaction: a refusal writes nothing and leaves no file behind.
Live events go through :func:`moothall.live.events.emit` (published after commit).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import Action, can, can_contribute
from moothall.core.audit import record
from moothall.core.validation import invalid
from moothall.core.validation import line as _line
from moothall.core.validation import reason as _reason
from moothall.core.validation import text as _text
from moothall.ideas.images import clean_image
from moothall.live import media as sniff
from moothall.live.events import emit
from moothall.live.models import Comment, Contribution, LiveMeeting, LiveSettings, Media, Moderation
from moothall.meetings.models import Meeting
from moothall.moderation.bans import refuse_if_banned
from moothall.moderation.log import note as public_log

RATE_WINDOW = dt.timedelta(minutes=10)
CAPTION_LIMIT = 250
NAME_LIMIT = 150
MB = 1024 * 1024

# Characters that change how text around them is laid out or read (bidirectional
# overrides and isolates, zero-width joiners used to hide words): dropped from comments.
_LAYOUT_CONTROLS = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2060\ufeff"
)


# --- Who, when ------------------------------------------------------------------------


def may_contribute(user: Any, council: Any) -> bool:
    """May ``user`` comment and upload at ``council``'s live meetings? (For pages too.)
    Signed in, active and with a verified email address; or the council's staff."""
    if not can_contribute(user):
        return False
    return eligibility_for(user, council) >= Eligibility.EMAIL_VERIFIED or can(
        user, Action.MODERATE, council
    )


def _require_contributor(user: Any, meeting: Meeting) -> None:
    if not may_contribute(user, meeting.council):
        raise PermissionDenied


def private_session_message() -> str:
    return _(
        "The meeting is in private session: comments and uploads are closed until it "
        "returns to public business."
    )


def _open_live(meeting: Meeting, *, lock: bool) -> LiveMeeting:
    """The meeting's live state if it takes contributions now; else the refusal."""
    found = LiveMeeting.objects.select_related("current_item").filter(meeting_id=meeting.pk)
    if lock:
        found = found.select_for_update(of=("self",))
    live = found.first()
    if live is None or live.status != LiveMeeting.Status.LIVE:
        if live is not None and live.status == LiveMeeting.Status.ADJOURNED:
            message = _(
                "The meeting is adjourned: comments and uploads are closed until it resumes."
            )
        else:
            message = _(
                "The meeting is not live: comments and uploads are open only while it is under way."
            )
        raise ValidationError(message, code="not_live")
    if live.in_private:
        raise ValidationError(private_session_message(), code="private_session")
    return live


def _display_name(user: Any) -> str:
    """The name the public sees: the person's own name, never their email address."""
    return (user.name or "").strip()[:NAME_LIMIT] or _("A resident")


def _moderator(actor: Any, meeting: Meeting) -> None:
    if actor is None or not can(actor, Action.MODERATE, meeting.council):
        raise PermissionDenied


def _at(moment: dt.datetime) -> str:
    return moment.isoformat()


# --- What the public sees (the events' data, also for pages at load) --------------------


def comment_data(comment: Comment) -> dict[str, Any]:
    """A published comment as the ``comment`` event carries it (plain text)."""
    return {
        "id": comment.pk,
        "name": comment.display_name,
        "text": comment.text,
        "item_id": comment.item_id,
        "at": _at(comment.created_at),
    }


def media_url(media: Media) -> str:
    return reverse(
        "public:live_media_file",
        kwargs={
            "council": media.meeting.council.slug,
            "pk": media.meeting_id,
            "media_id": media.pk,
        },
    )


def media_data(media: Media) -> dict[str, Any]:
    """A published upload as the ``media`` event carries it."""
    return {
        "id": media.pk,
        "kind": media.kind,
        "url": media_url(media),
        "caption": media.caption,
        "content_type": media.content_type,
        "name": media.display_name,
        "item_id": media.item_id,
        "at": _at(media.created_at),
    }


def _settle(row: Comment | Media, status: str, reason: str, actor: Any) -> None:
    """A moderator's decision on a comment or an upload, kept with who and when."""
    row.status = status
    row.reason = reason
    row.decided_at = timezone.now()
    row.decided_by = actor
    row.save(update_fields=["status", "reason", "decided_at", "decided_by"])


# --- Comments -------------------------------------------------------------------------


def _clean_comment(value: str, limit: int) -> str:
    """Plain text: line ends made ``\\n``, control and layout characters dropped (tabs and
    line breaks kept), at most ``limit`` characters."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(
        ch
        for ch in value
        if ch in "\n\t"
        or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _LAYOUT_CONTROLS)
    )
    value = value.strip()
    if not value:
        raise invalid("text", _("Write your comment."), "empty")
    return _text(value, "text", limit=limit)


def _within_rate(user: Any, meeting: Meeting, limit: int) -> None:
    """Refuse a comment beyond ``limit`` in ten minutes (at this council, counted in the
    database). The person's row is locked first, so two requests at once cannot both
    slip through."""
    from moothall.accounts.models import User

    User.objects.select_for_update().filter(pk=user.pk).first()
    recent = Comment.objects.filter(
        author=user,
        meeting__council_id=meeting.council_id,
        created_at__gte=timezone.now() - RATE_WINDOW,
    ).count()
    if recent >= limit:
        raise ValidationError(
            _(
                "You have posted %(count)d comments in the last ten minutes, the most we "
                "take. Please wait a few minutes."
            ),
            code="rate_limited",
            params={"count": limit},
        )


@transaction.atomic
def post_comment(user: Any, meeting: Meeting, *, text: str) -> Comment:
    """A signed-in person with a verified email comments on the item under discussion.

    Refused (nothing written) when the meeting is not live (``not_live``), is in private
    session (``private_session``), the text is empty (``empty``) or too long
    (``too_long``), or the person has reached the council's limit for ten minutes
    (``rate_limited``). Side effects: the comment (PENDING under pre-moderation,
    PUBLISHED under post-moderation), an audit entry and, when published, a ``comment``
    event.
    """
    _require_contributor(user, meeting)
    refuse_if_banned(user, meeting.council)
    _open_live(meeting, lock=False)  # "closed" before anything about the text
    rules = LiveSettings.for_council(meeting.council)
    cleaned = _clean_comment(text, rules.comment_max_length)
    _within_rate(user, meeting, rules.comments_per_window)
    live = _open_live(meeting, lock=True)  # again, now under lock
    published = rules.comment_moderation == Moderation.POST
    made = Comment.objects.create(
        meeting=meeting,
        item=live.current_item,
        author=user,
        display_name=_display_name(user),
        text=cleaned,
        status=Contribution.PUBLISHED if published else Contribution.PENDING,
    )
    record("live.comment", actor=user, council=meeting.council, target=meeting, comment=made.pk)
    if published:
        emit(meeting.pk, "comment", comment_data(made))
    return made


def _locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk)


@transaction.atomic
def decide_comment(actor: Any, comment: Comment, *, publish: bool, reason: str = "") -> Comment:
    """A moderator publishes a waiting comment, or rejects it (the reason, if any, is kept
    for the record). Side effects: the comment's status, an audit entry and, when
    published, a ``comment`` event."""
    meeting = comment.meeting
    _moderator(actor, meeting)
    reason = _reason(reason, required=False)
    current = _locked_comment(comment)
    if current.status != Contribution.PENDING:
        raise ValidationError(_("This comment has already been decided."), code="decided")
    _settle(comment, Contribution.PUBLISHED if publish else Contribution.REJECTED, reason, actor)
    record(
        "live.publish_comment" if publish else "live.reject_comment",
        actor=actor,
        council=meeting.council,
        target=meeting,
        comment=comment.pk,
        reason=reason,
    )
    if publish:
        emit(meeting.pk, "comment", comment_data(comment))
    return comment


@transaction.atomic
def remove_comment(actor: Any, comment: Comment, *, reason: str) -> Comment:
    """A moderator takes a published comment down (a reason is required and kept for the
    record). Side effects: the comment's status, an audit entry, a ``removed`` event."""
    meeting = comment.meeting
    _moderator(actor, meeting)
    reason = _reason(reason, required=True)
    current = _locked_comment(comment)
    if current.status != Contribution.PUBLISHED:
        raise ValidationError(_("Only a published comment can be removed."), code="not_published")
    _settle(comment, Contribution.REMOVED, reason, actor)
    public_log(meeting.council, "live_comment", "hidden")
    record(
        "live.remove_comment",
        actor=actor,
        council=meeting.council,
        target=meeting,
        comment=comment.pk,
        reason=reason,
    )
    emit(meeting.pk, "removed", {"what": "comment", "id": comment.pk})
    return comment


@transaction.atomic
def restore_comment(actor: Any, comment: Comment) -> Comment:
    """A moderator puts back a comment removed by mistake. Side effects: the comment's
    status, an audit entry, a ``comment`` event."""
    meeting = comment.meeting
    _moderator(actor, meeting)
    current = _locked_comment(comment)
    if current.status != Contribution.REMOVED:
        raise ValidationError(_("Only a removed comment can be restored."), code="not_removed")
    _settle(comment, Contribution.PUBLISHED, "", actor)
    public_log(meeting.council, "live_comment", "restored")
    record(
        "live.restore_comment",
        actor=actor,
        council=meeting.council,
        target=meeting,
        comment=comment.pk,
    )
    emit(meeting.pk, "comment", comment_data(comment))
    return comment


# --- Media ----------------------------------------------------------------------------


def _limit_mb(rules: LiveSettings, kind: str) -> int:
    return int(
        {
            Media.Kind.PHOTO: rules.image_max_mb,
            Media.Kind.AUDIO: rules.audio_max_mb,
            Media.Kind.VIDEO: rules.video_max_mb,
        }[Media.Kind(kind)]
    )


def max_upload_bytes(council: Any) -> int:
    """The largest file ``council`` takes of any kind: a view may refuse a bigger upload
    before reading it (the verb still holds each kind to its own limit)."""
    rules = LiveSettings.for_council(council)
    return max(rules.image_max_mb, rules.audio_max_mb, rules.video_max_mb) * MB


def _too_large(limit_mb: int) -> ValidationError:
    return invalid(
        "data",
        _("The file is too large: it must be %(limit)d MB or smaller."),
        "too_large",
        {"limit": limit_mb},
    )


def _not_media() -> ValidationError:
    return invalid(
        "data",
        _(
            "The file must be a photo (JPEG, PNG or WebP), audio (MP3, WAV, OGG, M4A or "
            "FLAC) or video (MP4, MOV or WebM)."
        ),
        "not_media",
    )


def _checked_file(
    data: bytes, rules: LiveSettings
) -> tuple[str, str, str, bytes, int | None, int | None]:
    """``(kind, content_type, extension, bytes to store, width, height)`` of an upload,
    judged by its content; refused when not media we take or too large."""
    if not data:
        raise invalid("data", _("Choose a photo, audio or video file to upload."), "empty")
    found = sniff.sniff_media(data)
    if found is None:
        raise _not_media()
    kind, content_type, extension = found
    limit = _limit_mb(rules, kind)
    if len(data) > limit * MB:
        raise _too_large(limit)
    if kind == Media.Kind.PHOTO:
        try:
            picture = clean_image(data, field="data", max_bytes=limit * MB)
        except ValidationError as error:
            codes = {e.code for e in error.error_dict.get("data", [])}
            if "not_an_image" in codes:
                raise _not_media() from None
            raise
        return (
            kind,
            picture.content_type,
            picture.extension,
            picture.data,
            picture.width,
            picture.height,
        )
    if extension in ("mp4", "mov", "m4a"):
        data = sniff.strip_mp4_metadata(data)
    return kind, content_type, extension, data, None, None


@transaction.atomic
def upload_media(user: Any, meeting: Meeting, *, data: bytes, caption: str) -> Media:
    """Someone at the meeting shares a photo, a sound or a video of the item under way.

    The file is judged by its content (:func:`moothall.live.media.sniff_media`), held to
    the council's size limit for its kind, and — a photo — re-encoded without metadata
    (EXIF, GPS); MP4/MOV files lose their metadata boxes (where a phone writes the
    position). A caption (read out to people who cannot see or hear the file) is
    required. Refused, writing nothing and keeping no file, when the meeting is not live
    (``not_live``) or in private session (``private_session``), the file is empty
    (``empty``), not media we take (``not_media``) or too large (``too_large``).

    Side effects: the file under a random name, the row (PENDING under pre-moderation,
    PUBLISHED under post-moderation), an audit entry and, when published, a ``media``
    event.
    """
    _require_contributor(user, meeting)
    refuse_if_banned(user, meeting.council)
    # A quick look first: no point judging a large file for a meeting that takes none.
    _open_live(meeting, lock=False)
    caption = _line(caption, "caption", required=False, limit=CAPTION_LIMIT)
    if not caption:
        raise invalid(
            "caption",
            _("Describe the file in a few words, for people who cannot see or hear it."),
            "caption_required",
        )
    rules = LiveSettings.for_council(meeting.council)
    kind, content_type, extension, stored, width, height = _checked_file(data, rules)
    live = _open_live(meeting, lock=True)  # again, now that the row is locked
    published = rules.media_moderation == Moderation.POST
    made = Media(
        meeting=meeting,
        item=live.current_item,
        uploader=user,
        display_name=_display_name(user),
        kind=kind,
        content_type=content_type,
        size=len(stored),
        width=width,
        height=height,
        caption=caption,
        status=Contribution.PUBLISHED if published else Contribution.PENDING,
    )
    # The name is ours and random: nothing of the uploader's file name reaches the disk.
    made.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(stored), save=False)
    try:
        made.save()
        record("live.upload", actor=user, council=meeting.council, target=meeting, media=made.pk)
        if published:
            emit(meeting.pk, "media", media_data(made))
    except BaseException:
        made.file.storage.delete(made.file.name)
        raise
    return made


def _locked_media(media: Media) -> Media:
    return Media.objects.select_for_update().get(pk=media.pk)


def _drop_file_after_commit(media: Media) -> None:
    # Not shown again to anyone: the file is not kept (the row stays, for the record).
    name, storage = media.file.name, media.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def decide_media(actor: Any, media: Media, *, publish: bool, reason: str = "") -> Media:
    """A moderator publishes a waiting upload, or rejects it (its file is then deleted;
    the reason, if any, is kept). Side effects: the status, an audit entry and, when
    published, a ``media`` event."""
    meeting = media.meeting
    _moderator(actor, meeting)
    reason = _reason(reason, required=False)
    current = _locked_media(media)
    if current.status != Contribution.PENDING:
        raise ValidationError(_("This upload has already been decided."), code="decided")
    _settle(media, Contribution.PUBLISHED if publish else Contribution.REJECTED, reason, actor)
    record(
        "live.publish_media" if publish else "live.reject_media",
        actor=actor,
        council=meeting.council,
        target=meeting,
        media=media.pk,
        reason=reason,
    )
    if publish:
        emit(meeting.pk, "media", media_data(media))
    else:
        _drop_file_after_commit(media)
    return media


@transaction.atomic
def remove_media(actor: Any, media: Media, *, reason: str) -> Media:
    """A moderator takes a published upload down (a reason is required); its file is
    deleted. Side effects: the status, an audit entry, a ``removed`` event."""
    meeting = media.meeting
    _moderator(actor, meeting)
    reason = _reason(reason, required=True)
    current = _locked_media(media)
    if current.status != Contribution.PUBLISHED:
        raise ValidationError(_("Only a published upload can be removed."), code="not_published")
    _settle(media, Contribution.REMOVED, reason, actor)
    public_log(meeting.council, "live_media", "hidden")
    record(
        "live.remove_media",
        actor=actor,
        council=meeting.council,
        target=meeting,
        media=media.pk,
        reason=reason,
    )
    emit(meeting.pk, "removed", {"what": "media", "id": media.pk})
    _drop_file_after_commit(media)
    return media
