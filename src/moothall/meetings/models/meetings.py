"""Meetings, their agendas, who attended, and the public timeline of each meeting."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.meetings import law

if TYPE_CHECKING:
    from moothall.councils.models import Council

# Local Government Act 1972 Schedule 12A: the seven kinds of exempt information (England).
EXEMPT_PARAGRAPHS = [
    (1, _("1. Information relating to any individual")),
    (2, _("2. Information likely to reveal the identity of an individual")),
    (3, _("3. Financial or business affairs of any particular person")),
    (4, _("4. Labour relations consultations or negotiations")),
    (5, _("5. Legal professional privilege")),
    (6, _("6. Notices, orders or directions the authority proposes to give or make")),
    (7, _("7. The prevention, investigation or prosecution of crime")),
]


class MeetingSettings(models.Model):
    """A council's own rules for meetings (its standing orders), editable by its admin.

    A council without a row follows the law's defaults (:meth:`for_council`).
    """

    council = models.OneToOneField(
        "councils.Council", on_delete=models.CASCADE, related_name="meeting_settings"
    )
    notice_clear_days = models.PositiveSmallIntegerField(
        _("clear working days of notice"),
        validators=[MaxValueValidator(30)],
        help_text=_("5 for principal councils in England; 3 in Wales and for parish councils."),
    )
    call_in_days = models.PositiveSmallIntegerField(
        _("call-in period (working days)"),
        default=5,
        validators=[MaxValueValidator(30)],
        help_text=_("Working days after a decision is published during which it can be called in."),
    )
    public_submission_days = models.PositiveSmallIntegerField(
        _("public questions deadline (working days before the meeting)"),
        default=3,
        validators=[MaxValueValidator(30)],
    )
    public_submission_max_length = models.PositiveIntegerField(
        default=2000, validators=[MinValueValidator(100), MaxValueValidator(20000)]
    )
    document_max_bytes = models.PositiveIntegerField(
        _("largest document (bytes)"),
        default=50 * 1024 * 1024,
        validators=[MinValueValidator(1024), MaxValueValidator(500 * 1024 * 1024)],
    )

    class Meta:
        verbose_name_plural = "meeting settings"

    def __str__(self) -> str:
        return f"Meeting settings of {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> MeetingSettings:
        """The council's saved settings, or (unsaved) the law's defaults for its tier and nation."""
        found = cls.objects.filter(council=council).first()
        if found is not None:
            return found
        return cls(
            council=council,
            notice_clear_days=law.default_notice_clear_days(council.tier, council.nation),
        )


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(start__gte=now).order_by("start", "id")

    def past(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(start__lt=now).order_by("-start", "-id")


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="meetings"
    )
    body = models.ForeignKey("meetings.Body", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=300, blank=True, help_text=_("Empty for the body's name."))
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    status_reason = models.TextField(blank=True)
    webcast_url = models.URLField(max_length=500, blank=True)
    agenda_published_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the notice and agenda were published.")
    )
    publication_deadline = models.DateField(
        null=True, blank=True, help_text=_("The last day to publish with the notice the law needs.")
    )
    agenda_late = models.BooleanField(default=False)
    # Published on the council's own site before it came to Moothall (an import): the date
    # of publication is unknown, so no judgement on lateness is made.
    agenda_published_elsewhere = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=30, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["council", "start"]),
            models.Index(fields=["body", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=~Q(source_id=""),
                name="meeting_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title}, {timezone.localtime(self.start):%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("public:meeting", kwargs={"council": self.council.slug, "pk": self.pk})

    @property
    def display_title(self) -> str:
        return self.title or self.body.name

    @property
    def is_agenda_published(self) -> bool:
        return self.agenda_published_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def public(self) -> AgendaItemQuerySet:
        """Items whose text the public may read: never exempt ones."""
        return self.filter(is_exempt=False)


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        APOLOGIES = "apologies", _("Apologies for absence")
        DECLARATIONS = "declarations", _("Declarations of interest")
        MINUTES = "minutes", _("Minutes")
        REPORT = "report", _("Report")
        MOTION = "motion", _("Motion")
        QUESTION = "question", _("Question")
        PETITION = "petition", _("Petition")
        URGENT = "urgent", _("Urgent business")
        EXEMPT = "exempt", _("Exempt (private) business")
        OTHER = "other", _("Other business")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0, help_text=_("Order among its siblings."))
    number = models.CharField(max_length=20, blank=True, help_text=_("1, 2, 2a …; kept by verbs."))
    sort_key = models.CharField(max_length=60, blank=True, db_index=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPORT)
    exempt_paragraph = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=EXEMPT_PARAGRAPHS
    )
    # Confidential information (LGA 1972 s.100A(3)): information a government department
    # or the law forbids the council to disclose. Never published, like exempt items.
    is_confidential = models.BooleanField(default=False)
    # True when this item or an item it sits under is exempt or confidential; kept by the
    # verbs so
    # that every public channel can filter with one indexed column.
    is_exempt = models.BooleanField(default=False, db_index=True)
    is_urgent = models.BooleanField(default=False)
    urgency_reason = models.TextField(blank=True)
    is_late = models.BooleanField(
        default=False, help_text=_("Added after the agenda was published.")
    )
    lead_officer = models.CharField(max_length=200, blank=True)
    portfolio = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=30, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "sort_key", "id"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#item-{self.pk}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")
        SUBSTITUTE = "substitute", _("Substitute")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    substitute_for = models.ForeignKey(
        "councils.Councillor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substituted_by",
    )
    role = models.CharField(max_length=100, blank=True, help_text=_("e.g. Chair, In attendance."))

    class Meta:
        ordering = ["meeting", "councillor__person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "councillor"], name="attendance_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.councillor}: {self.get_status_display()}"


class Declaration(models.Model):
    """A declaration of interest made at a meeting."""

    class Kind(models.TextChoices):
        PECUNIARY = "pecuniary", _("Disclosable pecuniary interest")
        REGISTRABLE = "registrable", _("Other registrable interest")
        NON_REGISTRABLE = "non_registrable", _("Non-registrable interest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="declarations")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.CASCADE, related_name="declarations"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    left_the_room = models.BooleanField(default=False)
    dispensation = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return f"{self.councillor}: {self.get_kind_display()}"


class PublicSubmission(models.Model):
    """A resident's public question, deputation or request to speak at a meeting."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Public question")
        DEPUTATION = "deputation", _("Deputation")
        SPEAK = "speak", _("Request to speak")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="submissions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_submissions"
    )
    display_name = models.CharField(max_length=200, help_text=_("The name shown on the agenda."))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.TextField(blank=True, help_text=_("Why it was declined."))
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.display_name}"


class TimelineEntry(models.Model):
    """One step in a meeting's public history: created, agenda published, postponed…"""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=50)
    # Parameters for the sentence the public reads (worded in their language by
    # moothall.meetings.timeline.describe); details of exempt items never go here.
    details = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    # The agenda item the entry is about (its papers, votes and decisions included), so
    # that the entry leaves the public timeline if the item becomes exempt.
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def describe(self) -> str:
        from moothall.meetings.timeline import describe

        return describe(self)
