"""Petitions under a council's petition scheme, their signatures, counts and obligations.

Models stay thin: every change goes through a verb in :mod:`moothall.petitions.domain`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council

# Confirmed signatures are counted in this many rows per petition and ward, picked at
# random, so that thousands of people signing one petition at once do not all wait
# on one row. The page adds them up; a periodic exact recount corrects any drift.
TALLY_SHARDS = 16


def new_token() -> str:
    return secrets.token_urlsafe(24)


def source_of(ip_address: str | None) -> str:
    """Where a signature came from, as the flood flags count it: an IPv4 address as it is,
    an IPv6 address as its /64 network (one home or phone connection is given a whole /64
    and may rotate through its addresses at will). Empty when unknown."""
    if not ip_address:
        return ""
    try:
        found = ipaddress.ip_address(ip_address)
    except ValueError:
        return ""
    if isinstance(found, ipaddress.IPv6Address):
        if found.ipv4_mapped is not None:
            return str(found.ipv4_mapped)
        return str(ipaddress.IPv6Network((found, 64), strict=False))
    return str(found)


class Basis(models.TextChoices):
    """Why someone may sign: their tie to the council's area, as the scheme allows."""

    LIVES = "lives", _("I live in the area")
    WORKS = "works", _("I work in the area")
    STUDIES = "studies", _("I study in the area")


