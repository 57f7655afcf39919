"""Decisions, the forward plan of key decisions, and recorded votes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.meetings import law


class ForwardPlanEntry(models.Model):
    """A key decision the council expects to take, published in advance (28 clear days)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="forward_plan"
    )
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    decision_maker = models.CharField(max_length=200)
    body = models.ForeignKey(
        "meetings.Body", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected_date = models.DateField()
    published_at = models.DateTimeField()
    is_key_decision = models.BooleanField(default=True)
    exempt_paragraph = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Set when the decision is expected to be taken in private."),
    )
    lead_officer = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_date", "id"]
        verbose_name_plural = "forward plan entries"

    def __str__(self) -> str:
        return self.title


class DecisionQuerySet(models.QuerySet["Decision"]):
    def public(self) -> DecisionQuerySet:
        """Decisions the public may see: not exempt, nor under an exempt item."""
        return self.filter(
            Q(agenda_item__isnull=True) | Q(agenda_item__is_exempt=False), is_exempt=False
        )


class Decision(models.Model):
    class Status(models.TextChoices):
        MADE = "made", _("Made")
        CALLED_IN = "called_in", _("Called in")
        IMPLEMENTED = "implemented", _("Implemented")

    class Exception(models.TextChoices):
        NONE = "", _("None")
        GENERAL_EXCEPTION = "general_exception", _("General exception")
        SPECIAL_URGENCY = "special_urgency", _("Special urgency")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="decisions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    title = models.CharField(max_length=500)
    text = models.TextField(help_text=_("The decision, in Markdown."))
    reasons = models.TextField(blank=True)
    alternatives_rejected = models.TextField(blank=True)
    conflicts_declared = models.TextField(blank=True)
    dispensations = models.TextField(blank=True)
    decision_maker = models.CharField(max_length=200)
    decided_on = models.DateField(db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_key_decision = models.BooleanField(default=False)
    forward_plan_entry = models.ForeignKey(
        ForwardPlanEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    key_decision_exception = models.CharField(
        max_length=20, choices=Exception.choices, default=Exception.NONE, blank=True
    )
    exception_reason = models.TextField(blank=True)
    # Key decision taken without 28 clear days' forward-plan notice and without a
    # recorded exception: shown as a warning on every public page about it.
    lacks_notice = models.BooleanField(default=False)
    call_in_deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MADE)
    status_reason = models.TextField(blank=True)
    is_exempt = models.BooleanField(default=False, db_index=True)
    source = models.CharField(max_length=30, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["council", "decided_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=~Q(source_id=""),
                name="decision_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:decision", kwargs={"council": self.council.slug, "pk": self.pk})

    def compute_lacks_notice(self) -> bool:
        """A key decision needs a forward-plan entry 28 clear days ahead, or an exception."""
        if not self.is_key_decision or self.key_decision_exception:
            return False
        entry = self.forward_plan_entry
        if entry is None:
            return True
        published = timezone.localdate(entry.published_at)
        return published > law.forward_plan_deadline(self.decided_on)


class VoteQuerySet(models.QuerySet["Vote"]):
    def public(self) -> VoteQuerySet:
        """Votes the public may see: not exempt, nor under an exempt item or decision."""
        return self.filter(
            Q(agenda_item__isnull=True) | Q(agenda_item__is_exempt=False),
            Q(decision__isnull=True) | Q(decision__is_exempt=False),
            is_exempt=False,
        )


class Vote(models.Model):
    """A recorded vote (division) on a motion or recommendation at a meeting."""

    class Outcome(models.TextChoices):
        CARRIED = "carried", _("Carried")
        LOST = "lost", _("Lost")
        TIED = "tied", _("Tied (chair's casting vote recorded in the minutes)")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="votes")
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    motion = models.TextField(help_text=_("What was voted on."))
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    abstentions = models.PositiveIntegerField(default=0)
    is_exempt = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.motion[:80]


class VoteRecord(models.Model):
    class Position(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")
        ABSENT = "absent", _("Absent")
        NOT_VOTING = "not_voting", _("Not voting")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="records")
    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.CASCADE, related_name="vote_records"
    )
    position = models.CharField(max_length=12, choices=Position.choices)

    class Meta:
        ordering = ["vote", "councillor__person__name"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "councillor"], name="one_record_per_vote")
        ]

    def __str__(self) -> str:
        return f"{self.councillor}: {self.get_position_display()}"
