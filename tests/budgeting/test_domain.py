"""The verbs of participatory budgeting: processes, budgets, phases and projects.

Each verb's happy path with what it leaves behind (rows, the public timeline, the audit
log, followers' notifications, the proposer's email), and its refusals, which write
nothing. Ballots are in test_ballots.py, results in test_results.py.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from moothall.budgeting import domain
from moothall.budgeting.domain import ImageUpload, StepRefused
from moothall.budgeting.models import (
    Ballot,
    Budget,
    BudgetProcess,
    Phase,
    ProcessEvent,
    Project,
    ProjectImage,
    Result,
    Rule,
)
from moothall.core.models import AuditEntry, OutboxMessage
from moothall.notifications.domain import follow
from moothall.notifications.models import Notification
from tests import factories
from tests.budgeting.scene import build_scene, person
from tests.ideas.scene import jpeg_with_gps

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    """Every code in a (possibly field-keyed) ValidationError."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors if e.code}
    return {e.code for e in error.error_list if e.code}


def refused(code: str, call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert code in codes(caught.value), caught.value
    return caught.value


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def events(process: BudgetProcess) -> list[str]:
    return list(ProcessEvent.objects.filter(process=process).values_list("kind", flat=True))


def counts() -> dict[str, int]:
    models = (BudgetProcess, Budget, Project, ProjectImage, Ballot, ProcessEvent, AuditEntry)
    return {m.__name__: m.objects.count() for m in models} | {
        "Outbox": OutboxMessage.objects.count(),
        "Notification": Notification.objects.count(),
    }


# --- Processes --------------------------------------------------------------------------


def test_an_officer_creates_a_draft_process_only_staff_see(council, officer):
    process = domain.create_process(
        officer, council, title="Community Chest", summary="Spend £10,000.", rule="equalshares"
    )

    assert process.phase == Phase.DRAFT
    assert process.slug == "community-chest"
    assert process.created_by == officer
    assert process.rule == Rule.EQUAL_SHARES
    assert not process.is_public
    entry = audit("budgeting.process_created")
    assert (entry.actor, entry.council, entry.target_id) == (officer, council, str(process.pk))
    again = domain.create_process(officer, council, title="Community Chest")
    assert again.slug == "community-chest-2"


@pytest.mark.parametrize("who", ["moderator", "resident", "outsider"])
def test_only_budget_staff_of_the_council_create_a_process(request, council, who):
    user = request.getfixturevalue(who)
    with pytest.raises(StepRefused):
        domain.create_process(user, council, title="Mine")
    assert not BudgetProcess.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": ""}, "required"),
        ({"title": "Two\nlines"}, "line_break"),
        ({"ballot_kind": "ranking", "rule": "equalshares"}, "rule_needs_approval"),
        ({"ballot_kind": "ranking", "rule": "equalshares/add1"}, "rule_needs_approval"),
        (
            {"ballot_kind": "ranking", "rule": "equalshares/add1-comparison"},
            "rule_needs_approval",
        ),
        ({"ballot_kind": "secret"}, "invalid_ballot_kind"),
        ({"rule": "lottery"}, "invalid_rule"),
        ({"vote_level": 0}, "invalid_level"),
        ({"propose_level": "high"}, "invalid_level"),
        ({"min_projects": 3, "max_projects": 2}, "min_over_max"),
        ({"min_projects": "two"}, "invalid_number"),
        ({"max_projects": 0}, "out_of_range"),
        ({"points": 10, "max_points_per_project": 11}, "points_over_total"),
        ({"keep_voters_days": 0}, "out_of_range"),
        ({"voting_opens_at": "tomorrow"}, "invalid_date"),
    ],
)
def test_a_process_with_bad_settings_is_refused_and_not_created(council, officer, fields, code):
    fields = {"title": "Chest"} | fields
    refused(code, domain.create_process, officer, council, **fields)
    assert not BudgetProcess.objects.exists()


def test_voting_must_close_after_it_opens(council, officer):
    opens = timezone.now() + dt.timedelta(days=10)
    refused(
        "closes_before_opens",
        domain.create_process,
        officer,
        council,
        title="Chest",
        voting_opens_at=opens,
        voting_closes_at=opens - dt.timedelta(hours=1),
    )


