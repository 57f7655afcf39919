"""People may follow a ward or a topic (discovered by moothall.notifications): ideas and
petitions there, or about it, tell their followers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Topic, Ward
from moothall.notifications.registry import register

register(
    "ward",
    Ward,
    label=_("Ward"),
    queryset=lambda: Ward.objects.select_related("council"),
)
register(
    "topic",
    Topic,
    label=_("Topic"),
    # Topics have no page of their own yet: their council's page stands in.
    url_of=lambda topic: topic.council.get_absolute_url(),
    queryset=lambda: Topic.objects.select_related("council"),
)
