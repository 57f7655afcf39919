"""Anything at all sent to a ballot or the propose form: a clear message or a saved vote
(that keeps the ballot's rules), never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.budgeting.models import Ballot, Phase, Project
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db

BASE = "/mootshire/budgets/community-chest-2027/"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def values() -> st.SearchStrategy[str]:
    """What a browser (or anyone with curl) can put in a field."""
    return st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.sampled_from(["", " ", "1", "2", "0", "-0", "1e3", "٣", "\x00", "9" * 5000, "1.5"]),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    )


@pytest.fixture
def knapsack(council):
    return build_scene(council, knapsack=True, max_projects=2)


@given(
    choices=st.lists(
        st.one_of(values(), st.sampled_from(["__benches", "__playground"])), max_size=5
    ),
    action=st.sampled_from(["check", "submit", "", "evil"]),
)
@FUZZ
def test_any_approval_ballot_is_answered_clearly(client, knapsack, choices, action):
    scene = knapsack
    client.force_login(scene.moot_resident)
    real = {
        "__benches": scene.projects["benches"].pk,
        "__playground": scene.projects["playground"].pk,
    }
    sent = [str(real.get(c, c)) for c in choices]

    response = client.post(
        f"{BASE}vote/{scene.moot_budget.pk}/", {"choices": sent, "action": action}
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert b"There is a problem" in response.content or action != "submit"
    ballot = Ballot.objects.filter(voter=scene.moot_resident).first()
    if ballot is not None:  # whatever is saved keeps the ballot's rules
        chosen = list(ballot.choices.all())
        assert 1 <= len(chosen) <= 2
        assert sum(c.project.cost or 0 for c in chosen) <= scene.moot_budget.amount


@pytest.fixture
def points(council):
    return build_scene(council, ballot_kind="cumulative", points=10, max_points_per_project=6)


@given(
    benches=values(),
    playground=values(),
    stranger=values(),
    action=st.sampled_from(["check", "submit"]),
)
@FUZZ
def test_any_points_ballot_is_answered_clearly(
    client, points, benches, playground, stranger, action
):
    scene = points
    client.force_login(scene.moot_resident)
    data = {
        f"points_{scene.projects['benches'].pk}": benches,
        f"points_{scene.projects['playground'].pk}": playground,
        "points_99999999999999999999": stranger,
        "action": action,
    }

    response = client.post(f"{BASE}vote/{scene.moot_budget.pk}/", data)

    assert response.status_code in (200, 302)
    ballot = Ballot.objects.filter(voter=scene.moot_resident).first()
    if ballot is not None:
        given_points = [c.points for c in ballot.choices.all()]
        assert sum(given_points) <= 10
        assert all(1 <= p <= 6 for p in given_points)


@pytest.fixture
def ideas(council):
    return build_scene(council, phase=Phase.IDEAS)


@given(
    title=values(),
    budget=values(),
    estimate=values(),
    latitude=values(),
    longitude=values(),
)
@FUZZ
def test_any_proposal_is_answered_clearly(
    client, ideas, title, budget, estimate, latitude, longitude
):
    client.force_login(ideas.hill_resident)
    before = Project.objects.count()

    response = client.post(
        f"{BASE}projects/new/",
        {
            "title": title,
            "description": "Something good.",
            "budget": budget,
            "cost_estimate": estimate,
            "latitude": latitude,
            "longitude": longitude,
        },
    )

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert b"There is a problem" in response.content
        assert Project.objects.count() == before
