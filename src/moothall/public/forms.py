from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.councils.postcodes import InvalidPostcode, normalise_postcode

# Longer than any postcode typed with generous spacing; anything longer is not one.
_MAX_TYPED_LENGTH = 16


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=_("Enter your postcode"),
        help_text=_("For example, SW1A 1AA"),
        error_messages={"required": _("Enter a postcode")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The field's id is plain "postcode": the template and the error summary link to it.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean_postcode(self) -> str:
        """The canonical postcode ("SW1A 1AA"), or a message the resident can act on."""
        typed: str = self.cleaned_data["postcode"]
        try:
            if len(typed) > _MAX_TYPED_LENGTH:
                raise InvalidPostcode(typed)
            return normalise_postcode(typed)
        except InvalidPostcode:
            raise forms.ValidationError(
                _("Enter a real postcode, like SW1A 1AA"), code="invalid"
            ) from None
