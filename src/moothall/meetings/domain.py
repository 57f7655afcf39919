"""Verbs: every change to bodies, meetings, agendas, documents, votes and decisions.

Each verb runs in one transaction, checks permission through
:mod:`moothall.accounts.rules` (raising ``PermissionDenied``), refuses bad input
with ``ValidationError`` before writing anything, writes an audit entry, adds a
row to the meeting's public timeline where the public should know, and queues
emails and background work only after commit. Views, the API, importers and
tasks call these; none re-implements them.

``actor=None`` means the system (an importer or a task); permission is then the
caller's business (a management command run by the operator).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.accounts.rules import Action, can, can_submit_to_meetings, can_withdraw_submission
from moothall.core.audit import record
from moothall.core.mail import queue_email
from moothall.core.validation import characters as _characters
from moothall.core.validation import invalid as _invalid
from moothall.core.validation import reason as _reason
from moothall.core.validation import text as _text
from moothall.councils.models import Council, Councillor
from moothall.meetings import law
from moothall.meetings.files import sniff_content_type
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    TimelineEntry,
    Vote,
    VoteRecord,
)
from moothall.meetings.models.documents import _stored_file_path
from moothall.notifications.domain import notify

logger = logging.getLogger(__name__)


# --- Helpers -------------------------------------------------------------------


def _require(actor: Any, council: Council, action: Action = Action.MANAGE_MEETINGS) -> None:
    if actor is not None and not can(actor, action, council):
        raise PermissionDenied


def _timeline(
    meeting: Meeting,
    kind: str,
    actor: Any = None,
    *,
    public: bool = True,
    item: AgendaItem | None = None,
    **details: Any,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        meeting=meeting,
        kind=kind,
        details=details,
        is_public=public,
        item=item,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _tell_followers(
    meeting: Meeting, event: str, title: str, actor: Any, *, url: str = "", summary: str = ""
) -> None:
    """Notify the people who follow the meeting's committee (after commit)."""
    notify(
        meeting.council,
        event=event,
        title=title,
        url=url or meeting.get_absolute_url(),
        summary=summary,
        targets=[("body", meeting.body_id)],
        actor=actor,
    )


def _unique_slug(council: Council, name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:100] or "body"
    slug, n = base, 2
    taken = Body.objects.filter(council=council)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


