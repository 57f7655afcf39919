"""Forms of the clerk's back-office for meetings. They check input; the verbs decide and write.

Every choice of an object (a body, an item, a councillor, a document) is limited to
the council or meeting in hand, so a crafted id from elsewhere is simply an invalid
choice. Dates and times are read in the council's local time (Europe/London).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council, Councillor
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    Membership,
    Vote,
    VoteRecord,
)
from moothall.meetings.models.meetings import EXEMPT_PARAGRAPHS
from moothall.staff.fields import (
    choice_field,
    date_field,
    local_moment,
    reason_field,
    text_field,
    time_field,
)
from moothall.staff.forms import CouncillorChoiceField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TITLE_LIMIT = 500
TEXT_LIMIT = 50000

EXEMPT_CHOICES: list[tuple[str, StrOrPromise]] = [("", _("Not exempt"))]
EXEMPT_CHOICES += [(str(number), label) for number, label in EXEMPT_PARAGRAPHS]


def _model_choice(
    label: StrOrPromise,
    message: StrOrPromise,
    *,
    required: bool = False,
    empty_label: StrOrPromise | None = None,
    help_text: StrOrPromise = "",
) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Body.objects.none(),  # set per council in __init__
        required=required,
        empty_label=empty_label,
        help_text=help_text,
        error_messages={"required": message, "invalid_choice": message},
    )


def _councillor_field(label: StrOrPromise, *, required: bool = True) -> CouncillorChoiceField:
    message = _("Choose a councillor of this council.")
    return CouncillorChoiceField(
        label=label,
        queryset=Councillor.objects.none(),
        required=required,
        empty_label=_("Choose a councillor"),
        error_messages={"required": message, "invalid_choice": message},
    )


def _require_text(form: forms.Form, name: str, message: StrOrPromise) -> None:
    """A text field the rest of the answers make necessary (unless it is wrong already)."""
    if not (form.cleaned_data.get(name) or "").strip() and name not in form.errors:
        form.add_error(name, message)


def councillors_of(council: Council) -> QuerySet[Councillor]:
    return (
        Councillor.objects.filter(council=council)
        .select_related("person", "ward")
        .order_by("person__name", "pk")
    )


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return str(obj)


# --- Bodies --------------------------------------------------------------------


class BodyForm(forms.Form):
    name = text_field(_("Name"), limit=200, required_message=_("Enter the name of the body."))
    kind = choice_field(_("Kind of body"), Body.Kind.choices, _("Choose a kind of body."))
    purpose = forms.CharField(
        label=_("Terms of reference (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("What the body decides or reviews. Markdown is allowed."),
    )
    parent = _model_choice(
        _("Reports to (optional)"),
        _("Choose another body of this council."),
        empty_label=_("No other body"),
        help_text=_("For a sub-committee: the committee it reports to."),
    )
    is_active = forms.BooleanField(
        label=_("Still meets"),
        required=False,
        initial=True,
        help_text=_("Untick when the body has been wound up; its meetings stay on the record."),
    )

    def __init__(self, *args: Any, council: Council, body: Body | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        parents = Body.objects.filter(council=council).order_by("name", "pk")
        if body is not None:
            parents = parents.exclude(pk=body.pk)
        else:
            del self.fields["is_active"]
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = parents


class MembershipForm(forms.Form):
    councillor = _councillor_field(_("Councillor"))
    role = choice_field(
        _("Role on the body"),
        Membership.Role.choices,
        _("Choose a role."),
        initial=Membership.Role.MEMBER,
    )
    start_date = date_field(_("From (optional)"), required=False)
    end_date = date_field(_("Until (optional)"), required=False)

    def __init__(self, *args: Any, council: Council, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["councillor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = councillors_of(council)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be after the start date."))
        return cleaned


class EndMembershipForm(forms.Form):
    end_date = date_field(_("Last day on the body"))


# --- Meetings ------------------------------------------------------------------


class MeetingForm(forms.Form):
    """Create (with ``body``) or edit a meeting's time, place and webcast."""

    body = _model_choice(
        _("Body"), _("Choose the body that is meeting."), required=True, empty_label=_("Choose")
    )
    title = text_field(
        _("Title (optional)"),
        required=False,
        limit=300,
        help_text=_("Leave empty to use the body's name, for example “Planning Committee”."),
    )
    date = date_field(_("Date"))
    start_time = time_field(_("Start time"))
    end_time = time_field(_("End time (optional)"), required=False)
    venue = text_field(_("Venue (optional)"), required=False, limit=300)
    webcast_url = forms.URLField(
        label=_("Webcast link (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a web address, like https://webcast.example.org/meeting."),
            "max_length": _("Use %(limit_value)d characters or fewer."),
        },
    )

    def __init__(self, *args: Any, council: Council, creating: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if creating:
            field = self.fields["body"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Body.objects.filter(council=council, is_active=True).order_by(
                "name", "pk"
            )
        else:
            del self.fields["body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day is not None and start is not None:
            cleaned["start"] = local_moment(day, start)
            cleaned["end"] = local_moment(day, end) if end is not None else None
            if end is not None and end <= start:
                self.add_error("end_time", _("The meeting must end after it starts."))
        return cleaned


class PostponeForm(forms.Form):
    reason = reason_field(
        _("Why is the meeting postponed?"),
        help_text=_("Residents who sent questions are emailed this reason, and it is public."),
    )
    new_date = date_field(
        _("New date (optional)"),
        required=False,
        help_text=_("Leave empty if the new date is not known yet. For example, 14/03/2030."),
    )
    new_time = time_field(_("New start time (optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("new_date"), cleaned.get("new_time")
        cleaned["new_start"] = None
        if day is not None and time is not None:
            cleaned["new_start"] = local_moment(day, time)
        elif day is not None and "new_time" not in self.errors:
            self.add_error("new_time", _("Enter the new start time."))
        elif time is not None and "new_date" not in self.errors:
            self.add_error("new_date", _("Enter the new date."))
        return cleaned


class CancelForm(forms.Form):
    reason = reason_field(
        _("Why is the meeting cancelled?"),
        help_text=_("Residents who sent questions are emailed this reason, and it is public."),
    )


class PublishAgendaForm(forms.Form):
    late_reason = reason_field(
        _("Why can the business not wait?"),
        required=False,
        help_text=_(
            "The deadline has passed, so every item is published as urgent business with this "
            "reason, and the public page says the agenda was published late."
        ),
    )

    def __init__(self, *args: Any, late: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.late = late
        if late:
            self.fields["late_reason"].required = True
        else:
            del self.fields["late_reason"]


# --- Agenda --------------------------------------------------------------------


class AgendaItemForm(forms.Form):
    title = text_field(
        _("Title"), limit=TITLE_LIMIT, required_message=_("Enter the title of the item.")
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("Markdown is allowed."),
    )
    kind = choice_field(
        _("Type of item"), AgendaItem.Kind.choices, _("Choose a type of item."), radios=False
    )
    parent = ItemChoiceField(
        label=_("Under item (optional)"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("None: a main item"),
        error_messages={"invalid_choice": _("Choose an item of this meeting.")},
    )
    exempt_paragraph = choice_field(
        _("Exempt information (Schedule 12A)"),
        EXEMPT_CHOICES,
        _("Choose a paragraph of Schedule 12A, from 1 to 7."),
        required=False,
        help_text=_(
            "Choose a paragraph only if the item will be taken in private. Its papers and "
            "sub-items never reach the public."
        ),
        radios=False,
    )
    is_urgent = forms.BooleanField(label=_("Urgent business"), required=False)
    urgency_reason = reason_field(
        _("Why is it urgent? (needed for urgent business)"), required=False
    )
    lead_officer = text_field(_("Lead officer (optional)"), required=False, limit=200)
    portfolio = text_field(_("Portfolio (optional)"), required=False, limit=200)

    def __init__(self, *args: Any, meeting: Meeting, item: AgendaItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is None:
            field = self.fields["parent"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = meeting.items.order_by("sort_key", "pk")
        else:
            del self.fields["parent"]

    def clean_exempt_paragraph(self) -> int | None:
        value = self.cleaned_data.get("exempt_paragraph")
        return int(value) if value else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needs_paragraph = cleaned.get("kind") == AgendaItem.Kind.EXEMPT
        if needs_paragraph and "exempt_paragraph" in cleaned and not cleaned["exempt_paragraph"]:
            self.add_error(
                "exempt_paragraph",
                _("An exempt item needs the paragraph of Schedule 12A it falls under."),
            )
        if cleaned.get("is_urgent"):
            _require_text(self, "urgency_reason", _("Enter why the item is urgent."))
        return cleaned


class _RemovalForm(forms.Form):
    """Taking something down: the reason is required once the public has seen it."""

    optional_label: Any = ""

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].required = True
        else:
            self.fields["reason"].label = self.optional_label
            self.fields["reason"].help_text = ""


class RemoveItemForm(_RemovalForm):
    optional_label = _("Why is the item removed? (optional)")
    reason = reason_field(
        _("Why is the item withdrawn?"),
        required=False,
        help_text=_("The agenda is published, so the reason is shown on the public timeline."),
    )


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


# --- Documents -------------------------------------------------------------------


class DocumentForm(forms.Form):
    title = text_field(
        _("Title"), limit=TITLE_LIMIT, required_message=_("Enter the title of the document.")
    )
    kind = choice_field(
        _("Type of document"),
        Document.Kind.choices,
        _("Choose a type of document."),
    )
    agenda_item = ItemChoiceField(
        label=_("Agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("The whole meeting (for example the agenda pack)"),
        error_messages={"invalid_choice": _("Choose an item of this meeting.")},
    )
    exempt_paragraph = choice_field(
        _("Exempt information (Schedule 12A)"),
        EXEMPT_CHOICES,
        _("Choose a paragraph of Schedule 12A, from 1 to 7."),
        required=False,
        help_text=_(
            "A paper for an exempt item is exempt already. Choose a paragraph to keep this "
            "document private under another item."
        ),
        radios=False,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, a Word document (DOCX) or a web page (HTML)."),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a file to upload."),
            "missing": _("Choose a file to upload."),
        },
    )

    def __init__(self, *args: Any, meeting: Meeting, max_bytes: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        field = self.fields["agenda_item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meeting.items.order_by("sort_key", "pk")
        megabytes = max_bytes / 1024 / 1024
        self.fields["file"].help_text = _(
            "A PDF, a Word document (DOCX) or a web page (HTML), smaller than %(mb).0f MB."
        ) % {"mb": megabytes}

    def clean_exempt_paragraph(self) -> int | None:
        value = self.cleaned_data.get("exempt_paragraph")
        return int(value) if value else None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before the bytes are read, so a huge upload is refused cheaply.
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file must be smaller than %(mb).0f MB."),
                code="too_large",
                params={"mb": self.max_bytes / 1024 / 1024},
            )
        return upload


class RemoveDocumentForm(_RemovalForm):
    optional_label = _("Why is the document removed? (optional)")
    reason = reason_field(
        _("Why is the document taken down?"),
        required=False,
        help_text=_("The document has been published, so a reason is needed."),
    )


# --- After the meeting -------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One row per councillor: status radios and, for a substitute, whom they stood in for.

    Rows are the body's current members and anyone already recorded; a few blank rows
    take other councillors of the council.
    """

    EXTRA_ROWS = 3

    def __init__(
        self,
        *args: Any,
        listed: list[Councillor],
        members: list[Councillor],
        others: QuerySet[Councillor],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.listed = listed
        member_choices = [("", _("Nobody"))] + [(str(c.pk), c.person.name) for c in members]
        self.member_ids = {str(c.pk) for c in members}
        self.rows: list[dict[str, Any]] = []
        for councillor in listed:
            status_name, sub_name = f"status_{councillor.pk}", f"substitute_for_{councillor.pk}"
            self.fields[status_name] = choice_field(
                councillor.person.name,
                Attendance.Status.choices,
                _("Choose an attendance status."),
                required=False,
            )
            self.fields[sub_name] = choice_field(
                _("Substitute for"),
                member_choices,
                _("Choose a member of the body."),
                required=False,
                radios=False,
            )
            self.rows.append({"councillor": councillor, "status": status_name, "sub": sub_name})
        self.extra_rows: list[dict[str, str]] = []
        for n in range(1, self.EXTRA_ROWS + 1):
            who, status_name, sub_name = (
                f"extra_councillor_{n}",
                f"extra_status_{n}",
                f"extra_substitute_for_{n}",
            )
            field = _councillor_field(_("Another councillor"), required=False)
            field.queryset = others
            field.empty_label = _("Nobody else")
            self.fields[who] = field
            self.fields[status_name] = choice_field(
                _("Attendance"),
                Attendance.Status.choices,
                _("Choose an attendance status."),
                required=False,
            )
            self.fields[sub_name] = choice_field(
                _("Substitute for"),
                member_choices,
                _("Choose a member of the body."),
                required=False,
                radios=False,
            )
            self.extra_rows.append({"councillor": who, "status": status_name, "sub": sub_name})

    def member_rows(self) -> list[dict[str, Any]]:
        """Each listed councillor with their bound fields, for the template."""
        return [
            {
                "councillor": row["councillor"],
                "status": self[row["status"]],
                "sub": self[row["sub"]],
            }
            for row in self.rows
        ]

    def other_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "councillor": self[row["councillor"]],
                "status": self[row["status"]],
                "sub": self[row["sub"]],
            }
            for row in self.extra_rows
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        entries: dict[int, str] = {}
        substitutes: dict[int, int] = {}

        def take(pk: int, status_name: str, sub_name: str) -> None:
            status = cleaned.get(status_name) or ""
            sub = cleaned.get(sub_name) or ""
            if sub and status != Attendance.Status.SUBSTITUTE:
                self.add_error(sub_name, _("Only a substitute can stand in for a member."))
                return
            if sub and int(sub) == pk:
                self.add_error(sub_name, _("A councillor cannot stand in for themselves."))
                return
            if status:
                entries[pk] = status
                if sub:
                    substitutes[pk] = int(sub)

        for row in self.rows:
            take(row["councillor"].pk, row["status"], row["sub"])
        for row in self.extra_rows:
            councillor = cleaned.get(row["councillor"])
            status = cleaned.get(row["status"])
            if councillor is None:
                if status and row["councillor"] not in self.errors:
                    self.add_error(row["councillor"], _("Choose the councillor who attended."))
                continue
            if councillor.pk in entries or any(c.pk == councillor.pk for c in self.listed):
                self.add_error(row["councillor"], _("This councillor is listed already."))
                continue
            if not status:
                self.add_error(row["status"], _("Choose an attendance status."))
                continue
            take(councillor.pk, row["status"], row["sub"])
        if not entries and not self.errors:
            raise forms.ValidationError(_("Record the attendance of at least one councillor."))
        cleaned["entries"], cleaned["substitutes"] = entries, substitutes
        return cleaned


class DeclarationForm(forms.Form):
    councillor = _councillor_field(_("Councillor"))
    kind = choice_field(
        _("Kind of interest"),
        Declaration.Kind.choices,
        _("Choose a kind of interest."),
    )
    description = text_field(
        _("The interest"),
        limit=2000,
        textarea=True,
        required_message=_("Describe the interest."),
    )
    agenda_item = ItemChoiceField(
        label=_("Agenda item (optional)"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("No particular item"),
        error_messages={"invalid_choice": _("Choose an item of this meeting.")},
    )
    left_the_room = forms.BooleanField(label=_("Left the room for the item"), required=False)
    dispensation = text_field(
        _("Dispensation (optional)"), required=False, limit=2000, textarea=True
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any):
        super().__init__(*args, **kwargs)
        councillor = self.fields["councillor"]
        item = self.fields["agenda_item"]
        assert isinstance(councillor, forms.ModelChoiceField)
        assert isinstance(item, forms.ModelChoiceField)
        councillor.queryset = councillors_of(meeting.council)
        item.queryset = meeting.items.order_by("sort_key", "pk")


VOTE_POSITIONS = [("", _("Not recorded")), *VoteRecord.Position.choices]


class VoteForm(forms.Form):
    motion = text_field(
        _("Motion or recommendation voted on"),
        limit=5000,
        textarea=True,
        required_message=_("Enter what was voted on."),
    )
    agenda_item = ItemChoiceField(
        label=_("Agenda item (optional)"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("No particular item"),
        error_messages={"invalid_choice": _("Choose an item of this meeting.")},
    )
    decision = forms.ModelChoiceField(
        label=_("Decision (optional)"),
        queryset=Decision.objects.none(),
        required=False,
        empty_label=_("No decision"),
        error_messages={"invalid_choice": _("Choose a decision of this meeting.")},
    )
    outcome = choice_field(
        _("Outcome"),
        [("", _("Count it from the votes")), *Vote.Outcome.choices],
        _("Choose carried, lost or tied."),
        required=False,
        help_text=_("Choose an outcome only where the chair's casting vote decided it."),
        radios=False,
    )

    def __init__(self, *args: Any, meeting: Meeting, councillors: list[Councillor], **kwargs):
        super().__init__(*args, **kwargs)
        item = self.fields["agenda_item"]
        decision = self.fields["decision"]
        assert isinstance(item, forms.ModelChoiceField)
        assert isinstance(decision, forms.ModelChoiceField)
        item.queryset = meeting.items.order_by("sort_key", "pk")
        decision.queryset = meeting.decisions.order_by("pk")
        self.position_fields: list[tuple[Councillor, str]] = []
        for councillor in councillors:
            name = f"position_{councillor.pk}"
            self.fields[name] = choice_field(
                councillor.person.name,
                VOTE_POSITIONS,
                _("Choose for, against, abstain, absent or not voting."),
                required=False,
                radios=False,
            )
            self.position_fields.append((councillor, name))

    def position_rows(self) -> list[Any]:
        """The bound select of each councillor's position, for the template."""
        return [self[name] for _councillor, name in self.position_fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        positions = {
            councillor.pk: cleaned[name]
            for councillor, name in self.position_fields
            if cleaned.get(name)
        }
        if not positions and not self.errors:
            raise forms.ValidationError(_("Record at least one councillor's vote."))
        cleaned["positions"] = positions
        cleaned["outcome"] = cleaned.get("outcome") or None
        return cleaned


class DecisionForm(forms.Form):
    title = text_field(
        _("Title"), limit=TITLE_LIMIT, required_message=_("Enter the title of the decision.")
    )
    text = text_field(
        _("The decision"),
        limit=TEXT_LIMIT,
        textarea=True,
        required_message=_("Enter the decision."),
        help_text=_("Markdown is allowed."),
    )
    reasons = text_field(_("Reasons (optional)"), required=False, limit=TEXT_LIMIT, textarea=True)
    alternatives_rejected = text_field(
        _("Alternatives considered and rejected (optional)"),
        required=False,
        limit=TEXT_LIMIT,
        textarea=True,
    )
    conflicts_declared = text_field(
        _("Conflicts of interest declared (optional)"),
        required=False,
        limit=TEXT_LIMIT,
        textarea=True,
    )
    dispensations = text_field(
        _("Dispensations granted (optional)"), required=False, limit=TEXT_LIMIT, textarea=True
    )
    decision_maker = text_field(
        _("Decision maker"),
        limit=200,
        required_message=_("Enter who made the decision."),
        help_text=_("For example, “Cabinet” or “Cabinet Member for Highways”."),
    )
    decided_on = date_field(_("Date of the decision"))
    agenda_item = ItemChoiceField(
        label=_("Agenda item (optional)"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("No particular item"),
        error_messages={"invalid_choice": _("Choose an item of this meeting.")},
    )
    is_key_decision = forms.BooleanField(label=_("This is a key decision"), required=False)
    forward_plan_entry = forms.ModelChoiceField(
        label=_("Forward plan entry (optional)"),
        queryset=ForwardPlanEntry.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("A key decision needs an entry published 28 clear days before."),
        error_messages={"invalid_choice": _("Choose an entry of this council's plan.")},
    )
    key_decision_exception = choice_field(
        _("Exception to the 28 days' notice"),
        Decision.Exception.choices,
        _("Choose an exception."),
        required=False,
        radios=False,
    )
    exception_reason = reason_field(_("Reason for the exception"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any):
        super().__init__(*args, **kwargs)
        item = self.fields["agenda_item"]
        entry = self.fields["forward_plan_entry"]
        assert isinstance(item, forms.ModelChoiceField)
        assert isinstance(entry, forms.ModelChoiceField)
        item.queryset = meeting.items.order_by("sort_key", "pk")
        entry.queryset = ForwardPlanEntry.objects.filter(council=meeting.council).order_by(
            "expected_date", "pk"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exception = cleaned.get("key_decision_exception") or ""
        cleaned["key_decision_exception"] = exception
        if exception and not cleaned.get("is_key_decision"):
            self.add_error("key_decision_exception", _("Only a key decision needs an exception."))
        if exception:
            _require_text(self, "exception_reason", _("Enter the reason for the exception."))
        return cleaned


class DecisionStatusForm(forms.Form):
    status = choice_field(
        _("What has happened to the decision?"),
        [],
        _("Choose what has happened to the decision."),
    )
    reason = reason_field(
        _("Reason"),
        required=False,
        help_text=_("Needed when a decision is called in."),
    )

    LABELS: dict[str, StrOrPromise] = {
        Decision.Status.CALLED_IN: _("Called in for scrutiny"),
        Decision.Status.MADE: _("Confirmed after call-in (back to made)"),
        Decision.Status.IMPLEMENTED: _("Implemented"),
    }

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(status, self.LABELS[status]) for status in allowed]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("status") == Decision.Status.CALLED_IN:
            _require_text(self, "reason", _("Enter why the decision was called in."))
        return cleaned


class MinutesForm(forms.Form):
    document = forms.ModelChoiceField(
        label=_("Minutes document (optional)"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("No document"),
        help_text=_("Attach the minutes to the meeting first to choose them here."),
        error_messages={"invalid_choice": _("Choose a document of this meeting.")},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meeting.documents.filter(is_exempt=False).order_by("pk")


# --- Forward plan, public participation, settings ----------------------------------


class ForwardPlanForm(forms.Form):
    title = text_field(
        _("Title"), limit=TITLE_LIMIT, required_message=_("Enter the title of the decision.")
    )
    summary = text_field(_("Summary (optional)"), required=False, limit=TEXT_LIMIT, textarea=True)
    decision_maker = text_field(
        _("Decision maker"), limit=200, required_message=_("Enter who will make the decision.")
    )
    body = _model_choice(
        _("Body (optional)"), _("Choose a body of this council."), empty_label=_("None")
    )
    expected_date = date_field(_("Expected date of the decision"))
    is_key_decision = forms.BooleanField(label=_("Key decision"), required=False, initial=True)
    exempt_paragraph = choice_field(
        _("Expected to be taken in private (Schedule 12A)"),
        EXEMPT_CHOICES,
        _("Choose a paragraph of Schedule 12A, from 1 to 7."),
        required=False,
        radios=False,
    )
    lead_officer = text_field(_("Lead officer (optional)"), required=False, limit=200)

    def __init__(self, *args: Any, council: Council, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Body.objects.filter(council=council).order_by("name", "pk")

    def clean_exempt_paragraph(self) -> int | None:
        value = self.cleaned_data.get("exempt_paragraph")
        return int(value) if value else None


class SubmissionDecisionForm(forms.Form):
    decision = choice_field(
        _("Your decision"),
        [("accept", _("Accept: it goes on the agenda")), ("decline", _("Decline"))],
        _("Choose whether to accept or decline."),
    )
    reason = reason_field(
        _("Reason for declining"),
        required=False,
        help_text=_("Needed when you decline. The resident is emailed this reason."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "decline":
            _require_text(self, "reason", _("Enter why you are declining."))
        cleaned["accept"] = cleaned.get("decision") == "accept"
        return cleaned


def _integer(
    label: StrOrPromise, minimum: int, maximum: int, help_text: StrOrPromise = ""
) -> forms.IntegerField:
    message = _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class MeetingSettingsForm(forms.Form):
    notice_clear_days = _integer(
        _("Clear working days of notice"),
        0,
        30,
        _("5 for principal councils in England; 3 in Wales and for parish councils."),
    )
    call_in_days = _integer(
        _("Call-in period (working days)"),
        0,
        30,
        _("Working days after a decision is published during which it can be called in."),
    )
    public_submission_days = _integer(
        _("Public questions deadline (working days before the meeting)"), 0, 30
    )
    public_submission_max_length = _integer(_("Longest public question (characters)"), 100, 20000)
    document_max_mb = _integer(_("Largest document (MB)"), 1, 500)

    def settings_changes(self) -> dict[str, int]:
        data = dict(self.cleaned_data)
        data["document_max_bytes"] = data.pop("document_max_mb") * 1024 * 1024
        return data
