"""Every URL route and API operation has a row in the role × action matrix, and each row is
requested as each role: allowed roles get through, the others are refused and write nothing.

- The routes come from ``django.urls.get_resolver()`` (walked recursively, names composed
  with their namespaces) and the API operations from the ninja API's OpenAPI schema (path +
  method). A route or operation without a row fails ``test_every_route_has_a_row`` /
  ``test_every_api_operation_has_a_row``, naming it.
- Rows are in ``tests/security/route_matrix/*_rows.py`` (format: ``route_matrix/spec.py`` and
  /work/notes/route_matrix.md). One scene (``route_matrix/scene.py``) is built once per
  module inside a transaction that is rolled back at the end; each request runs in its own
  savepoint, rolled back, so an allowed write does not change the scene for the next role.
- Roles (``spec.ROLES``): anonymous, resident, councillor, officer, moderator, council admin
  (all at the scene's council), an officer of another council, a platform admin. Staff
  have TOTP turned on; clients sign in with ``force_login``.
- Allowed: a status in the row's ``ok`` (a redirect to sign-in never counts). Refused: 403,
  404, or a redirect to sign-in; a refused POST must not INSERT, UPDATE or DELETE anything
  (the SQL of the request is captured; only ``django_session`` may be written).

More checks on the same rows:
- a method a row does not declare (GET or POST) is answered 405 even to the platform admin
  (``test_undeclared_methods_are_not_answered``), and DELETE writes nothing
  (``test_other_methods_change_nothing``), so no handler escapes its row;
- every route that names an object besides the council, asked through the *other*
  council's URL (same ids, slugs, tokens) by an officer of that council, is refused and
  writes nothing (``test_objects_are_only_reached_through_their_own_council``);
- rows with a ``variant`` try the same route with what must not be public (drafts, exempt
  papers, petitions before moderation).

Routes covered by a stated rule rather than a row each:
- The Django admin (``admin:*``): platform staff only. ``test_the_admin_is_for_platform_staff``
  checks the index and a few change lists for every role.
- allauth (``account_*``, ``mfa_*``): the sign-in, sign-up and account pages, open to
  anonymous visitors by design (MFA pages need a signed-in person).
  ``test_account_pages_follow_the_stated_rule`` checks a few.
- Unnamed patterns listed in ``UNNAMED`` (the API's JSON 404 for unknown paths).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.routes import all_routes
from tests.security import route_matrix
from tests.security.route_matrix.spec import ROLES, Row

# Routes without a name, and why they need no row.
UNNAMED = {
    "api/v1/^[\\s\\S]*$": "the API's JSON 404 for any other path under /api/v1/",
}
RULE_PREFIXES = ("admin:", "account_", "mfa_")

# The table an INSERT, UPDATE or DELETE writes to (SQLite and PostgreSQL quote names alike).
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
MAY_WRITE = frozenset({"django_session"})


# --- Enumerating -------------------------------------------------------------------------


def api_operations() -> list[tuple[str, str]]:
    """(path, method) of every operation in the API's OpenAPI schema."""
    from moothall.api.api import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((path, method))
    return found


def row_modules() -> list[ModuleType]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(route_matrix.__path__)
        if info.name.endswith("_rows")
    )
    return [importlib.import_module(f"{route_matrix.__name__}.{name}") for name in names]


def all_rows() -> list[Row]:
    return [row for module in row_modules() for row in module.ROWS]


ROWS = all_rows()
PATTERNS = dict(all_routes())


def _row_id(row: Row, method: str = "") -> str:
    variant = f"~{row.variant}" if row.variant else ""
    return f"{row.name}{variant}-{method}" if method else f"{row.name}{variant}"


CASES = [
    pytest.param(row, method, id=_row_id(row, method))
    for row in ROWS
    for method, _ in row.methods()
]


# --- The scene and the clients ------------------------------------------------------------


