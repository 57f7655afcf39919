"""Deliberation in the manner of Polis: statements, agree/disagree/pass votes, opinion maps.

Models stay thin: every change goes through a verb in :mod:`moothall.deliberation.domain`;
what anyone may do is decided in :mod:`moothall.deliberation.rules`. The analysis itself
(projection, groups, representative and consensus statements, routing) is computed by
:mod:`moothall.deliberation.engine`, which knows nothing of Django, and stored here as
:class:`Analysis`.

Participants and statements carry per-conversation numbers (Polis' ``pid`` and ``tid``)
so a conversation exports to, and imports from, the Polis open-data format unchanged.
Votes use the open-data convention: 1 agree, -1 disagree, 0 pass.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Mode(models.TextChoices):
    POLIS = "polis", _("Polis-compatible")
    IMPROVED = "improved", _("Improved (deterministic and stable)")


class Moderation(models.TextChoices):
    PRE = "pre", _("Checked before they appear")
    POST = "post", _("Appear at once; moderators may remove them")


class Conversation(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(
        _("how opinion groups are found"),
        max_length=10,
        choices=Mode.choices,
        default=Mode.IMPROVED,
    )
    moderation = models.CharField(
        _("new statements"), max_length=4, choices=Moderation.choices, default=Moderation.PRE
    )
    allow_statements = models.BooleanField(_("participants may add statements"), default=True)
    statement_max_length = models.PositiveSmallIntegerField(default=280)
    participate_level = models.PositiveSmallIntegerField(
        _("who may take part"), choices=Eligibility.choices, default=Eligibility.EMAIL_VERIFIED
    )
    # Ask participants (optionally) for ward, age band and sex, for representativeness.
    ask_about_you = models.BooleanField(_("ask participants about themselves"), default=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # Set when imported from a Polis export: its summary.csv (topic, url, …).
    imported_meta = models.JSONField(default=dict, blank=True)
    # Debounced recomputation: when the last vote or statement asked for a new analysis.
    analysis_requested_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "slug"], name="conversation_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:conversation", kwargs={"council": self.council.slug, "slug": self.slug}
        )


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    # Polis' pid: 0, 1, 2 … in the order people joined.
    number = models.PositiveIntegerField()
    # Empty for imported participants and once voters' links are purged.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Polis' xid (an external id), kept from imports.
    external_id = models.CharField(max_length=200, blank=True)
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="participant_number"),
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=Q(user__isnull=False),
                name="participant_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation} p{self.number}"


class Statement(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Shown")
        REJECTED = "rejected", _("Removed")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    # Polis' tid: 0, 1, 2 … in the order statements were written.
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    text = models.TextField(_("statement"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Seed statements are written by the council to start the conversation.
    is_seed = models.BooleanField(default=False)
    # Meta statements are about the conversation itself; shown, never used for groups.
    is_meta = models.BooleanField(default=False)
    reject_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="statement_number"),
        ]
        indexes = [models.Index(fields=["conversation", "state"])]

    def __str__(self) -> str:
        return self.text[:60]


class Vote(models.Model):
    """A participant's current vote on a statement (changing it overwrites: the last counts)."""

    AGREE, PASS, DISAGREE = 1, 0, -1
    CHOICES = [(AGREE, _("Agree")), (DISAGREE, _("Disagree")), (PASS, _("Pass / unsure"))]

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="vote_once"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="vote_value"),
        ]
        indexes = [models.Index(fields=["conversation", "updated_at"])]

    def __str__(self) -> str:
        return f"p{self.participant_id} s{self.statement_id} {self.value}"


class Analysis(models.Model):
    """The latest opinion map of a conversation in one mode (see the engine for ``data``)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="analyses"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    computed_at = models.DateTimeField(default=timezone.now)
    # What it was computed from, so the report can say how fresh it is.
    votes_counted = models.PositiveIntegerField(default=0)
    participants_counted = models.PositiveIntegerField(default=0)
    statements_counted = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "mode"], name="analysis_per_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation} ({self.mode})"
