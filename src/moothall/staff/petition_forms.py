"""Forms of the petitions back-office. They check input; the verbs in
:mod:`moothall.petitions.domain` decide and write.

Every choice of an object (a meeting, a decision, an officer) is limited to the council
or meeting in hand, so a crafted id from elsewhere is simply an invalid choice.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.models import User
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode
from moothall.meetings.models import Decision, Meeting
from moothall.petitions.domain import SCHEME_FIELDS
from moothall.petitions.models import Hearing, PetitionScheme
from moothall.staff.fields import DATE_FORMATS, TIME_FORMATS, reason_field, text_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# One paper petition handed in at a time: more lines than this are entered in parts.
MAX_PAPER_LINES = 5000
NAME_LIMIT = 200
RESPONSE_LIMIT = 20000
OUTCOME_LIMIT = 5000
NOTE_LIMIT = 2000
DATETIME_FORMATS = [f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS] + [
    "%Y-%m-%dT%H:%M",
    *DATE_FORMATS,
]
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        day = timezone.localtime(obj.start)
        return f"{obj.display_title} ({obj.body.name}), {day:%d/%m/%Y %H:%M}"


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Decision) -> str:
        return obj.title


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.email})" if obj.name else obj.email


# --- Moderation ------------------------------------------------------------------


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("publish", _("Publish the petition")),
            ("reject", _("Reject it, with a reason")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether to publish or reject the petition."),
            "invalid_choice": _("Choose whether to publish or reject the petition."),
        },
    )
    reason = reason_field(
        _("Reason for rejecting (published)"),
        required=False,
        help_text=_(
            "Shown on the petition's page and sent to its creator. Say which rule of the "
            "scheme it breaks."
        ),
    )
    hide = forms.BooleanField(
        label=_(
            "Do not publish it at all: it is offensive, defamatory or holds someone's personal data"
        ),
        required=False,
        help_text=_("The petition and the reason then go to its creator only."),
    )

    def __init__(self, *args: Any, can_publish: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not can_publish:  # only a petition awaiting moderation can be published
            field = self.fields["decision"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("reject", _("Reject it, with a reason"))]
            self.initial.setdefault("decision", "reject")

    @property
    def publish(self) -> bool:
        return self.cleaned_data["decision"] == "publish"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reason = (cleaned.get("reason") or "").strip()
        if cleaned.get("decision") == "reject" and not reason and "reason" not in self.errors:
            self.add_error("reason", _("Enter the reason the petition is rejected."))
        return cleaned


# --- The officer's actions on one petition -----------------------------------------


class PaperPetitionForm(forms.Form):
    """A petition handed in on paper: what it asks, and who handed it in."""

    title = forms.CharField(label=_("Title"), max_length=150)
    action = text_field(
        _("What it asks the council to do"),
        textarea=True,
        limit=800,
        required_message=_("Enter what the petition asks the council to do."),
    )
    background = text_field(_("Background (optional)"), textarea=True, limit=5000, required=False)
    creator_name = forms.CharField(
        label=_("Handed in by"),
        max_length=NAME_LIMIT,
        help_text=_("A person or group, as it should appear on the petition's page."),
    )


class RespondForm(forms.Form):
    response = text_field(
        _("The council's response"),
        textarea=True,
        limit=RESPONSE_LIMIT,
        required_message=_("Enter the council's response."),
        help_text=_("Published on the petition's page and sent to its signers. Markdown."),
    )


class CloseForm(forms.Form):
    reason = reason_field(
        _("Why is the petition closing early?"),
        help_text=_("Shown on the petition's timeline. Signers and followers are told."),
    )


class PlaceForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),  # set per council in __init__
        empty_label=_("Choose a meeting"),
        help_text=_("Upcoming meetings of the council's bodies whose agenda is not yet published."),
        error_messages={
            "required": _("Choose the meeting that will consider the petition."),
            "invalid_choice": _("Choose the meeting that will consider the petition."),
        },
    )
    kind = forms.ChoiceField(
        label=_("What will the meeting do?"),
        choices=Hearing.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a hearing or a debate."),
            "invalid_choice": _("Choose a hearing or a debate."),
        },
    )
    title = forms.CharField(
        label=_("Agenda item title (optional)"),
        required=False,
        max_length=300,
        help_text=_("Leave empty for “Petition: ” and the petition's title."),
        error_messages={"max_length": _("Use %(limit_value)d characters or fewer.")},
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meetings


class DecisionLinkForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("Decision taken"),
        queryset=Decision.objects.none(),  # the meeting's public decisions, in __init__
        required=False,
        empty_label=_("No decision recorded: describe the outcome"),
        error_messages={"invalid_choice": _("Choose a decision taken at that meeting.")},
    )
    outcome = text_field(
        _("Outcome"),
        textarea=True,
        limit=OUTCOME_LIMIT,
        required=False,
        help_text=_("What happened, in a sentence or two. Needed when no decision is chosen."),
    )

    def __init__(self, *args: Any, decisions: QuerySet[Decision], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = decisions

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            "decision" not in self.errors
            and cleaned.get("decision") is None
            and not (cleaned.get("outcome") or "").strip()
            and "outcome" not in self.errors
        ):
            self.add_error("outcome", _("Choose the decision taken, or describe the outcome."))
        return cleaned


class PaperForm(forms.Form):
    signatures = forms.CharField(
        label=_("Signatures (optional)"),
        required=False,
        widget=forms.Textarea,
        max_length=MAX_PAPER_LINES * 230,
        help_text=_(
            "One signature a line: the name, a comma, then the postcode (or nothing after "
            "the comma when there is none). For example: Jo Bloggs, MH1 0AA"
        ),
        error_messages={"max_length": _("Enter at most 5,000 lines at a time.")},
    )
    verified_count = forms.IntegerField(
        label=_("Verified count (optional)"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text=_("Signatures checked on paper but not typed in, as a number."),
        error_messages={
            "invalid": _("Enter a whole number of signatures."),
            "min_value": _("Enter a whole number of signatures."),
            "max_value": _("Enter a whole number of signatures."),
        },
    )
    note = text_field(
        _("Note (optional)"),
        textarea=True,
        limit=NOTE_LIMIT,
        required=False,
        help_text=_("Who handed it in and how it was checked. Kept with the count."),
    )

    def clean_signatures(self) -> list[tuple[str, str]]:
        """``(name, postcode)`` pairs; every wrong line is reported with its number."""
        rows: list[tuple[str, str]] = []
        errors: list[forms.ValidationError] = []
        lines = (self.cleaned_data.get("signatures") or "").splitlines()
        if len(lines) > MAX_PAPER_LINES:
            raise forms.ValidationError(_("Enter at most 5,000 lines at a time."))
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            name, comma, postcode = line.rpartition(",")
            name, postcode = name.strip(), postcode.strip()
            problem = None
            if not comma or not name:
                problem = _("write the name, a comma, then the postcode.")
            elif len(name) > NAME_LIMIT:
                problem = _("the name is longer than 200 characters.")
            elif "\x00" in line:
                problem = _("remove the characters that cannot be stored.")
            if problem is not None:
                errors.append(self._line_error(number, problem))
                continue
            if postcode:
                try:
                    postcode = normalise_postcode(postcode)
                except InvalidPostcode:
                    errors.append(
                        forms.ValidationError(
                            _("Line %(line)d: “%(postcode)s” is not a UK postcode."),
                            params={"line": number, "postcode": postcode[:20]},
                        )
                    )
                    continue
            rows.append((name, postcode))
        if errors:
            raise forms.ValidationError(errors[:20])
        return rows

    @staticmethod
    def _line_error(number: int, problem: StrOrPromise) -> forms.ValidationError:
        return forms.ValidationError(
            _("Line %(line)d: %(problem)s"), params={"line": number, "problem": problem}
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("signatures") and not cleaned.get("verified_count"):
            self.add_error("signatures", _("Enter the signatures, or the verified count."))
        return cleaned


class AssignForm(forms.Form):
    owner = OwnerChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),  # the council's officers, in __init__
        required=False,
        empty_label=_("No one: the team the scheme names"),
        error_messages={"invalid_choice": _("Choose an officer of this council.")},
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners


# --- Abuse ---------------------------------------------------------------------------


class IdsField(forms.Field):
    """Signatures chosen by ticking them in the abuse view: carried as repeated hidden
    inputs from one step to the next (``as_hidden`` must repeat them too)."""

    widget = forms.MultipleHiddenInput
    hidden_widget = forms.MultipleHiddenInput


class InvalidateForm(forms.Form):
    """Which signatures to strike out, and why. Shown twice: first to see how many match,
    then to confirm (``confirm`` set, ``expected`` the number seen)."""

    ip_address = forms.GenericIPAddressField(
        label=_("From this internet address (optional)"),
        required=False,
        error_messages={"invalid": _("Enter an internet address, like 192.0.2.1 or 2001:db8::1.")},
    )
    email_domain = forms.CharField(
        label=_("With an email address at this domain (optional)"),
        required=False,
        max_length=253,
        help_text=_("The part after the @, for example example.com."),
        error_messages={"max_length": _("Enter a domain, like example.com.")},
    )
    flagged = forms.BooleanField(
        label=_("Only signatures already flagged as unusual"), required=False
    )
    since = forms.DateTimeField(
        label=_("Signed from (optional)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        help_text=_("A date and time, for example 14/03/2030 18:30."),
        error_messages={"invalid": _("Enter a real date and time, for example 14/03/2030 18:30.")},
    )
    until = forms.DateTimeField(
        label=_("Signed before (optional)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        help_text=_("A date and time, for example 14/03/2030 19:00."),
        error_messages={"invalid": _("Enter a real date and time, for example 14/03/2030 19:00.")},
    )
    ids = IdsField(required=False)
    reason = reason_field(
        _("Reason"),
        required=False,
        help_text=_("Kept on the record for staff. Signers are not told."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    CRITERIA = ("ids", "ip_address", "email_domain", "flagged", "since", "until")

    def clean_ids(self) -> list[int]:
        values = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if len(values) > 10_000:
            raise forms.ValidationError(_("Choose fewer signatures at a time."))
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose signatures from the list.")) from None
        if any(not 0 < i < 2**63 for i in ids):  # no database row has such an id
            raise forms.ValidationError(_("Choose signatures from the list."))
        return ids

    def clean_email_domain(self) -> str:
        domain = (self.cleaned_data.get("email_domain") or "").strip().lower().lstrip("@")
        if domain and not _DOMAIN.match(domain):
            raise forms.ValidationError(_("Enter a domain, like example.com."))
        return domain

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if isinstance(since, dt.datetime) and isinstance(until, dt.datetime) and until <= since:
            self.add_error("until", _("The end must be after the start."))
        if not any(key in self.errors for key in self.CRITERIA) and not self.criteria():
            self.add_error(None, _("Say which signatures to invalidate."))
        reason = (cleaned.get("reason") or "").strip()
        if cleaned.get("confirm") and not reason and "reason" not in self.errors:
            self.add_error("reason", _("Enter a reason."))
        return cleaned

    def criteria(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in self.CRITERIA if self.cleaned_data.get(key)}


# --- The scheme ---------------------------------------------------------------------


class SchemeForm(forms.ModelForm):
    class Meta:
        model = PetitionScheme
        fields = list(SCHEME_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = _("Enter a whole number.")
                field.error_messages["min_value"] = _(
                    "Enter a number no smaller than %(limit_value)s."
                )
                field.error_messages["max_value"] = _(
                    "Enter a number no bigger than %(limit_value)s."
                )
            if isinstance(field, forms.CharField):
                field.error_messages["max_length"] = _("Use %(limit_value)d characters or fewer.")
            if field.required and not isinstance(field, forms.BooleanField):
                field.error_messages["required"] = _("Enter a value.")

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SCHEME_FIELDS}
