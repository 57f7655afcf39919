"""Filtering the council's audit log: by action (or the start of one), who, kind of thing
and dates. The form is sent by GET, so a filtered log has an address to share and page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.core.models import AuditEntry


def kind_label(target_type: str) -> str:
    """A kind of thing as people say it ("petition"), from its model label."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return str(model._meta.verbose_name)


def target_kinds(entries: QuerySet[AuditEntry]) -> list[tuple[str, str]]:
    """The kinds of thing this log speaks of, as choices, by label."""
    found = (
        entries.exclude(target_type="")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )
    return sorted(((kind, kind_label(kind).capitalize()) for kind in found), key=lambda c: c[1])


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        help_text=_("An action, or the start of one: for example “petitions” or “role.granted”."),
        required=False,
        max_length=100,
    )
    who = forms.CharField(
        label=_("Who"),
        help_text=_("Part of a staff member’s email address or name."),
        required=False,
        max_length=254,
    )
    target = forms.ChoiceField(label=_("Kind of thing"), required=False)
    since = forms.DateField(label=_("From"), help_text=_("For example, 2026-03-27"), required=False)
    until = forms.DateField(label=_("To"), help_text=_("For example, 2026-03-31"), required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("Any kind")), *kinds]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be the same as or after the start date."))
        return cleaned

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """``entries`` narrowed to what the (valid) form asks for."""
        data = self.cleaned_data
        action = (data.get("action") or "").strip()
        if action:
            stem = action.rstrip(".")
            entries = entries.filter(Q(action=action) | Q(action__startswith=f"{stem}."))
        who = (data.get("who") or "").strip()
        if who:
            entries = entries.filter(Q(actor__email__icontains=who) | Q(actor__name__icontains=who))
        if data.get("target"):
            entries = entries.filter(target_type=data["target"])
        if data.get("since"):
            entries = entries.filter(created_at__gte=_midnight(data["since"]))
        if data.get("until"):
            entries = entries.filter(created_at__lt=_midnight(data["until"] + dt.timedelta(days=1)))
        return entries

    def query(self) -> dict[str, str]:
        """The filters given, for links to other pages of the same list."""
        if not self.is_valid():
            return {}
        out = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value:
                out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` where the council is (the site's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
