"""People who sign in, their per-council roles and how sure we are they live somewhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone with an account. Email is the identifier; a password is optional."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=8,
        blank=True,
        help_text=_("Where the person says they live; tells us their councils and wards."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Platform staff: may use the Django admin.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the person deleted their account; the row stays as an anonymous tombstone."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # email is the username field; nothing else is asked for

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name()

    @property
    def is_erased(self) -> bool:
        """A deleted account: the row is kept, anonymised, for what points at it."""
        return self.erased_at is not None

    def get_short_name(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        if self.erased_at is not None:
            return str(_("Former participant"))
        return self.name or self.email


class Role(models.Model):
    """A person's role at one council. Residents need no row: being signed in is enough."""

    class Kind(models.TextChoices):
        COUNCILLOR = "councillor", _("Councillor")
        OFFICER = "officer", _("Officer")
        MODERATOR = "moderator", _("Moderator")
        COUNCIL_ADMIN = "council_admin", _("Council administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    councillor = models.ForeignKey(
        "councils.Councillor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a councillor role: their public councillor record."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "council", "kind"], name="role_unique_per_council"
            ),
            # Only a councillor role points at a public councillor record.
            models.CheckConstraint(
                condition=models.Q(kind="councillor") | models.Q(councillor__isnull=True),
                name="role_councillor_link_only_for_councillors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} at {self.council}"


class ResidentVerification(models.Model):
    """Evidence that a person lives in a council's area, stronger than a declared postcode."""

    class Method(models.TextChoices):
        LETTER = "letter", _("Code sent by post to the address")
        IN_PERSON = "in_person", _("Checked in person by an officer")
        PHONE = "phone", _("Checked by phone by an officer")
        SSO = "sso", _("Council single sign-on")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications"
    )
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="verifications"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    reason = models.TextField(help_text=_("What was checked, in the officer's words."))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(
        blank=True, help_text=_("Why the verification was withdrawn, in the officer's words.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one standing verification per person and council: a second
            # one would make the history ambiguous (which one does a revoke end?).
            models.UniqueConstraint(
                fields=["user", "council"],
                condition=models.Q(revoked_at__isnull=True),
                name="verification_one_active_per_council",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="verification_reason_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} verified at {self.council} ({self.get_method_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PrivacySettings(models.Model):
    """What the council's privacy notice says about it as data controller, and how long
    it keeps consultation respondents linked to their accounts."""

    council = models.OneToOneField(
        "councils.Council", on_delete=models.CASCADE, related_name="privacy_settings"
    )
    controller_name = models.CharField(
        _("data controller"),
        max_length=200,
        blank=True,
        help_text=_("Who decides how personal data is used. Leave empty for the council itself."),
    )
    controller_address = models.TextField(_("controller's postal address"), blank=True)
    contact_email = models.EmailField(
        _("email address for privacy questions and requests"), blank=True
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's email address"), blank=True)
    ico_registration = models.CharField(
        _("ICO registration number"),
        max_length=20,
        blank=True,
        help_text=_(
            "The council's entry in the Information Commissioner's register, e.g. Z1234567."
        ),
    )
    respondent_retention_days = models.PositiveSmallIntegerField(
        _("days after a survey or conversation closes before respondents are unlinked"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_(
            "Answers and votes stay, so results stay exact; only the link to the person's "
            "account is deleted."
        ),
    )
    extra_information = models.TextField(
        _("anything else residents should know"),
        blank=True,
        help_text=_("Plain text, shown at the end of the privacy notice."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return f"Privacy settings of {self.council}"

    @classmethod
    def for_council(cls, council: Any) -> PrivacySettings:
        """The council's saved settings, or (unsaved) the defaults."""
        found = cls.objects.filter(council=council).first()
        return found if found is not None else cls(council=council)
