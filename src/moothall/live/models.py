"""A meeting followed live and remembered afterwards.

Live: the state of a running meeting (:class:`LiveMeeting`), the numbered events the
public stream carries (:class:`LiveEvent`), which agenda item ran when
(:class:`ItemSpan`), the officers' live blog (:class:`BlogPost`), residents' comments
(:class:`Comment`) and attendees' photos, audio and video (:class:`Media`).

The record: recordings (:class:`Recording`), where each agenda item starts in them
(:class:`Chapter`) and their transcripts (:class:`Segment`).

Every change goes through the verbs in :mod:`moothall.live.domain` and friends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from moothall.councils.models import Council


class Moderation(models.TextChoices):
    PRE = "pre", _("Checked before it is shown (pre-moderation)")
    POST = "post", _("Shown at once, removed if it breaks the rules (post-moderation)")


class LiveSettings(models.Model):
    """How a council runs the live side of its meetings. One row per council at most;
    :meth:`for_council` gives the defaults when there is none."""

    council = models.OneToOneField(
        "councils.Council", on_delete=models.CASCADE, related_name="live_settings"
    )
    comment_moderation = models.CharField(
        _("public comments"), max_length=4, choices=Moderation.choices, default=Moderation.POST
    )
    media_moderation = models.CharField(
        _("attendees' photos, audio and video"),
        max_length=4,
        choices=Moderation.choices,
        default=Moderation.PRE,
    )
    comment_max_length = models.PositiveSmallIntegerField(
        _("longest comment (characters)"),
        default=500,
        validators=[MinValueValidator(50), MaxValueValidator(2000)],
    )
    comments_per_window = models.PositiveSmallIntegerField(
        _("comments one person may post in ten minutes"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    image_max_mb = models.PositiveSmallIntegerField(
        _("largest photo (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    audio_max_mb = models.PositiveSmallIntegerField(
        _("largest audio file (MB)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    video_max_mb = models.PositiveSmallIntegerField(
        _("largest video file (MB)"),
        default=200,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )

    class Meta:
        verbose_name_plural = "live settings"

    def __str__(self) -> str:
        return f"Live settings of {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> LiveSettings:
        """The council's saved settings, or (unsaved) the defaults."""
        found = cls.objects.filter(council=council).first()
        return found if found is not None else cls(council=council)


class LiveMeeting(models.Model):
    """The live state of one meeting: made by ``start_live``, changed only by the verbs."""

    class Status(models.TextChoices):
        LIVE = "live", _("Live")
        ADJOURNED = "adjourned", _("Adjourned")
        ENDED = "ended", _("Ended")

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="live"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    current_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The number of the newest event; the next event takes last_seq + 1.
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.meeting} ({self.status})"

    @property
    def in_private(self) -> bool:
        """True while the meeting is on an exempt item: the public is excluded."""
        item = self.current_item
        return item is not None and item.is_exempt and self.status == self.Status.LIVE


class LiveEvent(models.Model):
    """One numbered event of a meeting's live stream, kept so that a client that
    reconnects (``Last-Event-ID``) is sent what it missed, in order."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="live_events"
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="live_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.seq} {self.kind}"


class ItemSpan(models.Model):
    """An agenda item was under discussion from ``started_at`` to ``ended_at`` (an item
    taken twice has two spans). Kept by the live verbs; the clerk may correct them."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="spans")
    item = models.ForeignKey("meetings.AgendaItem", on_delete=models.CASCADE, related_name="spans")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} from {self.started_at:%H:%M:%S}"


class Contribution(models.TextChoices):
    """Where a comment or an upload stands."""

    PENDING = "pending", _("Waiting for a moderator")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    REMOVED = "removed", _("Removed")


def _live_file_path(instance: models.Model, filename: str) -> str:
    # ``filename`` is ours (random, made by the verb), never the uploader's.
    return f"live/{filename}"


class BlogPost(models.Model):
    """A short post on the officers' live blog: text, an optional link and photo."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="blog_posts"
    )
    item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(help_text=_("Markdown."))
    link = models.URLField(max_length=500, blank=True)
    photo = models.FileField(upload_to=_live_file_path, max_length=200, blank=True)
    photo_alt = models.CharField(max_length=250, blank=True)
    is_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Comment(models.Model):
    """A resident's short comment on the item under discussion."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="comments"
    )
    item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_comments"
    )
    display_name = models.CharField(max_length=150)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Contribution.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class Media(models.Model):
    """A photo, audio or video file from someone at the meeting, checked by content;
    photos are re-encoded without metadata (EXIF, GPS)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="media")
    item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_media"
    )
    display_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to=_live_file_path, max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField(max_length=250)
    status = models.CharField(max_length=10, choices=Contribution.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(condition=~Q(caption=""), name="live_media_has_caption"),
        ]

    def __str__(self) -> str:
        return self.caption


class Recording(models.Model):
    """A recording of a meeting: a webcast's address or an uploaded file."""

    class Transcript(models.TextChoices):
        NONE = "none", _("No transcript")
        QUEUED = "queued", _("Waiting to be transcribed")
        RUNNING = "running", _("Being transcribed")
        DONE = "done", _("Transcribed")
        FAILED = "failed", _("Transcription failed")

    class Source(models.TextChoices):
        CAPTIONS = "captions", _("Imported captions")
        SPEECH = "speech", _("Speech to text")

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="recordings"
    )
    title = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=_live_file_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # The wall-clock moment at offset 0 of the recording: lines it up with the live
    # timeline. Empty when unknown (then the clerk enters item start offsets).
    started_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    transcript_status = models.CharField(
        max_length=10, choices=Transcript.choices, default=Transcript.NONE
    )
    transcript_source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    transcript_progress = models.FloatField(default=0.0)  # 0..1 while running
    transcript_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="live_recording_has_url_or_file"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Recording of {self.meeting}"


class Chapter(models.Model):
    """Where an agenda item starts in a recording, in seconds from its start: from the
    live timeline or entered by the clerk afterwards. An item runs to the next chapter."""

    class Source(models.TextChoices):
        TIMELINE = "timeline", _("From the live timeline")
        CLERK = "clerk", _("Entered by the clerk")

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chapters")
    item = models.ForeignKey("meetings.AgendaItem", on_delete=models.CASCADE, related_name="+")
    start_s = models.FloatField(validators=[MinValueValidator(0.0)])
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["recording", "start_s", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} at {self.start_s:.0f}s"


class Segment(models.Model):
    """A stretch of a transcript: when, what was said, who said it, under which item."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    start_s = models.FloatField()
    end_s = models.FloatField()
    text = models.TextField()
    # The caption file's or the speech engine's own name for the voice ("Speaker 2",
    # "Cllr Jones"), kept as found; ``councillor`` is who the clerk says it was.
    speaker = models.CharField(max_length=200, blank=True)
    councillor = models.ForeignKey(
        "councils.Councillor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["recording", "position"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "position"], name="live_segment_position"),
            models.CheckConstraint(
                condition=Q(end_s__gte=models.F("start_s")), name="live_segment_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_s:.1f}–{self.end_s:.1f} {self.text[:40]}"
