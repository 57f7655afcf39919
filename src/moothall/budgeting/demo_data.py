"""Demo participatory budgeting at Brackenford District Council, built through the verbs.

Brackenford is where the demo's residents live (the ideas demo's thirty people, with
postcodes in its wards), so the ballots are theirs. Two processes:

- **Brackenford Community Fund 2026**, in voting: approval ballots with a budget cap (a
  knapsack ballot), a council-wide budget of £150,000 and ward budgets of £25,000 for the
  two wards where most demo residents live; ten-odd projects proposed by residents or added
  by officers, two found not feasible (with the published reason), one merged into
  another; the residents' online ballots and a handful of paper ballots from the library.
- **Green Spaces Fund 2025**, finished and in delivery: results by the Method of Equal
  Shares completed by add1, the funded projects with delivery updates (status, progress,
  what happened).

Idempotent: an audit entry records the version built; a second run does nothing, a new
version deletes the demo's processes (by title) and builds them again.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from moothall.accounts.models import User
from moothall.budgeting import domain
from moothall.budgeting.models import (
    Ballot,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    ProcessEvent,
    Project,
)
from moothall.core.audit import record
from moothall.core.models import AuditEntry
from moothall.councils.models import Council, Postcode, Ward
from moothall.demo.registry import DemoContext, demo_step

SEED = 1989  # Porto Alegre's first participatory budget
VERSION = "1"  # bump when the demo's shape changes: it is then rebuilt
DEMO_COUNCIL = "brackenford"
AUDIT_ACTION = "budgeting.demo"
# The ideas demo's residents (moothall.ideas.demo_data): the same people, made the same way
# when that step has not run.
RESIDENT_EMAIL = "{n}@residents.{slug}.example"
RESIDENT_NAMES = [
    "Aisha Rahman",
    "Ben Carter",
    "Carys Morgan",
    "Dev Patel",
    "Eleanor Hughes",
    "Femi Adeyemi",
    "Gwen Price",
    "Harry Walsh",
    "Isla Grant",
    "Jamal Hussain",
    "Kate Fielding",
    "Liam O'Connor",
    "Maya Singh",
    "Noah Bennett",
    "Olivia Lloyd",
    "Priya Shah",
    "Quentin Blake",
    "Rosa Martins",
    "Sam Turner",
    "Tomasz Nowak",
    "Uma Krishnan",
    "Victor Evans",
    "Wendy Clarke",
    "Xavier Dubois",
    "Yasmin Ali",
    "Zoe Fraser",
    "Arthur Pym",
    "Bethan Rees",
    "Connor Doyle",
    "Dilys Thomas",
]

VOTING_TITLE = "Brackenford Community Fund 2026"
DELIVERY_TITLE = "Green Spaces Fund 2025"
TITLES = (VOTING_TITLE, DELIVERY_TITLE)

# (key, title, description, cost, where: "whole", "ward1" or "ward2")
STAFF_PROJECTS = [
    (
        "library",
        "Saturday afternoon opening at Brackenford Library",
        "Keep the library open until 5pm on Saturdays for a year, with a children's story "
        "session at 2pm and help with computers and job applications.",
        38_000,
        "whole",
    ),
    (
        "defibrillators",
        "Public defibrillators in six village halls",
        "Install and maintain a public-access defibrillator in a heated cabinet outside six "
        "village halls, registered with the ambulance service, with free CPR training "
        "evenings.",
        21_000,
        "whole",
    ),
    (
        "riverside",
        "Lighting on the riverside path",
        "Low-level, dark-sky friendly lighting on the riverside path between the station "
        "and the leisure centre, so people can walk home safely in winter.",
        64_000,
        "whole",
    ),
    (
        "repair",
        "A monthly repair café at the Corn Exchange",
        "Volunteers fix small appliances, bikes and clothes once a month. The fund pays for "
        "tools, insurance and room hire for two years.",
        9_500,
        "whole",
    ),
    (
        "goalposts",
        "Goalposts and nets at the playing field",
        "Full-size goalposts with nets and a small-sided pitch marked out, for the junior "
        "football club and anyone who wants a kickabout.",
        8_000,
        "ward2",
    ),
]
PROPOSALS = [
    (
        "youth",
        "Youth club evenings at Barrow Hill community centre",
        "Two evenings a week for 11 to 17 year olds, with youth workers, table tennis, music "
        "and a safe place to be after school.",
        45_000,
        "whole",
    ),
    (
        "bus",
        "Free minibus to the Tuesday market for older residents",
        "A dial-a-ride minibus from the outlying villages to the Tuesday market and back.",
        30_000,
        "whole",
    ),
    (
        "playground",
        "New play equipment at the recreation ground",
        "Replace the worn-out climbing frame and add a wheelchair-accessible roundabout.",
        18_000,
        "ward1",
    ),
    (
        "planters",
        "Planters and benches on the high street",
        "Twelve planters with pollinator-friendly plants, looked after by local volunteers, "
        "and four benches for people to rest.",
        7_500,
        "ward1",
    ),
    (
        "crossing",
        "A zebra crossing outside the primary school",
        "Parents and children cross a busy road at the school gates with no crossing.",
        22_000,
        "ward2",
    ),
    (
        "orchard",
        "A community orchard on the allotment field",
        "Plant twenty fruit trees of local varieties, with a fence and a water butt, for "
        "anyone to pick from.",
        6_000,
        "ward2",
    ),
    (
        "ice",
        "An ice rink in the market square every Christmas",
        "A temporary ice rink for December.",
        120_000,
        "whole",
    ),
    (
        "lights",
        "Better lights by the river",
        "The path along the river is too dark in winter; please light it.",
        50_000,
        "whole",
    ),
]
REJECTED = {
    "ice": "The fund pays for lasting projects in the district; a seasonal attraction would "
    "use most of the budget for one month a year, and the market square belongs to the "
    "Town Council.",
    "crossing": "Crossings on this road are the County Council's responsibility as highway "
    "authority. We have passed the request to Mootshire's highways team, who will assess "
    "it this year.",
}
MERGED = {"lights": ("riverside", "Both ask for lighting on the riverside path.")}

GREEN_PROJECTS = [
    ("meadow", "Wildflower meadow at Abbey Park", 8_000, "Turn a mown corner into meadow."),
    ("trees", "Two hundred street trees", 24_000, "Trees on the streets with the fewest."),
    ("pond", "Restore the pond at Kingsmead", 15_000, "Dredge the pond and replant its edges."),
    ("allotments", "Ten new allotment plots", 12_000, "Plots on the Millbrook field."),
    ("hedges", "Hedgerow along Forge Lane", 6_000, "A native hedge along the footpath."),
    ("bins", "Dog bins on every park path", 4_500, "Forty new bins in the parks."),
    ("garden", "Sensory garden at the day centre", 9_000, "Scented plants and raised beds."),
    ("cycle", "Cycle stands at the parks", 7_500, "Covered stands at five parks."),
]
# What officers reported on each project, if it was funded: (status, progress, words).
DELIVERY_UPDATES: dict[str, list[tuple[str, int, str]]] = {
    "meadow": [
        (
            "planning",
            10,
            "The site is agreed with the parks team; seed ordered from a local grower.",
        ),
        ("in_progress", 60, "Ground prepared and sown in September by thirty volunteers."),
        ("done", 100, "The meadow flowered this summer: come and see it by the east gate."),
    ],
    "trees": [
        ("planning", 15, "Streets chosen with residents: the list is on the council website."),
        ("in_progress", 45, "The first ninety trees are planted; the rest go in this winter."),
    ],
    "pond": [
        ("planning", 20, "The ecology survey is done; work starts after the nesting season."),
        ("in_progress", 45, "The pond has been dredged; replanting the edges starts in March."),
    ],
    "allotments": [
        ("planning", 20, "Plots marked out; the water supply is being connected."),
    ],
    "hedges": [("in_progress", 50, "Half the hedge is planted, with help from Forge Lane School.")],
    "bins": [("done", 100, "All forty bins are in place and on the emptying rounds.")],
    "garden": [("planning", 25, "Designs agreed with the day centre's members.")],
    "cycle": [
        ("planning", 10, "Sites agreed at five parks; stands ordered."),
        ("in_progress", 70, "Stands installed at four parks; shelters follow next month."),
    ],
}


class _Demo:
    def __init__(self, council: Council) -> None:
        self.council = council
        self.rng = random.Random(SEED)  # noqa: S311 - invented content, not secrets
        self.now = timezone.now()
        self.people = self._residents()
        wards = {w.gss_code: w for w in Ward.objects.filter(council=council) if w.gss_code}
        codes = dict(
            Postcode.objects.filter(postcode__in=[p.postcode for p in self.people]).values_list(
                "postcode", "ward_gss"
            )
        )
        self.ward_of: dict[int, Ward] = {
            p.pk: wards[codes[p.postcode]] for p in self.people if codes.get(p.postcode) in wards
        }

    def _residents(self) -> list[User]:
        """The ideas demo's residents (made here, the same way, if that step has not run)."""
        postcodes = list(
            Postcode.objects.filter(district_gss=self.council.gss_code)
            .exclude(ward_gss="")
            .order_by("postcode")
            .values_list("postcode", flat=True)[:2000]
        )
        people = []
        for name in RESIDENT_NAMES:
            email = RESIDENT_EMAIL.format(n=name.split()[0].lower(), slug=self.council.slug)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    None,
                    name=name,
                    postcode=self.rng.choice(postcodes) if postcodes else "",
                )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            people.append(user)
        return people

    def busiest_wards(self) -> list[Ward]:
        counts = Counter(self.ward_of.values())
        ranked = sorted(counts, key=lambda w: (-counts[w], w.name))
        return ranked[:2]

    def knapsack_choice(
        self, budget: Budget, projects: list[Project], favourites: list[Project]
    ) -> list[int]:
        """A ballot that fits the budget: favourites first, then a few others at random."""
        order = list(favourites) + self.rng.sample(projects, len(projects))
        chosen: list[int] = []
        spent = 0
        wanted = self.rng.randint(2, 4)
        for project in order:
            if project.pk in chosen or len(chosen) >= wanted:
                continue
            if spent + (project.cost or 0) <= budget.amount:
                chosen.append(project.pk)
                spent += project.cost or 0
        return chosen


