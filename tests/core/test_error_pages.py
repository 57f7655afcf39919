import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_page_gets_the_sites_own_not_found_page(client):
    response = client.get("/no-such-council/")

    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text
    assert "govuk-header" in response.text


def test_the_server_error_page_renders_without_a_request_context():
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
