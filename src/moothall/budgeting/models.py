"""Participatory budgeting: a process, its budgets, projects, ballots, results and delivery.

Models stay thin: every change goes through a verb in :mod:`moothall.budgeting.domain`,
and what anyone may do depends on the process's phase (:mod:`moothall.budgeting.rules`).

Money is held in whole units of the council's currency (pounds): councils cost projects
in whole pounds, and the result rules are exact on integers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility

LATITUDE_RANGE = (Decimal("-90"), Decimal("90"))
LONGITUDE_RANGE = (Decimal("-180"), Decimal("180"))


class Phase(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    IDEAS = "ideas", _("Collecting ideas")
    REVIEW = "review", _("Checking and costing")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    DELIVERY = "delivery", _("Delivery")
    CLOSED = "closed", _("Finished")


# The order a process moves through; a council may step back one phase (say, to reopen
# voting it closed by mistake) but never past results once they are published.
PHASE_ORDER = [
    Phase.DRAFT,
    Phase.IDEAS,
    Phase.REVIEW,
    Phase.VOTING,
    Phase.RESULTS,
    Phase.DELIVERY,
    Phase.CLOSED,
]


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose the projects you support")
    CUMULATIVE = "cumulative", _("Points: share out points between projects")
    RANKING = "ranking", _("Ranking: put projects in order")


class Rule(models.TextChoices):
    """The result rule, named as Pabulib names it."""

    GREEDY = "greedy", _("Most votes first, skipping what no longer fits")
    GREEDY_NO_SKIP = (
        "greedy-no-skip",
        _("Most votes first, stopping at the first that does not fit"),
    )
    EQUAL_SHARES = "equalshares", _("Method of Equal Shares")
    EQUAL_SHARES_ADD1 = "equalshares/add1", _("Method of Equal Shares, completed by add1")
    EQUAL_SHARES_ADD1_COMPARISON = (
        "equalshares/add1-comparison",
        _("Method of Equal Shares, completed by add1 with comparison"),
    )


class BudgetProcess(models.Model):
    """One participatory budgeting round of a council (say, "Community Chest 2027")."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="budget_processes"
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DRAFT)
    currency = models.CharField(max_length=3, default="GBP")

    # Who may take part.
    propose_level = models.PositiveSmallIntegerField(
        _("who may propose a project"),
        choices=Eligibility.choices,
        default=Eligibility.EMAIL_VERIFIED,
    )
    vote_level = models.PositiveSmallIntegerField(
        _("who may vote"), choices=Eligibility.choices, default=Eligibility.POSTCODE_IN_AREA
    )

    # The ballot.
    ballot_kind = models.CharField(
        _("kind of ballot"), max_length=12, choices=BallotKind.choices, default=BallotKind.APPROVAL
    )
    # Approval: the chosen projects' costs may not add up to more than the budget.
    knapsack = models.BooleanField(_("chosen projects must fit in the budget"), default=False)
    min_projects = models.PositiveSmallIntegerField(_("fewest projects on a ballot"), default=1)
    max_projects = models.PositiveSmallIntegerField(
        _("most projects on a ballot"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # Cumulative: points each voter shares out, and the most on any one project.
    points = models.PositiveSmallIntegerField(_("points to share out"), default=10)
    max_points_per_project = models.PositiveSmallIntegerField(
        _("most points on one project"), null=True, blank=True
    )
    rule = models.CharField(
        _("how winners are chosen"), max_length=40, choices=Rule.choices, default=Rule.GREEDY
    )
    # A resident votes in their own ward's budget; with this, also in the council-wide one.
    vote_in_council_wide_too = models.BooleanField(
        _("residents also vote on the council-wide budget"), default=True
    )
    # Pre-moderation: a proposal waits, seen by its proposer and moderators only, until a
    # moderator approves it (set here or as a space in the council's moderation settings).
    pre_moderation = models.BooleanField(
        _("check proposals before they are published"), default=False
    )

    ideas_close_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    # Ballots' personal links (who voted) are deleted this long after the process ends.
    keep_voters_days = models.PositiveIntegerField(default=365)
    # Set when a finished process was imported (from a Pabulib file), with its META.
    imported_meta = models.JSONField(default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "slug"], name="budget_process_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:budget_process", kwargs={"council": self.council.slug, "slug": self.slug}
        )

    @property
    def is_public(self) -> bool:
        return self.phase != Phase.DRAFT


class Budget(models.Model):
    """Money to share out: the whole council's (no ward) or one ward's."""

    process = models.ForeignKey(BudgetProcess, on_delete=models.CASCADE, related_name="budgets")
    ward = models.ForeignKey(
        "councils.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    amount = models.PositiveBigIntegerField(_("amount"))

    class Meta:
        ordering = ["process", "ward__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "ward"], name="budget_one_per_ward", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        return str(self.ward) if self.ward_id else str(_("Council-wide"))

    @property
    def is_council_wide(self) -> bool:
        return self.ward_id is None


class ProjectQuerySet(models.QuerySet["Project"]):
    def shown(self) -> ProjectQuerySet:
        """What the public sees (lists, pages, the API, the ballot): not withdrawn, not
        hidden by a moderator, not waiting for one. The one place this is decided."""
        return self.exclude(status=Project.Status.WITHDRAWN).filter(
            hidden_at__isnull=True, awaiting_moderation=False
        )

    def on_ballot(self) -> ProjectQuerySet:
        """The shown projects the officers accepted: what people vote on and what counts."""
        return self.shown().filter(status=Project.Status.ACCEPTED)


class Project(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("On the ballot")
        REJECTED = "rejected", _("Not feasible")
        MERGED = "merged", _("Merged into another project")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Delivery(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNING = "planning", _("Planning")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    process = models.ForeignKey(BudgetProcess, on_delete=models.CASCADE, related_name="projects")
    budget = models.ForeignKey(Budget, on_delete=models.RESTRICT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # The proposer's estimate, then the officers' costing (the ballot uses ``cost``).
    cost_estimate = models.PositiveBigIntegerField(null=True, blank=True)
    cost = models.PositiveBigIntegerField(null=True, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # Published with a rejection or a merge; the officers' costing notes when accepted.
    review_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    # The id a Pabulib file gave it (imports and exports keep it).
    external_id = models.CharField(max_length=64, blank=True)

    # Results (set when results are published).
    is_selected = models.BooleanField(default=False)
    # Delivery, once funded.
    delivery_status = models.CharField(
        max_length=12, choices=Delivery.choices, default=Delivery.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])

    # Moderation: hidden by a moderator (its page says why), or waiting for one to approve
    # it (a pre-moderated process); either way off every public list, page and ballot.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    awaiting_moderation = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["process", "title", "id"]
        indexes = [models.Index(fields=["process", "status"], name="budget_project_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="budget_project_progress_percent"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(cost__isnull=False),
                name="budget_project_accepted_has_cost",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="budget_project_point_has_both_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:budget_project",
            kwargs={
                "council": self.process.council.slug,
                "slug": self.process.slug,
                "pk": self.pk,
            },
        )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_shown(self) -> bool:
        """Shown to the public within its process (see :meth:`ProjectQuerySet.shown`)."""
        return (
            self.status != self.Status.WITHDRAWN
            and self.hidden_at is None
            and not self.awaiting_moderation
        )

    @property
    def is_public(self) -> bool:
        return self.process.is_public and self.is_shown

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _image_path(instance: ProjectImage, filename: str) -> str:
    # ``filename`` is ours (a random name made by the verb), never the uploader's.
    return f"budgeting/images/{filename}"


class ProjectImage(models.Model):
    """A picture of a project or of its delivery, re-encoded on upload (no EXIF, no GPS)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    update = models.ForeignKey(
        "DeliveryUpdate", null=True, blank=True, on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(upload_to=_image_path, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the image"), max_length=250)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""), name="budget_project_image_has_alt_text"
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text


class Ballot(models.Model):
    """One person's vote in one budget. Changeable until voting closes (the row is updated).

    ``voter`` is empty for paper ballots and imported ones, and after the retention period
    (the choices stay, so results can always be recomputed exactly)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_ballots",
    )
    is_paper = models.BooleanField(default=False)
    # A paper ballot's reference (so it is entered once), or an imported voter id.
    reference = models.CharField(max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Extra columns of an imported ballot (age, sex, voting method ...), kept for export.
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["budget", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "voter"],
                condition=Q(voter__isnull=False),
                name="budget_ballot_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["budget", "reference"],
                condition=~Q(reference=""),
                name="budget_ballot_reference_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.budget}"


class BallotChoice(models.Model):
    """A project on a ballot: ``points`` (1 for approval) or ``rank`` (1 = first)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveIntegerField(default=1)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["ballot", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="budget_choice_once"),
            models.CheckConstraint(condition=Q(points__gte=1), name="budget_choice_points"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.rank or self.points}"


class Result(models.Model):
    """What the rule chose for one budget, with the explanation of every project."""

    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="result")
    rule = models.CharField(max_length=40)
    selected = models.JSONField(default=list)  # project ids in the order chosen
    spent = models.PositiveBigIntegerField(default=0)
    ballots = models.PositiveIntegerField(default=0)
    # Per project id (as a string): the engine's explanation fields, plus votes.
    explanations = models.JSONField(default=dict)
    details = models.JSONField(default=dict)  # rule-level figures (per-voter budget ...)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Result of {self.budget}"


class DeliveryUpdate(models.Model):
    """A report on a funded project's delivery: status, progress and words (with photos)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=Project.Delivery.choices)
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    body = models.TextField(blank=True, help_text=_("Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_status_display()} ({self.progress}%)"


class ProcessEvent(models.Model):
    """The public timeline of a process (phases) and of its projects (reviews, delivery)."""

    process = models.ForeignKey(BudgetProcess, on_delete=models.CASCADE, related_name="events")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=30)
    summary = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d}"
