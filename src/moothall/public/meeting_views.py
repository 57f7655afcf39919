"""The public side of open council business: meetings, bodies, decisions, documents.

Exempt business (Local Government Act 1972 Schedule 12A) never reaches these pages:
every query goes through ``public_documents``, ``public_decisions`` and ``public_votes``
(the models' public querysets, and nothing hanging from an exempt item), and an exempt
agenda item reaches the template only as its number and paragraph (``AgendaRow``), never
as the model, so no template can print its title by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar, Event

from moothall.core.forms import add_verb_errors as _add_verb_errors
from moothall.core.text import render_markdown
from moothall.councils.models import Council, Councillor
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
    StoredFile,
    Vote,
    VoteRecord,
)

MEETINGS_PER_PAGE = 20
DECISIONS_PER_PAGE = 25
FORWARD_PLAN_PER_PAGE = 50
BODY_MEETINGS = 10
VOTING_RECORD_LENGTH = 20
# Calendars carry the last year and everything to come: enough for any calendar app,
# small enough to fetch often even for a council with decades of meetings.
CALENDAR_HISTORY = dt.timedelta(days=365)
# A calendar event needs an end; when the clerk gave none, committees usually sit this long.
DEFAULT_MEETING_LENGTH = dt.timedelta(hours=2)
ATTENDANCE_PERIOD = dt.timedelta(days=365)

_ROLE_ORDER = Case(
    When(role=Membership.Role.CHAIR, then=Value(0)),
    When(role=Membership.Role.VICE_CHAIR, then=Value(1)),
    When(role=Membership.Role.MEMBER, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


# --- What the public may see ------------------------------------------------------


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def _page_query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# --- Meetings calendar ------------------------------------------------------------


@require_safe
def meetings(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    bodies = list(found.bodies.order_by("name", "pk"))
    chosen = request.GET.get("body", "")
    body = next((b for b in bodies if b.slug == chosen), None)
    listed = Meeting.objects.filter(council=found).select_related("body")
    if body is not None:
        listed = listed.filter(body=body)
    listed = listed.past() if when == "past" else listed.upcoming()
    page = Paginator(listed, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    body_param = body.slug if body else ""
    return render(
        request,
        "public/meetings/meetings.html",
        {
            "council": found,
            "when": when,
            "bodies": bodies,
            "body": body,
            "page": page,
            "page_query": _page_query(when=when if when == "past" else "", body=body_param),
            "upcoming_query": _page_query(body=body_param),
            "past_query": _page_query(when="past", body=body_param),
        },
    )


# --- One meeting --------------------------------------------------------------------


@dataclass
class VoteTable:
    """One recorded vote: each councillor's position, with totals by position."""

    vote: Vote
    item_number: str
    records: list[VoteRecord]
    totals: list[tuple[str, int]]


@dataclass
class AgendaRow:
    """An agenda item as the public may see it. Exempt rows carry only number and paragraph."""

    pk: int
    number: str
    heading_level: int
    is_exempt: bool
    exempt_paragraph: int | None = None
    title: str = ""
    description: SafeString | str = ""
    kind: str = ""
    kind_label: str = ""
    is_urgent: bool = False
    urgency_reason: str = ""
    is_late: bool = False
    lead_officer: str = ""
    portfolio: str = ""
    documents: list[Document] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    votes: list[VoteTable] = field(default_factory=list)
    submissions: list[PublicSubmission] = field(default_factory=list)
    watch_url: str = ""


def _exempt_paragraph(item: AgendaItem, by_pk: dict[int, AgendaItem]) -> int | None:
    """An item under an exempt item is exempt under its ancestor's paragraph."""
    current: AgendaItem | None = item
    while current is not None:
        if current.exempt_paragraph is not None:
            return current.exempt_paragraph
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return None


