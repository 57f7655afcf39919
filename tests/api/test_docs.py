"""The OpenAPI document and the docs page, which must keep to the strict CSP."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/councils": "list_councils",
    "/api/v1/councils/{slug}": "get_council",
    "/api/v1/councils/{slug}/wards": "list_council_wards",
    "/api/v1/councils/{slug}/councillors": "list_council_councillors",
    "/api/v1/councillors/{id}": "get_councillor",
    "/api/v1/postcodes/{postcode}": "get_postcode",
    "/api/v1/councils/{slug}/bodies": "list_council_bodies",
    "/api/v1/councils/{slug}/bodies/{body_slug}": "get_body",
    "/api/v1/councils/{slug}/meetings": "list_council_meetings",
    "/api/v1/councils/{slug}/meetings/{id}": "get_meeting",
    "/api/v1/councils/{slug}/meetings/{id}/live": "get_meeting_live",
    "/api/v1/councils/{slug}/meetings/{id}/recordings": "list_meeting_recordings",
    "/api/v1/councils/{slug}/meetings/{id}/recordings/{recording_id}/transcript": (
        "get_recording_transcript"
    ),
    "/api/v1/councils/{slug}/decisions": "list_council_decisions",
    "/api/v1/councils/{slug}/decisions/{id}": "get_decision",
    "/api/v1/councils/{slug}/documents/{id}": "get_document",
    "/api/v1/councils/{slug}/forward-plan": "list_council_forward_plan",
    "/api/v1/search": "search",
    "/api/v1/councils/{slug}/petitions": "list_council_petitions",
    "/api/v1/councils/{slug}/petitions/{id}": "get_petition",
    "/api/v1/councils/{slug}/obligations": "list_council_obligations",
    "/api/v1/councils/{slug}/ideas": "list_council_ideas",
    "/api/v1/councils/{slug}/ideas/{id}": "get_idea",
    "/api/v1/councils/{slug}/budgets": "list_council_budgets",
    "/api/v1/councils/{slug}/budgets/{process_slug}": "get_budget_process",
    "/api/v1/councils/{slug}/budgets/{process_slug}/projects": "list_budget_projects",
    "/api/v1/councils/{slug}/budgets/{process_slug}/results": "get_budget_results",
    "/api/v1/councils/{slug}/budgets/{process_slug}/projects/{id}/updates": (
        "list_budget_project_updates"
    ),
    "/api/v1/councils/{slug}/surveys": "list_council_surveys",
    "/api/v1/councils/{slug}/surveys/{survey_slug}": "get_survey",
    "/api/v1/councils/{slug}/surveys/{survey_slug}/results": "get_survey_results",
    "/api/v1/councils/{slug}/deliberations": "list_council_deliberations",
    "/api/v1/councils/{slug}/deliberations/{conversation_slug}": "get_deliberation",
    "/api/v1/councils/{slug}/deliberations/{conversation_slug}/report": ("get_deliberation_report"),
}
# The only writes: signing a petition, and confirming or withdrawing with the emailed token.
EXPECTED_POSTS = {
    "/api/v1/councils/{slug}/petitions/{id}/signatures": "sign_petition",
    "/api/v1/signatures/confirm": "confirm_signature",
    "/api/v1/signatures/withdraw": "withdraw_signature",
}


class ResourceCollector(HTMLParser):
    """Every URL the page makes the browser load, and any inline script's text."""

    LOADING_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "action", "formaction"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.style_attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag != "a":  # a link elsewhere is not a resource the page loads
            self.urls += [v or "" for k, v in attrs if k in self.LOADING_ATTRIBUTES]
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.inline_scripts += [f"{tag} {k}" for k, _ in attrs if k.startswith("on")]
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts.append("<script> without src")


def test_the_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Moothall API"
    assert document["info"]["version"] == "1"
    operations = {
        (path, method): op["operationId"]
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }
    assert operations == {
        **{(path, "get"): name for path, name in EXPECTED_PATHS.items()},
        **{(path, "post"): name for path, name in EXPECTED_POSTS.items()},
    }


def test_the_openapi_document_describes_paging_and_the_tier_choices(client):
    document = client.get("/api/v1/openapi.json").json()

    parameters = {p["name"]: p for p in document["paths"]["/api/v1/councils"]["get"]["parameters"]}
    assert sorted(parameters) == ["limit", "nation", "offset", "q", "tier"]
    assert parameters["limit"]["schema"]["maximum"] == 500
    assert document["components"]["schemas"]["Tier"]["enum"] == [
        "county",
        "district",
        "unitary",
        "parish",
        "combined",
    ]
    assert sorted(document["components"]["schemas"]["PagedCouncilOut"]["properties"]) == [
        "count",
        "items",
    ]


def test_the_footer_link_names_the_docs_page():
    assert reverse("api:openapi-view") == "/api/v1/docs"
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"


