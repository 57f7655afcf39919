"""Moderation of the projects residents propose: pre-moderated processes (a proposal waits,
seen by its proposer and moderators only, until a moderator approves it), hiding and
restoring through the moderation verbs (the public log, the audit, the page saying why),
reports, and each process as a space whose pre- or post-moderation the council sets.

Mootshire runs "Community Chest 2027" (see tests/budgeting/scene.py): Mo Moot proposes
"Benches in Moot Park" while ideas are open.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from moothall.budgeting import domain
from moothall.budgeting import moderation as budget_moderation
from moothall.budgeting.models import BudgetProcess, Phase, ProcessEvent, Project
from moothall.core.models import AuditEntry, OutboxMessage
from moothall.moderation import domain as moderation
from moothall.moderation import registry
from moothall.moderation.models import Flag, LogEntry
from moothall.notifications.domain import follow
from moothall.notifications.models import Notification
from tests import factories
from tests.budgeting.scene import Scene, build_scene, person

pytestmark = pytest.mark.django_db

BASE = "/mootshire/budgets/community-chest-2027/"
API = "/api/v1/councils/mootshire/budgets/community-chest-2027"
KIND = "budget_project"

ROLES = ["resident", "councillor_user", "officer", "moderator", "council_admin", "outsider"]
MODERATES = {"officer", "moderator", "council_admin"}


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def page(project: Project) -> str:
    return f"{BASE}projects/{project.pk}/"


@pytest.fixture
def held(council) -> Scene:
    """Ideas are open and checked before publication: Mo Moot's benches wait."""
    return build_scene(council, phase=Phase.IDEAS, pre_moderation=True)


@pytest.fixture
def open_ideas(council) -> Scene:
    """Ideas are open and published at once: Mo Moot's benches are public."""
    return build_scene(council, phase=Phase.IDEAS)


# --- Pre-moderation ---------------------------------------------------------------------------


def test_a_pre_moderated_proposal_waits_unseen_by_the_public(client, held):
    benches = held.projects["benches"]

    assert benches.awaiting_moderation
    assert not benches.is_public
    assertNotContains(client.get(f"{BASE}projects/"), "Benches in Moot Park")
    assert client.get(page(benches)).status_code == 404
    listed = client.get(f"{API}/projects").json()
    assert [p["title"] for p in listed["items"]] == []
    assert client.get(f"{API}/projects/{benches.pk}/updates").status_code == 404
    client.force_login(held.hill_resident)
    assert client.get(page(benches)).status_code == 404


def test_its_proposer_sees_it_with_a_banner_and_moderators_can_decide_it(client, held, moderator):
    benches = held.projects["benches"]

    client.force_login(held.moot_resident)
    mine = client.get(page(benches))
    assertContains(mine, "Waiting to be checked by a moderator: only you can see it.")
    assertNotContains(mine, "Report this project")
    client.force_login(moderator)
    decided = client.get(page(benches))
    assertContains(decided, "Approve or reject it")
    assertContains(decided, f"/mootshire/staff/moderation/items/{KIND}/{benches.pk}/")


def test_followers_hear_of_a_held_proposal_only_when_a_moderator_approves_it(
    client, council, held, moderator
):
    fan = person("fan@example.org")
    follow(fan, council, "budget_process", held.process.pk)

    shelter = domain.propose_project(
        held.hill_resident,
        held.process,
        title="Hill bus shelter",
        description="A shelter at the top of the hill.",
        budget=held.hill_budget,
    )

    assert shelter.awaiting_moderation
    assert not Notification.objects.filter(event="budget_project_proposed").exists()
    assert not ProcessEvent.objects.filter(project=shelter).exists()

    moderation.approve(moderator, KIND, shelter)

    shelter.refresh_from_db()
    assert not shelter.awaiting_moderation
    news = Notification.objects.get(event="budget_project_proposed")
    assert (news.title, news.url) == ("Hill bus shelter", shelter.get_absolute_url())
    assert news.exclude_emails == ["hal.hill@example.org"]
    assert list(ProcessEvent.objects.filter(project=shelter).values_list("kind", flat=True)) == [
        "project_proposed"
    ]
    assert AuditEntry.objects.filter(action="budgeting.project_approved").count() == 1
    assert AuditEntry.objects.filter(action="moderation.approve").count() == 1
    assert OutboxMessage.objects.filter(to="hal.hill@example.org").count() == 1
    assertContains(client.get(page(shelter)), "Hill bus shelter")
    assertContains(client.get(f"{BASE}projects/"), "Hill bus shelter")