def _web_address(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        if len(value) > 500:
            raise ValidationError("too long")
        _WEB_ADDRESS(value)
    except ValidationError:
        raise _invalid(
            field,
            _("Enter a web address starting http:// or https://, of 500 characters or fewer."),
            "invalid_url",
        ) from None
    return value


def _check_exempt_paragraph(paragraph: int | None) -> int | None:
    if paragraph in (None, ""):
        return None
    number = 0
    if isinstance(paragraph, int) and not isinstance(paragraph, bool):
        number = paragraph
    elif isinstance(paragraph, str) and paragraph.strip().isdigit():
        number = int(paragraph.strip()[:2])
    if not 1 <= number <= 7:
        raise _invalid(
            "exempt_paragraph",
            _("Choose a paragraph of Schedule 12A, from 1 to 7."),
            "invalid_paragraph",
        )
    return number


# --- Bodies --------------------------------------------------------------------


@transaction.atomic
def create_body(
    actor: Any,
    council: Council,
    *,
    name: str,
    kind: str = Body.Kind.COMMITTEE,
    purpose: str = "",
    parent: Body | None = None,
    source: str = "",
    source_id: str = "",
    source_url: str = "",
) -> Body:
    """Create a body of ``council``. Side effects: audit entry."""
    _require(actor, council)
    name = _text(name, "name", limit=200)
    if kind not in Body.Kind.values:
        raise _invalid("kind", _("Choose a kind of body."), "invalid_kind")
    if parent is not None and parent.council_id != council.pk:
        raise _invalid("parent", _("Choose a body of this council."), "other_council")
    body = Body.objects.create(
        council=council,
        name=name,
        slug=_unique_slug(council, name),
        kind=kind,
        purpose=_text(purpose, "purpose", required=False, limit=50000),
        parent=parent,
        source=source,
        source_id=source_id,
        source_url=source_url,
    )
    record("meetings.create_body", actor=actor, council=council, target=body, name=name)
    return body


@transaction.atomic
def update_body(actor: Any, body: Body, **changes: Any) -> Body:
    """Change a body's name, kind, purpose, parent or active flag. Side effects: audit entry."""
    _require(actor, body.council)
    before = {field: getattr(body, field) for field in changes}
    allowed = {"name", "kind", "purpose", "parent", "is_active", "source_url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_body cannot change {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = _text(changes["name"], "name", limit=200)
    if "kind" in changes and changes["kind"] not in Body.Kind.values:
        raise _invalid("kind", _("Choose a kind of body."), "invalid_kind")
    parent = changes.get("parent")
    if parent is not None:
        ancestors, walker = set(), parent
        while walker is not None and walker.pk not in ancestors:
            ancestors.add(walker.pk)
            walker = walker.parent
        if parent.council_id != body.council_id or body.pk in ancestors:
            raise ValidationError(
                {"parent": _("Choose another body of this council, not one of its own sub-bodies.")}
            )
    for field, value in changes.items():
        setattr(body, field, value)
    body.save()
    record(
        "meetings.update_body",
        actor=actor,
        council=body.council,
        target=body,
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in changes.items()},
    )
    return body


@transaction.atomic
def add_member(
    actor: Any,
    body: Body,
    councillor: Councillor,
    *,
    role: str = Membership.Role.MEMBER,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    source: str = "",
) -> Membership:
    """Seat ``councillor`` on ``body``. Side effects: audit entry."""
    _require(actor, body.council)
    if councillor.council_id != body.council_id:
        raise _invalid("councillor", _("Choose a councillor of this council."), "other_council")
    if role not in Membership.Role.values:
        raise _invalid("role", _("Choose a role."), "invalid_role")
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end date must be after the start date.")})
    membership = Membership.objects.create(
        body=body,
        councillor=councillor,
        role=role,
        start_date=start_date,
        end_date=end_date,
        source=source,
    )
    record(
        "meetings.add_member",
        actor=actor,
        council=body.council,
        target=body,
        councillor=councillor.pk,
        role=role,
    )
    return membership


@transaction.atomic
def end_membership(actor: Any, membership: Membership, *, on: dt.date | None = None) -> Membership:
    """End a membership on ``on`` (today by default). Side effects: audit entry."""
    _require(actor, membership.body.council)
    on = on or timezone.localdate()
    if membership.start_date and on < membership.start_date:
        raise ValidationError({"end_date": _("The end date must be after the start date.")})
    membership.end_date = on
    membership.save(update_fields=["end_date"])
    record(
        "meetings.end_membership",
        actor=actor,
        council=membership.body.council,
        target=membership.body,
        councillor=membership.councillor_id,
        end_date=on.isoformat(),
    )
    return membership


# --- Meetings ------------------------------------------------------------------


def deadline_for(meeting: Meeting) -> dt.date:
    """The last day the agenda may be published with the notice the council's rules need."""
    settings = MeetingSettings.for_council(meeting.council)
    return law.publication_deadline(
        timezone.localdate(meeting.start), settings.notice_clear_days, meeting.council.nation
    )


def submission_deadline_for(meeting: Meeting) -> dt.date:
    """The last day a resident may send a question, deputation or request to speak."""
    settings = MeetingSettings.for_council(meeting.council)
    return law.working_days_before(
        timezone.localdate(meeting.start), settings.public_submission_days, meeting.council.nation
    )


@transaction.atomic
def create_meeting(
    actor: Any,
    body: Body,
    *,
    start: dt.datetime,
    end: dt.datetime | None = None,
    venue: str = "",
    title: str = "",
    webcast_url: str = "",
    source: str = "",
    source_id: str = "",
    source_url: str = "",
) -> Meeting:
    """Schedule a meeting of ``body``. Side effects: audit entry, timeline entry."""
    council = body.council
    _require(actor, council)
    if timezone.is_naive(start):
        raise ValidationError({"start": _("Give the start time with its time zone.")})
    if end is not None and end <= start:
        raise ValidationError({"end": _("The meeting must end after it starts.")})
    meeting = Meeting(
        council=council,
        body=body,
        start=start,
        end=end,
        venue=_text(venue, "venue", required=False, limit=300),
        title=_text(title, "title", required=False, limit=300),
        webcast_url=_web_address(webcast_url, "webcast_url"),
        source=source,
        source_id=source_id,
        source_url=source_url,
    )
    meeting.publication_deadline = deadline_for(meeting)
    meeting.save()
    _timeline(meeting, "created", actor, start=start.isoformat())
    record("meetings.create_meeting", actor=actor, council=council, target=meeting)
    return meeting


@transaction.atomic
def update_meeting(actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    """Change a meeting's time, venue, title or webcast. A new start is a rescheduling and
    goes on the timeline. Side effects: audit entry, timeline entry."""
    _require(actor, meeting.council)
    allowed = {"start", "end", "venue", "title", "webcast_url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_meeting cannot change {sorted(unknown)}")
    if "webcast_url" in changes:
        changes["webcast_url"] = _web_address(changes["webcast_url"], "webcast_url")
    if "venue" in changes:
        changes["venue"] = _text(changes["venue"], "venue", required=False, limit=300)
    if "title" in changes:
        changes["title"] = _text(changes["title"], "title", required=False, limit=300)
    start = changes.get("start", meeting.start)
    end = changes.get("end", meeting.end)
    if timezone.is_naive(start):
        raise ValidationError({"start": _("Give the start time with its time zone.")})
    if end is not None and end <= start:
        raise ValidationError({"end": _("The meeting must end after it starts.")})
    before = {field: str(getattr(meeting, field)) for field in changes}
    old_start = meeting.start
    for field, value in changes.items():
        setattr(meeting, field, value)
    meeting.publication_deadline = deadline_for(meeting)
    meeting.save()
    if start != old_start:
        _timeline(meeting, "rescheduled", actor, start=start.isoformat(), was=old_start.isoformat())
    elif set(changes) - {"start"}:
        _timeline(meeting, "meeting_updated", actor, fields=sorted(set(changes) - {"start"}))
    record(
        "meetings.update_meeting",
        actor=actor,
        council=meeting.council,
        target=meeting,
        before=before,
        after={k: str(v) for k, v in changes.items()},
    )
    return meeting


@transaction.atomic
def postpone_meeting(
    actor: Any, meeting: Meeting, *, reason: str, new_start: dt.datetime | None = None
) -> Meeting:
    """Postpone a meeting, keeping it with its status and reason (and a new date if known).

    Side effects: audit entry, timeline entry, email to residents with submissions,
    the committee's followers notified."""
    _require(actor, meeting.council)
    reason = _reason(reason, required=True)
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.HELD):
        raise ValidationError(
            _("A meeting that has been held or cancelled cannot be postponed."), code="bad_state"
        )
    old_start = meeting.start
    meeting.status = Meeting.Status.POSTPONED
    meeting.status_reason = reason
    if new_start is not None:
        if timezone.is_naive(new_start):
            raise ValidationError({"new_start": _("Give the start time with its time zone.")})
        meeting.start = new_start
        meeting.status = Meeting.Status.SCHEDULED
        meeting.publication_deadline = deadline_for(meeting)
    meeting.save()
    _timeline(
        meeting,
        "postponed",
        actor,
        reason=reason,
        was=old_start.isoformat(),
        start=new_start.isoformat() if new_start else "",
    )
    record(
        "meetings.postpone_meeting",
        actor=actor,
        council=meeting.council,
        target=meeting,
        reason=reason,
    )
    _email_submitters(meeting, "meetings/email/meeting_postponed")
    _tell_followers(
        meeting,
        "meeting_postponed",
        _("Meeting postponed: %(meeting)s") % {"meeting": meeting.display_title},
        actor,
        summary=reason,
    )
    return meeting


@transaction.atomic
def cancel_meeting(actor: Any, meeting: Meeting, *, reason: str) -> Meeting:
    """Cancel a meeting; it stays on the record as cancelled, with the reason.

    Side effects: audit entry, timeline entry, email to residents with submissions,
    the committee's followers notified."""
    _require(actor, meeting.council)
    reason = _reason(reason, required=True)
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.HELD):
        raise ValidationError(
            _("A meeting that has been held or cancelled cannot be cancelled."), code="bad_state"
        )
    meeting.status = Meeting.Status.CANCELLED
    meeting.status_reason = reason
    meeting.save(update_fields=["status", "status_reason", "updated_at"])
    _timeline(meeting, "cancelled", actor, reason=reason)
    record(
        "meetings.cancel_meeting",
        actor=actor,
        council=meeting.council,
        target=meeting,
        reason=reason,
    )
    _email_submitters(meeting, "meetings/email/meeting_cancelled")
    _tell_followers(
        meeting,
        "meeting_cancelled",
        _("Meeting cancelled: %(meeting)s") % {"meeting": str(meeting)},
        actor,
        summary=reason,
    )
    return meeting


