"""The public pages of participatory budgeting: the processes, one process, its projects,
proposing, voting (approval, knapsack, points, ranking), the results with why each
project won or lost, and delivery.

Mootshire runs "Community Chest 2027": a council-wide budget (£100,000) and one for each
of Moot Ward (£30,000) and Hill Ward (£20,000). Mo Moot lives in Moot Ward, Hal Hill in
Hill Ward, Olly Out outside Mootshire (see tests/budgeting/scene.py).
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.accounts.residents import Eligibility
from moothall.budgeting import domain
from moothall.budgeting.domain import ImageUpload
from moothall.budgeting.models import Ballot, Phase, Project, ProjectImage
from tests.budgeting.scene import Scene, build_scene
from tests.ideas.scene import png

pytestmark = pytest.mark.django_db

BASE = "/mootshire/budgets/community-chest-2027/"


@pytest.fixture
def scene(council) -> Scene:
    return build_scene(council)


def ballot_url(budget) -> str:
    return f"{BASE}vote/{budget.pk}/"


def error_summary(response) -> str:
    """The text of the page's error summary ("" when there is none)."""
    html = response.content.decode()
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))) if match else ""


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


# --- The processes and one process -------------------------------------------------------------


def test_the_list_shows_public_processes_with_their_phase_and_hides_drafts(
    client, council, scene, officer
):
    domain.create_process(None, council, title="Secret plans")

    response = client.get("/mootshire/budgets/")

    assert response.status_code == 200
    assertContains(
        response,
        f'<a class="govuk-link" href="{BASE}">Community Chest 2027</a>',
        html=True,
    )
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--green">Voting</strong>', html=True
    )
    assertNotContains(response, "Secret plans")

    client.force_login(officer)
    assertContains(client.get("/mootshire/budgets/"), "Secret plans")


def test_a_draft_is_not_found_by_the_public_but_staff_who_run_budgets_see_it(
    client, council, resident, moderator, officer
):
    draft = domain.create_process(None, council, title="Secret plans")
    domain.set_budget(None, draft, amount=5_000)
    base = f"/mootshire/budgets/{draft.slug}/"
    pages = ["", "projects/", "projects/new/", "vote/", "results/", "delivery/"]

    for page in pages:
        assert client.get(base + page).status_code == 404, page
    for person in (resident, moderator):  # a moderator does not run budgets
        client.force_login(person)
        for page in pages:
            assert client.get(base + page).status_code == 404, page

    client.force_login(officer)
    response = client.get(base)
    assert response.status_code == 200
    assertContains(response, "only council staff can see it")
    assert client.get(base + "projects/").status_code == 200


def test_the_process_page_in_voting_shows_budgets_phases_dates_and_a_call_to_vote(client, scene):
    client.force_login(scene.moot_resident)

    response = client.get(BASE)

    assert response.status_code == 200
    assertContains(response, "<strong>vote</strong>")  # the description's Markdown
    assertContains(response, "£100,000")
    assertContains(response, "£30,000")
    assertContains(response, "£150,000")  # in all
    assertContains(
        response,
        f'<a class="govuk-button" data-module="govuk-button" href="{BASE}vote/">Vote now</a>',
        html=True,
    )
    # The phases as a task list: ideas and review done, voting now.
    page = text_of(response)
    assert "Collecting ideas Residents propose projects. Done" in page
    assert "Voting Residents vote for the projects they want. Now" in page
    assert "Results The winners are announced" in page
    assertContains(response, 'id="follow-budget_process-')
    assertContains(response, "The process moved on: Voting.")


def test_signed_out_people_are_asked_to_sign_in_to_vote_and_come_back(client, scene):
    response = client.get(BASE)

    assertContains(response, "Sign in with a verified email address to take part.")
    assertContains(
        response, "/accounts/login/?next=%2Fmootshire%2Fbudgets%2Fcommunity-chest-2027%2F"
    )
    assertNotContains(response, "Vote now")


def test_in_ideas_the_call_is_to_propose_and_in_review_to_wait(client, council):
    scene = build_scene(council, phase=Phase.IDEAS)
    client.force_login(scene.moot_resident)
    assertContains(client.get(BASE), f'href="{BASE}projects/new/">Propose a project</a>')

    domain.change_phase(None, scene.process, Phase.REVIEW)
    response = client.get(BASE)
    assertContains(response, "Projects are being checked and costed")
    assertNotContains(response, "projects/new/")


def test_the_council_page_links_to_participatory_budgeting(client, council):
    assertContains(
        client.get("/mootshire/"),
        '<a class="govuk-link" href="/mootshire/budgets/">Participatory budgeting</a>',
        html=True,
    )


