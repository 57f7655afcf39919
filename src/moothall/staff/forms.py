"""Forms of the council back-office. They check input; the verbs decide and write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.accounts.domain import MAX_REASON_LENGTH
from moothall.accounts.models import ResidentVerification, Role, User
from moothall.councils.models import Council, Councillor

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Email address or name"),
        help_text=_(
            "Finds people whose postcode is in this council's area. An exact email address "
            "also finds someone whose postcode is not (yet) in the area."
        ),
        required=False,
        max_length=254,
    )


def _reason_field(
    label: StrOrPromise, hint: StrOrPromise, required_message: StrOrPromise
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message,
            "max_length": _("The reason must be %(limit_value)d characters or fewer."),
        },
    )


# An officer records a check they made themselves; single sign-on verifies by itself.
OFFICER_METHODS = [
    (value, label)
    for value, label in ResidentVerification.Method.choices
    if value != ResidentVerification.Method.SSO
]


class VerifyResidentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How did you check where they live?"),
        choices=OFFICER_METHODS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you checked where they live."),
            "invalid_choice": _("Choose how you checked where they live."),
        },
    )
    reason = _reason_field(
        _("What did you check?"),
        _("For example, “Saw a council tax bill for this address dated March 2025”."),
        _("Enter what you checked."),
    )


class RevokeVerificationForm(forms.Form):
    reason = _reason_field(
        _("Why are you withdrawing this verification?"),
        _("For example, “They told us they have moved out of the area”."),
        _("Enter why you are withdrawing this verification."),
    )


class RevokeRoleForm(forms.Form):
    reason = _reason_field(
        _("Why are you revoking this role?"),
        _("For example, “Left the council's democratic services team”."),
        _("Enter why you are revoking this role."),
    )


class CouncillorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Councillor) -> str:
        if obj.ward is not None:
            return f"{obj.person.name} ({obj.ward.name})"
        return obj.person.name


class GrantRoleForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address they sign in with. They need an account first."),
        max_length=254,
        error_messages={
            "required": _("Enter the email address they sign in with."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=Role.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a role."),
            "invalid_choice": _("Choose a role."),
        },
    )
    councillor = CouncillorChoiceField(
        label=_("Councillor record"),
        help_text=_("Only for a councillor role: the public record their role belongs to."),
        queryset=Councillor.objects.none(),
        required=False,
        empty_label=_("Choose a councillor"),
        error_messages={"invalid_choice": _("Choose a councillor of this council.")},
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("The reason must be %(limit_value)d characters or fewer."),
        },
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        councillors = Councillor.objects.filter(council=council).select_related("person", "ward")
        field = self.fields["councillor"]
        assert isinstance(field, CouncillorChoiceField)
        field.queryset = councillors.order_by("person__name", "pk")
        self.user: User | None = None

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        self.user = User.objects.filter(email__iexact=email.strip()).first()
        if self.user is None:
            raise forms.ValidationError(
                _("Nobody has an account with this email address. Ask them to create one first."),
                code="no_account",
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == Role.Kind.COUNCILLOR and cleaned.get("councillor") is None:
            if "councillor" not in self.errors:
                self.add_error(
                    "councillor", _("Choose the councillor record this person's role belongs to.")
                )
        elif kind and kind != Role.Kind.COUNCILLOR:
            # The select sits under the councillor option; ignore it for other roles.
            cleaned["councillor"] = None
        return cleaned