def _email_submitters(meeting: Meeting, template: str) -> None:
    submissions = meeting.submissions.filter(
        status__in=[PublicSubmission.Status.SUBMITTED, PublicSubmission.Status.ACCEPTED]
    ).select_related("submitter")
    for submission in submissions:
        queue_email(
            submission.submitter.email,
            template,
            {"meeting": meeting, "submission": submission},
        )


# --- Agenda --------------------------------------------------------------------


def _letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa …"""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


def renumber(meeting: Meeting) -> None:
    """Number the agenda 1, 2, 2a, 2b, 2a(i)… from positions, and keep ``is_exempt`` of
    children in step with their parents. Called by every verb that changes the agenda."""
    items = list(meeting.items.all().order_by("position", "id"))
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    changed: list[AgendaItem] = []

    def walk(parent_id: int | None, prefix: str, key: str, depth: int, exempt: bool) -> None:
        for index, item in enumerate(children.get(parent_id, [])):
            if depth == 0:
                label = str(index + 1)
            elif depth == 1:
                label = prefix + _letters(index)
            else:
                label = f"{prefix}({index + 1})"
            item_key = f"{key}{index:04d}."
            item_exempt = exempt or item.exempt_paragraph is not None or item.is_confidential
            if (item.number, item.sort_key, item.is_exempt) != (label, item_key, item_exempt):
                item.number, item.sort_key, item.is_exempt = label, item_key, item_exempt
                changed.append(item)
            walk(item.pk, label, item_key, depth + 1, item_exempt)

    walk(None, "", "", 0, False)
    if changed:
        AgendaItem.objects.bulk_update(changed, ["number", "sort_key", "is_exempt"])
        _sync_exempt_children(changed)


def _descendants(item: AgendaItem) -> set[int]:
    """The ids of every item under ``item``, at any depth."""
    parents = dict(item.meeting.items.values_list("pk", "parent_id"))
    found: set[int] = set()
    frontier = {item.pk}
    while frontier:
        frontier = {pk for pk, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _sync_exempt_children(items: Iterable[AgendaItem]) -> None:
    """Documents, votes and decisions follow their item into and out of exemption."""
    for item in items:
        documents = Document.objects.filter(agenda_item=item)
        if item.is_exempt:
            documents.filter(is_exempt=False).update(is_exempt=True)
            # What the public timeline said about it while it was public is withdrawn too.
            TimelineEntry.objects.filter(item=item, is_public=True).update(is_public=False)
        else:
            # A paper the clerk marked exempt itself stays exempt.
            documents.filter(is_exempt=True, exempt_paragraph__isnull=True).update(is_exempt=False)
        Decision.objects.filter(agenda_item=item).exclude(is_exempt=item.is_exempt).update(
            is_exempt=item.is_exempt
        )
        Vote.objects.filter(Q(agenda_item=item) | Q(decision__agenda_item=item)).exclude(
            is_exempt=item.is_exempt
        ).update(is_exempt=item.is_exempt)


def _check_item_fields(
    meeting: Meeting, kind: str, exempt_paragraph: Any, parent: AgendaItem | None
) -> int | None:
    if kind not in AgendaItem.Kind.values:
        raise _invalid("kind", _("Choose a type of item."), "invalid_kind")
    paragraph = _check_exempt_paragraph(exempt_paragraph)
    if kind == AgendaItem.Kind.EXEMPT and paragraph is None:
        raise _invalid(
            "exempt_paragraph",
            _("An exempt item needs the paragraph of Schedule 12A it falls under."),
            "paragraph_required",
        )
    if parent is not None and parent.meeting_id != meeting.pk:
        raise ValidationError({"parent": _("Choose an item of this meeting.")})
    return paragraph


@transaction.atomic
def add_agenda_item(
    actor: Any,
    meeting: Meeting,
    *,
    title: str,
    kind: str = AgendaItem.Kind.REPORT,
    description: str = "",
    parent: AgendaItem | None = None,
    exempt_paragraph: int | None = None,
    is_urgent: bool = False,
    urgency_reason: str = "",
    lead_officer: str = "",
    portfolio: str = "",
    is_confidential: bool = False,
    source: str = "",
    source_id: str = "",
) -> AgendaItem:
    """Add an item at the end of the agenda (or of ``parent``'s sub-items).

    Once the agenda is published an added item is late: it must be urgent, with a reason.
    Side effects: renumbering, audit entry, timeline entry (when published)."""
    _require(actor, meeting.council)
    title = _text(title, "title")
    paragraph = _check_item_fields(meeting, kind, exempt_paragraph, parent)
    urgency_reason = _reason(urgency_reason, required=is_urgent, field="urgency_reason")
    if meeting.is_agenda_published and not is_urgent:
        raise _invalid(
            "is_urgent",
            _(
                "The agenda has been published: an item added now must be marked urgent, "
                "with the reason it cannot wait."
            ),
            "late_item_not_urgent",
        )
    last = meeting.items.filter(parent=parent).aggregate(m=Max("position"))["m"]
    item = AgendaItem.objects.create(
        meeting=meeting,
        parent=parent,
        position=0 if last is None else last + 1,
        title=title,
        description=_text(description, "description", required=False, limit=50000),
        kind=kind,
        exempt_paragraph=paragraph,
        is_confidential=is_confidential,
        is_exempt=paragraph is not None or is_confidential or bool(parent and parent.is_exempt),
        is_urgent=is_urgent,
        urgency_reason=urgency_reason,
        is_late=meeting.is_agenda_published,
        lead_officer=_text(lead_officer, "lead_officer", required=False, limit=200),
        portfolio=_text(portfolio, "portfolio", required=False, limit=200),
        source=source,
        source_id=source_id,
    )
    renumber(meeting)
    item.refresh_from_db()
    # Drafting before publication stays on the staff side of the timeline.
    _timeline(
        meeting,
        "item_added",
        actor,
        item=item,
        public=meeting.is_agenda_published and not item.is_exempt,
        number=item.number,
        title=item.title if not item.is_exempt else "",
        reason=urgency_reason,
    )
    record("meetings.add_agenda_item", actor=actor, council=meeting.council, target=item)
    return item


@transaction.atomic
def update_agenda_item(actor: Any, item: AgendaItem, **changes: Any) -> AgendaItem:
    """Change an item's text, type, exemption or urgency. Side effects: audit entry,
    renumbering (exemption flows to sub-items and attached papers)."""
    meeting = item.meeting
    _require(actor, meeting.council)
    allowed = {
        "title",
        "description",
        "kind",
        "exempt_paragraph",
        "is_urgent",
        "urgency_reason",
        "lead_officer",
        "portfolio",
        "is_confidential",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_agenda_item cannot change {sorted(unknown)}")
    kind = changes.get("kind", item.kind)
    paragraph = _check_item_fields(
        meeting, kind, changes.get("exempt_paragraph", item.exempt_paragraph), item.parent
    )
    changes["exempt_paragraph"] = paragraph
    if "title" in changes:
        changes["title"] = _text(changes["title"], "title")
    for field in ("lead_officer", "portfolio"):
        if field in changes:
            changes[field] = _text(changes[field], field, required=False, limit=200)
    is_urgent = changes.get("is_urgent", item.is_urgent)
    changes["urgency_reason"] = _reason(
        changes.get("urgency_reason", item.urgency_reason),
        required=is_urgent,
        field="urgency_reason",
    )
    if item.is_late and not is_urgent:
        raise ValidationError(
            {"is_urgent": _("An item added after publication must stay marked urgent.")}
        )
    before = {field: str(getattr(item, field)) for field in changes}
    for field, value in changes.items():
        setattr(item, field, value)
    item.save()
    renumber(meeting)
    item.refresh_from_db()
    _sync_exempt_children([item])
    _timeline(
        meeting,
        "item_updated",
        actor,
        item=item,
        public=meeting.is_agenda_published and not item.is_exempt,
        number=item.number,
        title=item.title if not item.is_exempt else "",
    )
    record(
        "meetings.update_agenda_item",
        actor=actor,
        council=meeting.council,
        target=item,
        before=before,
        after={k: str(v) for k, v in changes.items()},
    )
    return item


@transaction.atomic
def remove_agenda_item(actor: Any, item: AgendaItem, *, reason: str = "") -> None:
    """Take an item (and its sub-items and papers) off the agenda. After publication a
    reason is required and the withdrawal goes on the public timeline."""
    meeting = item.meeting
    _require(actor, meeting.council)
    reason = _reason(reason, required=meeting.is_agenda_published)
    family = _descendants(item) | {item.pk}
    if (
        Decision.objects.filter(agenda_item__in=family).exists()
        or Vote.objects.filter(agenda_item__in=family).exists()
    ):
        raise ValidationError(
            _("Decisions or votes are recorded under this item, so it cannot be removed."),
            code="has_record",
        )
    _timeline(
        meeting,
        "item_withdrawn",
        actor,
        item=item,
        public=meeting.is_agenda_published and not item.is_exempt,
        number=item.number,
        title=item.title if not item.is_exempt else "",
        reason=reason,
    )
    record(
        "meetings.remove_agenda_item",
        actor=actor,
        council=meeting.council,
        target=item,
        reason=reason,
    )
    item.delete()
    renumber(meeting)


@transaction.atomic
def reorder_agenda(actor: Any, meeting: Meeting, order: Sequence[int]) -> None:
    """Put the items of one level (all children of the same parent) in ``order`` (their ids).

    Side effects: renumbering, audit entry."""
    _require(actor, meeting.council)
    items = {item.pk: item for item in meeting.items.filter(pk__in=order)}
    if len(items) != len(order) or len(set(order)) != len(order):
        raise ValidationError(_("List every item of the level once."), code="bad_order")
    parents = {item.parent_id for item in items.values()}
    if len(parents) != 1:
        raise ValidationError(_("Items can only be reordered among their siblings."))
    siblings = set(meeting.items.filter(parent_id=parents.pop()).values_list("pk", flat=True))
    if siblings != set(order):
        raise ValidationError(_("List every item of the level once."), code="bad_order")
    for position, pk in enumerate(order):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])
    renumber(meeting)
    _timeline(meeting, "agenda_reordered", actor, public=meeting.is_agenda_published)
    record(
        "meetings.reorder_agenda",
        actor=actor,
        council=meeting.council,
        target=meeting,
        order=list(order),
    )


@transaction.atomic
def move_agenda_item(actor: Any, item: AgendaItem, *, up: bool) -> None:
    """Swap an item with its previous (``up``) or next sibling; no-op at either end."""
    siblings = list(
        item.meeting.items.filter(parent_id=item.parent_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = siblings.index(item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        _require(actor, item.meeting.council)
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    reorder_agenda(actor, item.meeting, siblings)


@transaction.atomic
def publish_agenda(
    actor: Any,
    meeting: Meeting,
    *,
    late_reason: str = "",
    now: dt.datetime | None = None,
    published_elsewhere: bool = False,
) -> Meeting:
    """Publish the notice and agenda of ``meeting``, with its non-exempt papers.

    After the deadline (the council's clear working days of notice) publication needs
    the reason the business is urgent: every item not already urgent is marked urgent
    with it, and the public page says the agenda was published late.

    ``published_elsewhere`` records an agenda the council already published on its own
    site (an import that does not know when): no judgement on lateness is made.
    Side effects: documents published, audit entry, timeline entry, search index (on commit),
    the committee's followers notified (for a meeting still to come).
    """
    _require(actor, meeting.council)
    now = now or timezone.now()
    if meeting.is_agenda_published:
        raise ValidationError(_("The agenda has already been published."), code="already")
    if meeting.status == Meeting.Status.CANCELLED and not published_elsewhere:
        raise ValidationError(_("A cancelled meeting's agenda cannot be published."))
    if not meeting.items.exists() and not published_elsewhere:
        raise ValidationError(
            _("Add at least one item before publishing the agenda."), code="empty"
        )
    deadline = deadline_for(meeting)
    late = not published_elsewhere and timezone.localdate(now) > deadline
    late_reason = _reason(late_reason, required=late, field="late_reason")
    if late:
        meeting.items.filter(is_urgent=False).update(is_urgent=True, urgency_reason=late_reason)
    meeting.agenda_published_at = now
    meeting.agenda_published_elsewhere = published_elsewhere
    meeting.publication_deadline = deadline
    meeting.agenda_late = late
    meeting.late_reason = late_reason if late else ""
    meeting.save()
    meeting.documents.filter(published_at__isnull=True).update(published_at=now)
    _timeline(
        meeting,
        "agenda_published",
        actor,
        late=late,
        deadline=deadline.isoformat(),
        reason=late_reason if late else "",
        elsewhere=published_elsewhere,
    )
    record(
        "meetings.publish_agenda",
        actor=actor,
        council=meeting.council,
        target=meeting,
        late=late,
        deadline=deadline.isoformat(),
        published_elsewhere=published_elsewhere,
    )
    if meeting.start >= now:  # not for an old meeting's agenda brought in by an import
        _tell_followers(
            meeting,
            "agenda_published",
            _("Agenda published: %(meeting)s") % {"meeting": str(meeting)},
            actor,
            summary=meeting.venue,
        )
    return meeting


# --- Documents -------------------------------------------------------------------


def _store(data: bytes, content_type: str) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    stored = StoredFile(sha256=digest, size=len(data), content_type=content_type)
    path = _stored_file_path(stored, "")
    storage = stored.file.storage
    if storage.exists(path) and storage.size(path) == len(data):
        # Left by a transaction that rolled back: the same bytes, so the same file.
        stored.file.name = path
    else:
        if storage.exists(path):  # cut short by a crash mid-write: write it again
            storage.delete(path)
        stored.file.save(path, ContentFile(data), save=False)
    stored.save()
    return stored


@transaction.atomic
def attach_document(
    actor: Any,
    council: Council,
    *,
    data: bytes,
    title: str,
    kind: str,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    exempt_paragraph: int | None = None,
    original_name: str = "",
    source: str = "",
    source_id: str = "",
    source_url: str = "",
) -> Document:
    """Attach a PDF, DOCX or HTML document (type decided by content, not by name).

    The bytes are stored once however many documents share them (by SHA-256). The
    document is exempt when its item is, or when the clerk gives a paragraph. It is
    public at once if the meeting's agenda is already published (a supplement).
    Side effects: audit entry, timeline entry (supplements), text extraction task.
    """
    _require(actor, council)
    if agenda_item is not None:
        meeting = agenda_item.meeting
    if meeting is not None and meeting.council_id != council.pk:
        raise ValidationError(_("Choose a meeting of this council."), code="other_council")
    if kind not in Document.Kind.values:
        raise _invalid("kind", _("Choose a type of document."), "invalid_kind")
    title = _text(title, "title")
    original_name = _characters(str(original_name or "")[:255], "file")
    paragraph = _check_exempt_paragraph(exempt_paragraph)
    limit = MeetingSettings.for_council(council).document_max_bytes
    if not data:
        raise _invalid("file", _("The file is empty."), "empty")
    if len(data) > limit:
        raise _invalid(
            "file",
            _("The file must be smaller than %(mb).0f MB."),
            "too_large",
            {"mb": limit / 1024 / 1024},
        )
    content_type = sniff_content_type(data)
    if content_type is None:
        raise _invalid(
            "file",
            _("The file must be a PDF, a Word document (DOCX) or a web page (HTML)."),
            "bad_type",
        )
    stored = _store(data, content_type)
    is_exempt = paragraph is not None or bool(agenda_item and agenda_item.is_exempt)
    published = meeting is not None and meeting.is_agenda_published
    if meeting is None and kind == Document.Kind.DECISION_NOTICE:
        published = True
    document = Document.objects.create(
        council=council,
        meeting=meeting,
        agenda_item=agenda_item,
        kind=kind,
        title=title,
        stored_file=stored,
        original_name=original_name,
        is_exempt=is_exempt,
        exempt_paragraph=paragraph,
        published_at=timezone.now() if published else None,
        source=source,
        source_id=source_id,
        source_url=source_url,
    )
    if meeting is not None:
        _timeline(
            meeting,
            "document_added",
            actor,
            item=agenda_item,
            public=meeting.is_agenda_published and not is_exempt,
            title=title if not is_exempt else "",
            document=document.pk,
        )
    record(
        "meetings.attach_document",
        actor=actor,
        council=council,
        target=document,
        sha256=stored.sha256,
        exempt=is_exempt,
    )
    _queue_extraction(document)
    return document


def _queue_extraction(document: Document) -> None:
    from moothall.meetings.tasks import extract_document_text

    pk = document.pk
    transaction.on_commit(lambda: extract_document_text.enqueue(pk))


@transaction.atomic
def remove_document(actor: Any, document: Document, *, reason: str = "") -> None:
    """Take a document down. Side effects: audit entry, timeline entry (if it was public)."""
    _require(actor, document.council)
    reason = _reason(reason, required=document.published_at is not None)
    if document.meeting is not None:
        public = document.published_at is not None and not document.is_exempt
        _timeline(
            document.meeting,
            "document_removed",
            actor,
            item=document.agenda_item,
            public=public,
            title=document.title if not document.is_exempt else "",
            reason=reason,
        )
    record(
        "meetings.remove_document",
        actor=actor,
        council=document.council,
        target=document,
        reason=reason,
    )
    document.delete()


@transaction.atomic
def save_extracted_text(document_id: int) -> Document | None:
    """Read the text out of a document's file for search (the extraction task's verb).

    Survives the document being gone (returns None). Side effects: the text and its state.
    """
    from moothall.meetings.files import ExtractionFailed, extract_text

    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("stored_file")
        .filter(pk=document_id)
        .order_by()
        .first()
    )
    if document is None:
        return None
    # Another document with the same bytes may already have been read.
    twin = (
        Document.objects.filter(
            stored_file=document.stored_file, extraction=Document.Extraction.DONE
        )
        .exclude(pk=document.pk)
        .only("text")
        .first()
    )
    try:
        if twin is not None:
            text = twin.text
        else:
            with document.stored_file.file.open("rb") as handle:
                text = extract_text(handle.read(), document.stored_file.content_type)
    except Exception as error:
        # Whatever went wrong, the document must not stay "pending" for ever.
        if not isinstance(error, ExtractionFailed):
            logger.exception("Text extraction of document %s failed", document.pk)
        document.extraction = Document.Extraction.FAILED
        document.extraction_error = str(error)[:300]
        document.save(update_fields=["extraction", "extraction_error"])
        return document
    document.text = text
    document.extraction = Document.Extraction.DONE
    document.extraction_error = ""
    document.save(update_fields=["text", "extraction", "extraction_error"])
    return document


# --- Attendance, declarations, votes -------------------------------------------------


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(
            _("The meeting was cancelled, so nothing can be recorded at it."), code="cancelled"
        )


def _councillors_of(council: Council, ids: Iterable[int]) -> dict[int, Councillor]:
    wanted = set(ids)
    found = {c.pk: c for c in Councillor.objects.filter(council=council, pk__in=wanted)}
    if set(found) != wanted:
        raise ValidationError(_("Choose councillors of this council."), code="other_council")
    return found


@transaction.atomic
def record_attendance(
    actor: Any,
    meeting: Meeting,
    entries: Mapping[int, str],
    *,
    substitutes: Mapping[int, int] | None = None,
) -> list[Attendance]:
    """Record who attended (councillor id → status), replacing what was recorded before.

    ``substitutes`` maps a substitute's id to the id of the member they replaced.
    Side effects: meeting marked held (if in the past), audit and timeline entries."""
    _require(actor, meeting.council)
    substitutes = dict(substitutes or {})
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Nobody attends a cancelled meeting."), code="cancelled")
    for status in entries.values():
        if status not in Attendance.Status.values:
            raise ValidationError(_("Choose an attendance status for each councillor."))
    _councillors_of(meeting.council, list(entries) + list(substitutes.values()))
    for sub_id in substitutes:
        if entries.get(sub_id) != Attendance.Status.SUBSTITUTE:
            raise ValidationError(_("Only a substitute can stand in for a member."))
    meeting.attendance.all().delete()
    rows = Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            councillor_id=councillor_id,
            status=status,
            substitute_for_id=substitutes.get(councillor_id),
        )
        for councillor_id, status in entries.items()
    )
    if meeting.start <= timezone.now() and meeting.status == Meeting.Status.SCHEDULED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
    present = sum(1 for s in entries.values() if s in ("present", "substitute"))
    _timeline(meeting, "attendance_recorded", actor, present=present)
    record(
        "meetings.record_attendance",
        actor=actor,
        council=meeting.council,
        target=meeting,
        entries={str(k): v for k, v in entries.items()},
    )
    return rows


@transaction.atomic
def record_declaration(
    actor: Any,
    meeting: Meeting,
    *,
    councillor: Councillor,
    kind: str,
    description: str,
    agenda_item: AgendaItem | None = None,
    left_the_room: bool = False,
    dispensation: str = "",
) -> Declaration:
    """Record a councillor's declaration of interest. Side effects: audit entry."""
    _require(actor, meeting.council)
    _not_cancelled(meeting)
    _councillors_of(meeting.council, [councillor.pk])
    if kind not in Declaration.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of interest.")})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting.")})
    declaration = Declaration.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        councillor=councillor,
        kind=kind,
        description=_text(description, "description", limit=2000),
        left_the_room=left_the_room,
        dispensation=_text(dispensation, "dispensation", required=False, limit=50000),
    )
    _timeline(
        meeting,
        "declaration_recorded",
        actor,
        item=agenda_item,
        public=not (agenda_item is not None and agenda_item.is_exempt),
        name=councillor.name,
        kind_label=str(declaration.get_kind_display()),
    )
    record(
        "meetings.record_declaration",
        actor=actor,
        council=meeting.council,
        target=meeting,
        councillor=councillor.pk,
        kind=kind,
    )
    return declaration