def _voting(demo: _Demo) -> BudgetProcess:
    council = demo.council
    process = domain.create_process(
        None,
        council,
        title=VOTING_TITLE,
        summary="Decide how £200,000 is spent on projects across Brackenford and in two wards.",
        description=(
            "Brackenford District Council has set aside **£150,000** for projects across the "
            "district, and **£25,000** each for two wards.\n\n"
            "Residents sent their ideas in the spring; officers checked and costed them. Now "
            "choose the projects you want. The projects you choose must fit within the "
            "budget, as they would for the council.\n\n"
            "You vote on the district-wide projects and, if you live in one of the two wards, "
            "on your ward's projects too. You can change your vote until voting closes. "
            "Paper ballots are available at Brackenford Library."
        ),
        ballot_kind="approval",
        knapsack=True,
        min_projects=1,
        rule="greedy",
        vote_in_council_wide_too=True,
    )
    whole = domain.set_budget(None, process, amount=150_000)
    wards = demo.busiest_wards()
    ward_budgets = [domain.set_budget(None, process, amount=25_000, ward=ward) for ward in wards]
    where: dict[str, Budget] = {"whole": whole}
    for n, budget in enumerate(ward_budgets, start=1):
        where[f"ward{n}"] = budget
    process = domain.change_phase(None, process, Phase.IDEAS)

    projects: dict[str, Project] = {}
    proposers = [p for p in demo.people if p.pk in demo.ward_of] or demo.people
    for n, (key, title, description, cost, budget_key) in enumerate(PROPOSALS):
        budget = where.get(budget_key, whole)
        if budget.ward_id is not None:
            locals_ = [p for p in proposers if demo.ward_of.get(p.pk) == budget.ward]
            author = locals_[n % len(locals_)] if locals_ else proposers[n % len(proposers)]
        else:
            author = proposers[n % len(proposers)]
        projects[key] = domain.propose_project(
            author,
            process,
            title=title,
            description=description,
            budget=budget,
            cost_estimate=cost,
        )
    process = domain.change_phase(None, process, Phase.REVIEW)
    for key, title, description, cost, budget_key in STAFF_PROJECTS:
        projects[key] = domain.add_project(
            None,
            process,
            title=title,
            description=description,
            cost=cost,
            budget=where.get(budget_key, whole),
        )
    for key, _title, _description, cost, _budget in PROPOSALS:
        if key in REJECTED:
            domain.review_project(None, projects[key], decision="reject", reason_text=REJECTED[key])
        elif key in MERGED:
            into, why = MERGED[key]
            domain.merge_projects(None, projects[key], projects[into], reason_text=why)
        else:
            costed = int(round(cost * demo.rng.uniform(0.9, 1.2), -2))
            projects[key] = domain.review_project(
                None,
                projects[key],
                decision="accept",
                cost=min(costed, where.get(_budget, whole).amount),
                reason_text="Costed by the council's officers.",
            )
    process = domain.change_phase(None, process, Phase.VOTING)

    on_ballot = {b.pk: list(domain.ballot_projects(b)) for b in [whole, *ward_budgets]}
    favourites = [projects["library"], projects["youth"], projects["defibrillators"]]
    for n, person in enumerate(demo.people):
        for budget in domain.budgets_for(person, process):
            if n % 6 == 5:
                continue  # not everyone votes
            liked = favourites[n % len(favourites) :] if budget.ward_id is None else []
            choice = demo.knapsack_choice(budget, on_ballot[budget.pk], liked)
            if choice:
                domain.cast_ballot(person, budget, choice)
    for n in range(12):
        budget = whole if n < 9 else ward_budgets[n % len(ward_budgets)] if ward_budgets else whole
        choice = demo.knapsack_choice(budget, on_ballot[budget.pk], [])
        domain.enter_paper_ballot(None, budget, choice, reference=f"LIB-{n + 1:03d}")
    return process


