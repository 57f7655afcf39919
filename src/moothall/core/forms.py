"""What every form view needs between a form and a verb."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


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