def test_approving_refuses_what_is_not_waiting(open_ideas, moderator):
    with pytest.raises(ValidationError) as refused:
        domain.approve_project(moderator, open_ideas.projects["benches"])
    assert _code(refused.value) == "not_pending"
    assert not AuditEntry.objects.filter(action="budgeting.project_approved").exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_approve_a_held_proposal(request, held, role):
    actor = request.getfixturevalue(role)
    benches = held.projects["benches"]

    if role in MODERATES:
        domain.approve_project(actor, benches)
        assert not Project.objects.get(pk=benches.pk).awaiting_moderation
    else:
        with pytest.raises(PermissionDenied):
            domain.approve_project(actor, benches)
        assert Project.objects.get(pk=benches.pk).awaiting_moderation


def test_the_proposer_may_still_change_and_withdraw_a_held_proposal(held):
    benches = held.projects["benches"]

    domain.edit_project(held.moot_resident, benches, title="Eight benches in Moot Park")
    domain.withdraw_project(held.moot_resident, benches)

    benches.refresh_from_db()
    assert (benches.title, benches.status) == ("Eight benches in Moot Park", "withdrawn")


def test_officers_review_a_proposal_only_once_a_moderator_has_approved_it(held, officer):
    with pytest.raises(ValidationError) as refused:
        domain.review_project(officer, held.projects["benches"], decision="accept", cost=9_000)
    assert _code(refused.value) == "moderated"


def test_the_waiting_page_lists_held_proposals(client, held, moderator):
    client.force_login(moderator)

    response = client.get(f"/mootshire/staff/moderation/waiting/?kind={KIND}")

    assertContains(response, "Benches in Moot Park")
    assertContains(response, "A resident")
    assertNotContains(response, "Mo Moot")


# --- Hiding and restoring ------------------------------------------------------------------


def test_a_moderator_hides_a_project_and_its_page_says_why(client, council, open_ideas, moderator):
    benches = open_ideas.projects["benches"]

    moderation.hide(moderator, KIND, benches, rule="spam", explanation="It advertises a shop.")

    benches.refresh_from_db()
    assert benches.hidden_reason == "Spam or advertising. It advertises a shop."
    assert list(LogEntry.objects.values_list("council", "kind", "action", "rule")) == [
        (council.pk, KIND, "hidden", "spam")
    ]
    assert AuditEntry.objects.filter(action="budgeting.project_hidden").count() == 1
    assert AuditEntry.objects.filter(action="moderation.hide").count() == 1
    gone = client.get(page(benches))
    assert gone.status_code == 410
    assertContains(gone, "Spam or advertising. It advertises a shop.", status_code=410)
    assertNotContains(client.get(f"{BASE}projects/"), "Benches in Moot Park")
    assertNotContains(client.get(BASE), "Benches in Moot Park")
    assert client.get(f"{API}/projects").json()["items"] == []
    client.force_login(open_ideas.moot_resident)
    assert client.get(page(benches)).status_code == 410
    assert client.get(f"{page(benches)}edit/").status_code == 404


def test_a_moderator_restores_a_hidden_project(client, council, open_ideas, moderator):
    benches = open_ideas.projects["benches"]
    moderation.hide(moderator, KIND, benches, rule="spam")

    moderation.restore(moderator, KIND, benches)

    benches.refresh_from_db()
    assert (benches.hidden_at, benches.hidden_reason) == (None, "")
    assert list(LogEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "hidden",
        "restored",
    ]
    assert AuditEntry.objects.filter(action="budgeting.project_restored").count() == 1
    assertContains(client.get(page(benches)), "Benches in Moot Park")


