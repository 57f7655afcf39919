"""Personal data in notifications (see ``moothall.accounts.privacy``)."""

from typing import Any

from moothall.accounts.privacy import Erase, register
from moothall.notifications.models import (
    Notification,
    NotificationSettings,
    PendingNotification,
    Subscription,
)

register(
    Subscription,
    owner="user",
    export=("council__slug", "kind", "object_id", "frequency", "created_at"),
    erase=Erase.DELETE,
)
register(
    NotificationSettings,
    owner="user",
    export=("default_frequency", "email_paused", "updated_at"),
    erase=Erase.DELETE,
)
register(
    PendingNotification,
    owner="user",
    export=("event", "title", "url", "created_at", "sent_at"),
    erase=Erase.DELETE,
)


def _erase_excluded(user: Any) -> int:
    """Take the person's address out of fan-outs still running (finished ones keep none)."""
    address = user.email.lower()
    touched = 0
    for notification in Notification.objects.filter(finished_at__isnull=True):
        if address in notification.exclude_emails:
            notification.exclude_emails = [e for e in notification.exclude_emails if e != address]
            notification.save(update_fields=["exclude_emails"])
            touched += 1
    return touched


register(
    Notification,
    owner=None,
    erase=Erase.KEEP,
    actors=("actor",),
    personal=("exclude_emails",),
    eraser=_erase_excluded,
    retention="exclude_emails is emptied when the fan-out finishes.",
)