# --- Projects ---------------------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


def test_the_projects_list_filters_by_budget_and_status(client, scene):
    assert titles(client.get(f"{BASE}projects/")) == [
        "A thousand street trees",
        "Benches in Moot Park",
        "Hill school crossing",
        "Hill village hall roof",
        "Longer library opening",
        "Moot playground",
        "Skate park repairs",
    ]
    assert titles(client.get(f"{BASE}projects/?budget={scene.moot_budget.pk}")) == [
        "Benches in Moot Park",
        "Moot playground",
    ]
    assert titles(client.get(f"{BASE}projects/?status=proposed")) == []
    response = client.get(f"{BASE}projects/?budget=%00&status=evil&page=zz")
    assert response.status_code == 200
    assert len(titles(response)) == 7


def test_the_lists_cost_the_same_queries_however_many_projects(client, council):
    scene = build_scene(council, phase=Phase.REVIEW)
    pages = [BASE, f"{BASE}projects/"]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = [count(url) for url in pages]
    for n in range(8):
        domain.add_project(
            None, scene.process, title=f"Extra {n}", description="x", cost=1_000, budget=scene.whole
        )
    assert [count(url) for url in pages] == few


def test_after_results_funded_projects_come_first(client, scene):
    p = scene.projects
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["skatepark"].pk, p["library"].pk])
    domain.change_phase(None, scene.process, Phase.RESULTS)

    response = client.get(f"{BASE}projects/?budget={scene.whole.pk}")

    # £60,000 + £30,000 funded; the trees (£50,000) no longer fit.
    assert titles(response) == [
        "Longer library opening",
        "Skate park repairs",
        "A thousand street trees",
    ]
    assertContains(
        response, '<strong class="govuk-tag govuk-tag--green">Funded</strong>', html=True
    )
    assert titles(client.get(f"{BASE}projects/?status=not_funded&budget={scene.whole.pk}")) == [
        "A thousand street trees"
    ]


def test_a_project_page_shows_its_cost_budget_estimate_and_timeline(client, scene):
    benches = scene.projects["benches"]

    response = client.get(f"{BASE}projects/{benches.pk}/")

    assert response.status_code == 200
    assertContains(response, '<h1 class="govuk-heading-l">Benches in Moot Park</h1>', html=True)
    assertContains(response, "£9,000")
    assertContains(response, "Moot Ward")
    assertContains(response, "Six benches by the pond.")
    assertContains(response, "Checked and put on the ballot. On the ballot, costed at £9,000.")
    assertContains(response, 'id="follow-budget_project-')


def test_a_rejected_project_shows_why_and_a_merged_one_links_to_where_it_went(client, council):
    scene = build_scene(council, phase=Phase.IDEAS)
    more = domain.propose_project(
        scene.moot_resident,
        scene.process,
        title="More benches",
        description="Yes.",
        budget=scene.moot_budget,
    )
    moon = domain.propose_project(
        scene.moot_resident,
        scene.process,
        title="A moon base",
        description="Up.",
        budget=scene.whole,
    )
    domain.change_phase(None, scene.process, Phase.REVIEW)
    domain.review_project(None, moon, decision="reject", reason_text="The council has no rockets.")
    domain.merge_projects(None, more, scene.projects["benches"], reason_text="The same benches.")

    response = client.get(f"{BASE}projects/{moon.pk}/")
    assertContains(response, "<strong>Not feasible:</strong> The council has no rockets.")
    response = client.get(f"{BASE}projects/{more.pk}/")
    assertContains(
        response,
        f'<a class="govuk-link" href="{BASE}projects/{scene.projects["benches"].pk}/">'
        "Benches in Moot Park</a>",
        html=True,
    )
    assertContains(response, "The same benches.")


# --- Proposing ----------------------------------------------------------------------------------------


@pytest.fixture
def ideas(council) -> Scene:
    return build_scene(council, phase=Phase.IDEAS)


def picture_url(project, image) -> str:
    extension = "png" if image.content_type == "image/png" else "jpg"
    return f"{BASE}projects/{project.pk}/pictures/{image.pk}.{extension}"


def proposal(scene: Scene, **fields):
    data = {
        "title": "Wildflower verges",
        "description": "Let the verges on Hill Road grow **wild**.",
        "budget": str(scene.hill_budget.pk),
        "cost_estimate": "£2,500",
        "location": "Hill Road",
        "latitude": "51.5",
        "longitude": "-0.12",
    }
    data.update(fields)
    return data


