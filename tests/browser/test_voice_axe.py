"""Community voice in a real browser: every new page meets WCAG 2.2 AA (axe-core), and
none breaks the Content-Security-Policy.

On the scene of ``voice_scene``: the public petitions pages (the list and its filters,
how petitions work, starting one and checking the draft, a petition with its count by
ward, chart, timeline, obligations, hearings and response, the links in the emails), the
council's obligations and "You said, we did", ideas and needs, writing to a councillor
and the councillor's side of it, and the notification preferences; then the petitions
and ideas back-office as an officer and a council administrator. Forms are also sent
wrong, so their error summaries are checked too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.notifications.domain import unsubscribe_token
from tests import factories
from tests.browser.conftest import (
    AXE_PATH,
    WCAG_TAGS,
    AxeAudit,
    Console,
    ScriptsRan,
    SignIn,
    at_path,
    describe,
    submit,
)
from tests.browser.voice_scene import VoiceScene, build_voice_scene
from tests.public.area import Area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

Check = Callable[[str, str], None]

PETITIONS = "/mootshire/petitions/"
IDEAS = "/mootshire/ideas/"
LETTERS = "/lowdale/messages/"
STAFF_PETITIONS = "/mootshire/staff/petitions/"
STAFF_IDEAS = "/mootshire/staff/ideas/"


@pytest.fixture
def council(area: Area) -> Council:
    """The staff personas work at the Mootshire of the browser tests' area."""
    return area.county


@pytest.fixture
def cara(area: Area) -> User:
    """Cara Cole's account: a councillor of Lowdale Central, where Rita lives."""
    user = factories.UserFactory(email="cara.private@home.example", name="Cara Cole")
    factories.RoleFactory(user=user, council=area.district, kind="councillor", councillor=area.cara)
    return user


@pytest.fixture
def scene(
    area: Area, resident: User, officer: User, moderator: User, councillor_user: User, cara: User
) -> VoiceScene:
    return build_voice_scene(
        area,
        resident=resident,
        officer=officer,
        moderator=moderator,
        councillor=councillor_user,
        cara=cara,
    )


class Audit(AxeAudit):
    """``AxeAudit`` with the same rules, asking axe for its violations only: it then skips
    gathering every node that passed, about three times faster on these pages."""

    def __call__(self, label: str, path: str) -> None:
        at_path(self.page, path)
        assert self.page.locator("html").get_attribute("lang") == self.language, label
        self.page.add_script_tag(path=str(AXE_PATH))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        if result["violations"]:
            self.failures[label] = describe(result["violations"])
        self.seen.append(label)


