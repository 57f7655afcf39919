"""Route × role rows for the moderation routes (owner: moderation helper M).

- /<council>/report/<kind>/<id>/: any signed-in person reports a contribution.
- /<council>/moderation-log/: the public moderation log.
- /<council>/staff/moderation/…: the queue, what waits to be checked, an item and what is done to it, bans (all
  ``Action.MODERATE``), and each space's pre- or post-moderation (``Action.EDIT_COUNCIL``).
"""

from __future__ import annotations

from moothall.accounts.rules import Action
from tests.security.route_matrix.spec import ANYONE, SIGNED_IN, Row, staff


def extend_scene(s):
    from moothall.moderation.models import Ban
    from tests import factories

    banned = factories.UserFactory(email="bart.banned@example.org", name="Bart Banned")
    s.moderation_ban = Ban.objects.create(council=s.council, user=banned, rule="spam")


def _comment(s):
    return {"council": s.council.slug, "kind": "idea_comment", "pk": s.idea_comment.pk}


ROWS = [
    Row(
        "public:moderation_report",
        kwargs=_comment,
        get=SIGNED_IN,
        post=SIGNED_IN,
        data={"reason": "spam", "note": ""},
        ok=(200,),
    ),
    Row("public:moderation_log", kwargs=lambda s: {"council": s.council.slug}, get=ANYONE),
    Row(
        "staff:moderation",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.MODERATE),
    ),
    Row(
        "staff:moderation_waiting",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.MODERATE),
    ),
    Row("staff:moderation_item", kwargs=_comment, get=staff(Action.MODERATE)),
    Row(
        "staff:moderation_act",
        kwargs=lambda s: {**_comment(s), "action": "hide"},
        post=staff(Action.MODERATE),
        data={"hide-rule": "spam", "hide-explanation": ""},
        ok=(302,),
    ),
    Row(
        "staff:moderation_bans",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.MODERATE),
    ),
    Row(
        "staff:moderation_lift_ban",
        kwargs=lambda s: {"council": s.council.slug, "pk": s.moderation_ban.pk},
        post=staff(Action.MODERATE),
        ok=(302,),
    ),
    Row(
        "staff:moderation_settings",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.EDIT_COUNCIL),
    ),
    Row(
        "staff:moderation_set_space",
        kwargs=lambda s: {"council": s.council.slug, "key": "live_comments"},
        post=staff(Action.EDIT_COUNCIL),
        data={"live_comments-mode": "pre"},
        ok=(302,),
    ),
]