def test_a_resident_proposes_a_project_with_a_picture(client, ideas):
    client.force_login(ideas.hill_resident)
    assertContains(client.get(f"{BASE}projects/new/"), "Which budget is it for?")
    data = proposal(ideas)
    data["image"] = SimpleUploadedFile("verge.png", png(), content_type="image/png")
    data["alt_text"] = "A grass verge with poppies"

    response = client.post(f"{BASE}projects/new/", data)

    made = Project.objects.get(title="Wildflower verges")
    assertRedirects(response, f"{BASE}projects/{made.pk}/", fetch_redirect_response=False)
    assert (made.budget, made.cost_estimate, made.location) == (
        ideas.hill_budget,
        2500,
        "Hill Road",
    )
    assert made.proposed_by == ideas.hill_resident
    page = client.get(made.get_absolute_url())
    assertContains(page, "Your project is published.")
    assertContains(page, "<strong>wild</strong>")
    assertContains(page, "£2,500 (the proposer’s estimate; not yet costed by the council)")
    assertContains(page, "Latitude 51.500000, longitude -0.120000")
    image = ProjectImage.objects.get(project=made)
    src = picture_url(made, image)
    assertContains(page, f'src="{src}" alt="A grass verge with poppies"')
    picture = client.get(src)
    assert picture.status_code == 200
    assert picture["Content-Type"] == image.content_type
    assert picture["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_picture_is_seen_by_whoever_sees_its_project(client, council, resident, officer):
    # A draft process: staff who run budgets preview its projects, pictures included.
    draft = domain.create_process(None, council, title="Secret plans")
    domain.set_budget(None, draft, amount=5_000)
    made = domain.add_project(
        officer,
        draft,
        title="Swings",
        description="New swings.",
        cost=2_000,
        images=[ImageUpload(png(), "The broken swings")],
    )
    image = made.images.get()
    page = f"/mootshire/budgets/{draft.slug}/projects/{made.pk}/"
    extension = "png" if image.content_type == "image/png" else "jpg"
    src = f"{page}pictures/{image.pk}.{extension}"

    client.force_login(officer)
    assertContains(client.get(page), f'src="{src}" alt="The broken swings"')
    picture = client.get(src)
    assert picture.status_code == 200
    assert picture["Cache-Control"] == "private, no-store"  # not public: never cached
    for person in (resident, None):  # the public sees neither the page nor the picture
        client.logout()
        if person is not None:
            client.force_login(person)
        assert client.get(page).status_code == 404
        assert client.get(src).status_code == 404


def test_a_withdrawn_projects_picture_is_its_proposers_and_staffs(client, ideas, officer, resident):
    client.force_login(ideas.hill_resident)
    data = proposal(ideas)
    data["image"] = SimpleUploadedFile("verge.png", png(), content_type="image/png")
    data["alt_text"] = "A grass verge with poppies"
    client.post(f"{BASE}projects/new/", data)
    made = Project.objects.get(title="Wildflower verges")
    src = picture_url(made, ProjectImage.objects.get(project=made))
    assert client.get(src)["Cache-Control"] == "public, max-age=86400"
    domain.withdraw_project(ideas.hill_resident, made)

    for person, status in ((ideas.hill_resident, 200), (officer, 200), (resident, 404)):
        client.force_login(person)
        assert client.get(made.get_absolute_url()).status_code == status
        picture = client.get(src)
        assert picture.status_code == status
        if status == 200:
            assert picture["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title for your project."),
        ({"description": "  "}, "Describe your project."),
        ({"budget": ""}, "Choose which budget this project is for."),
        ({"budget": "999999"}, "Choose one of this process’s budgets."),
        ({"cost_estimate": "lots"}, "Enter an amount in pounds, like 25000."),
        ({"cost_estimate": "9" * 29}, "The amount is too large."),
        ({"latitude": "91"}, "Enter a number, like 51.5072."),
        ({"longitude": ""}, "Enter both latitude and longitude, or neither."),
        ({"title": "Nul\x00l"}, "Remove the characters that cannot be stored."),
        ({"title": "Two\nlines"}, "Write this on one line."),
        ({"alt_text": "A picture of nothing"}, None),
    ],
)
def test_proposing_with_mistakes_shows_them_and_saves_nothing(client, ideas, fields, message):
    client.force_login(ideas.hill_resident)

    response = client.post(f"{BASE}projects/new/", proposal(ideas, **fields))

    if message is None:  # a description without a picture is simply ignored
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert message in error_summary(response)
    assert not Project.objects.filter(title__startswith="Wildflower").exists()