def test_the_rule_is_checked_against_the_ballot_kind_whichever_changes(council, officer):
    process = domain.create_process(officer, council, title="Chest", rule="equalshares")
    refused("rule_needs_approval", domain.update_process, officer, process, ballot_kind="ranking")
    ranked = domain.update_process(officer, process, ballot_kind="ranking", rule="greedy")
    assert (ranked.ballot_kind, ranked.rule) == ("ranking", "greedy")
    refused("rule_needs_approval", domain.update_process, officer, process, rule="equalshares")
    points = domain.update_process(
        officer, process, ballot_kind="cumulative", rule="equalshares/add1"
    )
    assert (points.ballot_kind, points.rule) == ("cumulative", "equalshares/add1")


def test_staff_change_the_ballot_before_voting_and_the_change_is_audited(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)

    process = domain.update_process(
        officer, scene.process, knapsack=True, max_projects=3, rule="equalshares"
    )

    assert (process.knapsack, process.max_projects, process.rule) == (True, 3, "equalshares")
    entry = audit("budgeting.process_updated")
    assert entry.actor == officer
    assert entry.details["changed"] == ["knapsack", "max_projects", "rule"]


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.RESULTS])
def test_the_ballot_is_frozen_once_voting_starts_but_words_can_be_corrected(
    council, officer, phase
):
    scene = build_scene(council, phase=Phase.VOTING)
    if phase == Phase.RESULTS:
        domain.change_phase(officer, scene.process, Phase.RESULTS)
    for change in ({"knapsack": True}, {"rule": "equalshares"}, {"max_projects": 1}):
        with pytest.raises(StepRefused) as caught:
            domain.update_process(officer, scene.process, **change)
        assert "cannot change once voting has started" in caught.value.message
    process = domain.update_process(officer, scene.process, title="Community Chest 2027/28")
    assert process.title == "Community Chest 2027/28"
    assert BudgetProcess.objects.get(pk=process.pk).knapsack is False


def test_residents_and_moderators_cannot_change_a_process(council, moderator):
    scene = build_scene(council, phase=Phase.IDEAS)
    for user in (moderator, scene.moot_resident):
        with pytest.raises(StepRefused):
            domain.update_process(user, scene.process, title="Mine now")
        with pytest.raises(StepRefused):
            domain.update_process(user, scene.process, knapsack=True)


# --- Budgets ----------------------------------------------------------------------------


def test_a_budget_is_set_and_changed_in_place(council, officer):
    scene = build_scene(council, phase=Phase.DRAFT)

    budget = domain.set_budget(officer, scene.process, amount="£35,000", ward=scene.moot)

    assert budget.pk == scene.moot_budget.pk
    assert Budget.objects.get(pk=budget.pk).amount == 35_000
    assert Budget.objects.filter(process=scene.process).count() == 3
    entry = audit("budgeting.budget_set")
    assert entry.details == {
        "ward": "Moot Ward",
        "amount": 35_000,
        "before": {"amount": 30_000},
        "after": {"amount": 35_000},
    }
    whole = domain.set_budget(officer, scene.process, amount=90_000, name="Whole county")
    assert (whole.pk, whole.amount, str(whole)) == (scene.whole.pk, 90_000, "Whole county")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("lots", "invalid_amount"),
        (0, "invalid_amount"),
        (-5, "invalid_amount"),
        ("2500.50", "invalid_amount"),
        (True, "invalid_amount"),
        ("NaN", "invalid_amount"),
        (10**13, "invalid_amount"),
    ],
)
def test_a_budget_amount_must_be_whole_pounds(council, officer, amount, code):
    scene = build_scene(council, phase=Phase.DRAFT)
    refused(code, domain.set_budget, officer, scene.process, amount=amount)
    assert Budget.objects.get(pk=scene.whole.pk).amount == 100_000