def test_the_api_root_sends_people_to_the_docs(client):
    response = client.get("/api/v1/")

    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"


def test_the_docs_page_loads_nothing_from_another_origin_and_has_no_inline_script(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    page = ResourceCollector()
    page.feed(response.content.decode())
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.urls  # the page does load its stylesheets and scripts
    assert [url for url in page.urls if not url.startswith("/") or url.startswith("//")] == []
    assert "/static/ninja/swagger-ui-bundle.js" in page.urls
    assert "/static/ninja/swagger-ui.css" in page.urls
    assert "/static/api/docs.js" in page.urls


def test_every_file_the_docs_page_loads_from_static_is_served(client):
    page = ResourceCollector()
    page.feed(client.get("/api/v1/docs").content.decode())

    static = [url for url in page.urls if url.startswith("/static/")]
    statuses = {}
    for url in static:
        response = client.get(url)
        statuses[url] = response.status_code
        response.close()
    assert set(statuses.values()) == {200}


def test_the_docs_page_lists_the_endpoints_for_readers_without_javascript(client):
    response = client.get("/api/v1/docs")

    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Moothall API</h1>' in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    assert '<a class="govuk-link" href="/api/v1/openapi.json">' in html
    for path in EXPECTED_PATHS:
        assert f"<code>{path}</code>" in html
    assert "Who represents a postcode" in html


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            ref for v in node.values() for ref in _refs(v)
        ]
    if isinstance(node, list):
        return [ref for v in node for ref in _refs(v)]
    return []


def test_every_schema_the_openapi_document_refers_to_is_defined(client):
    document = client.get("/api/v1/openapi.json").json()

    refs = set(_refs(document))
    assert refs  # the answers are described by named schemas
    assert {ref.rsplit("/", 1)[0] for ref in refs} == {"#/components/schemas"}
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(document["components"]["schemas"])


def test_the_openapi_document_describes_every_error_each_endpoint_can_answer(client):
    document = client.get("/api/v1/openapi.json").json()

    responses = {
        path: {
            status: body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for op in ops.values()
            for status, body in op["responses"].items()
            if status not in ("200", "202")
        }
        for path, ops in document["paths"].items()
    }
    assert responses == {
        "/api/v1/councils": {"422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/wards": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/councillors": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councillors/{id}": {"404": "ErrorOut"},
        "/api/v1/postcodes/{postcode}": {"400": "ErrorOut", "404": "ErrorOut"},
        "/api/v1/councils/{slug}/bodies": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/bodies/{body_slug}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/meetings": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/meetings/{id}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/meetings/{id}/live": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/meetings/{id}/recordings": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/meetings/{id}/recordings/{recording_id}/transcript": {
            "404": "ErrorOut",
            "422": "ValidationErrorOut",
        },
        "/api/v1/councils/{slug}/decisions": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/decisions/{id}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/documents/{id}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/forward-plan": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/search": {"400": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/petitions": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/petitions/{id}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/obligations": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/ideas": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/ideas/{id}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/budgets": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/budgets/{process_slug}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/budgets/{process_slug}/projects": {
            "404": "ErrorOut",
            "422": "ValidationErrorOut",
        },
        "/api/v1/councils/{slug}/budgets/{process_slug}/results": {
            "404": "ErrorOut",
            "409": "CodedErrorOut",
        },
        "/api/v1/councils/{slug}/budgets/{process_slug}/projects/{id}/updates": {
            "404": "ErrorOut",
            "422": "ValidationErrorOut",
        },
        "/api/v1/councils/{slug}/surveys": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/surveys/{survey_slug}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/surveys/{survey_slug}/results": {
            "404": "ErrorOut",
            "409": "CodedErrorOut",
        },
        "/api/v1/councils/{slug}/deliberations": {"404": "ErrorOut", "422": "ValidationErrorOut"},
        "/api/v1/councils/{slug}/deliberations/{conversation_slug}": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/deliberations/{conversation_slug}/report": {"404": "ErrorOut"},
        "/api/v1/councils/{slug}/petitions/{id}/signatures": {
            "400": "ErrorOut",
            "404": "ErrorOut",
            "409": "CodedErrorOut",
            "422": "RefusalOut",
        },
        "/api/v1/signatures/confirm": {
            "400": "ErrorOut",
            "404": "CodedErrorOut",
            "409": "CodedErrorOut",
            "422": "RefusalOut",
        },
        "/api/v1/signatures/withdraw": {
            "400": "ErrorOut",
            "404": "CodedErrorOut",
            "409": "CodedErrorOut",
            "422": "RefusalOut",
        },
    }
    problem = document["components"]["schemas"]["ValidationProblem"]
    assert sorted(problem["required"]) == ["loc", "msg", "type"]


def test_a_422_answer_has_the_shape_the_openapi_document_gives_it(client):
    response = client.get("/api/v1/councils?limit=501")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 500",
                "ctx": {"le": 500},
            }
        ]
    }