def test_a_picture_without_words_or_that_is_not_a_picture_is_refused(client, ideas):
    client.force_login(ideas.hill_resident)
    data = proposal(ideas)
    data["image"] = SimpleUploadedFile("verge.png", png(), content_type="image/png")
    data["image_2"] = SimpleUploadedFile("evil.png", b"<script>", content_type="image/png")

    response = client.post(f"{BASE}projects/new/", data)

    assert response.status_code == 400
    summary = error_summary(response)
    assert "Describe the picture for people who cannot see it." in summary
    assert 'href="#id_alt_text"' in response.content.decode()
    assert 'href="#id_image_2"' in response.content.decode()
    assert not Project.objects.filter(title="Wildflower verges").exists()


def test_signed_out_people_see_why_they_cannot_propose_and_a_link_to_sign_in(client, ideas):
    response = client.get(f"{BASE}projects/new/")

    assert response.status_code == 200
    assertContains(response, "Sign in with a verified email address to take part.")
    assertContains(
        response,
        "/accounts/login/?next=%2Fmootshire%2Fbudgets%2Fcommunity-chest-2027%2Fprojects%2Fnew%2F",
    )
    assertNotContains(response, 'id="project-form"')
    response = client.post(f"{BASE}projects/new/", proposal(ideas))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_people_who_are_not_eligible_are_told_what_to_do(client, council):
    scene = build_scene(council, phase=Phase.IDEAS, propose_level=Eligibility.POSTCODE_IN_AREA)
    client.force_login(scene.outsider)

    response = client.get(f"{BASE}projects/new/")

    assertContains(response, "Add a postcode in the council’s area to your profile to take part.")
    assertContains(response, "Go to your account")
    response = client.post(f"{BASE}projects/new/", proposal(scene))
    assertContains(response, "Add a postcode in the council’s area")
    assert not Project.objects.filter(title="Wildflower verges").exists()


def test_proposing_outside_the_ideas_phase_is_refused_clearly(client, scene):
    client.force_login(scene.moot_resident)

    response = client.post(f"{BASE}projects/new/", proposal(scene))

    assert response.status_code == 200
    assertContains(response, "This process is not collecting ideas now.")
    assert not Project.objects.filter(title="Wildflower verges").exists()


def test_the_proposer_changes_and_then_withdraws_their_project(client, ideas):
    benches = ideas.projects["benches"]
    client.force_login(ideas.moot_resident)
    assertContains(client.get(benches.get_absolute_url()), "Change your project")

    response = client.post(
        f"{BASE}projects/{benches.pk}/edit/",
        {
            "title": "Eight benches in Moot Park",
            "description": "Eight.",
            "budget": str(ideas.moot_budget.pk),
            "location": "",
            "latitude": "",
            "longitude": "",
        },
    )
    assertRedirects(response, benches.get_absolute_url())
    benches.refresh_from_db()
    assert benches.title == "Eight benches in Moot Park"

    assertContains(client.get(f"{BASE}projects/{benches.pk}/withdraw/"), "Withdraw my project")
    response = client.post(f"{BASE}projects/{benches.pk}/withdraw/")
    assertRedirects(response, BASE)
    benches.refresh_from_db()
    assert benches.status == Project.Status.WITHDRAWN
    client.logout()
    assert client.get(benches.get_absolute_url()).status_code == 404
    assert titles(client.get(f"{BASE}projects/")) == []


def test_only_the_proposer_may_change_or_withdraw_and_not_once_reviewed(client, scene):
    benches = scene.projects["benches"]  # accepted onto the ballot
    client.force_login(scene.hill_resident)
    assert client.get(f"{BASE}projects/{benches.pk}/edit/").status_code == 403
    assert client.post(f"{BASE}projects/{benches.pk}/withdraw/").status_code == 403

    client.force_login(scene.moot_resident)
    assertContains(
        client.get(f"{BASE}projects/{benches.pk}/edit/"),
        "This process is not collecting ideas now.",
    )
    response = client.post(f"{BASE}projects/{benches.pk}/withdraw/")
    assertContains(response, "can no longer be withdrawn")
    benches.refresh_from_db()
    assert benches.status == Project.Status.ACCEPTED


def test_pictures_are_served_only_while_the_project_is_public(client, ideas):
    client.force_login(ideas.hill_resident)
    data = proposal(ideas, title="Verges")
    data["image"] = SimpleUploadedFile("verge.png", png(), content_type="image/png")
    data["alt_text"] = "A verge"
    client.post(f"{BASE}projects/new/", data)
    made = Project.objects.get(title="Verges")
    image = ProjectImage.objects.get(project=made)
    src = picture_url(made, image)
    client.logout()

    assert client.get(src).status_code == 200
    wrong = ".png" if src.endswith(".jpg") else ".jpg"
    assert client.get(src[:-4] + wrong).status_code == 404
    other = ideas.projects["benches"].pk
    assert client.get(src.replace(f"/{made.pk}/", f"/{other}/")).status_code == 404
    domain.withdraw_project(ideas.hill_resident, made)
    assert client.get(src).status_code == 404


