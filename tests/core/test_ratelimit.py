"""Rate limits on every write (moothall.core.ratelimit): each route and API operation.

The test settings turn rate limits off (tests/conftest.py); these tests turn them on.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import resolve
from django.urls.exceptions import Resolver404

from moothall.api.api import api
from moothall.core import ratelimit
from moothall.core.ratelimit import Limit, parse, route_class
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

CLASSES = ("sign", "api", "account", "staff", "site")
ONE_WRITE = dict.fromkeys(CLASSES, "1/m")


# The middleware's clock, stopped half a minute into a window: two writes a test makes in
# a row then always fall in the same minute (on the real clock, one of hundreds of tests
# would now and then send its second write in the next minute, and pass it).
STOPPED_AT = 1_800_000_030.0


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: STOPPED_AT))
    cache.clear()
    yield
    cache.clear()


def limited(**rates: str):
    return override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS={**ONE_WRITE, **rates})


# --- Every route --------------------------------------------------------------------------

SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
# The few regex routes (Django's admin and allauth), by their group names.
REGEX_SAMPLES = {"app_label": "auth", "url": "x", "uidb36": "1", "key": "x"}


def sample_path(route: str) -> str:
    """A concrete path that the route (a chain of path() and re_path() pieces) matches."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: REGEX_SAMPLES.get(m.group(1), "x"), route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "", "x"), path)
    path = path.replace("^", "").replace("$", "").replace(r"[\s\S]*", "x")
    return "/" + path


def every_route() -> list[tuple[str, str]]:
    routes = []
    for _name, route in all_routes():
        path = sample_path(route)
        routes.append((route, path))
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"the sample path {path} does not reach the route {route}")
        # The path reaches this very route, not an earlier one, so the route is tested.
        assert match.route == route.replace("/^", "/"), (route, path, match.route)
    return routes


ROUTES = every_route()


def test_the_route_walk_sees_the_whole_site():
    # A sanity check of the walk itself: the site, the staff pages, allauth and the API.
    paths = [path for _, path in ROUTES]
    assert len(paths) > 300
    assert "/x/petitions/1/sign/" in paths
    assert "/x/staff/" in paths
    assert "/accounts/login/" in paths
    assert "/api/v1/councils/x/petitions/1/signatures" in paths


@pytest.mark.parametrize(("route", "path"), ROUTES, ids=[r for r, _ in ROUTES])
def test_every_route_refuses_the_second_write_over_a_limit_of_one(route, path):
    client = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.20")

    with limited():
        client.post(path, {})  # what the view answers does not matter here
        response = client.post(path, {})

    assert response.status_code == 429, (route, path)
    assert int(response["Retry-After"]) in range(1, 61)
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
        assert "Too many requests" in response.json()["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "Sorry, you have sent too many requests" in response.content.decode()


def api_writes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for template, operations in schema["paths"].items():
        for method in operations:
            if method.upper() in ratelimit.UNSAFE_METHODS:
                found.append((method.upper(), re.sub(r"\{(\w+)\}", "1", template)))
    return found


API_WRITES = api_writes()


def test_the_api_has_write_operations_to_limit():
    assert ("POST", "/api/v1/councils/1/petitions/1/signatures") in API_WRITES


@pytest.mark.parametrize(("method", "path"), API_WRITES, ids=[f"{m} {p}" for m, p in API_WRITES])
def test_every_api_write_operation_refuses_the_second_write_over_a_limit_of_one(method, path):
    client = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.21")

    with limited():
        client.generic(method, path, "{}", content_type="application/json")
        response = client.generic(method, path, "{}", content_type="application/json")

    assert response.status_code == 429
    assert response.json() == {"detail": response.json()["detail"]}
    assert response["Retry-After"].isdigit()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_unsafe_methods_count_too(method):
    client = Client(raise_request_exception=False)

    with limited():
        client.generic(method, "/councils/")
        response = client.generic(method, "/councils/")

    assert response.status_code == 429


# --- How writes are counted ----------------------------------------------------------------


def test_reading_is_never_limited(client, council):
    with limited():
        statuses = {client.get("/councils/").status_code for _ in range(5)}

    assert statuses == {200}


def test_each_visitor_address_has_its_own_budget():
    first = Client(REMOTE_ADDR="198.51.100.1")
    second = Client(REMOTE_ADDR="198.51.100.2")

    with limited():
        first.post("/i18n/setlang/", {"language": "cy"})
        refused = first.post("/i18n/setlang/", {"language": "cy"})
        allowed = second.post("/i18n/setlang/", {"language": "cy"})

    assert refused.status_code == 429
    assert allowed.status_code == 302


def test_a_signed_in_person_is_counted_by_account_not_by_address(resident, council):
    # Two browsers of one person share a budget, wherever they are.
    home = Client(REMOTE_ADDR="198.51.100.1")
    office = Client(REMOTE_ADDR="198.51.100.2")
    home.force_login(resident)
    office.force_login(resident)

    with limited():
        home.post("/i18n/setlang/", {"language": "cy"})
        response = office.post("/i18n/setlang/", {"language": "cy"})

    assert response.status_code == 429


def test_each_route_class_has_its_own_budget():
    client = Client(raise_request_exception=False)

    with limited():
        client.post("/i18n/setlang/", {"language": "cy"})
        sign = client.post("/x/petitions/1/sign/", {})
        api_write = client.post("/api/v1/councils/", "{}", content_type="application/json")
        staff = client.post("/x/staff/", {})

    assert sign.status_code != 429
    assert api_write.status_code != 429
    assert staff.status_code != 429


def test_the_window_resets_after_its_period():
    limit = Limit(count=2, seconds=60)

    assert ratelimit.hit("site", "ip:x", limit, now=6000.0) is None
    assert ratelimit.hit("site", "ip:x", limit, now=6010.0) is None
    assert ratelimit.hit("site", "ip:x", limit, now=6030.0) == 30
    assert ratelimit.hit("site", "ip:x", limit, now=6060.0) is None


def test_signing_a_petition_is_allowed_far_more_than_other_writes():
    from django.conf import settings

    limits = {name: parse(rate) for name, rate in settings.RATE_LIMITS.items()}
    assert set(limits) == set(CLASSES)
    per_minute = {name: limit.count * 60 / limit.seconds for name, limit in limits.items()}
    assert per_minute["sign"] >= 2 * per_minute["site"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mootshire/petitions/12/sign/", "sign"),
        ("/api/v1/councils/mootshire/petitions/12/signatures", "sign"),
        ("/api/v1/signatures/confirm", "sign"),
        ("/api/v1/signatures/withdraw", "sign"),
        ("/api/v1/councils/", "api"),
        ("/accounts/login/", "account"),
        ("/mootshire/staff/petitions/", "staff"),
        ("/admin/accounts/user/", "staff"),
        ("/mootshire/ideas/new/", "site"),
        ("/mootshire/petitions/12/signed/", "site"),
    ],
)
def test_routes_fall_into_their_classes(path, expected):
    assert route_class(path) == expected


