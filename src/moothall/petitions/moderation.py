"""Petitions as a moderation space: always checked before they are published (the
petitions scheme requires it), so the space has one mode and the count of petitions
waiting links to the petitions' own queue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.moderation.registry import PRE, Space, register_spaces
from moothall.petitions.models import Petition


def _spaces(council: Any) -> list[Space]:
    return [
        Space(
            key="petitions",
            label=_("Petitions"),
            mode=PRE,
            modes=(PRE,),
            pending=Petition.objects.filter(
                council=council, status=Petition.Status.AWAITING_MODERATION
            ).count(),
            queue_url=reverse("staff:petitions_moderation", kwargs={"council": council.slug}),
        )
    ]


register_spaces(_spaces)
