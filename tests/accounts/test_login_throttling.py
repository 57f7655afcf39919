"""Sign-in throttling (allauth's ACCOUNT_RATE_LIMITS, counted in the cache) and MFA for
staff on every staff page and every API write."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import URLResolver, get_resolver

from moothall.api.api import api
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a long walk by the river"
TOO_MANY = "Too many failed login attempts. Try again later."


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def person(email: str):
    user = factories.UserFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


# --- Login throttling -----------------------------------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while():
    user = person("rita.resident@example.org")
    client = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(5):
        assert sign_in(client, user.email, "not my password").status_code == 200

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_guessing_at_one_account_from_many_addresses_is_still_stopped():
    user = person("rita.resident@example.org")
    for n in range(5):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{40 + n}"), user.email, "not my password")

    client = Client(REMOTE_ADDR="198.51.100.99")
    response = sign_in(client, user.email, PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_one_address_trying_many_accounts_is_stopped_after_ten_failures():
    people = [person(f"person{n}@example.org") for n in range(11)]
    client = Client(REMOTE_ADDR="198.51.100.31")
    for someone in people[:10]:
        sign_in(client, someone.email, "not my password")

    response = sign_in(client, people[10].email, PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_a_few_wrong_passwords_do_not_lock_the_owner_out():
    user = person("rita.resident@example.org")
    client = Client(REMOTE_ADDR="198.51.100.32")
    for _ in range(4):
        sign_in(client, user.email, "not my password")

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


# --- MFA for staff everywhere -----------------------------------------------------------------

SAMPLES = {"int": "1", "slug": "x", "str": "x", "": "x", "path": "x", "uuid": "0" * 32}


def staff_paths(council_slug: str) -> list[str]:
    """A concrete path for every route under /<council>/staff/."""
    staff = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern) == "<slug:council>/staff/"
    )

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    paths = []
    for route in walk(staff.url_patterns, f"{council_slug}/staff/"):
        assert "(?P" not in route, route
        paths.append("/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or ""], route))
    return paths


@pytest.fixture
def officer_without_mfa(council):
    user = person("nell.new@example.org")
    factories.RoleFactory(user=user, council=council, kind="officer")
    return user


def test_an_officer_without_mfa_is_sent_to_set_it_up_from_every_staff_page(
    council, officer_without_mfa
):
    client = Client()
    client.force_login(officer_without_mfa)
    paths = staff_paths(council.slug)
    assert len(paths) > 50

    for path in paths:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, (method, path)
            assert response["Location"] == "/accounts/2fa/totp/activate/", (method, path)


def test_an_officer_without_mfa_cannot_write_through_the_api(council, officer_without_mfa):
    client = Client()
    client.force_login(officer_without_mfa)
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    writes = [
        (method, re.sub(r"\{slug\}", council.slug, re.sub(r"\{(?!slug\})\w+\}", "1", path)))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    ]
    assert writes

    for method, path in writes:
        response = client.generic(method.upper(), path, "{}", content_type="application/json")
        assert response.status_code == 302, (method, path)
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_a_request_without_a_session_is_answered_as_varying_on_the_cookie(council):
    # No session: nobody to check, so nobody is looked up; a session cookie could change
    # the answer (to the redirect above), and the answer says so to caches.
    response = Client().post(
        f"/api/v1/councils/{council.slug}/petitions/1/signatures",
        "{}",
        content_type="application/json",
    )
    page = Client().get("/")

    assert response.status_code in {404, 422}
    assert "Cookie" in response["Vary"]
    assert page.status_code == 200
    assert "Cookie" in page["Vary"]


def test_a_platform_admin_without_mfa_cannot_open_the_django_admin():
    admin = factories.UserFactory(
        email="pat.platform@example.org", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(admin)

    response = client.get("/admin/")

    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_the_same_officer_with_mfa_reaches_the_back_office(council, officer_without_mfa):
    factories.give_mfa(officer_without_mfa)
    client = Client()
    client.force_login(officer_without_mfa)

    assert client.get(f"/{council.slug}/staff/").status_code == 200