def _delivery(demo: _Demo) -> BudgetProcess:
    council = demo.council
    process = domain.create_process(
        None,
        council,
        title=DELIVERY_TITLE,
        summary="£50,000 for parks, trees and wildlife, chosen by residents in 2025.",
        description=(
            "Residents chose how to spend **£50,000** on green spaces. The winners were "
            "chosen by the Method of Equal Shares: each voter has an equal share of the "
            "budget, and a project wins when its supporters can pay for it together, so "
            "every part of the district gets something it voted for.\n\n"
            "Follow the funded projects below to hear how they are getting on."
        ),
        ballot_kind="approval",
        rule="equalshares/add1",
        max_projects=4,
    )
    whole = domain.set_budget(None, process, amount=50_000)
    process = domain.change_phase(None, process, Phase.IDEAS)
    process = domain.change_phase(None, process, Phase.REVIEW)
    projects = [
        domain.add_project(
            None, process, title=title, description=description, cost=cost, budget=whole
        )
        for _key, title, cost, description in GREEN_PROJECTS
    ]
    process = domain.change_phase(None, process, Phase.VOTING)
    # Groups of residents with different favourites, so Equal Shares has something to share.
    camps = [[0, 1], [1, 3], [2, 4], [0, 5], [6, 7], [3, 2]]
    for n, person in enumerate(demo.people):
        liked = camps[n % len(camps)] + [demo.rng.randrange(len(projects))]
        choice = sorted({projects[i].pk for i in liked})[:4]
        domain.cast_ballot(person, whole, choice)
    for n in range(24):
        liked = camps[(n * 5) % len(camps)]
        choice = sorted({projects[i].pk for i in liked})
        domain.enter_paper_ballot(None, whole, choice, reference=f"GSF-{n + 1:03d}")
    process = domain.change_phase(None, process, Phase.RESULTS)
    process = domain.change_phase(None, process, Phase.DELIVERY)
    for (key, _title, _cost, _words), project in zip(GREEN_PROJECTS, projects, strict=True):
        project.refresh_from_db()
        if not project.is_selected:
            continue
        for status, progress, body in DELIVERY_UPDATES.get(key, []):
            domain.report_delivery(None, project, status=status, progress=progress, body=body)
    _backdate(process, days=300)
    return process


