"""How much waits for a council's moderators (for the back-office's front page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moothall.moderation import registry
from moothall.moderation.models import Flag


@dataclass(frozen=True)
class Workload:
    # Things residents reported that no moderator has dealt with yet (each counted once).
    reported: int
    # Contributions waiting in pre-moderated spaces (every app's queue).
    waiting: int


def workload(council: Any) -> Workload:
    reported = (
        Flag.objects.filter(council=council, resolved_at__isnull=True)
        .values("kind", "object_id")
        .distinct()
        .count()
    )
    return Workload(reported, sum(space.pending for space in registry.spaces(council)))
