"""An idea's public timeline in words, in the reader's language.

Entries store parameters (a status, a meeting's title and date, an idea's title), so
the sentence is made when the page is shown, in English or Welsh.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from moothall.ideas.models import IdeaTimelineEntry


def _status_label(value: str) -> str:
    from moothall.ideas.models import Idea

    try:
        return str(Idea.Status(value).label)
    except ValueError:
        return value


def _date(value: object) -> str:
    if isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return ""


def describe(entry: IdeaTimelineEntry) -> str:
    """One sentence about ``entry``."""
    details = entry.details or {}
    kind = entry.kind
    if kind == "created":
        return _("Proposed.")
    if kind == "status_changed":
        status = _status_label(str(details.get("status", "")))
        reason = str(details.get("reason", ""))
        if reason:
            return _("Status changed to “%(status)s”: %(reason)s") % {
                "status": status,
                "reason": reason,
            }
        return _("Status changed to “%(status)s”.") % {"status": status}
    if kind == "response_published":
        by = str(details.get("by", ""))
        if by:
            return _("%(by)s published a response.") % {"by": by}
        return _("The council published a response.")
    if kind == "merged":
        return _("Merged into “%(title)s”, which covers the same ground.") % {
            "title": details.get("into_title", "")
        }
    if kind == "merged_in":
        return _("“%(title)s” was merged into this idea; its supporters now count here.") % {
            "title": details.get("duplicate_title", "")
        }
    if kind == "placed_on_agenda":
        return _("Placed on the agenda of %(meeting)s on %(date)s.") % {
            "meeting": details.get("meeting", ""),
            "date": _date(details.get("date")),
        }
    if kind == "decision_linked":
        return _("Decision taken: “%(title)s”.") % {"title": details.get("decision_title", "")}
    return kind
