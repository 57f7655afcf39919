"""Verbs of a live meeting: the clerk starts it, moves through the agenda, adjourns,
resumes and ends it, and posts on the live blog.

Each verb runs in one transaction, checks permission through
:mod:`moothall.accounts.rules` (the clerk's work, ``Action.MANAGE_MEETINGS``; raising
``PermissionDenied``), refuses bad input with ``ValidationError`` before writing
anything, locks the meeting's :class:`LiveMeeting` row (so two clerks' clicks are taken
one after the other), keeps the :class:`ItemSpan` rows (which item ran when), adds a row
to the meeting's timeline, writes an audit entry and emits one event on the live stream
(:func:`moothall.live.events.emit`, published after commit).

Exempt (Part II) items: the stream and the public timeline never carry their titles;
timeline rows about them carry the item, so they stay off the public timeline.

``actor=None`` means the system (a demo loader or a command); permission is then the
caller's business.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.accounts.rules import Action, can
from moothall.core.audit import record
from moothall.core.text import render_markdown
from moothall.core.validation import invalid as _invalid
from moothall.core.validation import reason as _reason
from moothall.core.validation import text as _text
from moothall.councils.models import Council
from moothall.ideas.images import clean_image
from moothall.live.events import emit
from moothall.live.models import BlogPost, ItemSpan, LiveMeeting, LiveSettings
from moothall.meetings.models import AgendaItem, Meeting, TimelineEntry

BLOG_TEXT_LIMIT = 1000
PHOTO_ALT_LIMIT = 250
LINK_LIMIT = 500

# What ``live_state`` says of a meeting that has not gone live.
NOT_STARTED = "not_started"


# --- Helpers -------------------------------------------------------------------


def _require(actor: Any, council: Council, action: Action = Action.MANAGE_MEETINGS) -> None:
    if actor is not None and not can(actor, action, council):
        raise PermissionDenied


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _timeline(
    meeting: Meeting,
    kind: str,
    actor: Any,
    at: Any,
    *,
    item: AgendaItem | None = None,
    **details: Any,
) -> TimelineEntry:
    """A timeline row; one about an exempt item stays off the public timeline and keeps
    its title out of the details."""
    if item is not None:
        details["number"] = item.number
        details["title"] = "" if item.is_exempt else item.title
    return TimelineEntry.objects.create(
        meeting=meeting,
        at=at,
        kind=kind,
        details=details,
        is_public=item is None or not item.is_exempt,
        item=item,
        actor=_user(actor),
    )


def _locked(meeting: Meeting) -> LiveMeeting:
    """The meeting's live row, locked until the transaction ends."""
    live = LiveMeeting.objects.select_for_update().filter(meeting=meeting).first()
    if live is None:
        raise ValidationError(_("This meeting has not gone live yet."), code="not_live")
    live.meeting = meeting
    return live


def _refuse_if_ended(live: LiveMeeting) -> None:
    if live.status == LiveMeeting.Status.ENDED:
        raise ValidationError(_("This meeting has ended."), code="ended")


def _state(live: LiveMeeting) -> dict[str, Any]:
    item = live.current_item if live.status != LiveMeeting.Status.ENDED else None
    data: dict[str, Any] = {"status": live.status, "private": live.in_private, "item": None}
    if item is not None:
        data["item"] = {"id": item.pk, "number": item.number}
        # Never the title of an exempt item, whether the meeting is sitting or adjourned.
        if not item.is_exempt:
            data["item"]["title"] = item.title
    return data


def _emit_state(live: LiveMeeting) -> None:
    emit(live.meeting_id, "state", _state(live))


def _close_span(meeting: Meeting, at: Any) -> None:
    ItemSpan.objects.filter(meeting=meeting, ended_at__isnull=True).update(ended_at=at)


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    """The items in agenda order (sub-items after their parent), as the clerk takes them."""
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("sort_key", "id"))


def _move(actor: Any, live: LiveMeeting, item: AgendaItem, verb: str) -> LiveMeeting:
    """Leave the current item (if any) for ``item``: spans, timeline, audit, event."""
    meeting = live.meeting
    now = timezone.now()
    previous = live.current_item
    if previous is not None and live.status == LiveMeeting.Status.LIVE:
        _close_span(meeting, now)
        _timeline(meeting, "item_ended", actor, now, item=previous)
    live.current_item = item
    live.save(update_fields=["current_item"])
    if live.status == LiveMeeting.Status.LIVE:
        ItemSpan.objects.create(meeting=meeting, item=item, started_at=now)
        _timeline(meeting, "item_started", actor, now, item=item)
    record(
        f"live.{verb}",
        actor=actor,
        council=meeting.council,
        target=meeting,
        item=item.pk,
        was=previous.pk if previous is not None else None,
    )
    _emit_state(live)
    return live