# --- Voting -------------------------------------------------------------------------------------


def test_a_resident_sees_the_budgets_they_vote_in(client, scene):
    client.force_login(scene.moot_resident)

    response = client.get(f"{BASE}vote/")

    page = text_of(response)
    assert "Vote: Moot Ward" in page
    assert "Vote: Council-wide" in page
    assert "Hill Ward" not in page
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, [scene.projects["benches"].pk])
    page = text_of(client.get(f"{BASE}vote/"))
    assert "Change your vote: Moot Ward You have voted" in page


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (None, "Sign in with a verified email address to take part."),
        ("outsider", "Add a postcode in the council’s area to your profile to take part."),
    ],
)
def test_people_who_cannot_vote_are_told_why(client, scene, who, message):
    if who:
        client.force_login(getattr(scene, who))

    for url in (f"{BASE}vote/", ballot_url(scene.whole)):
        response = client.get(url)
        assert response.status_code == 200
        assertContains(response, message)
        assertNotContains(response, 'id="ballot"')


def test_voting_in_another_wards_budget_is_refused_with_the_reason(client, scene):
    client.force_login(scene.hill_resident)

    assertContains(
        client.get(ballot_url(scene.moot_budget)),
        "Only people whose postcode is in Moot Ward can vote on its budget.",
    )
    response = client.post(
        ballot_url(scene.moot_budget),
        {"choices": [scene.projects["benches"].pk], "action": "submit"},
    )
    assert response.status_code == 200
    assert "Only people whose postcode is in Moot Ward can vote on its budget." in error_summary(
        response
    )
    assert not Ballot.objects.exists()


def test_an_approval_ballot_checks_without_saving_then_saves_changes_and_is_taken_back(
    client, scene
):
    benches, playground = scene.projects["benches"], scene.projects["playground"]
    client.force_login(scene.moot_resident)
    url = ballot_url(scene.moot_budget)
    page = client.get(url)
    assertContains(page, '<form method="post"')
    assertContains(page, 'id="ballot"')
    assertContains(page, "Benches in Moot Park: £9,000")

    response = client.post(url, {"choices": [benches.pk, playground.pk], "action": "check"})
    assert response.status_code == 200
    assertContains(response, "You have chosen 2 projects, costing £34,000 in all.")
    assertContains(response, "These choices are fine.")
    assert not Ballot.objects.exists()

    response = client.post(url, {"choices": [benches.pk, playground.pk], "action": "submit"})
    assertRedirects(response, url + "done/")
    ballot = Ballot.objects.get(voter=scene.moot_resident)
    assert sorted(c.project_id for c in ballot.choices.all()) == sorted([benches.pk, playground.pk])
    done = client.get(url + "done/")
    assertContains(done, "Your vote is saved")
    assertContains(done, "Moot playground: £25,000")
    assertContains(done, "In all, £34,000.")
    assertContains(done, "until voting closes")

    # Pre-filled with the current ballot, and changed (replaced, not added to).
    page = client.get(url)
    assertContains(
        page, f'value="{benches.pk}" aria-describedby="choice-{benches.pk}-hint" checked'
    )
    client.post(url, {"choices": [playground.pk], "action": "submit"})
    ballot = Ballot.objects.get(voter=scene.moot_resident)
    assert [c.project_id for c in ballot.choices.all()] == [playground.pk]

    assertContains(client.get(url + "withdraw/"), "Take back my vote")
    response = client.post(url + "withdraw/")
    assertRedirects(response, f"{BASE}vote/")
    assert not Ballot.objects.exists()


def test_the_live_total_adds_up_without_saving(client, scene):
    client.force_login(scene.moot_resident)
    benches, playground = scene.projects["benches"], scene.projects["playground"]

    response = client.post(
        ballot_url(scene.moot_budget) + "total/", {"choices": [benches.pk, playground.pk]}
    )

    assert response.status_code == 200
    assertContains(response, 'id="ballot-total"')
    assertContains(response, "costing £34,000 in all")
    assertNotContains(response, "<html")
    assert not Ballot.objects.exists()