def _vote_tables(votes: list[Vote], numbers: dict[int, str], council_slug: str) -> list[VoteTable]:
    # A Full Council page can hold hundreds of positions: word each position and build each
    # councillor's link once per page, not once per row in the template (measured: ~90% of
    # such a page's time went on per-row reverse() and lazy translations).
    labels = {value: str(label) for value, label in VoteRecord.Position.choices}
    links: dict[int, str] = {}
    tables = []
    for vote in votes:
        records = list(vote.records.all())
        for record in records:
            councillor = record.councillor
            if councillor.pk not in links:
                links[councillor.pk] = reverse(
                    "public:councillor",
                    kwargs={
                        "council": council_slug,
                        "pk": councillor.pk,
                        "slug": councillor.person.slug or "councillor",
                    },
                )
            record.link = links[councillor.pk]  # type: ignore[attr-defined]
            record.position_label = labels.get(record.position, record.position)  # type: ignore[attr-defined]
        counts = dict.fromkeys(VoteRecord.Position.values, 0)
        for record in records:
            counts[record.position] = counts.get(record.position, 0) + 1
        totals = [(str(label), counts[value]) for value, label in VoteRecord.Position.choices]
        number = numbers.get(vote.agenda_item_id, "") if vote.agenda_item_id else ""
        tables.append(VoteTable(vote=vote, item_number=number, records=records, totals=totals))
    return tables


def _by_item(rows: list[Any], item_of: Any) -> dict[int | None, list[Any]]:
    grouped: dict[int | None, list[Any]] = {}
    for row in rows:
        grouped.setdefault(item_of(row), []).append(row)
    return grouped


def _agenda(
    items: list[AgendaItem],
    documents: list[Document],
    decisions: list[Decision],
    votes: list[VoteTable],
    submissions: list[PublicSubmission],
) -> list[AgendaRow]:
    by_pk = {item.pk: item for item in items}
    documents_of = _by_item(documents, lambda d: d.agenda_item_id)
    decisions_of = _by_item(decisions, lambda d: d.agenda_item_id)
    votes_of = _by_item(votes, lambda v: v.vote.agenda_item_id)
    submissions_of = _by_item(submissions, lambda s: s.agenda_item_id)
    rows: list[AgendaRow] = []
    for item in items:
        depth = max(item.sort_key.count(".") - 1, 0)
        level = min(3 + depth, 6)
        if item.is_exempt:
            rows.append(
                AgendaRow(
                    pk=item.pk,
                    number=item.number,
                    heading_level=level,
                    is_exempt=True,
                    exempt_paragraph=_exempt_paragraph(item, by_pk),
                )
            )
            continue
        rows.append(
            AgendaRow(
                pk=item.pk,
                number=item.number,
                heading_level=level,
                is_exempt=False,
                title=item.title,
                description=render_markdown(item.description) if item.description else "",
                kind=item.kind,
                kind_label=str(item.get_kind_display()),
                is_urgent=item.is_urgent,
                urgency_reason=item.urgency_reason,
                is_late=item.is_late,
                lead_officer=item.lead_officer,
                portfolio=item.portfolio,
                documents=documents_of.get(item.pk, []),
                decisions=decisions_of.get(item.pk, []),
                votes=votes_of.get(item.pk, []),
                submissions=submissions_of.get(item.pk, []),
            )
        )
    return rows