@transaction.atomic
def record_vote(
    actor: Any,
    meeting: Meeting,
    *,
    motion: str,
    positions: Mapping[int, str],
    agenda_item: AgendaItem | None = None,
    decision: Decision | None = None,
    outcome: str | None = None,
) -> Vote:
    """Record a division: each councillor's position (id → for/against/abstain/absent/
    not_voting). Totals are counted here; the outcome follows from them unless the clerk
    gives it (a chair's casting vote). Side effects: audit and timeline entries."""
    _require(actor, meeting.council)
    _not_cancelled(meeting)
    motion = _text(motion, "motion", limit=5000)
    if not positions:
        raise ValidationError(_("Record at least one councillor's vote."), code="empty")
    for position in positions.values():
        if position not in VoteRecord.Position.values:
            raise ValidationError(_("Choose for, against, abstain, absent or not voting."))
    _councillors_of(meeting.council, positions)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting.")})
    if decision is not None and decision.council_id != meeting.council_id:
        raise ValidationError({"decision": _("Choose a decision of this council.")})
    if decision is not None and decision.agenda_item_id is not None:
        lineage, walker = set(), agenda_item
        while walker is not None and walker.pk not in lineage:
            lineage.add(walker.pk)
            walker = walker.parent
        if agenda_item is not None and decision.agenda_item_id not in lineage:
            raise _invalid(
                "decision", _("Choose a decision taken under the vote's agenda item."), "other_item"
            )
        agenda_item = agenda_item or decision.agenda_item
    counts = dict.fromkeys(VoteRecord.Position.values, 0)
    for position in positions.values():
        counts[position] += 1
    if outcome is None:
        if counts["for"] > counts["against"]:
            outcome = Vote.Outcome.CARRIED
        elif counts["for"] < counts["against"]:
            outcome = Vote.Outcome.LOST
        else:
            outcome = Vote.Outcome.TIED
    elif outcome not in Vote.Outcome.values:
        raise ValidationError({"outcome": _("Choose carried, lost or tied.")})
    vote = Vote.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        decision=decision,
        motion=motion,
        outcome=outcome,
        votes_for=counts["for"],
        votes_against=counts["against"],
        abstentions=counts["abstain"],
        is_exempt=bool(agenda_item and agenda_item.is_exempt)
        or bool(decision and decision.is_exempt),
    )
    VoteRecord.objects.bulk_create(
        VoteRecord(vote=vote, councillor_id=councillor_id, position=position)
        for councillor_id, position in positions.items()
    )
    _timeline(
        meeting,
        "vote_recorded",
        actor,
        item=agenda_item,
        public=not vote.is_exempt,
        outcome=outcome,
        votes_for=counts["for"],
        votes_against=counts["against"],
        abstentions=counts["abstain"],
    )
    record(
        "meetings.record_vote",
        actor=actor,
        council=meeting.council,
        target=vote,
        counts=counts,
        outcome=outcome,
    )
    return vote