def test_a_budget_cannot_shrink_below_a_project_on_its_ballot(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    error = refused(
        "budget_below_project",
        domain.set_budget,
        officer,
        scene.process,
        amount=24_999,
        ward=scene.moot,
    )
    assert error.message_dict["amount"] == [
        "“Moot playground” on this ballot costs £25,000, more than that amount."
    ]
    assert Budget.objects.get(pk=scene.moot_budget.pk).amount == 30_000
    assert (
        domain.set_budget(officer, scene.process, amount=25_000, ward=scene.moot).amount == 25_000
    )


def test_a_budget_for_another_councils_ward_is_refused(council, other_council, officer):
    scene = build_scene(council, phase=Phase.DRAFT)
    far = factories.WardFactory(council=other_council, name="Far Ward")
    refused("invalid_ward", domain.set_budget, officer, scene.process, amount=5, ward=far)


def test_budgets_cannot_change_once_voting_starts_nor_by_residents(council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    with pytest.raises(StepRefused):
        domain.set_budget(officer, scene.process, amount=1)
    with pytest.raises(StepRefused):
        domain.remove_budget(officer, scene.moot_budget)
    draft = domain.create_process(officer, council, title="Next year")
    with pytest.raises(StepRefused):
        domain.set_budget(scene.moot_resident, draft, amount=1)


def test_an_empty_budget_is_removed_but_one_with_projects_is_kept(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    refused("budget_has_projects", domain.remove_budget, officer, scene.moot_budget)
    assert Budget.objects.filter(pk=scene.moot_budget.pk).exists()
    dale = domain.set_budget(
        officer, scene.process, amount=5_000, ward=factories.WardFactory(council=council)
    )
    with pytest.raises(StepRefused):
        domain.remove_budget(scene.moot_resident, dale)

    domain.remove_budget(officer, dale)

    assert not Budget.objects.filter(pk=dale.pk).exists()
    assert audit("budgeting.budget_removed").actor == officer


# --- Phases -----------------------------------------------------------------------------


def test_a_process_moves_through_its_phases_on_the_timeline(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    process = domain.change_phase(officer, scene.process, Phase.VOTING)
    assert process.phase == Phase.VOTING
    assert process.voting_opens_at is not None
    assert events(process)[-1] == "phase_voting"
    entry = audit("budgeting.phase_changed")
    assert (entry.actor, entry.details) == (officer, {"before": "review", "after": "voting"})
    for phase in (Phase.RESULTS, Phase.DELIVERY, Phase.CLOSED):
        process = domain.change_phase(officer, process, phase)
    assert events(process)[-4:] == [
        "phase_voting",
        "phase_results",
        "phase_delivery",
        "phase_closed",
    ]
    assert domain.next_phases(process) == []


def test_opening_for_ideas_needs_a_budget(council, officer):
    process = domain.create_process(officer, council, title="Chest")
    refused("no_budget", domain.change_phase, officer, process, Phase.IDEAS)
    assert BudgetProcess.objects.get(pk=process.pk).phase == Phase.DRAFT


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Phase.DRAFT, Phase.VOTING),
        (Phase.IDEAS, Phase.RESULTS),
        (Phase.VOTING, Phase.IDEAS),
        (Phase.VOTING, "nonsense"),
        (Phase.VOTING, Phase.VOTING),
    ],
)
def test_a_process_moves_one_phase_on_or_one_back(council, officer, start, to):
    scene = build_scene(council, phase=start)
    refused("bad_move", domain.change_phase, officer, scene.process, to)
    assert BudgetProcess.objects.get(pk=scene.process.pk).phase == start


def test_published_results_are_never_taken_back(council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    process = domain.change_phase(officer, scene.process, Phase.RESULTS)
    assert domain.next_phases(process) == [Phase.DELIVERY]
    refused("bad_move", domain.change_phase, officer, process, Phase.VOTING)


def test_voting_needs_a_project_on_every_ballot(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    dale = factories.WardFactory(council=council, name="Dale Ward")
    domain.set_budget(officer, scene.process, amount=5_000, ward=dale)

    error = refused("empty_ballot", domain.change_phase, officer, scene.process, Phase.VOTING)

    assert "Dale Ward has no project on the ballot yet." in error.messages
    assert BudgetProcess.objects.get(pk=scene.process.pk).phase == Phase.REVIEW


def test_voting_steps_back_to_review_only_while_nobody_has_voted(council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    process = domain.change_phase(officer, scene.process, Phase.REVIEW)
    assert process.phase == Phase.REVIEW
    process = domain.change_phase(officer, process, Phase.VOTING)
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["trees"].pk])

    refused("ballots_cast", domain.change_phase, officer, process, Phase.REVIEW)

    assert BudgetProcess.objects.get(pk=process.pk).phase == Phase.VOTING


def test_entering_results_computes_and_publishes_every_budgets_result(council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    p = scene.projects
    domain.cast_ballot(scene.moot_resident, scene.whole, [p["library"].pk, p["trees"].pk])
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["trees"].pk, p["skatepark"].pk])
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, [p["playground"].pk])

    process = domain.change_phase(officer, scene.process, Phase.RESULTS)

    assert process.results_published_at is not None
    assert process.voting_closes_at is not None
    assert Result.objects.filter(budget__process=process).count() == 3
    whole = Result.objects.get(budget=scene.whole)
    assert (whole.selected, whole.spent, whole.ballots) == (
        [p["trees"].pk, p["skatepark"].pk],
        80_000,
        2,
    )
    selected = set(Project.objects.filter(is_selected=True).values_list("title", flat=True))
    assert {"A thousand street trees", "Moot playground"} <= selected
    assert "Longer library opening" not in selected


