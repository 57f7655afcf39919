"""People may follow an idea (discovered by moothall.notifications): proposing, supporting
and commenting follow it for them; anyone may follow or stop following it by hand."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from moothall.ideas.models import Idea
from moothall.notifications.registry import register

register(
    "idea",
    Idea,
    label=_("Idea"),
    queryset=lambda: Idea.objects.select_related("council"),
    # Nobody (but its author) follows what moderators hid or have yet to check.
    is_public=lambda idea: idea.is_public,
)
