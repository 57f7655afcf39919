"""Following a council meeting live, in a real browser, through uvicorn (as it is served).

- A signed-in resident opens the live page of a meeting that is under way. The clerk
  (through the verbs) moves to the next item and posts on the live blog: the page shows
  both within a few seconds, without a reload. The resident posts a comment by keyboard
  alone and sees it (post-moderation), or is told a moderator will check it first
  (pre-moderation; the moderator then publishes it and it appears). The clerk moves into
  an exempt item: the page says "private session" and the comment form goes.
- Without JavaScript the page shows the state at load time and a refresh link, and
  commenting still works.
- The clerk runs the meeting from the console by keyboard alone (signed in with a
  password and an app code): start, first item, next item, a live blog post; someone
  following the live page sees each step as it happens.

The stream (server-sent events) needs an ASGI server; see ``tests/browser/live_scene.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from moothall.accounts.models import User
from moothall.live import contributions
from moothall.live import domain as live
from moothall.live.models import BlogPost, Comment, LiveMeeting
from tests.browser.conftest import (
    Console,
    at_path,
    sign_in_with_password,
    submit,
    with_password,
)
from tests.browser.live.conftest import new_context
from tests.browser.live_scene import (
    LiveScene,
    moderate_first,
    sign_in_at,
)
from tests.browser.test_staff_pages import app_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]

# "Within about a second" on a quiet machine; a few seconds on a busy test machine.
SOON_MS = 5_000


@pytest.fixture
def follower(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    """A visitor of the uvicorn server, scripts on, our CSP enforced."""
    yield from new_context(browser, asgi)


@pytest.fixture
def clerk_context(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    yield from new_context(browser, asgi)


@pytest.fixture
def no_js_follower(browser: Browser, asgi: str) -> Iterator[BrowserContext]:
    yield from new_context(browser, asgi, java_script_enabled=False)


# --- Keyboard helpers ------------------------------------------------------------------------


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.textContent.trim()})"
    )


def _tab_to(page: Page, **wanted: str) -> None:
    """Press Tab until the focused element has the ``wanted`` tag, id or text (at most 100)."""
    for _ in range(100):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if all(focused[key] == value for key, value in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {wanted}; it stopped at {_focused(page)}")


def _press_button(page: Page, text: str, key: str = "Enter") -> None:
    """Tab to the button and press it; return once the page it leads to has loaded (often
    the same address: the form's redirect back)."""
    _tab_to(page, tag="BUTTON", text=text)
    with page.expect_navigation():
        page.keyboard.press(key)


def _mark_page(page: Page) -> None:
    """A flag only this very document carries: gone if the page is ever reloaded."""
    page.evaluate("() => { window.mhNotReloaded = true; }")


def _not_reloaded(page: Page) -> bool:
    return page.evaluate("() => window.mhNotReloaded === true")


def _following(page: Page) -> None:
    """The page has opened its stream (live.js hides the refresh link on ``open``)."""
    expect(page.locator("#live-refresh")).to_be_hidden(timeout=SOON_MS)


CURRENT_ITEM = "[data-live-item=public]"
PRIVATE_ITEM = "[data-live-item=private]"
BLOG = "[data-live-list=blog] > li"
COMMENTS = "[data-live-list=comment] > li"


# --- A resident follows a live meeting and comments --------------------------------------------


@pytest.mark.parametrize("moderation", ["post", "pre"])
def test_a_resident_follows_a_live_meeting_and_comments_by_keyboard(
    follower: BrowserContext,
    console: Console,
    asgi: str,
    scene: LiveScene,
    moderator: User,
    moderation: str,
):
    moderate_first(scene.council, comments=moderation == "pre")
    clerk, meeting = scene.officer, scene.meeting
    live.start_live(clerk, meeting)
    live.next_item(clerk, meeting)  # 1. Apologies

    sign_in_at(follower, asgi, scene.resident)
    page = console.listen(follower.new_page())
    page.goto(scene.live_path)
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator(CURRENT_ITEM)).to_have_text("1. Apologies")
    expect(page.locator("[data-live-empty=blog]")).to_be_visible()
    _following(page)
    _mark_page(page)

    # The clerk moves on and blogs: the page follows, without a reload.
    live.next_item(clerk, meeting)
    expect(page.locator(CURRENT_ITEM)).to_have_text("2. Library budget", timeout=SOON_MS)
    live.post_blog(clerk, meeting, text="The **library budget** is moved by Cllr Jones.")
    entry = page.locator(BLOG).first
    expect(entry).to_contain_text("The library budget is moved by Cllr Jones.", timeout=SOON_MS)
    expect(entry.locator("strong")).to_have_text("library budget")
    expect(page.locator("[data-live-empty=blog]")).to_be_hidden()
    assert _not_reloaded(page)

    # The resident comments by keyboard alone.
    _tab_to(page, id="comment-text")
    page.keyboard.type("Please keep the mobile library.")
    _press_button(page, "Post comment")
    at_path(page, scene.live_path)
    comments = page.locator(COMMENTS)
    if moderation == "post":
        expect(page.locator("main")).to_contain_text("Your comment has been published.")
        expect(comments.first).to_contain_text("Please keep the mobile library.")
        expect(comments.first).to_contain_text("Rita Resident")
    else:
        expect(page.locator("main")).to_contain_text(
            "Thank you. Your comment will appear once a moderator has checked it."
        )
        expect(comments).to_have_count(0)
        # A moderator publishes it: it appears on the page as it stands.
        _following(page)
        _mark_page(page)
        contributions.decide_comment(moderator, Comment.objects.get(), publish=True)
        expect(comments.first).to_contain_text("Please keep the mobile library.", timeout=SOON_MS)
        assert _not_reloaded(page)
        # Put in by the script, it can be reported like one the server rendered.
        report = comments.first.get_by_role("link", name="Report the comment by Rita Resident")
        expect(report).to_have_attribute(
            "href", f"/{scene.council.slug}/report/live_comment/{Comment.objects.get().pk}/"
        )
    comment = Comment.objects.get()
    assert (comment.author, comment.item, comment.status) == (
        scene.resident,
        scene.budget,
        "published",
    )

    # Into the exempt item: private session, and no comment form.
    _following(page)
    _mark_page(page)
    expect(page.locator("#comment-form")).to_be_visible()
    live.next_item(clerk, meeting)
    expect(page.locator(PRIVATE_ITEM)).to_be_visible(timeout=SOON_MS)
    expect(page.locator(PRIVATE_ITEM)).to_have_text("Item 3: private session")
    expect(page.locator(CURRENT_ITEM)).to_be_hidden()
    expect(page.locator("#private-session")).to_be_visible()
    expect(page.locator("#private-session h2")).to_have_text("Private session")
    expect(page.locator("#comment-form")).to_be_hidden()
    expect(page.locator("#upload-form")).to_be_hidden()
    expect(page.locator("[data-live-closed=private]")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Sale of the depot")
    assert _not_reloaded(page)

    # ... and back to public business: the form returns.
    live.next_item(clerk, meeting)
    expect(page.locator(CURRENT_ITEM)).to_have_text("4. Date of the next meeting", timeout=SOON_MS)
    expect(page.locator("#comment-form")).to_be_visible()
    expect(page.locator("#private-session")).to_be_hidden()

    assert console.csp_violations == []
    assert console.page_errors == []


# --- Without JavaScript ---------------------------------------------------------------------------


def test_without_javascript_the_live_page_shows_the_state_at_load_and_a_refresh_link(
    no_js_follower: BrowserContext, asgi: str, scene: LiveScene
):
    clerk, meeting = scene.officer, scene.meeting
    live.start_live(clerk, meeting)
    live.next_item(clerk, meeting)
    live.next_item(clerk, meeting)  # 2. Library budget
    live.post_blog(clerk, meeting, text="The **library budget** is moved by Cllr Jones.")

    sign_in_at(no_js_follower, asgi, scene.resident)
    page = no_js_follower.new_page()
    page.goto(scene.live_path)
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator(CURRENT_ITEM)).to_have_text("2. Library budget")
    expect(page.locator(BLOG).first).to_contain_text("The library budget is moved by Cllr Jones.")
    refresh = page.get_by_role("link", name="Refresh this page")
    expect(refresh).to_be_visible()
    expect(refresh).to_have_attribute("href", scene.live_path)

    # A plain form post works too.
    page.locator("#comment-text").fill("Will the mobile library still come to Brookby?")
    with page.expect_navigation():
        submit(page, "#comment-form")
    at_path(page, scene.live_path)
    expect(page.locator(COMMENTS).first).to_contain_text(
        "Will the mobile library still come to Brookby?"
    )

    # The page keeps what it showed at load; the refresh link brings the news.
    live.next_item(clerk, meeting)  # 3. exempt
    live.post_blog(clerk, meeting, text="The public gallery is cleared.")
    expect(page.locator(CURRENT_ITEM)).to_have_text("2. Library budget")
    expect(page.locator("main")).not_to_contain_text("The public gallery is cleared.")
    with page.expect_navigation():
        page.get_by_role("link", name="Refresh this page").click()
    at_path(page, scene.live_path)
    expect(page.locator(PRIVATE_ITEM)).to_have_text("Item 3: private session")
    expect(page.locator("#private-session")).to_be_visible()
    expect(page.locator(BLOG).first).to_contain_text("The public gallery is cleared.")
    expect(page.locator("#comment-form")).to_have_count(0)
    expect(page.locator("[data-live-closed=private]")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Sale of the depot")


# --- The clerk's console ----------------------------------------------------------------------------


def _banner(page: Page) -> str:
    banner = page.locator(".govuk-notification-banner--success")
    return banner.locator(".govuk-notification-banner__content").inner_text().strip()


def test_the_clerk_runs_the_meeting_from_the_console_by_keyboard_alone(
    clerk_context: BrowserContext,
    follower: BrowserContext,
    console: Console,
    scene: LiveScene,
):
    clerk = with_password(scene.officer)
    watcher = follower.new_page()
    watcher.goto(scene.live_path)
    expect(watcher.locator("#live-status")).to_have_text("Not started yet")
    expect(watcher.locator("[data-live-closed=not_started]")).to_be_visible()
    _following(watcher)
    _mark_page(watcher)

    page = console.listen(clerk_context.new_page())
    sign_in_with_password(page, clerk.email)
    at_path(page, "/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(app_code(clerk))
    submit(page, "form[action='/accounts/2fa/authenticate/']")
    at_path(page, "/")

    page.goto(scene.console_path)
    expect(page.locator("#live-status")).to_have_text("Not started")
    _press_button(page, "Start the meeting")
    at_path(page, scene.console_path)
    assert _banner(page) == "The meeting is live."
    expect(watcher.locator("#live-status")).to_have_text("Live", timeout=SOON_MS)

    _press_button(page, "First item")
    at_path(page, scene.console_path)
    assert _banner(page) == "Now on item 1."
    expect(page.locator("#live-item")).to_have_text("1. Apologies")
    expect(watcher.locator(CURRENT_ITEM)).to_have_text("1. Apologies", timeout=SOON_MS)

    _press_button(page, "Next item")
    at_path(page, scene.console_path)
    assert _banner(page) == "Now on item 2."
    expect(page.locator("#live-item")).to_have_text("2. Library budget")
    expect(watcher.locator(CURRENT_ITEM)).to_have_text("2. Library budget", timeout=SOON_MS)

    _tab_to(page, id="id_text")
    page.keyboard.type("The library budget is agreed *unanimously*.")
    _tab_to(page, id="id_link")
    page.keyboard.type("https://www.example.org/library-budget")
    _press_button(page, "Post")
    at_path(page, scene.console_path)
    assert _banner(page) == "Posted on the live blog."
    entry = watcher.locator(BLOG).first
    expect(entry).to_contain_text("The library budget is agreed unanimously.", timeout=SOON_MS)
    expect(entry.locator("em")).to_have_text("unanimously")
    expect(entry.get_by_role("link")).to_have_attribute(
        "href", "https://www.example.org/library-budget"
    )
    assert _not_reloaded(watcher)

    state = LiveMeeting.objects.get(meeting=scene.meeting)
    assert (state.status, state.current_item) == ("live", scene.budget)
    post = BlogPost.objects.get()
    assert (post.author, post.item, post.link) == (
        clerk,
        scene.budget,
        "https://www.example.org/library-budget",
    )
    assert console.csp_violations == []
    assert console.page_errors == []
