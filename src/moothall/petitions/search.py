"""What of petitions the site search finds (discovered by moothall.search).

Every published petition (open, closed, answered, debated, or rejected with its published
reason), by its title, what it asks, its background and the council's response. Never a
draft, one gathering sponsors or one waiting for a moderator: what is not public is never
indexed, and a petition's entry follows its status because every verb saves the row.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.meetings.search import plain_text
from moothall.petitions.models import Petition
from moothall.search.registry import Entry, register


def petition_entries(petition: Petition) -> list[Entry]:
    if not petition.is_public:
        return []
    parts = [petition.action, plain_text(petition.background), plain_text(petition.response)]
    return [
        Entry(
            council_id=petition.council_id,
            kind="petition",
            object_id=petition.pk,
            title=petition.title,
            text="\n\n".join(part for part in parts if part),
            date=timezone.localdate(petition.opened_at or petition.created_at),
            url=petition.get_absolute_url(),
        )
    ]


register(
    "petition",
    Petition,
    petition_entries,
    label=_("Petition"),
    queryset=lambda: Petition.objects.select_related("council"),
    council_field="council",
)
