"""The council's audit log at /<council>/staff/audit/: council admins read and filter what
staff did at their council, a page at a time, or download the filtered log as CSV
(``?download=csv``), which is itself recorded in the log.

Nothing here (or anywhere in the app) edits or deletes an entry: the log is append-only.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from moothall.accounts import access
from moothall.accounts.rules import Action
from moothall.core.audit import record_export
from moothall.core.models import AuditEntry
from moothall.staff.audit_forms import AuditFilterForm, kind_label, target_kinds

AUDIT_ENTRIES_PER_PAGE = 50
CSV_HEADER = ["when", "who", "action", "target_type", "target_id", "target", "details"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _shown(value: Any) -> str:
    """A recorded value as a person reads it."""
    if value is None or value == "":
        return "–"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "–"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _field(name: str) -> str:
    return name.replace("_", " ").capitalize()


def describe(entry: AuditEntry) -> dict[str, Any]:
    """What changed (field, before, after) and the other facts recorded, readably."""
    details = entry.details if isinstance(entry.details, dict) else {}
    changes: list[tuple[str, str, str]] = []
    before, after = details.get("before"), details.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        for name in [*before, *(k for k in after if k not in before)]:
            changes.append((_field(name), _shown(before.get(name)), _shown(after.get(name))))
    elif "before" in details or "after" in details:  # one value changed (a mode, a status)
        changes.append((_("Value"), _shown(before), _shown(after)))
    changed = details.get("changed")  # an older form: {field: [before, after]}
    if isinstance(changed, dict):
        for name, pair in changed.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                changes.append((_field(name), _shown(pair[0]), _shown(pair[1])))
    skip = {"before", "after"} | ({"changed"} if isinstance(changed, dict) else set())
    facts = [(_field(k), _shown(v)) for k, v in details.items() if k not in skip]
    return {"changes": changes, "facts": facts}


def _who(entry: AuditEntry) -> str:
    if entry.actor_id is None:
        return _("The system")
    return entry.actor.email if entry.actor is not None else f"#{entry.actor_id}"


def _cell(value: str) -> str:
    """No spreadsheet formulas from the log's text (CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(entries: Any, name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(CSV_HEADER)
        for entry in entries.iterator(chunk_size=2000):
            row = [
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                _who(entry),
                entry.action,
                entry.target_type,
                entry.target_id,
                entry.target_repr,
                json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
            ]
            yield writer.writerow([_cell(str(v)) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_safe
def audit_log(request: HttpRequest, council: str) -> HttpResponse | StreamingHttpResponse:
    here = access.get_council_for(request.user, council, Action.VIEW_AUDIT_LOG)
    entries = access.get_audit_entries_for(request.user, here)
    form = AuditFilterForm(request.GET or None, kinds=target_kinds(entries))
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    filters = form.query()
    if request.GET.get("download") == "csv" and not form.errors:
        record_export(
            "audit.log_exported",
            actor=request.user,
            council=here,
            format="csv",
            rows=entries.count(),
            filters=filters,
        )
        return _csv(entries, f"{here.slug}-audit-log-{timezone.localdate().isoformat()}.csv")
    page = Paginator(entries, AUDIT_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"entry": entry, "kind": kind_label(entry.target_type), **describe(entry)} for entry in page
    ]
    return render(
        request,
        "staff/audit_log.html",
        {
            "council": here,
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": bool(filters),
            "page_query": urlencode(filters),
            "csv_query": urlencode({**filters, "download": "csv"}),
        },
        status=400 if form.errors else 200,
    )
