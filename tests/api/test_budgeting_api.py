"""Participatory budgeting in the API: read-only, public data only, results once published.

The scene is tests/budgeting/scene.py's Community Chest at Mootshire (a council-wide
budget of £100,000 and ward budgets for Moot and Hill), with a project rejected with a
reason, a duplicate merged, one withdrawn (never shown), ballots cast, and a draft process
nobody outside the council may see.
"""

from __future__ import annotations

import pytest

from moothall.budgeting import domain
from moothall.budgeting.models import Phase, Project
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db

BASE = "/api/v1/councils/mootshire/budgets"


@pytest.fixture
def chest(council):
    scene = build_scene(council, phase=Phase.REVIEW)
    process = scene.process
    fountain = domain.add_project(
        None,
        process,
        title="A fountain in the square",
        description="A new fountain.",
        cost=40_000,
        budget=scene.whole,
    )
    domain.review_project(
        None,
        fountain,
        decision="reject",
        reason_text="The square is not the council's land.",
    )
    seats = domain.add_project(
        None,
        process,
        title="Seats by the pond",
        description="Seats in Moot Park.",
        cost=5_000,
        budget=scene.moot_budget,
    )
    domain.merge_projects(
        None, seats, scene.projects["benches"], reason_text="Both ask for seats in Moot Park."
    )
    Project.objects.create(
        process=process,
        budget=scene.whole,
        title="Withdrawn idea",
        status=Project.Status.WITHDRAWN,
    )
    scene.projects["fountain"] = fountain
    scene.projects["seats"] = seats
    scene.process = domain.change_phase(None, process, Phase.VOTING)
    domain.cast_ballot(
        scene.moot_resident,
        scene.whole,
        [scene.projects["library"].pk, scene.projects["trees"].pk],
    )
    domain.cast_ballot(scene.hill_resident, scene.whole, [scene.projects["library"].pk])
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, [scene.projects["benches"].pk])
    domain.create_process(None, council, title="Secret draft")
    return scene


def _results(scene):
    scene.process = domain.change_phase(None, scene.process, Phase.RESULTS)
    return scene


def test_the_list_shows_public_processes_only(client, chest):
    response = client.get(BASE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item == {
        "slug": "community-chest-2027",
        "title": "Community Chest 2027",
        "summary": "Decide how £150,000 is spent in Mootshire.",
        "phase": "voting",
        "phase_label": "Voting",
        "currency": "GBP",
        "voting_opens_at": item["voting_opens_at"],
        "voting_closes_at": None,
        "results_published_at": None,
        "imported": False,
        "url": "/mootshire/budgets/community-chest-2027/",
        "api_url": "/api/v1/councils/mootshire/budgets/community-chest-2027",
    }
    assert item["voting_opens_at"] is not None


def test_a_draft_is_not_found_and_an_unknown_council_is_clear(client, chest):
    response = client.get(f"{BASE}/secret-draft")
    assert response.status_code == 404
    assert "secret-draft" in response.json()["detail"]
    for path in ("projects", "results"):
        assert client.get(f"{BASE}/secret-draft/{path}").status_code == 404
    response = client.get("/api/v1/councils/nowhere/budgets")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “nowhere”."}


def test_a_process_gives_its_budgets_phase_and_ballot_rules(client, chest):
    response = client.get(f"{BASE}/community-chest-2027")

    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "voting"
    assert body["description"] == "Propose projects, then **vote** for the ones you want."
    assert [(b["name"], b["ward"], b["amount"]) for b in body["budgets"]] == [
        ("Council-wide", None, 100_000),
        ("Hill Ward", {"slug": "hill-ward", "name": "Hill Ward"}, 20_000),
        ("Moot Ward", {"slug": "moot-ward", "name": "Moot Ward"}, 30_000),
    ]
    assert body["ballot"] == {
        "kind": "approval",
        "kind_label": "Approval: choose the projects you support",
        "knapsack": False,
        "min_projects": 1,
        "max_projects": None,
        "points": None,
        "max_points_per_project": None,
        "rule": "greedy",
        "rule_label": "Most votes first, skipping what no longer fits",
        "vote_in_council_wide_too": True,
    }
    assert body["projects_url"] == f"{BASE}/community-chest-2027/projects"
    assert body["results_url"] is None


def test_projects_are_listed_without_votes_or_funding_before_results(client, chest):
    response = client.get(f"{BASE}/community-chest-2027/projects?limit=50")

    assert response.status_code == 200
    items = {p["title"]: p for p in response.json()["items"]}
    assert "Withdrawn idea" not in items
    assert len(items) == 9
    library = items["Longer library opening"]
    assert library["status"] == "accepted"
    assert library["cost"] == 60_000
    assert library["budget"] == chest.whole.pk
    assert (library["selected"], library["delivery_status"], library["progress"]) == (
        None,
        None,
        None,
    )
    assert "votes" not in library
    fountain = items["A fountain in the square"]
    assert fountain["status"] == "rejected"
    assert fountain["review_reason"] == "The square is not the council's land."
    seats = items["Seats by the pond"]
    assert seats["status"] == "merged"
    assert seats["merged_into"] == chest.projects["benches"].pk
    assert items["Benches in Moot Park"]["cost_estimate"] == 8_000


def test_projects_filter_by_budget_status_and_selected(client, chest):
    url = f"{BASE}/community-chest-2027/projects"

    moot = client.get(f"{url}?budget={chest.moot_budget.pk}").json()
    assert sorted(p["title"] for p in moot["items"]) == [
        "Benches in Moot Park",
        "Moot playground",
        "Seats by the pond",
    ]
    rejected = client.get(f"{url}?status=rejected").json()
    assert [p["title"] for p in rejected["items"]] == ["A fountain in the square"]
    assert client.get(f"{url}?selected=true").json()["count"] == 0  # not before results
    assert client.get(f"{url}?status=withdrawn").status_code == 422
    assert client.get(f"{url}?budget=0").status_code == 422


def test_results_are_refused_before_they_are_published(client, chest):
    response = client.get(f"{BASE}/community-chest-2027/results")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The results of Community Chest 2027 are not published yet.",
        "code": "not_published",
    }


