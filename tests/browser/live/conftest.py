"""Fixtures of the live-meeting browser tests: Mootshire's Cabinet meeting and the app
served by uvicorn (Django's WSGI live server would read an event stream to its end)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from moothall.accounts.models import User
from moothall.councils.models import Council
from tests.browser.live_scene import LiveScene, build_live_scene, serve_asgi
from tests.browser.meetings_scene import mootshire


@pytest.fixture
def council(transactional_db) -> Council:
    return mootshire()


@pytest.fixture
def scene(council: Council, officer: User, resident: User) -> LiveScene:
    return build_live_scene(council, officer=officer, resident=resident)


@pytest.fixture
def asgi(browser: Browser, transactional_db: None) -> Iterator[str]:
    # Stopped before the test database is emptied (its streams read it to the end).
    with serve_asgi() as base_url:
        yield base_url


def new_context(browser: Browser, base_url: str, **options: object) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()
