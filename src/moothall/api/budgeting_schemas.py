"""The shapes of participatory budgeting in the API: processes, budgets, projects, results
and delivery updates.

Field names are part of the public contract: keep them. As in ``schemas``, text nobody
filled in is ``null``, never ``""``; dates and times are ISO 8601; Markdown fields are given
as written; money is in whole units of the process's ``currency`` (pounds).

Only what the public may see reaches these schemas: the endpoints never load a process in
the draft phase, nor a withdrawn project; votes and results only once results are
published. No voter, proposer or officer is named, and no ballot is shaped here.
Every schema reads instances the endpoint has already loaded.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

from django.urls import reverse
from ninja import Field, Schema

from moothall.api.meeting_schemas import _named_choices
from moothall.api.schemas import WardRef
from moothall.budgeting.models import (
    BallotKind,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    Project,
    ProjectImage,
    Rule,
)

if TYPE_CHECKING:
    BudgetPhase: TypeAlias = str
    BudgetBallotKind: TypeAlias = str
    BudgetRule: TypeAlias = str
    ProjectStatus: TypeAlias = str
    DeliveryStatus: TypeAlias = str
else:
    BudgetPhase = _named_choices("BudgetPhase", Phase)
    BudgetBallotKind = _named_choices("BudgetBallotKind", BallotKind)
    BudgetRule = _named_choices("BudgetRule", Rule)
    # A withdrawn project is never public, so it is no status here.
    ProjectStatus = StrEnum(
        "ProjectStatus",
        {m.name: m.value for m in Project.Status if m != Project.Status.WITHDRAWN},
    )
    DeliveryStatus = _named_choices("DeliveryStatus", Project.Delivery)

# The phases once results are published (votes and results are public from then on).
RESULTS_PHASES = frozenset({Phase.RESULTS, Phase.DELIVERY, Phase.CLOSED})


def _text_or_none(value: str) -> str | None:
    return value or None


def _process_api_url(process: BudgetProcess) -> str:
    return reverse(
        "api:budget_process", kwargs={"slug": process.council.slug, "process_slug": process.slug}
    )


def results_published(process: BudgetProcess) -> bool:
    return process.phase in RESULTS_PHASES


# --- Processes and budgets ---------------------------------------------------------------


class BudgetProcessOut(Schema):
    slug: str
    title: str
    summary: str | None
    phase: BudgetPhase = Field(
        description="ideas, review (checking and costing), voting, results, delivery or "
        "closed. A process being prepared (draft) is never in the API."
    )
    phase_label: str = Field(description="The phase, in the reader's language.")
    currency: str = Field(description="ISO 4217; every amount is in whole units of it.")
    voting_opens_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    results_published_at: dt.datetime | None
    imported: bool = Field(description="Imported from a Pabulib file (a finished election).")
    url: str = Field(description="The process's page on this site (an absolute path).")
    api_url: str = Field(description="This process in the API (an absolute path).")

    @staticmethod
    def resolve_summary(obj: BudgetProcess) -> str | None:
        return _text_or_none(obj.summary)

    @staticmethod
    def resolve_phase_label(obj: BudgetProcess) -> str:
        return str(obj.get_phase_display())

    @staticmethod
    def resolve_imported(obj: BudgetProcess) -> bool:
        return bool(obj.imported_meta)

    @staticmethod
    def resolve_url(obj: BudgetProcess) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: BudgetProcess) -> str:
        return _process_api_url(obj)


class BudgetOut(Schema):
    """Money to share out: the whole council's (ward null) or one ward's."""

    id: int
    name: str = Field(description="The budget's name, or its ward's, or “Council-wide”.")
    ward: WardRef | None
    amount: int

    @staticmethod
    def resolve_name(obj: Budget) -> str:
        return str(obj)


class BallotRulesOut(Schema):
    kind: BudgetBallotKind = Field(
        description="approval (choose projects), cumulative (share out points) or ranking "
        "(put projects in order)."
    )
    kind_label: str
    knapsack: bool = Field(
        description="Approval: the chosen projects' costs must fit in the budget voted on."
    )
    min_projects: int = Field(description="The fewest projects on a ballot.")
    max_projects: int | None = Field(description="The most projects on a ballot (null: no limit).")
    points: int | None = Field(description="Cumulative: the points each voter shares out.")
    max_points_per_project: int | None = Field(
        description="Cumulative: the most points on any one project (null: no limit)."
    )
    rule: BudgetRule = Field(
        description="How winners are chosen, named as Pabulib names it: greedy, "
        "greedy-no-skip, equalshares, equalshares/add1, equalshares/add1-comparison."
    )
    rule_label: str
    vote_in_council_wide_too: bool = Field(
        description="With ward budgets: residents vote in their own ward's budget and also "
        "in the council-wide one."
    )

    @staticmethod
    def resolve_kind(obj: BudgetProcess) -> str:
        return obj.ballot_kind

    @staticmethod
    def resolve_kind_label(obj: BudgetProcess) -> str:
        return str(obj.get_ballot_kind_display())

    @staticmethod
    def resolve_knapsack(obj: BudgetProcess) -> bool:
        return obj.ballot_kind == BallotKind.APPROVAL and obj.knapsack

    @staticmethod
    def resolve_points(obj: BudgetProcess) -> int | None:
        return obj.points if obj.ballot_kind == BallotKind.CUMULATIVE else None

    @staticmethod
    def resolve_max_points_per_project(obj: BudgetProcess) -> int | None:
        return obj.max_points_per_project if obj.ballot_kind == BallotKind.CUMULATIVE else None

    @staticmethod
    def resolve_rule_label(obj: BudgetProcess) -> str:
        return str(obj.get_rule_display())


class BudgetProcessDetailOut(BudgetProcessOut):
    description: str | None = Field(description="In Markdown.")
    ideas_close_at: dt.datetime | None
    budgets: list[BudgetOut] = Field(description="Council-wide first, then wards by name.")
    ballot: BallotRulesOut
    projects_url: str = Field(description="Its projects in the API (an absolute path).")
    results_url: str | None = Field(
        description="Its results in the API (an absolute path), once published."
    )

    @staticmethod
    def resolve_description(obj: BudgetProcess) -> str | None:
        return _text_or_none(obj.description)

    @staticmethod
    def resolve_budgets(obj: BudgetProcess) -> list[Budget]:
        return obj.public_budgets  # type: ignore[attr-defined]

    @staticmethod
    def resolve_ballot(obj: BudgetProcess) -> BudgetProcess:
        return obj

    @staticmethod
    def resolve_projects_url(obj: BudgetProcess) -> str:
        return reverse(
            "api:budget_projects",
            kwargs={"slug": obj.council.slug, "process_slug": obj.slug},
        )

    @staticmethod
    def resolve_results_url(obj: BudgetProcess) -> str | None:
        if not results_published(obj):
            return None
        return reverse(
            "api:budget_results", kwargs={"slug": obj.council.slug, "process_slug": obj.slug}
        )


# --- Projects ---------------------------------------------------------------------------


class PointOut(Schema):
    latitude: float
    longitude: float


class BudgetImageOut(Schema):
    alt_text: str = Field(description="What the picture shows, for people who cannot see it.")
    content_type: str
    width: int
    height: int
    url: str = Field(description="The picture on this site (an absolute path).")

    @staticmethod
    def resolve_url(obj: ProjectImage) -> str:
        project = obj.project
        return reverse(
            "public:budget_project_image",
            kwargs={
                "council": project.process.council.slug,
                "slug": project.process.slug,
                "pk": project.pk,
                "image_id": obj.pk,
                "extension": "png" if obj.content_type == "image/png" else "jpg",
            },
        )


class BudgetProjectOut(Schema):
    id: int
    title: str
    description: str | None = Field(description="In Markdown.")
    budget: int = Field(description="The id of the budget it is on (see the process's budgets).")
    status: ProjectStatus = Field(
        description="proposed, accepted (on the ballot), rejected (not feasible) or merged."
    )
    status_label: str
    review_reason: str | None = Field(
        description="The officers' published reason for a rejection or a merge, or their "
        "costing notes."
    )
    merged_into: int | None = Field(description="For a merged project: the project it joined.")
    cost_estimate: int | None = Field(description="The proposer's estimate.")
    cost: int | None = Field(description="The officers' costing (what the ballot uses).")
    location: str | None
    point: PointOut | None = Field(description="A place on the map, when one was given.")
    selected: bool | None = Field(description="Funded: null until results are published.")
    delivery_status: DeliveryStatus | None = Field(
        description="For a funded project, once results are published: not_started, "
        "planning, in_progress, done or cancelled."
    )
    progress: int | None = Field(description="Delivery progress, in per cent (funded only).")
    images: list[BudgetImageOut]
    url: str = Field(description="The project's page on this site (an absolute path).")
    updates_url: str | None = Field(
        description="Its delivery updates in the API (an absolute path), when funded."
    )

    @staticmethod
    def resolve_description(obj: Project) -> str | None:
        return _text_or_none(obj.description)

    @staticmethod
    def resolve_budget(obj: Project) -> int:
        return obj.budget_id

    @staticmethod
    def resolve_status_label(obj: Project) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_review_reason(obj: Project) -> str | None:
        return _text_or_none(obj.review_reason)

    @staticmethod
    def resolve_merged_into(obj: Project) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_location(obj: Project) -> str | None:
        return _text_or_none(obj.location)

    @staticmethod
    def resolve_point(obj: Project) -> dict[str, float] | None:
        if obj.latitude is None or obj.longitude is None:
            return None
        return {"latitude": float(obj.latitude), "longitude": float(obj.longitude)}

    @staticmethod
    def resolve_selected(obj: Project) -> bool | None:
        return obj.is_selected if results_published(obj.process) else None

    @staticmethod
    def resolve_delivery_status(obj: Project) -> str | None:
        funded = results_published(obj.process) and obj.is_selected
        return obj.delivery_status if funded else None

    @staticmethod
    def resolve_progress(obj: Project) -> int | None:
        funded = results_published(obj.process) and obj.is_selected
        return obj.progress if funded else None

    @staticmethod
    def resolve_images(obj: Project) -> list[ProjectImage]:
        # Prefetched by the endpoint: the project's own pictures (not its delivery photos).
        return [image for image in obj.images.all() if image.update_id is None]

    @staticmethod
    def resolve_url(obj: Project) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_updates_url(obj: Project) -> str | None:
        if not (results_published(obj.process) and obj.is_selected):
            return None
        return reverse(
            "api:budget_project_updates",
            kwargs={
                "slug": obj.process.council.slug,
                "process_slug": obj.process.slug,
                "id": obj.pk,
            },
        )


class ProjectFilters(Schema):
    budget: int | None = Field(None, ge=1, le=2**63 - 1, description="A budget's id.")
    status: ProjectStatus | None = None
    selected: bool | None = Field(
        None, description="true: funded; false: not funded (only once results are published)."
    )


# --- Results ----------------------------------------------------------------------------


class ProjectResultOut(Schema):
    """Why a project won or lost: the fields the site words in plain English."""

    id: int
    title: str
    cost: int
    votes: int = Field(description="Approvals, or points for a points ballot.")
    points: float | None = Field(description="The score the rule counted (points ballots).")
    selected: bool
    order: int | None = Field(description="1 = chosen first; null when not chosen.")
    reason: str = Field(
        description="won (enough votes and it fitted), did_not_fit (its turn came with only "
        "`remaining` left), stopped (greedy-no-skip: counting stopped before it), "
        "won_equal_shares (its supporters could pay for it together), won_fill (chosen by "
        "the greedy fill after Equal Shares), not_enough_support (its supporters had only "
        "`supporters_money` left), no_votes."
    )
    remaining: float | None = Field(description="Greedy: the budget left when its turn came.")
    payers: int | None = Field(description="Equal Shares: how many supporters paid for it.")
    paid_all: int | None = Field(
        description="Equal Shares: supporters who paid everything they had left."
    )
    max_share: float | None = Field(description="Equal Shares: the largest share a supporter paid.")
    typical_share: float | None = Field(description="Equal Shares: the median share.")
    supporters_money: float | None = Field(
        description="Equal Shares, not chosen: what its supporters had left at the end."
    )
    went_to: int | None = Field(
        description="Equal Shares, not chosen: the chosen project that took most of its "
        "supporters' money."
    )
    went_to_amount: float | None


class ResultDetailsOut(Schema):
    per_voter_budget: float | None = Field(
        description="Equal Shares: each voter's share of the money at the end."
    )
    completion: str | None = Field(description="add1, add1-comparison or null.")
    greedy_fill: list[int] = Field(description="Projects chosen by the final greedy fill.")


class BudgetResultOut(Schema):
    budget: BudgetOut
    rule: str
    selected: list[int] = Field(description="The funded projects' ids, in the order chosen.")
    spent: int
    ballots: int = Field(description="How many ballots were counted.")
    details: ResultDetailsOut
    projects: list[ProjectResultOut] = Field(description="Every project on the ballot.")
    computed_at: dt.datetime


class BudgetResultsOut(Schema):
    process: BudgetProcessOut
    budgets: list[BudgetResultOut]


# --- Delivery ---------------------------------------------------------------------------


class DeliveryUpdateOut(Schema):
    id: int
    status: DeliveryStatus
    status_label: str
    progress: int = Field(description="In per cent.")
    body: str | None = Field(description="What happened, in Markdown.")
    created_at: dt.datetime
    images: list[BudgetImageOut] = Field(description="Photos of the work.")

    @staticmethod
    def resolve_status_label(obj: DeliveryUpdate) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_body(obj: DeliveryUpdate) -> str | None:
        return _text_or_none(obj.body)

    @staticmethod
    def resolve_images(obj: DeliveryUpdate) -> list[ProjectImage]:
        return list(obj.images.all())