def test_followers_hear_when_the_process_moves_on_but_not_when_it_steps_back(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    fan = person("fan@example.org")
    follow(fan, council, "budget_process", scene.process.pk)

    process = domain.change_phase(officer, scene.process, Phase.VOTING)

    news = Notification.objects.get()
    assert news.event == "budget_voting_open"
    assert news.title == "Community Chest 2027: Voting is open"
    assert news.url == process.get_absolute_url()
    domain.change_phase(officer, process, Phase.REVIEW)
    assert Notification.objects.count() == 1


def test_only_budget_staff_move_a_process_on(council, moderator):
    scene = build_scene(council, phase=Phase.REVIEW)
    for user in (moderator, scene.moot_resident):
        with pytest.raises(StepRefused):
            domain.change_phase(user, scene.process, Phase.VOTING)
    assert BudgetProcess.objects.get(pk=scene.process.pk).phase == Phase.REVIEW


# --- Proposing --------------------------------------------------------------------------


def test_a_resident_proposes_a_project_and_followers_hear_of_it(council):
    scene = build_scene(council, phase=Phase.IDEAS)
    fan = person("fan@example.org")
    follow(fan, council, "budget_process", scene.process.pk)
    follow(scene.hill_resident, council, "budget_process", scene.process.pk)

    project = domain.propose_project(
        scene.hill_resident,
        scene.process,
        title="  Hill bus shelter ",
        description="A shelter at the top of the hill.",
        budget=scene.hill_budget.pk,
        cost_estimate="£4,500",
        location="Top of Hill Road",
        latitude="51.5",
        longitude="-0.12",
    )

    assert (project.title, project.status, project.cost, project.cost_estimate) == (
        "Hill bus shelter",
        Project.Status.PROPOSED,
        None,
        4_500,
    )
    assert (project.proposed_by, project.budget) == (scene.hill_resident, scene.hill_budget)
    assert events(scene.process)[-1] == "project_proposed"
    news = Notification.objects.get(event="budget_project_proposed")
    assert news.title == "Hill bus shelter"
    assert news.url == project.get_absolute_url()
    assert news.exclude_emails == ["hal.hill@example.org"]  # the proposer knows already


def test_a_proposal_needs_a_budget_when_there_are_several(council):
    scene = build_scene(council, phase=Phase.IDEAS)
    before = counts()
    refused(
        "budget_required",
        domain.propose_project,
        scene.moot_resident,
        scene.process,
        title="Anything",
        description="Anywhere.",
    )
    other = domain.create_process(None, council, title="Next year")
    refused(
        "invalid_budget",
        domain.propose_project,
        scene.moot_resident,
        scene.process,
        title="Anything",
        description="Anywhere.",
        budget=domain.set_budget(None, other, amount=5),
    )
    assert counts()["Project"] == before["Project"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": ""}, "required"),
        ({"title": "x" * 201}, "too_long"),
        ({"description": ""}, "required"),
        ({"description": "bad\x00byte"}, "bad_characters"),
        ({"cost_estimate": "a lot"}, "invalid_amount"),
        ({"latitude": "51.5"}, "half_point"),
        ({"latitude": "91", "longitude": "0"}, "invalid_coordinate"),
    ],
)
def test_a_bad_proposal_is_refused_and_writes_nothing(council, fields, code):
    scene = build_scene(council, phase=Phase.IDEAS)
    before = counts()
    values = {"title": "Swings", "description": "New swings.", "budget": scene.moot_budget}
    refused(code, domain.propose_project, scene.moot_resident, scene.process, **(values | fields))
    assert counts() == before


