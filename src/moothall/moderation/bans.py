"""Whether someone is banned from contributing at a council.

The contribution verbs of each app (ideas, comments, petitions, live comments and
media, deliberation statements, budget project proposals) call
:func:`refuse_if_banned` before writing anything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from moothall.moderation.models import Ban


def bans_in_force(council: Any) -> QuerySet[Ban]:
    """The council's bans that are neither lifted nor over."""
    return Ban.objects.filter(council=council, lifted_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gt=timezone.now())
    )


def ban_of(user: Any, council: Any) -> Ban | None:
    """The ban in force on ``user`` at ``council`` that lasts longest (permanent first)."""
    if not getattr(user, "is_authenticated", False) or council is None:
        return None
    found = list(bans_in_force(council).filter(user_id=user.pk))
    if not found:
        return None
    return sorted(
        found, key=lambda b: (b.until is not None, -(b.until or timezone.now()).timestamp())
    )[0]


def is_banned(user: Any, council: Any) -> bool:
    return ban_of(user, council) is not None


def refuse_if_banned(user: Any, council: Any) -> None:
    """Raise ``ValidationError`` (code ``banned``) when ``user`` is banned at ``council``."""
    ban = ban_of(user, council)
    if ban is None:
        return
    if ban.until is None:
        message = _("A moderator has stopped you from contributing here.")
    else:
        message = _("A moderator has stopped you from contributing here until %(until)s.") % {
            "until": formats.date_format(timezone.localtime(ban.until), "j F Y, H:i")
        }
    raise ValidationError(message, code="banned")
