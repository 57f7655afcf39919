"""People may follow a committee (discovered by moothall.notifications): they hear when an
agenda or minutes are published, a decision is made, or a meeting is cancelled or postponed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from moothall.meetings.models import Body
from moothall.notifications.registry import register

register(
    "body",
    Body,
    label=_("Committee"),
    queryset=lambda: Body.objects.select_related("council"),
)
