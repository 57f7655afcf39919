"""Who follows what, how often they want to hear, and what is waiting for their digest.

Changed only by the verbs in :mod:`moothall.notifications.domain` and the fan-out and
digest work in :mod:`moothall.notifications.delivery`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As it happens")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class Subscription(models.Model):
    """One person following one thing (a committee, a ward, a topic, a petition, an idea).

    ``(kind, object_id)`` names the thing through :mod:`moothall.notifications.registry`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id"], name="notifications_one_follow_per_thing"
            ),
        ]
        indexes = [
            # The fan-out: every follower of these things, in user order.
            models.Index(fields=["kind", "object_id", "user"], name="notifications_followers"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.get_frequency_display()})"


class NotificationSettings(models.Model):
    """A person's choices for everything they follow."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    default_frequency = models.CharField(
        _("how often for new follows"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATE,
    )
    # Nothing is emailed, or kept for a digest, while email is paused.
    email_paused = models.BooleanField(_("email paused"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.default_frequency}{' (paused)' if self.email_paused else ''}"


class Notification(models.Model):
    """Something that happened, to tell the followers of ``targets`` about.

    Written by :func:`moothall.notifications.domain.notify` in the caller's transaction;
    the fan-out task works through the followers in batches, in user order, moving
    ``cursor`` to the last user handled in the same transaction as their email or
    digest row, so a retried batch never tells anyone twice.
    """

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    # [["body", 3], ["ward", 12]]
    targets = models.JSONField(default=list)
    # Lower-cased addresses already told some other way (a petition's signers).
    exclude_emails = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    cursor = models.PositiveBigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.event}: {self.title}"


class PendingNotification(models.Model):
    """One item waiting for a person's daily or weekly digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="pending")
    event = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="notifications_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.title
