"""Verbs: every change to a participatory budgeting process, its projects, ballots and delivery.

Each verb runs in one transaction, asks :mod:`moothall.budgeting.rules` whether the step
is open in the process's phase and to this person (``PermissionDenied`` carrying the
reason when not), refuses bad input with ``ValidationError`` (keyed by field, with a code)
before writing anything, writes an audit entry for staff actions, adds to the public
timeline where the public should know, and tells followers through
:func:`moothall.notifications.domain.notify` (sent after commit).

``actor=None`` on the staff verbs means the system (the demo, an importer); permission is
then the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from moothall.accounts.residents import Eligibility
from moothall.accounts.rules import Action, can
from moothall.budgeting.models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    PHASE_ORDER,
    Ballot,
    BallotChoice,
    BallotKind,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    ProcessEvent,
    Project,
    ProjectImage,
    Result,
    Rule,
)
from moothall.budgeting.rules import Step, refusal
from moothall.core import validation
from moothall.core.audit import changes as audit_changes
from moothall.core.audit import record, snapshot
from moothall.core.validation import invalid, line, reason, text
from moothall.councils.models import Council, Postcode, Ward
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode
from moothall.ideas.domain import ImageUpload  # the same upload shape as ideas
from moothall.ideas.images import clean_image, store_pictures
from moothall.moderation.bans import refuse_if_banned
from moothall.moderation.log import note as public_log

P = Project.Status

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 10_000
UPDATE_LIMIT = 5_000
MAX_IMAGES_PER_PROJECT = 6
# A person may propose this many projects a day in one process (stops floods, not people).
PROPOSALS_PER_DAY = 10
MAX_AMOUNT = 10**12  # a trillion pounds: anything larger is a typing mistake
# Rules that need approval or points ballots (Equal Shares shares costs among supporters).
EQUAL_SHARES_RULES = frozenset(
    {Rule.EQUAL_SHARES, Rule.EQUAL_SHARES_ADD1, Rule.EQUAL_SHARES_ADD1_COMPARISON}
)


class StepRefused(PermissionDenied):
    """The step is not open in this phase, or not to this person; ``message`` says why."""

    def __init__(self, message: str, step: Step) -> None:
        super().__init__(message)
        self.message = message
        self.step = step


# --- Helpers -----------------------------------------------------------------------


def _check(actor: Any, process: BudgetProcess, step: Step) -> None:
    """Refuse unless ``step`` is open to ``actor``; ``actor=None`` is the system, which
    still respects the phase."""
    if actor is None:
        from moothall.budgeting.rules import OPEN_IN, RESIDENT_STEPS

        if step in RESIDENT_STEPS:  # proposing and voting are a person's, never the system's
            raise StepRefused(_("Sign in with a verified email address to take part."), step)
        if process.phase not in OPEN_IN[step]:
            raise StepRefused(
                refusal(None, process, step) or _("This cannot be done in the current phase."),
                step,
            )
        return
    why = refusal(actor, process, step)
    if why is not None:
        raise StepRefused(why, step)


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(
    process: BudgetProcess,
    kind: str,
    summary: str = "",
    *,
    project: Project | None = None,
    actor: Any = None,
) -> ProcessEvent:
    return ProcessEvent.objects.create(
        process=process, project=project, kind=kind, summary=summary[:300], actor=_as_user(actor)
    )


def _tell(
    process: BudgetProcess,
    event: str,
    title: str,
    url: str,
    *,
    project: Project | None = None,
    summary: str = "",
    actor: Any = None,
    told: str = "",
) -> None:
    """Tell the followers of the process (and of ``project`` and its ward); the actor and
    ``told`` (an address already emailed about this, such as the proposer's) are skipped."""
    from moothall.notifications.domain import notify

    if not process.is_public:
        return
    targets: list[tuple[str, int]] = [("budget_process", process.pk)]
    if project is not None:
        targets.append(("budget_project", project.pk))
        if project.budget.ward_id:
            targets.append(("ward", project.budget.ward_id))
    user = _as_user(actor)
    notify(
        process.council,
        event=event,
        title=title,
        url=url,
        summary=summary,
        targets=targets,
        exclude_emails=[e for e in (user.email if user is not None else "", told) if e],
        actor=user,
    )


def _amount(value: Any, field: str, *, required: bool = True) -> int | None:
    """A sum of money in whole pounds: digits, optionally with £ and thousands commas."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(field, _("Enter an amount in pounds, like 25000."), "required")
        return None
    if isinstance(value, bool):
        raise invalid(field, _("Enter an amount in pounds, like 25000."), "invalid_amount")
    if isinstance(value, int):
        number = Decimal(value)
    else:
        cleaned = str(value).strip().replace(",", "").removeprefix("£").strip()
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise invalid(
                field, _("Enter an amount in pounds, like 25000."), "invalid_amount"
            ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise invalid(field, _("Enter a whole number of pounds."), "invalid_amount")
    if number <= 0:
        raise invalid(field, _("The amount must be more than £0."), "invalid_amount")
    if number > MAX_AMOUNT:
        raise invalid(field, _("The amount is too large."), "invalid_amount")
    return int(number)


def _whole(value: Any, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(field, _("Enter a number."), "required")
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise invalid(field, _("Enter a whole number."), "invalid_number") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise invalid(
            field,
            _("Enter a number from %(low)d to %(high)d."),
            "out_of_range",
            {"low": low, "high": high},
        )
    return number


def _coordinate(value: Any, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid(field, _("Enter a number, like 51.5072."), "invalid_coordinate") from None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise invalid(field, _("Enter a number, like 51.5072."), "invalid_coordinate")
    return number.quantize(Decimal("0.000001"))


def _point(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    lat = _coordinate(latitude, "latitude", LATITUDE_RANGE)
    lon = _coordinate(longitude, "longitude", LONGITUDE_RANGE)
    if (lat is None) != (lon is None):
        field = "longitude" if lon is None else "latitude"
        raise invalid(field, _("Enter both latitude and longitude, or neither."), "half_point")
    return lat, lon


def _images(uploads: Sequence[ImageUpload], already: int = 0) -> list[tuple[Any, str]]:
    if already + len(uploads) > MAX_IMAGES_PER_PROJECT:
        raise invalid(
            "image",
            _("A project can have at most %(limit)d pictures."),
            "too_many_images",
            {"limit": MAX_IMAGES_PER_PROJECT},
        )
    return [
        (clean_image(upload.data), text(upload.alt_text, "alt_text", limit=250))
        for upload in uploads
    ]


def _store_images(
    project: Project,
    cleaned: list[tuple[Any, str]],
    user: Any,
    update: DeliveryUpdate | None = None,
) -> list[ProjectImage]:
    """Write the pictures' files and rows (see :func:`moothall.ideas.images.store_pictures`)."""
    return store_pictures(
        cleaned,
        lambda picture, alt_text: ProjectImage(
            project=project,
            update=update,
            content_type=picture.content_type,
            width=picture.width,
            height=picture.height,
            size=len(picture.data),
            alt_text=alt_text,
            uploaded_by=_as_user(user),
        ),
    )


def money(amount: int | None) -> str:
    """£1,234 (whole pounds), as the pages and emails show money."""
    return "" if amount is None else f"£{amount:,}"


# --- Processes and budgets -----------------------------------------------------------------


_PROCESS_FIELDS = {
    "title",
    "summary",
    "description",
    "propose_level",
    "vote_level",
    "ballot_kind",
    "knapsack",
    "min_projects",
    "max_projects",
    "points",
    "max_points_per_project",
    "rule",
    "vote_in_council_wide_too",
    "ideas_close_at",
    "voting_opens_at",
    "voting_closes_at",
    "keep_voters_days",
    "pre_moderation",
}
# Fields staff may change in any phase: words, and whether proposals wait for a moderator
# (neither changes the ballot anyone votes on).
_ANY_PHASE_FIELDS = frozenset({"title", "summary", "description", "pre_moderation"})


def _process_fields(changes: Mapping[str, Any], current: BudgetProcess) -> dict[str, Any]:
    unknown = set(changes) - _PROCESS_FIELDS
    if unknown:
        raise ValueError(f"Unknown process fields: {sorted(unknown)}")
    out: dict[str, Any] = {}
    if "title" in changes:
        out["title"] = line(changes["title"], "title", limit=150)
    if "summary" in changes:
        out["summary"] = line(changes["summary"], "summary", required=False, limit=300)
    if "description" in changes:
        out["description"] = text(
            changes["description"], "description", required=False, limit=DESCRIPTION_LIMIT
        )
    levels = set(Eligibility.values) - {Eligibility.NONE}
    for name in ("propose_level", "vote_level"):
        if name in changes:
            try:
                value = int(changes[name])
            except (TypeError, ValueError):
                value = -1
            if value not in levels:
                raise invalid(name, _("Choose who may take part."), "invalid_level")
            out[name] = value
    if "ballot_kind" in changes:
        if changes["ballot_kind"] not in BallotKind.values:
            raise invalid("ballot_kind", _("Choose a kind of ballot."), "invalid_ballot_kind")
        out["ballot_kind"] = changes["ballot_kind"]
    if "rule" in changes:
        if changes["rule"] not in Rule.values:
            raise invalid("rule", _("Choose how the winners are chosen."), "invalid_rule")
        out["rule"] = changes["rule"]
    for name in ("knapsack", "vote_in_council_wide_too", "pre_moderation"):
        if name in changes:
            out[name] = bool(changes[name])
    if "min_projects" in changes:
        out["min_projects"] = _whole(changes["min_projects"], "min_projects", low=0, high=500)
    if "max_projects" in changes:
        out["max_projects"] = _whole(
            changes["max_projects"], "max_projects", low=1, high=500, required=False
        )
    if "points" in changes:
        out["points"] = _whole(changes["points"], "points", low=1, high=1000)
    if "max_points_per_project" in changes:
        out["max_points_per_project"] = _whole(
            changes["max_points_per_project"],
            "max_points_per_project",
            low=1,
            high=1000,
            required=False,
        )
    if "keep_voters_days" in changes:
        out["keep_voters_days"] = _whole(
            changes["keep_voters_days"], "keep_voters_days", low=1, high=3650
        )
    for name in ("ideas_close_at", "voting_opens_at", "voting_closes_at"):
        if name in changes:
            value = changes[name]
            if value is not None and not isinstance(value, dt.datetime):
                raise invalid(name, _("Enter a real date and time."), "invalid_date")
            out[name] = value
    merged = {name: getattr(current, name) for name in _PROCESS_FIELDS} | out
    if merged["max_projects"] is not None and merged["min_projects"] > merged["max_projects"]:
        raise invalid(
            "min_projects",
            _("The fewest projects cannot be more than the most projects."),
            "min_over_max",
        )
    if merged["rule"] in EQUAL_SHARES_RULES and merged["ballot_kind"] == BallotKind.RANKING:
        raise invalid(
            "rule",
            _("The Method of Equal Shares needs approval or points ballots, not rankings."),
            "rule_needs_approval",
        )
    if (
        merged["max_points_per_project"] is not None
        and merged["max_points_per_project"] > merged["points"]
    ):
        raise invalid(
            "max_points_per_project",
            _("The most points on one project cannot be more than the points to share out."),
            "points_over_total",
        )
    opens, closes = merged["voting_opens_at"], merged["voting_closes_at"]
    if opens and closes and closes <= opens:
        raise invalid(
            "voting_closes_at", _("Voting must close after it opens."), "closes_before_opens"
        )
    return out


def _unique_slug(council: Council, title: str) -> str:
    base = slugify(title)[:70] or "budget"
    slug, n = base, 2
    while BudgetProcess.objects.filter(council=council, slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def create_process(actor: Any, council: Council, **fields: Any) -> BudgetProcess:
    """A new process, in the draft phase (only staff see it). Side effects: audit."""
    if actor is not None and not can(actor, Action.MANAGE_BUDGETS, council):
        raise StepRefused(_("Only council staff can do this."), Step.EDIT)
    fields.setdefault("title", "")
    process = BudgetProcess(council=council, created_by=_as_user(actor))
    for name, value in _process_fields(fields, process).items():
        setattr(process, name, value)
    process.slug = _unique_slug(council, process.title)
    process.save()
    record("budgeting.process_created", actor=actor, council=council, target=process)
    return process


@transaction.atomic
def update_process(actor: Any, process: BudgetProcess, **changes: Any) -> BudgetProcess:
    """Change the process's text, ballot rules, result rule, levels or dates (not once voting
    has started: the ballot people vote on never changes under them), or whether proposals
    wait for a moderator (``pre_moderation``, in any phase). Side effects: audit."""
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    any_phase = set(changes) <= _ANY_PHASE_FIELDS
    _check(actor, process, Step.CHANGE_PHASE if any_phase else Step.EDIT)
    cleaned = _process_fields(changes, process)
    changed = sorted(name for name, value in cleaned.items() if getattr(process, name) != value)
    before = snapshot(process, changed)
    for name, value in cleaned.items():
        setattr(process, name, value)
    process.save()
    if changed:
        record(
            "budgeting.process_updated",
            actor=actor,
            council=process.council,
            target=process,
            changed=changed,
            **audit_changes(before, process, changed),
        )
    return process


@transaction.atomic
def set_budget(
    actor: Any,
    process: BudgetProcess,
    *,
    amount: Any,
    ward: Ward | None = None,
    name: str = "",
) -> Budget:
    """Create or change the council-wide budget (no ward) or a ward's. Side effects: audit."""
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    _check(actor, process, Step.EDIT)
    if ward is not None and ward.council_id != process.council_id:
        raise invalid("ward", _("Choose a ward of this council."), "invalid_ward")
    value = _amount(amount, "amount")
    label = line(name, "name", required=False, limit=150)
    budget, created = Budget.objects.get_or_create(
        process=process, ward=ward, defaults={"amount": value, "name": label}
    )
    before = {"amount": None, "name": ""} if created else snapshot(budget, ["amount", "name"])
    if not created:
        dearest = budget.projects.filter(status=P.ACCEPTED, cost__gt=value).first()
        if dearest is not None:
            raise invalid(
                "amount",
                _("“%(title)s” on this ballot costs %(cost)s, more than that amount."),
                "budget_below_project",
                {"title": dearest.title, "cost": money(dearest.cost)},
            )
        budget.amount, budget.name = value, label  # type: ignore[assignment]
        budget.save()
    record(
        "budgeting.budget_set",
        actor=actor,
        council=process.council,
        target=process,
        ward=ward.name if ward else "",
        amount=value,
        **audit_changes(before, budget, ["amount", "name"]),
    )
    return budget


@transaction.atomic
def remove_budget(actor: Any, budget: Budget) -> None:
    """Remove a budget that has no projects yet. Side effects: audit."""
    process = BudgetProcess.objects.select_for_update().get(pk=budget.process_id)
    _check(actor, process, Step.EDIT)
    if budget.projects.exists():
        raise ValidationError(
            _("Move or remove this budget’s projects first."), code="budget_has_projects"
        )
    record("budgeting.budget_removed", actor=actor, council=process.council, target=process)
    budget.delete()


# --- Phases ----------------------------------------------------------------------------------


def next_phases(process: BudgetProcess) -> list[str]:
    """Where the process may move from here: on one phase, or back one before results."""
    at = PHASE_ORDER.index(Phase(process.phase))
    moves = []
    if at + 1 < len(PHASE_ORDER):
        moves.append(PHASE_ORDER[at + 1].value)
    if 0 < at <= PHASE_ORDER.index(Phase.VOTING):
        moves.append(PHASE_ORDER[at - 1].value)
    return moves


# Marked for translation here (gettext_noop), translated when the news is sent.
PHASE_NEWS = {
    Phase.IDEAS: ("budget_ideas_open", gettext_noop("Send your ideas")),
    Phase.REVIEW: ("budget_review", gettext_noop("Ideas are being checked and costed")),
    Phase.VOTING: ("budget_voting_open", gettext_noop("Voting is open")),
    Phase.RESULTS: ("budget_results", gettext_noop("The results are published")),
    Phase.DELIVERY: ("budget_delivery", gettext_noop("Delivery has started")),
    Phase.CLOSED: ("budget_closed", gettext_noop("The process has finished")),
}


@transaction.atomic
def change_phase(actor: Any, process: BudgetProcess, to: str) -> BudgetProcess:
    """Move the process to the next phase (or back one, before results).

    Opening ideas needs a budget; opening voting needs every budget to have a project on
    the ballot; stepping back from voting is refused once anyone has voted. Moving to
    results computes and publishes them (:func:`publish_results`). Side effects: timeline,
    audit, followers told."""
    process = (
        BudgetProcess.objects.select_for_update(of=("self",))
        .select_related("council")
        .get(pk=process.pk)
    )
    _check(actor, process, Step.CHANGE_PHASE)
    if to not in next_phases(process):
        raise invalid("phase", _("The process cannot move to that phase from here."), "bad_move")
    budgets = list(process.budgets.all())
    if to == Phase.IDEAS and not budgets:
        raise ValidationError(_("Set a budget before opening for ideas."), code="no_budget")
    if to == Phase.VOTING:
        if not budgets:
            raise ValidationError(_("Set a budget before opening voting."), code="no_budget")
        empty = [b for b in budgets if not Project.objects.filter(budget=b).on_ballot().exists()]
        if empty:
            raise ValidationError(
                _("%(budget)s has no project on the ballot yet."),
                code="empty_ballot",
                params={"budget": str(empty[0])},
            )
    if (
        process.phase == Phase.VOTING
        and to == Phase.REVIEW
        and Ballot.objects.filter(budget__process=process).exists()
    ):
        raise ValidationError(
            _("People have voted: voting cannot be taken back to review."),
            code="ballots_cast",
        )
    before = process.phase
    process.phase = to
    now = timezone.now()
    if to == Phase.VOTING and process.voting_opens_at is None:
        process.voting_opens_at = now
    if before == Phase.VOTING and to == Phase.RESULTS:
        process.voting_closes_at = now
    process.save()
    if to == Phase.RESULTS:
        publish_results(process)
        process.results_published_at = now
        process.save(update_fields=["results_published_at"])
    _event(process, f"phase_{to}", str(Phase(to).label), actor=actor)
    record(
        "budgeting.phase_changed",
        actor=actor,
        council=process.council,
        target=process,
        before=before,
        after=to,
    )
    news = PHASE_NEWS.get(Phase(to))
    if news and PHASE_ORDER.index(Phase(to)) > PHASE_ORDER.index(Phase(before)):
        _tell(process, news[0], f"{process.title}: {_(news[1])}", process.get_absolute_url())
    return process


# --- Projects ---------------------------------------------------------------------------------


def _budget_of(process: BudgetProcess, budget: Budget | int | None) -> Budget:
    budgets = list(process.budgets.all())
    if budget is None:
        if len(budgets) == 1:
            return budgets[0]
        raise invalid("budget", _("Choose which budget this project is for."), "budget_required")
    budget_id: Any = budget.pk if isinstance(budget, Budget) else budget
    if isinstance(budget_id, str) and budget_id.strip().isdigit():
        budget_id = int(budget_id.strip())
    for candidate in budgets:
        if candidate.pk == budget_id:
            return candidate
    raise invalid("budget", _("Choose one of this process’s budgets."), "invalid_budget")


def _project_text(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in fields:
        out["title"] = line(fields["title"], "title", limit=TITLE_LIMIT)
    if "description" in fields:
        out["description"] = text(fields["description"], "description", limit=DESCRIPTION_LIMIT)
    if "location" in fields:
        out["location"] = line(fields["location"], "location", required=False, limit=200)
    if "latitude" in fields or "longitude" in fields:
        out["latitude"], out["longitude"] = _point(fields.get("latitude"), fields.get("longitude"))
    return out


@transaction.atomic
def propose_project(
    user: Any,
    process: BudgetProcess,
    *,
    title: str,
    description: str,
    budget: Budget | int | None = None,
    cost_estimate: Any = None,
    location: str = "",
    latitude: Any = None,
    longitude: Any = None,
    images: Sequence[ImageUpload] = (),
) -> Project:
    """A resident proposes a project while the process collects ideas. Officers then check
    and cost it. Side effects: timeline, followers of the process told; in a pre-moderated
    process neither, until a moderator approves it (:func:`approve_project`): till then
    only the proposer and moderators see it."""
    process = BudgetProcess.objects.select_related("council").get(pk=process.pk)
    _check(user, process, Step.PROPOSE)
    refuse_if_banned(user, process.council)
    fields = _project_text(
        {
            "title": title,
            "description": description,
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
        }
    )
    chosen = _budget_of(process, budget)
    estimate = _amount(cost_estimate, "cost_estimate", required=False)
    cleaned = _images(images)
    from moothall.accounts.models import User

    User.objects.select_for_update().filter(pk=user.pk).first()
    since = timezone.now() - dt.timedelta(days=1)
    if (
        Project.objects.filter(process=process, proposed_by=user, created_at__gte=since).count()
        >= PROPOSALS_PER_DAY
    ):
        raise ValidationError(
            _("You can propose at most %(count)d projects a day. Please try again tomorrow."),
            code="too_many_proposals",
            params={"count": PROPOSALS_PER_DAY},
        )
    project = Project.objects.create(
        process=process,
        budget=chosen,
        proposed_by=user,
        cost_estimate=estimate,
        awaiting_moderation=process.pre_moderation,
        **fields,
    )
    _store_images(project, cleaned, user)
    if not project.awaiting_moderation:
        _announce_proposal(project)
    return project


def _announce_proposal(project: Project) -> None:
    """The timeline entry and the followers' news of a proposal, once it is public (at once,
    or when a moderator approves it); the proposer is the actor, so is not told."""
    process = project.process
    proposer = project.proposed_by
    _event(process, "project_proposed", project.title, project=project, actor=proposer)
    _tell(
        process,
        "budget_project_proposed",
        project.title,
        project.get_absolute_url(),
        summary=_("A new project was proposed in %(process)s.") % {"process": process.title},
        actor=proposer,
    )


@transaction.atomic
def add_project(
    actor: Any,
    process: BudgetProcess,
    *,
    title: str,
    description: str,
    cost: Any,
    budget: Budget | int | None = None,
    location: str = "",
    latitude: Any = None,
    longitude: Any = None,
    images: Sequence[ImageUpload] = (),
    external_id: str = "",
) -> Project:
    """Staff add a costed project straight onto the ballot (say, one from a ward forum).
    Side effects: timeline, audit."""
    process = BudgetProcess.objects.select_related("council").get(pk=process.pk)
    _check(actor, process, Step.REVIEW)
    fields = _project_text(
        {
            "title": title,
            "description": description,
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
        }
    )
    chosen = _budget_of(process, budget)
    value = _checked_cost(cost, chosen)
    cleaned = _images(images)
    project = Project.objects.create(
        process=process,
        budget=chosen,
        cost=value,
        status=P.ACCEPTED,
        external_id=external_id[:64],
        **fields,
    )
    _store_images(project, cleaned, actor)
    _event(process, "project_accepted", project.title, project=project, actor=actor)
    record("budgeting.project_added", actor=actor, council=process.council, target=project)
    return project


def _checked_cost(cost: Any, budget: Budget) -> int:
    value = _amount(cost, "cost")
    assert value is not None
    if value > budget.amount:
        raise invalid(
            "cost",
            _("The cost is more than the whole budget (%(budget)s)."),
            "cost_over_budget",
            {"budget": money(budget.amount)},
        )
    return value


@transaction.atomic
def edit_project(actor: Any, project: Project, **changes: Any) -> Project:
    """Staff correct a project's words, place or budget before voting; its proposer may
    while it is still only proposed and ideas are open. Side effects: audit (staff)."""
    project = (
        Project.objects.select_for_update(of=("self", "process"))
        .select_related("process__council")
        .get(pk=project.pk)
    )
    process = project.process
    is_proposer = (
        _as_user(actor) is not None
        and project.proposed_by_id == actor.pk
        and project.status == P.PROPOSED
        and project.hidden_at is None
    )
    if is_proposer and refusal(actor, process, Step.PROPOSE) is None:
        pass
    else:
        _check(actor, process, Step.REVIEW)
    allowed = {"title", "description", "location", "latitude", "longitude", "budget"}
    if set(changes) - allowed:
        raise ValueError(f"Unknown project fields: {sorted(set(changes) - allowed)}")
    fields = _project_text(changes)
    if "budget" in changes:
        fields["budget"] = _budget_of(process, changes["budget"])
        if project.cost is not None and project.cost > fields["budget"].amount:
            raise invalid(
                "budget", _("The project costs more than that whole budget."), "cost_over_budget"
            )
    before = snapshot(project, sorted(fields))
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    if not is_proposer:
        record(
            "budgeting.project_edited",
            actor=actor,
            council=process.council,
            target=project,
            changed=sorted(fields),
            **audit_changes(before, project, sorted(fields)),
        )
    return project


@transaction.atomic
def withdraw_project(user: Any, project: Project) -> Project:
    """The proposer takes back a project nobody has reviewed yet."""
    project = Project.objects.select_for_update().select_related("process").get(pk=project.pk)
    if _as_user(user) is None or project.proposed_by_id != user.pk:
        raise StepRefused(_("Only the person who proposed it can withdraw it."), Step.PROPOSE)
    if project.status != P.PROPOSED or project.process.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise ValidationError(
            _("This project has been reviewed and can no longer be withdrawn."),
            code="already_reviewed",
        )
    project.status = P.WITHDRAWN
    project.save(update_fields=["status", "updated_at"])
    _event(project.process, "project_withdrawn", project.title, project=project, actor=user)
    return project


@transaction.atomic
def review_project(
    actor: Any,
    project: Project,
    *,
    decision: str,
    cost: Any = None,
    reason_text: str = "",
) -> Project:
    """Officers check a proposed project: ``accept`` it onto the ballot with its cost, or
    ``reject`` it with a published reason (say, the council does not own the land).

    A project already reviewed may be reviewed again until voting starts. Side effects:
    timeline, audit, the proposer and the project's followers told."""
    project = (
        Project.objects.select_for_update(of=("self", "process"))
        .select_related("process__council", "budget")
        .get(pk=project.pk)
    )
    process = project.process
    _check(actor, process, Step.REVIEW)
    if project.status in (P.MERGED, P.WITHDRAWN):
        raise ValidationError(
            _("This project was merged or withdrawn and cannot be reviewed."), code="not_open"
        )
    _refuse_if_moderated(project)
    if decision == "accept":
        project.cost = _checked_cost(cost, project.budget)
        project.review_reason = reason(reason_text, required=False)
        project.status = P.ACCEPTED
        summary = _("On the ballot, costed at %(cost)s.") % {"cost": money(project.cost)}
    elif decision == "reject":
        project.review_reason = reason(reason_text, required=True)
        project.status = P.REJECTED
        summary = _("Not feasible: %(reason)s") % {"reason": project.review_reason}
    else:
        raise invalid("decision", _("Choose to accept or reject the project."), "invalid_decision")
    project.save()
    _event(process, f"project_{project.status}", summary, project=project, actor=actor)
    record(
        f"budgeting.project_{decision}ed",
        actor=actor,
        council=process.council,
        target=project,
        cost=project.cost,
    )
    told = _tell_proposer(project, "budgeting/email/project_reviewed")
    _tell(
        process,
        f"budget_project_{project.status}",
        project.title,
        project.get_absolute_url(),
        project=project,
        summary=summary,
        actor=actor,
        told=told,
    )
    return project


@transaction.atomic
def merge_projects(actor: Any, duplicate: Project, into: Project, *, reason_text: str) -> Project:
    """Officers merge a duplicate into another project of the same budget (the reason is
    published on the duplicate, which then points to the one it joined). Side effects:
    timeline, audit, the duplicate's proposer and followers told."""
    pair = {
        p.pk: p
        for p in Project.objects.select_for_update(of=("self", "process"))
        .select_related("process__council")
        .filter(pk__in=[duplicate.pk, into.pk])
    }
    if duplicate.pk == into.pk:
        raise invalid("into", _("A project cannot be merged into itself."), "merge_self")
    duplicate, into = pair[duplicate.pk], pair[into.pk]
    process = duplicate.process
    _check(actor, process, Step.REVIEW)
    if into.process_id != process.pk or into.budget_id != duplicate.budget_id:
        raise invalid(
            "into", _("Choose a project in the same budget to merge into."), "merge_elsewhere"
        )
    if into.status in (P.MERGED, P.WITHDRAWN, P.REJECTED) or duplicate.status in (
        P.MERGED,
        P.WITHDRAWN,
    ):
        raise invalid("into", _("Choose a project that is still open."), "merge_closed")
    _refuse_if_moderated(duplicate)
    _refuse_if_moderated(into)
    duplicate.status = P.MERGED
    duplicate.merged_into = into
    duplicate.review_reason = reason(reason_text, required=True)
    duplicate.save()
    _event(
        process,
        "project_merged",
        _("Merged into “%(title)s”.") % {"title": into.title},
        project=duplicate,
        actor=actor,
    )
    record(
        "budgeting.projects_merged",
        actor=actor,
        council=process.council,
        target=duplicate,
        into=into.pk,
    )
    told = _tell_proposer(duplicate, "budgeting/email/project_reviewed")
    _tell(
        process,
        "budget_project_merged",
        duplicate.title,
        duplicate.get_absolute_url(),
        project=duplicate,
        summary=_("Merged into “%(title)s”.") % {"title": into.title},
        actor=actor,
        told=told,
    )
    return into


def _tell_proposer(project: Project, template: str) -> str:
    """Email the project's proposer; return the address emailed ("" when nobody was), so
    the followers' notification can skip them: nobody hears of one decision twice."""
    from moothall.core.mail import queue_email

    proposer = project.proposed_by
    if proposer is None or not proposer.email or not proposer.is_active:
        return ""
    queue_email(proposer.email, template, {"project": project, "process": project.process})
    return str(proposer.email)


# --- Moderation ------------------------------------------------------------------------------
#
# Moderators (``Action.MODERATE``) decide what the public sees of residents' proposals:
# they approve those that wait in a pre-moderated process, and hide (and put back) those
# that break the council's rules. The moderation app calls these verbs through
# :mod:`moothall.budgeting.moderation`.


def _require_moderator(actor: Any, project: Project) -> None:
    if actor is not None and not can(actor, Action.MODERATE, project.process.council):
        raise PermissionDenied(_("Only the council’s moderators can do this."))


def _refuse_if_moderated(project: Project) -> None:
    if project.hidden_at is not None or project.awaiting_moderation:
        raise ValidationError(
            _("A moderator has hidden this project, or has not checked it yet."),
            code="moderated",
        )


def _moderated(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("process__council", "budget", "proposed_by")
        .get(pk=project.pk)
    )


def _refuse_if_on_running_ballot(project: Project) -> None:
    voting_on = PHASE_ORDER.index(Phase(project.process.phase)) >= PHASE_ORDER.index(Phase.VOTING)
    if project.status == P.ACCEPTED and voting_on:
        raise ValidationError(
            _(
                "This project is on the ballot and voting has started: hiding or restoring "
                "it now would change what people are voting on."
            ),
            code="on_ballot",
        )


@transaction.atomic
def approve_project(actor: Any, project: Project) -> Project:
    """A moderator publishes a proposal that waited in a pre-moderated process. Refused
    (``not_pending``) unless it is waiting (and not hidden). Side effects: the timeline
    entry and the followers' news its proposal held back, an audit entry."""
    current = _moderated(project)
    _require_moderator(actor, current)
    if not current.awaiting_moderation or current.hidden_at is not None:
        raise ValidationError(_("This project is not waiting to be checked."), code="not_pending")
    current.awaiting_moderation = False
    current.save(update_fields=["awaiting_moderation", "updated_at"])
    _announce_proposal(current)
    record(
        "budgeting.project_approved", actor=actor, council=current.process.council, target=current
    )
    project.awaiting_moderation = False
    return current


@transaction.atomic
def hide_project(actor: Any, project: Project, *, reason: str) -> Project:
    """A moderator hides a project that breaks the council's rules: it leaves every public
    list and page, the API, the timeline and the ballot; its page says it was hidden, and
    why. Hiding a proposal that waits for a moderator decides it (rejects it): it no longer
    waits, and restoring it publishes it.

    Refused (``on_ballot``) for a project on the ballot once voting has started: taking it
    off would change the ballot people are voting on, and ballots already cast for it.
    Refused (``hidden``) when it is hidden already. Side effects: the public moderation
    log, an audit entry; news of it still waiting in followers' digests taken back."""
    current = _moderated(project)
    _require_moderator(actor, current)
    why = validation.reason(reason, required=True)
    if current.hidden_at is not None:
        raise ValidationError(_("This project is already hidden."), code="hidden")
    _refuse_if_on_running_ballot(current)
    was_waiting = current.awaiting_moderation
    current.hidden_at = timezone.now()
    current.hidden_reason = why
    current.awaiting_moderation = False
    current.save(update_fields=["hidden_at", "hidden_reason", "awaiting_moderation", "updated_at"])
    council = current.process.council
    public_log(council, "budget_project", "hidden")
    _retract(current.get_absolute_url())
    record(
        "budgeting.project_hidden",
        actor=actor,
        council=council,
        target=current,
        reason=why,
        was_waiting=was_waiting,
    )
    project.hidden_at, project.hidden_reason = current.hidden_at, current.hidden_reason
    project.awaiting_moderation = False
    return current


@transaction.atomic
def restore_project(actor: Any, project: Project) -> Project:
    """A moderator puts back a project hidden by mistake. A proposal that was hidden while
    it waited is published now (its timeline entry and followers' news go out then).

    Refused (``on_ballot``) for a project on the ballot once voting has started (it would
    join a ballot people are already voting on), and (``not_hidden``) when it is not
    hidden. Side effects: the public moderation log, an audit entry."""
    current = _moderated(project)
    _require_moderator(actor, current)
    if current.hidden_at is None:
        raise ValidationError(_("This project is not hidden."), code="not_hidden")
    _refuse_if_on_running_ballot(current)
    current.hidden_at = None
    current.hidden_reason = ""
    current.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    council = current.process.council
    never_announced = (
        current.status == P.PROPOSED
        and current.proposed_by_id is not None
        and not current.events.filter(kind="project_proposed").exists()
    )
    if never_announced:
        _announce_proposal(current)
    public_log(council, "budget_project", "restored")
    record("budgeting.project_restored", actor=actor, council=council, target=current)
    project.hidden_at, project.hidden_reason = None, ""
    return current


def _retract(url: str) -> None:
    from moothall.notifications.domain import retract

    retract(url)


# --- Ballots ---------------------------------------------------------------------------------


def voter_ward(user: Any, council: Council) -> Ward | None:
    """The ward of ``user``'s declared postcode at ``council``, if any."""
    postcode = getattr(user, "postcode", "") or ""
    if not postcode:
        return None
    try:
        canonical = normalise_postcode(postcode)
    except InvalidPostcode:
        return None
    row = Postcode.objects.filter(postcode=canonical).first()
    if row is None:
        return None
    codes = [c for c in (row.ward_gss, row.division_gss) if c]
    return Ward.objects.filter(council=council, gss_code__in=codes).first() if codes else None


def budgets_for(user: Any, process: BudgetProcess) -> list[Budget]:
    """The budgets ``user`` votes in: their own ward's, and the council-wide one (when
    there are no ward budgets, or the council lets residents vote in both)."""
    budgets = list(process.budgets.select_related("ward"))
    wards = [b for b in budgets if b.ward_id is not None]
    whole = [b for b in budgets if b.ward_id is None]
    if not wards:
        return whole
    ward = voter_ward(user, process.council)
    mine = [b for b in wards if ward is not None and b.ward_id == ward.pk]
    return mine + (whole if process.vote_in_council_wide_too else [])


def ballot_projects(budget: Budget) -> QuerySet[Project]:
    """The projects on ``budget``'s ballot (accepted and shown: never hidden nor waiting)."""
    return Project.objects.filter(budget=budget).on_ballot().order_by("title", "id")


Choices = Sequence[int] | Mapping[int, int]


@dataclass(frozen=True)
class Choice:
    project: Project
    points: int
    rank: int | None


def check_choices(process: BudgetProcess, budget: Budget, choices: Any) -> list[Choice]:
    """The ballot ``choices`` as checked choices, or ValidationError with a clear message.

    Approval: a collection of project ids. Points: a mapping of project id to points (zero
    entries are left out). Ranking: project ids in order of preference, first first."""
    kind = process.ballot_kind
    on_ballot = {p.pk: p for p in ballot_projects(budget)}
    if kind == BallotKind.CUMULATIVE:
        if not isinstance(choices, Mapping):
            raise invalid("choices", _("Give each project a number of points."), "invalid_choices")
        pairs: list[tuple[int, int]] = []
        for key, value in choices.items():
            project_id = _project_id(key)
            try:
                points = int(value)
                whole = isinstance(value, str) or points == value
            except (TypeError, ValueError, OverflowError):
                whole = False
            if not whole or isinstance(value, bool):
                raise invalid("choices", _("Points must be whole numbers."), "invalid_points")
            if points < 0:
                raise invalid("choices", _("Points cannot be negative."), "invalid_points")
            if points:
                pairs.append((project_id, points))
        if len({project_id for project_id, _points in pairs}) != len(pairs):
            raise invalid("choices", _("Each project can be chosen only once."), "duplicate_choice")
    else:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Iterable):
            raise invalid("choices", _("Choose projects from the ballot."), "invalid_choices")
        ids = [_project_id(value) for value in choices]
        if len(set(ids)) != len(ids):
            raise invalid("choices", _("Each project can be chosen only once."), "duplicate_choice")
        pairs = [(project_id, 1) for project_id in ids]
    unknown = [project_id for project_id, _points in pairs if project_id not in on_ballot]
    if unknown:
        raise invalid(
            "choices", _("One of the projects you chose is not on this ballot."), "not_on_ballot"
        )
    count = len(pairs)
    if count < max(process.min_projects, 1):
        if process.min_projects <= 1:
            raise invalid("choices", _("Choose at least one project."), "too_few")
        raise invalid(
            "choices",
            _("Choose at least %(count)d projects."),
            "too_few",
            {"count": process.min_projects},
        )
    if process.max_projects is not None and count > process.max_projects:
        raise invalid(
            "choices",
            ngettext(
                "Choose at most %(count)d project: you chose %(chosen)d.",
                "Choose at most %(count)d projects: you chose %(chosen)d.",
                process.max_projects,
            ),
            "too_many",
            {"count": process.max_projects, "chosen": count},
        )
    if kind == BallotKind.CUMULATIVE:
        total = sum(points for _id, points in pairs)
        if total > process.points:
            raise invalid(
                "choices",
                _("You gave %(total)d points, but you have %(points)d to share out."),
                "too_many_points",
                {"total": total, "points": process.points},
            )
        cap = process.max_points_per_project
        if cap is not None and any(points > cap for _id, points in pairs):
            raise invalid(
                "choices",
                _("Give at most %(cap)d points to any one project."),
                "too_many_points_on_one",
                {"cap": cap},
            )
    if kind == BallotKind.APPROVAL and process.knapsack:
        cost = sum(on_ballot[project_id].cost or 0 for project_id, _points in pairs)
        if cost > budget.amount:
            raise invalid(
                "choices",
                _(
                    "The projects you chose cost %(cost)s, more than the %(budget)s budget. "
                    "Remove some so they fit."
                ),
                "over_budget",
                {"cost": money(cost), "budget": money(budget.amount)},
            )
    ranked = kind == BallotKind.RANKING
    return [
        Choice(on_ballot[project_id], points, position + 1 if ranked else None)
        for position, (project_id, points) in enumerate(pairs)
    ]


def _project_id(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid("choices", _("Choose projects from the ballot."), "invalid_choices") from None
    if not 0 < number < 2**63:
        raise invalid("choices", _("Choose projects from the ballot."), "invalid_choices")
    return number


def vote_refusal(user: Any, budget: Budget) -> str | None:
    """Why ``user`` may not vote in ``budget`` now (phase, level or ward), or None."""
    why = refusal(user, budget.process, Step.VOTE)
    if why is not None:
        return why
    if budget.pk not in {b.pk for b in budgets_for(user, budget.process)}:
        if budget.ward_id is not None:
            return _("Only people whose postcode is in %(ward)s can vote on its budget.") % {
                "ward": budget.ward
            }
        return _("You vote on your own ward’s budget in this process.")
    return None


def _hold_phase(process_id: int) -> None:
    """Hold the process's phase still until this transaction ends: a ballot being written
    and the move to results (which locks the row to change it) wait for each other, so a
    ballot accepted while voting is open is always counted. A shared lock, so ballots do
    not wait for one another. (SQLite runs one writer at a time: nothing to do.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM budgeting_budgetprocess WHERE id = %s FOR SHARE", [process_id]
            )


def _budget_for_voter(user: Any, budget: Budget) -> Budget:
    _hold_phase(Budget.objects.values_list("process_id", flat=True).get(pk=budget.pk))
    budget = Budget.objects.select_related("process__council", "ward").get(pk=budget.pk)
    why = vote_refusal(user, budget)
    if why is not None:
        raise StepRefused(why, Step.VOTE)
    return budget


def _write_choices(ballot: Ballot, checked: list[Choice]) -> None:
    BallotChoice.objects.filter(ballot=ballot).delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, project=c.project, points=c.points, rank=c.rank)
        for c in checked
    )


@transaction.atomic
def cast_ballot(user: Any, budget: Budget, choices: Any) -> Ballot:
    """Cast ``user``'s ballot in ``budget``, or replace the one they cast (one ballot per
    person; changeable until voting closes). Refused with a clear message when the choices
    break the ballot's rules, the person is not eligible (level or ward) or voting is not
    open. Nothing about a ballot is public but the totals, once results are published."""
    budget = _budget_for_voter(user, budget)
    checked = check_choices(budget.process, budget, choices)
    now = timezone.now()
    mine = Ballot.objects.select_for_update().filter(budget=budget, voter=user).order_by("pk")
    ballot = mine.first()
    for _attempt in range(10):
        if ballot is not None:
            break
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    budget=budget, voter=user, created_at=now, updated_at=now
                )
        except IntegrityError:
            # The same person voting twice at once: one ballot, the later choices win.
            # (Look again: the other request's ballot may since have been withdrawn.)
            ballot = mine.first()
    if ballot is None:
        raise ValidationError(_("Please try again."), code="busy")
    ballot.updated_at = now
    ballot.save(update_fields=["updated_at"])
    _write_choices(ballot, checked)
    return ballot


@transaction.atomic
def withdraw_ballot(user: Any, budget: Budget) -> bool:
    """Take back ``user``'s ballot while voting is open; False when there was none."""
    budget = _budget_for_voter(user, budget)
    mine = Ballot.objects.filter(budget=budget, voter=user)
    # Lock the ballot before its choices, in cast_ballot's order (else the two deadlock),
    # and delete only what was locked (a ballot being cast right now is not ours to take).
    locked = list(mine.select_for_update().order_by("pk").values_list("pk", flat=True))
    deleted, _kinds = Ballot.objects.filter(pk__in=locked).delete()
    return bool(deleted)


def ballot_of(user: Any, budget: Budget) -> Ballot | None:
    if _as_user(user) is None:
        return None
    return Ballot.objects.filter(budget=budget, voter=user).prefetch_related("choices").first()


@transaction.atomic
def enter_paper_ballot(actor: Any, budget: Budget, choices: Any, *, reference: str) -> Ballot:
    """An officer enters a paper ballot (checked at the polling station), marked as paper.
    ``reference`` is the number on the paper, so no ballot is entered twice. Side
    effects: audit."""
    _hold_phase(Budget.objects.values_list("process_id", flat=True).get(pk=budget.pk))
    budget = Budget.objects.select_related("process__council").get(pk=budget.pk)
    process = budget.process
    _check(actor, process, Step.ENTER_PAPER)
    ref = line(reference, "reference", limit=64)
    checked = check_choices(process, budget, choices)
    if Ballot.objects.filter(budget=budget, reference=ref).exists():
        raise invalid(
            "reference",
            _("A ballot with reference %(reference)s was already entered."),
            "duplicate_reference",
            {"reference": ref},
        )
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                budget=budget, is_paper=True, reference=ref, entered_by=_as_user(actor)
            )
    except IntegrityError:
        raise invalid(
            "reference",
            _("A ballot with reference %(reference)s was already entered."),
            "duplicate_reference",
            {"reference": ref},
        ) from None
    _write_choices(ballot, checked)
    record(
        "budgeting.paper_ballot_entered",
        actor=actor,
        council=process.council,
        target=process,
        budget=budget.pk,
        reference=ref,
    )
    return ballot


@transaction.atomic
def void_paper_ballot(actor: Any, ballot: Ballot, *, reason_text: str) -> None:
    """Remove a paper ballot entered by mistake, while voting is open. Side effects: audit."""
    ballot = Ballot.objects.select_related("budget__process__council").get(pk=ballot.pk)
    process = ballot.budget.process
    _check(actor, process, Step.ENTER_PAPER)
    if not ballot.is_paper:
        raise ValidationError(_("Only paper ballots can be removed."), code="not_paper")
    why = reason(reason_text, required=True)
    record(
        "budgeting.paper_ballot_voided",
        actor=actor,
        council=process.council,
        target=process,
        reference=ballot.reference,
        reason=why,
    )
    ballot.delete()


def turnout(process: BudgetProcess) -> dict[int, dict[str, int]]:
    """Ballots per budget id: online, paper and all."""
    rows = (
        Ballot.objects.filter(budget__process=process)
        .values("budget_id")
        .annotate(total=Count("id"), paper=Count("id", filter=Q(is_paper=True)))
    )
    return {
        row["budget_id"]: {
            "total": row["total"],
            "paper": row["paper"],
            "online": row["total"] - row["paper"],
        }
        for row in rows
    }


def vote_totals(budget: Budget) -> dict[int, int]:
    """Votes (points for points ballots) per project id on ``budget``'s ballot."""
    rows = (
        BallotChoice.objects.filter(ballot__budget=budget)
        .values("project_id")
        .annotate(total=Sum("points"))
    )
    return {row["project_id"]: row["total"] for row in rows}


# --- Results ---------------------------------------------------------------------------------


def publish_results(process: BudgetProcess) -> list[Result]:
    """Compute every budget's result with the process's rule and mark the winners."""
    from moothall.budgeting.results import compute_result

    results = []
    for budget in process.budgets.all():
        result = compute_result(budget, process.rule)
        Result.objects.filter(budget=budget).delete()
        result.save()
        results.append(result)
        selected = {int(pk) for pk in result.selected}
        Project.objects.filter(budget=budget).update(is_selected=False)
        Project.objects.filter(budget=budget, pk__in=selected).update(is_selected=True)
    return results


# --- Delivery --------------------------------------------------------------------------------


@transaction.atomic
def report_delivery(
    actor: Any,
    project: Project,
    *,
    status: str,
    progress: Any,
    body: str = "",
    images: Sequence[ImageUpload] = (),
) -> DeliveryUpdate:
    """Report on a funded project: its delivery status, % progress and what happened,
    with photos. Side effects: timeline, audit, the project's followers told."""
    project = (
        Project.objects.select_for_update(of=("self", "process"))
        .select_related("process__council", "budget")
        .get(pk=project.pk)
    )
    process = project.process
    _check(actor, process, Step.REPORT_DELIVERY)
    if not project.is_selected:
        raise ValidationError(
            _("Only funded projects have a delivery to report."), code="not_funded"
        )
    if status not in Project.Delivery.values:
        raise invalid("status", _("Choose the delivery status."), "invalid_status")
    percent = _whole(progress, "progress", low=0, high=100)
    assert percent is not None
    if status == Project.Delivery.DONE and percent != 100:
        percent = 100
    words = text(body, "body", required=False, limit=UPDATE_LIMIT)
    cleaned = _images(images)  # up to six photos with each update
    update = DeliveryUpdate.objects.create(
        project=project, status=status, progress=percent, body=words, author=_as_user(actor)
    )
    _store_images(project, cleaned, actor, update)
    project.delivery_status, project.progress = status, percent
    project.save(update_fields=["delivery_status", "progress", "updated_at"])
    label = Project.Delivery(status).label
    summary = f"{label} ({percent}%)"
    _event(process, "delivery_update", summary, project=project, actor=actor)
    record(
        "budgeting.delivery_reported",
        actor=actor,
        council=process.council,
        target=project,
        status=status,
        progress=percent,
    )
    _tell(
        process,
        "budget_delivery_update",
        project.title,
        project.get_absolute_url(),
        project=project,
        summary=summary,
        actor=actor,
    )
    return update


# --- Retention -----------------------------------------------------------------------------


def purge_voters(now: dt.datetime | None = None) -> int:
    """Unlink ballots from the people who cast them once a process's results have been
    public for its retention period. The choices stay, so counts and results stay exact."""
    now = now or timezone.now()
    total = 0
    processes = BudgetProcess.objects.filter(results_published_at__isnull=False)
    for process in processes:
        assert process.results_published_at is not None
        if process.results_published_at + dt.timedelta(days=process.keep_voters_days) > now:
            continue
        total += Ballot.objects.filter(budget__process=process, voter__isnull=False).update(
            voter=None
        )
    return total