# --- Decisions and the forward plan ----------------------------------------------------


@transaction.atomic
def add_forward_plan_entry(
    actor: Any,
    council: Council,
    *,
    title: str,
    decision_maker: str,
    expected_date: dt.date,
    summary: str = "",
    body: Body | None = None,
    is_key_decision: bool = True,
    exempt_paragraph: int | None = None,
    lead_officer: str = "",
    published_at: dt.datetime | None = None,
) -> ForwardPlanEntry:
    """Publish a forward-plan entry for a decision to come. Side effects: audit entry."""
    _require(actor, council)
    if body is not None and body.council_id != council.pk:
        raise ValidationError({"body": _("Choose a body of this council.")})
    entry = ForwardPlanEntry.objects.create(
        council=council,
        title=_text(title, "title"),
        summary=_text(summary, "summary", required=False, limit=50000),
        decision_maker=_text(decision_maker, "decision_maker", limit=200),
        body=body,
        expected_date=expected_date,
        published_at=published_at or timezone.now(),
        is_key_decision=is_key_decision,
        exempt_paragraph=_check_exempt_paragraph(exempt_paragraph),
        lead_officer=_text(lead_officer, "lead_officer", required=False, limit=200),
    )
    record("meetings.add_forward_plan_entry", actor=actor, council=council, target=entry)
    return entry


