"""Answering a survey in a real browser: by keyboard alone, without JavaScript, with its
errors, and every page of it meeting WCAG 2.2 AA (axe-core). Scene: ``survey_scene``.

- Someone not signed in answers "Parks and open spaces" (a question of every kind on
  three pages, then "About you") with Tab, Space, arrows, Enter and typing only: choosing
  "Never" and pressing Continue brings "Why do you not use it?" onto the same page; on
  page 2 they save and come back later through the link on the "saved" page (with their
  cookies gone, so the link alone brings them back); they check their answers, change
  one through its "Change" link, send them, and see the confirmation. What they gave is
  in the database. The same again without JavaScript, by mouse.
- Sent empty, a page shows the error summary (focused, each message linking to its
  question) and the inline errors; the same for the question that appeared.
- axe-core finds nothing on: the list, a survey open, opening soon, closed, and open to
  others only (signed out and signed in), each page of answering with its error states,
  "About you", "Check your answers" (and with a problem), "saved", "sent", "closed", the
  published results with their charts, and the paper-response pages (with an error).
- Olive Officer types in a paper response by keyboard alone.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from moothall.surveys import domain
from moothall.surveys.models import Response
from tests import factories
from tests.browser.conftest import AXE_PATH, WCAG_TAGS, Console, SignIn, at_path, describe
from tests.browser.survey_scene import (
    MOOT_POSTCODE,
    PUBLIC,
    STAFF,
    SurveyScene,
    build_survey_scene,
    with_every_phase,
)
from tests.browser.test_budget_axe import audit_context, go, sign_in
from tests.browser.test_budget_journeys import banner
from tests.browser.test_petitions_journeys import focused

pytestmark = [pytest.mark.browser]

TITLE = "Parks and open spaces"


@pytest.fixture
def scene(transactional_db) -> SurveyScene:
    council = factories.CouncilFactory(
        name="Mootshire County Council", short_name="Mootshire", slug="mootshire", tier="county"
    )
    return build_survey_scene(council)


# --- Hands: the keyboard, or the mouse -------------------------------------------------------


class Keyboard:
    """Tab, Shift+Tab, Space, the arrow keys, Enter and typing: no clicks."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def reach(self, **wanted: str) -> None:
        """Tab (forwards, then if need be backwards) until the focus is ``wanted``."""
        if all(focused(self.page)[k] == v for k, v in wanted.items()):
            return
        for key in ("Tab", "Shift+Tab"):
            for _ in range(60):
                self.page.keyboard.press(key)
                if all(focused(self.page)[k] == v for k, v in wanted.items()):
                    return
        raise AssertionError(f"the keyboard never reached {wanted}; at {focused(self.page)}")

    def choose(self, name: str, value: str) -> None:
        """Tab into the radio group ``name`` (its first radio) and arrow to ``value``."""
        radios = self.page.locator(f"input[type=radio][name='{name}']")
        wanted = radios.and_(self.page.locator(f"[value='{value}']"))
        self.reach(id=radios.first.get_attribute("id") or "")
        if radios.first.get_attribute("value") == value:
            self.page.keyboard.press("Space")
        for _ in range(12):
            if focused(self.page)["id"] == wanted.get_attribute("id"):
                break
            self.page.keyboard.press("ArrowDown")
        expect(wanted).to_be_checked()

    def tick(self, field_id: str) -> None:
        self.reach(id=field_id)
        self.page.keyboard.press("Space")
        expect(self.page.locator(f"#{field_id}")).to_be_checked()

    def type(self, field_id: str, text: str) -> None:
        """Type ``text`` in place of what the field holds."""
        self.reach(id=field_id)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def select(self, field_id: str, label: str) -> None:
        """Choose ``label`` in a closed drop-down by typing its first letters."""
        self.reach(id=field_id)
        self.page.keyboard.type(label.split()[0])
        expect(self.page.locator(f"#{field_id} option:checked")).to_have_text(label)

    def press(self, text: str) -> None:
        self.reach(tag="BUTTON", text=text)
        self.page.keyboard.press("Enter")

    def follow(self, text: str) -> None:
        self.reach(tag="A", text=text)
        self.page.keyboard.press("Enter")


class Mouse:
    def __init__(self, page: Page) -> None:
        self.page = page

    def choose(self, name: str, value: str) -> None:
        self.page.locator(f"input[type=radio][name='{name}'][value='{value}']").check()

    def tick(self, field_id: str) -> None:
        self.page.locator(f"#{field_id}").check()

    def type(self, field_id: str, text: str) -> None:
        self.page.locator(f"#{field_id}").fill(text)

    def select(self, field_id: str, label: str) -> None:
        self.page.locator(f"#{field_id}").select_option(label=label)

    def press(self, text: str) -> None:
        self.page.get_by_role("button", name=text, exact=True).click()

    def follow(self, text: str) -> None:
        self.page.get_by_role("link", name=text, exact=True).click()


