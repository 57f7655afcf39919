"""Getting notifications to people: the fan-out of one notification, and the digests.

Both run in tasks (:mod:`moothall.notifications.tasks`), in batches, each batch in its
own transaction together with the marker that says it is done, so a task that dies
part-way is retried from where it stopped and never tells anyone twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from moothall.accounts.models import User
from moothall.core.mail import queue_email
from moothall.notifications import registry
from moothall.notifications.domain import (
    digests_token,
    targets_q,
    unsubscribe_token,
    unsubscribe_url,
)
from moothall.notifications.models import (
    Frequency,
    Notification,
    NotificationSettings,
    PendingNotification,
    Subscription,
)

logger = logging.getLogger(__name__)

BATCH = 500
DIGEST_ITEMS = 50  # listed in one digest; the rest are counted
KEEP_SENT = dt.timedelta(days=30)
_URGENCY: dict[str, int] = {Frequency.IMMEDIATE: 0, Frequency.DAILY: 1, Frequency.WEEKLY: 2}


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _followed_titles(targets: list[list[Any]]) -> dict[tuple[str, int], str]:
    """The names of the things a notification is about (a query per kind, a few at most)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in targets:
        by_kind[kind].append(int(object_id))
    titles: dict[tuple[str, int], str] = {}
    for kind, ids in by_kind.items():
        followable = registry.followable(kind)
        if followable is None:
            continue
        for pk, obj in followable.in_bulk(ids).items():
            titles[(kind, pk)] = followable.title_of(obj)
    return titles


def fan_out_batch(notification_id: int) -> bool:
    """Tell the next batch of followers; True while there are more to tell.

    Each person once, through their most frequent subscription among the targets:
    immediate → an email now, daily or weekly → a row for the digest. Skipped: the
    actor, excluded addresses, deactivated accounts and anyone who paused email.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("council")
            .filter(pk=notification_id, finished_at__isnull=True)
            .first()
        )
        if notification is None:  # gone, or finished by an earlier run
            return False
        followers = Subscription.objects.filter(targets_q(notification.targets))
        user_ids = list(
            followers.filter(user_id__gt=notification.cursor)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()[:BATCH]
        )
        if user_ids:
            _tell(notification, followers.filter(user_id__in=user_ids))
            notification.cursor = user_ids[-1]
        if len(user_ids) < BATCH:
            notification.finished_at = timezone.now()
            notification.exclude_emails = []  # other people's addresses: not kept longer
        notification.save(update_fields=["cursor", "finished_at", "exclude_emails"])
        return notification.finished_at is None


def _tell(notification: Notification, subscriptions: Any) -> None:
    best: dict[int, Subscription] = {}
    for sub in subscriptions.select_related("user").order_by("user_id", "pk"):
        held = best.get(sub.user_id)
        if held is None or _URGENCY[sub.frequency] < _URGENCY[held.frequency]:
            best[sub.user_id] = sub
    paused = set(
        NotificationSettings.objects.filter(user_id__in=best, email_paused=True).values_list(
            "user_id", flat=True
        )
    )
    excluded = set(notification.exclude_emails)
    titles = _followed_titles(notification.targets)
    pending: list[PendingNotification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, sub in best.items():
            user = sub.user
            if (
                not user.is_active
                or user_id == notification.actor_id
                or user_id in paused
                or user.email.lower() in excluded
            ):
                continue
            if sub.frequency == Frequency.IMMEDIATE:
                link = unsubscribe_url(unsubscribe_token(sub))
                queue_email(
                    user.email,
                    "notifications/email/notification",
                    {
                        "notification": notification,
                        "council": notification.council,
                        "url": _absolute(notification.url),
                        "followed": titles.get((sub.kind, sub.object_id), ""),
                        "unsubscribe_url": link,
                        "manage_url": _absolute(reverse("notifications:preferences")),
                    },
                    unsubscribe_url=link,
                )
            else:
                pending.append(
                    PendingNotification(
                        user_id=user_id,
                        subscription=sub,
                        event=notification.event,
                        title=notification.title,
                        url=notification.url,
                        summary=notification.summary,
                        created_at=notification.created_at,
                    )
                )
    PendingNotification.objects.bulk_create(pending)


def fan_out(notification_id: int) -> None:
    """Tell every follower, batch after batch."""
    while fan_out_batch(notification_id):
        pass


# --- Digests ------------------------------------------------------------------------------


# A daily digest also carries what was waiting when a subscription was switched to
# "as it happens", so nothing kept for a digest is lost.
DIGEST_FREQUENCIES: dict[str, list[str]] = {
    Frequency.DAILY: [Frequency.DAILY, Frequency.IMMEDIATE],
    Frequency.WEEKLY: [Frequency.WEEKLY],
}


@dataclass
class DigestSummary:
    people: int = 0
    sent: int = 0


def send_digest(user: User, frequency: str, *, now: dt.datetime | None = None) -> bool:
    """Email ``user`` one digest of what waits for their ``frequency`` digest; True if sent.

    The items are claimed with a conditional update, so two runs at once never both send.
    Side effects: one email (after commit), the items marked sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        waiting = PendingNotification.objects.filter(
            user=user,
            sent_at__isnull=True,
            subscription__frequency__in=DIGEST_FREQUENCIES[frequency],
        )
        items = list(waiting.select_related("subscription__council").order_by("created_at", "pk"))
        if not items:
            return False
        ids = [item.pk for item in items]
        claimed = PendingNotification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            sent_at=now
        )
        if claimed != len(ids):  # another run has some of them: leave them all to it
            transaction.set_rollback(True)
            return False
        if not user.is_active or _paused(user):
            return False  # marked sent: nothing is kept while email is paused
        councils: dict[int, dict[str, Any]] = {}
        for item in items[:DIGEST_ITEMS]:
            council = item.subscription.council
            group = councils.setdefault(council.pk, {"council": council, "items": []})
            group["items"].append({"item": item, "url": _absolute(item.url)})
        link = unsubscribe_url(digests_token(user))
        with translation.override(settings.LANGUAGE_CODE):
            queue_email(
                user.email,
                "notifications/email/digest",
                {
                    "weekly": frequency == Frequency.WEEKLY,
                    "groups": list(councils.values()),
                    "total": len(items),
                    "more": max(0, len(items) - DIGEST_ITEMS),
                    "unsubscribe_url": link,
                    "manage_url": _absolute(reverse("notifications:preferences")),
                },
                unsubscribe_url=link,
            )
    return True


def _paused(user: User) -> bool:
    return NotificationSettings.objects.filter(user=user, email_paused=True).exists()


def send_digests(frequency: str, *, now: dt.datetime | None = None) -> DigestSummary:
    """Send every ``frequency`` ("daily" or "weekly") digest that has something in it,
    then forget digest items and notifications done with more than 30 days ago."""
    now = now or timezone.now()
    summary = DigestSummary()
    waiting = PendingNotification.objects.filter(
        sent_at__isnull=True,
        subscription__frequency__in=DIGEST_FREQUENCIES[frequency],
    )
    user_ids = list(waiting.order_by("user_id").values_list("user_id", flat=True).distinct())
    for start in range(0, len(user_ids), BATCH):
        for user in User.objects.filter(pk__in=user_ids[start : start + BATCH]).order_by("pk"):
            summary.people += 1
            if send_digest(user, frequency, now=now):
                summary.sent += 1
    PendingNotification.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    Notification.objects.filter(finished_at__lt=now - KEEP_SENT).delete()
    return summary