def test_hiding_from_the_budgeting_verb_writes_the_public_log_too(council, open_ideas, moderator):
    domain.hide_project(moderator, open_ideas.projects["benches"], reason="Advertising.")

    assert list(LogEntry.objects.values_list("kind", "action", "rule")) == [(KIND, "hidden", "")]


def test_hiding_needs_a_reason_and_a_moderator(open_ideas, resident, moderator):
    benches = open_ideas.projects["benches"]
    with pytest.raises(ValidationError) as empty:
        domain.hide_project(moderator, benches, reason="  ")
    assert _code(empty.value) == "reason_required"
    with pytest.raises(ValidationError) as long:
        domain.hide_project(moderator, benches, reason="x" * 2001)
    assert _code(long.value) == "reason_too_long"
    with pytest.raises(PermissionDenied):
        domain.hide_project(resident, benches, reason="Advertising.")
    assert Project.objects.get(pk=benches.pk).hidden_at is None


def test_hiding_a_held_proposal_rejects_it_and_restoring_publishes_it(council, held, moderator):
    fan = person("fan@example.org")
    follow(fan, council, "budget_process", held.process.pk)
    benches = held.projects["benches"]

    moderation.hide(moderator, KIND, benches, rule="off_topic")
    benches.refresh_from_db()
    assert (benches.awaiting_moderation, benches.is_hidden) == (False, True)
    assert not Notification.objects.exists()

    moderation.restore(moderator, KIND, benches)
    benches.refresh_from_db()
    assert benches.is_public
    assert Notification.objects.get().event == "budget_project_proposed"
    assert ProcessEvent.objects.filter(project=benches, kind="project_proposed").count() == 1


def test_a_project_on_a_running_ballot_cannot_be_hidden(council, moderator):
    scene = build_scene(council)  # voting
    library = scene.projects["library"]

    with pytest.raises(ValidationError) as refused:
        moderation.hide(moderator, KIND, library, rule="spam")

    assert _code(refused.value) == "on_ballot"
    assert Project.objects.get(pk=library.pk).hidden_at is None
    assert not LogEntry.objects.exists()
    assert library in domain.ballot_projects(scene.whole)


def test_a_project_hidden_in_review_never_reaches_the_ballot(client, council, moderator):
    scene = build_scene(council, phase=Phase.REVIEW)
    library = scene.projects["library"]
    domain.hide_project(moderator, library, reason="Copied from another council.")

    process = domain.change_phase(None, scene.process, Phase.VOTING)

    assert library not in domain.ballot_projects(scene.whole)
    with pytest.raises(ValidationError) as refused:
        domain.check_choices(process, scene.whole, [library.pk])
    assert _code(refused.value) == "not_on_ballot"
    client.force_login(scene.moot_resident)
    ballot = client.get(f"{BASE}vote/{scene.whole.pk}/")
    assertContains(ballot, "A thousand street trees")
    assertNotContains(ballot, "Longer library opening")
    with pytest.raises(ValidationError) as restoring:
        domain.restore_project(moderator, library)
    assert _code(restoring.value) == "on_ballot"


def test_a_waiting_project_is_never_on_a_ballot(council):
    scene = build_scene(council)
    Project.objects.filter(pk=scene.projects["trees"].pk).update(awaiting_moderation=True)

    assert [p.title for p in domain.ballot_projects(scene.whole)] == [
        "Longer library opening",
        "Skate park repairs",
    ]


# --- Reports ---------------------------------------------------------------------------------