@require_safe
def meeting(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Meeting.objects.select_related("council", "body", "live"), council__slug=council, pk=pk
    )
    published = found.is_agenda_published
    items = list(found.items.order_by("sort_key", "id")) if published else []
    public_items = {item.pk: item for item in items if not item.is_exempt}
    documents = list(
        Document.objects.public().filter(meeting=found).select_related("stored_file").order_by("id")
    )
    decisions = list(Decision.objects.public().filter(meeting=found).order_by("id"))
    votes = list(
        Vote.objects.public()
        .filter(meeting=found)
        .prefetch_related(
            Prefetch(
                "records",
                queryset=VoteRecord.objects.select_related("councillor__person").order_by(
                    "councillor__person__name", "id"
                ),
            )
        )
        .order_by("id")
    )
    numbers = {pk: item.number for pk, item in public_items.items()}
    vote_tables = _vote_tables(votes, numbers, found.council.slug)
    # Accepted submissions appear on the agenda; one about an item that has since gone
    # into private session would say what the item is about, so it is left out.
    submissions = [
        s
        for s in found.submissions.filter(status=PublicSubmission.Status.ACCEPTED).order_by(
            "created_at", "id"
        )
        if s.agenda_item_id is None or s.agenda_item_id in public_items
    ]
    agenda = _agenda(items, documents, decisions, vote_tables, submissions)
    live_and_recorded = _live_and_recorded(found)
    for row in agenda:
        if not row.is_exempt:
            row.watch_url = live_and_recorded["watch_links"].get(row.pk, "")
    on_agenda = set(public_items) if published else set()
    # A declaration about an exempt item would say what the item is about: left out.
    declarations = [
        (d, numbers.get(d.agenda_item_id, "") if d.agenda_item_id else "")
        for d in found.declarations.select_related("councillor__person").order_by("id")
        if d.agenda_item_id is None or d.agenda_item_id in public_items
    ]
    return render(
        request,
        "public/meetings/meeting.html",
        {
            "council": found.council,
            "meeting": found,
            "agenda": agenda,
            # Papers and submissions not shown under an item on the agenda.
            "meeting_documents": [d for d in documents if d.agenda_item_id not in on_agenda],
            "decisions": decisions,
            "vote_tables": vote_tables,
            "general_submissions": [s for s in submissions if s.agenda_item_id not in on_agenda],
            "attendance": list(
                found.attendance.select_related(
                    "councillor__person", "substitute_for__person"
                ).order_by("councillor__person__name", "id")
            ),
            "declarations": declarations,
            "timeline": _public_timeline(found, documents, decisions),
            "submissions_open": domain.submissions_open(found),
            "submission_deadline": domain.submission_deadline_for(found),
            "webcast_url": found.webcast_url
            if urlsplit(found.webcast_url).scheme in ("http", "https")
            else "",
            **live_and_recorded,
        },
    )


def _live_and_recorded(meeting: Meeting) -> dict[str, Any]:
    """The meeting's live status (a banner while it runs, a link to its live page after)
    and its recordings, with a "watch from here" link for each item that has a chapter."""
    from moothall.live import record
    from moothall.live.models import Recording

    try:
        live_status = meeting.live.status
    except ObjectDoesNotExist:
        live_status = ""
    recordings = []
    listed = Recording.objects.filter(meeting=meeting).select_related("meeting__council")
    for number, recording in enumerate(listed.order_by("created_at", "id"), start=1):
        title = recording.title or gettext("Recording %(number)d") % {"number": number}
        recordings.append((title, record.recording_url(recording)))
    return {
        "live_status": live_status,
        "recordings": recordings,
        "watch_links": record.item_watch_links(meeting) if recordings else {},
    }


def _public_timeline(
    meeting: Meeting, documents: list[Document], decisions: list[Decision]
) -> list[tuple[dt.datetime, str]]:
    """The meeting's public timeline, less entries about a paper or decision that has since
    left the public record (its item made exempt): they would name it."""
    entries = list(meeting.timeline.filter(is_public=True).order_by("at", "id"))
    shown_documents = {d.pk for d in documents}
    shown_decisions = {d.pk for d in decisions}
    named_documents = {
        e.details["document"] for e in entries if isinstance(e.details.get("document"), int)
    } - shown_documents
    named_decisions = {
        e.details["decision"] for e in entries if isinstance(e.details.get("decision"), int)
    } - shown_decisions
    # Papers and decisions that were deleted are history, not secrets: only those that
    # still exist (and so are hidden) take their entries with them.
    hidden_documents = (
        set(Document.objects.filter(pk__in=named_documents).values_list("pk", flat=True))
        if named_documents
        else set()
    )
    hidden_decisions = (
        set(Decision.objects.filter(pk__in=named_decisions).values_list("pk", flat=True))
        if named_decisions
        else set()
    )
    return [
        (entry.at, entry.describe())
        for entry in entries
        if entry.details.get("document") not in hidden_documents
        and entry.details.get("decision") not in hidden_decisions
    ]