def go(page: Page, path: str, status: int = 200) -> None:
    """Open ``path`` and make sure the server answered as expected (not an error page)."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status == status, (path, response.status)


def sent_wrong(page: Page, check: Check, label: str, path: str, form: str) -> None:
    """Send the form ``form`` (a CSS selector) as it is and check the page that comes back,
    whose error summary has taken the focus."""
    submit(page, form)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check(label, path)


def walk_public(page: Page, check: Check, scene: VoiceScene) -> None:
    """Signed out: what anyone may read, and the links the emails carry."""
    library = scene.library.get_absolute_url()

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("petitions", PETITIONS)
    visit(
        "petitions, filtered and sorted",
        f"{PETITIONS}?status=all&sort=signatures&topic=parks&ward=mootford-north",
    )
    visit("petitions, nothing found", f"{PETITIONS}?status=rejected&topic=roads")
    visit("how petitions work", f"{PETITIONS}how-petitions-work/")
    visit("an open petition", library)
    expect(page.locator("#count")).to_have_text("7 signatures")
    for part in ("#response", "#hearings", "#obligations", "#by-ward", "#timeline"):
        expect(page.locator(part)).to_be_visible()
    expect(page.locator("#ward-chart svg rect")).to_have_count(3)
    sign_url = f"/mootshire/petitions/{scene.library.pk}/sign/"
    sent_wrong(
        page, check, "an open petition, signed wrong", sign_url, f"form[action='{sign_url}']"
    )
    visit("a rejected petition", scene.rejected.get_absolute_url())
    visit("check your email", f"/mootshire/petitions/{scene.library.pk}/signed/")
    visit("signature confirmed", f"{PETITIONS}confirm/{scene.pending.token}/")
    visit("withdraw a signature", f"{PETITIONS}withdraw/{scene.signed.token}/")
    visit("stop updates", f"{PETITIONS}stop-updates/{scene.signed.token}/")
    visit("a link not found", f"{PETITIONS}confirm/no-such-token/", 404)
    visit("obligations", "/mootshire/obligations/")
    expect(page.locator("main table")).to_have_count(2)  # overdue (the debate), recently met
    visit("you said, we did", "/mootshire/you-said-we-did/")
    visit("you said, we did, by ward", "/mootshire/you-said-we-did/?by=ward")
    visit("ideas", IDEAS)
    visit("ideas, filtered", f"{IDEAS}?topic=parks&status=under_consideration&sort=supported")
    visit("an idea, signed out", scene.idea.get_absolute_url())
    visit("a councillor's reply link", f"{LETTERS}reply/{scene.message.token}/")
    visit(
        "unsubscribe from an email",
        f"/notifications/unsubscribe/{unsubscribe_token(scene.subscription)}/",
    )


def walk_as_resident(page: Page, check: Check, scene: VoiceScene) -> None:
    """Rita: starts a petition, signs one, supports and comments, writes to Cara."""

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("start a petition", f"{PETITIONS}new/")
    sent_wrong(page, check, "start a petition, sent empty", f"{PETITIONS}new/", "main form")
    visit("check your draft petition", scene.draft.get_absolute_url())
    visit("change your draft petition", f"{PETITIONS}{scene.draft.pk}/edit/")
    visit("your petition awaiting moderation", scene.waiting.get_absolute_url())
    visit("an open petition you follow", scene.library.get_absolute_url())
    visit("an idea you support", scene.idea.get_absolute_url())
    expect(page.locator("#responses ~ .govuk-inset-text")).to_have_count(2)
    expect(page.locator("#comments")).to_have_text("2 comments")
    expect(page.locator(f"#comment-{scene.comment.pk} li")).to_have_count(1)  # the reply
    expect(page.get_by_role("button", name="Withdraw your support")).to_be_visible()
    expect(
        page.get_by_role("button", name="Stop following Benches in Mootford Park")
    ).to_be_visible()
    visit("propose an idea", f"{IDEAS}new/")
    sent_wrong(page, check, "propose an idea, sent empty", f"{IDEAS}new/", "main form")
    visit("write to your councillors", "/lowdale/wards/lowdale-central/write/")
    sent_wrong(
        page,
        check,
        "write to your councillors, sent empty",
        "/lowdale/wards/lowdale-central/write/",
        "main form",
    )
    visit("your messages", LETTERS)
    visit("a message you sent", f"{LETTERS}{scene.message.pk}/")
    visit("message sent", f"{LETTERS}sent/{scene.message.group_id}/")
    visit("what you follow", "/notifications/")


def walk_as_councillor(page: Page, check: Check, scene: VoiceScene) -> None:
    go(page, f"{LETTERS}inbox/")
    check("a councillor's inbox", f"{LETTERS}inbox/")
    go(page, f"{LETTERS}inbox/{scene.message.pk}/")
    check("a message in the inbox", f"{LETTERS}inbox/{scene.message.pk}/")


PUBLIC_PAGES = [
    "petitions",
    "petitions, filtered and sorted",
    "petitions, nothing found",
    "how petitions work",
    "an open petition",
    "an open petition, signed wrong",
    "a rejected petition",
    "check your email",
    "signature confirmed",
    "withdraw a signature",
    "stop updates",
    "a link not found",
    "obligations",
    "you said, we did",
    "you said, we did, by ward",
    "ideas",
    "ideas, filtered",
    "an idea, signed out",
    "a councillor's reply link",
    "unsubscribe from an email",
]
RESIDENT_PAGES = [
    "start a petition",
    "start a petition, sent empty",
    "check your draft petition",
    "change your draft petition",
    "your petition awaiting moderation",
    "an open petition you follow",
    "an idea you support",
    "propose an idea",
    "propose an idea, sent empty",
    "write to your councillors",
    "write to your councillors, sent empty",
    "your messages",
    "a message you sent",
    "message sent",
    "what you follow",
]
COUNCILLOR_PAGES = ["a councillor's inbox", "a message in the inbox"]


def walk_staff(page: Page, check: Check, scene: VoiceScene) -> None:
    """The officer: every petitions and ideas screen of the back-office."""
    library = f"{STAFF_PETITIONS}{scene.library.pk}/"
    idea = f"{STAFF_IDEAS}{scene.idea.pk}/"

    def visit(label: str, path: str, status: int = 200) -> None:
        go(page, path, status)
        check(label, path)

    visit("staff petitions", STAFF_PETITIONS)
    visit("staff petitions, open", f"{STAFF_PETITIONS}?status=open")
    visit("moderation queue", f"{STAFF_PETITIONS}moderation/")
    visit("moderate a petition", f"{STAFF_PETITIONS}{scene.waiting.pk}/moderate/")
    visit("petition workspace", library)
    visit("respond to a petition", f"{library}respond/")
    visit("close a petition", f"{library}close/")
    visit("place a petition on an agenda", f"{library}place/")
    sent_wrong(
        page, check, "place a petition, sent empty", f"{library}place/", "main form[method=post]"
    )
    visit("link a hearing's decision", f"{library}hearings/{scene.hearing.pk}/decision/")
    visit("paper signatures", f"{library}paper/")
    sent_wrong(page, check, "paper signatures, sent empty", f"{library}paper/", "main form")
    visit("abuse checks", f"{library}abuse/")
    visit("invalidate signatures", f"{library}invalidate/")
    visit("invalidate signatures, matched", f"{library}invalidate/?email_domain=spam.example")
    visit("invalidations", f"{library}invalidations/")
    visit("enter a paper petition", f"{STAFF_PETITIONS}paper/")
    sent_wrong(
        page, check, "enter a paper petition, sent empty", f"{STAFF_PETITIONS}paper/", "main form"
    )
    visit("obligations to meet", f"{STAFF_PETITIONS}obligations/")
    visit("obligations met", f"{STAFF_PETITIONS}obligations/?show=met")
    visit("assign an obligation", f"{STAFF_PETITIONS}obligations/{scene.debate.pk}/assign/")

    visit("staff ideas", STAFF_IDEAS)
    visit("staff ideas, filtered", f"{STAFF_IDEAS}?status=under_consideration")
    visit("idea workspace", idea)
    visit("change an idea's status", f"{idea}status/")
    visit("respond to an idea", f"{idea}respond/")
    visit("merge an idea", f"{STAFF_IDEAS}{scene.duplicate.pk}/merge/")
    visit("put an idea on an agenda", f"{idea}agenda/")
    visit("link an idea's decision", f"{STAFF_IDEAS}links/{scene.idea_link.pk}/decision/")
    visit("remove a comment", f"{STAFF_IDEAS}comments/{scene.comment.pk}/remove/")


def walk_admin(page: Page, check: Check) -> None:
    go(page, f"{STAFF_PETITIONS}scheme/")
    check("petition scheme", f"{STAFF_PETITIONS}scheme/")
    go(page, f"{STAFF_IDEAS}settings/")
    check("idea settings", f"{STAFF_IDEAS}settings/")


STAFF_PAGES = [
    "staff petitions",
    "staff petitions, open",
    "moderation queue",
    "moderate a petition",
    "petition workspace",
    "respond to a petition",
    "close a petition",
    "place a petition on an agenda",
    "place a petition, sent empty",
    "link a hearing's decision",
    "paper signatures",
    "paper signatures, sent empty",
    "abuse checks",
    "invalidate signatures",
    "invalidate signatures, matched",
    "invalidations",
    "enter a paper petition",
    "enter a paper petition, sent empty",
    "obligations to meet",
    "obligations met",
    "assign an obligation",
    "staff ideas",
    "staff ideas, filtered",
    "idea workspace",
    "change an idea's status",
    "respond to an idea",
    "merge an idea",
    "put an idea on an agenda",
    "link an idea's decision",
    "remove a comment",
]
ADMIN_PAGES = ["petition scheme", "idea settings"]


def test_every_public_community_voice_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    sign_in: SignIn,
    scene: VoiceScene,
    resident: User,
    cara: User,
):
    audit = Audit(axe_context.new_page(), "en-GB")

    walk_public(audit.page, audit, scene)
    sign_in(axe_context, resident)
    walk_as_resident(audit.page, audit, scene)
    axe_context.clear_cookies()
    sign_in(axe_context, cara)
    walk_as_councillor(audit.page, audit, scene)

    assert audit.seen == PUBLIC_PAGES + RESIDENT_PAGES + COUNCILLOR_PAGES
    assert audit.failures == {}, audit.report()


def test_every_back_office_petitions_and_ideas_page_meets_wcag_2_2_aa(
    axe_context: BrowserContext,
    sign_in: SignIn,
    scene: VoiceScene,
    officer: User,
    council_admin: User,
):
    sign_in(axe_context, officer)
    audit = Audit(axe_context.new_page(), "en-GB")

    walk_staff(audit.page, audit, scene)
    axe_context.clear_cookies()
    sign_in(axe_context, council_admin)
    walk_admin(audit.page, audit)

    assert audit.seen == STAFF_PAGES + ADMIN_PAGES
    assert audit.failures == {}, audit.report()


def test_no_community_voice_page_breaks_the_content_security_policy(
    context: BrowserContext,
    console: Console,
    sign_in: SignIn,
    scene: VoiceScene,
    resident: User,
    cara: User,
    officer: User,
    council_admin: User,
):
    page = console.listen(context.new_page())
    scripts = ScriptsRan(page)

    walk_public(page, scripts, scene)
    for person, walk in (
        (resident, walk_as_resident),
        (cara, walk_as_councillor),
        (officer, walk_staff),
    ):
        context.clear_cookies()
        sign_in(context, person)
        walk(page, scripts, scene)
    context.clear_cookies()
    sign_in(context, council_admin)
    walk_admin(page, scripts)

    assert scripts.seen == (
        PUBLIC_PAGES + RESIDENT_PAGES + COUNCILLOR_PAGES + STAFF_PAGES + ADMIN_PAGES
    )
    assert console.csp_violations == []
    assert console.page_errors == []
