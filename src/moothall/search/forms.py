"""The search form (GET, on the search page; POSTed again to save a search)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council
from moothall.meetings.models import Body
from moothall.search import registry
from moothall.search.parser import MAX_QUERY_LENGTH, QueryError, parse


def _printable(text: str) -> str:
    # Control characters become spaces (PostgreSQL refuses a NUL in any parameter).
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class _Checkboxes(forms.CheckboxSelectMultiple):
    """Labels and the error summary point at the first box (Django gives no id at all)."""

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return f"{id_}_{index or 0}" if id_ else ""


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_(
            'Words find results with all of them. Use "quotation marks" for an exact phrase, '
            "OR for either word, a minus sign to leave a word out (-garden) and * for the "
            "start of a word (plan*)."
        ),
        error_messages={
            "max_length": _("Your search is too long: use at most %(limit_value)d characters.")
        },
    )
    council = forms.ChoiceField(
        label=_("Council"),
        required=False,
        error_messages={"invalid_choice": _("Choose a council from the list.")},
    )
    body = forms.TypedChoiceField(
        label=_("Committee or other body"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a committee of the council you chose.")},
    )
    type = forms.MultipleChoiceField(
        label=_("Type of result"),
        required=False,
        widget=_Checkboxes,
        error_messages={"invalid_choice": _("Choose types of result from the list.")},
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("For example, 2024-03-27"),
        error_messages={"invalid": _("Enter the first date as a real date, like 2024-03-27.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("For example, 2024-12-31"),
        error_messages={"invalid": _("Enter the last date as a real date, like 2024-12-31.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.councils = list(Council.objects.order_by("name").only("slug", "name", "short_name"))
        self.fields["council"].choices = [("", _("All councils"))] + [  # type: ignore[attr-defined]
            (council.slug, council.name) for council in self.councils
        ]
        self.selected_council = None
        slug = self.data.get("council") if self.is_bound else None
        for council in self.councils:
            if council.slug == slug:
                self.selected_council = council
        self.bodies: list[Body] = []
        if self.selected_council is not None:
            self.bodies = list(
                Body.objects.filter(council=self.selected_council).order_by("name").only("name")
            )
        self.fields["body"].choices = [("", _("All committees"))] + [  # type: ignore[attr-defined]
            (body.pk, body.name) for body in self.bodies
        ]
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            (kind.kind, kind.label) for kind in registry.kinds()
        ]

    def clean_q(self) -> str:
        return _printable(self.cleaned_data.get("q") or "")[:MAX_QUERY_LENGTH]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The last date must be the same as or after the first."))
        query = cleaned.get("q")
        if query:
            try:
                parse(query)
            except QueryError as error:
                self.add_error("q", error.message)
        return cleaned

    @property
    def body_object(self) -> Body | None:
        pk = self.cleaned_data.get("body") if hasattr(self, "cleaned_data") else None
        return next((body for body in self.bodies if body.pk == pk), None)

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for :func:`moothall.search.query.search` (form must be valid)."""
        data = self.cleaned_data
        return {
            "council": self.selected_council,
            "body": data.get("body"),
            "kinds": data.get("type") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