# --- Reading the state ---------------------------------------------------------


def live_state(meeting: Meeting) -> dict[str, Any]:
    """What the public may know of the meeting's live state: the data of the ``state``
    event, ``{"status", "private", "item": {"id", "number", "title"} | None}`` (no title
    for an exempt item). Before the meeting goes live the status is ``"not_started"``."""
    live = LiveMeeting.objects.filter(meeting=meeting).select_related("current_item").first()
    if live is None:
        return {"status": NOT_STARTED, "private": False, "item": None}
    return _state(live)


def is_private(meeting: Meeting) -> bool:
    """True while the live meeting sits on an exempt item (the public is excluded):
    comments and uploads are refused until it leaves the item."""
    live = LiveMeeting.objects.filter(meeting=meeting).select_related("current_item").first()
    return live is not None and live.in_private


# --- Running the meeting -------------------------------------------------------


@transaction.atomic
def start_live(actor: Any, meeting: Meeting) -> LiveMeeting:
    """The clerk opens the meeting live; the agenda is not yet on an item ("Next" takes
    the first).

    Refused for a cancelled, postponed or held meeting, a meeting already started (even
    one ended: a meeting goes live once), and a meeting whose agenda is not published.
    A clerk may not hold a meeting without its notice and agenda (Local Government Act
    1972, s.100B), and the live page would show the public an agenda it may not read
    yet: the console says to publish it first, or to record that it was published on the
    council's own site.

    Side effects: LiveMeeting row, timeline entry ``live_started``, audit entry,
    ``state`` event."""
    _require(actor, meeting.council)
    # Lock the meeting so that two clicks on "Start" make one live row.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot go live."), code="cancelled")
    if meeting.status == Meeting.Status.POSTPONED:
        raise ValidationError(
            _("This meeting is postponed: set its new date before it goes live."),
            code="postponed",
        )
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(_("This meeting has already been held."), code="held")
    if LiveMeeting.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("This meeting has already gone live."), code="already_live")
    if not meeting.is_agenda_published:
        raise ValidationError(
            _(
                "Publish the agenda before the meeting goes live (or record that it was "
                "published on the council's own website)."
            ),
            code="agenda_not_published",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            live = LiveMeeting.objects.create(
                meeting=meeting, status=LiveMeeting.Status.LIVE, started_at=now
            )
    except IntegrityError:
        raise ValidationError(
            _("This meeting has already gone live."), code="already_live"
        ) from None
    live.meeting = meeting
    _timeline(meeting, "live_started", actor, now)
    record("live.start_live", actor=actor, council=meeting.council, target=meeting)
    _emit_state(live)
    return live


@transaction.atomic
def go_to_item(actor: Any, meeting: Meeting, item: AgendaItem) -> LiveMeeting:
    """Move the live meeting to ``item`` (any item of its agenda, in any order; an item
    taken twice gets two spans). Going to the current item again changes nothing.
    While adjourned the item becomes current without a span: it starts on resuming.

    Side effects: open span closed and a new one opened, timeline entries
    ``item_ended`` and ``item_started``, audit entry, ``state`` event."""
    _require(actor, meeting.council)
    if item.meeting_id != meeting.pk:
        raise _invalid("item", _("Choose an item of this meeting's agenda."), "other_meeting")
    live = _locked(meeting)
    _refuse_if_ended(live)
    if live.current_item_id == item.pk:
        return live
    return _move(actor, live, item, "go_to_item")


@transaction.atomic
def next_item(actor: Any, meeting: Meeting) -> LiveMeeting:
    """Move to the next item in agenda order (the first, when not yet on one).
    Side effects: as :func:`go_to_item`."""
    _require(actor, meeting.council)
    live = _locked(meeting)
    _refuse_if_ended(live)
    agenda = _agenda(meeting)
    if not agenda:
        raise ValidationError(_("The agenda has no items."), code="no_items")
    ids = [item.pk for item in agenda]
    if live.current_item_id is None or live.current_item_id not in ids:
        target = agenda[0]
    else:
        index = ids.index(live.current_item_id)
        if index + 1 >= len(agenda):
            raise ValidationError(
                _(
                    "This is the last item on the agenda. "
                    "End the meeting when its business is done."
                ),
                code="last_item",
            )
        target = agenda[index + 1]
    return _move(actor, live, target, "next_item")


@transaction.atomic
def previous_item(actor: Any, meeting: Meeting) -> LiveMeeting:
    """Move back to the item before the current one in agenda order.
    Side effects: as :func:`go_to_item`."""
    _require(actor, meeting.council)
    live = _locked(meeting)
    _refuse_if_ended(live)
    agenda = _agenda(meeting)
    ids = [item.pk for item in agenda]
    if live.current_item_id is None or live.current_item_id not in ids:
        raise ValidationError(
            _("The meeting is not on an agenda item yet: there is no item before."),
            code="no_previous",
        )
    index = ids.index(live.current_item_id)
    if index == 0:
        raise ValidationError(
            _("This is the first item on the agenda: there is no item before."),
            code="first_item",
        )
    return _move(actor, live, agenda[index - 1], "previous_item")


@transaction.atomic
def adjourn(actor: Any, meeting: Meeting, *, reason: str = "") -> LiveMeeting:
    """Adjourn the sitting meeting (a break, or until another day); ``reason`` is
    published on the timeline. The current item stays current and starts a new span on
    resuming. Side effects: open span closed, timeline entry ``adjourned``, audit entry,
    ``state`` event."""
    _require(actor, meeting.council)
    reason = _reason(reason, required=False)
    live = _locked(meeting)
    _refuse_if_ended(live)
    if live.status == LiveMeeting.Status.ADJOURNED:
        raise ValidationError(_("The meeting is already adjourned."), code="adjourned")
    now = timezone.now()
    _close_span(meeting, now)
    live.status = LiveMeeting.Status.ADJOURNED
    live.save(update_fields=["status"])
    _timeline(meeting, "adjourned", actor, now, reason=reason)
    record("live.adjourn", actor=actor, council=meeting.council, target=meeting, reason=reason)
    _emit_state(live)
    return live


@transaction.atomic
def resume(actor: Any, meeting: Meeting) -> LiveMeeting:
    """Resume an adjourned meeting on its current item. Side effects: a new span on the
    current item, timeline entry ``resumed``, audit entry, ``state`` event."""
    _require(actor, meeting.council)
    live = _locked(meeting)
    _refuse_if_ended(live)
    if live.status != LiveMeeting.Status.ADJOURNED:
        raise ValidationError(_("The meeting is not adjourned."), code="not_adjourned")
    now = timezone.now()
    live.status = LiveMeeting.Status.LIVE
    live.save(update_fields=["status"])
    _timeline(meeting, "resumed", actor, now)
    item = live.current_item
    if item is not None:
        ItemSpan.objects.create(meeting=meeting, item=item, started_at=now)
    record("live.resume", actor=actor, council=meeting.council, target=meeting)
    _emit_state(live)
    return live


@transaction.atomic
def end_live(actor: Any, meeting: Meeting) -> LiveMeeting:
    """Close the meeting (sitting or adjourned). It has been held: a scheduled meeting is
    marked held, so it can no longer be postponed or cancelled; minutes follow with
    ``publish_minutes``. Side effects: open span closed (with ``item_ended``), timeline
    entry ``live_ended``, meeting status, audit entry, ``state`` event."""
    _require(actor, meeting.council)
    live = _locked(meeting)
    _refuse_if_ended(live)
    now = timezone.now()
    item = live.current_item
    if item is not None and live.status == LiveMeeting.Status.LIVE:
        _close_span(meeting, now)
        _timeline(meeting, "item_ended", actor, now, item=item)
    live.status = LiveMeeting.Status.ENDED
    live.ended_at = now
    live.current_item = None
    live.save(update_fields=["status", "ended_at", "current_item"])
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
    _timeline(meeting, "live_ended", actor, now)
    record("live.end_live", actor=actor, council=meeting.council, target=meeting)
    _emit_state(live)
    return live


# --- Settings ------------------------------------------------------------------

_SETTINGS_FIELDS = frozenset(
    {
        "comment_moderation",
        "media_moderation",
        "comment_max_length",
        "comments_per_window",
        "image_max_mb",
        "audio_max_mb",
        "video_max_mb",
    }
)


@transaction.atomic
def update_live_settings(actor: Any, council: Council, **changes: Any) -> LiveSettings:
    """Change how the council runs live meetings: moderation of comments and media, the
    comment length and rate limits, the upload size limits.

    These are the council's policy, like its meeting rules, so they are its admins'
    (``Action.EDIT_COUNCIL``), not every officer's. Side effects: audit entry."""
    _require(actor, council, Action.EDIT_COUNCIL)
    unknown = set(changes) - _SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"update_live_settings cannot change {sorted(unknown)}")
    settings = LiveSettings.for_council(council)
    before = {field: getattr(settings, field) for field in changes}
    for field, value in changes.items():
        setattr(settings, field, value)
    settings.full_clean(exclude=["council"])
    settings.save()
    record(
        "live.update_live_settings",
        actor=actor,
        council=council,
        target=council,
        before=before,
        after=changes,
    )
    return settings


