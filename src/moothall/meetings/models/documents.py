"""Documents (agenda packs, reports, minutes…) and the files behind them, stored once each."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _stored_file_path(instance: StoredFile, filename: str) -> str:
    # Named by content hash: the same bytes always land at the same path.
    return f"documents/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class StoredFile(models.Model):
    """The bytes of a document, stored once however many documents share them."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        DOCX = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "DOCX",
        )
        HTML = "text/html", "HTML"

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=_stored_file_path, max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, choices=ContentType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type}, {self.size} bytes)"

    @property
    def extension(self) -> str:
        extensions: dict[str, str] = {
            self.ContentType.PDF: "pdf",
            self.ContentType.DOCX: "docx",
            self.ContentType.HTML: "html",
        }
        return extensions.get(self.content_type, "bin")


class DocumentQuerySet(models.QuerySet["Document"]):
    def public(self) -> DocumentQuerySet:
        """Documents the public may see: published, and never exempt — neither marked so
        themselves nor under an exempt item. (The verbs keep ``is_exempt`` in step with
        both; the extra conditions make every public channel safe even if a row drifts.)"""
        return self.filter(
            Q(agenda_item__isnull=True) | Q(agenda_item__is_exempt=False),
            is_exempt=False,
            exempt_paragraph__isnull=True,
            published_at__isnull=False,
        )


class Document(models.Model):
    class Kind(models.TextChoices):
        AGENDA_PACK = "agenda_pack", _("Agenda pack")
        REPORT = "report", _("Report")
        APPENDIX = "appendix", _("Appendix")
        MINUTES = "minutes", _("Minutes")
        DECISION_NOTICE = "decision_notice", _("Decision notice")
        OTHER = "other", _("Other document")

    class Extraction(models.TextChoices):
        PENDING = "pending", _("Waiting to be read")
        DONE = "done", _("Text extracted")
        FAILED = "failed", _("Text could not be extracted")

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="documents"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=500)
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="documents")
    original_name = models.CharField(max_length=255, blank=True)
    # Exempt when attached to an exempt item, or marked so by the clerk; kept by verbs.
    is_exempt = models.BooleanField(default=False, db_index=True)
    exempt_paragraph = models.PositiveSmallIntegerField(null=True, blank=True)
    # When the public could first see it (with the agenda, or on upload afterwards).
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    text = models.TextField(blank=True, help_text=_("Extracted for search."))
    extraction = models.CharField(
        max_length=20, choices=Extraction.choices, default=Extraction.PENDING
    )
    extraction_error = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=30, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "agenda_item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=~Q(source_id=""),
                name="document_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:document", kwargs={"council": self.council.slug, "pk": self.pk})
