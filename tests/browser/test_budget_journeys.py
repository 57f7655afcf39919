"""What residents and officers must be able to do with participatory budgeting, in a real
browser, by keyboard alone, with JavaScript and without it (scene: ``budget_scene``).

- Mo Moot votes on Community Chest 2027's council-wide budget (£100,000, an approval
  ballot whose choices must fit it, at most 3 projects) with Tab, Space and Enter only:
  he ticks the library (£60,000) and the street trees (£50,000), checks his choices and is
  told, in the error summary (which takes the focus when scripts run), that they cost
  £110,000, more than the £100,000 budget; he swaps the trees for the skate park, checks
  again (£90,000, £10,000 left), submits, lands on the confirmation, then changes his vote.
  Hal Hill does the same without JavaScript.
- Points and ranking ballots, sent wrong and then right, are saved as cast (no JS).
- Mo proposes a project (no JS); Olive Officer accepts Hal's kitchen with its cost, opens
  voting, enters a paper ballot, publishes the results and posts a delivery update, by
  keyboard, each step checked in the database and on the public page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moothall.budgeting import domain
from moothall.budgeting.models import Ballot, Phase, Project, Result
from tests.browser.budget_scene import BudgetScene, build_budget_scene
from tests.browser.conftest import Console, SignIn, at_path
from tests.browser.test_petitions_journeys import focused, tab_to, tick, type_into

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

PUBLIC = "/mootshire/budgets/"
STAFF = "/mootshire/staff/budgets/"


@pytest.fixture
def scene(transactional_db) -> BudgetScene:
    # Built per test: pytest-django empties the database after every test that uses the
    # live server, so a module-wide scene would not outlive the first test.
    return build_budget_scene()


# --- The keyboard (beyond test_petitions_journeys' helpers) ----------------------------------


def untick(page: Page, field_id: str) -> None:
    tab_to(page, id=field_id)
    page.keyboard.press("Space")
    expect(page.locator(f"#{field_id}")).not_to_be_checked()


def press_button(page: Page, text: str) -> None:
    tab_to(page, tag="BUTTON", text=text)
    page.keyboard.press("Enter")


def follow_link(page: Page, text: str) -> None:
    tab_to(page, tag="A", text=text)
    page.keyboard.press("Enter")


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the radio group ``name`` and move to ``value`` with the arrow keys."""
    first = page.locator(f"input[type=radio][name={name}]").first.get_attribute("id") or ""
    wanted = page.locator(f"input[type=radio][name={name}][value={value}]")
    wanted_id = wanted.get_attribute("id") or ""
    tab_to(page, id=first)
    if first == wanted_id:
        page.keyboard.press("Space")
    for _ in range(10):
        if focused(page)["id"] == wanted_id:
            break
        page.keyboard.press("ArrowDown")
    expect(wanted).to_be_checked()


def replace_text(page: Page, field_id: str, text: str) -> None:
    tab_to(page, id=field_id)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def banner(page: Page):
    return page.locator(".govuk-notification-banner__heading")


# --- A knapsack ballot, by keyboard ----------------------------------------------------------