# --- Live blog -----------------------------------------------------------------

_LINK = URLValidator(schemes=["http", "https"])


def _link(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        if len(value) > LINK_LIMIT:
            raise ValidationError("too long")
        _LINK(value)
    except ValidationError:
        raise _invalid(
            "link",
            _("Enter a web address starting http:// or https://, of 500 characters or fewer."),
            "invalid_url",
        ) from None
    return value


def blog_photo_url(post: BlogPost) -> str:
    """Where the public sees a blog post's photo ("" without one)."""
    if not post.photo:
        return ""
    meeting = post.meeting
    return reverse(
        "public:live_blog_photo",
        kwargs={"council": meeting.council.slug, "pk": meeting.pk, "post_id": post.pk},
    )


def blog_data(post: BlogPost) -> dict[str, Any]:
    """The ``blog`` event's data for ``post`` (also what the live page renders at load)."""
    item = post.item
    return {
        "id": post.pk,
        "html": str(render_markdown(post.text)),
        "link": post.link,
        "photo_url": blog_photo_url(post),
        "photo_alt": post.photo_alt if post.photo else "",
        # An exempt item's id is not public either.
        "item_id": item.pk if item is not None and not item.is_exempt else None,
        "at": post.created_at.isoformat(),
    }


@transaction.atomic
def post_blog(
    actor: Any,
    meeting: Meeting,
    *,
    text: str,
    link: str = "",
    photo: bytes | None = None,
    photo_alt: str = "",
) -> BlogPost:
    """An officer posts on the meeting's live blog: Markdown text (at most 1,000
    characters), an optional web link and an optional photo (re-encoded without its
    metadata, saved under a random name), whose description (alt text) is then required.
    The meeting must have gone live; a closing post after the end is allowed.

    Side effects: BlogPost row (on the current item), photo file, audit entry, ``blog``
    event."""
    _require(actor, meeting.council)
    text = _text(text, "text", limit=BLOG_TEXT_LIMIT)
    link = _link(link)
    cleaned = clean_image(photo, "photo") if photo else None
    photo_alt = _text(photo_alt, "photo_alt", required=cleaned is not None, limit=PHOTO_ALT_LIMIT)
    if cleaned is None:
        photo_alt = ""
    live = _locked(meeting)
    post = BlogPost(
        meeting=meeting,
        item=live.current_item if live.status != LiveMeeting.Status.ENDED else None,
        author=_user(actor),
        text=text,
        link=link,
        photo_alt=photo_alt,
    )
    written = ""
    try:
        if cleaned is not None:
            # A random name: nothing of the uploader's file name reaches the disk.
            post.photo.save(
                f"{uuid.uuid4().hex}.{cleaned.extension}", ContentFile(cleaned.data), save=False
            )
            written = post.photo.name
        post.save()
        record(
            "live.post_blog",
            actor=actor,
            council=meeting.council,
            target=meeting,
            post=post.pk,
            photo=bool(written),
        )
        emit(meeting.pk, "blog", blog_data(post))
    except BaseException:
        # The row goes with the transaction; the file would stay behind without this.
        if written:
            post.photo.storage.delete(written)
        raise
    return post


@transaction.atomic
def remove_blog_post(actor: Any, post: BlogPost, *, reason: str = "") -> BlogPost:
    """Take a post off the live blog (it stays on the record, without its photo, which is
    deleted after commit). Side effects: audit entry with the reason, ``removed`` event."""
    meeting = post.meeting
    _require(actor, meeting.council)
    reason = _reason(reason, required=False)
    _locked(meeting)
    post = BlogPost.objects.select_for_update().get(pk=post.pk)
    if post.is_removed:
        raise ValidationError(_("This post has already been removed."), code="removed")
    post.is_removed = True
    fields = ["is_removed"]
    if post.photo:
        name, storage = post.photo.name, post.photo.storage
        transaction.on_commit(lambda: storage.delete(name))
        post.photo = ""
        fields.append("photo")
    post.save(update_fields=fields)
    record(
        "live.remove_blog_post",
        actor=actor,
        council=meeting.council,
        target=meeting,
        post=post.pk,
        reason=reason,
    )
    emit(meeting.pk, "removed", {"what": "blog", "id": post.pk})
    return post
