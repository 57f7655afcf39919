"""Forms for the account pages Moothall adds to allauth's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import NAME_MAX_LENGTH
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=_("How you would like to be named when you take part."),
        error_messages={
            "max_length": _("Name must be %(limit_value)d characters or fewer."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        help_text=_(
            "Where you live, for example SW1A 1AA. It tells us your councils and wards. "
            "We never show it to anyone else."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )

    def clean_postcode(self) -> str:
        text = self.cleaned_data["postcode"].strip()
        if not text:
            return ""
        try:
            return normalise_postcode(text)
        except InvalidPostcode:
            raise forms.ValidationError(
                _("Enter a real postcode, like SW1A 1AA"), code="invalid_postcode"
            ) from None