def test_proposals_are_taken_only_while_ideas_are_open_and_from_eligible_people(council):
    scene = build_scene(council, phase=Phase.IDEAS)
    unverified = factories.UserFactory(email="una@example.org", verified_email=False)
    with pytest.raises(StepRefused) as caught:
        domain.propose_project(
            unverified, scene.process, title="X", description="Y", budget=scene.whole
        )
    assert "verified email" in caught.value.message
    process = domain.change_phase(None, scene.process, Phase.REVIEW)
    with pytest.raises(StepRefused) as caught:
        domain.propose_project(
            scene.moot_resident, process, title="X", description="Y", budget=scene.whole
        )
    assert caught.value.message == "This process is not collecting ideas now."


def test_a_person_proposes_at_most_ten_projects_a_day_in_a_process(council):
    scene = build_scene(council, phase=Phase.IDEAS)  # Mo has proposed the benches already
    for n in range(9):
        domain.propose_project(
            scene.moot_resident,
            scene.process,
            title=f"Idea {n}",
            description="More.",
            budget=scene.whole,
        )

    error = refused(
        "too_many_proposals",
        domain.propose_project,
        scene.moot_resident,
        scene.process,
        title="One more",
        description="More.",
        budget=scene.whole,
    )

    assert "at most 10 projects a day" in error.messages[0]
    domain.propose_project(
        scene.hill_resident, scene.process, title="Mine", description="Hal's.", budget=scene.whole
    )
    Project.objects.filter(proposed_by=scene.moot_resident).update(
        created_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    domain.propose_project(
        scene.moot_resident, scene.process, title="Next day", description="M.", budget=scene.whole
    )


def test_a_projects_pictures_lose_their_gps_position_and_camera(council):
    scene = build_scene(council, phase=Phase.IDEAS)

    project = domain.propose_project(
        scene.moot_resident,
        scene.process,
        title="Swings",
        description="New swings.",
        budget=scene.moot_budget,
        images=[ImageUpload(jpeg_with_gps(), "The broken swings")],
    )

    image = project.images.get()
    assert image.alt_text == "The broken swings"
    assert image.uploaded_by == scene.moot_resident
    with image.file.open("rb") as stored:
        data = stored.read()
    assert b"SpyCam" not in data
    assert b"SERIAL-12345" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    assert image.file.name.startswith("budgeting/images/")


@pytest.mark.parametrize(
    ("images", "code"),
    [
        ([ImageUpload(jpeg_with_gps(), "")], "required"),
        ([ImageUpload(b"not a picture", "Swings")], "not_an_image"),
        ([ImageUpload(jpeg_with_gps(), f"Swing {n}") for n in range(7)], "too_many_images"),
    ],
)
def test_a_bad_picture_refuses_the_whole_proposal(council, images, code):
    scene = build_scene(council, phase=Phase.IDEAS)
    before = counts()
    refused(
        code,
        domain.propose_project,
        scene.moot_resident,
        scene.process,
        title="Swings",
        description="New swings.",
        budget=scene.moot_budget,
        images=images,
    )
    assert counts() == before


# --- Staff add and review ---------------------------------------------------------------


def test_staff_add_a_costed_project_straight_onto_the_ballot(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)

    project = domain.add_project(
        officer,
        scene.process,
        title="Hill footpath",
        description="Resurface it.",
        cost="12,000",
        budget=scene.hill_budget,
        external_id="fp-1",
    )

    assert (project.status, project.cost, project.external_id) == ("accepted", 12_000, "fp-1")
    assert audit("budgeting.project_added").actor == officer
    assert events(scene.process)[-1] == "project_accepted"
    error = refused(
        "cost_over_budget",
        domain.add_project,
        officer,
        scene.process,
        title="Hill bypass",
        description="A road.",
        cost=20_001,
        budget=scene.hill_budget,
    )
    assert error.message_dict["cost"] == ["The cost is more than the whole budget (£20,000)."]


def test_residents_cannot_add_projects_and_nobody_can_once_voting_starts(council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    fields = {"title": "T", "description": "D", "cost": 5, "budget": scene.whole}
    with pytest.raises(StepRefused):
        domain.add_project(scene.moot_resident, scene.process, **fields)
    process = domain.change_phase(officer, scene.process, Phase.VOTING)
    with pytest.raises(StepRefused):
        domain.add_project(officer, process, **fields)


def test_accepting_a_proposal_costs_it_tells_the_proposer_and_followers(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    fan = person("fan@example.org")
    follow(fan, council, "budget_project", benches.pk)

    project = domain.review_project(
        officer, benches, decision="accept", cost="£9,500", reason_text="Two benches fewer."
    )

    assert (project.status, project.cost, project.review_reason) == (
        "accepted",
        9_500,
        "Two benches fewer.",
    )
    assert events(scene.process)[-1] == "project_accepted"
    entry = audit("budgeting.project_accepted")
    assert (entry.actor, entry.details) == (officer, {"cost": 9_500})
    email = OutboxMessage.objects.get(to="mo.moot@example.org")
    assert email.subject == "Your project idea has been reviewed: Benches in Moot Park"
    assert "costed at £9,500" in email.body
    assert project.get_absolute_url() in email.body
    news = Notification.objects.get(event="budget_project_accepted")
    assert news.summary == "On the ballot, costed at £9,500."
    assert ["budget_project", benches.pk] in news.targets


def test_a_proposer_who_follows_their_project_hears_of_the_review_once(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    follow(benches.proposed_by, council, "budget_project", benches.pk)
    follow(person("fan@example.org"), council, "budget_project", benches.pk)

    domain.review_project(officer, benches, decision="accept", cost=9_500)

    news = Notification.objects.get(event="budget_project_accepted")
    assert news.exclude_emails == sorted({officer.email.lower(), "mo.moot@example.org"})
    assert OutboxMessage.objects.filter(to="mo.moot@example.org").count() == 1


def test_a_project_cannot_be_accepted_for_more_than_its_budget_or_without_a_cost(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    error = refused(
        "cost_over_budget", domain.review_project, officer, benches, decision="accept", cost=30_001
    )
    assert "(£30,000)" in error.message_dict["cost"][0]
    refused("required", domain.review_project, officer, benches, decision="accept")
    refused("invalid_decision", domain.review_project, officer, benches, decision="maybe")
    assert Project.objects.get(pk=benches.pk).status == "proposed"
    assert not OutboxMessage.objects.exists()
    domain.review_project(officer, benches, decision="accept", cost=30_000)


def test_rejecting_needs_a_published_reason_which_the_proposer_is_sent(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    refused("reason_required", domain.review_project, officer, benches, decision="reject")
    assert Project.objects.get(pk=benches.pk).status == "proposed"

    project = domain.review_project(
        officer, benches, decision="reject", reason_text="The park belongs to the town council."
    )

    assert (project.status, project.review_reason) == (
        "rejected",
        "The park belongs to the town council.",
    )
    assert events(scene.process)[-1] == "project_rejected"
    assert audit("budgeting.project_rejected").actor == officer
    email = OutboxMessage.objects.get(to="mo.moot@example.org")
    assert "The park belongs to the town council." in email.body
    # ...and it can be reviewed again before voting.
    assert domain.review_project(officer, project, decision="accept", cost=100).status == "accepted"


def test_only_budget_staff_review_and_only_before_voting(council, officer, moderator):
    scene = build_scene(council, phase=Phase.VOTING)
    benches = scene.projects["benches"]
    for user in (moderator, scene.moot_resident, officer):
        with pytest.raises(StepRefused):
            domain.review_project(user, benches, decision="reject", reason_text="No.")
    assert Project.objects.get(pk=benches.pk).status == "accepted"


def test_a_duplicate_is_merged_with_a_reason_and_its_proposer_and_followers_told(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    seats = domain.propose_project(
        scene.hill_resident,
        scene.process,
        title="Seats by the pond",
        description="Somewhere to sit.",
        budget=scene.moot_budget,
    )
    fan = person("fan@example.org")
    follow(fan, council, "budget_project", seats.pk)
    refused("reason_required", domain.merge_projects, officer, seats, benches, reason_text="")

    into = domain.merge_projects(officer, seats, benches, reason_text="The same benches.")

    assert into == benches
    seats.refresh_from_db()
    assert (seats.status, seats.merged_into, seats.review_reason) == (
        "merged",
        benches,
        "The same benches.",
    )
    assert events(scene.process)[-1] == "project_merged"
    entry = audit("budgeting.projects_merged")
    assert entry.details == {"into": benches.pk}
    email = OutboxMessage.objects.get(to="hal.hill@example.org")
    assert "merged into a similar project, “Benches in Moot Park”" in email.body
    news = Notification.objects.get(event="budget_project_merged")
    assert ["budget_project", seats.pk] in news.targets


def test_merges_that_make_no_sense_are_refused(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    elsewhere = domain.propose_project(
        scene.moot_resident, scene.process, title="Trees", description="T.", budget=scene.whole
    )
    refused("merge_self", domain.merge_projects, officer, benches, benches, reason_text="R")
    refused("merge_elsewhere", domain.merge_projects, officer, benches, elsewhere, reason_text="R")
    gone = domain.propose_project(
        scene.moot_resident, scene.process, title="Gone", description="G.", budget=scene.moot_budget
    )
    domain.review_project(officer, gone, decision="reject", reason_text="No.")
    refused("merge_closed", domain.merge_projects, officer, benches, gone, reason_text="R")
    assert Project.objects.get(pk=benches.pk).status == "proposed"
    with pytest.raises(StepRefused):
        domain.merge_projects(scene.moot_resident, gone, benches, reason_text="R")


# --- The proposer's own changes ---------------------------------------------------------


def test_the_proposer_withdraws_a_project_nobody_has_reviewed(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]
    with pytest.raises(StepRefused):
        domain.withdraw_project(scene.hill_resident, benches)
    with pytest.raises(StepRefused):
        domain.withdraw_project(officer, benches)

    project = domain.withdraw_project(scene.moot_resident, benches)

    assert project.status == "withdrawn"
    assert not project.is_public
    assert events(scene.process)[-1] == "project_withdrawn"
    refused("not_open", domain.review_project, officer, project, decision="accept", cost=5)


def test_a_reviewed_project_can_no_longer_be_withdrawn(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = domain.review_project(
        officer, scene.projects["benches"], decision="accept", cost=9_000
    )
    refused("already_reviewed", domain.withdraw_project, scene.moot_resident, benches)
    assert Project.objects.get(pk=benches.pk).status == "accepted"


def test_the_proposer_edits_while_ideas_are_open_then_only_staff(council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    benches = scene.projects["benches"]

    mine = domain.edit_project(scene.moot_resident, benches, title="Eight benches")

    assert mine.title == "Eight benches"
    assert not AuditEntry.objects.filter(action="budgeting.project_edited").exists()
    with pytest.raises(StepRefused):
        domain.edit_project(scene.hill_resident, benches, title="Hal's benches")
    domain.change_phase(officer, scene.process, Phase.REVIEW)
    with pytest.raises(StepRefused):
        domain.edit_project(scene.moot_resident, benches, title="Nine benches")

    staff = domain.edit_project(officer, benches, description="By the pond.", budget=scene.whole)

    assert (staff.description, staff.budget) == ("By the pond.", scene.whole)
    entry = audit("budgeting.project_edited")
    assert (entry.actor, entry.details["changed"]) == (officer, ["budget", "description"])
    assert entry.details["after"] == {"budget": scene.whole.pk, "description": "By the pond."}
    assert Project.objects.get(pk=benches.pk).title == "Eight benches"


def test_staff_cannot_move_a_project_to_a_budget_it_does_not_fit_nor_edit_during_voting(
    council, officer
):
    scene = build_scene(council, phase=Phase.REVIEW)
    trees = scene.projects["trees"]
    refused("cost_over_budget", domain.edit_project, officer, trees, budget=scene.hill_budget)
    process = domain.change_phase(officer, scene.process, Phase.VOTING)
    with pytest.raises(StepRefused):
        domain.edit_project(officer, trees, title="Ten trees")
    assert process.phase == Phase.VOTING
    assert Project.objects.get(pk=trees.pk).budget == scene.whole


def test_money_is_shown_in_whole_pounds_with_thousands():
    assert domain.money(1234567) == "£1,234,567"
    assert domain.money(5) == "£5"
    assert domain.money(None) == ""
