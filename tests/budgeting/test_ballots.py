"""Ballots: casting, changing and withdrawing one; each kind's rules with clear messages;
who votes in which budget; paper ballots; turnout and totals; and junk that must be
refused cleanly without leaving half a ballot behind."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.budgeting import domain
from moothall.budgeting.domain import StepRefused
from moothall.budgeting.models import Ballot, BallotChoice, BallotKind, Phase
from moothall.core.models import AuditEntry
from tests import factories
from tests.budgeting.scene import OUTSIDE_POSTCODE, build_scene, person

pytestmark = pytest.mark.django_db


def refused(code: str, call, *args, **kwargs) -> str:
    """The message of a refusal with ``code`` (and check it wrote no ballot rows)."""
    before = rows()
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    found = {e.code: e.message % (e.params or {}) for e in caught.value.error_dict["choices"]}
    assert code in found, found
    assert rows() == before
    return found[code]


def rows() -> tuple[list[tuple], list[tuple]]:
    ballots = list(Ballot.objects.order_by("id").values_list("id", "budget_id", "voter_id"))
    choices = list(
        BallotChoice.objects.order_by("id").values_list("ballot_id", "project_id", "points", "rank")
    )
    return ballots, choices


def chosen(ballot: Ballot) -> list[tuple[int, int, int | None]]:
    return list(ballot.choices.order_by("rank", "id").values_list("project_id", "points", "rank"))


@pytest.fixture
def scene(council):
    return build_scene(council)


# --- Approval ---------------------------------------------------------------------------


def test_a_resident_casts_changes_and_withdraws_an_approval_ballot(scene):
    p, mo = scene.projects, scene.moot_resident

    ballot = domain.cast_ballot(mo, scene.moot_budget, [p["benches"].pk, str(p["playground"].pk)])

    assert (ballot.voter, ballot.is_paper, ballot.reference) == (mo, False, "")
    assert sorted(chosen(ballot)) == sorted(
        [(p["benches"].pk, 1, None), (p["playground"].pk, 1, None)]
    )
    assert domain.ballot_of(mo, scene.moot_budget) == ballot

    again = domain.cast_ballot(mo, scene.moot_budget, [p["playground"].pk])

    assert again.pk == ballot.pk
    assert chosen(again) == [(p["playground"].pk, 1, None)]
    assert Ballot.objects.filter(voter=mo).count() == 1
    assert domain.withdraw_ballot(mo, scene.moot_budget) is True
    assert domain.ballot_of(mo, scene.moot_budget) is None
    assert not BallotChoice.objects.exists()
    assert domain.withdraw_ballot(mo, scene.moot_budget) is False


def test_nothing_about_who_voted_goes_in_the_audit_log(scene):
    before = AuditEntry.objects.count()
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["trees"].pk])
    assert AuditEntry.objects.count() == before


def test_a_ballot_names_only_projects_on_that_budgets_ballot(scene, officer):
    p = scene.projects
    message = refused(
        "not_on_ballot", domain.cast_ballot, scene.moot_resident, scene.moot_budget, [p["trees"].pk]
    )
    assert message == "One of the projects you chose is not on this ballot."
    for junk in ([10**30], ["abc"], [0], [-1], "12", 12, None, [[1]]):
        refused("invalid_choices", domain.cast_ballot, scene.moot_resident, scene.whole, junk)
    refused("too_few", domain.cast_ballot, scene.moot_resident, scene.whole, [])
    refused(
        "duplicate_choice",
        domain.cast_ballot,
        scene.moot_resident,
        scene.whole,
        [p["trees"].pk, str(p["trees"].pk)],
    )


def test_a_project_taken_off_the_ballot_cannot_be_chosen(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    extra = domain.add_project(
        officer, scene.process, title="Pond", description="P.", cost=5, budget=scene.moot_budget
    )
    domain.review_project(officer, extra, decision="reject", reason_text="Not ours.")
    domain.change_phase(officer, scene.process, Phase.VOTING)
    refused("not_on_ballot", domain.cast_ballot, scene.moot_resident, scene.moot_budget, [extra.pk])


def test_a_knapsack_ballot_must_fit_the_budget_and_says_by_how_much(council):
    scene = build_scene(council, knapsack=True)
    p = scene.projects

    message = refused(
        "over_budget",
        domain.cast_ballot,
        scene.moot_resident,
        scene.moot_budget,
        [p["benches"].pk, p["playground"].pk],
    )

    assert message == (
        "The projects you chose cost £34,000, more than the £30,000 budget. "
        "Remove some so they fit."
    )
    fits = domain.cast_ballot(scene.moot_resident, scene.moot_budget, [p["playground"].pk])
    assert chosen(fits) == [(p["playground"].pk, 1, None)]
    ballot = domain.cast_ballot(
        scene.moot_resident, scene.whole, [p["trees"].pk, p["skatepark"].pk]
    )  # £80,000 of £100,000
    assert len(chosen(ballot)) == 2


def test_the_fewest_and_most_projects_on_a_ballot(council):
    scene = build_scene(council, min_projects=2, max_projects=2)
    p = scene.projects
    ids = [p["library"].pk, p["trees"].pk, p["skatepark"].pk]

    assert (
        refused("too_few", domain.cast_ballot, scene.moot_resident, scene.whole, ids[:1])
        == "Choose at least 2 projects."
    )
    assert (
        refused("too_many", domain.cast_ballot, scene.moot_resident, scene.whole, ids)
        == "Choose at most 2 projects: you chose 3."
    )
    assert len(chosen(domain.cast_ballot(scene.moot_resident, scene.whole, ids[:2]))) == 2


def test_a_ballot_of_one_project_says_so_in_the_singular(council):
    scene = build_scene(council, max_projects=1)
    p = scene.projects
    message = refused(
        "too_many",
        domain.cast_ballot,
        scene.moot_resident,
        scene.whole,
        [p["trees"].pk, p["library"].pk],
    )
    assert message == "Choose at most 1 project: you chose 2."


def test_check_choices_checks_without_writing(scene):
    p = scene.projects
    checked = domain.check_choices(scene.process, scene.whole, [p["trees"].pk])
    assert [(c.project, c.points, c.rank) for c in checked] == [(p["trees"], 1, None)]
    assert not Ballot.objects.exists()


# --- Points and rankings ----------------------------------------------------------------


def test_a_points_ballot_shares_out_the_points_within_the_cap(council):
    scene = build_scene(council, ballot_kind="cumulative", points=10, max_points_per_project=6)
    p = scene.projects
    mo, whole = scene.moot_resident, scene.whole

    ballot = domain.cast_ballot(
        mo, whole, {p["trees"].pk: 6, str(p["library"].pk): "4", p["skatepark"].pk: 0}
    )

    assert sorted(chosen(ballot)) == sorted([(p["trees"].pk, 6, None), (p["library"].pk, 4, None)])
    assert (
        refused(
            "too_many_points", domain.cast_ballot, mo, whole, {p["trees"].pk: 6, p["library"].pk: 5}
        )
        == "You gave 11 points, but you have 10 to share out."
    )
    assert (
        refused("too_many_points_on_one", domain.cast_ballot, mo, whole, {p["trees"].pk: 7})
        == "Give at most 6 points to any one project."
    )
    assert refused("invalid_points", domain.cast_ballot, mo, whole, {p["trees"].pk: -1}) == (
        "Points cannot be negative."
    )
    for junk in (2.5, "2.5", "two", None, [3], float("inf"), float("nan"), True):
        refused("invalid_points", domain.cast_ballot, mo, whole, {p["trees"].pk: junk})
    refused("too_many_points", domain.cast_ballot, mo, whole, {p["trees"].pk: 10**400})
    refused("invalid_choices", domain.cast_ballot, mo, whole, [p["trees"].pk])
    refused("too_few", domain.cast_ballot, mo, whole, {p["trees"].pk: 0})
    refused(
        "duplicate_choice",
        domain.cast_ballot,
        mo,
        whole,
        {p["trees"].pk: 2, str(p["trees"].pk): 3},
    )
    assert sorted(chosen(domain.ballot_of(mo, whole))) == sorted(
        [(p["trees"].pk, 6, None), (p["library"].pk, 4, None)]
    )


def test_a_ranking_ballot_keeps_the_order_given(council):
    scene = build_scene(council, ballot_kind="ranking")
    p = scene.projects
    order = [p["skatepark"].pk, p["library"].pk, p["trees"].pk]

    ballot = domain.cast_ballot(scene.moot_resident, scene.whole, order)

    assert chosen(ballot) == [(order[0], 1, 1), (order[1], 1, 2), (order[2], 1, 3)]
    again = domain.cast_ballot(scene.moot_resident, scene.whole, order[::-1])
    assert chosen(again) == [(order[2], 1, 1), (order[1], 1, 2), (order[0], 1, 3)]
    refused(
        "duplicate_choice",
        domain.cast_ballot,
        scene.moot_resident,
        scene.whole,
        [order[0], order[1], order[0]],
    )


# --- Who votes where --------------------------------------------------------------------


def test_residents_vote_in_their_own_wards_budget_and_the_council_wide_one(scene):
    p = scene.projects
    assert domain.budgets_for(scene.moot_resident, scene.process) == [
        scene.moot_budget,
        scene.whole,
    ]
    assert domain.budgets_for(scene.hill_resident, scene.process) == [
        scene.hill_budget,
        scene.whole,
    ]
    with pytest.raises(StepRefused) as caught:
        domain.cast_ballot(scene.hill_resident, scene.moot_budget, [p["benches"].pk])
    assert (
        caught.value.message == "Only people whose postcode is in Moot Ward can vote on its budget."
    )
    domain.cast_ballot(scene.hill_resident, scene.hill_budget, [p["hall"].pk])
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["trees"].pk])
    assert Ballot.objects.filter(voter=scene.hill_resident).count() == 2


def test_without_the_council_wide_vote_residents_vote_only_in_their_ward(council):
    scene = build_scene(council, vote_in_council_wide_too=False)
    assert domain.budgets_for(scene.moot_resident, scene.process) == [scene.moot_budget]
    with pytest.raises(StepRefused) as caught:
        domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["trees"].pk])
    assert caught.value.message == "You vote on your own ward’s budget in this process."
    assert not Ballot.objects.exists()


def test_without_ward_budgets_everyone_eligible_votes_council_wide(council, officer):
    build_scene(council, phase=Phase.DRAFT)  # wards, postcodes and people
    process = domain.create_process(
        officer, council, title="Small grants", vote_in_council_wide_too=False, vote_level=1
    )
    whole = domain.set_budget(officer, process, amount=10_000)
    domain.change_phase(officer, process, Phase.IDEAS)
    domain.change_phase(officer, process, Phase.REVIEW)
    project = domain.add_project(
        officer, process, title="Grit bins", description="G.", cost=2_000, budget=whole
    )
    process = domain.change_phase(officer, process, Phase.VOTING)
    mo = factories.UserFactory(email="mo.moot@example.org")
    olly = factories.UserFactory(email="olly.out@example.org")
    assert olly.postcode == OUTSIDE_POSTCODE

    for voter in (mo, olly):
        assert domain.budgets_for(voter, process) == [whole]
        domain.cast_ballot(voter, whole, [project.pk])

    assert Ballot.objects.filter(budget=whole).count() == 2


def test_people_below_the_councils_level_cannot_vote(scene, officer):
    with pytest.raises(StepRefused) as caught:
        domain.cast_ballot(scene.outsider, scene.whole, [scene.projects["trees"].pk])
    assert "Add a postcode in the council’s area" in caught.value.message
    unverified = person("una@example.org", "MH1 1AA", verified_email=False)
    with pytest.raises(StepRefused):
        domain.cast_ballot(unverified, scene.whole, [scene.projects["trees"].pk])
    for nobody in (None,):
        with pytest.raises(StepRefused):
            domain.cast_ballot(nobody, scene.whole, [scene.projects["trees"].pk])
    assert not Ballot.objects.exists()


def test_no_ballots_are_taken_once_voting_has_closed(scene, officer):
    p = scene.projects
    domain.cast_ballot(scene.moot_resident, scene.whole, [p["trees"].pk])
    domain.change_phase(officer, scene.process, Phase.RESULTS)
    before = rows()

    for call in (
        lambda: domain.cast_ballot(scene.moot_resident, scene.whole, [p["library"].pk]),
        lambda: domain.cast_ballot(scene.hill_resident, scene.whole, [p["library"].pk]),
        lambda: domain.withdraw_ballot(scene.moot_resident, scene.whole),
        lambda: domain.enter_paper_ballot(officer, scene.whole, [p["trees"].pk], reference="P1"),
    ):
        with pytest.raises(StepRefused) as caught:
            call()
        assert caught.value.message == "Voting is not open."
    assert rows() == before


def test_no_ballots_are_taken_before_voting_opens(council):
    scene = build_scene(council, phase=Phase.REVIEW)
    with pytest.raises(StepRefused):
        domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["trees"].pk])


# --- Paper ballots ----------------------------------------------------------------------


def test_an_officer_enters_a_paper_ballot_once_per_reference(scene, officer):
    p = scene.projects

    ballot = domain.enter_paper_ballot(
        officer, scene.whole, [p["trees"].pk, p["library"].pk], reference=" P-0001 "
    )

    assert (ballot.is_paper, ballot.reference, ballot.voter, ballot.entered_by) == (
        True,
        "P-0001",
        None,
        officer,
    )
    assert len(chosen(ballot)) == 2
    entry = AuditEntry.objects.get(action="budgeting.paper_ballot_entered")
    assert entry.details == {"budget": scene.whole.pk, "reference": "P-0001"}
    before = rows()
    with pytest.raises(ValidationError) as caught:
        domain.enter_paper_ballot(officer, scene.whole, [p["trees"].pk], reference="P-0001")
    assert caught.value.message_dict["reference"] == [
        "A ballot with reference P-0001 was already entered."
    ]
    assert rows() == before
    other = domain.enter_paper_ballot(
        officer, scene.moot_budget, [p["benches"].pk], reference="P-0001"
    )
    assert other.budget == scene.moot_budget


def test_a_paper_ballot_follows_the_ballots_rules_and_needs_a_reference(council, officer):
    scene = build_scene(council, knapsack=True)
    p = scene.projects
    refused(
        "over_budget",
        domain.enter_paper_ballot,
        officer,
        scene.moot_budget,
        [p["benches"].pk, p["playground"].pk],
        reference="P-2",
    )
    with pytest.raises(ValidationError) as caught:
        domain.enter_paper_ballot(officer, scene.whole, [p["trees"].pk], reference="  ")
    assert "reference" in caught.value.message_dict
    assert not Ballot.objects.exists()


def test_only_budget_staff_enter_or_void_paper_ballots(scene, officer, moderator):
    p = scene.projects
    for user in (moderator, scene.moot_resident):
        with pytest.raises(StepRefused):
            domain.enter_paper_ballot(user, scene.whole, [p["trees"].pk], reference="P-9")
    ballot = domain.enter_paper_ballot(officer, scene.whole, [p["trees"].pk], reference="P-9")
    with pytest.raises(StepRefused):
        domain.void_paper_ballot(moderator, ballot, reason_text="Mistake.")
    assert Ballot.objects.filter(pk=ballot.pk).exists()


def test_a_paper_ballot_entered_by_mistake_is_voided_with_a_reason(scene, officer):
    p = scene.projects
    paper = domain.enter_paper_ballot(officer, scene.whole, [p["trees"].pk], reference="P-7")
    online = domain.cast_ballot(scene.moot_resident, scene.whole, [p["trees"].pk])
    with pytest.raises(ValidationError) as caught:
        domain.void_paper_ballot(officer, paper, reason_text=" ")
    assert caught.value.message_dict["reason"] == ["Enter a reason."]
    with pytest.raises(ValidationError) as caught:
        domain.void_paper_ballot(officer, online, reason_text="Not paper.")
    assert caught.value.code == "not_paper"

    domain.void_paper_ballot(officer, paper, reason_text="Entered twice by mistake.")

    assert list(Ballot.objects.values_list("pk", flat=True)) == [online.pk]
    entry = AuditEntry.objects.get(action="budgeting.paper_ballot_voided")
    assert entry.details == {"reference": "P-7", "reason": "Entered twice by mistake."}
    again = domain.enter_paper_ballot(officer, scene.whole, [p["library"].pk], reference="P-7")
    assert again.reference == "P-7"


# --- Turnout and totals -----------------------------------------------------------------


def test_turnout_and_vote_totals(council, officer):
    scene = build_scene(council, ballot_kind="cumulative", points=10)
    p = scene.projects
    domain.cast_ballot(scene.moot_resident, scene.whole, {p["trees"].pk: 7, p["library"].pk: 3})
    domain.cast_ballot(scene.hill_resident, scene.whole, {p["trees"].pk: 10})
    domain.cast_ballot(scene.hill_resident, scene.hill_budget, {p["hall"].pk: 10})
    domain.enter_paper_ballot(officer, scene.whole, {p["skatepark"].pk: 4}, reference="P-1")

    assert domain.turnout(scene.process) == {
        scene.whole.pk: {"total": 3, "paper": 1, "online": 2},
        scene.hill_budget.pk: {"total": 1, "paper": 0, "online": 1},
    }
    assert domain.vote_totals(scene.whole) == {
        p["trees"].pk: 17,
        p["library"].pk: 3,
        p["skatepark"].pk: 4,
    }
    assert domain.vote_totals(scene.moot_budget) == {}


# --- Junk -------------------------------------------------------------------------------

LEAVES = st.one_of(
    st.integers(),
    st.integers(min_value=2**62, max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["\x00", "1\x00", "\ud800", " 1 ", "١", "1e3", "0x1", "-1", "£5", ""]),
    st.binary(max_size=6),
    st.none(),
    st.booleans(),
)
KEYS = st.one_of(
    st.integers(), st.text(max_size=8), st.floats(), st.none(), st.booleans(), st.binary(max_size=4)
)
JUNK = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(KEYS, inner, max_size=5)
        | st.tuples(inner, inner)
    ),
    max_leaves=12,
)


def _ids_and_points(ids: list[int]) -> st.SearchStrategy:
    """Ballots made mostly of real project ids (some as strings), with junk mixed in."""
    some_id = st.one_of(st.sampled_from(ids), st.sampled_from(ids).map(str), KEYS)
    points = st.one_of(st.integers(min_value=-3, max_value=12), LEAVES, JUNK)
    return st.one_of(
        JUNK,
        st.lists(st.one_of(some_id, JUNK), max_size=8),
        st.dictionaries(some_id, points, max_size=6),
    )


@pytest.mark.parametrize("kind", list(BallotKind), ids=[k.value for k in BallotKind])
def test_junk_choices_are_refused_cleanly_and_leave_the_ballot_as_it_was(council, kind):
    scene = build_scene(
        council,
        ballot_kind=kind,
        knapsack=kind == BallotKind.APPROVAL,
        max_projects=3,
        points=10,
        max_points_per_project=8,
    )
    mo = scene.moot_resident
    ids = [project.pk for project in scene.projects.values()]
    first = list(domain.ballot_projects(scene.whole).values_list("pk", flat=True))[:1]
    domain.cast_ballot(mo, scene.whole, {first[0]: 1} if kind == "cumulative" else first)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(choices=_ids_and_points(ids), budget=st.sampled_from([scene.whole, scene.moot_budget]))
    def cast_junk(choices, budget):
        before = rows()
        try:
            ballot = domain.cast_ballot(mo, budget, choices)
        except (ValidationError, StepRefused):
            assert rows() == before
            return
        # Taken: the ballot now holds exactly what check_choices makes of the choices.
        checked = domain.check_choices(scene.process, budget, choices)
        assert sorted(chosen(ballot)) == sorted((c.project.pk, c.points, c.rank) for c in checked)
        assert Ballot.objects.filter(voter=mo, budget=budget).count() == 1

    cast_junk()
