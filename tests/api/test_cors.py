import pytest

pytestmark = pytest.mark.django_db


def test_any_web_page_may_read_the_api(client):
    response = client.get("/api/v1/councils", HTTP_ORIGIN="https://newsroom.example")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_preflight_request_is_answered_without_reaching_the_api(client):
    response = client.options(
        "/api/v1/councils",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_pages_outside_the_api_are_not_opened_to_other_origins(client):
    response = client.get("/councils/", HTTP_ORIGIN="https://newsroom.example")

    assert "Access-Control-Allow-Origin" not in response.headers
