"""Councils and who represents whom: councils, wards, parties, people, councillors, postcodes."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Top-level paths that a council slug must never shadow (each council lives at /<slug>/).
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "councils",
        "councillors",
        "postcode",
        "your-councils",
        "static",
        "media",
        "i18n",
        "language",
        "staff",
        "about",
        "help",
        "search",
        "favicon.ico",
        "robots.txt",
        "healthz",
    }
)

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_council_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for the site itself."), params={"slug": value}
        )


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


def validate_brand_colour(value: str) -> None:
    """The brand colour is the header background behind white text: it must meet WCAG AA."""
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Enter a colour as # and six hex digits, like #1d70b8."))
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _("White text on %(colour)s has a contrast of %(ratio).1f:1; it needs at least 4.5:1."),
            params={"colour": value, "ratio": ratio},
        )


class Council(models.Model):
    class Tier(models.TextChoices):
        COUNTY = "county", _("County council")
        DISTRICT = "district", _("District council")
        UNITARY = "unitary", _("Unitary authority")
        PARISH = "parish", _("Parish, town or community council")
        COMBINED = "combined", _("Combined or strategic authority")

    class Nation(models.TextChoices):
        ENGLAND = "england", _("England")
        WALES = "wales", _("Wales")
        SCOTLAND = "scotland", _("Scotland")
        NORTHERN_IRELAND = "northern-ireland", _("Northern Ireland")

    name = models.CharField(_("official name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=120)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_council_slug])
    tier = models.CharField(max_length=20, choices=Tier.choices)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    gss_code = models.CharField(
        _("GSS code"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The ONS Government Statistical Service code, e.g. E07000223."),
    )
    register_code = models.CharField(
        _("register code"),
        max_length=4,
        blank=True,
        db_index=True,
        help_text=_("The three-letter local authority code in the UK council register."),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text=_("The county of a district, or the district a parish lies in."),
    )
    colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d4f76", validators=[validate_brand_colour]
    )
    logo = models.FileField(
        upload_to="councils/logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
    )
    website = models.URLField(blank=True)
    moderngov_url = models.URLField(
        _("ModernGov address"),
        blank=True,
        help_text=_(
            "The base address of the council's ModernGov site, e.g. "
            "https://moderngov.example.gov.uk; meetings are imported from here and documents "
            "are downloaded only from this host."
        ),
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("public:council", kwargs={"council": self.slug})

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A council cannot be its own parent.")})


class Ward(models.Model):
    """A ward, electoral division or parish ward: the area a councillor is elected for."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="wards")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120)
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "slug"], name="ward_unique_slug_per_council"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:ward", kwargs={"council": self.council.slug, "ward": self.slug})


class Topic(models.Model):
    """A subject a council files residents' ideas and petitions under (parks, roads, housing…).

    Residents filter and follow by topic; "You said, we did" reports by it.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "slug"], name="topic_unique_slug_per_council"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def named(cls, name: str) -> Party | None:
        name = " ".join(name.split())
        if not name:
            return None
        party, _ = cls.objects.get_or_create(name=name, defaults={"slug": slugify(name)[:200]})
        return party


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CouncillorQuerySet(models.QuerySet["Councillor"]):
    def current(self, on: dt.date | None = None) -> CouncillorQuerySet:
        on = on or timezone.localdate()
        current_terms = TermOfOffice.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            councillor=models.OuterRef("pk"),
        )
        return self.filter(models.Exists(current_terms))


class Councillor(models.Model):
    """A person's seat on one council, for one ward, with the contact they publish for it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="seats")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="councillors")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="councillors"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="councillors"
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("How they are addressed, e.g. “Councillor Jane Smith”."),
    )
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=50, blank=True)
    work_address = models.TextField(blank=True)
    surgery_details = models.TextField(blank=True)
    photo_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=30, blank=True, help_text=_("Where the record came from."))
    source_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CouncillorQuerySet.as_manager()

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=~Q(source_id=""),
                name="councillor_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.person)

    def get_absolute_url(self) -> str:
        return reverse(
            "public:councillor",
            kwargs={
                "council": self.council.slug,
                "pk": self.pk,
                "slug": self.person.slug or "councillor",
            },
        )

    @property
    def name(self) -> str:
        return self.person.name


class TermOfOffice(models.Model):
    councillor = models.ForeignKey(Councillor, on_delete=models.CASCADE, related_name="terms")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text=_("Empty while the term is open."))

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.start_date or '?'} – {self.end_date or ''}"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        started = self.start_date is None or self.start_date <= on
        return started and (self.end_date is None or self.end_date >= on)


class KeyPost(models.Model):
    """A role or key post, e.g. “Leader of the Council” or “Cabinet Member for Housing”."""

    councillor = models.ForeignKey(Councillor, on_delete=models.CASCADE, related_name="key_posts")
    title = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Postcode(models.Model):
    """One postcode and the areas it lies in, by GSS code (ONS postcode directory style).

    Codes rather than foreign keys: the directory is imported whole and on its
    own, before or after the councils, and looked up against Council/Ward codes.
    """

    postcode = models.CharField(max_length=8, unique=True, help_text=_("Canonical, e.g. SW1A 1AA."))
    ward_gss = models.CharField(max_length=9, blank=True)
    division_gss = models.CharField(
        max_length=9, blank=True, help_text=_("County electoral division (ONS ‘ced’).")
    )
    district_gss = models.CharField(max_length=9, blank=True)
    county_gss = models.CharField(max_length=9, blank=True)
    parish_gss = models.CharField(max_length=9, blank=True)

    def __str__(self) -> str:
        return self.postcode
