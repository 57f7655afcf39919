"""Ideas and needs residents raise, and what the council does about them.

Models stay thin: every change goes through a verb in :mod:`moothall.ideas.domain`,
which keeps the counters (``support_count``, ``comment_count``), ``last_activity_at``
and the public timeline in step.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility

if TYPE_CHECKING:
    from moothall.councils.models import Council

LATITUDE_RANGE = (Decimal("-90"), Decimal("90"))
LONGITUDE_RANGE = (Decimal("-180"), Decimal("180"))


class IdeaSettings(models.Model):
    """How strongly a person must be tied to the council to propose, support and comment.

    A council without a row uses the defaults (:meth:`for_council`): anyone with a
    verified email address may propose and comment; supporting needs a postcode in
    the council's area, so supports count people who live there.
    """

    council = models.OneToOneField(
        "councils.Council", on_delete=models.CASCADE, related_name="idea_settings"
    )
    propose_level = models.PositiveSmallIntegerField(
        _("who may propose an idea"),
        choices=Eligibility.choices,
        default=Eligibility.EMAIL_VERIFIED,
    )
    support_level = models.PositiveSmallIntegerField(
        _("who may support an idea"),
        choices=Eligibility.choices,
        default=Eligibility.POSTCODE_IN_AREA,
    )
    comment_level = models.PositiveSmallIntegerField(
        _("who may comment"),
        choices=Eligibility.choices,
        default=Eligibility.EMAIL_VERIFIED,
    )
    # Pre-moderation (set from the moderation settings): new ideas, or new comments, wait
    # for a moderator before anyone but their author sees them.
    premoderate_ideas = models.BooleanField(
        _("check ideas before they are published"), default=False
    )
    premoderate_comments = models.BooleanField(
        _("check comments before they are published"), default=False
    )

    class Meta:
        verbose_name_plural = "idea settings"

    def __str__(self) -> str:
        return f"Idea settings of {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> IdeaSettings:
        """The council's saved settings, or (unsaved) the defaults."""
        found = cls.objects.filter(council=council).first()
        return found if found is not None else cls(council=council)


class Idea(models.Model):
    class Kind(models.TextChoices):
        IDEA = "idea", _("Idea")
        NEED = "need", _("Need")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")
        MERGED = "merged", _("Merged into another idea")

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IDEA)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("description"), help_text=_("Markdown."))
    topic = models.ForeignKey(
        "councils.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    # An optional point, typed or picked; never the only way to say where (the ward is).
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # The published reason for the latest status (required for "not taken forward").
    status_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    support_count = models.PositiveIntegerField(default=0)
    # Hidden by a moderator (moothall.moderation): off every public list, page, search and
    # feed, with the reason shown in its place; restored by clearing both.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    # Proposed while the council pre-moderates ideas: seen only by its author and
    # moderators until one approves it (rejecting it hides it).
    awaiting_moderation = models.BooleanField(default=False)
    comment_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The list's three sorts within a council (merged ideas are never listed).
        indexes = [
            models.Index(
                fields=["council", "-created_at", "-id"],
                condition=~Q(status="merged"),
                name="idea_newest",
            ),
            models.Index(
                fields=["council", "-support_count", "-id"],
                condition=~Q(status="merged"),
                name="idea_most_supported",
            ),
            models.Index(
                fields=["council", "-last_activity_at", "-id"],
                condition=~Q(status="merged"),
                name="idea_recently_active",
            ),
            # Filtering by kind, and counting what the filter finds.
            models.Index(
                fields=["council", "kind"], condition=~Q(status="merged"), name="idea_kind"
            ),
            models.Index(fields=["council", "status"], name="idea_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="idea_point_has_both_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=LATITUDE_RANGE[0], latitude__lte=LATITUDE_RANGE[1]),
                name="idea_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | Q(longitude__gte=LONGITUDE_RANGE[0], longitude__lte=LONGITUDE_RANGE[1]),
                name="idea_longitude_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:idea",
            kwargs={"council": self.council.slug, "pk": self.pk, "slug": self.slug},
        )

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "idea"

    @property
    def is_merged(self) -> bool:
        return self.status == self.Status.MERGED

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_public(self) -> bool:
        """Shown to the public (merged ones lead to the idea they joined)."""
        return self.hidden_at is None and not self.awaiting_moderation

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _image_path(instance: IdeaImage, filename: str) -> str:
    # ``filename`` is ours (a random name made by the verb), never the uploader's.
    return f"ideas/images/{filename}"


class IdeaImage(models.Model):
    """A picture of what an idea is about, re-encoded on upload (no EXIF, no GPS).

    Served only through a view that checks the idea may be seen, never from MEDIA_URL.
    """

    class ContentType(models.TextChoices):
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=_image_path, max_length=200)
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the image"), max_length=250)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="idea_image_has_alt_text"),
        ]

    def __str__(self) -> str:
        return self.alt_text

    def get_absolute_url(self) -> str:
        return reverse(
            "public:idea_image",
            kwargs={
                "council": self.idea.council.slug,
                "pk": self.idea_id,
                "image_id": self.pk,
                "extension": self.extension,
            },
        )

    @property
    def extension(self) -> str:
        return "png" if self.content_type == self.ContentType.PNG else "jpg"


