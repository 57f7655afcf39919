"""The demo's participatory budgeting: Brackenford's fund in voting and its green spaces
fund in delivery, built through the verbs, quickly, and only once."""

from __future__ import annotations

import pytest

from moothall.budgeting import demo_data
from moothall.budgeting.models import (
    Ballot,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    Project,
    Result,
)
from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext, steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def brackenford() -> Council:
    """The fictional area (the demo's first step), without the rest of the demo."""
    mootshire(DemoContext())
    return Council.objects.get(slug="brackenford")


def _state(council: Council) -> dict:
    return {
        "processes": sorted(
            BudgetProcess.objects.filter(council=council).values_list("pk", "title", "phase")
        ),
        "projects": sorted(
            Project.objects.filter(process__council=council).values_list("pk", "status", "cost")
        ),
        "ballots": Ballot.objects.filter(budget__process__council=council).count(),
        "updates": DeliveryUpdate.objects.filter(project__process__council=council).count(),
    }


def test_the_demo_builds_a_process_in_voting_and_one_in_delivery(brackenford):
    line = demo_data.demo_budgets(DemoContext())

    assert line.startswith("Brackenford: Brackenford Community Fund 2026 (voting), ")
    voting = BudgetProcess.objects.get(council=brackenford, title=demo_data.VOTING_TITLE)
    assert voting.phase == Phase.VOTING
    assert (voting.ballot_kind, voting.knapsack) == ("approval", True)
    budgets = list(voting.budgets.select_related("ward"))
    assert sorted((b.ward is None, b.amount) for b in budgets) == [
        (False, 25_000),
        (False, 25_000),
        (True, 150_000),
    ]
    projects = Project.objects.filter(process=voting)
    assert projects.count() >= 10
    statuses = list(projects.values_list("status", flat=True))
    assert statuses.count("rejected") == 2
    assert statuses.count("merged") == 1
    assert all(p.review_reason for p in projects.filter(status__in=["rejected", "merged"]))
    ballots = Ballot.objects.filter(budget__process=voting)
    assert ballots.count() >= 24
    assert ballots.filter(is_paper=True).count() == 12
    assert ballots.filter(budget__ward__isnull=False).exists()
    for ballot in ballots.select_related("budget"):
        cost = sum(c.project.cost for c in ballot.choices.select_related("project"))
        assert 0 < cost <= ballot.budget.amount  # every ballot fits its budget

    finished = BudgetProcess.objects.get(council=brackenford, title=demo_data.DELIVERY_TITLE)
    assert finished.phase == Phase.DELIVERY
    assert finished.rule == "equalshares/add1"
    assert finished.results_published_at is not None
    result = Result.objects.get(budget__process=finished)
    assert result.details["completion"] == "add1"
    assert len(result.selected) >= 3
    assert result.spent <= 50_000
    funded = Project.objects.filter(process=finished, is_selected=True)
    assert {p.pk for p in funded} == set(result.selected)
    updates = DeliveryUpdate.objects.filter(project__process=finished)
    assert updates.count() >= 5
    assert updates.filter(status="done", progress=100).exists()
    assert funded.filter(delivery_status="done", progress=100).exists()


def test_running_the_demo_twice_changes_nothing(brackenford):
    demo_data.demo_budgets(DemoContext())
    before = _state(brackenford)

    line = demo_data.demo_budgets(DemoContext())

    assert line.startswith("already built")
    assert _state(brackenford) == before


def test_a_new_version_rebuilds_the_demo(brackenford, monkeypatch):
    demo_data.demo_budgets(DemoContext())
    monkeypatch.setattr(demo_data, "VERSION", "test-next")

    demo_data.demo_budgets(DemoContext())

    assert BudgetProcess.objects.filter(council=brackenford).count() == 2


def test_the_demo_command_runs_the_step_after_the_ideas():
    names = [step.name for step in steps()]
    assert "moothall.budgeting.demo_data.demo_budgets" in names
    assert names.index("moothall.budgeting.demo_data.demo_budgets") > names.index(
        "moothall.ideas.demo_data.ideas"
    )
