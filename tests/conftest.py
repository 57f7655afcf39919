"""Test set-up: settings for the test run, and the personas every test speaks of.

Personas (all at Mootshire County Council unless said otherwise):
- ``resident``: signed in, email verified, lives at a Mootshire postcode.
- ``councillor_user``: an elected member with a linked councillor record.
- ``officer``, ``moderator``, ``council_admin``: council staff, with MFA on.
- ``outsider``: an officer of a *different* council.
- ``platform_admin``: a superuser of the whole instance, with MFA on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests import factories

# Property tests draw the same examples on every run (the suite is deterministic; a failure
# found once is found again), keep no example database, and never fail on timing alone.
hypothesis_settings.register_profile("moothall", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("moothall")

SHARED_DATA = Path(
    os.environ.get("MOOTHALL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Plain http in tests (the live server and the test client speak http).
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Static files straight from the source folders: no collectstatic needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # Tasks run at once, in the test's own transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Uploaded files go to a fresh folder per run, never into var/media.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="moothall-media-")
    # `demo` without its ten-year meetings archive (a minute's work; tested on its own,
    # small, in tests/meetings/test_demo_data.py).
    settings.DEMO_MEETINGS_ARCHIVE = False
    # The audit log is append-only; only the test flush (core's `flush`) may empty it.
    settings.AUDIT_LOG_FLUSHABLE = True
    # Rate limits on writes are off: tests post a lot; tests/core/test_ratelimit.py turns
    # them on where it tests them.
    settings.RATE_LIMITS_ENABLED = False


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data folder is missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def council(db):
    return factories.CouncilFactory(
        name="Mootshire County Council", short_name="Mootshire", slug="mootshire", tier="county"
    )


@pytest.fixture
def other_council(db):
    return factories.CouncilFactory(
        name="Elsewhere District Council", short_name="Elsewhere", slug="elsewhere", tier="district"
    )


@pytest.fixture
def resident(db):
    return factories.UserFactory(
        email="rita.resident@example.org", name="Rita Resident", postcode="MH1 1AA"
    )


@pytest.fixture
def councillor_user(council):
    user = factories.UserFactory(email="cllr.chris@example.org", name="Chris Councillor")
    seat = factories.CouncillorFactory(council=council, person__name="Chris Councillor")
    factories.RoleFactory(user=user, council=council, kind="councillor", councillor=seat)
    return user


def _staff(council, email: str, kind: str):
    user = factories.UserFactory(email=email, name=email.split("@")[0].replace(".", " ").title())
    factories.RoleFactory(user=user, council=council, kind=kind)
    factories.give_mfa(user)
    return user


@pytest.fixture
def officer(council):
    return _staff(council, "olive.officer@example.org", "officer")


@pytest.fixture
def moderator(council):
    return _staff(council, "morgan.moderator@example.org", "moderator")


@pytest.fixture
def council_admin(council):
    return _staff(council, "ada.admin@example.org", "council_admin")


@pytest.fixture
def outsider(other_council):
    return _staff(other_council, "otto.outsider@example.org", "officer")


@pytest.fixture
def platform_admin(db):
    user = factories.UserFactory(email="pat.platform@example.org", is_staff=True, is_superuser=True)
    factories.give_mfa(user)
    return user


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language. (A request in Welsh leaves Welsh
    active in the thread — LocaleMiddleware does not switch back — and a later test that
    calls a verb directly would otherwise read Welsh messages.)"""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