@transaction.atomic
def record_decision(
    actor: Any,
    council: Council,
    *,
    title: str,
    text: str,
    decision_maker: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    reasons: str = "",
    alternatives_rejected: str = "",
    conflicts_declared: str = "",
    dispensations: str = "",
    is_key_decision: bool = False,
    forward_plan_entry: ForwardPlanEntry | None = None,
    key_decision_exception: str = "",
    exception_reason: str = "",
    source: str = "",
    source_id: str = "",
    now: dt.datetime | None = None,
) -> Decision:
    """Record a decision, with its reasons, rejected alternatives, conflicts and dispensations.

    The call-in deadline is the council's call-in period in working days after
    publication. A key decision without a forward-plan entry 28 clear days ahead and
    without a recorded exception is flagged (``lacks_notice``) on every public page.
    Side effects: audit entry, timeline entry, forward-plan entry marked decided, the
    committee's followers notified (unless the decision is exempt).
    """
    _require(actor, council)
    now = now or timezone.now()
    if agenda_item is not None:
        meeting = agenda_item.meeting
    if meeting is not None and meeting.council_id != council.pk:
        raise ValidationError(_("Choose a meeting of this council."), code="other_council")
    if forward_plan_entry is not None and forward_plan_entry.council_id != council.pk:
        raise ValidationError({"forward_plan_entry": _("Choose an entry of this council's plan.")})
    if key_decision_exception not in Decision.Exception.values:
        raise ValidationError({"key_decision_exception": _("Choose an exception.")})
    if key_decision_exception and not is_key_decision:
        raise ValidationError(
            {"key_decision_exception": _("Only a key decision needs an exception.")}
        )
    exception_reason = _reason(
        exception_reason, required=bool(key_decision_exception), field="exception_reason"
    )
    settings = MeetingSettings.for_council(council)
    is_exempt = bool(agenda_item and agenda_item.is_exempt)
    decision = Decision(
        council=council,
        meeting=meeting,
        agenda_item=agenda_item,
        title=_text(title, "title"),
        text=_text(text, "text", limit=50000),
        reasons=_text(reasons, "reasons", required=False, limit=50000),
        alternatives_rejected=_text(
            alternatives_rejected, "alternatives_rejected", required=False, limit=50000
        ),
        conflicts_declared=_text(
            conflicts_declared, "conflicts_declared", required=False, limit=50000
        ),
        dispensations=_text(dispensations, "dispensations", required=False, limit=50000),
        decision_maker=_text(decision_maker, "decision_maker", limit=200),
        decided_on=decided_on,
        published_at=now,
        is_key_decision=is_key_decision,
        forward_plan_entry=forward_plan_entry,
        key_decision_exception=key_decision_exception,
        exception_reason=exception_reason,
        is_exempt=is_exempt,
        source=source,
        source_id=source_id,
    )
    decision.lacks_notice = decision.compute_lacks_notice()
    # Only executive decisions can be called in; the clerk records it for every decision
    # and the public page shows it while the period is running.
    decision.call_in_deadline = law.working_days_after(
        timezone.localdate(now), settings.call_in_days, council.nation
    )
    decision.save()
    if forward_plan_entry is not None:
        forward_plan_entry.status = ForwardPlanEntry.Status.DECIDED
        forward_plan_entry.save(update_fields=["status"])
    if meeting is not None:
        _timeline(
            meeting,
            "decision_recorded",
            actor,
            item=agenda_item,
            public=not is_exempt,
            title=decision.title if not is_exempt else "",
            decision=decision.pk,
        )
    record(
        "meetings.record_decision",
        actor=actor,
        council=council,
        target=decision,
        key=is_key_decision,
        lacks_notice=decision.lacks_notice,
    )
    # Never a word about exempt business: only what the public may see is announced.
    if meeting is not None and Decision.objects.public().filter(pk=decision.pk).exists():
        _tell_followers(
            meeting,
            "decision_made",
            _("Decision made: %(decision)s") % {"decision": decision.title},
            actor,
            url=decision.get_absolute_url(),
        )
    return decision


