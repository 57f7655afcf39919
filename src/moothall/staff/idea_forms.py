"""Forms of the back-office for ideas and needs. They check input; the verbs decide and write.

Every choice of an object (a meeting, a decision, an idea to merge into) is limited to
the council in hand, so a crafted id from elsewhere is simply an invalid choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility
from moothall.councils.models import Council
from moothall.ideas import domain
from moothall.ideas.models import Idea, IdeaAgendaLink
from moothall.ideas.queries import ideas_by_id
from moothall.meetings.models import AgendaItem, Decision, Meeting
from moothall.staff.fields import reason_field, text_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# How many decisions the decision list offers (the meeting's own come first).
DECISION_CHOICES = 100
MEETING_CHOICES = 200


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the new status."),
            "invalid_choice": _("Choose one of the statuses offered."),
        },
    )
    reason = reason_field(
        _("Reason, published on the idea's page"),
        required=False,
        help_text=_("Required when the idea is not taken forward."),
    )

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, Idea.Status(s).label) for s in domain.next_statuses(idea)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in domain.REASON_REQUIRED and not data.get("reason"):
            self.add_error("reason", _("Enter the reason the idea is not taken forward."))
        return data


class ResponseForm(forms.Form):
    body = text_field(
        _("Response"),
        domain.RESPONSE_LIMIT,
        required_message=_("Enter the response."),
        textarea=True,
        help_text=_(
            "Published on the idea's page in the council's name, and sent to its followers. "
            "You can use Markdown."
        ),
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Number of the idea to merge into"),
        max_length=20,
        help_text=_("Shown as “No.” in the list of ideas, or choose one found by the search."),
        error_messages={"required": _("Choose the idea to merge into.")},
    )
    reason = reason_field(_("Reason, published on both ideas (optional)"), required=False)

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council

    def clean_into(self) -> Idea:
        found = ideas_by_id(self.council, self.cleaned_data["into"])
        if found is None:
            raise forms.ValidationError(_("There is no idea with that number here."))
        return found


def upcoming_meetings(council: Council) -> Any:
    return (
        Meeting.objects.filter(council=council)
        .exclude(status=Meeting.Status.CANCELLED)
        .upcoming()
        .select_related("body")
    )


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = formats.date_format(timezone.localtime(obj.start), "j F Y, H:i")
        published = (
            _(" (agenda published: the item will be late)") if obj.agenda_published_at else ""
        )
        return f"{obj.display_title}, {when}{published}"


class AgendaForm(forms.Form):
    title = text_field(
        _("Title of the agenda item"),
        500,
        required=False,
        help_text=_("Leave empty to use the idea's title."),
    )
    description = text_field(
        _("Description (optional)"),
        50000,
        required=False,
        textarea=True,
        help_text=_("Leave empty for a short text that links to the idea."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of item"),
        choices=AgendaItem.Kind.choices,
        initial=AgendaItem.Kind.REPORT,
        error_messages={"invalid_choice": _("Choose a kind of item.")},
    )
    is_urgent = forms.BooleanField(
        label=_("Urgent business (needed when the agenda is already published)"), required=False
    )
    urgency_reason = reason_field(_("Why it cannot wait"), required=False)

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"] = _MeetingChoice(
            label=_("Meeting"),
            queryset=upcoming_meetings(council),
            empty_label=_("Choose a meeting"),
            error_messages={
                "required": _("Choose a meeting."),
                "invalid_choice": _("Choose one of the council's upcoming meetings."),
            },
        )
        self.order_fields(["meeting", "title", "description", "kind", "is_urgent"])


class _DecisionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({formats.date_format(obj.decided_on, 'j F Y')})"


class DecisionLinkForm(forms.Form):
    def __init__(self, *args: Any, link: IdeaAgendaLink, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        council_id = link.idea.council_id
        meeting_id = link.agenda_item.meeting_id
        everything = Decision.objects.public().filter(council_id=council_id)
        field = _DecisionChoice(
            label=_("Decision"),
            queryset=everything,
            empty_label=_("Choose a decision"),
            error_messages={
                "required": _("Choose a decision."),
                "invalid_choice": _("Choose one of the council's published decisions."),
            },
        )
        # Offer the meeting's decisions first, then the council's most recent ones.
        offered = list(
            everything.filter(Q(meeting_id=meeting_id) | Q(agenda_item=link.agenda_item)).order_by(
                "-decided_on", "-id"
            )[:DECISION_CHOICES]
        )
        seen = {d.pk for d in offered}
        offered += [
            d
            for d in everything.order_by("-decided_on", "-id")[:DECISION_CHOICES]
            if d.pk not in seen
        ][: max(0, DECISION_CHOICES - len(offered))]
        field.widget.choices = [("", field.empty_label)] + [
            (d.pk, field.label_from_instance(d)) for d in offered
        ]
        self.fields["decision"] = field


class RemoveCommentForm(forms.Form):
    reason = reason_field(
        _("Reason, shown in place of the comment"),
        required=True,
        help_text=_("For example: “Removed: it named a private person.”"),
    )


_LEVEL_CHOICES = [
    (str(level.value), level.label) for level in Eligibility if level != Eligibility.NONE
]


def _level(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who may take part."),
            "invalid_choice": _("Choose who may take part."),
        },
    )


class SettingsForm(forms.Form):
    propose_level = _level(_("Who may propose an idea or raise a need"))
    support_level = _level(_("Who may support an idea"))
    comment_level = _level(_("Who may comment"))
