"""The participatory budgeting back-office while voting and after: paper ballots in each
ballot shape, turnout, the results with their explanations and CSV, and delivery updates."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.budgeting import domain
from moothall.budgeting.models import Ballot, BudgetProcess, DeliveryUpdate, Phase, Project, Rule
from moothall.core.models import AuditEntry
from tests.budgeting.scene import Scene, build_scene
from tests.staff import html

pytestmark = pytest.mark.django_db

BASE = "/mootshire/staff/budgets/"


def at(process: BudgetProcess, path: str = "") -> str:
    return f"{BASE}{process.pk}/{path}"


def ids(scene: Scene, *keys: str) -> list[int]:
    return [scene.projects[key].pk for key in keys]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# --- Paper ballots ---------------------------------------------------------------------------


@pytest.fixture
def knapsack(council) -> Scene:
    return build_scene(council, phase=Phase.VOTING, knapsack=True, max_projects=2)


def test_an_approval_paper_ballot_is_entered_and_listed(client, knapsack, officer):
    scene = knapsack
    client.force_login(officer)
    url = at(scene.process, f"paper/{scene.whole.pk}/")
    page = client.get(url)
    assertContains(page, 'type="checkbox"', count=3)
    assertContains(page, "Longer library opening (£60,000)")
    assertContains(page, "The projects chosen may cost at most £100,000 together.")
    assertContains(page, "Between 1 and 2 projects.")

    response = client.post(
        url, {"reference": "MH-0001", "choices": [str(pk) for pk in ids(scene, "library")]}
    )

    assertRedirects(response, url, fetch_redirect_response=False)
    ballot = Ballot.objects.get()
    assert (ballot.is_paper, ballot.reference, ballot.entered_by, ballot.voter) == (
        True,
        "MH-0001",
        officer,
        None,
    )
    assert [c.project_id for c in ballot.choices.all()] == ids(scene, "library")
    assert html.banners(client.get(url)) == ["Paper ballot MH-0001 is entered for Council-wide."]
    listing = client.get(at(scene.process, "paper/"))
    assert "MH-0001 Council-wide Olive Officer" in html.main_text(listing)
    assert AuditEntry.objects.filter(action="budgeting.paper_ballot_entered").count() == 1


@pytest.mark.parametrize(
    ("choices", "reference", "message"),
    [
        (
            ("library", "trees"),
            "MH-2",
            "The projects you chose cost £110,000, more than the £100,000 budget. "
            "Remove some so they fit.",
        ),
        ((), "MH-2", "Choose at least one project."),
        (("library", "trees", "skatepark"), "MH-2", "Choose at most 2 projects: you chose 3."),
        (("library",), "MH-1", "A ballot with reference MH-1 was already entered."),
        (("library",), "", "Enter the reference number on the paper."),
    ],
)
def test_a_paper_ballot_that_breaks_the_rules_is_refused(
    client, knapsack, officer, choices, reference, message
):
    scene = knapsack
    domain.enter_paper_ballot(None, scene.whole, ids(scene, "skatepark"), reference="MH-1")
    client.force_login(officer)

    response = client.post(
        at(scene.process, f"paper/{scene.whole.pk}/"),
        {"reference": reference, "choices": [str(pk) for pk in ids(scene, *choices)]},
    )

    assert response.status_code == 200
    assert html.error_summary(response) == [message]
    assert Ballot.objects.count() == 1


def test_a_project_of_another_budget_cannot_be_put_on_a_paper_ballot(client, knapsack, officer):
    scene = knapsack
    client.force_login(officer)

    response = client.post(
        at(scene.process, f"paper/{scene.whole.pk}/"),
        {"reference": "X", "choices": [str(scene.projects["hall"].pk)]},
    )

    assert html.error_summary(response) == ["Choose projects from the ballot."]
    assert not Ballot.objects.exists()


def test_a_points_paper_ballot(client, council, officer):
    scene = build_scene(
        council,
        phase=Phase.VOTING,
        ballot_kind="cumulative",
        points=10,
        max_points_per_project=6,
        rule=Rule.EQUAL_SHARES,
    )
    client.force_login(officer)
    url = at(scene.process, f"paper/{scene.hill_budget.pk}/")
    crossing, hall = ids(scene, "crossing", "hall")
    assertContains(client.get(url), "At most 10 points in all.")

    refusals = {
        "abc": "Points must be whole numbers.",
        "7": "Give at most 6 points to any one project.",
        "-1": "Points cannot be negative.",
    }
    for points, message in refusals.items():
        response = client.post(
            url, {"reference": "H1", f"points_{crossing}": points, f"points_{hall}": "1"}
        )
        assert html.error_summary(response) == [message]
    response = client.post(
        url, {"reference": "H1", f"points_{crossing}": "6", f"points_{hall}": "5"}
    )
    assert html.error_summary(response) == ["You gave 11 points, but you have 10 to share out."]

    response = client.post(
        url, {"reference": "H1", f"points_{crossing}": "6", f"points_{hall}": ""}
    )

    assert response.status_code == 302
    assert list(Ballot.objects.get().choices.values_list("project_id", "points")) == [(crossing, 6)]


def test_a_ranking_paper_ballot(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING, ballot_kind="ranking")
    client.force_login(officer)
    url = at(scene.process, f"paper/{scene.whole.pk}/")
    library, trees, skatepark = ids(scene, "library", "trees", "skatepark")
    page = client.get(url)
    assertContains(page, f'name="rank_{library}"')
    assertContains(page, '<option value="3">3</option>')

    response = client.post(
        url,
        {"reference": "R1", f"rank_{library}": "2", f"rank_{trees}": "2", f"rank_{skatepark}": ""},
    )
    assert html.error_summary(response) == ["Give each position to one project only."]
    response = client.post(url, {"reference": "R1", f"rank_{library}": "9"})
    assert "Choose a position from the list." in html.error_summary(response)

    response = client.post(
        url,
        {"reference": "R1", f"rank_{library}": "3", f"rank_{trees}": "1", f"rank_{skatepark}": ""},
    )

    assert response.status_code == 302
    ranked = Ballot.objects.get().choices.order_by("rank").values_list("project_id", "rank")
    assert list(ranked) == [(trees, 1), (library, 2)]


def test_a_paper_ballot_is_removed_with_a_reason(client, knapsack, officer):
    scene = knapsack
    ballot = domain.enter_paper_ballot(None, scene.whole, ids(scene, "library"), reference="MH-9")
    online = domain.cast_ballot(scene.moot_resident, scene.whole, ids(scene, "trees"))
    client.force_login(officer)
    url = at(scene.process, f"paper/ballots/{ballot.pk}/void/")
    assertContains(client.get(url), "Remove paper ballot MH-9?")
    assert client.get(at(scene.process, f"paper/ballots/{online.pk}/void/")).status_code == 404

    response = client.post(url, {"reason": ""})
    assert html.error_summary(response) == ["Enter a reason."]

    response = client.post(url, {"reason": "Entered against the wrong budget."})

    assertRedirects(response, at(scene.process, "paper/"), fetch_redirect_response=False)
    assert list(Ballot.objects.values_list("pk", flat=True)) == [online.pk]
    entry = AuditEntry.objects.get(action="budgeting.paper_ballot_voided")
    assert entry.actor == officer


def test_turnout_counts_online_and_paper_ballots(client, knapsack, officer):
    scene = knapsack
    domain.cast_ballot(scene.moot_resident, scene.whole, ids(scene, "trees"))
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, ids(scene, "benches"))
    domain.enter_paper_ballot(None, scene.whole, ids(scene, "library"), reference="P1")
    client.force_login(officer)

    rows = html.table_rows(client.get(at(scene.process, "paper/")))

    assert [row[:4] for row in rows[:3]] == [
        ["Council-wide", "1", "1", "2"],
        ["Hill Ward", "0", "0", "0"],
        ["Moot Ward", "1", "0", "1"],
    ]
    assert rows[3][:3] == ["2", "1", "3"]  # the "In all" row (its heading is a th)


def test_paper_ballots_are_closed_outside_voting(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    client.force_login(officer)
    url = at(scene.process, f"paper/{scene.whole.pk}/")

    assertContains(client.get(url), "Voting is not open.")
    assertNotContains(client.get(at(scene.process, "paper/")), "Enter a paper ballot")
    response = client.post(url, {"reference": "P", "choices": [str(scene.projects["library"].pk)]})
    assert html.error_summary(response) == ["Voting is not open."]
    assert not Ballot.objects.exists()


# --- Results ---------------------------------------------------------------------------------


def _vote_and_publish(scene: Scene) -> None:
    library, trees, skatepark = ids(scene, "library", "trees", "skatepark")
    for n, choice in enumerate([[library], [library, skatepark], [trees], [trees, skatepark]]):
        domain.enter_paper_ballot(None, scene.whole, choice, reference=f"P{n}")
    domain.enter_paper_ballot(None, scene.whole, [library], reference="P9")
    domain.change_phase(None, scene.process, Phase.RESULTS)


def test_results_explain_each_project_in_plain_english(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    client.force_login(officer)
    assertContains(client.get(at(scene.process, "results/")), "The results are not published yet.")
    assert client.get(at(scene.process, f"results/{scene.whole.pk}.csv")).status_code == 404
    _vote_and_publish(scene)

    page = client.get(at(scene.process, "results/"))

    assertContains(page, "£90,000 of £100,000 (£10,000 left)")
    rows = html.table_rows(page)
    assert [row[:4] for row in rows] == [
        ["Longer library opening", "£60,000", "3", "Funded"],
        ["Skate park repairs", "£30,000", "2", "Funded"],
        ["A thousand street trees", "£50,000", "2", "No"],
    ]
    assert rows[2][4] == "Not funded: when its turn came only £10,000 was left, less than its cost."
    assert "did_not_fit" not in page.content.decode()
    assertContains(page, f'href="{at(scene.process, f"results/{scene.whole.pk}.csv")}"')


def test_equal_shares_results_show_each_voters_share_and_where_money_went(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING, rule=Rule.EQUAL_SHARES)
    _vote_and_publish(scene)
    client.force_login(officer)

    page = client.get(at(scene.process, "results/"))

    text = html.main_text(page)
    assert "Each voter's share £20,000" in text  # £100,000 shared by 5 voters
    assert "supporters could pay for it together" in text
    assert "equalshares" not in text.replace("Equal Shares", "")
    assert "won_equal_shares" not in page.content.decode()


def test_the_csv_has_every_project_with_a_safe_name_and_no_formulas(client, council, officer):
    scene = build_scene(council, phase=Phase.REVIEW)
    sneaky = domain.add_project(
        None,
        scene.process,
        title='=HYPERLINK("http://evil.example")',
        description="D",
        cost=5_000,
        budget=scene.whole,
    )
    domain.change_phase(None, scene.process, Phase.VOTING)
    _vote_and_publish(scene)
    client.force_login(officer)

    response = client.get(at(scene.process, f"results/{scene.whole.pk}.csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="mootshire-community-chest-2027-council-wide-result.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["id", "title", "cost", "votes", "selected", "reason"]
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["Longer library opening"][2:5] == ["60000", "3", "yes"]
    assert by_title["A thousand street trees"][4] == "no"
    assert by_title["A thousand street trees"][5].startswith("Not funded:")
    assert by_title['\'=HYPERLINK("http://evil.example")'][0] == str(sneaky.pk)
    assert len(rows) == 5
    ward = client.get(at(scene.process, f"results/{scene.hill_budget.pk}.csv"))
    assert (
        'filename="mootshire-community-chest-2027-hill-ward-result.csv"'
        in ward["Content-Disposition"]
    )


# --- Delivery --------------------------------------------------------------------------------


@pytest.fixture
def funded(council) -> Scene:
    scene = build_scene(council, phase=Phase.VOTING)
    _vote_and_publish(scene)
    return scene


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def test_a_delivery_update_with_a_photo_is_posted_and_listed(
    client, funded, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    library = funded.projects["library"]
    client.force_login(officer)
    listing = client.get(at(funded.process, "delivery/"))
    assert [row[0] for row in html.table_rows(listing)] == [
        "Longer library opening",
        "Skate park repairs",
    ]
    assertNotContains(listing, "A thousand street trees")
    url = at(funded.process, f"delivery/{library.pk}/")

    response = client.post(
        url,
        {
            "status": "in_progress",
            "progress": "40",
            "body": "Staff hired for the evenings.",
            "image_1": SimpleUploadedFile("a.png", png(), content_type="image/png"),
            "alt_text_1": "The library lit up at night",
        },
    )

    assertRedirects(response, url, fetch_redirect_response=False)
    library.refresh_from_db()
    assert (library.delivery_status, library.progress) == ("in_progress", 40)
    update = DeliveryUpdate.objects.get()
    assert update.author == officer
    assert update.images.get().alt_text == "The library lit up at night"
    page = client.get(url)
    assertContains(page, "Staff hired for the evenings.")
    assertContains(page, "Photo: The library lit up at night")
    assert html.banners(page) == [
        "The update on “Longer library opening” is published and its followers are being told."
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"status": "in_progress", "progress": "150"},
            "id_progress",
            "Enter a number from 0 to 100.",
        ),
        ({"status": "in_progress", "progress": "lots"}, "id_progress", "Enter a whole number."),
        ({"status": "finished", "progress": "5"}, "id_status", "Choose the delivery status."),
    ],
)
def test_a_bad_delivery_update_is_refused(client, funded, officer, data, field, message):
    library = funded.projects["library"]
    client.force_login(officer)

    response = client.post(at(funded.process, f"delivery/{library.pk}/"), data)

    assert html.field_errors(response)[field] == f"Error: {message}"
    assert not DeliveryUpdate.objects.exists()


def test_only_funded_projects_have_a_delivery_page(client, funded, officer):
    client.force_login(officer)
    trees = funded.projects["trees"]

    assert client.get(at(funded.process, f"delivery/{trees.pk}/")).status_code == 404


def test_delivery_is_closed_once_the_process_finishes(client, funded, officer):
    library = funded.projects["library"]
    client.force_login(officer)
    domain.change_phase(None, funded.process, Phase.DELIVERY)
    domain.change_phase(None, funded.process, Phase.CLOSED)
    url = at(funded.process, f"delivery/{library.pk}/")

    message = "The process is finished: delivery can no longer be reported."
    assertContains(client.get(url), message)
    response = client.post(url, {"status": "done", "progress": "100"})
    assert html.error_summary(response) == [message]
    assert not Project.objects.filter(progress=100).exists()


def test_a_completed_equal_shares_result_says_which_outcome_voters_preferred(
    client, council, officer
):
    scene = build_scene(council, phase=Phase.VOTING, rule=Rule.EQUAL_SHARES_ADD1_COMPARISON)
    _vote_and_publish(scene)
    client.force_login(officer)

    text = html.main_text(client.get(at(scene.process, "results/")))

    assert "Method of Equal Shares, completed by add1 with comparison" in text
    assert "Compared with counting most votes first:" in text
    assert "add1-comparison" not in text
    rows = csv_rows(client.get(at(scene.process, f"results/{scene.whole.pk}.csv")))
    assert all(row[5] and "_" not in row[5] for row in rows[1:])