_DECISION_MOVES: dict[str, set[str]] = {
    Decision.Status.MADE: {Decision.Status.CALLED_IN, Decision.Status.IMPLEMENTED},
    Decision.Status.CALLED_IN: {Decision.Status.MADE, Decision.Status.IMPLEMENTED},
    Decision.Status.IMPLEMENTED: set(),
}


def next_decision_statuses(decision: Decision) -> list[str]:
    """The statuses :func:`set_decision_status` may move ``decision`` to, in the order a
    form offers them (the call-in period may still refuse one)."""
    allowed = _DECISION_MOVES.get(decision.status, set())
    order = [Decision.Status.CALLED_IN, Decision.Status.MADE, Decision.Status.IMPLEMENTED]
    return [status for status in order if status in allowed]


@transaction.atomic
def set_decision_status(
    actor: Any, decision: Decision, status: str, *, reason: str = "", today: dt.date | None = None
) -> Decision:
    """Call a decision in (before its call-in deadline), confirm it after call-in (back to
    made), or mark it implemented. Side effects: audit and timeline entries."""
    _require(actor, decision.council)
    if status not in _DECISION_MOVES.get(decision.status, set()):
        raise ValidationError(
            _("A decision that is %(now)s cannot become %(next)s."),
            code="bad_transition",
            params={
                "now": decision.get_status_display(),
                "next": dict(Decision.Status.choices).get(status, status),
            },
        )
    today = today or timezone.localdate()
    if (
        status == Decision.Status.CALLED_IN
        and decision.call_in_deadline
        and today > decision.call_in_deadline
    ):
        raise ValidationError(
            _("The call-in period for this decision has ended."), code="call_in_over"
        )
    if (
        status == Decision.Status.IMPLEMENTED
        and decision.status == Decision.Status.MADE
        and decision.call_in_deadline
        and today <= decision.call_in_deadline
    ):
        raise ValidationError(
            _("The decision cannot be implemented until its call-in period ends on %(day)s."),
            code="call_in_running",
            params={"day": decision.call_in_deadline.strftime("%d/%m/%Y")},
        )
    reason = _reason(reason, required=status == Decision.Status.CALLED_IN)
    before = decision.status
    decision.status = status
    decision.status_reason = reason
    decision.save(update_fields=["status", "status_reason", "updated_at"])
    if decision.meeting is not None:
        _timeline(
            decision.meeting,
            f"decision_{status}",
            actor,
            item=decision.agenda_item,
            public=not decision.is_exempt,
            title=decision.title if not decision.is_exempt else "",
            reason=reason,
        )
    record(
        "meetings.set_decision_status",
        actor=actor,
        council=decision.council,
        target=decision,
        before=before,
        after=status,
        reason=reason,
    )
    return decision


