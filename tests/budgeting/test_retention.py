"""Retention (UK GDPR): who voted is forgotten a council-set time after the results are
published; the choices stay, so the counts and winners can always be recomputed exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from moothall.budgeting import domain
from moothall.budgeting.models import Ballot, BudgetProcess, Phase, Result
from moothall.budgeting.tasks import purge_voters
from moothall.core.schedule import registered_jobs
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db


def snapshot(process: BudgetProcess) -> list[tuple]:
    return [
        (r.budget_id, r.rule, r.selected, r.spent, r.ballots, r.explanations, r.details)
        for r in Result.objects.filter(budget__process=process).order_by("budget_id")
    ]


def voted(council, officer, **fields):
    scene = build_scene(council, keep_voters_days=30, **fields)
    p = scene.projects
    domain.cast_ballot(scene.moot_resident, scene.whole, [p["library"].pk, p["trees"].pk])
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["trees"].pk, p["skatepark"].pk])
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, [p["benches"].pk])
    domain.cast_ballot(scene.hill_resident, scene.hill_budget, [p["hall"].pk, p["crossing"].pk])
    domain.enter_paper_ballot(officer, scene.whole, [p["library"].pk], reference="P-1")
    process = domain.change_phase(officer, scene.process, Phase.RESULTS)
    return scene, process


@pytest.mark.parametrize("rule", ["greedy", "equalshares"])
def test_voters_are_forgotten_after_the_retention_period_and_results_stay_exact(
    council, officer, rule
):
    scene, process = voted(council, officer, rule=rule)
    published = process.results_published_at
    assert published is not None
    before = snapshot(process)
    totals = {b.pk: domain.vote_totals(b) for b in process.budgets.all()}
    turnout = domain.turnout(process)

    assert domain.purge_voters(published + dt.timedelta(days=30, seconds=-1)) == 0
    assert Ballot.objects.filter(voter__isnull=False).count() == 4

    assert domain.purge_voters(published + dt.timedelta(days=30)) == 4

    assert not Ballot.objects.filter(voter__isnull=False).exists()
    assert Ballot.objects.count() == 5
    assert domain.ballot_of(scene.moot_resident, scene.whole) is None
    domain.publish_results(process)
    assert snapshot(process) == before
    assert {b.pk: domain.vote_totals(b) for b in process.budgets.all()} == totals
    assert domain.turnout(process) == turnout
    assert domain.purge_voters(published + dt.timedelta(days=31)) == 0


def test_a_process_still_voting_keeps_its_voters(council, officer):
    scene = build_scene(council, keep_voters_days=1)
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["trees"].pk])
    far_future = scene.process.created_at + dt.timedelta(days=10_000)

    assert domain.purge_voters(far_future) == 0
    assert Ballot.objects.get().voter == scene.moot_resident


def test_the_daily_job_purges_and_is_scheduled(council, officer):
    _scene, process = voted(council, officer)
    BudgetProcess.objects.filter(pk=process.pk).update(
        results_published_at=process.results_published_at - dt.timedelta(days=31)
    )

    assert purge_voters.enqueue().return_value == 4

    assert not Ballot.objects.filter(voter__isnull=False).exists()
    jobs = {job.name: job.spec for job in registered_jobs()}
    assert jobs["moothall.budgeting.tasks.purge_voters"] == "daily at 03:55"