# --- Taking part: questions, deputations, requests to speak ---------------------------


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=PublicSubmission.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you want to do")},
    )
    agenda_item = forms.ChoiceField(
        label=_("Agenda item"),
        required=False,
        help_text=_("A request to speak must be about an item on the agenda."),
    )
    display_name = forms.CharField(
        label=_("Your name, as it will appear on the agenda"),
        max_length=200,
        error_messages={"required": _("Enter your name")},
    )
    text = forms.CharField()  # replaced in __init__ with the council's length limit

    def __init__(self, *args: Any, items: list[AgendaItem], max_length: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in items}
        item_field = self.fields["agenda_item"]
        assert isinstance(item_field, forms.ChoiceField)
        item_field.choices = [("", gettext("No particular item"))] + [
            (str(item.pk), f"{item.number}. {item.title}") for item in items
        ]
        if not items:
            # Until the agenda is out there is no item to speak on.
            kind_field = self.fields["kind"]
            assert isinstance(kind_field, forms.ChoiceField)
            kind_field.choices = [
                choice
                for choice in PublicSubmission.Kind.choices
                if choice[0] != PublicSubmission.Kind.SPEAK
            ]
        # The council sets the longest text, so the field is made here with its limit.
        self.fields["text"] = forms.CharField(
            label=_("Your question, or what you want to say"),
            widget=forms.Textarea,
            max_length=max_length,
            help_text=gettext("Up to %(limit)d characters.") % {"limit": max_length},
            error_messages={
                "required": _("Enter your question or what you want to say"),
                "max_length": _("Use %(limit_value)d characters or fewer"),
            },
        )

    def clean_agenda_item(self) -> AgendaItem | None:
        value = self.cleaned_data.get("agenda_item") or ""
        return self.items.get(value)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_take_part(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Meeting.objects.select_related("council", "body"), council__slug=council, pk=pk
    )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    here = reverse("public:meeting_take_part", kwargs={"council": council, "pk": found.pk})
    items = (
        list(found.items.public().order_by("sort_key", "id")) if found.is_agenda_published else []
    )
    limit = MeetingSettings.for_council(found.council).public_submission_max_length
    form = SubmissionForm(
        items=items,
        max_length=limit,
        initial={"display_name": getattr(request.user, "name", "")},
    )
    if request.method == "POST" and "withdraw" in request.POST:
        return _withdraw(request, found, request.POST["withdraw"], here)
    if request.method == "POST":
        form = SubmissionForm(request.POST, items=items, max_length=limit)
        if form.is_valid():
            try:
                domain.submit_to_meeting(
                    request.user,
                    found,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    display_name=form.cleaned_data["display_name"],
                    agenda_item=form.cleaned_data["agenda_item"],
                )
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Sent. The clerk will tell you by email whether it is accepted."),
                )
                return redirect(here)
    own = list(
        found.submissions.filter(submitter_id=request.user.pk)
        .select_related("agenda_item")
        .order_by("created_at", "id")
    )
    return render(
        request,
        "public/meetings/take_part.html",
        {
            "council": found.council,
            "meeting": found,
            "form": form,
            "open": domain.submissions_open(found),
            "deadline": domain.submission_deadline_for(found),
            "own": own,
            "has_items": bool(items),
            "withdrawable": {PublicSubmission.Status.SUBMITTED, PublicSubmission.Status.ACCEPTED},
            "action_url": here,
        },
        status=400 if form.errors else 200,
    )


def _withdraw(request: HttpRequest, meeting: Meeting, value: str, here: str) -> HttpResponse:
    # Only plain digits: "²".isdigit() is true, and int() refuses it.
    pk = int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0
    submission = meeting.submissions.filter(pk=pk, submitter_id=request.user.pk).first()
    if submission is None:
        raise Http404
    try:
        domain.withdraw_submission(request.user, submission)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Your submission has been withdrawn."))
    return redirect(here)


# --- Bodies ---------------------------------------------------------------------------


