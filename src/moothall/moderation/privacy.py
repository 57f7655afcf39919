"""Personal data in moderation records (see :mod:`moothall.accounts.privacy`).

- A report (flag) is the reporter's: exported; on account deletion it stays (the
  moderators' decision needs it) but loses its link to the person and their note.
- A warning or a ban is about its person: exported, and deleted with the account.
- The staff who resolved, warned, banned or lifted are recorded as actors.
- The public log holds no person at all.
"""

from __future__ import annotations

from moothall.accounts.privacy import Erase, register
from moothall.moderation.models import Ban, Flag, Warning

register(
    Flag,
    owner="reporter",
    export=("kind", "object_id", "reason", "note", "created_at", "resolved_at", "outcome"),
    erase=Erase.UNLINK,
    clear=("note",),
    actors=("resolved_by",),
)

register(
    Warning,
    owner="user",
    export=("rule", "message", "kind", "object_id", "created_at"),
    erase=Erase.DELETE,
    actors=("created_by",),
)

register(
    Ban,
    owner="user",
    export=("rule", "message", "until", "created_at", "lifted_at"),
    erase=Erase.DELETE,
    actors=("created_by", "lifted_by"),
)