@transaction.atomic
def publish_minutes(actor: Any, meeting: Meeting, *, document: Document | None = None) -> Meeting:
    """Publish the minutes of a held meeting (with the minutes document, if given).

    Side effects: meeting marked held, document published, audit and timeline entries,
    the committee's followers notified."""
    _require(actor, meeting.council)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no minutes."), code="cancelled")
    if meeting.start > timezone.now():
        raise ValidationError(_("Minutes can be published only after the meeting."))
    if document is not None and document.meeting_id != meeting.pk:
        raise ValidationError({"document": _("Choose a document of this meeting.")})
    now = timezone.now()
    meeting.minutes_published_at = now
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["minutes_published_at", "status", "updated_at"])
    if document is not None and document.published_at is None:
        document.published_at = now
        document.save(update_fields=["published_at"])
    _timeline(meeting, "minutes_published", actor)
    record("meetings.publish_minutes", actor=actor, council=meeting.council, target=meeting)
    _tell_followers(
        meeting,
        "minutes_published",
        _("Minutes published: %(meeting)s") % {"meeting": str(meeting)},
        actor,
    )
    return meeting


_SETTINGS_FIELDS = frozenset(
    {
        "notice_clear_days",
        "call_in_days",
        "public_submission_days",
        "public_submission_max_length",
        "document_max_bytes",
    }
)


@transaction.atomic
def update_meeting_settings(actor: Any, council: Council, **changes: Any) -> MeetingSettings:
    """Change the council's meeting rules (its admin only). Side effects: audit entry."""
    _require(actor, council, Action.EDIT_COUNCIL)
    unknown = set(changes) - _SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"update_meeting_settings cannot change {sorted(unknown)}")
    settings = MeetingSettings.for_council(council)
    before = {field: getattr(settings, field) for field in changes}
    for field, value in changes.items():
        setattr(settings, field, value)
    settings.full_clean()
    settings.save()
    record(
        "meetings.update_meeting_settings",
        actor=actor,
        council=council,
        target=council,
        before=before,
        after=changes,
    )
    return settings


# --- Public participation ---------------------------------------------------------------


def submissions_open(meeting: Meeting, today: dt.date | None = None) -> bool:
    """Whether residents may still send questions, deputations and requests to speak."""
    today = today or timezone.localdate()
    return meeting.status == Meeting.Status.SCHEDULED and today <= submission_deadline_for(meeting)


@transaction.atomic
def submit_to_meeting(
    user: Any,
    meeting: Meeting,
    *,
    kind: str,
    text: str,
    display_name: str,
    agenda_item: AgendaItem | None = None,
    today: dt.date | None = None,
) -> PublicSubmission:
    """A resident asks a public question, sends a deputation or asks to speak on an item,
    before the council's deadline. Side effects: acknowledgement email, audit entry."""
    if not can_submit_to_meetings(user):
        raise PermissionDenied
    if kind not in PublicSubmission.Kind.values:
        raise _invalid("kind", _("Choose what you want to do."), "invalid_kind")
    if not submissions_open(meeting, today):
        raise ValidationError(
            _("This meeting no longer takes questions, deputations or requests to speak."),
            code="closed",
        )
    limit = MeetingSettings.for_council(meeting.council).public_submission_max_length
    text = _text(text, "text", limit=limit)
    display_name = _text(display_name, "display_name", limit=200)
    if agenda_item is not None and (agenda_item.meeting_id != meeting.pk or agenda_item.is_exempt):
        raise ValidationError({"agenda_item": _("Choose an item on this meeting's agenda.")})
    if kind == PublicSubmission.Kind.SPEAK and agenda_item is None:
        raise ValidationError({"agenda_item": _("Choose the item you want to speak on.")})
    submission = PublicSubmission.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        submitter=user,
        display_name=display_name,
        kind=kind,
        text=text,
    )
    record("meetings.submit_to_meeting", actor=user, council=meeting.council, target=submission)
    queue_email(
        user.email,
        "meetings/email/submission_received",
        {"meeting": meeting, "submission": submission},
    )
    return submission


@transaction.atomic
def decide_submission(
    actor: Any, submission: PublicSubmission, *, accept: bool, reason: str = ""
) -> PublicSubmission:
    """The clerk accepts a submission (it appears on the agenda) or declines it with a reason.

    Side effects: email to the resident, audit entry, timeline entry (accepted ones)."""
    meeting = submission.meeting
    _require(actor, meeting.council)
    if submission.status != PublicSubmission.Status.SUBMITTED:
        raise ValidationError(_("This submission has already been decided."), code="decided")
    reason = _reason(reason, required=not accept)
    submission.status = (
        PublicSubmission.Status.ACCEPTED if accept else PublicSubmission.Status.DECLINED
    )
    submission.reason = reason
    submission.decided_at = timezone.now()
    submission.decided_by = _as_user(actor)
    submission.save()
    if accept:
        _timeline(
            meeting,
            "submission_accepted",
            actor,
            submission_kind=submission.kind,
            name=submission.display_name,
        )
    record(
        "meetings.decide_submission",
        actor=actor,
        council=meeting.council,
        target=submission,
        accepted=accept,
        reason=reason,
    )
    queue_email(
        submission.submitter.email,
        "meetings/email/submission_accepted" if accept else "meetings/email/submission_declined",
        {"meeting": meeting, "submission": submission},
    )
    return submission


@transaction.atomic
def withdraw_submission(user: Any, submission: PublicSubmission) -> PublicSubmission:
    """The resident withdraws their own submission. Side effects: audit entry."""
    if not can_withdraw_submission(user, submission):
        raise PermissionDenied
    if submission.status in (PublicSubmission.Status.WITHDRAWN, PublicSubmission.Status.DECLINED):
        raise ValidationError(_("This submission is no longer open."), code="closed")
    submission.status = PublicSubmission.Status.WITHDRAWN
    submission.save(update_fields=["status"])
    record(
        "meetings.withdraw_submission",
        actor=user,
        council=submission.meeting.council,
        target=submission,
    )
    return submission