def test_a_knapsack_ballot_refuses_choices_over_the_budget(client, council):
    scene = build_scene(council, knapsack=True)
    client.force_login(scene.moot_resident)
    chosen = [scene.projects["benches"].pk, scene.projects["playground"].pk]

    for action in ("check", "submit"):
        response = client.post(ballot_url(scene.moot_budget), {"choices": chosen, "action": action})
        assert response.status_code == 200
        assert (
            "The projects you chose cost £34,000, more than the £30,000 budget. "
            "Remove some so they fit." in error_summary(response)
        )
        assertContains(response, "That is £4,000 more than the budget.")
        assertContains(response, f'href="#choice-{scene.projects["benches"].pk}"')
    assert not Ballot.objects.exists()
    assertContains(
        client.get(ballot_url(scene.moot_budget)),
        "Together they may cost no more than the budget: £30,000.",
    )


def test_too_many_or_too_few_projects_are_refused(client, council):
    scene = build_scene(council, max_projects=1)
    client.force_login(scene.moot_resident)
    url = ballot_url(scene.moot_budget)

    response = client.post(
        url,
        {
            "choices": [scene.projects["benches"].pk, scene.projects["playground"].pk],
            "action": "submit",
        },
    )
    assert "Choose at most 1 project: you chose 2." in error_summary(response)
    response = client.post(url, {"action": "submit"})
    assert "Choose at least one project." in error_summary(response)
    assert not Ballot.objects.exists()


def test_a_budget_of_another_process_or_none_at_all_is_not_found(client, council, scene):
    other = domain.create_process(None, council, title="Other chest")
    elsewhere = domain.set_budget(None, other, amount=1_000)
    client.force_login(scene.moot_resident)

    for url in (
        ballot_url(elsewhere),
        f"{BASE}vote/999999/",
        f"{BASE}vote/99999999999999999999/",
        f"{BASE}results/{elsewhere.pk}/",
        f"{BASE}projects/99999999999999999999/",
        "/nowhere/budgets/community-chest-2027/",
    ):
        assert client.get(url).status_code == 404, url


def test_voting_after_it_closes_is_refused(client, scene):
    client.force_login(scene.moot_resident)
    domain.change_phase(None, scene.process, Phase.RESULTS)

    response = client.post(
        ballot_url(scene.moot_budget),
        {"choices": [scene.projects["benches"].pk], "action": "submit"},
    )

    assert response.status_code == 200
    assert "Voting is not open." in error_summary(response)
    assertContains(client.get(f"{BASE}vote/"), "Voting is not open.")


@pytest.mark.parametrize(
    "choices",
    [["abc"], ["99999999"], ["\x00"], ["9" * 5000], ["-1"], ["1e3"]],
)
def test_nonsense_on_an_approval_ballot_is_a_clear_message(client, scene, choices):
    client.force_login(scene.moot_resident)

    response = client.post(ballot_url(scene.moot_budget), {"choices": choices, "action": "submit"})

    assert response.status_code == 200
    assert "One of the projects you chose is not on this ballot." in error_summary(response)
    assert not Ballot.objects.exists()


def test_a_project_of_another_budget_is_not_on_this_ballot(client, scene):
    client.force_login(scene.moot_resident)

    response = client.post(
        ballot_url(scene.moot_budget), {"choices": [scene.projects["trees"].pk], "action": "submit"}
    )

    assert "One of the projects you chose is not on this ballot." in error_summary(response)


def test_a_points_ballot_shares_out_points(client, council):
    scene = build_scene(council, ballot_kind="cumulative", points=10, max_points_per_project=8)
    client.force_login(scene.moot_resident)
    url = ballot_url(scene.moot_budget)
    benches, playground = scene.projects["benches"], scene.projects["playground"]
    assertContains(client.get(url), "Share out your 10 points")

    response = client.post(
        url, {f"points_{benches.pk}": "6", f"points_{playground.pk}": "5", "action": "submit"}
    )
    assert "You gave 11 points, but you have 10 to share out." in error_summary(response)

    response = client.post(url, {f"points_{benches.pk}": "9", "action": "check"})
    assert (
        "Enter a whole number of points from 0 to 8 for “Benches in Moot Park”."
        in error_summary(response)
    )
    assertContains(response, f'href="#points_{benches.pk}"')

    response = client.post(
        url, {f"points_{benches.pk}": "6", f"points_{playground.pk}": "4", "action": "check"}
    )
    assertContains(response, "You have given 10 of your 10 points; 0 left.")
    assert not Ballot.objects.exists()

    response = client.post(
        url, {f"points_{benches.pk}": " 6 ", f"points_{playground.pk}": "4", "action": "submit"}
    )
    assertRedirects(response, url + "done/")
    ballot = Ballot.objects.get()
    assert {c.project_id: c.points for c in ballot.choices.all()} == {
        benches.pk: 6,
        playground.pk: 4,
    }
    assertContains(
        client.get(url),
        f'name="points_{benches.pk}" type="text" inputmode="numeric" spellcheck="false" value="6"',
    )
    assertContains(client.get(url + "done/"), "Benches in Moot Park: 6 points")

    for nonsense in ("abc", "-1", "1e9", "\x00", "9" * 5000, "3.5"):
        response = client.post(url, {f"points_{benches.pk}": nonsense, "action": "submit"})
        assert response.status_code == 200
        assert "Enter a whole number of points from 0 to 8" in error_summary(response), nonsense


