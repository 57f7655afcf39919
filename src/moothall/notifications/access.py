"""Fetching what a view shows: each helper checks who may see it (404 for the rest)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from moothall.notifications import registry
from moothall.notifications.models import Subscription


def get_subscription_for(user: Any, subscription_id: int) -> Subscription:
    """One of ``user``'s own subscriptions; anyone else's is not found (no hint it exists)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    found = Subscription.objects.filter(pk=subscription_id, user=user).first()
    if found is None:
        raise Http404
    return found


def get_followable_for(kind: str, object_id: int) -> tuple[registry.Followable, Any]:
    """A public thing people may follow, with its registration; 404 otherwise."""
    followable = registry.followable(kind)
    obj = followable.get(object_id) if followable is not None else None
    if followable is None or obj is None:
        raise Http404
    return followable, obj