class PetitionScheme(models.Model):
    """A council's petition scheme: its own rules, edited by its admin.

    A council without a row follows :meth:`for_council`'s defaults (those of a typical
    English district council's scheme).
    """

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="petition_scheme"
    )
    allow_lives = models.BooleanField(_("people who live in the area may sign"), default=True)
    allow_works = models.BooleanField(_("people who work in the area may sign"), default=True)
    allow_studies = models.BooleanField(_("people who study in the area may sign"), default=True)
    sponsors_required = models.PositiveSmallIntegerField(
        _("sponsors needed before publication"),
        default=5,
        validators=[MaxValueValidator(100)],
        help_text=_("People who support the petition before it is published (0 for none)."),
    )
    pre_moderation = models.BooleanField(
        _("check each petition before it is published"), default=True
    )
    duration_days = models.PositiveSmallIntegerField(
        _("how long a petition is open (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    response_threshold = models.PositiveIntegerField(
        _("signatures for an officer response"),
        null=True,
        blank=True,
        default=10,
        help_text=_("Leave empty when the scheme has no such step."),
    )
    hearing_threshold = models.PositiveIntegerField(
        _("signatures for a committee hearing"), null=True, blank=True, default=500
    )
    debate_threshold = models.PositiveIntegerField(
        _("signatures for a full-council debate"), null=True, blank=True, default=1000
    )
    response_working_days = models.PositiveSmallIntegerField(
        _("working days to respond"), default=10, validators=[MaxValueValidator(250)]
    )
    hearing_working_days = models.PositiveSmallIntegerField(
        _("working days to hold the hearing"), default=40, validators=[MaxValueValidator(250)]
    )
    debate_working_days = models.PositiveSmallIntegerField(
        _("working days to hold the debate"), default=40, validators=[MaxValueValidator(250)]
    )
    obligation_owner = models.CharField(
        _("who answers for petitions"),
        max_length=200,
        default="Democratic Services",
        help_text=_("The team named as owner of new obligations, until an officer is assigned."),
    )
    # Abuse controls. They flag quietly: the person signing is never told.
    flag_per_address_per_hour = models.PositiveSmallIntegerField(
        _("signatures from one internet address in an hour before they are flagged"),
        default=20,
        validators=[MinValueValidator(1)],
    )
    alert_per_domain_per_hour = models.PositiveSmallIntegerField(
        _("signatures from one uncommon email domain in an hour before moderators are alerted"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    retention_days = models.PositiveSmallIntegerField(
        _("days after closing before signers' personal data is deleted"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    description = models.TextField(
        _("the scheme in the council's words"),
        blank=True,
        help_text=_("Markdown; shown on the page that explains how petitions work here."),
    )

    def __str__(self) -> str:
        return f"Petition scheme of {self.council}"

    @classmethod
    def for_council(cls, council: Council) -> PetitionScheme:
        """The council's saved scheme, or (unsaved) the defaults."""
        return cls.objects.filter(council=council).first() or cls(council=council)

    def allowed_bases(self) -> list[str]:
        allowed = [
            (self.allow_lives, Basis.LIVES),
            (self.allow_works, Basis.WORKS),
            (self.allow_studies, Basis.STUDIES),
        ]
        return [str(basis) for ok, basis in allowed if ok]


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        GATHERING_SPONSORS = "gathering_sponsors", _("Gathering sponsors")
        AWAITING_MODERATION = "awaiting_moderation", _("Awaiting moderation")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        RESPONDED = "responded", _("Responded")
        DEBATED = "debated", _("Debated")
        REJECTED = "rejected", _("Rejected")
        # Rejected and kept off the public site: offensive, defamatory, or holding someone's
        # personal data (publishing the reason would publish the harm).
        REMOVED = "removed", _("Removed")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="petitions")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions_created",
    )
    creator_name = models.CharField(
        _("name shown as the petition's creator"), max_length=200, blank=True
    )
    title = models.CharField(_("title"), max_length=150)
    action = models.TextField(
        _("what you want the council to do"),
        max_length=800,
        help_text=_("One or two sentences."),
    )
    background = models.TextField(
        _("background"), max_length=5000, blank=True, help_text=_("Markdown.")
    )
    topic = models.ForeignKey(
        "councils.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    rejection_reason = models.TextField(_("published reason for rejection"), blank=True)
    sponsor_token = models.CharField(max_length=40, default=new_token, unique=True)
    is_paper = models.BooleanField(
        _("started on paper"),
        default=False,
        help_text=_("Entered by an officer from a paper petition handed in to the council."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("the council's response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # The exact count at the last recount (lists sort by it); pages show the live tally.
    signature_count = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["council", "status", "-opened_at"], name="petition_council_status"
            ),
            models.Index(fields=["council", "-signature_count"], name="petition_council_count"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:petition",
            kwargs={"council": self.council.slug, "pk": self.pk, "slug": self.slug},
        )

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "petition"

    @property
    def is_public(self) -> bool:
        """Shown on the public site (a rejected petition stays, with its reason)."""
        return self.status not in (
            self.Status.DRAFT,
            self.Status.GATHERING_SPONSORS,
            self.Status.AWAITING_MODERATION,
            self.Status.REMOVED,
        )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        INVALIDATED = "invalidated", _("Invalidated")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    # The address reduced to one person: lower case, no "+tag", Gmail's dots ignored.
    email_key = models.CharField(max_length=254, blank=True)
    email_domain = models.CharField(max_length=254, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.LIVES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petition_signatures",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    is_sponsor = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=40, default=new_token, unique=True)
    wants_updates = models.BooleanField(default=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The address the flood flags count by (see source_of): IPv4 address or IPv6 /64.
    source = models.CharField(max_length=64, blank=True)
    # Internal abuse signals, never shown to the signer.
    flagged = models.BooleanField(default=False)
    flag_reasons = models.JSONField(default=list, blank=True)
    invalidation = models.ForeignKey(
        "Invalidation", null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One signature per person per petition (paper signatures carry no email).
            models.UniqueConstraint(
                fields=["petition", "email_key"],
                condition=~models.Q(email_key=""),
                name="signature_one_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "status"], name="signature_petition_status"),
            models.Index(fields=["petition", "source", "created_at"], name="signature_source"),
            models.Index(
                fields=["petition", "email_domain", "created_at"], name="signature_domain"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.petition_id}"


class SignatureTally(models.Model):
    """Part of a petition's count for one ward (or none): see TALLY_SHARDS."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "ward", "shard"],
                condition=models.Q(ward__isnull=False),
                name="tally_unique_ward_shard",
            ),
            models.UniqueConstraint(
                fields=["petition", "shard"],
                condition=models.Q(ward__isnull=True),
                name="tally_unique_shard_no_ward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} for petition {self.petition_id}, ward {self.ward_id}"


class PaperCount(models.Model):
    """A verified count of a paper petition's signatures, entered by an officer."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="paper_counts")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.count} paper signatures on petition {self.petition_id}"


class Invalidation(models.Model):
    """Signatures struck out together by a moderator, with the reason (never told to signers)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    reason = models.TextField()
    criteria = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=0)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.count} signatures invalidated on petition {self.petition_id}"


class AbuseAlert(models.Model):
    """Moderators are told when one address or email domain signs a petition unusually often."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("One internet address")
        DOMAIN = "domain", _("One email domain")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=254)
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind", "key"], name="alert_once_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} on petition {self.petition_id}"


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def open(self) -> ObligationQuerySet:
        return self.filter(fulfilled_at__isnull=True)

    def overdue(self, today: dt.date | None = None) -> ObligationQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Obligation(models.Model):
    """What the council owes a petition once enough people signed: a response, a hearing at
    committee or a debate at full council, with an owner and a deadline in working days."""

    class Kind(models.TextChoices):
        RESPOND = "respond", _("Officer response")
        HEAR = "hear", _("Committee hearing")
        DEBATE = "debate", _("Full-council debate")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="obligations")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    threshold = models.PositiveIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind"], name="obligation_once_per_kind"),
        ]
        indexes = [
            models.Index(fields=["council", "fulfilled_at", "due_on"], name="obligation_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.petition}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.fulfilled_at is None and self.due_on < (today or timezone.localdate())

    @property
    def owner_label(self) -> str:
        # A named officer, else the team (never an officer's email address).
        if self.owner is not None and self.owner.name:
            return self.owner.name
        return self.owner_name


class Hearing(models.Model):
    """A petition placed on a meeting's agenda (heard at committee or debated at council),
    and the decision taken there once it is linked back."""

    class Kind(models.TextChoices):
        HEAR = "hear", _("Committee hearing")
        DEBATE = "debate", _("Full-council debate")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.PROTECT, related_name="petition_hearings"
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petition_hearings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "agenda_item"], name="hearing_once_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of petition {self.petition_id}"


class PetitionEvent(models.Model):
    """One line of a petition's public timeline (and a few private ones for staff)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Petition started")
        SUBMITTED = "submitted", _("Sent for sponsors")
        SPONSORED = "sponsored", _("Enough sponsors")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        THRESHOLD = "threshold", _("Threshold reached")
        PAPER = "paper", _("Paper signatures added")
        INVALIDATED = "invalidated", _("Signatures invalidated")
        CLOSED = "closed", _("Closed")
        PLACED = "placed", _("Placed on an agenda")
        DECISION = "decision", _("Decision taken")
        RESPONDED = "responded", _("Council responded")
        DEBATED = "debated", _("Debated")
        OWNER = "owner", _("Owner assigned")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on petition {self.petition_id}"