class Support(models.Model):
    """One eligible person's support for an idea: at most one each."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the support was given to a duplicate that was merged into this idea.
    carried_from = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["idea", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="support_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} supports {self.idea}"


class Comment(models.Model):
    """A comment on an idea, or a reply to another comment (threads are kept shallow)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea_comments",
    )
    body = models.TextField(help_text=_("Markdown."))
    created_at = models.DateTimeField(default=timezone.now)
    # Moderation: the comment stays in the thread as a placeholder with the reason.
    is_removed = models.BooleanField(default=False)
    removed_reason = models.TextField(blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    # Written while the council pre-moderates comments: seen only by its author and
    # moderators until one approves it (rejecting it removes it), and not counted.
    awaiting_moderation = models.BooleanField(default=False)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="idea_comment_order")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.idea_id}"


class IdeaResponse(models.Model):
    """A public response on an idea, by an officer (in the council's name) or a councillor."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a councillor responded as councillor; empty for the council's own response.
    councillor = models.ForeignKey(
        "councils.Councillor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea_responses",
    )
    # Who the public sees as the author: the councillor's name, or empty for the council.
    display_name = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text=_("Markdown."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "created_at", "id"]

    def __str__(self) -> str:
        return f"Response {self.pk} on {self.idea_id}"


class IdeaAgendaLink(models.Model):
    """An idea placed on a meeting's agenda, and the decision taken on it once there is one."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="agenda_links")
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.CASCADE, related_name="idea_links"
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea_links",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "agenda_item"], name="idea_once_per_agenda_item"
            ),
        ]

    def __str__(self) -> str:
        return f"Idea {self.idea_id} on item {self.agenda_item_id}"


class IdeaTimelineEntry(models.Model):
    """One step in an idea's public history: proposed, status changed, responded, merged,
    placed on an agenda, decision linked. Parameters, not sentences: worded in the
    reader's language by :func:`moothall.ideas.timeline.describe`."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Proposed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        RESPONSE_PUBLISHED = "response_published", _("Response published")
        MERGED = "merged", _("Merged into another idea")
        MERGED_IN = "merged_in", _("Another idea merged into this one")
        PLACED_ON_AGENDA = "placed_on_agenda", _("Placed on a meeting's agenda")
        DECISION_LINKED = "decision_linked", _("Decision linked")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)
    # The agenda item an entry is about, so it leaves the public timeline if the item
    # becomes exempt.
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["idea", "at", "id"]
        verbose_name_plural = "idea timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def describe(self) -> str:
        from moothall.ideas.timeline import describe

        return describe(self)
