"""Surveys: questions an officer builds, and the responses residents (or officers, from paper) give.

Models stay thin: every change goes through a verb in :mod:`moothall.surveys.domain`, and
what anyone may do is decided in :mod:`moothall.surveys.rules`.

A survey is a list of questions split into pages. A question may be conditional: it is
shown only when an earlier question's answer is one of ``show_if_values``. Choices, matrix
rows and scales are stored as lists of ``{"key": ..., "label": ...}`` so labels can be
corrected after answers arrive without changing what the answers mean.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Kind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    LIKERT = "likert", _("Agreement scale or matrix")
    NUMBER = "number", _("Number")
    WARD = "ward", _("Ward")
    POSTCODE = "postcode", _("Postcode")


# Question kinds whose answers are keys from ``options`` (and can carry a condition).
CHOICE_KINDS = frozenset({Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.RANKING})


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    answer_level = models.PositiveSmallIntegerField(
        _("who may answer"), choices=Eligibility.choices, default=Eligibility.EMAIL_VERIFIED
    )
    # Adds the equality-monitoring block (age band, sex, disability, ethnicity) at the end.
    equality_monitoring = models.BooleanField(_("ask equality-monitoring questions"), default=True)
    # Results are shown to the public once the survey is closed (staff always see them).
    results_public = models.BooleanField(_("publish results when the survey closes"), default=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["council", "slug"], name="survey_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:survey", kwargs={"council": self.council.slug, "slug": self.slug})


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    page = models.PositiveSmallIntegerField(_("page"), default=1)
    kind = models.CharField(_("kind of question"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("hint"), blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    # Choice kinds: the options; likert: the matrix rows (one row: a single statement).
    options = models.JSONField(default=list, blank=True)
    # Likert: the scale, e.g. strongly agree … strongly disagree.
    scale = models.JSONField(default=list, blank=True)
    # Number: the allowed range; text: the longest answer.
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    # Multiple choice: the most options one may tick (empty: any number).
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    # Shown only when an earlier question's answer is one of these option keys.
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependants"
    )
    show_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Saved, not sent")
        SUBMITTED = "submitted", _("Sent")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Online answers from a signed-in person; empty for paper and anonymous responses.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The secret in the "save and return" link (for anyone, signed in or not).
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    current_page = models.PositiveSmallIntegerField(default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the respondent lives (from a ward or postcode question, or their profile).
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Equality monitoring (population.bands values, "prefer_not_to_say", or blank).
    age_band = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="survey_one_each"
            ),
        ]
        indexes = [models.Index(fields=["survey", "state"])]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    """One question's answer in one response.

    ``value`` by kind: text → str; single choice → option key; multiple choice → list of
    keys; ranking → list of keys, first = most preferred; likert → {row key: scale key};
    number → str of a decimal; ward → ward id (int); postcode → normalised postcode str.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"
