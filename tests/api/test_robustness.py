"""Whatever anyone sends, the API answers JSON with a status below 500.

The area is built once per test and only read, so hypothesis may share it
across examples (hence the suppressed function-scoped-fixture health check).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text that has broken APIs before: NUL (PostgreSQL refuses it), huge and negative
# numbers (SQLite overflows), URL separators, non-ASCII, and near-valid choices.
DANGEROUS = ["\x00", "-1", "9" * 25, "%", "/", "\n", "é", " ", "county", "true", "MH1 1AA"]
awkward_text = st.one_of(
    st.sampled_from(DANGEROUS),
    st.lists(st.sampled_from(DANGEROUS) | st.text(max_size=3), min_size=1, max_size=5).map("".join),
    st.text(),
)
numberish = awkward_text | st.integers(min_value=-(2**80), max_value=2**80).map(str)


def query(*names: str) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the named query parameters, each with any value."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, numberish))


def _assert_json_below_500(response) -> None:
    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


def test_a_path_outside_the_api_routes_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_trailing_slash_is_a_json_404_not_the_sites_html_page(client):
    response = client.get("/api/v1/councils/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@fuzz
@given(text=awkward_text)
def test_any_text_as_a_postcode_is_answered_with_json(client, area, text):
    _assert_json_below_500(client.get(f"/api/v1/postcodes/{quote(text, safe='')}"))


@fuzz
@given(
    text=awkward_text,
    tail=st.sampled_from(["", "/wards", "/councillors", "/councillors?include_former=true"]),
)
def test_any_text_as_a_council_slug_is_answered_with_json(client, area, text, tail):
    _assert_json_below_500(client.get(f"/api/v1/councils/{quote(text, safe='')}{tail}"))


@fuzz
@given(text=numberish)
def test_any_text_as_a_councillor_id_is_answered_with_json(client, area, text):
    _assert_json_below_500(client.get(f"/api/v1/councillors/{quote(text, safe='')}"))


@fuzz
@given(name=st.sampled_from(["limit", "offset", "tier", "nation", "q"]), value=numberish)
def test_any_text_in_one_council_list_parameter_is_answered_with_json(client, area, name, value):
    _assert_json_below_500(client.get(f"/api/v1/councils?{urlencode({name: value})}"))


@fuzz
@given(params=query("limit", "offset", "tier", "nation", "q"))
def test_any_text_in_the_council_list_query_is_answered_with_json(client, area, params):
    _assert_json_below_500(client.get(f"/api/v1/councils?{urlencode(params)}"))


@fuzz
@given(
    params=query("limit", "offset", "include_former"),
    path=st.sampled_from(["/councils/mootshire/councillors", "/councils/mootshire/wards"]),
)
def test_any_text_in_a_council_sublist_query_is_answered_with_json(client, area, params, path):
    _assert_json_below_500(client.get(f"/api/v1{path}?{urlencode(params)}"))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/councils?limit=99999999999999999999999",
        "/api/v1/councils?offset=99999999999999999999999",
        "/api/v1/councils?q=" + "x" * 201,
        "/api/v1/councils?q=%00",
        "/api/v1/councils/%00",
        "/api/v1/postcodes/MH1%001AA",
        "/api/v1/councillors/-1",
        "/api/v1/councillors/9999999999999999999999999",
    ],
)
def test_the_inputs_that_break_naive_apis_are_answered_with_json(client, area, path):
    _assert_json_below_500(client.get(path))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_method_the_api_does_not_take_is_a_json_405(client, area, method):
    response = getattr(client, method)("/api/v1/councils/mootshire")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {"detail": "Method not allowed."}


def test_head_answers_as_get_does_without_a_body(client, area):
    response = client.head("/api/v1/councils/mootshire/wards")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content == b""
    assert client.head("/api/v1/councils/nowhere").status_code == 404