def _backdate(process: BudgetProcess, *, days: int) -> None:
    """Move a finished process's dates back to when the story says it ran (the verbs stamp
    the wall clock): ideas a year ago, voting in the spring, delivery since."""
    start = timezone.now() - dt.timedelta(days=days)
    opens = start + dt.timedelta(days=60)
    closes = opens + dt.timedelta(days=21)
    BudgetProcess.objects.filter(pk=process.pk).update(
        created_at=start,
        voting_opens_at=opens,
        voting_closes_at=closes,
        results_published_at=closes + dt.timedelta(days=2),
    )
    Project.objects.filter(process=process).update(created_at=start + dt.timedelta(days=10))
    Ballot.objects.filter(budget__process=process).update(
        created_at=opens + dt.timedelta(days=5), updated_at=opens + dt.timedelta(days=5)
    )
    updates = list(
        DeliveryUpdate.objects.filter(project__process=process).order_by("project", "id")
    )
    for n, update in enumerate(updates):
        update.created_at = closes + dt.timedelta(days=40 + 60 * n)
    DeliveryUpdate.objects.bulk_update(updates, ["created_at"])
    moments = {
        "phase_ideas": start,
        "phase_review": start + dt.timedelta(days=30),
        "phase_voting": opens,
        "phase_results": closes + dt.timedelta(days=2),
        "phase_delivery": closes + dt.timedelta(days=30),
    }
    events = list(ProcessEvent.objects.filter(process=process))
    for event in events:
        if event.kind in moments:
            event.at = moments[event.kind]
        elif event.kind == "delivery_update":
            event.at = closes + dt.timedelta(days=40)
        else:
            event.at = start + dt.timedelta(days=35)
    ProcessEvent.objects.bulk_update(events, ["at"])


