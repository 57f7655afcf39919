"""People may follow a petition (discovered by moothall.notifications): they hear when it
is published, reaches a threshold, is placed on an agenda, is debated, answered or closed.

Only a published petition can be followed: a draft, one gathering sponsors or one waiting
for a moderator is nobody's business but its creator's (the registry treats it as gone).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from moothall.notifications.registry import register
from moothall.petitions.models import Petition

register(
    "petition",
    Petition,
    label=_("Petition"),
    is_public=lambda petition: petition.is_public,
    queryset=lambda: Petition.objects.select_related("council"),
)