def test_a_ranking_ballot_puts_projects_in_order_and_refuses_the_same_rank_twice(client, council):
    scene = build_scene(council, ballot_kind="ranking")
    client.force_login(scene.moot_resident)
    url = ballot_url(scene.whole)
    trees, library, skatepark = (scene.projects[k] for k in ("trees", "library", "skatepark"))
    assertContains(client.get(url), "Put the projects in order")

    response = client.post(
        url, {f"rank_{trees.pk}": "1", f"rank_{library.pk}": "1", "action": "submit"}
    )
    assert response.status_code == 200
    assert "You gave rank 1 to more than one project" in error_summary(response)
    response = client.post(url, {f"rank_{trees.pk}": "x\x00", "action": "submit"})
    assert "Choose a rank for “A thousand street trees” from the list." in error_summary(response)
    assert not Ballot.objects.exists()

    response = client.post(
        url,
        {
            f"rank_{skatepark.pk}": "1",
            f"rank_{trees.pk}": "3",
            f"rank_{library.pk}": "",
            "action": "submit",
        },
    )
    assertRedirects(response, url + "done/")
    ballot = Ballot.objects.get()
    assert [c.project_id for c in ballot.choices.order_by("rank")] == [skatepark.pk, trees.pk]
    assertContains(
        client.get(url + "done/"), "<li>Skate park repairs</li><li>A thousand street trees</li>"
    )


# --- Results and delivery ------------------------------------------------------------------------


def vote_and_publish(scene: Scene) -> None:
    p = scene.projects
    domain.cast_ballot(
        scene.moot_resident, scene.moot_budget, [p["benches"].pk, p["playground"].pk]
    )
    domain.cast_ballot(scene.moot_resident, scene.whole, [p["library"].pk, p["trees"].pk])
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["skatepark"].pk, p["trees"].pk])
    domain.change_phase(None, scene.process, Phase.RESULTS)


def test_results_are_not_shown_before_they_are_published(client, scene):
    response = client.get(f"{BASE}results/")

    assert response.status_code == 200
    assertContains(response, "The results are not published yet.")
    assertContains(client.get(f"{BASE}delivery/"), "The results are not published yet.")


def test_greedy_results_say_why_each_project_won_or_lost(client, scene):
    vote_and_publish(scene)

    response = client.get(f"{BASE}results/")

    assert response.status_code == 200
    page = text_of(response)
    assert "Funded: it had 2 votes and £100,000 was left when its turn came." in page
    assert "Not funded: it costs £60,000 but only £20,000 was left when its turn came." in page
    assert "Not funded: it costs £25,000 but only £21,000 was left when its turn came." in page
    assert "Not funded: nobody voted for it." in page
    assert "2 people voted (2 online, 0 on paper)" in page
    assert "Most votes first, skipping what no longer fits" in page
    assert "£80,000 (£20,000 not spent)" in page
    assertContains(response, '<svg xmlns="http://www.w3.org/2000/svg"')
    assertContains(response, 'aria-hidden="true"')
    # Winners in the order they were chosen.
    winners = re.search(
        rf'id="result-{scene.whole.pk}-winners">(.*?)</ol>', response.content.decode(), re.S
    ).group(1)
    assert winners.index("A thousand street trees") < winners.index("Skate park repairs")

    one = client.get(f"{BASE}results/{scene.whole.pk}/")
    assert one.status_code == 200
    assertContains(one, "Result: Council-wide")
    assertContains(one, "Funded: it had 2 votes and £100,000 was left when its turn came.")
    trees = client.get(scene.projects["trees"].get_absolute_url())
    assertContains(trees, "This project won funding")
    assertContains(trees, "Funded: it had 2 votes and £100,000 was left when its turn came.")


def test_equal_shares_results_say_how_supporters_shared_the_cost_and_where_money_went(
    client, council
):
    scene = build_scene(council, rule="equalshares")
    vote_and_publish(scene)

    response = client.get(f"{BASE}results/")

    page = text_of(response)
    assert (
        "Funded: its 2 supporters shared the cost (most paid £25,000; typically £25,000)." in page
    )
    assert (
        "Not funded: its supporters had only £25,000 left between them, less than its £60,000 "
        "cost; most of their money went to A thousand street trees (£25,000)." in page
    )
    trees = scene.projects["trees"]
    assertContains(
        response,
        f'most of their money went to <a class="govuk-link" href="{BASE}projects/{trees.pk}/">'
        "A thousand street trees</a> (£25,000).",
    )
    assert "Each voter’s equal share of the budget was £50,000." in page
    assert "Method of Equal Shares" in page


