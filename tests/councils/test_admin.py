"""The councils tables in the Django admin, for platform staff."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client


@pytest.mark.parametrize("model", ["council", "ward", "party", "person", "councillor", "postcode"])
def test_a_platform_admin_can_list_and_search_each_councils_table(admin_client, model):
    factories.CouncillorFactory(person__name="Radha Burgess")
    factories.PostcodeFactory(postcode="SE1 2QH")

    response = admin_client.get(f"/admin/councils/{model}/", {"q": "a"})

    assert response.status_code == 200


def test_a_councillors_page_shows_their_terms_and_key_posts(admin_client):
    post = factories.KeyPostFactory(title="Leader of the Council")

    response = admin_client.get(f"/admin/councils/councillor/{post.councillor.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Leader of the Council" in content
    assert 'name="terms-0-start_date" value="05/05/2022"' in content


def test_a_postcode_is_found_however_it_is_typed(admin_client):
    factories.PostcodeFactory(postcode="SE1 2QH", ward_gss="E05011104")
    factories.PostcodeFactory(postcode="SE1 2QJ")
    factories.PostcodeFactory(postcode="SW2 1RD")

    exact = admin_client.get("/admin/councils/postcode/", {"q": "se12qh"})
    prefix = admin_client.get("/admin/councils/postcode/", {"q": "se1"})

    assert [p.postcode for p in exact.context["cl"].result_list] == ["SE1 2QH"]
    assert sorted(p.postcode for p in prefix.context["cl"].result_list) == ["SE1 2QH", "SE1 2QJ"]
    assert exact.context["cl"].show_full_result_count is False


def test_someone_who_is_not_platform_staff_cannot_reach_it(client, officer):
    client.force_login(officer)

    response = client.get("/admin/councils/council/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/councils/council/"