Hands = Keyboard | Mouse


def summary_row(page: Page, name: str):
    return page.locator(f"#row-{name} .govuk-summary-list__value")


# --- Answering "Parks and open spaces" --------------------------------------------------------


def answer_parks(page: Page, hands: Hands, scene: SurveyScene) -> Response:
    """The whole journey, from the survey's page to the confirmation; the response."""
    s = scene
    page.goto(s.url())
    hands.press("Start now")
    expect(page).to_have_title(re.compile(f"^Page 1 of 4 – {TITLE} – "))
    response = Response.objects.get(survey=s.parks)
    at_path(page, s.answer_url(response, "page/1/"))

    # Page 1: "Never" brings a required question onto this page.
    why_not = s.name("why_not")
    expect(page.locator(f"#{why_not}")).to_have_count(0)
    hands.choose(s.name("use"), "never")
    hands.type(s.name("name"), "Rita")
    hands.press("Continue")
    expect(banner(page)).to_have_text(
        "Your answer added a question on this page. Answer it, then continue."
    )
    expect(page.locator(f"label[for={why_not}]")).to_have_text("Why do you not use it?")
    expect(page.locator(f"#{s.name('use')}-3")).to_be_checked()
    expect(page.locator(f"#{s.name('name')}")).to_have_value("Rita")
    hands.type(why_not, "It is too far from home")
    hands.press("Continue")

    # Page 2: choices, a ranking and a matrix, then "save and come back later".
    at_path(page, s.answer_url(response, "page/2/"))
    improve, rank, agree = s.name("improve"), s.name("rank"), s.name("agree")
    hands.tick(improve)  # Paths
    hands.tick(f"{improve}-2")  # Toilets
    hands.select(rank, "Safety")
    hands.select(f"{rank}-rank-2", "Nature")
    hands.select(f"{rank}-rank-3", "Cleanliness")
    hands.choose(f"{agree}-the_park_is_safe", "agree")
    hands.choose(f"{agree}-the_park_is_clean", "strongly_agree")
    hands.press("Save and come back later")
    at_path(page, s.answer_url(response, "saved/"))
    link = page.locator("#resume-link")
    resume = link.get_attribute("href") or ""
    assert resume.endswith(s.answer_url(response))
    expect(link).to_have_text(resume)

    # Later, with the browser's cookies gone: the link alone finds the answers again.
    page.context.clear_cookies()
    hands.follow(resume)
    at_path(page, s.answer_url(response, "page/2/"))
    for checked in (improve, f"{improve}-2", f"{agree}-2", f"{agree}-row2"):
        expect(page.locator(f"#{checked}")).to_be_checked()
    expect(page.locator(f"#{improve}-3")).not_to_be_checked()
    expect(page.locator(f"#{rank}-rank-3 option:checked")).to_have_text("Cleanliness")
    hands.press("Continue")

    # Page 3: a number, a ward and a postcode.
    at_path(page, s.answer_url(response, "page/3/"))
    hands.type(s.name("visits"), "12")
    hands.select(s.name("ward"), "Hill Ward")
    hands.type(s.name("postcode"), "mh11aa")
    hands.press("Continue")

    # About you: optional, each with "Prefer not to say".
    at_path(page, s.answer_url(response, "about-you/"))
    expect(page).to_have_title(re.compile(f"^About you – {TITLE} – "))
    expect(page.locator(".govuk-caption-l")).to_have_text("Page 4 of 4")
    hands.choose("age_band", "35_44")
    hands.choose("sex", "prefer_not_to_say")
    hands.press("Continue")

    # Check, change the name, check again, send.
    at_path(page, s.answer_url(response, "check/"))
    expect(summary_row(page, why_not)).to_have_text("It is too far from home")
    expect(summary_row(page, improve).locator("li")).to_have_text(["Paths", "Toilets"])
    expect(summary_row(page, s.name("postcode"))).to_have_text("MH1 1AA")
    expect(summary_row(page, s.name("ward"))).to_have_text("Hill Ward")
    hands.follow("Change Your first name")
    at_path(page, s.answer_url(response, "page/1/?change=1"))
    expect(page.locator(f"#{s.name('name')}")).to_have_value("Rita")
    hands.type(s.name("name"), "Rita R")
    hands.press("Continue")
    at_path(page, s.answer_url(response, "check/"))
    expect(summary_row(page, s.name("name"))).to_have_text("Rita R")
    hands.press("Send your answers")
    at_path(page, s.answer_url(response, "sent/"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Your answers have been sent")
    response.refresh_from_db()
    return response


def assert_stored(response: Response, scene: SurveyScene) -> None:
    q = scene.q
    assert response.state == Response.State.SUBMITTED
    assert response.channel == Response.Channel.ONLINE
    assert response.user_id is None
    assert domain.answers_of(response) == {
        q["use"].pk: "never",
        q["why_not"].pk: "It is too far from home",
        q["name"].pk: "Rita R",
        q["improve"].pk: ["paths", "toilets"],
        q["rank"].pk: ["safety", "nature", "cleanliness"],
        q["agree"].pk: {"the_park_is_safe": "agree", "the_park_is_clean": "strongly_agree"},
        q["visits"].pk: "12",
        q["ward"].pk: scene.place.hill.pk,
        q["postcode"].pk: MOOT_POSTCODE,
    }
    assert response.ward == scene.place.hill  # the ward answer wins over the postcode
    assert (response.age_band, response.sex, response.disability) == (
        "35_44",
        "prefer_not_to_say",
        "",
    )


def test_a_resident_answers_every_kind_of_question_by_keyboard_alone(
    context: BrowserContext, console: Console, scene: SurveyScene
):
    page = console.listen(context.new_page())
    response = answer_parks(page, Keyboard(page), scene)
    assert_stored(response, scene)
    assert console.csp_violations == []
    assert console.page_errors == []


def test_a_resident_without_javascript_answers_every_kind_of_question(
    no_js_context: BrowserContext, scene: SurveyScene
):
    page = no_js_context.new_page()
    response = answer_parks(page, Mouse(page), scene)
    assert_stored(response, scene)


def test_a_page_sent_without_its_required_answers_says_what_is_missing(
    context: BrowserContext, console: Console, scene: SurveyScene
):
    page = console.listen(context.new_page())
    keys = Keyboard(page)
    use, why_not = scene.name("use"), scene.name("why_not")
    page.goto(scene.url())
    keys.press("Start now")
    expect(page).to_have_title(re.compile(f"^Page 1 of 4 – {TITLE} – "))
    keys.press("Continue")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Page 1 of 4"))
    expect(summary.locator("a")).to_have_count(1)
    expect(summary.locator("a")).to_have_attribute("href", f"#{use}")
    message = summary.locator("a").inner_text()
    expect(page.locator(f"#{use}-error")).to_have_text(f"Error: {message}")
    expect(page.locator(f"#{use}-group")).to_have_class(re.compile("govuk-form-group--error"))
    expect(page.locator(f"#{use}-group fieldset")).to_have_attribute(
        "aria-describedby", f"{use}-error"
    )
    keys.follow(message)  # the link takes the focus to the question
    assert focused(page)["id"] == use
    assert Response.objects.get().answers.count() == 0  # nothing was written

    # The question "Never" brings is required too.
    keys.choose(use, "never")
    keys.press("Continue")
    expect(page.locator(f"#{why_not}")).to_be_visible()
    keys.press("Continue")
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_attribute("href", f"#{why_not}")
    expect(page.locator(f"#{why_not}")).to_have_class(re.compile("govuk-textarea--error"))
    expect(page.locator(f"#{why_not}")).to_have_attribute("aria-describedby", f"{why_not}-error")
    expect(page.locator(f"#{why_not}-error")).to_contain_text(summary.locator("a").inner_text())
    assert console.csp_violations == []


# --- Paper responses, by keyboard ------------------------------------------------------------


def test_an_officer_enters_a_paper_response_by_keyboard_alone(
    context: BrowserContext, scene: SurveyScene, officer_at_mootshire, sign_in: SignIn
):
    officer = officer_at_mootshire
    sign_in(context, officer)
    page = context.new_page()
    keys = Keyboard(page)
    s, paper = scene, f"{STAFF}{scene.parks.slug}/paper/"
    page.goto(paper)
    expect(page.locator("#no-paper")).to_be_visible()
    keys.follow("Enter a paper response")
    at_path(page, f"{paper}new/")
    expect(page.locator(f"#{s.name('why_not')}-hint")).to_have_text(
        "Only if the answer to “How often do you use the park?” is “Never”."
    )
    keys.choose(s.name("use"), "sometimes")
    keys.type(s.name("name"), "Pat")
    keys.tick(f"{s.name('improve')}-3")  # Play areas
    keys.select(s.name("rank"), "Nature")
    keys.select(f"{s.name('rank')}-rank-2", "Cleanliness")
    keys.select(f"{s.name('rank')}-rank-3", "Safety")
    keys.choose(f"{s.name('agree')}-the_park_is_safe", "disagree")
    keys.type(s.name("visits"), "3")
    keys.select(s.name("ward"), "Moot Ward")
    keys.choose("ethnicity", "prefer_not_to_say")
    keys.press("Enter the response")

    # The same page comes back, empty, for the next paper.
    expect(banner(page)).to_have_text(re.compile(r"^Paper response \d+ is entered\."))
    at_path(page, f"{paper}new/")
    entered = Response.objects.get(survey=s.parks)
    expect(banner(page)).to_have_text(
        f"Paper response {entered.pk} is entered. You can enter the next one."
    )
    expect(page.locator(f"#{s.name('name')}")).to_have_value("")
    assert (entered.channel, entered.state) == (Response.Channel.PAPER, Response.State.SUBMITTED)
    assert entered.entered_by == officer
    assert entered.ward == s.place.moot
    assert entered.ethnicity == "prefer_not_to_say"
    q = s.q
    assert domain.answers_of(entered) == {
        q["use"].pk: "sometimes",
        q["name"].pk: "Pat",
        q["improve"].pk: ["play_areas"],
        q["rank"].pk: ["nature", "cleanliness", "safety"],
        q["agree"].pk: {"the_park_is_safe": "disagree"},
        q["visits"].pk: "3",
        q["ward"].pk: s.place.moot.pk,
    }
    page.goto(paper)
    expect(page.locator("#paper-responses tbody tr")).to_have_count(1)
    expect(page.locator("#paper-responses tbody td").nth(2)).to_have_text(officer.name)


@pytest.fixture
def officer_at_mootshire(scene: SurveyScene):
    return staff_of(scene, "olive.officer@example.org")


def staff_of(scene: SurveyScene, email: str):
    user = factories.UserFactory(email=email, name="Olive Officer")
    factories.RoleFactory(user=user, council=scene.council, kind="officer")
    factories.give_mfa(user)
    return user


# --- axe-core on every page ---------------------------------------------------------------------


class Audit:
    """Shown one page after another, runs axe (violations only) on each; keeps what it found."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.failures: dict[str, str] = {}
        self.seen: list[str] = []

    def __call__(self, label: str, path: str) -> None:
        at_path(self.page, path)
        assert self.page.locator("html").get_attribute("lang") == "en-GB", label
        self.page.add_script_tag(path=str(AXE_PATH))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        if result["violations"]:
            self.failures[label] = describe(result["violations"])
        self.seen.append(label)


def walk(page: Page, check: Audit, scene: SurveyScene, live_server) -> None:
    s = scene
    upcoming, members, closed = (s.others[k] for k in ("upcoming", "members", "closed"))

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    def sent(label: str, path: str, button: str = "Continue") -> None:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        check(label, path)

    # Signed out.
    visit("surveys", PUBLIC)
    visit("a survey, open", s.url())
    visit("a survey, opening soon", s.url(upcoming))
    visit("a survey, closed", s.url(closed))
    visit("a survey, for people signed in only, signed out", s.url(members))
    expect(page.locator("#refusal a")).to_have_text("Sign in or create an account")
    visit("results, with charts", f"{s.url(closed)}results/")
    expect(page.locator("svg.mh-chart[role=img]").first).to_be_visible()

    go(page, s.url())
    page.get_by_role("button", name="Start now").click()
    response = Response.objects.get(survey=s.parks, channel=Response.Channel.ONLINE)
    one = s.answer_url(response, "page/1/")
    check("page 1", one)
    sent("page 1, sent empty", one)
    page.locator(f"input[name={s.name('use')}][value=never]").check()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(banner(page)).to_be_visible()
    check("page 1, with the question its answer added", one)
    page.locator(f"#{s.name('why_not')}").fill("Too far")
    page.get_by_role("button", name="Continue", exact=True).click()
    two = s.answer_url(response, "page/2/")
    check("page 2", two)
    page.locator(f"input[name={s.name('agree')}-the_park_is_safe][value=agree]").check()
    page.locator(f"input[name={s.name('agree')}-the_park_is_clean][value=agree]").check()
    page.get_by_role("button", name="Continue", exact=True).click()
    three = s.answer_url(response, "page/3/")
    check("page 3", three)
    page.locator(f"#{s.name('visits')}").fill("lots")
    page.locator(f"#{s.name('postcode')}").fill("EL9 9ZZ")
    sent("page 3, sent wrong", three)
    expect(page.locator(".govuk-error-summary a")).to_have_count(2)
    expect(page.locator(".govuk-error-message")).to_have_count(2)
    page.locator(f"#{s.name('visits')}").fill("4")
    page.locator(f"#{s.name('postcode')}").fill(MOOT_POSTCODE)
    page.get_by_role("button", name="Continue", exact=True).click()
    check("about you", s.answer_url(response, "about-you/"))
    page.get_by_role("button", name="Save and come back later").click()
    check("saved", s.answer_url(response, "saved/"))
    visit("a survey, open, with answers saved", s.url())
    expect(page.locator("#continue")).to_have_text("Carry on where you stopped")
    visit("check your answers", s.answer_url(response, "check/"))

    # Another response, saved with a required answer missing, sent from "check".
    other = domain.start_response(s.parks)
    domain.save_page(other, 1, {s.q["use"].pk: ""}, require=False, advance=False)
    other_check = s.answer_url(other, "check/")
    go(page, other_check)
    sent("check your answers, sent with an answer missing", other_check, "Send your answers")

    go(page, s.answer_url(response, "check/"))
    page.get_by_role("button", name="Send your answers").click()
    check("sent", s.answer_url(response, "sent/"))

    # Saved, and then the survey closed.
    domain.close_survey(s.parks, by=None)
    visit("answering a closed survey", s.answer_url(other, "page/1/"), status=403)

    # Signed in, but without a verified email address.
    context = page.context
    sign_in(context, live_server, factories.UserFactory(verified_email=False))
    visit("a survey, for people signed in only, not eligible", s.url(members))
    expect(page.locator("#refusal a")).to_have_text("Go to your account")

    # The paper responses, as Olive Officer.
    context.clear_cookies()
    sign_in(context, live_server, staff_of(s, "olive.officer@example.org"))
    visit("paper responses, closed", f"{STAFF}{closed.slug}/paper/")
    visit("paper responses, open", f"{STAFF}{members.slug}/paper/")
    new = f"{STAFF}{members.slug}/paper/new/"
    visit("enter a paper response", new)
    page.locator(f"#q{members.questions.get(text='Visits last year').pk}").fill("lots")
    sent("enter a paper response, sent wrong", new, "Enter the response")


PAGES = [
    "surveys",
    "a survey, open",
    "a survey, opening soon",
    "a survey, closed",
    "a survey, for people signed in only, signed out",
    "results, with charts",
    "page 1",
    "page 1, sent empty",
    "page 1, with the question its answer added",
    "page 2",
    "page 3",
    "page 3, sent wrong",
    "about you",
    "saved",
    "a survey, open, with answers saved",
    "check your answers",
    "check your answers, sent with an answer missing",
    "sent",
    "answering a closed survey",
    "a survey, for people signed in only, not eligible",
    "paper responses, closed",
    "paper responses, open",
    "enter a paper response",
    "enter a paper response, sent wrong",
]

# Pages axe finds a problem on, waiting for the fix requested in /work/notes/requests.md
# (label -> the rule and the request). Emptied as the fixes land: an xfail that passes fails.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def audit(browser: Browser, live_server, django_db_setup, django_db_blocker) -> Audit:
    """The walk, done once for the module while the first of its tests is set up (as in
    ``test_budget_axe``: the database is emptied after that test, so the tests after it
    only read what axe found)."""
    with django_db_blocker.unblock():
        try:
            council = factories.CouncilFactory(
                name="Mootshire County Council",
                short_name="Mootshire",
                slug="mootshire",
                tier="county",
            )
            scene = with_every_phase(build_survey_scene(council))
            with audit_context(browser, live_server) as context:
                found = Audit(context.new_page())
                walk(found.page, found, scene, live_server)
        except BaseException:
            call_command("flush", verbosity=0, interactive=False)
            raise
    return found


def known(labels: list[str]) -> list:
    return [
        pytest.param(label, marks=pytest.mark.xfail(reason=KNOWN[label], strict=True))
        if label in KNOWN
        else label
        for label in labels
    ]


def test_every_page_of_answering_was_audited(audit: Audit):
    assert audit.seen == PAGES


@pytest.mark.parametrize("label", known(PAGES))
def test_a_page_of_answering_meets_wcag_2_2_aa(audit: Audit, label: str):
    assert label in audit.seen, f"the walk stopped before {label!r}"
    assert label not in audit.failures, audit.failures[label]
