"""Write to your councillor: messages from residents, replies, and senders a councillor blocked.

A message goes from one resident to one councillor; writing to every councillor of
a ward makes one message per councillor sharing a ``group_id``. Each message has two
secret tokens: ``token`` is the councillor's (their reply link and the Reply-To of what
they are sent), ``sender_token`` the resident's (the Reply-To of what the resident is
sent). Keeping them apart means the resident can never use the councillor's link.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council


def new_token() -> str:
    """128 random bits as 32 lower-case hex digits: safe in an email local part, whatever
    case a mail server folds it to."""
    return secrets.token_hex(16)


class CorrespondenceSettings(models.Model):
    """A council's own limits on writing to its councillors. Without a row, the defaults."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="correspondence_settings"
    )
    is_open = models.BooleanField(
        _("residents may write to councillors"),
        default=True,
        help_text=_("Turn off to stop new messages; replies to earlier ones still work."),
    )
    messages_per_day = models.PositiveSmallIntegerField(
        _("messages a person may send in 24 hours"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Letters and replies together; a letter to every councillor of a ward counts once."
        ),
    )
    max_length = models.PositiveIntegerField(
        _("longest message (characters)"),
        default=5000,
        validators=[MinValueValidator(500), MaxValueValidator(20000)],
    )

    class Meta:
        verbose_name_plural = "correspondence settings"

    def __str__(self) -> str:
        return f"Correspondence settings of {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> CorrespondenceSettings:
        """The council's saved settings, or (unsaved) the defaults."""
        return cls.objects.filter(council=council).first() or cls(council=council)


class Message(models.Model):
    """One resident's message to one councillor, and the state of the conversation."""

    class Status(models.TextChoices):
        SENT = "sent", _("Awaiting a reply")
        ANSWERED = "answered", _("Answered")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="messages")
    # A councillor record is never deleted by the importers; PROTECT keeps the record of
    # what they were sent (and their response rate) from vanishing by accident.
    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.PROTECT, related_name="messages"
    )
    # A person who closes their account takes their letters with them.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent"
    )
    sender_name = models.CharField(_("sender's name"), max_length=200)
    sender_postcode = models.CharField(
        _("sender's postcode"), max_length=8, help_text=_("As declared when they wrote.")
    )
    group_id = models.UUIDField(
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Shared by the messages of one letter to several councillors."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # SHA-256 of the text folded to lower case with its spaces collapsed: repeats are refused.
    body_hash = models.CharField(max_length=64)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    sender_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(db_index=True)
    first_reply_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the councillor first replied (for statistics).")
    )
    last_activity_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["councillor", "created_at"], name="message_councillor_created"),
            models.Index(fields=["sender", "created_at"], name="message_sender_created"),
            models.Index(fields=["sender", "councillor", "body_hash"], name="message_repeat"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} to {self.councillor}"

    def get_absolute_url(self) -> str:
        """The conversation as the resident who wrote sees it."""
        return reverse(
            "public:correspondence_message", kwargs={"council": self.council.slug, "pk": self.pk}
        )

    def get_inbox_url(self) -> str:
        """The conversation in the councillor's inbox (signed in)."""
        return reverse(
            "public:correspondence_inbox_message",
            kwargs={"council": self.council.slug, "pk": self.pk},
        )

    def get_reply_url(self) -> str:
        """The councillor's reply link: works without signing in, so only they are sent it."""
        return reverse(
            "public:correspondence_reply",
            kwargs={"council": self.council.slug, "token": self.token},
        )


class Reply(models.Model):
    """A reply in a conversation, by the councillor or by the resident who wrote."""

    class Author(models.TextChoices):
        COUNCILLOR = "councillor", _("Councillor")
        SENDER = "sender", _("Sender")

    class Via(models.TextChoices):
        WEB = "web", _("On the site")
        EMAIL = "email", _("By email")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    author = models.CharField(max_length=12, choices=Author.choices)
    body = models.TextField()
    via = models.CharField(max_length=8, choices=Via.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply {self.pk} by the {self.author} to message {self.message_id}"


class SenderBlock(models.Model):
    """A councillor will take no more messages from this person through the site."""

    councillor = models.ForeignKey(
        "councils.Councillor", on_delete=models.CASCADE, related_name="sender_blocks"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(blank=True, help_text=_("For the councillor's own record."))
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["councillor", "sender"], name="sender_block_once_per_councillor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.councillor} blocked sender {self.sender_id}"
