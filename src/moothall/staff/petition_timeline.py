"""A petition's timeline worded for staff, from the details each verb stores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from moothall.petitions.models import Hearing, Obligation, PetitionEvent


def _day(value: Any) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "j F Y")
    except ValueError:
        return ""


def _moment(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j F Y, H:i")


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def describe(event: PetitionEvent) -> str:
    """One sentence saying what happened."""
    d = event.details or {}
    K = PetitionEvent.Kind
    kind = event.kind
    if kind == K.CREATED:
        return _("Petition started as a draft.")
    if kind == K.SUBMITTED:
        return _("Sent out to gather sponsors.")
    if kind == K.SPONSORED:
        return _("%(count)s sponsors confirmed their support.") % {"count": d.get("sponsors", 0)}
    if kind == K.PUBLISHED:
        return _("Published; open for signatures until %(day)s.") % {
            "day": _day(d.get("closes_on"))
        }
    if kind == K.REJECTED:
        return _("Rejected: %(reason)s") % {"reason": d.get("reason", "")}
    if kind == K.THRESHOLD:
        return _("%(count)s signatures reached: %(step)s due by %(day)s.") % {
            "count": d.get("threshold", ""),
            "step": _label(Obligation.Kind, d.get("obligation")),
            "day": _day(d.get("due_on")),
        }
    if kind == K.PAPER:
        return _("%(count)s paper signatures added.") % {"count": d.get("count", 0)}
    if kind == K.INVALIDATED:
        return _("%(count)s counted signatures invalidated.") % {"count": d.get("count", 0)}
    if kind == K.CLOSED:
        if d.get("reason"):
            return _("Closed early: %(reason)s") % {"reason": d["reason"]}
        return _("Closed at the end of its time for signatures.")
    if kind == K.PLACED:
        return _("Placed on the agenda of a meeting on %(day)s: %(kind)s.") % {
            "day": _day(d.get("date")),
            "kind": _label(Hearing.Kind, d.get("hearing_kind")),
        }
    if kind == K.DECISION:
        if d.get("decision"):
            return _("The decision taken was linked.")
        return _("The outcome of the meeting was recorded.")
    if kind == K.RESPONDED:
        return _("The council's response was published.")
    if kind == K.DEBATED:
        return _("Debated at full council.")
    if kind == K.OWNER:
        return _("An owner was named for the %(step)s.") % {
            "step": _label(Obligation.Kind, d.get("obligation")).lower()
        }
    return _label(PetitionEvent.Kind, kind)


def describe_criteria(criteria: dict[str, Any]) -> str:
    """The rule an invalidation used, in words (as stored on the Invalidation)."""
    parts = []
    if criteria.get("ids"):
        parts.append(_("%(count)d chosen signatures") % {"count": len(criteria["ids"])})
    if criteria.get("ip_address"):
        parts.append(_("from the address %(address)s") % {"address": criteria["ip_address"]})
    if criteria.get("email_domain"):
        parts.append(_("with email at %(domain)s") % {"domain": criteria["email_domain"]})
    if criteria.get("flagged"):
        parts.append(_("flagged only"))
    if criteria.get("since"):
        parts.append(_("signed from %(when)s") % {"when": _moment(criteria["since"])})
    if criteria.get("until"):
        parts.append(_("signed before %(when)s") % {"when": _moment(criteria["until"])})
    return "; ".join(parts)