@pytest.fixture(scope="module")
def scene(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    from tests.security.route_matrix.scene import build

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
            for module in row_modules():
                extend = getattr(module, "extend_scene", None)
                if extend is not None:
                    extend(built)
            built.clients = {}
            for role in ROLES:
                client = Client()
                user = built.users[role]
                if user is not None:
                    client.force_login(user)
                built.clients[role] = client
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _sign_in_url() -> str:
    return reverse("account_login")


def _is_sign_in_redirect(response: Any) -> bool:
    return response.status_code in (301, 302, 303) and response["Location"].startswith(
        _sign_in_url()
    )


def _writes(queries: list[dict[str, str]]) -> list[str]:
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(1) not in MAY_WRITE:
            found.append(query["sql"][:160])
    return found


def _request(
    scene: SimpleNamespace, role: str, method: str, url: str, data: Any
) -> tuple[Any, list[str]]:
    client = scene.clients[role]
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url) if method == "get" else client.post(url, data)
        transaction.set_rollback(True)
    return response, _writes(captured.captured_queries)


def _describe(response: Any) -> str:
    where = response.get("Location", "")
    return f"{response.status_code}{' → ' + where if where else ''}"


# --- Coverage -----------------------------------------------------------------------------


def test_every_route_has_a_row() -> None:
    named = {row.name for row in ROWS}
    missing = []
    for name, pattern in all_routes():
        if pattern.startswith("admin/"):
            continue  # the Django admin: the stated rule (its unnamed redirects included)
        if not name:
            if pattern not in UNNAMED:
                missing.append(f"(unnamed) {pattern}")
            continue
        if name.startswith(RULE_PREFIXES):
            continue
        if name not in named:
            missing.append(f"{name}  {pattern}")
    assert not missing, "routes without a row in the permission matrix:\n" + "\n".join(
        sorted(set(missing))
    )


def test_every_row_names_a_route_once() -> None:
    routes = {name for name, _ in all_routes()}
    names = [row.name for row in ROWS]
    keys = [(row.name, row.variant) for row in ROWS]
    unknown = sorted(set(names) - routes)
    doubled = sorted({key for key in keys if keys.count(key) > 1})
    assert not unknown, f"rows for routes that do not exist: {unknown}"
    assert not doubled, f"routes with more than one row: {doubled}"


def _api_pattern(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def test_every_api_operation_has_a_row() -> None:
    by_path = {
        _api_pattern(pattern): name for name, pattern in all_routes() if name.startswith("api:")
    }
    declared = {(row.name, method) for row in ROWS for method, _ in row.methods()}
    operations = api_operations()
    assert len(operations) > 30  # the schema was read
    missing = []
    for path, method in operations:
        name = by_path.get(path)
        if name is None:
            missing.append(f"{method.upper()} {path} (no URL pattern found)")
        elif (name, method) not in declared:
            missing.append(f"{method.upper()} {path} ({name})")
    assert not missing, "API operations without a row:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_the_write_check_sees_a_write(scene: SimpleNamespace) -> None:
    """The "refused POST writes nothing" check is not vacuous: an allowed write is seen."""
    response, writes = _request(
        scene, "resident", "post", reverse("search:save"), {"q": "potholes"}
    )

    assert response.status_code in (200, 302)
    assert any("search_savedsearch" in sql for sql in writes), writes


# --- The matrix ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "method"), CASES)
def test_route(scene: SimpleNamespace, row: Row, method: str) -> None:
    allowed = dict(row.methods())[method]
    url = reverse(row.name, kwargs=dict(row.kwargs(scene))) + row.query
    data = row.body(scene) if method == "post" else None
    ok = row.ok_for(method)
    wrong = []
    for role in ROLES:
        response, writes = _request(scene, role, method, url, data)
        if role in allowed:
            if response.status_code not in ok or _is_sign_in_redirect(response):
                wrong.append(f"{role}: allowed, expected {ok}, got {_describe(response)}")
            if method == "post" and row.no_writes and writes:
                wrong.append(f"{role}: this POST must write nothing, wrote {writes}")
        else:
            refused = response.status_code in (403, 404) or _is_sign_in_redirect(response)
            if not refused:
                wrong.append(f"{role}: must be refused, got {_describe(response)}")
            if method == "post" and writes:
                wrong.append(f"{role}: refused POST wrote {writes}")
    assert not wrong, (
        f"{method.upper()} {url} ({_row_id(row)}{'; ' + row.note if row.note else ''}):\n"
        + "\n".join(wrong)
    )


# --- Stated rules -------------------------------------------------------------------------


ADMIN_PAGES = ["admin:index", "admin:accounts_user_changelist", "admin:councils_council_changelist"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_admin_is_for_platform_staff(scene: SimpleNamespace, name: str) -> None:
    url = reverse(name)
    wrong = []
    for role in ROLES:
        response, _ = _request(scene, role, "get", url, None)
        if role == "platform_admin":
            if response.status_code != 200:
                wrong.append(f"{role}: expected 200, got {_describe(response)}")
        elif not (
            response.status_code in (403, 404)
            or (response.status_code == 302 and "login" in response["Location"])
        ):
            wrong.append(f"{role}: must be refused, got {_describe(response)}")
    assert not wrong, f"GET {url}:\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "anonymous_ok"),
    [("account_login", True), ("account_signup", True), ("account_reset_password", True),
     ("mfa_index", False), ("account_email", False), ("account_change_password", False)],
)  # fmt: skip
def test_account_pages_follow_the_stated_rule(
    scene: SimpleNamespace, name: str, anonymous_ok: bool
) -> None:
    url = reverse(name)
    response, _ = _request(scene, "anonymous", "get", url, None)
    if anonymous_ok:
        assert response.status_code == 200
    else:
        assert _is_sign_in_redirect(response), _describe(response)
        signed_in, _ = _request(scene, "resident", "get", url, None)
        assert signed_in.status_code in (200, 302), _describe(signed_in)


# --- Methods a row does not declare ---------------------------------------------------------


PROBES = [
    pytest.param(row, method, id=_row_id(row, method))
    for row in ROWS
    for method in ("get", "post")
    if method not in dict(row.methods())
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "method"), PROBES)
def test_undeclared_methods_are_not_answered(scene: SimpleNamespace, row: Row, method: str) -> None:
    """A method a row does not declare is answered 405 even for the platform admin, so no
    handler escapes the matrix by accepting a method its row does not test."""
    url = reverse(row.name, kwargs=dict(row.kwargs(scene))) + row.query
    response, writes = _request(scene, "platform_admin", method, url, {})
    assert response.status_code == 405, (
        f"{method.upper()} {url} ({row.name}) is answered {_describe(response)}: declare "
        f"{method}= in its row"
    )
    assert not writes


