"""Verbs: every change to ideas and needs, their supports, comments, responses and links.

Each verb runs in one transaction, checks permission through
:mod:`moothall.accounts.rules` (raising ``PermissionDenied``; :class:`NotEligible`, a
kind of it, when a person is not tied strongly enough to the council), refuses bad
input with ``ValidationError`` before writing anything, writes an audit entry, adds a
row to the idea's public timeline where the public should know, and tells followers
through :func:`moothall.notifications.domain.notify` (sent after commit). Views, the
API, the demo and tasks call these; none re-implements them.

``actor=None`` on the officers' verbs means the system (the demo, an importer);
permission is then the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.accounts.models import Role
from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import (
    Action,
    can,
    can_contribute,
    can_respond_publicly,
    is_author,
    is_councillor_at,
)
from moothall.core.audit import record
from moothall.core.validation import invalid as _invalid
from moothall.core.validation import reason as _reason
from moothall.core.validation import text as _text
from moothall.councils.models import Council, Topic, Ward
from moothall.ideas.images import MAX_IMAGES_PER_IDEA, clean_image, store_pictures
from moothall.ideas.models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaImage,
    IdeaResponse,
    IdeaSettings,
    IdeaTimelineEntry,
    Support,
)
from moothall.meetings import domain as meetings_domain
from moothall.meetings.models import AgendaItem, Decision, Meeting
from moothall.moderation.bans import refuse_if_banned
from moothall.moderation.log import note as public_log
from moothall.notifications.domain import follow, notify, retract

TITLE_LIMIT = 150
BODY_LIMIT = 10_000
COMMENT_LIMIT = 5_000
RESPONSE_LIMIT = 10_000
ALT_TEXT_LIMIT = 250
# Replies nest at most this deep (0 is a comment on the idea itself): deeper threads
# are hard to follow, above all on a phone or with a screen reader.
MAX_COMMENT_DEPTH = 3
# Each comment and idea reaches followers' inboxes: what one person may send in a while.
COMMENTS_PER_HOUR = 10
IDEAS_PER_DAY = 20
COORDINATE_PLACES = Decimal("0.00001")  # about a metre

S = Idea.Status
# The lifecycle: from each status, where an officer may move an idea. "Merged" is
# reached only through merge_ideas and left never.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.UNDER_CONSIDERATION, S.ACCEPTED, S.NOT_TAKEN_FORWARD}),
    S.UNDER_CONSIDERATION: frozenset({S.ACCEPTED, S.NOT_TAKEN_FORWARD}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.DONE, S.NOT_TAKEN_FORWARD}),
    S.IN_PROGRESS: frozenset({S.DONE, S.NOT_TAKEN_FORWARD}),
    S.DONE: frozenset({S.IN_PROGRESS}),
    S.NOT_TAKEN_FORWARD: frozenset({S.UNDER_CONSIDERATION}),
    S.MERGED: frozenset(),
}
# A reason is published with every change; for these it is required.
REASON_REQUIRED = frozenset({S.NOT_TAKEN_FORWARD})
# Supports are taken while the council may still act on an idea.
OPEN_FOR_SUPPORT = frozenset({S.NEW, S.UNDER_CONSIDERATION, S.ACCEPTED, S.IN_PROGRESS})
STATUS_ORDER = [
    S.NEW,
    S.UNDER_CONSIDERATION,
    S.ACCEPTED,
    S.IN_PROGRESS,
    S.DONE,
    S.NOT_TAKEN_FORWARD,
]


class NotEligible(PermissionDenied):
    """Signed in, but not tied to the council as strongly as the council asks."""

    def __init__(self, needed: Eligibility, what: str) -> None:
        super().__init__(what)
        self.needed = needed
        self.what = what


@dataclass(frozen=True)
class ImageUpload:
    """An uploaded picture and the words that describe it for people who cannot see it."""

    data: bytes
    alt_text: str


# --- Helpers -------------------------------------------------------------------


def _require(actor: Any, council: Council, action: Action) -> None:
    if actor is not None and not can(actor, action, council):
        raise PermissionDenied


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def needed_level(council: Council, what: str) -> Eligibility:
    """The eligibility ``council`` asks for ``what`` ("propose", "support" or "comment")."""
    rules = IdeaSettings.for_council(council)
    return Eligibility(getattr(rules, f"{what}_level"))


def may(user: Any, council: Council, what: str) -> bool:
    """May ``user`` ``what`` ("propose", "support", "comment") at ``council``? (For pages.)"""
    return can_contribute(user) and eligibility_for(user, council) >= needed_level(council, what)


def _require_eligible(user: Any, council: Council, what: str) -> None:
    if not can_contribute(user):
        raise PermissionDenied
    level = needed_level(council, what)
    if eligibility_for(user, council) < level:
        raise NotEligible(level, what)


def _timeline(
    idea: Idea,
    kind: str,
    actor: Any = None,
    *,
    agenda_item: AgendaItem | None = None,
    **details: Any,
) -> IdeaTimelineEntry:
    return IdeaTimelineEntry.objects.create(
        idea=idea, kind=kind, details=details, agenda_item=agenda_item, actor=_as_user(actor)
    )


def _targets(idea: Idea) -> list[tuple[str, int]]:
    targets = [("idea", idea.pk)]
    if idea.ward_id:
        targets.append(("ward", idea.ward_id))
    if idea.topic_id:
        targets.append(("topic", idea.topic_id))
    return targets


def _tell(
    idea: Idea,
    event: str,
    summary: str = "",
    *,
    actor: Any = None,
    targets: Iterable[tuple[str, int]] | None = None,
    url: str = "",
) -> None:
    user = _as_user(actor)
    notify(
        idea.council,
        event=event,
        title=idea.title,
        url=url or idea.get_absolute_url(),
        summary=summary,
        targets=list(targets) if targets is not None else _targets(idea),
        exclude_emails=[user.email] if user is not None else [],
        actor=user,
    )


def _within_limit(user: Any, recent: Any, limit: int, message: str, code: str) -> None:
    """Refuse when ``recent`` (this person's latest contributions) already holds ``limit``.
    The person's row is locked first, so two requests at once cannot both slip through."""
    from moothall.accounts.models import User

    User.objects.select_for_update().filter(pk=user.pk).first()
    if recent.count() >= limit:
        raise ValidationError(message, code=code, params={"count": limit})


def _comment_url(idea: Idea, comment_id: int) -> str:
    return f"{idea.get_absolute_url()}#comment-{comment_id}"


def _touch(idea: Idea, **changes: Any) -> None:
    """Move ``idea``'s last activity to now (and apply ``changes``) without a save, so
    the search index is not recomputed for a change that does not touch its text."""
    now = timezone.now()
    Idea.objects.filter(pk=idea.pk).update(last_activity_at=now, **changes)
    idea.last_activity_at = now


def _coordinate(value: Any, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = _("Enter a number between %(low)s and %(high)s, like 51.50735.") % {
        "low": bounds[0],
        "high": bounds[1],
    }
    if isinstance(value, bool):
        raise _invalid(field, message, "invalid_coordinate")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise _invalid(field, message, "invalid_coordinate") from None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise _invalid(field, message, "invalid_coordinate")
    return number.quantize(COORDINATE_PLACES)


def _point(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    lat = _coordinate(latitude, "latitude", LATITUDE_RANGE)
    lon = _coordinate(longitude, "longitude", LONGITUDE_RANGE)
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        raise _invalid(
            missing,
            _("Enter both the latitude and the longitude, or neither."),
            "incomplete_point",
        )
    return lat, lon


def _checked_fields(
    council: Council,
    *,
    kind: str,
    title: str,
    body: str,
    topic: Topic | None,
    ward: Ward | None,
    latitude: Any,
    longitude: Any,
) -> dict[str, Any]:
    if kind not in Idea.Kind.values:
        raise _invalid("kind", _("Choose whether this is an idea or a need."), "invalid_kind")
    fields: dict[str, Any] = {
        "kind": kind,
        "title": _text(title, "title", limit=TITLE_LIMIT),
        "body": _text(body, "body", limit=BODY_LIMIT),
    }
    if topic is not None and topic.council_id != council.pk:
        raise _invalid("topic", _("Choose a topic of this council."), "other_council")
    if ward is not None and ward.council_id != council.pk:
        raise _invalid("ward", _("Choose a ward of this council."), "other_council")
    fields["latitude"], fields["longitude"] = _point(latitude, longitude)
    return fields | {"topic": topic, "ward": ward}


def _cleaned_images(uploads: Sequence[ImageUpload], already: int = 0) -> list[tuple[Any, str]]:
    if already + len(uploads) > MAX_IMAGES_PER_IDEA:
        raise _invalid(
            "image",
            _("An idea can have at most %(limit)d pictures."),
            "too_many_images",
            {"limit": MAX_IMAGES_PER_IDEA},
        )
    return [
        (clean_image(upload.data), _text(upload.alt_text, "alt_text", limit=ALT_TEXT_LIMIT))
        for upload in uploads
    ]


def _store_images(idea: Idea, cleaned: list[tuple[Any, str]], user: Any) -> list[IdeaImage]:
    """Write the pictures' files and rows (see :func:`moothall.ideas.images.store_pictures`)."""
    return store_pictures(
        cleaned,
        lambda picture, alt_text: IdeaImage(
            idea=idea,
            content_type=picture.content_type,
            width=picture.width,
            height=picture.height,
            size=len(picture.data),
            alt_text=alt_text,
            uploaded_by=_as_user(user),
        ),
    )


def _not_merged(idea: Idea) -> None:
    if idea.is_merged:
        raise ValidationError(
            _("This idea was merged into another one; take part there instead."), code="merged"
        )


# --- Proposing and editing -------------------------------------------------------------


@transaction.atomic
def propose_idea(
    user: Any,
    council: Council,
    *,
    kind: str = Idea.Kind.IDEA,
    title: str,
    body: str,
    topic: Topic | None = None,
    ward: Ward | None = None,
    latitude: Any = None,
    longitude: Any = None,
    images: Sequence[ImageUpload] = (),
) -> Idea:
    """A resident proposes an idea or raises a need at ``council``, with up to six pictures.

    Everything is checked (pictures included) before anything is written. Side effects:
    the idea, its pictures (re-encoded without metadata), a "proposed" timeline entry, an
    audit entry, the author follows the idea, and followers of its ward and topic are told.
    While the council pre-moderates ideas, the idea waits for a moderator
    (:func:`approve_idea`), seen by its author alone; nobody is told, and the author
    follows it, until it is published.
    """
    _require_eligible(user, council, "propose")
    refuse_if_banned(user, council)
    _within_limit(
        user,
        Idea.objects.filter(
            author=user, council=council, created_at__gte=timezone.now() - dt.timedelta(days=1)
        ),
        IDEAS_PER_DAY,
        _("You have proposed %(count)d ideas today, the most we take. Please come back tomorrow."),
        "idea_limit",
    )
    fields = _checked_fields(
        council,
        kind=kind,
        title=title,
        body=body,
        topic=topic,
        ward=ward,
        latitude=latitude,
        longitude=longitude,
    )
    cleaned = _cleaned_images(images)
    now = timezone.now()
    held = IdeaSettings.for_council(council).premoderate_ideas
    idea = Idea.objects.create(
        council=council,
        author=user,
        created_at=now,
        last_activity_at=now,
        awaiting_moderation=held,
        **fields,
    )
    _store_images(idea, cleaned, user)
    _timeline(idea, IdeaTimelineEntry.Kind.CREATED, user)
    record(
        "ideas.propose",
        actor=user,
        council=council,
        target=idea,
        kind=idea.kind,
        awaiting_moderation=held,
    )
    if not held:
        _tell(idea, "idea.proposed", idea.body[:300], actor=user)
        follow(user, council, "idea", idea.pk)
    return idea


@transaction.atomic
def approve_idea(actor: Any, idea: Idea) -> Idea:
    """A moderator publishes an idea that waited in a pre-moderated council (rejecting
    one is :func:`hide_idea`). Side effects: the idea is listed, found and followable,
    followers of its ward and topic are told and its author follows it (as when an idea
    is proposed), an audit entry."""
    _require(actor, idea.council, Action.MODERATE)
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if not current.awaiting_moderation or current.hidden_at is not None:
        raise ValidationError(_("This idea is not waiting to be checked."), code="not_pending")
    current.awaiting_moderation = False
    current.last_activity_at = timezone.now()
    current.save(update_fields=["awaiting_moderation", "last_activity_at", "updated_at"])
    idea.awaiting_moderation, idea.last_activity_at = False, current.last_activity_at
    record("ideas.approve", actor=actor, council=idea.council, target=current)
    _tell(current, "idea.proposed", current.body[:300], actor=current.author)
    if current.author is not None and can_contribute(current.author):
        follow(current.author, current.council, "idea", current.pk)
    return current


@transaction.atomic
def edit_idea(
    user: Any,
    idea: Idea,
    *,
    kind: str,
    title: str,
    body: str,
    topic: Topic | None = None,
    ward: Ward | None = None,
    latitude: Any = None,
    longitude: Any = None,
) -> Idea:
    """The author rewrites their idea, while it is still new (once the council is looking
    at it, what it looked at must stay as it was). Side effects: audit entry listing the
    changed fields."""
    if not is_author(user, idea):
        raise PermissionDenied
    council = idea.council
    fields = _checked_fields(
        council,
        kind=kind,
        title=title,
        body=body,
        topic=topic,
        ward=ward,
        latitude=latitude,
        longitude=longitude,
    )
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if current.status != Idea.Status.NEW:
        raise ValidationError(
            _("The council is already considering this idea: it can no longer be changed."),
            code="not_new",
        )
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    for name, value in fields.items():
        setattr(idea, name, value)
    if changed:
        idea.status = current.status
        idea.save()
        record("ideas.edit", actor=user, council=council, target=idea, fields=changed)
    return idea


@transaction.atomic
def add_image(user: Any, idea: Idea, *, data: bytes, alt_text: str) -> IdeaImage:
    """The author adds a picture to their idea while it is new (six at most). The picture
    is judged by its content and re-encoded without metadata. Side effects: the file, the
    row, an audit entry."""
    if not is_author(user, idea):
        raise PermissionDenied
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if current.status != Idea.Status.NEW:
        raise ValidationError(
            _("The council is already considering this idea: it can no longer be changed."),
            code="not_new",
        )
    cleaned = _cleaned_images([ImageUpload(data, alt_text)], already=current.images.count())
    (image,) = _store_images(idea, cleaned, user)
    record("ideas.add_image", actor=user, council=idea.council, target=idea, image=image.pk)
    return image


@transaction.atomic
def remove_image(actor: Any, image: IdeaImage, *, reason: str = "") -> None:
    """Take a picture off an idea: its author while the idea is new, or a moderator (with
    a reason, kept in the audit log). Side effects: the row now, the file after commit,
    an audit entry."""
    idea = image.idea
    own = is_author(actor, idea) and idea.status == Idea.Status.NEW
    if not own and (actor is None or not can(actor, Action.MODERATE, idea.council)):
        raise PermissionDenied
    reason = _reason(reason, required=not own)
    name, storage = image.file.name, image.file.storage
    image_id = image.pk
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))
    record(
        "ideas.remove_image",
        actor=actor,
        council=idea.council,
        target=idea,
        image=image_id,
        reason=reason,
    )


# --- Supporting --------------------------------------------------------------------------


def support_idea(user: Any, idea: Idea) -> Support:
    """An eligible person supports an idea; at most once (a second call, or two hundred at
    the same moment, return the one support). Side effects, the first time only: the
    support, the idea's count and last activity, an audit entry, the supporter follows
    the idea."""
    _require_eligible(user, idea.council, "support")
    try:
        with transaction.atomic():
            # The idea's row first: every support and withdrawal of one idea queues here,
            # so the count moves exactly with the rows, and a merge (which locks the row
            # too) cannot slip between the check and the insert.
            now = timezone.now()
            open_ = Idea.objects.filter(
                pk=idea.pk,
                status__in=OPEN_FOR_SUPPORT,
                hidden_at__isnull=True,
                awaiting_moderation=False,
            ).update(support_count=F("support_count") + 1, last_activity_at=now)
            if not open_:
                current = Idea.objects.filter(pk=idea.pk).values_list("status", flat=True).first()
                if current == Idea.Status.MERGED:
                    _not_merged(Idea(status=current))
                raise ValidationError(
                    _("This idea is no longer taking support."), code="closed_for_support"
                )
            support = Support.objects.create(idea=idea, user=user, created_at=now)
            record("ideas.support", actor=user, council=idea.council, target=idea)
            follow(user, idea.council, "idea", idea.pk)
    except IntegrityError:
        # Already supported (perhaps a moment ago, by the same person in another tab):
        # everything above was rolled back, the count included.
        existing = Support.objects.filter(idea=idea, user=user).first()
        if existing is None:
            raise
        return existing
    idea.support_count = Idea.objects.values_list("support_count", flat=True).get(pk=idea.pk)
    return support


@transaction.atomic
def withdraw_support(user: Any, idea: Idea) -> bool:
    """The supporter takes their support back; True when there was one to take. Side
    effects: the support removed, the count lowered, an audit entry."""
    if not can_contribute(user):
        raise PermissionDenied
    # The idea's row first, as support_idea does (the same order: no deadlock).
    list(Idea.objects.select_for_update().filter(pk=idea.pk).values_list("pk", flat=True))
    deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
    if not deleted:
        return False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    idea.support_count = Idea.objects.values_list("support_count", flat=True).get(pk=idea.pk)
    record("ideas.withdraw_support", actor=user, council=idea.council, target=idea)
    return True


# --- Comments ------------------------------------------------------------------------------


@transaction.atomic
def comment(user: Any, idea: Idea, *, body: str, parent: Comment | None = None) -> Comment:
    """An eligible person comments on an idea, or replies to a comment (three replies
    deep at most). Side effects: the comment, the idea's count and last activity, an audit
    entry, the commenter follows the idea, and the idea's followers are told. While the
    council pre-moderates comments, the comment waits for a moderator
    (:func:`approve_comment`), seen by its author alone, neither counted nor told."""
    _require_eligible(user, idea.council, "comment")
    refuse_if_banned(user, idea.council)
    _not_merged(idea)
    _not_hidden(idea)
    body = _text(body, "body", limit=COMMENT_LIMIT)
    _within_limit(
        user,
        Comment.objects.filter(
            author=user,
            idea__council=idea.council,
            created_at__gte=timezone.now() - dt.timedelta(hours=1),
        ),
        COMMENTS_PER_HOUR,
        _(
            "You have written %(count)d comments in the last hour, the most we take. Please "
            "wait a while."
        ),
        "comment_limit",
    )
    depth = 0
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise _invalid("parent", _("Reply to a comment on this idea."), "other_idea")
        if parent.is_removed:
            raise _invalid("parent", _("This comment was removed: it takes no replies."), "removed")
        if parent.awaiting_moderation:
            raise _invalid(
                "parent",
                _("This comment is waiting to be checked: it takes no replies yet."),
                "awaiting_moderation",
            )
        if parent.depth >= MAX_COMMENT_DEPTH:
            raise _invalid(
                "parent",
                _("This conversation is as deep as it goes: reply further up instead."),
                "too_deep",
            )
        depth = parent.depth + 1
    now = timezone.now()
    held = IdeaSettings.for_council(idea.council).premoderate_comments
    made = Comment.objects.create(
        idea=idea,
        parent=parent,
        depth=depth,
        author=user,
        body=body,
        created_at=now,
        awaiting_moderation=held,
    )
    record(
        "ideas.comment",
        actor=user,
        council=idea.council,
        target=idea,
        comment=made.pk,
        awaiting_moderation=held,
    )
    if not held:
        _publish_comment(idea, made)
    follow(user, idea.council, "idea", idea.pk)
    return made


def _publish_comment(idea: Idea, made: Comment) -> None:
    """A comment the public now sees: counted, the idea's last activity, followers told."""
    _touch(idea, comment_count=F("comment_count") + 1)
    idea.refresh_from_db(fields=["comment_count"])
    _tell(
        idea,
        "idea.commented",
        made.body[:300],
        actor=made.author,
        targets=[("idea", idea.pk)],
        url=_comment_url(idea, made.pk),
    )


@transaction.atomic
def approve_comment(actor: Any, comment: Comment) -> Comment:
    """A moderator publishes a comment that waited in a pre-moderated council (rejecting
    one is :func:`remove_comment`). Side effects: the idea's count and last activity, its
    followers told (as when a comment is written), an audit entry."""
    idea = comment.idea
    _require(actor, idea.council, Action.MODERATE)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if not current.awaiting_moderation or current.is_removed:
        raise ValidationError(_("This comment is not waiting to be checked."), code="not_pending")
    current.awaiting_moderation = False
    current.save(update_fields=["awaiting_moderation"])
    comment.awaiting_moderation = False
    _publish_comment(idea, current)
    record(
        "ideas.approve_comment", actor=actor, council=idea.council, target=idea, comment=comment.pk
    )
    return current


@transaction.atomic
def remove_comment(actor: Any, comment: Comment, *, reason: str) -> Comment:
    """A moderator removes a comment; a placeholder with the published reason stays in the
    thread, so the replies still make sense. A comment waiting to be checked is rejected
    this way (it was never counted; restoring it publishes it). Side effects: the idea's
    count, an audit entry."""
    idea = comment.idea
    _require(actor, idea.council, Action.MODERATE)
    reason = _reason(reason, required=True)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if current.is_removed:
        raise ValidationError(_("This comment has already been removed."), code="removed")
    comment.is_removed = True
    comment.removed_reason = reason
    comment.removed_by = _as_user(actor)
    comment.removed_at = timezone.now()
    comment.awaiting_moderation = False
    comment.save(
        update_fields=[
            "is_removed",
            "removed_reason",
            "removed_by",
            "removed_at",
            "awaiting_moderation",
        ]
    )
    if not current.awaiting_moderation:
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") - 1)
    public_log(idea.council, "idea_comment", "hidden")
    # Not in anyone's digest either.
    retract(_comment_url(idea, comment.pk))
    record(
        "ideas.remove_comment",
        actor=actor,
        council=idea.council,
        target=idea,
        comment=comment.pk,
        reason=reason,
    )
    return comment


@transaction.atomic
def restore_comment(actor: Any, comment: Comment) -> Comment:
    """A moderator puts back a comment removed by mistake. Side effects: the idea's
    count, an audit entry."""
    idea = comment.idea
    _require(actor, idea.council, Action.MODERATE)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if not current.is_removed:
        raise ValidationError(_("This comment has not been removed."), code="not_removed")
    comment.is_removed = False
    comment.removed_reason = ""
    comment.removed_by = None
    comment.removed_at = None
    comment.save(update_fields=["is_removed", "removed_reason", "removed_by", "removed_at"])
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    public_log(idea.council, "idea_comment", "restored")
    record(
        "ideas.restore_comment", actor=actor, council=idea.council, target=idea, comment=comment.pk
    )
    return comment


def _not_hidden(idea: Idea) -> None:
    state = Idea.objects.filter(pk=idea.pk).values("hidden_at", "awaiting_moderation").first()
    if state is None or state["hidden_at"] is not None:
        raise ValidationError(_("Moderators have hidden this idea."), code="hidden")
    if state["awaiting_moderation"]:
        raise ValidationError(
            _("This idea is waiting to be checked by a moderator: it takes part once it is."),
            code="awaiting_moderation",
        )


@transaction.atomic
def hide_idea(actor: Any, idea: Idea, *, reason: str) -> Idea:
    """A moderator hides an idea that breaks the council's rules: it leaves every public
    list, page, search and feed (its page says it was hidden, and why), and takes no more
    support or comments; its supports stay counted for when it is restored. An idea waiting
    to be checked is rejected this way (restoring it publishes it). Side effects: the
    public moderation log, an audit entry; its followers' pending digests drop it."""
    _require(actor, idea.council, Action.MODERATE)
    reason = _reason(reason, required=True)
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if current.hidden_at is not None:
        raise ValidationError(_("This idea is already hidden."), code="hidden")
    current.hidden_at = timezone.now()
    current.hidden_reason = reason
    current.awaiting_moderation = False
    current.save(update_fields=["hidden_at", "hidden_reason", "awaiting_moderation", "updated_at"])
    public_log(idea.council, "idea", "hidden")
    retract(idea.get_absolute_url())
    record("ideas.hide", actor=actor, council=idea.council, target=current, reason=reason)
    idea.hidden_at, idea.hidden_reason = current.hidden_at, current.hidden_reason
    idea.awaiting_moderation = False
    return current


@transaction.atomic
def restore_idea(actor: Any, idea: Idea) -> Idea:
    """A moderator puts back an idea hidden by mistake. Side effects: the public
    moderation log, an audit entry."""
    _require(actor, idea.council, Action.MODERATE)
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if current.hidden_at is None:
        raise ValidationError(_("This idea is not hidden."), code="not_hidden")
    current.hidden_at = None
    current.hidden_reason = ""
    current.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    public_log(idea.council, "idea", "restored")
    record("ideas.restore", actor=actor, council=idea.council, target=current)
    idea.hidden_at, idea.hidden_reason = None, ""
    return current


# --- The council's side: status, responses, merging -------------------------------------------


def next_statuses(idea: Idea) -> list[str]:
    """The statuses :func:`set_idea_status` may move ``idea`` to, in lifecycle order."""
    allowed = TRANSITIONS.get(idea.status, frozenset())
    return [status for status in STATUS_ORDER if status in allowed]


@transaction.atomic
def set_idea_status(actor: Any, idea: Idea, status: str, *, reason: str = "") -> Idea:
    """An officer moves an idea along its lifecycle (:data:`TRANSITIONS`), with a published
    reason (required for "not taken forward"). Side effects: status and reason, last
    activity, a timeline entry, an audit entry, followers told."""
    _require(actor, idea.council, Action.MANAGE_VOICE)
    if status not in Idea.Status.values or status == Idea.Status.MERGED:
        raise _invalid("status", _("Choose a status."), "invalid_status")
    reason = _reason(reason, required=status in REASON_REQUIRED)
    current = Idea.objects.select_for_update().get(pk=idea.pk)
    if status not in TRANSITIONS.get(current.status, frozenset()):
        raise _invalid(
            "status",
            _("An idea that is “%(current)s” cannot become “%(status)s”.")
            % {
                "current": Idea.Status(current.status).label,
                "status": Idea.Status(status).label,
            },
            "invalid_transition",
        )
    before = current.status
    idea.status = status
    idea.status_reason = reason
    idea.last_activity_at = timezone.now()
    idea.save(update_fields=["status", "status_reason", "last_activity_at", "updated_at"])
    _timeline(idea, IdeaTimelineEntry.Kind.STATUS_CHANGED, actor, status=status, reason=reason)
    record(
        "ideas.set_status",
        actor=actor,
        council=idea.council,
        target=idea,
        before=before,
        after=status,
        reason=reason,
    )
    _tell(
        idea,
        "idea.status_changed",
        _("Now “%(status)s”. %(reason)s") % {"status": Idea.Status(status).label, "reason": reason},
        actor=actor,
    )
    return idea


def _councillor_record(user: Any, council: Council) -> Any:
    role = (
        Role.objects.filter(user=user, council=council, kind=Role.Kind.COUNCILLOR)
        .select_related("councillor__person")
        .first()
    )
    return role.councillor if role is not None else None


@transaction.atomic
def respond_to_idea(actor: Any, idea: Idea, *, body: str, as_council: bool = False) -> IdeaResponse:
    """An officer (in the council's name) or a councillor (in their own) publishes a
    response on an idea. A person who is both answers as councillor unless
    ``as_council``. Side effects: the response, last activity, a timeline entry, an audit
    entry, followers told."""
    council = idea.council
    if actor is not None and not can_respond_publicly(actor, council):
        raise PermissionDenied
    if as_council and actor is not None and not can(actor, Action.MANAGE_VOICE, council):
        raise PermissionDenied
    _not_merged(idea)
    body = _text(body, "body", limit=RESPONSE_LIMIT)
    councillor, display_name = None, ""
    if actor is not None and not as_council and is_councillor_at(actor, council):
        councillor = _councillor_record(actor, council)
        display_name = (
            str(councillor) if councillor is not None else (actor.name or _("A councillor"))
        )
    response = IdeaResponse.objects.create(
        idea=idea,
        author=_as_user(actor),
        councillor=councillor,
        display_name=display_name,
        body=body,
    )
    _touch(idea)
    _timeline(idea, IdeaTimelineEntry.Kind.RESPONSE_PUBLISHED, actor, by=display_name)
    record("ideas.respond", actor=actor, council=council, target=idea, response=response.pk)
    _tell(idea, "idea.responded", body[:300], actor=actor)
    return response


@transaction.atomic
def merge_ideas(actor: Any, duplicate: Idea, into: Idea, *, reason: str = "") -> Idea:
    """Merge ``duplicate`` into ``into``: the duplicate becomes "merged" and its page leads
    to the other. Its supporters count on ``into`` (someone who supported both counts
    once) and follow it; its comments stay where they were written. Side effects: both
    ideas' counts, statuses and timelines, an audit entry, followers of both told.
    Returns ``into``."""
    council = duplicate.council
    _require(actor, council, Action.MANAGE_VOICE)
    if into.council_id != council.pk:
        raise _invalid("into", _("Choose an idea of this council."), "other_council")
    if into.pk == duplicate.pk:
        raise _invalid(
            "into", _("Choose another idea: an idea cannot be merged into itself."), "same"
        )
    reason = _reason(reason, required=False)
    # Both rows, in id order (two merges the other way round must not deadlock).
    locked = {
        row.pk: row
        for row in Idea.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    if locked[duplicate.pk].is_merged:
        raise _invalid("into", _("This idea has already been merged."), "already_merged")
    if locked[into.pk].is_merged:
        raise _invalid(
            "into",
            _("That idea was itself merged into another: choose the one it was merged into."),
            "target_merged",
        )
    on_both = Support.objects.filter(idea=into).values("user_id")
    Support.objects.filter(idea=duplicate, user_id__in=on_both).delete()
    movers = list(Support.objects.filter(idea=duplicate).values_list("user_id", flat=True))
    Support.objects.filter(idea=duplicate).update(idea=into, carried_from=duplicate)
    carried = len(movers)
    total = Support.objects.filter(idea=into).count()
    now = timezone.now()
    duplicate.status = Idea.Status.MERGED
    duplicate.status_reason = reason
    duplicate.merged_into = into
    duplicate.support_count = 0
    duplicate.last_activity_at = now
    duplicate.save(
        update_fields=[
            "status",
            "status_reason",
            "merged_into",
            "support_count",
            "last_activity_at",
            "updated_at",
        ]
    )
    # Anything merged into the duplicate before now leads straight to ``into``.
    Idea.objects.filter(merged_into=duplicate).update(merged_into=into)
    _touch(into, support_count=total)
    into.support_count = total
    _timeline(
        duplicate,
        IdeaTimelineEntry.Kind.MERGED,
        actor,
        into=into.pk,
        into_title=into.title,
        reason=reason,
    )
    _timeline(
        into,
        IdeaTimelineEntry.Kind.MERGED_IN,
        actor,
        duplicate=duplicate.pk,
        duplicate_title=duplicate.title,
        carried=carried,
    )
    record(
        "ideas.merge",
        actor=actor,
        council=council,
        target=duplicate,
        into=into.pk,
        carried=carried,
        reason=reason,
    )
    from moothall.accounts.models import User

    followers = User.objects.filter(
        pk__in=movers + ([duplicate.author_id] if duplicate.author_id else [])
    )
    for person in followers:
        follow(person, council, "idea", into.pk)
    _tell(
        into,
        "idea.merged",
        _("“%(duplicate)s” was merged into “%(into)s”.")
        % {"duplicate": duplicate.title, "into": into.title},
        actor=actor,
        targets=[("idea", duplicate.pk), ("idea", into.pk)],
    )
    return into


# --- Closing the loop: agendas and decisions ---------------------------------------------------


def _default_item_text(idea: Idea) -> str:
    return _("Raised by residents as %(kind)s: “%(title)s”.\n\n%(url)s") % {
        "kind": Idea.Kind(idea.kind).label.lower(),
        "title": idea.title,
        "url": f"{settings.SITE_URL}{idea.get_absolute_url()}",
    }


@transaction.atomic
def place_idea_on_agenda(
    actor: Any,
    idea: Idea,
    meeting: Meeting,
    *,
    title: str = "",
    description: str = "",
    kind: str = AgendaItem.Kind.REPORT,
    is_urgent: bool = False,
    urgency_reason: str = "",
) -> IdeaAgendaLink:
    """An officer puts an idea on a meeting's agenda: an agenda item is added through
    :func:`moothall.meetings.domain.add_agenda_item` (with its rules: an item added after
    the agenda is published must be urgent, with a reason) and linked to the idea.
    Side effects: the item (and the meeting's own timeline and audit entries), the link,
    the idea's last activity, a timeline entry, an audit entry, followers told."""
    council = idea.council
    _require(actor, council, Action.MANAGE_VOICE)
    if meeting.council_id != council.pk:
        raise _invalid("meeting", _("Choose a meeting of this council."), "other_council")
    if meeting.is_cancelled:
        raise _invalid(
            "meeting", _("This meeting has been cancelled: choose another."), "cancelled"
        )
    _not_merged(idea)
    item = meetings_domain.add_agenda_item(
        actor,
        meeting,
        title=title.strip() or idea.title,
        description=description.strip() or _default_item_text(idea),
        kind=kind,
        is_urgent=is_urgent,
        urgency_reason=urgency_reason,
    )
    link = IdeaAgendaLink.objects.create(idea=idea, agenda_item=item, created_by=_as_user(actor))
    _touch(idea)
    _timeline(
        idea,
        IdeaTimelineEntry.Kind.PLACED_ON_AGENDA,
        actor,
        agenda_item=item,
        meeting=meeting.display_title,
        meeting_id=meeting.pk,
        date=timezone.localdate(meeting.start).isoformat(),
    )
    record(
        "ideas.place_on_agenda",
        actor=actor,
        council=council,
        target=idea,
        meeting=meeting.pk,
        agenda_item=item.pk,
    )
    if not item.is_exempt:
        _tell(
            idea,
            "idea.placed_on_agenda",
            _("To be discussed at %(meeting)s.") % {"meeting": str(meeting)},
            actor=actor,
        )
    return link


@transaction.atomic
def link_idea_decision(actor: Any, link: IdeaAgendaLink, decision: Decision) -> IdeaAgendaLink:
    """An officer links the decision taken to an idea on an agenda. Only a decision the
    public may see (never an exempt one). Side effects: the link, the idea's last activity,
    a timeline entry, an audit entry, followers told."""
    idea = link.idea
    council = idea.council
    _require(actor, council, Action.MANAGE_VOICE)
    if decision.council_id != council.pk:
        raise _invalid("decision", _("Choose a decision of this council."), "other_council")
    if not Decision.objects.public().filter(pk=decision.pk).exists():
        raise _invalid(
            "decision", _("Choose a decision the public can see (not an exempt one)."), "exempt"
        )
    link.decision = decision
    link.save(update_fields=["decision"])
    _touch(idea)
    _timeline(
        idea,
        IdeaTimelineEntry.Kind.DECISION_LINKED,
        actor,
        agenda_item=link.agenda_item,
        decision=decision.pk,
        decision_title=decision.title,
    )
    record(
        "ideas.link_decision",
        actor=actor,
        council=council,
        target=idea,
        decision=decision.pk,
        agenda_item=link.agenda_item_id,
    )
    _tell(
        idea,
        "idea.decision_linked",
        _("Decision: %(title)s") % {"title": decision.title},
        actor=actor,
    )
    return link


# --- The council's rules --------------------------------------------------------------------

_LEVELS = ("propose_level", "support_level", "comment_level")
_MODERATION = ("premoderate_ideas", "premoderate_comments")


@transaction.atomic
def update_idea_settings(actor: Any, council: Council, **changes: Any) -> IdeaSettings:
    """The council's admin sets who may propose, support and comment, and whether ideas
    and comments are checked before they are published (pre-moderation; what already
    waits keeps waiting until a moderator decides). Side effects: the settings row, an
    audit entry."""
    _require(actor, council, Action.EDIT_COUNCIL)
    unknown = set(changes) - set(_LEVELS) - set(_MODERATION)
    if unknown:
        raise ValueError(f"update_idea_settings cannot change {sorted(unknown)}")
    levels = set(Eligibility.values) - {Eligibility.NONE}
    after: dict[str, Any] = {}
    for name, value in changes.items():
        if name in _MODERATION:
            if not isinstance(value, bool):
                raise _invalid(name, _("Choose yes or no."), "invalid_choice")
            after[name] = value
        elif value not in levels:
            raise _invalid(name, _("Choose who may take part."), "invalid_level")
        else:
            after[name] = int(value)
    rules = IdeaSettings.for_council(council)
    before = {name: getattr(rules, name) for name in changes}
    for name, value in after.items():
        setattr(rules, name, value)
    rules.save()
    record(
        "ideas.update_settings",
        actor=actor,
        council=council,
        target=council,
        before=before,
        after=after,
    )
    return rules