@pytest.mark.parametrize("rate", ["", "ten/m", "10/fortnight", "0/m", "5"])
def test_a_nonsense_rate_fails_loudly(rate):
    with pytest.raises(ImproperlyConfigured):
        parse(rate)


@pytest.mark.parametrize(("rate", "limit"), [("30/m", Limit(30, 60)), ("5/300", Limit(5, 300))])
def test_rates_read_as_count_per_period(rate, limit):
    assert parse(rate) == limit


# --- What the refused caller sees -----------------------------------------------------------


def test_the_site_answers_a_govuk_page_saying_nothing_was_saved(client, council):
    with limited():
        client.post("/i18n/setlang/", {"language": "en-gb"})
        response = client.post("/i18n/setlang/", {"language": "en-gb"})

    html = response.content.decode()
    assert response.status_code == 429
    assert '<h1 class="govuk-heading-l">Sorry, you have sent too many requests</h1>' in html
    seconds = int(response["Retry-After"])
    assert "Nothing was saved. Wait" in html
    assert f"Wait {seconds} second" in html
    assert "Content-Security-Policy" in response.headers


def test_the_api_answers_its_json_error_shape(client):
    with limited():
        client.post("/api/v1/signatures/confirm", "{}", content_type="application/json")
        response = client.post("/api/v1/signatures/confirm", "{}", content_type="application/json")

    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert response.json() == {"detail": f"Too many requests. Try again in {seconds} seconds."}


def test_a_refused_write_stores_nothing(client, council, resident):
    from moothall.ideas.models import Idea

    client.force_login(resident)
    with limited():
        client.post("/i18n/setlang/", {"language": "en-gb"})  # uses up the site's budget
        response = client.post(
            f"/{council.slug}/ideas/new/", {"title": "A bench by the pond", "body": "Please"}
        )

    assert response.status_code == 429
    assert not Idea.objects.exists()


def test_rate_limits_are_off_in_the_test_settings_unless_a_test_turns_them_on(client):
    statuses = {
        client.post("/i18n/setlang/", {"language": "en-gb"}).status_code for _ in range(100)
    }

    assert statuses == {302}


def test_allauths_own_limits_answer_the_same_govuk_page(rf):
    from allauth.core.internal.ratelimit import respond_429
    from django.contrib.auth.models import AnonymousUser

    request = rf.post("/accounts/login/code/")
    request.user = AnonymousUser()

    response = respond_429(request)

    html = response.content.decode()
    assert response.status_code == 429
    assert '<h1 class="govuk-heading-l">Sorry, you have sent too many requests</h1>' in html
    assert "Nothing was saved. Wait a few minutes, then go back and try again." in html


def test_with_redis_the_count_lives_in_redis_where_every_process_shares_it():
    import os

    import redis

    from tests.services import require_redis

    url = require_redis(os.environ.get("MOOTHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    prefix = f"moothall-ratelimit-test-{os.getpid()}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    limit = Limit(count=2, seconds=60)
    with override_settings(CACHES=redis_cache):
        try:
            assert ratelimit.hit("site", "ip:shared", limit, now=600.0) is None
            assert ratelimit.hit("site", "ip:shared", limit, now=601.0) is None
            assert ratelimit.hit("site", "ip:shared", limit, now=602.0) == 58
            # What another process would read: one counter in Redis, at 3, expiring.
            server = redis.Redis.from_url(url)
            [key] = server.keys(f"{prefix}:*")
            assert key.decode().endswith(":ratelimit:site:ip:shared:60:10")
            assert server.get(key) == b"3"
            assert 0 < server.ttl(key) <= 61
        finally:
            # Only our keys: clearing the cache would flush the whole Redis database.
            server = redis.Redis.from_url(url)
            for key in server.keys(f"{prefix}:*"):
                server.delete(key)
