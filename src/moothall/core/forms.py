"""What every form view needs between a form and a verb."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def posted(request: HttpRequest) -> Any:
    """The submitted data on a POST, else None (so a form built with it is unbound on GET)."""
    return request.POST if request.method == "POST" else None


def add_verb_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a verb's refusal into ``form``: on the field it names where the form has that
    field, else at the top of the form (the error summary)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def text_field(
    label: StrOrPromise,
    limit: int,
    *,
    required: bool = True,
    required_message: StrOrPromise = "",
    textarea: bool = False,
    help_text: StrOrPromise = "",
) -> forms.CharField:
    """Text of at most ``limit`` characters, on one line or (``textarea``) several."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={
            "required": required_message or _("This field is required."),
            "max_length": _("Use %(limit_value)d characters or fewer."),
            "null_characters_not_allowed": _("Remove the characters that cannot be stored."),
        },
    )
