"""The clerk's back-office for open council business, at /<council>/staff/meetings/.

Each view is thin: fetch the council through :func:`moothall.accounts.access.get_council_for`
(404 for an unknown council, 403 for someone who may not manage its meetings), fetch
objects scoped to that council (404 otherwise), validate with a form from
:mod:`moothall.staff.meeting_forms`, call one verb from :mod:`moothall.meetings.domain`,
then add a message and redirect. A ``ValidationError`` from the verb goes back into
the form and shows in the GOV.UK error summary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action, can
from moothall.core.forms import add_verb_errors as _apply
from moothall.core.forms import posted as _data
from moothall.councils.models import Council, Councillor
from moothall.meetings import domain, law
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
)
from moothall.staff import meeting_forms as mf

MEETINGS_PER_PAGE = 25
BODIES_PER_PAGE = 50
PLAN_PER_PAGE = 50
SUBMISSIONS_PER_PAGE = 50


# --- Helpers -------------------------------------------------------------------


def _here(request: HttpRequest, council: str, action: Action = Action.MANAGE_MEETINGS) -> Council:
    return get_council_for(request.user, council, action)


def _meeting(council: Council, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("body"), council=council, pk=meeting_id
    )
    meeting.council = council  # already loaded: saves a query per use
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.all(), meeting=meeting, pk=item_id)
    item.meeting = meeting
    return item


def _workspace_url(meeting: Meeting) -> str:
    """The workspace, at the top: no ``#anchor`` to the section that changed.

    A fragment moves the focus away from the success banner GOV.UK Frontend focuses
    on load, so a screen-reader user would not hear what was done; the banner names it.
    """
    return reverse(
        "staff:meeting", kwargs={"council": meeting.council.slug, "meeting_id": meeting.pk}
    )


def _day(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def _ctx(council: Council, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "council": council,
        "can_edit_settings": can(request.user, Action.EDIT_COUNCIL, council),
        **extra,
    }


@dataclass
class Deadline:
    """Where a meeting's agenda stands against its publication deadline."""

    state: str  # "published", "late", "due", "passed" or "none"
    date: dt.date | None

    @property
    def is_passed(self) -> bool:
        return self.state == "passed"


def deadline_of(
    meeting: Meeting, settings: MeetingSettings, today: dt.date | None = None
) -> Deadline:
    """The agenda's deadline state, computed from the council's current settings."""
    today = today or timezone.localdate()
    if meeting.agenda_published_at is not None:
        return Deadline(
            "late" if meeting.agenda_late else "published", meeting.publication_deadline
        )
    if meeting.status == Meeting.Status.CANCELLED:
        return Deadline("none", None)
    date = law.publication_deadline(
        timezone.localdate(meeting.start), settings.notice_clear_days, meeting.council.nation
    )
    return Deadline("passed" if today > date else "due", date)


# --- Meetings list and creation ----------------------------------------------------