def test_delivery_shows_funded_projects_with_status_progress_and_latest_update(client, scene):
    vote_and_publish(scene)
    domain.change_phase(None, scene.process, Phase.DELIVERY)
    trees = Project.objects.get(pk=scene.projects["trees"].pk)
    domain.report_delivery(
        None,
        trees,
        status="in_progress",
        progress=40,
        body="The first **hundred** trees are planted.",
        images=[domain.ImageUpload(png(), "Saplings on Hill Road")],
    )

    response = client.get(f"{BASE}delivery/")

    assert response.status_code == 200
    page = text_of(response)
    assert "A thousand street trees" in page
    assert "In progress" in page
    assert "40% done" in page
    assert "The first hundred trees are planted." in page
    assertContains(response, '<rect x="0" y="0" width="40" height="12" fill="#00703c"></rect>')
    assert "Longer library opening" not in page

    project_page = client.get(trees.get_absolute_url())
    assertContains(project_page, "<strong>hundred</strong>")
    image = ProjectImage.objects.get(project=trees)
    src = picture_url(trees, image)
    assertContains(project_page, f'src="{src}" alt="Saplings on Hill Road"')
    assert client.get(src).status_code == 200


# --- Markup every page keeps ------------------------------------------------------------------


def assert_clean(response) -> None:
    """Ids unique (labels and error links find their field), no inline script or style (the
    CSP refuses them), one h1 and no heading level skipped."""
    html = response.content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    main = html[html.index("<main") : html.index("</main>")]
    levels = [int(n) for n in re.findall(r"<h([1-6])", main)]
    assert levels.count(1) == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


def test_every_page_is_clean_markup_in_every_phase(client, scene, officer):
    p = scene.projects
    client.force_login(scene.moot_resident)
    voting = [
        "/mootshire/budgets/",
        BASE,
        f"{BASE}projects/",
        f"{BASE}projects/{p['benches'].pk}/",
        f"{BASE}vote/",
        ballot_url(scene.moot_budget),
        f"{BASE}results/",
    ]
    for url in voting:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(response)
    response = client.post(
        ballot_url(scene.moot_budget),
        {"choices": ["x", p["benches"].pk], "action": "check"},
    )
    assert_clean(response)
    domain.cast_ballot(scene.moot_resident, scene.moot_budget, [p["benches"].pk])
    for url in (
        ballot_url(scene.moot_budget) + "done/",
        ballot_url(scene.moot_budget) + "withdraw/",
    ):
        assert_clean(client.get(url))

    domain.change_phase(None, scene.process, Phase.RESULTS)
    domain.change_phase(None, scene.process, Phase.DELIVERY)
    client.logout()
    for url in (
        BASE,
        f"{BASE}projects/",
        f"{BASE}projects/{p['benches'].pk}/",
        f"{BASE}results/",
        f"{BASE}results/{scene.moot_budget.pk}/",
        f"{BASE}delivery/",
        f"{BASE}vote/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(response)


def test_the_propose_pages_are_clean_markup(client, ideas):
    client.force_login(ideas.hill_resident)
    assert_clean(client.get(f"{BASE}projects/new/"))
    assert_clean(client.post(f"{BASE}projects/new/", proposal(ideas, title="")))
    benches = ideas.projects["benches"]
    client.force_login(ideas.moot_resident)
    assert_clean(client.get(f"{BASE}projects/{benches.pk}/edit/"))
    assert_clean(client.get(f"{BASE}projects/{benches.pk}/withdraw/"))


@pytest.mark.parametrize("kind", ["cumulative", "ranking"])
def test_the_points_and_ranking_ballots_are_clean_markup(client, council, kind):
    scene = build_scene(council, ballot_kind=kind)
    client.force_login(scene.moot_resident)
    url = ballot_url(scene.whole)
    assert_clean(client.get(url))
    field = "points" if kind == "cumulative" else "rank"
    data = {
        f"{field}_{pk}": "1" for pk in (scene.projects["trees"].pk, scene.projects["library"].pk)
    }
    data[f"{field}_{scene.projects['skatepark'].pk}"] = "x"
    response = client.post(url, {**data, "action": "check"})
    assert b"There is a problem" in response.content
    assert_clean(response)