def vote_within_the_budget(page: Page, scene: BudgetScene, voter, *, scripts: bool) -> None:
    chest = f"{PUBLIC}{scene.chest.slug}/"
    ballot = f"{chest}vote/{scene.base.whole.pk}/"
    library, trees, skatepark = (scene.project(k).pk for k in ("library", "trees", "skatepark"))

    page.goto(chest)
    follow_link(page, "Vote now")
    at_path(page, f"{chest}vote/")
    follow_link(page, "Vote: Council-wide")
    at_path(page, ballot)
    expect(page.locator("#choices-hint")).to_contain_text(
        "Choose up to 3 projects. Together they may cost no more than the budget: £100,000."
    )

    tick(page, f"choice-{library}")
    tick(page, f"choice-{trees}")
    if scripts:  # the running total follows the ticks, in a polite live region
        expect(page.locator("#ballot-cost")).to_have_text(
            "You have chosen 2 projects, costing £110,000 in all."
        )
        expect(page.locator("#ballot-left")).to_have_text("That is £10,000 more than the budget.")
        expect(page.locator("[aria-live=polite] > #ballot-total")).to_have_count(1)
    press_button(page, "Check my choices")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "The projects you chose cost £110,000, more than the £100,000 budget. "
        "Remove some so they fit."
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary.locator("[role=alert]")).to_have_count(1)  # announced as it appears
    expect(page.locator("#ballot-cost")).to_have_text(
        "You have chosen 2 projects, costing £110,000 in all."
    )
    expect(page.locator("#ballot-left")).to_have_text("That is £10,000 more than the budget.")
    expect(page.locator(f"#choice-{library}")).to_be_checked()  # what was ticked stays ticked
    if scripts:
        expect(summary).to_be_focused()
        # Its link takes the keyboard to the choices.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#ballot input[type=checkbox]").first).to_be_focused()
    assert not Ballot.objects.filter(budget=scene.base.whole, voter=voter).exists()

    untick(page, f"choice-{trees}")
    tick(page, f"choice-{skatepark}")
    press_button(page, "Check my choices")
    expect(page.locator("#ballot-ok")).to_have_text(
        "These choices are fine. Your vote is not saved until you choose “Submit my vote”."
    )
    expect(page.locator("#ballot-cost")).to_have_text(
        "You have chosen 2 projects, costing £90,000 in all."
    )
    expect(page.locator("#ballot-left")).to_have_text("£10,000 of the budget is left.")
    expect(summary).to_have_count(0)
    assert not Ballot.objects.filter(budget=scene.base.whole, voter=voter).exists()

    press_button(page, "Submit my vote")
    at_path(page, f"{ballot}done/")
    expect(page.locator("h1")).to_have_text("Your vote is saved")
    assert sorted(page.locator("#chosen li").all_inner_texts()) == [
        "Longer library opening: £60,000",
        "Skate park repairs: £30,000",
    ]
    expect(page.locator("main")).to_contain_text("In all, £90,000.")
    assert chosen(voter, scene.base.whole) == {library, skatepark}

    # Changed: the ballot comes back filled in; the library gives way to the trees.
    follow_link(page, "Change your vote")
    at_path(page, ballot)
    expect(page.locator(f"#choice-{library}")).to_be_checked()
    expect(page.locator(f"#choice-{skatepark}")).to_be_checked()
    untick(page, f"choice-{library}")
    tick(page, f"choice-{trees}")
    press_button(page, "Submit my vote")
    at_path(page, f"{ballot}done/")
    assert sorted(page.locator("#chosen li").all_inner_texts()) == [
        "A thousand street trees: £50,000",
        "Skate park repairs: £30,000",
    ]
    assert chosen(voter, scene.base.whole) == {trees, skatepark}
    assert Ballot.objects.filter(budget=scene.base.whole, voter=voter).count() == 1


def chosen(voter, budget) -> set[int]:
    ballot = domain.ballot_of(voter, budget)
    assert ballot is not None
    return {choice.project_id for choice in ballot.choices.all()}


def test_a_resident_votes_a_knapsack_ballot_by_keyboard_alone(
    context: BrowserContext, console: Console, sign_in: SignIn, scene: BudgetScene
):
    sign_in(context, scene.mo)

    vote_within_the_budget(console.listen(context.new_page()), scene, scene.mo, scripts=True)

    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_votes_a_knapsack_ballot_by_keyboard_alone(
    no_js_context: BrowserContext, sign_in: SignIn, scene: BudgetScene
):
    sign_in(no_js_context, scene.hal)

    vote_within_the_budget(no_js_context.new_page(), scene, scene.hal, scripts=False)


def test_the_running_total_changes_inside_a_live_region_that_stays_in_the_page(
    context: BrowserContext, sign_in: SignIn, scene: BudgetScene
):
    """A live region is announced when what is inside it changes; one put in the page
    afresh (as an outerHTML swap does) is often not announced at all."""
    sign_in(context, scene.mo)
    page = context.new_page()
    page.goto(f"{PUBLIC}{scene.chest.slug}/vote/{scene.base.whole.pk}/")
    page.evaluate(
        "() => { document.getElementById('ballot-total').closest('[aria-live]')"
        ".dataset.first = 'yes'; }"
    )

    tick(page, f"choice-{scene.project('library').pk}")

    expect(page.locator("#ballot-cost")).to_have_text("You have chosen 1 project, costing £60,000.")
    live = page.locator("[aria-live=polite][data-first=yes]")
    expect(live).to_contain_text("You have chosen 1 project, costing £60,000.", timeout=2_000)


