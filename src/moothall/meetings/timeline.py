"""The public timeline of a meeting, worded in the reader's language from stored details."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from moothall.meetings.models import TimelineEntry


def _when(value: str) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j F Y, H:i")


def _day(value: str) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "j F Y") if value else ""


def describe(entry: TimelineEntry) -> str:
    """One sentence saying what happened, for the meeting's public page and feeds."""
    d = entry.details
    kind = entry.kind
    if kind == "created":
        return _("Meeting scheduled for %(start)s.") % {"start": _when(d.get("start", ""))}
    if kind == "rescheduled":
        return _("Moved from %(was)s to %(start)s.") % {
            "was": _when(d.get("was", "")),
            "start": _when(d.get("start", "")),
        }
    if kind == "agenda_published":
        if d.get("late"):
            return _(
                "Agenda published late (the deadline was %(deadline)s). Reason: %(reason)s"
            ) % {"deadline": _day(d.get("deadline", "")), "reason": d.get("reason", "")}
        if d.get("elsewhere"):
            return _("Agenda published on the council's own website.")
        return _("Agenda published.")
    if kind == "item_added":
        return _("Urgent item %(number)s added: %(title)s. Reason: %(reason)s") % d
    if kind == "item_updated":
        return _("Item %(number)s changed: %(title)s.") % d
    if kind == "agenda_reordered":
        return _("Agenda items reordered.")
    if kind == "meeting_updated":
        fields = {
            "venue": _("venue"),
            "end": _("end time"),
            "title": _("title"),
            "webcast_url": _("webcast link"),
        }
        return _("Meeting details changed: %(fields)s.") % {
            "fields": ", ".join(str(fields.get(f, f)) for f in d.get("fields", []))
        }
    if kind == "declaration_recorded":
        return _("%(name)s declared an interest (%(kind_label)s).") % d
    if kind == "item_withdrawn":
        return _("Item %(number)s withdrawn: %(title)s. Reason: %(reason)s") % d
    if kind == "document_added":
        return _("Document added: %(title)s.") % d
    if kind == "document_removed":
        return _("Document removed: %(title)s. Reason: %(reason)s") % d
    if kind == "postponed":
        if d.get("start"):
            return _("Postponed to %(start)s. Reason: %(reason)s") % {
                "start": _when(d["start"]),
                "reason": d.get("reason", ""),
            }
        return _("Postponed; a new date will be set. Reason: %(reason)s") % d
    if kind == "cancelled":
        return _("Cancelled. Reason: %(reason)s") % d
    if kind == "attendance_recorded":
        return _("Attendance recorded: %(present)s present.") % d
    if kind == "vote_recorded":
        return (
            _(
                "Vote recorded: %(votes_for)s for, %(votes_against)s against, "
                "%(abstentions)s abstentions."
            )
            % d
        )
    if kind == "decision_recorded":
        return _("Decision recorded: %(title)s.") % d
    if kind == "decision_called_in":
        return _("Decision called in: %(title)s. Reason: %(reason)s") % d
    if kind == "decision_made":
        return _("Decision confirmed after call-in: %(title)s.") % d
    if kind == "decision_implemented":
        return _("Decision implemented: %(title)s.") % d
    if kind == "minutes_published":
        return _("Minutes published.")
    if kind == "submission_accepted":
        return _("%(kind)s from %(name)s accepted.") % {
            "kind": {
                "question": _("Public question"),
                "deputation": _("Deputation"),
                "speak": _("Request to speak"),
            }.get(d.get("submission_kind", ""), _("Submission")),
            "name": d.get("name", ""),
        }
    if kind == "live_started":
        return _("The meeting started.")
    if kind == "item_started":
        if d.get("title"):
            return _("Item %(number)s started: %(title)s.") % d
        return _("Item %(number)s started.") % {"number": d.get("number", "")}
    if kind == "item_ended":
        if d.get("title"):
            return _("Item %(number)s ended: %(title)s.") % d
        return _("Item %(number)s ended.") % {"number": d.get("number", "")}
    if kind == "adjourned":
        if d.get("reason"):
            return _("The meeting was adjourned. Reason: %(reason)s") % d
        return _("The meeting was adjourned.")
    if kind == "resumed":
        return _("The meeting resumed.")
    if kind == "live_ended":
        return _("The meeting ended.")
    return kind.replace("_", " ").capitalize()