@never_cache
@login_required
@require_safe
def meetings(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    past = request.GET.get("when") == "past"
    found = Meeting.objects.filter(council=here).select_related("body")
    found = found.past() if past else found.upcoming()
    page = Paginator(found, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    settings = MeetingSettings.for_council(here)
    today = timezone.localdate()
    rows = []
    for meeting in page:
        meeting.council = here
        rows.append((meeting, deadline_of(meeting, settings, today)))
    return render(
        request,
        "staff/meetings/meetings.html",
        _ctx(
            here,
            request,
            page=page,
            rows=rows,
            past=past,
            page_query="when=past" if past else "",
            has_bodies=Body.objects.filter(council=here).exists(),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    initial = {}
    if (body_id := request.GET.get("body", "")).isdigit():
        initial["body"] = body_id
    form = mf.MeetingForm(_data(request), council=here, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = domain.create_meeting(
                request.user,
                data["body"],
                start=data["start"],
                end=data["end"],
                venue=data["venue"],
                title=data["title"],
                webcast_url=data["webcast_url"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Meeting scheduled: %(title)s, %(date)s.")
                % {"title": meeting.display_title, "date": _day(meeting.start)},
            )
            return redirect(_workspace_url(meeting))
    return render(request, "staff/meetings/meeting_form.html", _ctx(here, request, form=form))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    start = timezone.localtime(meeting.start)
    end = timezone.localtime(meeting.end) if meeting.end else None
    initial = {
        "title": meeting.title,
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M") if end else "",
        "venue": meeting.venue,
        "webcast_url": meeting.webcast_url,
    }
    form = mf.MeetingForm(_data(request), council=here, creating=False, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.update_meeting(
                request.user,
                meeting,
                start=data["start"],
                end=data["end"],
                venue=data["venue"],
                title=data["title"],
                webcast_url=data["webcast_url"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The meeting's details have been saved."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/meeting_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


# --- The workspace -------------------------------------------------------------------


@dataclass
class Node:
    """One agenda item in the nested list, with what the workspace shows beside it."""

    item: AgendaItem
    paragraph: int | None
    first: bool
    last: bool
    documents: list[Document] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def agenda_tree(
    items: list[AgendaItem], documents: dict[int, list[Document]]
) -> tuple[list[Node], dict[int, int | None]]:
    """Items (ordered by ``sort_key``) as a tree, and each exempt item's paragraph
    (its own, or the one it inherits from the item it sits under)."""
    children: dict[int | None, list[AgendaItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    paragraphs: dict[int, int | None] = {}

    def build(parent_id: int | None, inherited: int | None) -> list[Node]:
        siblings = children.get(parent_id, [])
        nodes = []
        for index, item in enumerate(siblings):
            paragraph = (item.exempt_paragraph or inherited) if item.is_exempt else None
            paragraphs[item.pk] = paragraph
            nodes.append(
                Node(
                    item=item,
                    paragraph=paragraph,
                    first=index == 0,
                    last=index == len(siblings) - 1,
                    documents=documents.get(item.pk, []),
                    children=build(item.pk, paragraph),
                )
            )
        return nodes

    return build(None, None), paragraphs


@never_cache
@login_required
@require_safe
def meeting(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    items = list(meeting.items.order_by("sort_key", "pk"))
    documents = list(meeting.documents.select_related("stored_file").order_by("pk"))
    by_item: dict[int, list[Document]] = defaultdict(list)
    for document in documents:
        if document.agenda_item_id is not None:
            by_item[document.agenda_item_id].append(document)
    tree, paragraphs = agenda_tree(items, by_item)
    for document in documents:
        document.paragraph = document.exempt_paragraph or paragraphs.get(  # type: ignore[attr-defined]
            document.agenda_item_id or 0
        )
    settings = MeetingSettings.for_council(here)
    deadline = deadline_of(meeting, settings)
    now = timezone.now()
    is_open = meeting.status not in (Meeting.Status.CANCELLED, Meeting.Status.HELD)
    return render(
        request,
        "staff/meetings/meeting.html",
        _ctx(
            here,
            request,
            meeting=meeting,
            tree=tree,
            item_count=len(items),
            meeting_documents=[d for d in documents if d.agenda_item_id is None],
            deadline=deadline,
            can_publish=not meeting.is_agenda_published
            and meeting.status != Meeting.Status.CANCELLED,
            can_change_status=is_open,
            has_started=meeting.start <= now,
            can_publish_minutes=meeting.start <= now and meeting.status != Meeting.Status.CANCELLED,
            decisions=list(meeting.decisions.select_related("agenda_item").order_by("pk")),
            votes=list(meeting.votes.select_related("agenda_item").order_by("pk")),
            attendance=list(
                meeting.attendance.select_related(
                    "councillor__person", "substitute_for__person"
                ).order_by("councillor__person__name", "pk")
            ),
            declarations=list(
                meeting.declarations.select_related("councillor__person", "agenda_item").order_by(
                    "pk"
                )
            ),
            pending_submissions=meeting.submissions.filter(
                status=PublicSubmission.Status.SUBMITTED
            ).count(),
            timeline=list(meeting.timeline.select_related("actor").order_by("at", "pk")),
        ),
    )


# --- Meeting status ---------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def agenda_publish(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    if meeting.is_agenda_published:
        messages.info(request, _("The agenda has already been published."))
        return redirect(_workspace_url(meeting))
    deadline = deadline_of(meeting, MeetingSettings.for_council(here))
    form = mf.PublishAgendaForm(_data(request), late=deadline.is_passed)
    if form.is_valid():
        try:
            domain.publish_agenda(
                request.user, meeting, late_reason=form.cleaned_data.get("late_reason", "")
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            if meeting.agenda_late:
                messages.success(request, _("The agenda has been published, marked as late."))
            else:
                messages.success(request, _("The agenda has been published."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/publish_agenda.html",
        _ctx(
            here,
            request,
            form=form,
            meeting=meeting,
            deadline=deadline,
            item_count=meeting.items.count(),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_postpone(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    form = mf.PostponeForm(_data(request))
    if form.is_valid():
        try:
            domain.postpone_meeting(
                request.user,
                meeting,
                reason=form.cleaned_data["reason"],
                new_start=form.cleaned_data["new_start"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The meeting has been postponed."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/meeting_status.html",
        _ctx(here, request, form=form, meeting=meeting, postponing=True),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    form = mf.CancelForm(_data(request))
    if form.is_valid():
        try:
            domain.cancel_meeting(request.user, meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The meeting has been cancelled."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/meeting_status.html",
        _ctx(here, request, form=form, meeting=meeting, postponing=False),
    )


# --- Agenda items ---------------------------------------------------------------------


_ITEM_FIELDS = (
    "title",
    "description",
    "kind",
    "exempt_paragraph",
    "is_urgent",
    "urgency_reason",
    "lead_officer",
    "portfolio",
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    initial: dict[str, Any] = {"kind": AgendaItem.Kind.REPORT}
    if (parent := request.GET.get("parent", "")).isdigit():
        initial["parent"] = parent
    if meeting.is_agenda_published:
        initial["is_urgent"] = True
    form = mf.AgendaItemForm(_data(request), meeting=meeting, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = domain.add_agenda_item(
                request.user,
                meeting,
                parent=data["parent"],
                **{name: data[name] for name in _ITEM_FIELDS},
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Item %(number)s added: %(title)s.")
                % {
                    "number": item.number,
                    "title": item.title,
                },
            )
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/item_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, council: str, meeting_id: int, item_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    item = _item(meeting, item_id)
    initial = {name: getattr(item, name) for name in _ITEM_FIELDS}
    initial["exempt_paragraph"] = str(item.exempt_paragraph or "")
    form = mf.AgendaItemForm(_data(request), meeting=meeting, item=item, initial=initial)
    if form.is_valid():
        try:
            domain.update_agenda_item(
                request.user, item, **{name: form.cleaned_data[name] for name in _ITEM_FIELDS}
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Item %(number)s saved.") % {"number": item.number})
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/item_form.html",
        _ctx(here, request, form=form, meeting=meeting, item=item),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def item_remove(request: HttpRequest, council: str, meeting_id: int, item_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    item = _item(meeting, item_id)
    form = mf.RemoveItemForm(_data(request), reason_required=meeting.is_agenda_published)
    if form.is_valid():
        number, title = item.number, item.title
        try:
            domain.remove_agenda_item(request.user, item, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Item %(number)s removed: %(title)s.") % {"number": number, "title": title},
            )
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/item_remove.html",
        _ctx(
            here,
            request,
            form=form,
            meeting=meeting,
            item=item,
            sub_items=item.children.count(),
        ),
    )


@never_cache
@login_required
@require_POST
def item_move(request: HttpRequest, council: str, meeting_id: int, item_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    item = _item(meeting, item_id)
    form = mf.MoveItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to move the item up or down."))
        return redirect(_workspace_url(meeting))
    try:
        domain.move_agenda_item(request.user, item, up=form.cleaned_data["direction"] == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        item.refresh_from_db(fields=["number"])
        messages.success(
            request,
            _("“%(title)s” is now item %(number)s.") % {"title": item.title, "number": item.number},
        )
    return redirect(_workspace_url(meeting))


# --- Documents ----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    limit = MeetingSettings.for_council(here).document_max_bytes
    initial: dict[str, Any] = {}
    if (item_id := request.GET.get("item", "")).isdigit():
        initial["agenda_item"] = item_id
    form = mf.DocumentForm(
        _data(request),
        request.FILES if request.method == "POST" else None,
        meeting=meeting,
        max_bytes=limit,
        initial=initial,
    )
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            document = domain.attach_document(
                request.user,
                here,
                data=b"".join(upload.chunks()),
                title=data["title"],
                kind=data["kind"],
                meeting=meeting,
                agenda_item=data["agenda_item"],
                exempt_paragraph=data["exempt_paragraph"],
                original_name=upload.name or "",
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Document attached: %(title)s.") % {"title": document})
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/document_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


def _document(council: Council, document_id: int) -> Document:
    document = get_object_or_404(
        Document.objects.select_related("stored_file", "meeting__body", "agenda_item"),
        council=council,
        pk=document_id,
    )
    document.council = council
    if document.meeting is not None:
        document.meeting.council = council
    return document


@never_cache
@login_required
@require_safe
def document_download(request: HttpRequest, council: str, document_id: int) -> FileResponse:
    here = _here(request, council)
    document = _document(here, document_id)
    if document.is_exempt and not can(request.user, Action.VIEW_EXEMPT, here):
        raise PermissionDenied
    stored = document.stored_file
    base = document.original_name or f"{slugify(document.title) or 'document'}.{stored.extension}"
    if document.is_exempt:
        # The mark travels with the saved file, not just the page it came from.
        base = f"EXEMPT-{base}"
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,  # never rendered here: an uploaded HTML page must not run as us
        filename=base,
        content_type=stored.content_type,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Security-Policy"] = "sandbox"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document_remove(request: HttpRequest, council: str, document_id: int) -> HttpResponse:
    here = _here(request, council)
    document = _document(here, document_id)
    form = mf.RemoveDocumentForm(_data(request), reason_required=document.published_at is not None)
    back = (
        _workspace_url(document.meeting)
        if document.meeting is not None
        else reverse("staff:meetings", kwargs={"council": here.slug})
    )
    if form.is_valid():
        title = document.title
        try:
            domain.remove_document(request.user, document, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Document removed: %(title)s.") % {"title": title})
            return redirect(back)
    return render(
        request,
        "staff/meetings/document_remove.html",
        _ctx(here, request, form=form, document=document, back_url=back),
    )


# --- After the meeting -----------------------------------------------------------------


def _members(meeting: Meeting) -> list[Councillor]:
    """The body's members on the day of the meeting, by name."""
    on = timezone.localdate(meeting.start)
    seats = (
        Membership.objects.current(on)
        .filter(body=meeting.body)
        .select_related("councillor__person")
        .order_by("councillor__person__name", "councillor_id")
    )
    found: dict[int, Councillor] = {}
    for seat in seats:
        found.setdefault(seat.councillor_id, seat.councillor)
    return list(found.values())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    members = _members(meeting)
    recorded = list(
        meeting.attendance.select_related("councillor__person").order_by(
            "councillor__person__name", "pk"
        )
    )
    listed = list(members)
    listed_ids = {c.pk for c in members}
    for row in recorded:
        if row.councillor_id not in listed_ids:
            listed.append(row.councillor)
            listed_ids.add(row.councillor_id)
    initial: dict[str, Any] = {}
    for row in recorded:
        initial[f"status_{row.councillor_id}"] = row.status
        initial[f"substitute_for_{row.councillor_id}"] = str(row.substitute_for_id or "")
    form = mf.AttendanceForm(
        _data(request),
        listed=listed,
        members=members,
        others=mf.councillors_of(here).exclude(pk__in=listed_ids),
        initial=initial,
    )
    if form.is_valid():
        try:
            domain.record_attendance(
                request.user,
                meeting,
                form.cleaned_data["entries"],
                substitutes=form.cleaned_data["substitutes"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/attendance.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def declaration_new(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    form = mf.DeclarationForm(_data(request), meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.record_declaration(
                request.user,
                meeting,
                councillor=data["councillor"],
                kind=data["kind"],
                description=data["description"],
                agenda_item=data["agenda_item"],
                left_the_room=data["left_the_room"],
                dispensation=data["dispensation"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Declaration recorded for %(name)s.") % {"name": data["councillor"].person.name},
            )
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/declaration_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vote_new(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    councillors = {c.pk: c for c in _members(meeting)}
    for row in meeting.attendance.select_related("councillor__person"):
        councillors.setdefault(row.councillor_id, row.councillor)
    ordered = sorted(councillors.values(), key=lambda c: (c.person.name, c.pk))
    form = mf.VoteForm(_data(request), meeting=meeting, councillors=ordered)
    if form.is_valid():
        data = form.cleaned_data
        try:
            vote = domain.record_vote(
                request.user,
                meeting,
                motion=data["motion"],
                positions=data["positions"],
                agenda_item=data["agenda_item"],
                decision=data["decision"],
                outcome=data["outcome"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("Vote recorded: %(for)d for, %(against)d against, %(abstain)d abstentions.")
                % {
                    "for": vote.votes_for,
                    "against": vote.votes_against,
                    "abstain": vote.abstentions,
                },
            )
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/vote_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


_DECISION_FIELDS = (
    "title",
    "text",
    "reasons",
    "alternatives_rejected",
    "conflicts_declared",
    "dispensations",
    "decision_maker",
    "decided_on",
    "agenda_item",
    "is_key_decision",
    "forward_plan_entry",
    "key_decision_exception",
    "exception_reason",
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    initial = {
        "decision_maker": meeting.body.name,
        "decided_on": timezone.localdate(meeting.start).isoformat(),
    }
    form = mf.DecisionForm(_data(request), meeting=meeting, initial=initial)
    if form.is_valid():
        try:
            decision = domain.record_decision(
                request.user,
                here,
                meeting=meeting,
                **{name: form.cleaned_data[name] for name in _DECISION_FIELDS},
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Decision recorded: %(title)s.") % {"title": decision})
            if decision.lacks_notice:
                messages.warning(
                    request,
                    _(
                        "This key decision had no forward-plan entry 28 clear days before and "
                        "no recorded exception: it is flagged on every public page about it."
                    ),
                )
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/decision_form.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decision_status(request: HttpRequest, council: str, decision_id: int) -> HttpResponse:
    here = _here(request, council)
    decision = get_object_or_404(
        Decision.objects.select_related("meeting__body"), council=here, pk=decision_id
    )
    decision.council = here
    if decision.meeting is not None:
        decision.meeting.council = here
    back = (
        _workspace_url(decision.meeting)
        if decision.meeting is not None
        else reverse("staff:meetings", kwargs={"council": here.slug})
    )
    allowed = domain.next_decision_statuses(decision)
    form = mf.DecisionStatusForm(_data(request), allowed=allowed)
    if allowed and form.is_valid():
        try:
            domain.set_decision_status(
                request.user,
                decision,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is now %(status)s.")
                % {"title": decision.title, "status": decision.get_status_display().lower()},
            )
            return redirect(back)
    return render(
        request,
        "staff/meetings/decision_status.html",
        _ctx(here, request, form=form, decision=decision, allowed=allowed, back_url=back),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, council: str, meeting_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, meeting_id)
    initial = {}
    if minutes_doc := meeting.documents.filter(kind=Document.Kind.MINUTES, is_exempt=False).last():
        initial["document"] = minutes_doc.pk
    form = mf.MinutesForm(_data(request), meeting=meeting, initial=initial)
    if form.is_valid():
        try:
            domain.publish_minutes(request.user, meeting, document=form.cleaned_data["document"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The minutes have been published."))
            return redirect(_workspace_url(meeting))
    return render(
        request,
        "staff/meetings/minutes.html",
        _ctx(here, request, form=form, meeting=meeting),
    )


# --- Bodies and memberships --------------------------------------------------------------


@never_cache
@login_required
@require_safe
def bodies(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    today = timezone.localdate()
    current = (Q(memberships__start_date__isnull=True) | Q(memberships__start_date__lte=today)) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    found = (
        Body.objects.filter(council=here)
        .annotate(members=Count("memberships", filter=current))
        .order_by("-is_active", "name", "pk")
    )
    page = Paginator(found, BODIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "staff/meetings/bodies.html", _ctx(here, request, page=page, page_query="")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def body_new(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    form = mf.BodyForm(_data(request), council=here, initial={"kind": Body.Kind.COMMITTEE})
    if form.is_valid():
        data = form.cleaned_data
        try:
            body = domain.create_body(
                request.user,
                here,
                name=data["name"],
                kind=data["kind"],
                purpose=data["purpose"],
                parent=data["parent"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("%(body)s has been created.") % {"body": body})
            return redirect("staff:body", council=here.slug, body_id=body.pk)
    return render(request, "staff/meetings/body_form.html", _ctx(here, request, form=form))


def _body(council: Council, body_id: int) -> Body:
    body = get_object_or_404(Body.objects.all(), council=council, pk=body_id)
    body.council = council
    return body


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def body(request: HttpRequest, council: str, body_id: int) -> HttpResponse:
    here = _here(request, council)
    body = _body(here, body_id)
    initial = {
        "name": body.name,
        "kind": body.kind,
        "purpose": body.purpose,
        "parent": body.parent_id,
        "is_active": body.is_active,
    }
    form = mf.BodyForm(_data(request), council=here, body=body, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.update_body(
                request.user,
                body,
                name=data["name"],
                kind=data["kind"],
                purpose=data["purpose"],
                parent=data["parent"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("%(body)s has been saved.") % {"body": body})
            return redirect("staff:body", council=here.slug, body_id=body.pk)
    today = timezone.localdate()
    memberships = list(
        body.memberships.select_related("councillor__person", "councillor__ward").order_by(
            "councillor__person__name", "pk"
        )
    )
    current_ids = set(body.memberships.current(today).values_list("pk", flat=True))
    return render(
        request,
        "staff/meetings/body.html",
        _ctx(
            here,
            request,
            form=form,
            body=body,
            current=[m for m in memberships if m.pk in current_ids],
            former=[m for m in memberships if m.pk not in current_ids],
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest, council: str, body_id: int) -> HttpResponse:
    here = _here(request, council)
    body = _body(here, body_id)
    form = mf.MembershipForm(_data(request), council=here)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat = domain.add_member(
                request.user,
                body,
                data["councillor"],
                role=data["role"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("%(name)s added to %(body)s as %(role)s.")
                % {
                    "name": seat.councillor.person.name,
                    "body": body,
                    "role": seat.get_role_display().lower(),
                },
            )
            return redirect("staff:body", council=here.slug, body_id=body.pk)
    return render(
        request, "staff/meetings/member_form.html", _ctx(here, request, form=form, body=body)
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def membership_end(
    request: HttpRequest, council: str, body_id: int, membership_id: int
) -> HttpResponse:
    here = _here(request, council)
    body = _body(here, body_id)
    seat = get_object_or_404(
        Membership.objects.select_related("councillor__person"), body=body, pk=membership_id
    )
    seat.body = body
    form = mf.EndMembershipForm(
        _data(request), initial={"end_date": timezone.localdate().isoformat()}
    )
    if form.is_valid():
        try:
            domain.end_membership(request.user, seat, on=form.cleaned_data["end_date"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("%(name)s's membership of %(body)s has ended.")
                % {"name": seat.councillor.person.name, "body": body},
            )
            return redirect("staff:body", council=here.slug, body_id=body.pk)
    return render(
        request,
        "staff/meetings/membership_end.html",
        _ctx(here, request, form=form, body=body, seat=seat),
    )


# --- Forward plan ---------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def forward_plan(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    entries = (
        ForwardPlanEntry.objects.filter(council=here)
        .select_related("body")
        .order_by("expected_date", "pk")
    )
    page = Paginator(entries, PLAN_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "staff/meetings/forward_plan.html", _ctx(here, request, page=page, page_query="")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def forward_plan_new(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    form = mf.ForwardPlanForm(_data(request), council=here, initial={"is_key_decision": True})
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = domain.add_forward_plan_entry(
                request.user,
                here,
                title=data["title"],
                summary=data["summary"],
                decision_maker=data["decision_maker"],
                body=data["body"],
                expected_date=data["expected_date"],
                is_key_decision=data["is_key_decision"],
                exempt_paragraph=data["exempt_paragraph"],
                lead_officer=data["lead_officer"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Added to the forward plan: %(title)s.") % {"title": entry})
            return redirect("staff:forward_plan", council=here.slug)
    return render(request, "staff/meetings/forward_plan_form.html", _ctx(here, request, form=form))


# --- Public participation ---------------------------------------------------------------


@never_cache
@login_required
@require_safe
def submissions(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council)
    upcoming = PublicSubmission.objects.filter(
        meeting__council=here, meeting__start__gte=timezone.now()
    ).select_related("meeting__body", "agenda_item")
    waiting = upcoming.filter(status=PublicSubmission.Status.SUBMITTED).order_by(
        "meeting__start", "created_at", "pk"
    )
    page = Paginator(waiting, SUBMISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    decided = list(
        upcoming.exclude(status=PublicSubmission.Status.SUBMITTED).order_by(
            "meeting__start", "created_at", "pk"
        )[:SUBMISSIONS_PER_PAGE]
    )
    return render(
        request,
        "staff/meetings/submissions.html",
        _ctx(here, request, page=page, page_query="", decided=decided),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def submission(request: HttpRequest, council: str, submission_id: int) -> HttpResponse:
    here = _here(request, council)
    found = get_object_or_404(
        PublicSubmission.objects.select_related("meeting__body", "agenda_item", "submitter"),
        meeting__council=here,
        pk=submission_id,
    )
    found.meeting.council = here
    form = mf.SubmissionDecisionForm(_data(request))
    if found.status == PublicSubmission.Status.SUBMITTED and form.is_valid():
        try:
            domain.decide_submission(
                request.user,
                found,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            if found.status == PublicSubmission.Status.ACCEPTED:
                messages.success(
                    request,
                    _("Accepted. %(name)s has been emailed.") % {"name": found.display_name},
                )
            else:
                messages.success(
                    request,
                    _("Declined. %(name)s has been emailed the reason.")
                    % {"name": found.display_name},
                )
            return redirect("staff:submissions", council=here.slug)
    return render(
        request,
        "staff/meetings/submission.html",
        _ctx(here, request, form=form, submission=found),
    )


# --- Settings -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_settings(request: HttpRequest, council: str) -> HttpResponse:
    here = _here(request, council, Action.EDIT_COUNCIL)
    current = MeetingSettings.for_council(here)
    initial = {
        "notice_clear_days": current.notice_clear_days,
        "call_in_days": current.call_in_days,
        "public_submission_days": current.public_submission_days,
        "public_submission_max_length": current.public_submission_max_length,
        "document_max_mb": max(1, current.document_max_bytes // (1024 * 1024)),
    }
    form = mf.MeetingSettingsForm(_data(request), initial=initial)
    if form.is_valid():
        try:
            domain.update_meeting_settings(request.user, here, **form.settings_changes())
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The meeting rules have been saved."))
            return redirect("staff:meeting_settings", council=here.slug)
    return render(request, "staff/meetings/settings.html", _ctx(here, request, form=form))
