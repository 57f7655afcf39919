"""Participatory budgeting at Mootshire for the tests.

Two wards (Moot and Hill) with a budget each, and a council-wide budget; residents who
live in each ward; a process in voting with costed projects on every ballot. Behaviour
is built through the verbs in :mod:`moothall.budgeting.domain`; only the setting (wards,
postcodes, people) is made as plain rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moothall.budgeting import domain
from moothall.budgeting.models import Budget, BudgetProcess, Phase, Project
from moothall.councils.models import Council, Ward
from tests import factories

MOOT_POSTCODE = "MH1 1AA"
HILL_POSTCODE = "MH2 2BB"
OUTSIDE_POSTCODE = "EL9 9ZZ"


@dataclass
class Scene:
    council: Council
    moot: Ward
    hill: Ward
    process: BudgetProcess
    whole: Budget  # council-wide, £100,000
    moot_budget: Budget  # £30,000
    hill_budget: Budget  # £20,000
    projects: dict[str, Project] = field(default_factory=dict)
    moot_resident: Any = None
    hill_resident: Any = None
    outsider: Any = None


def person(email: str, postcode: str = "", **extra: Any) -> Any:
    """A signed-up person (email verified) with a declared postcode."""
    return factories.UserFactory(email=email, postcode=postcode, **extra)


def build_scene(council: Council, *, phase: str = Phase.VOTING, **process_fields: Any) -> Scene:
    """The scene, with the process moved through the phases up to ``phase``."""
    moot = factories.WardFactory(
        council=council, name="Moot Ward", slug="moot-ward", gss_code="E05000001"
    )
    hill = factories.WardFactory(
        council=council, name="Hill Ward", slug="hill-ward", gss_code="E05000002"
    )
    factories.PostcodeFactory(
        postcode=MOOT_POSTCODE, county_gss=council.gss_code or "", ward_gss=moot.gss_code
    )
    factories.PostcodeFactory(
        postcode=HILL_POSTCODE, county_gss=council.gss_code or "", ward_gss=hill.gss_code
    )
    factories.PostcodeFactory(postcode=OUTSIDE_POSTCODE, county_gss="E99999999")
    process = domain.create_process(
        None,
        council,
        title="Community Chest 2027",
        summary="Decide how £150,000 is spent in Mootshire.",
        description="Propose projects, then **vote** for the ones you want.",
        **process_fields,
    )
    whole = domain.set_budget(None, process, amount=100_000)
    moot_budget = domain.set_budget(None, process, amount=30_000, ward=moot)
    hill_budget = domain.set_budget(None, process, amount=20_000, ward=hill)
    scene = Scene(
        council=council,
        moot=moot,
        hill=hill,
        process=process,
        whole=whole,
        moot_budget=moot_budget,
        hill_budget=hill_budget,
        moot_resident=person("mo.moot@example.org", MOOT_POSTCODE, name="Mo Moot"),
        hill_resident=person("hal.hill@example.org", HILL_POSTCODE, name="Hal Hill"),
        outsider=person("olly.out@example.org", OUTSIDE_POSTCODE, name="Olly Out"),
    )
    order = [Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.DELIVERY]
    target = order.index(Phase(phase)) if phase in order else -1
    if target < 0:
        return scene
    process = domain.change_phase(None, process, Phase.IDEAS)
    scene.projects["benches"] = domain.propose_project(
        scene.moot_resident,
        process,
        title="Benches in Moot Park",
        description="Six benches by the pond.",
        budget=moot_budget,
        cost_estimate=8_000,
    )
    if target >= 1:
        process = domain.change_phase(None, process, Phase.REVIEW)
    costed = {
        "library": (whole, "Longer library opening", 60_000),
        "trees": (whole, "A thousand street trees", 50_000),
        "skatepark": (whole, "Skate park repairs", 30_000),
        "playground": (moot_budget, "Moot playground", 25_000),
        "crossing": (hill_budget, "Hill school crossing", 15_000),
        "hall": (hill_budget, "Hill village hall roof", 10_000),
    }
    if target >= 1:
        for key, (budget, title, cost) in costed.items():
            scene.projects[key] = domain.add_project(
                None, process, title=title, description=f"{title}.", cost=cost, budget=budget
            )
        scene.projects["benches"] = domain.review_project(
            None, scene.projects["benches"], decision="accept", cost=9_000
        )
    if target >= 2:
        process = domain.change_phase(None, process, Phase.VOTING)
    scene.process = process
    return scene