@pytest.mark.django_db
@pytest.mark.parametrize("row", [pytest.param(row, id=_row_id(row)) for row in ROWS])
def test_other_methods_change_nothing(scene: SimpleNamespace, row: Row) -> None:
    """DELETE (standing for every method besides GET and POST) as the platform admin is
    answered 405, or — by pages that answer any method like GET — writes nothing."""
    url = reverse(row.name, kwargs=dict(row.kwargs(scene))) + row.query
    client = scene.clients["platform_admin"]
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            response = client.delete(url)
        transaction.set_rollback(True)
    writes = _writes(captured.captured_queries)
    assert response.status_code < 500, f"DELETE {url}: {_describe(response)}"
    assert response.status_code == 405 or not writes, f"DELETE {url} wrote {writes}"


# --- One council's objects through another council's URLs -----------------------------------


def _names_an_object_of_a_council(name: str) -> bool:
    """The route's pattern has a ``council`` and at least one more parameter."""
    params = set(re.findall(r"<(?:\w+:)?(\w+)>", PATTERNS.get(name, "")))
    return "council" in params and len(params) > 1


CROSS = [
    pytest.param(row, method, id=_row_id(row, method))
    for row in ROWS
    if _names_an_object_of_a_council(row.name)
    for method, allowed in row.methods()
    if allowed
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "method"), CROSS)
def test_objects_are_only_reached_through_their_own_council(
    scene: SimpleNamespace, row: Row, method: str
) -> None:
    """The scene's objects belong to Mootshire. Asked for through Elsewhere's URLs (same ids,
    slugs and tokens, ``council`` swapped) by an officer *of Elsewhere* — who passes
    Elsewhere's role checks — every route that names an object must refuse (403/404) and
    write nothing: lookups are scoped to the council in the URL."""
    kwargs = dict(row.kwargs(scene))
    kwargs["council"] = scene.other_council.slug
    url = reverse(row.name, kwargs=kwargs) + row.query
    data = row.body(scene) if method == "post" else None
    response, writes = _request(scene, "outsider", method, url, data)
    assert response.status_code in (403, 404), f"{method.upper()} {url}: {_describe(response)}"
    assert not writes, f"{method.upper()} {url} wrote {writes}"
