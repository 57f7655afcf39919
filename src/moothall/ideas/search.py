"""What of ideas and needs the site search finds (discovered by moothall.search).

Every idea a council's residents raised, by its title and description; not one merged
into another (the idea it was merged into is found instead).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.ideas.models import Idea
from moothall.meetings.search import plain_text
from moothall.search.registry import Entry, register


def idea_entries(idea: Idea) -> list[Entry]:
    if idea.is_merged or not idea.is_public:
        return []
    return [
        Entry(
            council_id=idea.council_id,
            kind="idea",
            object_id=idea.pk,
            title=idea.title,
            text=plain_text(idea.body),
            date=timezone.localdate(idea.created_at),
            url=idea.get_absolute_url(),
        )
    ]


register(
    "idea",
    Idea,
    idea_entries,
    label=_("Idea or need"),
    queryset=lambda: Idea.objects.select_related("council"),
    council_field="council",
)