# --- Points and ranking -----------------------------------------------------------------------


def test_points_and_ranking_ballots_without_javascript_are_saved_as_cast(
    no_js_context: BrowserContext, sign_in: SignIn, scene: BudgetScene
):
    sign_in(no_js_context, scene.mo)
    page = no_js_context.new_page()
    club, skills, camp = scene.points.projects.order_by("pk")
    points = f"{PUBLIC}{scene.points.slug}/vote/{scene.points_budget.pk}/"

    page.goto(points)
    type_into(page, f"points_{club.pk}", "6")
    type_into(page, f"points_{skills.pk}", "6")
    press_button(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You gave 12 points, but you have 10 to share out."
    )
    expect(page.locator("#ballot-points")).to_have_text(
        "You have given 12 of your 10 points; 0 left."
    )
    replace_text(page, f"points_{club.pk}", "7")
    replace_text(page, f"points_{skills.pk}", "3")
    press_button(page, "Submit my vote")
    expect(page.locator(f"#points_{club.pk}-error")).to_contain_text(
        "Enter a whole number of points from 0 to 6 for “Youth club evenings”."
    )
    expect(page.locator(f".govuk-error-summary a[href='#points_{club.pk}']")).to_have_count(1)
    replace_text(page, f"points_{club.pk}", "6")
    replace_text(page, f"points_{skills.pk}", "4")
    press_button(page, "Submit my vote")
    at_path(page, f"{points}done/")
    assert sorted(page.locator("#chosen li").all_inner_texts()) == [
        "Skills workshops: 4 points",
        "Youth club evenings: 6 points",
    ]
    expect(page.locator("main")).to_contain_text("You gave 10 of your 10 points.")
    ballot = domain.ballot_of(scene.mo, scene.points_budget)
    assert ballot is not None
    assert {c.project_id: c.points for c in ballot.choices.all()} == {club.pk: 6, skills.pk: 4}
    assert camp.pk not in {c.project_id for c in ballot.choices.all()}

    meadow, toilets, bandstand = scene.ranked.projects.order_by("pk")
    ranked = f"{PUBLIC}{scene.ranked.slug}/vote/{scene.ranked_budget.pk}/"
    page.goto(ranked)
    page.locator(f"#rank_{bandstand.pk}").select_option("1")
    page.locator(f"#rank_{meadow.pk}").select_option("1")
    press_button(page, "Check my choices")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You gave rank 1 to more than one project: give each project a different rank."
    )
    page.locator(f"#rank_{meadow.pk}").select_option("2")
    press_button(page, "Submit my vote")
    at_path(page, f"{ranked}done/")
    expect(page.locator("#chosen li")).to_have_text(["A bandstand", "A wildflower meadow"])
    ballot = domain.ballot_of(scene.mo, scene.ranked_budget)
    assert ballot is not None
    assert [(c.project_id, c.rank) for c in ballot.choices.order_by("rank")] == [
        (bandstand.pk, 1),
        (meadow.pk, 2),
    ]
    assert toilets.pk not in {c.project_id for c in ballot.choices.all()}


# --- Proposing, and the officers' side ---------------------------------------------------------


def test_a_resident_without_javascript_proposes_a_project(
    no_js_context: BrowserContext, sign_in: SignIn, scene: BudgetScene
):
    sign_in(no_js_context, scene.mo)
    page = no_js_context.new_page()
    ideas = f"{PUBLIC}{scene.ideas.slug}/"

    page.goto(ideas)
    follow_link(page, "Propose a project")
    at_path(page, f"{ideas}projects/new/")
    press_button(page, "Publish the project")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a title for your project.")
    expect(summary).to_contain_text("Describe your project.")
    expect(summary).to_contain_text("Choose which budget this project is for.")
    expect(page).to_have_title(re.compile(r"^Error: "))

    type_into(page, "id_title", "A bench at the bus stop")
    type_into(page, "id_description", "A bench at the Mill Lane bus stop, for older people.")
    page.locator("#id_budget").select_option(label="Moot Ward (£10,000)")
    type_into(page, "id_cost_estimate", "1500")
    type_into(page, "id_location", "Mill Lane bus stop")
    press_button(page, "Publish the project")

    expect(page.locator("h1")).to_have_text("A bench at the bus stop")
    made = Project.objects.get(process=scene.ideas, title="A bench at the bus stop")
    at_path(page, made.get_absolute_url())
    expect(banner(page)).to_contain_text("Your project is published.")
    expect(page.locator("h1")).to_have_text("A bench at the bus stop")
    expect(page.locator("#cost")).to_contain_text("£1,500 (the proposer’s estimate")
    assert made.proposed_by == scene.mo
    assert made.status == Project.Status.PROPOSED
    assert made.budget.ward == scene.base.moot


