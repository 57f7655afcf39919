"""``{% following kind object as state %}``: whether the person looking follows ``object``."""

from __future__ import annotations

from typing import Any

from django import template

from moothall.notifications.domain import is_following

register = template.Library()


@register.simple_tag(takes_context=True)
def following(context: template.Context, kind: str, obj: Any) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {
        "signed_in": signed_in,
        "following": signed_in and is_following(user, kind, obj.pk),
    }
