"""Moderation records: residents' flags, the public log, warnings and bans.

What a moderator hides stays in its own app (an idea comment's ``is_removed``, a live
comment's status…): the apps' own verbs change it, called through
:mod:`moothall.moderation.registry`. This app keeps what is about moderation itself.
Pre- or post-moderation is stored where each app already keeps it (one source of truth);
:mod:`moothall.moderation.spaces` reads and sets it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    """The house rules: why something is reported, hidden, warned about or banned."""

    SPAM = "spam", _("Spam or advertising")
    ABUSIVE = "abusive", _("Abusive or hateful")
    PERSONAL = "personal", _("Shares someone's personal information")
    OFF_TOPIC = "off_topic", _("Off topic")
    ILLEGAL = "illegal", _("Breaks the law")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    """A resident's report ("flag") that something breaks the rules. One per person per
    item; resolved when a moderator hides the item or dismisses its reports."""

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        DISMISSED = "dismissed", _("Dismissed")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="moderation_flags"
    )
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_flags",
    )
    reason = models.CharField(max_length=20, choices=Rule.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "reporter"],
                condition=Q(reporter__isnull=False),
                name="moderation_flag_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["council", "kind", "object_id"],
                condition=Q(resolved_at__isnull=True),
                name="moderation_flag_open",
            ),
            models.Index(fields=["reporter", "created_at"], name="moderation_flag_by"),
        ]

    def __str__(self) -> str:
        return f"Flag on {self.kind} {self.object_id}"


class LogEntry(models.Model):
    """One line of the public moderation log: what kind of thing, when, under which
    rule. Never the content, the item or any name."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Restored")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="moderation_log"
    )
    kind = models.CharField(max_length=30)
    action = models.CharField(max_length=10, choices=Action.choices)
    rule = models.CharField(max_length=20, choices=Rule.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["council", "-at", "-id"], name="moderation_log_order")]

    def __str__(self) -> str:
        return f"{self.kind} {self.action} {self.at:%Y-%m-%d}"


class Warning(models.Model):
    """A moderator's warning to the author of something, under a rule."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="moderation_warnings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_warnings"
    )
    rule = models.CharField(max_length=20, choices=Rule.choices)
    message = models.TextField(blank=True)
    kind = models.CharField(max_length=30, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Warning {self.pk} ({self.rule})"


class Ban(models.Model):
    """Keeps a person from contributing at one council until ``until`` (or for good when
    empty), unless lifted earlier."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="moderation_bans"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_bans"
    )
    rule = models.CharField(max_length=20, choices=Rule.choices)
    message = models.TextField(blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "council"], name="moderation_ban_lookup")]

    def __str__(self) -> str:
        return f"Ban {self.pk} ({self.rule})"

    def in_force(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > moment)