@require_safe
def bodies(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    listed = list(found.bodies.order_by("-is_active", "name", "pk"))
    return render(
        request,
        "public/meetings/bodies.html",
        {
            "council": found,
            "active": [b for b in listed if b.is_active],
            "inactive": [b for b in listed if not b.is_active],
        },
    )


@require_safe
def body(request: HttpRequest, council: str, body: str) -> HttpResponse:
    found = get_object_or_404(
        Body.objects.select_related("council", "parent"), council__slug=council, slug=body
    )
    members = list(
        found.memberships.current()
        .select_related("councillor__person", "councillor__party")
        .annotate(role_order=_ROLE_ORDER)
        .order_by("role_order", "councillor__person__name", "pk")
    )
    return render(
        request,
        "public/meetings/body.html",
        {
            "council": found.council,
            "body": found,
            "purpose": render_markdown(found.purpose) if found.purpose else "",
            "members": members,
            "upcoming": list(found.meetings.upcoming()[:BODY_MEETINGS]),
            "recent": list(found.meetings.past()[:BODY_MEETINGS]),
        },
    )


# --- Decisions and the forward plan -----------------------------------------------------


@require_safe
def decisions(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    key_only = request.GET.get("key") == "1"
    listed = Decision.objects.public().filter(council=found).order_by("-decided_on", "-id")
    if key_only:
        listed = listed.filter(is_key_decision=True)
    page = Paginator(listed, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/meetings/decisions.html",
        {
            "council": found,
            "page": page,
            "key_only": key_only,
            "page_query": _page_query(key="1" if key_only else ""),
        },
    )


@require_safe
def decision(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Decision.objects.public().select_related(
            "council", "meeting__body", "agenda_item", "forward_plan_entry"
        ),
        council__slug=council,
        pk=pk,
    )
    votes = list(
        Vote.objects.public()
        .filter(decision=found)
        .prefetch_related(
            Prefetch(
                "records",
                queryset=VoteRecord.objects.select_related("councillor__person").order_by(
                    "councillor__person__name", "id"
                ),
            )
        )
        .order_by("id")
    )
    item = found.agenda_item
    numbers = {item.pk: item.number} if item is not None and not item.is_exempt else {}
    return render(
        request,
        "public/meetings/decision.html",
        {
            "council": found.council,
            "decision": found,
            "item": item if item is not None and not item.is_exempt else None,
            "text": render_markdown(found.text),
            "vote_tables": _vote_tables(votes, numbers, found.council.slug),
            "call_in_open": found.call_in_deadline is not None
            and found.status == Decision.Status.MADE
            and timezone.localdate() <= found.call_in_deadline,
        },
    )


@require_safe
def forward_plan(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    planned = (
        ForwardPlanEntry.objects.filter(council=found, status=ForwardPlanEntry.Status.PLANNED)
        .select_related("body")
        .order_by("expected_date", "id")
    )
    page = Paginator(planned, FORWARD_PLAN_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/meetings/forward_plan.html",
        {"council": found, "page": page, "page_query": ""},
    )


# --- Documents --------------------------------------------------------------------------


def _public_document(council: str, pk: int) -> Document:
    return get_object_or_404(
        Document.objects.public().select_related(
            "council", "stored_file", "meeting__body", "agenda_item"
        ),
        council__slug=council,
        pk=pk,
    )


@require_safe
def document(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _public_document(council, pk)
    return render(
        request,
        "public/meetings/document.html",
        {
            "council": found.council,
            "document": found,
            "stored": found.stored_file,
            "file_label": found.stored_file.get_content_type_display(),
        },
    )


@require_safe
def document_file(request: HttpRequest, council: str, pk: int) -> FileResponse:
    found = _public_document(council, pk)
    stored = found.stored_file
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Only a PDF opens in the browser; anything else (an uploaded web page above all)
    # is downloaded, so it can never run as a page of our own site.
    inline = stored.content_type == StoredFile.ContentType.PDF
    filename = f"{slugify(found.title)[:80] or 'document'}.{stored.extension}"
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=stored.content_type
    )
    # Belt and braces for whatever the browser makes of the file: no scripts, no origin.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- iCalendar --------------------------------------------------------------------------


def _calendar_response(
    request: HttpRequest, listed: QuerySet[Meeting], name: str, filename: str
) -> HttpResponse:
    host = urlsplit(settings.SITE_URL).hostname or "moothall"
    calendar = Calendar()
    calendar.add("prodid", "-//Moothall//Council meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in listed:
        event = Event()
        event.add("uid", f"meeting-{item.pk}@{host}")
        event.add("dtstamp", item.updated_at)
        event.add("last-modified", item.updated_at)
        event.add("dtstart", item.start)
        event.add("dtend", item.end or item.start + DEFAULT_MEETING_LENGTH)
        path = reverse("public:meeting", kwargs={"council": item.council.slug, "pk": item.pk})
        event.add("url", request.build_absolute_uri(path))
        if item.venue:
            event.add("location", item.venue)
        summary = item.display_title
        lines = [item.body.name]
        # A postponed meeting will not take place at this time either: calendars should
        # drop it; its reason (and the new date, once set) are on the meeting's page.
        if item.status == Meeting.Status.CANCELLED:
            event.add("status", "CANCELLED")
            summary = gettext("Cancelled: %(title)s") % {"title": summary}
            lines.append(gettext("Cancelled. Reason: %(reason)s") % {"reason": item.status_reason})
        elif item.status == Meeting.Status.POSTPONED:
            event.add("status", "CANCELLED")
            summary = gettext("Postponed: %(title)s") % {"title": summary}
            lines.append(gettext("Postponed. Reason: %(reason)s") % {"reason": item.status_reason})
        else:
            event.add("status", "CONFIRMED")
        if item.webcast_url:
            lines.append(gettext("Webcast: %(url)s") % {"url": item.webcast_url})
        event.add("summary", summary)
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _calendar_meetings() -> QuerySet[Meeting]:
    since = timezone.now() - CALENDAR_HISTORY
    return (
        Meeting.objects.all()
        .filter(start__gte=since)
        .select_related("council", "body")
        .order_by("start", "id")
    )


@require_safe
def council_ical(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    return _calendar_response(
        request,
        _calendar_meetings().filter(council=found),
        gettext("Meetings of %(council)s") % {"council": found.name},
        f"{found.slug}-meetings.ics",
    )


@require_safe
def body_ical(request: HttpRequest, council: str, body: str) -> HttpResponse:
    found = get_object_or_404(
        Body.objects.select_related("council"), council__slug=council, slug=body
    )
    return _calendar_response(
        request,
        _calendar_meetings().filter(body=found),
        gettext("%(body)s, %(council)s") % {"body": found.name, "council": found.council.name},
        f"{found.council.slug}-{found.slug}.ics",
    )


# --- For the councillor page ---------------------------------------------------------------


@dataclass
class AttendanceSummary:
    recorded: int
    attended: int
    present: int
    substitute: int
    apologies: int
    absent: int

    @property
    def rate(self) -> int | None:
        """Whole per cent of recorded meetings attended (present or as a substitute)."""
        if not self.recorded:
            return None
        return round(100 * self.attended / self.recorded)


def attendance_summary(councillor: Councillor, now: dt.datetime | None = None) -> AttendanceSummary:
    """How often ``councillor`` attended the meetings recorded in the last 12 months (1 query)."""
    now = now or timezone.now()
    status = Attendance.Status
    counts = (
        Attendance.objects.filter(
            councillor=councillor,
            meeting__start__gte=now - ATTENDANCE_PERIOD,
            meeting__start__lte=now,
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .aggregate(
            recorded=Count("id"),
            present=Count("id", filter=Q(status=status.PRESENT)),
            substitute=Count("id", filter=Q(status=status.SUBSTITUTE)),
            apologies=Count("id", filter=Q(status=status.APOLOGIES)),
            absent=Count("id", filter=Q(status=status.ABSENT)),
        )
    )
    return AttendanceSummary(
        recorded=counts["recorded"],
        attended=counts["present"] + counts["substitute"],
        present=counts["present"],
        substitute=counts["substitute"],
        apologies=counts["apologies"],
        absent=counts["absent"],
    )


def voting_record(councillor: Councillor, limit: int = VOTING_RECORD_LENGTH) -> list[VoteRecord]:
    """The councillor's most recent positions in public recorded votes (1 query)."""
    return list(
        VoteRecord.objects.filter(councillor=councillor, vote__in=Vote.objects.public())
        .select_related("vote__meeting__body", "vote__agenda_item")
        .order_by("-vote__meeting__start", "-vote__id")[:limit]
    )
