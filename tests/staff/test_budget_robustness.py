"""Junk sent to every participatory budgeting back-office form: a clear answer, never a 500,
and nothing half-written."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.budgeting import domain
from moothall.budgeting.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    Phase,
    Project,
)
from moothall.core.models import AuditEntry
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    " ",
    "\x00",
    "nul\x00byte",
    "99999999999999999999999",
    "-1",
    "1.5",
    "1e9",
    "NaN",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x" * 30000,
    "\ud800",
    "١٢٣",
]

PROCESS_FIELDS = [
    "title",
    "summary",
    "description",
    "propose_level",
    "vote_level",
    "ballot_kind",
    "min_projects",
    "max_projects",
    "knapsack",
    "points",
    "max_points_per_project",
    "rule",
    "vote_in_council_wide_too",
    "ideas_close_date",
    "ideas_close_time",
    "voting_opens_date",
    "voting_opens_time",
    "voting_closes_date",
    "voting_closes_time",
    "keep_voters_days",
]
PICTURES = ["image_1", "alt_text_1", "image_2", "alt_text_2"]
# name: (phase of the scene, path, fields)
FORMS = {
    "new": (Phase.REVIEW, "new/", PROCESS_FIELDS),
    "edit": (Phase.REVIEW, "{p}/edit/", PROCESS_FIELDS),
    "edit words": (Phase.VOTING, "{p}/edit/", PROCESS_FIELDS),
    "budgets": (Phase.REVIEW, "{p}/budgets/", ["ward", "amount", "name"]),
    "budget": (Phase.REVIEW, "{p}/budgets/{b}/", ["amount", "name"]),
    "phase": (Phase.REVIEW, "{p}/phase/", ["to", "confirmed"]),
    "review": (Phase.REVIEW, "{p}/projects/{pr}/review/", ["decision", "cost", "reason"]),
    "merge": (Phase.REVIEW, "{p}/projects/{pr}/merge/", ["into", "reason"]),
    "edit project": (
        Phase.REVIEW,
        "{p}/projects/{pr}/edit/",
        ["title", "description", "budget", "location", "latitude", "longitude"],
    ),
    "add project": (
        Phase.REVIEW,
        "{p}/projects/new/",
        ["title", "description", "budget", "cost", "location", "latitude", "longitude", *PICTURES],
    ),
    "paper": (Phase.VOTING, "{p}/paper/{b}/", ["reference", "choices"]),
    "void": (Phase.VOTING, "{p}/paper/ballots/{ballot}/void/", ["reason"]),
    "delivery": (Phase.RESULTS, "{p}/delivery/{pr}/", ["status", "progress", "body", *PICTURES]),
}


def _world(council, phase: str) -> dict[str, int]:
    scene = build_scene(council, phase=Phase.VOTING if phase == Phase.RESULTS else phase)
    library = scene.projects["library"]
    ids = {"p": scene.process.pk, "b": scene.whole.pk, "pr": library.pk}
    if phase in (Phase.VOTING, Phase.RESULTS):
        ballot = domain.enter_paper_ballot(None, scene.whole, [library.pk], reference="P-1")
        ids["ballot"] = ballot.pk
    if phase == Phase.RESULTS:
        domain.change_phase(None, scene.process, Phase.RESULTS)
    return ids


def _snapshot() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(BudgetProcess.objects.order_by("pk").values_list("pk", "title", "phase", "rule")),
        list(Budget.objects.order_by("pk").values_list("pk", "amount", "name")),
        list(Project.objects.order_by("pk").values_list("pk", "title", "status", "cost", "budget")),
        Ballot.objects.count(),
        BallotChoice.objects.count(),
        DeliveryUpdate.objects.count(),
    )


def _safe(value: str) -> str:
    # The test client encodes form data as UTF-8: a lone surrogate cannot be sent as is.
    return value.encode("utf-8", "replace").decode("utf-8")


@pytest.mark.parametrize("form", list(FORMS))
def test_junk_in_every_field_gets_a_clear_answer_and_a_refusal_writes_nothing(
    client, council, council_admin, form
):
    phase, path, fields = FORMS[form]
    ids = _world(council, phase)
    client.force_login(council_admin)
    url = "/mootshire/staff/budgets/" + path.format(**ids)

    answers = []
    for n, value in enumerate(JUNK):
        if form == "void" and not Ballot.objects.filter(pk=ids["ballot"]).exists():
            # The last junk was a good enough reason: remove another ballot.
            ids["ballot"] = domain.enter_paper_ballot(
                None, Budget.objects.get(pk=ids["b"]), [ids["pr"]], reference=f"J-{n}"
            ).pk
            url = "/mootshire/staff/budgets/" + path.format(**ids)
        before = _snapshot()
        response = client.post(url, {name: _safe(value) for name in fields})
        if response.status_code == 200:  # refused (or asked to confirm): nothing written
            context = response.context
            explained = bool(context["form"].errors) or form == "phase"
            answers.append((200, explained, _snapshot() == before))
        else:
            answers.append((response.status_code, True, True))

    assert {status for status, _, _ in answers} <= {200, 302}
    assert all(explained and unchanged for _, explained, unchanged in answers)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    reference=st.text(max_size=70),
    choices=st.lists(st.text(max_size=12), max_size=5),
)
def test_any_paper_ballot_is_either_entered_or_refused_with_a_message(
    client, council, officer, reference, choices
):
    if not Budget.objects.exists():
        _world(council, Phase.VOTING)
    budget = Budget.objects.get(ward__isnull=True)
    client.force_login(officer)
    before = Ballot.objects.count(), BallotChoice.objects.count()

    response = client.post(
        f"/mootshire/staff/budgets/{budget.process_id}/paper/{budget.pk}/",
        {"reference": _safe(reference), "choices": [_safe(c) for c in choices]},
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert (Ballot.objects.count(), BallotChoice.objects.count()) == before


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    numbers=st.fixed_dictionaries(
        {
            name: st.one_of(st.text(max_size=8), st.integers(-5, 2000).map(str))
            for name in ("min_projects", "max_projects", "points", "max_points_per_project")
        }
    ),
    kind=st.sampled_from(["approval", "cumulative", "ranking", "x"]),
    rule=st.sampled_from(["greedy", "equalshares", "equalshares/add1-comparison", "?"]),
)
def test_any_ballot_settings_are_either_saved_or_refused_with_a_message(
    client, council, officer, numbers, kind, rule
):
    client.force_login(officer)
    before = BudgetProcess.objects.count()
    data = {
        "title": "Fund",
        "propose_level": "1",
        "vote_level": "1",
        "ballot_kind": kind,
        "rule": rule,
        "keep_voters_days": "30",
        **{name: _safe(value) for name, value in numbers.items()},
    }

    response = client.post("/mootshire/staff/budgets/new/", data)

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert BudgetProcess.objects.count() == before


@pytest.mark.parametrize(
    "query", ["?budget=abc", "?budget=99999999999999999999", "?status=%00", "?status=x&page=-1"]
)
def test_odd_query_strings_on_the_project_list_still_answer(client, council, officer, query):
    ids = _world(council, Phase.REVIEW)
    client.force_login(officer)

    response = client.get("/mootshire/staff/budgets/{p}/projects/".format(**ids) + query)

    assert response.status_code == 200
