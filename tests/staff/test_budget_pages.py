"""The participatory budgeting back-office: who may open which page, and what the process,
budget, phase and project pages do.

Olive Officer and Ada Admin run budgeting at Mootshire; Morgan Moderator and Rita Resident
may not; Otto Outsider is an officer of Elsewhere. The scene (tests/budgeting/scene.py)
has a council-wide budget of £100,000 and Moot (£30,000) and Hill (£20,000) ward budgets.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.budgeting import domain
from moothall.budgeting.models import (
    Ballot,
    BallotKind,
    Budget,
    BudgetProcess,
    Phase,
    Project,
    ProjectImage,
    Rule,
)
from moothall.core.models import AuditEntry
from tests import factories
from tests.budgeting.scene import Scene, build_scene
from tests.staff import html

pytestmark = pytest.mark.django_db

BASE = "/mootshire/staff/budgets/"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name: str = "bench.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def at(process: BudgetProcess, path: str = "") -> str:
    return f"{BASE}{process.pk}/{path}"


@pytest.fixture
def finished(council) -> tuple[Scene, dict[str, int]]:
    """A process whose results are published, with a paper ballot entered while voting
    was open; ids for literal URLs."""
    scene = build_scene(council, phase=Phase.VOTING)
    library = scene.projects["library"]
    ballot = domain.enter_paper_ballot(None, scene.whole, [library.pk], reference="P-1")
    domain.change_phase(None, scene.process, Phase.RESULTS)
    library.refresh_from_db()
    assert library.is_selected
    return scene, {
        "p": scene.process.pk,
        "b": scene.whole.pk,
        "pr": library.pk,
        "ballot": ballot.pk,
    }


PAGES = {
    "list": "",
    "new": "new/",
    "overview": "{p}/",
    "edit": "{p}/edit/",
    "budgets": "{p}/budgets/",
    "budget": "{p}/budgets/{b}/",
    "remove budget": "{p}/budgets/{b}/remove/",
    "phase": "{p}/phase/",
    "projects": "{p}/projects/",
    "add project": "{p}/projects/new/",
    "project": "{p}/projects/{pr}/",
    "review": "{p}/projects/{pr}/review/",
    "merge": "{p}/projects/{pr}/merge/",
    "edit project": "{p}/projects/{pr}/edit/",
    "paper": "{p}/paper/",
    "enter paper": "{p}/paper/{b}/",
    "void paper": "{p}/paper/ballots/{ballot}/void/",
    "results": "{p}/results/",
    "csv": "{p}/results/{b}.csv",
    "delivery": "{p}/delivery/",
    "report delivery": "{p}/delivery/{pr}/",
}


@pytest.mark.parametrize(
    "role", ["resident", "councillor_user", "moderator", "officer", "council_admin", "outsider"]
)
def test_who_may_open_each_page(request, client, finished, role):
    _scene, ids = finished
    client.force_login(request.getfixturevalue(role))
    allowed = role in ("officer", "council_admin")

    statuses = {
        name: client.get(BASE + path.format(**ids)).status_code for name, path in PAGES.items()
    }

    assert statuses == dict.fromkeys(PAGES, 200 if allowed else 403)


def test_staff_without_two_factor_authentication_may_not_open_them(client, council, finished):
    _scene, ids = finished
    officer = factories.UserFactory(email="new.officer@example.org")
    factories.RoleFactory(user=officer, council=council, kind="officer")
    client.force_login(officer)

    response = client.get(BASE + PAGES["overview"].format(**ids))

    assert response.status_code in (302, 403)
    assert "/mootshire/staff/" not in response.get("Location", "")


def test_signed_out_people_are_sent_to_sign_in(client, finished):
    _scene, ids = finished
    for path in ("", "{p}/", "{p}/phase/", "{p}/results/{b}.csv"):
        url = BASE + path.format(**ids)
        assertRedirects(
            client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False
        )
    response = client.post(BASE + "{p}/phase/".format(**ids), {"to": "delivery", "confirmed": "1"})
    assert response.status_code == 302
    assert BudgetProcess.objects.get(pk=ids["p"]).phase == Phase.RESULTS


def test_another_councils_process_is_not_found_from_here(
    client, council, other_council, officer, outsider
):
    theirs = domain.create_process(None, other_council, title="Elsewhere Fund")
    ours = domain.create_process(None, council, title="Mootshire Fund")
    client.force_login(officer)
    assert client.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert client.get(f"{BASE}{theirs.pk}/edit/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/elsewhere/staff/budgets/{theirs.pk}/").status_code == 200
    assert client.get(f"/elsewhere/staff/budgets/{ours.pk}/").status_code == 404
    assert client.get(f"{BASE}{ours.pk}/").status_code == 403


def test_objects_of_another_process_are_not_found(client, council, officer, finished):
    _scene, ids = finished
    other = domain.create_process(None, council, title="Another Fund")
    client.force_login(officer)

    for path in ("budgets/{b}/", "projects/{pr}/", "paper/{b}/", "results/{b}.csv"):
        assert client.get(at(other, path.format(**ids))).status_code == 404


def test_the_dashboard_links_to_budgeting_for_officers_only(client, officer, moderator):
    client.force_login(officer)
    assertContains(client.get("/mootshire/staff/"), f'href="{BASE}"')
    client.force_login(moderator)
    assertNotContains(client.get("/mootshire/staff/"), f'href="{BASE}"')


# --- The list and creating a process ------------------------------------------------------


def test_the_list_shows_every_process_with_its_phase_drafts_included(client, council, officer):
    scene = build_scene(council, phase=Phase.IDEAS)
    domain.create_process(None, council, title="Next Year")
    client.force_login(officer)

    rows = html.table_rows(client.get(BASE))

    assert [row[:2] for row in rows] == [
        ["Next Year", "Being prepared"],
        [scene.process.title, "Collecting ideas"],
    ]
    assert rows[1][3] == "£150,000"
    assert rows[1][4] == "1"  # Benches waiting to be checked
    assertContains(client.get(BASE), f'href="{BASE}new/"')


def _process_data(**changes: str) -> dict[str, str]:
    data = {
        "title": "Community Chest 2028",
        "summary": "£200,000 for your ideas.",
        "description": "Propose **anything**.",
        "propose_level": "1",
        "vote_level": "2",
        "ballot_kind": "cumulative",
        "min_projects": "1",
        "max_projects": "",
        "points": "10",
        "max_points_per_project": "5",
        "rule": "equalshares/add1",
        "vote_in_council_wide_too": "on",
        "ideas_close_date": "31/01/2028",
        "ideas_close_time": "",
        "voting_opens_date": "1/3/2028",
        "voting_opens_time": "09:00",
        "voting_closes_date": "2028-03-31",
        "voting_closes_time": "17:30",
        "keep_voters_days": "180",
    }
    return data | changes


def test_creating_a_process_sets_its_ballot_rule_and_dates(client, council, officer):
    client.force_login(officer)
    page = client.get(BASE + "new/")
    for rule in Rule:  # every rule is offered with its plain-English explanation
        assertContains(page, f'value="{rule.value}"')
    assertContains(page, "supporters can pay for it together")

    response = client.post(BASE + "new/", _process_data())

    process = BudgetProcess.objects.get(council=council)
    assertRedirects(response, at(process, "budgets/"), fetch_redirect_response=False)
    assert (process.phase, process.ballot_kind, process.rule) == (
        Phase.DRAFT,
        BallotKind.CUMULATIVE,
        Rule.EQUAL_SHARES_ADD1,
    )
    assert (process.points, process.max_points_per_project, process.max_projects) == (10, 5, None)
    assert (process.propose_level, process.vote_level, process.keep_voters_days) == (1, 2, 180)
    assert process.vote_in_council_wide_too
    assert not process.knapsack
    assert process.created_by == officer
    closes = timezone.localtime(process.voting_closes_at)
    assert (closes.year, closes.month, closes.day, closes.hour, closes.minute) == (
        2028,
        3,
        31,
        17,
        30,
    )
    assert timezone.localtime(process.ideas_close_at).hour == 23  # no time: end of the day
    assert html.banners(client.get(at(process, "budgets/"))) == [
        "“Community Chest 2028” is created. It stays hidden until you open it for ideas."
    ]
    assert AuditEntry.objects.filter(action="budgeting.process_created").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "id_title", "Enter a title."),
        (
            {"min_projects": "5", "max_projects": "3"},
            "id_min_projects",
            "The fewest projects cannot be more than the most projects.",
        ),
        (
            {"ballot_kind": "ranking", "rule": "equalshares"},
            "id_rule",
            "The Method of Equal Shares needs approval or points ballots, not rankings.",
        ),
        ({"points": "ten"}, "id_points", "Enter a whole number."),
        (
            {"max_points_per_project": "11"},
            "id_max_points_per_project",
            "The most points on one project cannot be more than the points to share out.",
        ),
        (
            {"voting_closes_date": "01/02/2028"},
            "id_voting_closes_date",
            "Voting must close after it opens.",
        ),
        ({"voting_opens_date": "31/02/2028"}, "id_voting_opens_date", "Enter a real date"),
        ({"rule": "plurality"}, "id_rule", "Choose how the winners are chosen."),
        ({"vote_level": "0"}, "id_vote_level", "Choose who may take part."),
        ({"keep_voters_days": "0"}, "id_keep_voters_days", "Enter a number from 1 to 3650."),
    ],
)
def test_a_process_with_bad_settings_is_refused_with_a_message(
    client, council, officer, changes, field, message
):
    client.force_login(officer)

    response = client.post(BASE + "new/", _process_data(**changes))

    assert response.status_code == 200
    assert message in html.field_errors(response)[field]
    assert any(link.startswith(f"#{field}") for link in html.error_links(response))
    assert html.title(response).startswith("Error:")
    assert not BudgetProcess.objects.exists()


def test_settings_change_before_voting_and_only_the_words_after(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)
    page = client.get(at(scene.process, "edit/"))
    assertContains(page, 'name="rule"')

    response = client.post(at(scene.process, "edit/"), _process_data(rule="greedy-no-skip"))

    assertRedirects(response, at(scene.process), fetch_redirect_response=False)
    scene.process.refresh_from_db()
    assert scene.process.rule == Rule.GREEDY_NO_SKIP

    domain.change_phase(None, scene.process, Phase.VOTING)
    page = client.get(at(scene.process, "edit/"))
    assertContains(page, "The ballot and budgets cannot change once voting has started.")
    assertNotContains(page, 'name="rule"')
    response = client.post(
        at(scene.process, "edit/"),
        _process_data(title="Community Chest 2027 (corrected)", rule="greedy", points="3"),
    )
    assertRedirects(response, at(scene.process), fetch_redirect_response=False)
    scene.process.refresh_from_db()
    assert scene.process.title == "Community Chest 2027 (corrected)"
    assert (scene.process.rule, scene.process.points) == (Rule.GREEDY_NO_SKIP, 10)


# --- Budgets ---------------------------------------------------------------------------------


def test_budgets_are_set_changed_and_removed(client, council, officer):
    process = domain.create_process(None, council, title="Fund")
    ward = factories.WardFactory(council=council, name="Dale Ward")
    factories.WardFactory(name="Foreign Ward")  # another council's: not offered
    client.force_login(officer)
    page = client.get(at(process, "budgets/"))
    assertContains(page, "Dale Ward")
    assertNotContains(page, "Foreign Ward")

    response = client.post(at(process, "budgets/"), {"ward": "council", "amount": "£50,000"})
    assertRedirects(response, at(process, "budgets/"), fetch_redirect_response=False)
    client.post(at(process, "budgets/"), {"ward": str(ward.pk), "amount": "10000", "name": ""})

    rows = html.table_rows(client.get(at(process, "budgets/")))
    assert [row[:3] for row in rows] == [
        ["Council-wide", "£50,000", "0"],
        ["Dale Ward", "£10,000", "0"],
    ]
    dale = Budget.objects.get(process=process, ward=ward)

    response = client.post(at(process, f"budgets/{dale.pk}/"), {"amount": "12000", "name": "Dale"})
    assertRedirects(response, at(process, "budgets/"), fetch_redirect_response=False)
    dale.refresh_from_db()
    assert (dale.amount, dale.name) == (12000, "Dale")

    page = client.get(at(process, f"budgets/{dale.pk}/remove/"))
    assertContains(page, "Remove the budget for Dale?")
    response = client.post(at(process, f"budgets/{dale.pk}/remove/"))
    assertRedirects(response, at(process, "budgets/"), fetch_redirect_response=False)
    assert list(Budget.objects.filter(process=process).values_list("ward", flat=True)) == [None]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Enter an amount in pounds, like 25000."),
        ("0", "The amount must be more than £0."),
        ("-5", "The amount must be more than £0."),
        ("12.50", "Enter a whole number of pounds."),
        ("lots", "Enter an amount in pounds, like 25000."),
        ("9" * 19, "The amount is too large."),
    ],
)
def test_a_bad_amount_is_refused(client, council, officer, amount, message):
    process = domain.create_process(None, council, title="Fund")
    client.force_login(officer)

    response = client.post(at(process, "budgets/"), {"ward": "council", "amount": amount})

    assert html.field_errors(response)["id_amount"] == f"Error: {message}"
    assert not Budget.objects.exists()


def test_a_budget_with_projects_cannot_be_removed_and_none_change_once_voting_starts(
    client, council, officer
):
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)

    response = client.post(at(scene.process, f"budgets/{scene.hill_budget.pk}/remove/"))
    assert html.error_summary(response) == ["Move or remove this budget’s projects first."]

    domain.change_phase(None, scene.process, Phase.VOTING)
    page = client.get(at(scene.process, "budgets/"))
    assertContains(page, "The ballot and budgets cannot change once voting has started.")
    assertNotContains(page, 'name="amount"')
    response = client.post(at(scene.process, "budgets/"), {"ward": "council", "amount": "1"})
    assert html.error_summary(response) == [
        "The ballot and budgets cannot change once voting has started."
    ]
    scene.whole.refresh_from_db()
    assert scene.whole.amount == 100_000


# --- Phases ----------------------------------------------------------------------------------


def test_moving_on_asks_for_confirmation_first(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)
    page = client.get(at(scene.process, "phase/"))
    assertContains(page, 'value="voting"')
    assertContains(page, 'value="ideas"')  # one step back

    confirm = client.post(at(scene.process, "phase/"), {"to": "voting"})

    assert html.h1(confirm) == "Open voting?"
    assertContains(confirm, "After this the ballot, the budgets and the rules cannot change")
    scene.process.refresh_from_db()
    assert scene.process.phase == Phase.REVIEW

    response = client.post(at(scene.process, "phase/"), {"to": "voting", "confirmed": "1"})

    assertRedirects(response, at(scene.process), fetch_redirect_response=False)
    scene.process.refresh_from_db()
    assert scene.process.phase == Phase.VOTING
    assert html.banners(client.get(at(scene.process))) == ["The process is now at “Voting”."]


def test_voting_cannot_open_while_a_ballot_is_empty(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    for key in ("crossing", "hall"):
        domain.review_project(None, scene.projects[key], decision="reject", reason_text="No.")
    client.force_login(officer)

    response = client.post(at(scene.process, "phase/"), {"to": "voting", "confirmed": "1"})

    assert response.status_code == 200
    assert html.error_summary(response) == ["Hill Ward has no project on the ballot yet."]
    assertContains(response, 'value="voting" checked')
    scene.process.refresh_from_db()
    assert scene.process.phase == Phase.REVIEW


def test_a_move_that_is_not_offered_is_refused(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)

    for to in ("results", "closed", "nonsense", ""):
        response = client.post(at(scene.process, "phase/"), {"to": to, "confirmed": "1"})
        assert html.error_summary(response) == ["Choose where to move the process."]
    scene.process.refresh_from_db()
    assert scene.process.phase == Phase.REVIEW


def test_stepping_back_from_voting_is_refused_once_people_have_voted(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["library"].pk])
    client.force_login(officer)

    response = client.post(at(scene.process, "phase/"), {"to": "review", "confirmed": "1"})

    assert html.error_summary(response) == [
        "People have voted: voting cannot be taken back to review."
    ]


# --- Projects: the review queue ----------------------------------------------------------------


@pytest.fixture
def ideas(council) -> Scene:
    """The process collecting ideas: Benches in Moot Park proposed (estimate £8,000)."""
    return build_scene(council, phase=Phase.IDEAS)


def test_the_queue_filters_by_budget_and_status(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    extra = domain.add_project(
        None,
        scene.process,
        title="Moot library",
        description="D",
        cost=100,
        budget=scene.moot_budget,
    )
    domain.review_project(None, scene.projects["hall"], decision="reject", reason_text="Listed.")
    client.force_login(officer)

    rows = html.table_rows(
        client.get(at(scene.process, f"projects/?budget={scene.moot_budget.pk}"))
    )
    assert [row[0] for row in rows] == ["Benches in Moot Park", "Moot library", "Moot playground"]
    rows = html.table_rows(client.get(at(scene.process, "projects/?status=rejected")))
    assert rows == [["Hill village hall roof", "Hill Ward", "Not feasible", "–", "£10,000"]]
    assert extra.status == Project.Status.ACCEPTED
    for odd in ("?budget=abc", "?status=%00", "?budget=999999"):
        assert client.get(at(scene.process, "projects/" + odd)).status_code == 200


def test_accepting_a_project_sets_its_cost(client, ideas, officer):
    benches = ideas.projects["benches"]
    client.force_login(officer)
    page = client.get(at(ideas.process, f"projects/{benches.pk}/review/"))
    assertContains(page, 'value="8000"')  # the proposer's estimate, to start from

    response = client.post(
        at(ideas.process, f"projects/{benches.pk}/review/"),
        {"decision": "accept", "cost": "9,500", "reason": "Includes fitting."},
    )

    assertRedirects(
        response, at(ideas.process, f"projects/{benches.pk}/"), fetch_redirect_response=False
    )
    benches.refresh_from_db()
    assert (benches.status, benches.cost, benches.review_reason) == (
        Project.Status.ACCEPTED,
        9500,
        "Includes fitting.",
    )
    assert html.banners(client.get(at(ideas.process, f"projects/{benches.pk}/"))) == [
        "“Benches in Moot Park” is on the ballot, costed at £9,500."
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"decision": "accept", "cost": "40000"},
            "id_cost",
            "The cost is more than the whole budget (£30,000).",
        ),
        ({"decision": "accept", "cost": ""}, "id_cost", "Enter an amount in pounds, like 25000."),
        ({"decision": "reject", "reason": "  "}, "id_reason", "Enter a reason."),
        ({"decision": "maybe"}, "id_decision", "Choose to accept or reject the project."),
    ],
)
def test_a_review_without_what_it_needs_is_refused(client, ideas, officer, data, field, message):
    benches = ideas.projects["benches"]
    client.force_login(officer)

    response = client.post(at(ideas.process, f"projects/{benches.pk}/review/"), data)

    assert html.field_errors(response)[field] == f"Error: {message}"
    benches.refresh_from_db()
    assert benches.status == Project.Status.PROPOSED


def test_rejecting_a_project_publishes_the_reason(client, ideas, officer):
    benches = ideas.projects["benches"]
    client.force_login(officer)

    client.post(
        at(ideas.process, f"projects/{benches.pk}/review/"),
        {"decision": "reject", "cost": "5", "reason": "The council does not own the park."},
    )

    benches.refresh_from_db()
    assert (benches.status, benches.cost, benches.review_reason) == (
        Project.Status.REJECTED,
        None,
        "The council does not own the park.",
    )


def test_reviewing_is_closed_once_voting_has_started(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    library = scene.projects["library"]
    client.force_login(officer)
    message = "Projects cannot be reviewed once voting has started."

    for path in ("", "review/", "merge/", "edit/"):
        page = client.get(at(scene.process, f"projects/{library.pk}/{path}"))
        assertContains(page, message)
        assertNotContains(page, 'method="post" novalidate')
    assertContains(client.get(at(scene.process, "projects/new/")), message)
    response = client.post(
        at(scene.process, f"projects/{library.pk}/review/"), {"decision": "accept", "cost": "5"}
    )
    assert html.error_summary(response) == [message]
    library.refresh_from_db()
    assert library.cost == 60_000


def test_a_duplicate_is_merged_with_a_reason_into_a_project_of_its_budget(client, ideas, officer):
    benches = ideas.projects["benches"]
    duplicate = domain.propose_project(
        ideas.moot_resident,
        ideas.process,
        title="Seats by the pond",
        description="D",
        budget=ideas.moot_budget,
    )
    elsewhere = domain.propose_project(
        ideas.hill_resident,
        ideas.process,
        title="Hill seats",
        description="D",
        budget=ideas.hill_budget,
    )
    client.force_login(officer)
    url = at(ideas.process, f"projects/{duplicate.pk}/merge/")
    page = client.get(url)
    assertContains(page, "Benches in Moot Park")
    assertNotContains(page, "Hill seats")

    response = client.post(url, {"into": str(elsewhere.pk), "reason": "Same."})
    assert "Choose a project in the same budget to merge into." in html.error_summary(response)
    response = client.post(url, {"into": str(benches.pk), "reason": ""})
    assert html.error_summary(response) == ["Enter a reason."]

    response = client.post(url, {"into": str(benches.pk), "reason": "The same benches."})

    assertRedirects(
        response, at(ideas.process, f"projects/{benches.pk}/"), fetch_redirect_response=False
    )
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into, duplicate.review_reason) == (
        Project.Status.MERGED,
        benches,
        "The same benches.",
    )
    assertContains(client.get(at(ideas.process, f"projects/{benches.pk}/")), "Seats by the pond")


def test_editing_a_project_moves_it_between_budgets_within_their_amounts(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    library = scene.projects["library"]
    playground = scene.projects["playground"]
    client.force_login(officer)
    data = {
        "title": "Longer library hours",
        "description": "Evenings.",
        "budget": str(scene.moot_budget.pk),
    }

    response = client.post(at(scene.process, f"projects/{library.pk}/edit/"), data)
    assert html.field_errors(response)["id_budget"] == (
        "Error: The project costs more than that whole budget."
    )

    data["budget"] = str(scene.whole.pk)
    data |= {"latitude": "51.5", "longitude": ""}
    response = client.post(at(scene.process, f"projects/{library.pk}/edit/"), data)
    assert html.field_errors(response)["id_longitude"] == (
        "Error: Enter both latitude and longitude, or neither."
    )

    data |= {"longitude": "-0.1", "location": "Moot Library"}
    response = client.post(at(scene.process, f"projects/{library.pk}/edit/"), data)
    assertRedirects(
        response, at(scene.process, f"projects/{library.pk}/"), fetch_redirect_response=False
    )
    library.refresh_from_db()
    assert (library.title, library.location, str(library.latitude)) == (
        "Longer library hours",
        "Moot Library",
        "51.500000",
    )
    response = client.post(
        at(scene.process, f"projects/{playground.pk}/edit/"),
        {"title": "Moot playground", "description": "Swings.", "budget": str(scene.whole.pk)},
    )
    playground.refresh_from_db()
    assert playground.budget == scene.whole


def test_staff_add_a_costed_project_with_pictures(client, council, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)
    url = at(scene.process, "projects/new/")
    assertContains(client.get(url), 'enctype="multipart/form-data"')
    data = {
        "title": "Moot Park lights",
        "description": "Lights on the path.",
        "budget": str(scene.moot_budget.pk),
        "cost": "31000",
        "image_1": upload(),
    }

    response = client.post(url, data)
    errors = html.field_errors(response)
    assert errors["id_alt_text_1"] == "Error: Describe the picture for people who cannot see it."

    data |= {"image_1": upload(), "alt_text_1": "The dark path at night"}
    response = client.post(url, data)
    assert html.field_errors(response)["id_cost"] == (
        "Error: The cost is more than the whole budget (£30,000)."
    )
    assert not ProjectImage.objects.exists()

    data |= {"image_1": upload(), "cost": "12000"}
    response = client.post(url, data)

    project = Project.objects.get(title="Moot Park lights")
    assertRedirects(
        response, at(scene.process, f"projects/{project.pk}/"), fetch_redirect_response=False
    )
    assert (project.status, project.cost, project.budget) == (
        Project.Status.ACCEPTED,
        12000,
        scene.moot_budget,
    )
    image = project.images.get()
    assert image.alt_text == "The dark path at night"
    page = client.get(at(scene.process, f"projects/{project.pk}/"))
    picture_url = at(scene.process, f"projects/{project.pk}/pictures/{image.pk}/")
    assertContains(page, f'href="{picture_url}"')
    picture = client.get(picture_url)
    assert picture.status_code == 200
    assert picture["Content-Type"] == image.content_type
    assert picture["X-Content-Type-Options"] == "nosniff"
    other = domain.create_process(None, council, title="Other")
    assert client.get(at(other, f"projects/{project.pk}/pictures/{image.pk}/")).status_code == 404


def test_a_file_that_is_not_a_picture_is_refused(client, council, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)

    response = client.post(
        at(scene.process, "projects/new/"),
        {
            "title": "Lights",
            "description": "D",
            "budget": str(scene.moot_budget.pk),
            "cost": "100",
            "image_1": SimpleUploadedFile("x.png", b"not a picture", content_type="image/png"),
            "alt_text_1": "Lights",
        },
    )

    assert response.status_code == 200
    assert "The file must be a picture: a JPEG, PNG or WebP image." in html.error_summary(response)
    assert not Project.objects.filter(title="Lights").exists()
    assert not Ballot.objects.exists()


def test_the_queue_comes_in_pages_that_keep_the_filters(client, council, officer, monkeypatch):
    from moothall.staff import budget_views

    monkeypatch.setattr(budget_views, "PROJECTS_PER_PAGE", 2)
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)
    url = at(scene.process, f"projects/?budget={scene.whole.pk}")

    first, second = client.get(url), client.get(url + "&page=2")

    assert [row[0] for row in html.table_rows(first)] == [
        "A thousand street trees",
        "Longer library opening",
    ]
    assertContains(first, f"?budget={scene.whole.pk}&amp;page=2")
    assert [row[0] for row in html.table_rows(second)] == ["Skate park repairs"]
    assert client.get(url + "&page=banana").status_code == 200
