"""Forms residents fill in on the public petition pages.

They check the shape of what was sent (required fields, lengths, choices within the
council's scheme); the verbs in :mod:`moothall.petitions.domain` decide and write, and
their ``ValidationError`` comes back into the form beside the field it is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council, Topic, Ward
from moothall.petitions.models import Basis, PetitionScheme

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOO_LONG = _("Use %(limit_value)d characters or fewer.")


def _text(
    label: StrOrPromise,
    limit: int,
    required_message: StrOrPromise,
    *,
    required: bool = True,
    textarea: bool = False,
    help_text: StrOrPromise = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={"required": required_message, "max_length": TOO_LONG},
    )


class _Choice(forms.ModelChoiceField):
    """A choice among the council's own rows, by slug: anything else is "not in the list"."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class PetitionForm(forms.Form):
    """A draft petition: what the creator asks the council to do, and why."""

    title = _text(
        _("Title"),
        150,
        _("Enter a title"),
        help_text=_("A short summary of what you want, like “Keep Moot Lane library open”."),
    )
    action = _text(
        _("What do you want the council to do?"),
        800,
        _("Say what you want the council to do"),
        textarea=True,
        help_text=_("One or two sentences."),
    )
    background = _text(
        _("Background (optional)"),
        5000,
        "",
        required=False,
        textarea=True,
        help_text=_(
            "Why it matters, and anything the council should know. You can use Markdown: "
            "*italic*, **bold**, lists and links."
        ),
    )
    topic = _Choice(queryset=Topic.objects.none())
    ward = _Choice(queryset=Ward.objects.none())
    creator_name = _text(
        _("Your name, as shown on the petition"),
        200,
        _("Enter your name"),
        help_text=_("Shown publicly as the person who started the petition."),
    )

    def __init__(self, *args: Any, council: Council, with_name: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_name:  # the shown name is set when the petition is started
            del self.fields["creator_name"]
        self.fields["topic"] = _Choice(
            label=_("Topic (optional)"),
            queryset=Topic.objects.filter(council=council).order_by("name", "pk"),
            required=False,
            empty_label=_("No particular topic"),
            to_field_name="slug",
            error_messages={"invalid_choice": _("Choose a topic from the list.")},
        )
        self.fields["ward"] = _Choice(
            label=_("Ward (optional)"),
            queryset=Ward.objects.filter(council=council).order_by("name", "pk"),
            required=False,
            empty_label=_("No particular ward, or the whole area"),
            to_field_name="slug",
            help_text=_("The part of the area the petition is about."),
            error_messages={"invalid_choice": _("Choose a ward from the list.")},
        )
        self.order_fields(["title", "action", "background", "topic", "ward", "creator_name"])


class SignForm(forms.Form):
    """Signing a petition (or sponsoring one): who, where, on what basis."""

    name = _text(
        _("Full name"),
        200,
        _("Enter your name"),
        help_text=_("Your name is not published with your signature."),
    )
    email = _text(
        _("Email address"),
        254,
        _("Enter your email address"),
        help_text=_("We email you a link: your signature counts only once you follow it."),
    )
    postcode = _text(
        _("Postcode"),
        16,
        _("Enter your postcode"),
        help_text=_("Used to count signatures by ward. It is not published."),
    )
    basis = forms.ChoiceField(
        label=_("Why may you sign?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you may sign this petition"),
            "invalid_choice": _("Choose why you may sign this petition"),
        },
    )
    declaration = forms.BooleanField(
        label=_("I confirm that what I chose above is true, and that I have not signed before."),
        error_messages={"required": _("Confirm that you may sign this petition")},
    )
    wants_updates = forms.BooleanField(
        label=_("Email me when there is news about this petition"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, scheme: PetitionScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = scheme.allowed_bases()
        basis = self.fields["basis"]
        assert isinstance(basis, forms.ChoiceField)
        basis.choices = [(value, label) for value, label in Basis.choices if value in allowed]
        if len(allowed) == 1:
            basis.initial = allowed[0]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if "@" not in email:
            raise ValidationError(_("Enter an email address like name@example.com."))
        return email