def clear(council: Council) -> None:
    """Remove the demo's processes (by title): projects first (budgets protect them)."""
    processes = BudgetProcess.objects.filter(council=council, title__in=TITLES)
    Project.objects.filter(process__in=processes).delete()
    processes.delete()


def build(council: Council) -> dict[str, Any]:
    demo = _Demo(council)
    voting = _voting(demo)
    delivery = _delivery(demo)
    return {
        "voting": voting,
        "delivery": delivery,
        "ballots": Ballot.objects.filter(budget__process__in=[voting, delivery]).count(),
        "projects": Project.objects.filter(process__in=[voting, delivery]).count(),
    }


def built_version(council: Council) -> str | None:
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION, council=council).order_by("-pk").first()
    if entry is None or BudgetProcess.objects.filter(
        council=council, title__in=TITLES
    ).count() != len(TITLES):
        return None
    return str(entry.details.get("version"))


@demo_step(order=60)
def demo_budgets(context: DemoContext) -> str:
    """Brackenford's participatory budgeting: one process in voting, one in delivery."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    if built_version(council) == VERSION:
        return f"already built (version {VERSION}): {len(TITLES)} processes of {council.short_name}"
    started = time.monotonic()
    with transaction.atomic():
        clear(council)
        made = build(council)
        record(AUDIT_ACTION, council=council, target=council, version=VERSION)
    seconds = time.monotonic() - started
    return (
        f"{council.short_name}: {made['voting'].title} (voting), {made['delivery'].title} "
        f"(delivery); {made['projects']} projects, {made['ballots']} ballots ({seconds:.1f} s)"
    )