def test_a_signed_in_person_reports_a_shown_project(client, open_ideas):
    benches = open_ideas.projects["benches"]
    reporter = factories.UserFactory(email="rob.reporter@example.org")
    client.force_login(reporter)
    report_url = f"/mootshire/report/{KIND}/{benches.pk}/"
    assertContains(client.get(page(benches)), report_url)

    response = client.post(report_url, {"reason": "spam", "note": "An advert"})

    assert response.status_code == 200
    flag = Flag.objects.get()
    assert (flag.kind, flag.object_id, flag.reporter) == (KIND, benches.pk, reporter)


def test_a_held_proposal_cannot_be_reported(client, held):
    benches = held.projects["benches"]
    reporter = factories.UserFactory(email="rob.reporter@example.org")

    with pytest.raises(ValidationError) as refused:
        moderation.flag(reporter, KIND, benches, reason="spam")

    assert _code(refused.value) == "not_shown"
    client.force_login(reporter)
    assert client.get(f"/mootshire/report/{KIND}/{benches.pk}/").status_code == 404


def test_signed_out_people_see_no_report_link(client, open_ideas):
    assertNotContains(client.get(page(open_ideas.projects["benches"])), "/report/")


# --- Spaces -----------------------------------------------------------------------------------


def test_each_unfinished_process_is_a_space_with_its_waiting_count(council, held):
    finished = domain.create_process(None, council, title="Community Chest 2020")
    BudgetProcess.objects.filter(pk=finished.pk).update(phase=Phase.CLOSED)

    spaces = {s.key: s for s in registry.spaces(council) if s.key.startswith("budget-")}

    assert list(spaces) == [f"budget-{held.process.pk}"]
    space = spaces[f"budget-{held.process.pk}"]
    assert (str(space.label), space.mode, space.pending) == (
        "Project proposals: Community Chest 2027",
        "pre",
        1,
    )
    assert space.queue_url == f"/mootshire/staff/moderation/waiting/?kind={KIND}"


def test_each_space_counts_its_own_waiting_proposals_in_one_query(
    council, held, django_assert_num_queries
):
    benches = held.projects["benches"]
    for title in ("A drinking fountain", "Bird boxes"):
        domain.propose_project(
            held.hill_resident,
            held.process,
            title=title,
            description=f"{title}.",
            budget=benches.budget,
            cost_estimate=1_000,
        )
    # A rejected proposal (hidden while it waited) no longer waits.
    Project.objects.filter(title="Bird boxes").update(hidden_at=timezone.now())
    other = domain.create_process(None, council, title="Green Spaces Fund")

    with django_assert_num_queries(1):
        spaces = budget_moderation._spaces(council)

    assert [(s.key, s.pending) for s in spaces] == [
        (f"budget-{held.process.pk}", 2),
        (f"budget-{other.pk}", 0),
    ]


def test_the_council_admin_sets_a_process_to_pre_moderation(
    client, council, open_ideas, council_admin
):
    key = f"budget-{open_ideas.process.pk}"

    moderation.set_space_mode(council_admin, council, key, "pre")

    assert BudgetProcess.objects.get(pk=open_ideas.process.pk).pre_moderation
    changed = AuditEntry.objects.get(action="budgeting.process_updated")
    assert changed.details["changed"] == ["pre_moderation"]
    space = AuditEntry.objects.get(action="moderation.set_space_mode")
    assert (space.details["before"], space.details["after"]) == ("post", "pre")


def test_the_settings_page_sets_a_process_space(client, council, open_ideas, council_admin):
    key = f"budget-{open_ideas.process.pk}"
    client.force_login(council_admin)
    assertContains(client.get("/mootshire/staff/moderation/settings/"), "Project proposals")

    response = client.post(f"/mootshire/staff/moderation/settings/{key}/", {f"{key}-mode": "pre"})

    assert response.status_code == 302
    assert BudgetProcess.objects.get(pk=open_ideas.process.pk).pre_moderation


def test_pre_moderation_can_be_set_in_any_phase(council, officer):
    scene = build_scene(council)  # voting

    domain.update_process(officer, scene.process, pre_moderation=True)

    assert BudgetProcess.objects.get(pk=scene.process.pk).pre_moderation
