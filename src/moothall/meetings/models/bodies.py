"""Decision-making bodies and who sits on them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Body(models.Model):
    """Full council, cabinet, a committee, sub-committee, scrutiny panel or parish meeting."""

    class Kind(models.TextChoices):
        FULL_COUNCIL = "full_council", _("Full council")
        CABINET = "cabinet", _("Cabinet")
        COMMITTEE = "committee", _("Committee")
        SUB_COMMITTEE = "sub_committee", _("Sub-committee")
        SCRUTINY = "scrutiny", _("Scrutiny committee")
        PANEL = "panel", _("Panel")
        PARISH_MEETING = "parish_meeting", _("Parish meeting")

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMITTEE)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sub_bodies",
        help_text=_("The committee a sub-committee reports to."),
    )
    purpose = models.TextField(blank=True, help_text=_("Terms of reference, in Markdown."))
    is_active = models.BooleanField(default=True)
    source = models.CharField(max_length=30, blank=True, help_text=_("Where the record came from."))
    source_id = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        constraints = [
            models.UniqueConstraint(fields=["council", "slug"], name="body_unique_slug"),
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=~Q(source_id=""),
                name="body_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:body", kwargs={"council": self.council.slug, "body": self.slug})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: dt.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        MEMBER = "member", _("Member")
        SUBSTITUTE = "substitute", _("Substitute")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=30, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body", "role", "councillor__person__name"]
        indexes = [models.Index(fields=["councillor", "body"])]

    def __str__(self) -> str:
        return f"{self.councillor} – {self.get_role_display()} of {self.body}"
