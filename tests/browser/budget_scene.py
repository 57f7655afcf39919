"""Participatory budgeting at Mootshire for the browser tests: a process in every phase.

Built on ``tests/budgeting/scene.py`` (Moot Ward and Hill Ward, Mo Moot at MH1 1AA in
Moot Ward, Hal Hill at MH2 2BB in Hill Ward, Olly Out outside Mootshire), and through
the verbs of :mod:`moothall.budgeting.domain` from there on:

- ``chest``, "Community Chest 2027", is in voting with an approval knapsack ballot: at
  most 3 projects, whose costs must fit the budget. Council-wide (£100,000): the library
  (£60,000), street trees (£50,000) and the skate park (£30,000); Moot Ward (£30,000):
  benches (£9,000) and the playground (£25,000), with ``rejected`` (dog bins, not
  feasible) and ``merged`` (pond seats, merged into the benches); Hill Ward (£20,000):
  the crossing and the hall roof. Mo has voted for the benches in Moot Ward
  (``mo_ballot``); ``paper`` is a paper ballot the officer entered there.
- ``points``, "Youth Fund 2027": voting, cumulative (10 points, at most 6 on one project),
  one council-wide budget of three projects.
- ``ranked``, "Parks Priorities 2027": voting, a ranking ballot, one budget of three.
- ``ideas``, "Green Streets 2028": collecting ideas, a council-wide and a Moot Ward budget;
  Mo has proposed ``proposal`` (planters, with a picture).
- ``review``, "Hill Halls 2027": checking and costing, one budget of £20,000: Hal's
  ``to_review`` (a new kitchen, estimated at £12,000) waits for the officers; the
  officers' ``roof`` (£9,000) is on the ballot.
- ``shares``, "Moot Makers 2026": results published with the Method of Equal Shares
  completed by add1 (a council-wide £100,000; ten ballots, two online and eight on paper,
  in two groups of six and four).
- ``greedy``, "Village Fund 2025": results by "most votes first", then delivery: the
  library hours (in progress, 40%, an update with a photo) and the bike racks (done).
  ``play_area`` did not fit; ``skate_ramp`` had no votes.
- ``draft``, "Secret Plans 2029": being prepared, seen by staff only.

Staff: ``officer`` (Olive Officer, with an authenticator app) runs budgets at Mootshire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moothall.accounts.models import User
from moothall.budgeting import domain
from moothall.budgeting.models import (
    Ballot,
    BallotKind,
    Budget,
    BudgetProcess,
    Phase,
    Project,
    Rule,
)
from moothall.councils.models import Council
from tests import factories
from tests.budgeting.scene import Scene, build_scene
from tests.ideas.scene import png

COUNCIL_SLUG = "mootshire"


@dataclass
class BudgetScene:
    base: Scene
    officer: User
    rejected: Project
    merged: Project
    mo_ballot: Ballot
    paper: Ballot
    points: BudgetProcess
    points_budget: Budget
    ranked: BudgetProcess
    ranked_budget: Budget
    ideas: BudgetProcess
    proposal: Project
    review: BudgetProcess
    to_review: Project
    roof: Project
    shares: BudgetProcess
    shares_budget: Budget
    bridge: Project
    greedy: BudgetProcess
    greedy_budget: Budget
    library_hours: Project
    bike_racks: Project
    play_area: Project
    skate_ramp: Project
    draft: BudgetProcess

    @property
    def council(self) -> Council:
        return self.base.council

    @property
    def chest(self) -> BudgetProcess:
        return self.base.process

    @property
    def mo(self) -> User:
        return self.base.moot_resident

    @property
    def hal(self) -> User:
        return self.base.hill_resident

    def project(self, key: str) -> Project:
        return self.base.projects[key]


def mootshire() -> Council:
    return factories.CouncilFactory(
        name="Mootshire County Council", short_name="Mootshire", slug=COUNCIL_SLUG, tier="county"
    )


def budget_officer(council: Council) -> User:
    """Olive Officer, as the root conftest makes her: an officer with MFA on."""
    user = factories.UserFactory(email="olive.officer@example.org", name="Olive Officer")
    factories.RoleFactory(user=user, council=council, kind="officer")
    factories.give_mfa(user)
    return user


def through_review(
    council: Council, title: str, *, amount: int, **fields: Any
) -> tuple[BudgetProcess, Budget]:
    """A process with a council-wide budget of ``amount``, moved on to checking and costing."""
    process = domain.create_process(
        None, council, title=title, summary=f"{title}: you decide.", **fields
    )
    budget = domain.set_budget(None, process, amount=amount)
    process = domain.change_phase(None, process, Phase.IDEAS)
    process = domain.change_phase(None, process, Phase.REVIEW)
    return process, budget


def costed(process: BudgetProcess, budget: Budget, title: str, cost: int) -> Project:
    return domain.add_project(
        None,
        process,
        title=title,
        description=f"{title}, for everyone in Mootshire.",
        cost=cost,
        budget=budget,
    )


def paper_ballots(
    officer: User, budget: Budget, choices: Any, count: int, prefix: str
) -> list[Ballot]:
    return [
        domain.enter_paper_ballot(officer, budget, choices, reference=f"{prefix}-{n:03d}")
        for n in range(1, count + 1)
    ]


def _chest(base: Scene, officer: User) -> tuple[Project, Project, Ballot, Ballot]:
    """The knapsack process: two more Moot Ward ideas, one rejected and one merged, then voting."""
    process = base.process
    bins = costed(process, base.moot_budget, "Dog waste bins", 4_000)
    rejected = domain.review_project(
        officer,
        bins,
        decision="reject",
        reason_text="The bins are emptied by the district council, not by us.",
    )
    seats = costed(process, base.moot_budget, "Seats by the pond", 5_000)
    domain.merge_projects(
        officer, seats, base.projects["benches"], reason_text="The same seats were asked twice."
    )
    base.process = domain.change_phase(officer, process, Phase.VOTING)
    mo_ballot = domain.cast_ballot(
        base.moot_resident, base.moot_budget, [base.projects["benches"].pk]
    )
    paper = domain.enter_paper_ballot(
        officer, base.moot_budget, [base.projects["playground"].pk], reference="MW-0001"
    )
    seats.refresh_from_db()
    return rejected, seats, mo_ballot, paper


def _voting(
    council: Council,
    officer: User,
    title: str,
    kind: str,
    projects: list[tuple[str, int]],
    **fields: Any,
) -> BudgetProcess:
    process, budget = through_review(council, title, amount=40_000, ballot_kind=kind, **fields)
    for name, cost in projects:
        costed(process, budget, name, cost)
    return domain.change_phase(officer, process, Phase.VOTING)


def _ideas(base: Scene, officer: User) -> tuple[BudgetProcess, Project]:
    council = base.council
    process = domain.create_process(
        officer,
        council,
        title="Green Streets 2028",
        summary="Ideas for greener streets in Mootshire.",
        description="Tell us how to make your street **greener**.",
    )
    domain.set_budget(officer, process, amount=40_000)
    moot = domain.set_budget(officer, process, amount=10_000, ward=base.moot)
    process = domain.change_phase(officer, process, Phase.IDEAS)
    proposal = domain.propose_project(
        base.moot_resident,
        process,
        title="Planters on Mill Lane",
        description="Six big planters with flowers along Mill Lane.",
        budget=moot,
        cost_estimate=3_000,
        location="Mill Lane, by the school",
        latitude="51.5074",
        longitude="-0.1278",
        images=[domain.ImageUpload(png((60, 40)), "Mill Lane today: a bare pavement")],
    )
    return process, proposal


def _review(base: Scene, officer: User) -> tuple[BudgetProcess, Project, Project]:
    process, budget = through_review(base.council, "Hill Halls 2027", amount=20_000)
    roof = costed(process, budget, "Hall roof repairs", 9_000)
    # Proposed while ideas were open: step back one phase to collect it, then on again.
    process = domain.change_phase(officer, process, Phase.IDEAS)
    to_review = domain.propose_project(
        base.hill_resident,
        process,
        title="A new hall kitchen",
        description="A kitchen so the hall can host lunch clubs.",
        budget=budget,
        cost_estimate=12_000,
    )
    process = domain.change_phase(officer, process, Phase.REVIEW)
    return process, to_review, roof


def _shares(base: Scene, officer: User) -> BudgetProcess:
    """Equal Shares with add1: six voters want the bridge and bus shelters, four the youth
    club and the garden; nobody wants the mural."""
    process, budget = through_review(
        base.council, "Moot Makers 2026", amount=100_000, rule=Rule.EQUAL_SHARES_ADD1
    )
    bridge = costed(process, budget, "Moot bridge repairs", 70_000)
    club = costed(process, budget, "Youth club", 40_000)
    garden = costed(process, budget, "Community garden", 30_000)
    shelters = costed(process, budget, "Bus shelters", 20_000)
    costed(process, budget, "A mural", 5_000)
    process = domain.change_phase(officer, process, Phase.VOTING)
    domain.cast_ballot(base.moot_resident, budget, [bridge.pk, shelters.pk])
    domain.cast_ballot(base.hill_resident, budget, [club.pk, garden.pk])
    paper_ballots(officer, budget, [bridge.pk, shelters.pk], 5, "MM-A")
    paper_ballots(officer, budget, [club.pk, garden.pk], 3, "MM-B")
    return domain.change_phase(officer, process, Phase.RESULTS)


def _greedy(base: Scene, officer: User) -> tuple[BudgetProcess, dict[str, Project]]:
    process, budget = through_review(
        base.council, "Village Fund 2025", amount=50_000, rule=Rule.GREEDY
    )
    made = {
        "library": costed(process, budget, "Longer library hours", 30_000),
        "play": costed(process, budget, "New play area", 25_000),
        "racks": costed(process, budget, "Bike racks", 10_000),
        "ramp": costed(process, budget, "Skate ramp", 8_000),
    }
    process = domain.change_phase(officer, process, Phase.VOTING)
    library, play, racks = made["library"].pk, made["play"].pk, made["racks"].pk
    paper_ballots(officer, budget, [library, play, racks], 3, "VF-A")
    paper_ballots(officer, budget, [library, play], 1, "VF-B")
    paper_ballots(officer, budget, [library], 1, "VF-C")
    process = domain.change_phase(officer, process, Phase.RESULTS)
    for key in made:
        made[key].refresh_from_db()
    domain.report_delivery(
        officer,
        made["racks"],
        status=Project.Delivery.DONE,
        progress=100,
        body="Twenty racks are in, outside the shops and the station.",
    )
    domain.report_delivery(
        officer,
        made["library"],
        status=Project.Delivery.PLANNING,
        progress=10,
        body="We are hiring two more library assistants.",
    )
    domain.report_delivery(
        officer,
        made["library"],
        status=Project.Delivery.IN_PROGRESS,
        progress=40,
        body="The library now opens on **Saturday** mornings.",
        images=[domain.ImageUpload(png((80, 50)), "Readers at the library on a Saturday")],
    )
    process = domain.change_phase(officer, process, Phase.DELIVERY)
    for key in made:
        made[key].refresh_from_db()
    return process, made


def build_budget_scene() -> BudgetScene:
    council = mootshire()
    officer = budget_officer(council)
    base = build_scene(council, phase=Phase.REVIEW, knapsack=True, max_projects=3)
    rejected, merged, mo_ballot, paper = _chest(base, officer)
    points = _voting(
        council,
        officer,
        "Youth Fund 2027",
        BallotKind.CUMULATIVE,
        [
            ("Youth club evenings", 20_000),
            ("Skills workshops", 15_000),
            ("Summer sports camp", 12_000),
        ],
        points=10,
        max_points_per_project=6,
    )
    ranked = _voting(
        council,
        officer,
        "Parks Priorities 2027",
        BallotKind.RANKING,
        [("A wildflower meadow", 20_000), ("Park toilets", 25_000), ("A bandstand", 15_000)],
    )
    ideas, proposal = _ideas(base, officer)
    review, to_review, roof = _review(base, officer)
    shares = _shares(base, officer)
    greedy, funded = _greedy(base, officer)
    draft = domain.create_process(officer, council, title="Secret Plans 2029")
    domain.set_budget(officer, draft, amount=5_000)
    return BudgetScene(
        base=base,
        officer=officer,
        rejected=rejected,
        merged=merged,
        mo_ballot=mo_ballot,
        paper=paper,
        points=points,
        points_budget=points.budgets.get(),
        ranked=ranked,
        ranked_budget=ranked.budgets.get(),
        ideas=ideas,
        proposal=proposal,
        review=review,
        to_review=to_review,
        roof=roof,
        shares=shares,
        shares_budget=shares.budgets.get(),
        bridge=Project.objects.get(process=shares, title="Moot bridge repairs"),
        greedy=greedy,
        greedy_budget=greedy.budgets.get(),
        library_hours=funded["library"],
        bike_racks=funded["racks"],
        play_area=funded["play"],
        skate_ramp=funded["ramp"],
        draft=draft,
    )