def move_phase(page: Page, staff_process: str, to: str, label: str) -> None:
    page.goto(staff_process)
    follow_link(page, "Move to another phase")
    at_path(page, f"{staff_process}phase/")
    choose_radio(page, "to", to)
    press_button(page, "Continue")
    expect(page.locator("main form input[name=confirmed]")).to_have_count(1)
    press_button(page, f"Yes, move to “{label}”")
    at_path(page, staff_process)
    expect(banner(page)).to_have_text(f"The process is now at “{label}”.")


def test_an_officer_runs_a_process_from_review_to_delivery_by_keyboard(
    context: BrowserContext, console: Console, sign_in: SignIn, scene: BudgetScene
):
    sign_in(context, scene.officer)
    page = console.listen(context.new_page())
    process = f"{STAFF}{scene.review.pk}/"
    kitchen = scene.to_review
    budget = scene.review.budgets.get()

    # Accept Hal's kitchen with its cost.
    page.goto(f"{process}projects/{kitchen.pk}/")
    follow_link(page, "Accept it with its cost, or reject it")
    at_path(page, f"{process}projects/{kitchen.pk}/review/")
    choose_radio(page, "decision", "accept")
    replace_text(page, "id_cost", "11000")
    type_into(page, "id_reason", "Costed with the hall committee.")
    press_button(page, "Save the decision")
    at_path(page, f"{process}projects/{kitchen.pk}/")
    expect(banner(page)).to_have_text("“A new hall kitchen” is on the ballot, costed at £11,000.")
    kitchen.refresh_from_db()
    assert (kitchen.status, kitchen.cost) == (Project.Status.ACCEPTED, 11_000)

    move_phase(page, process, "voting", "Voting")
    scene.review.refresh_from_db()
    assert scene.review.phase == Phase.VOTING

    # A paper ballot for both projects.
    page.goto(f"{process}paper/")
    follow_link(page, "Enter a paper ballot for Council-wide")
    at_path(page, f"{process}paper/{budget.pk}/")
    type_into(page, "id_reference", "HH-0001")
    tick(page, "id_choices_0")
    tick(page, "id_choices_1")
    press_button(page, "Enter the ballot")
    expect(banner(page)).to_be_visible()
    paper = Ballot.objects.get(budget=budget, reference="HH-0001")
    assert paper.is_paper
    assert paper.voter is None
    assert paper.entered_by == scene.officer
    assert {c.project_id for c in paper.choices.all()} == {kitchen.pk, scene.roof.pk}

    move_phase(page, process, "results", "Results")
    result = Result.objects.get(budget=budget)
    assert set(result.selected) == {kitchen.pk, scene.roof.pk}
    page.goto(f"{process}results/")
    expect(page.locator("main table tbody .govuk-tag--green")).to_have_count(2)

    # A delivery update on the kitchen, which its page then shows.
    page.goto(f"{process}delivery/")
    follow_link(page, "A new hall kitchen")
    at_path(page, f"{process}delivery/{kitchen.pk}/")
    choose_radio(page, "status", Project.Delivery.IN_PROGRESS)
    replace_text(page, "id_progress", "25")
    type_into(page, "id_body", "The builders start on Monday.")
    press_button(page, "Publish the update")
    expect(banner(page)).to_be_visible()
    kitchen.refresh_from_db()
    assert (kitchen.delivery_status, kitchen.progress) == (Project.Delivery.IN_PROGRESS, 25)

    page.goto(kitchen.get_absolute_url())
    expect(page.locator("#updates > li")).to_have_count(1)
    expect(page.locator("#updates")).to_contain_text("The builders start on Monday.")
    assert console.csp_violations == []
    assert console.page_errors == []