def test_results_give_per_budget_winners_spending_and_explanations(client, chest):
    _results(chest)

    response = client.get(f"{BASE}/community-chest-2027/results")

    assert response.status_code == 200
    body = response.json()
    assert body["process"]["phase"] == "results"
    budgets = {b["budget"]["name"]: b for b in body["budgets"]}
    assert list(budgets) == ["Council-wide", "Hill Ward", "Moot Ward"]
    whole = budgets["Council-wide"]
    library, trees = chest.projects["library"].pk, chest.projects["trees"].pk
    assert whole["selected"][0] == library
    assert trees not in whole["selected"]
    spent = sum(
        chest.projects[k].cost
        for k in ("library", "trees", "skatepark")
        if chest.projects[k].pk in whole["selected"]
    )
    assert (whole["spent"], whole["ballots"], whole["rule"]) == (spent, 2, "greedy")
    projects = {p["id"]: p for p in whole["projects"]}
    assert projects[library]["votes"] == 2
    assert projects[library]["reason"] == "won"
    assert projects[library]["order"] == 1
    assert projects[trees]["reason"] == "did_not_fit"
    assert projects[trees]["remaining"] == 40_000
    assert projects[chest.projects["skatepark"].pk]["votes"] == 0
    assert whole["details"]["greedy_fill"] == []
    assert budgets["Moot Ward"]["selected"] == [chest.projects["benches"].pk]
    assert budgets["Hill Ward"]["ballots"] == 0

    listed = client.get(f"{BASE}/community-chest-2027/projects?selected=true").json()
    assert {p["id"] for p in listed["items"]} == {
        library,
        chest.projects["benches"].pk,
        *budgets["Council-wide"]["selected"],
        *budgets["Hill Ward"]["selected"],
    }
    detail = client.get(f"{BASE}/community-chest-2027").json()
    assert detail["results_url"] == f"{BASE}/community-chest-2027/results"


def test_delivery_updates_of_a_funded_project(client, chest):
    _results(chest)
    library = chest.projects["library"]
    domain.report_delivery(
        None, library, status="planning", progress=10, body="Staff rotas agreed."
    )
    domain.report_delivery(
        None, library, status="in_progress", progress=40, body="Opening till 8pm from May."
    )
    url = f"{BASE}/community-chest-2027/projects/{library.pk}/updates"

    response = client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(u["status"], u["progress"], u["body"]) for u in body["items"]] == [
        ("in_progress", 40, "Opening till 8pm from May."),
        ("planning", 10, "Staff rotas agreed."),
    ]
    assert body["items"][0]["status_label"] == "In progress"
    assert body["items"][0]["images"] == []
    projects = client.get(f"{BASE}/community-chest-2027/projects?selected=true").json()
    shown = next(p for p in projects["items"] if p["id"] == library.pk)
    assert (shown["selected"], shown["delivery_status"], shown["progress"]) == (
        True,
        "in_progress",
        40,
    )
    assert shown["updates_url"] == url
    trees = chest.projects["trees"].pk
    empty = client.get(f"{BASE}/community-chest-2027/projects/{trees}/updates").json()
    assert empty == {"items": [], "count": 0}


def test_updates_of_an_unknown_or_withdrawn_project_are_not_found(client, chest):
    withdrawn = Project.objects.get(title="Withdrawn idea")
    for pk in (withdrawn.pk, 999_999):
        response = client.get(f"{BASE}/community-chest-2027/projects/{pk}/updates")
        assert response.status_code == 404
        assert response.json()["detail"] == f"Community Chest 2027 has no project {pk}."


def test_the_answers_name_no_voter(client, chest):
    _results(chest)
    paths = ["", "/community-chest-2027", "/community-chest-2027/projects?limit=50"]
    paths.append("/community-chest-2027/results")
    for path in paths:
        text = client.get(f"{BASE}{path}").content.decode()
        for secret in ("mo.moot@example.org", "Mo Moot", "Hal Hill", "hal.hill"):
            assert secret not in text, (path, secret)
