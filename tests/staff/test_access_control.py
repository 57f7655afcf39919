"""Who gets into the back-office, through the real URLs (sign in, 403, 404); nothing written."""

from __future__ import annotations

import pytest

from moothall.accounts.models import ResidentVerification, Role
from moothall.core.models import AuditEntry
from tests import factories

PAGES = ["dashboard", "residents", "resident", "verify", "revoke_verification", "roles",
         "revoke_role", "audit"]  # fmt: skip
FORMS = {
    "verify": {"method": "in_person", "reason": "Seen"},
    "revoke_verification": {"reason": "Moved"},
    "roles": {"email": "rita.resident@example.org", "kind": "council_admin"},
    "revoke_role": {"reason": "Gone"},
}


def _snapshot():
    return (
        list(Role.objects.order_by("pk").values_list("pk", "user_id", "kind")),
        list(ResidentVerification.objects.order_by("pk").values_list("pk", "revoked_at")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("page", PAGES)
def test_an_officer_of_another_council_is_refused_every_page(client, urls, outsider, page):
    client.force_login(outsider)

    assert client.get(urls[page]).status_code == 403


@pytest.mark.parametrize("form", list(FORMS))
def test_an_officer_of_another_council_cannot_change_anything_here(client, urls, outsider, form):
    before = _snapshot()
    client.force_login(outsider)

    response = client.post(urls[form], FORMS[form])

    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES)
def test_a_resident_is_refused_every_page(client, urls, resident, page):
    client.force_login(resident)

    assert client.get(urls[page]).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_councillor_is_refused_every_page(client, urls, councillor_user, page):
    client.force_login(councillor_user)

    assert client.get(urls[page]).status_code == 403


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("dashboard", 200),
        ("residents", 403),
        ("resident", 403),
        ("verify", 403),
        ("revoke_verification", 403),
        ("roles", 403),
        ("revoke_role", 403),
        ("audit", 403),
    ],
)
def test_a_moderator_only_reaches_the_dashboard(client, urls, moderator, page, status):
    client.force_login(moderator)

    assert client.get(urls[page]).status_code == status


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("dashboard", 200),
        ("residents", 200),
        ("resident", 200),
        ("verify", 200),
        ("revoke_verification", 200),
        ("roles", 403),
        ("revoke_role", 403),
        ("audit", 403),
    ],
)
def test_an_officer_reaches_the_resident_pages_only(client, urls, officer, page, status):
    client.force_login(officer)

    assert client.get(urls[page]).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_a_council_admin_reaches_every_page(client, urls, council_admin, page):
    client.force_login(council_admin)

    assert client.get(urls[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_platform_admin_reaches_every_page(client, urls, platform_admin, page):
    client.force_login(platform_admin)

    assert client.get(urls[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, urls, page):
    response = client.get(urls[page])

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={urls[page]}"


@pytest.mark.parametrize("form", list(FORMS))
def test_an_anonymous_post_changes_nothing(client, urls, form):
    before = _snapshot()

    response = client.post(urls[form], FORMS[form])

    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES)
def test_staff_without_mfa_are_sent_to_set_it_up(client, urls, council, page):
    admin = factories.UserFactory(email="no.mfa@example.org")
    factories.RoleFactory(user=admin, council=council, kind="council_admin")
    client.force_login(admin)

    response = client.get(urls[page])

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("form", list(FORMS))
def test_staff_without_mfa_change_nothing(client, urls, council, form):
    admin = factories.UserFactory(email="no.mfa@example.org")
    factories.RoleFactory(user=admin, council=council, kind="council_admin")
    before = _snapshot()
    client.force_login(admin)

    response = client.post(urls[form], FORMS[form])

    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("form", list(FORMS))
def test_a_deactivated_council_admin_changes_nothing(client, urls, council_admin, form):
    client.force_login(council_admin)
    council_admin.is_active = False
    council_admin.save()
    before = _snapshot()

    response = client.post(urls[form], FORMS[form])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_council_is_not_found(client, urls, platform_admin, page):
    client.force_login(platform_admin)

    response = client.get(urls[page].replace("/mootshire/", "/nowhere/"))

    assert response.status_code == 404


def test_an_officer_at_two_councils_sees_only_each_councils_residents(
    client, council, other_council, officer, resident, neighbour
):
    factories.RoleFactory(user=officer, council=other_council, kind="officer")
    client.force_login(officer)

    here = client.get("/mootshire/staff/residents/")
    there = client.get("/elsewhere/staff/residents/")

    assert [p.email for p in here.context["page"]] == ["rita.resident@example.org"]
    assert [p.email for p in there.context["page"]] == ["nina.neighbour@example.org"]
    assert client.get(f"/elsewhere/staff/residents/{resident.pk}/").status_code == 404
    assert client.get(f"/mootshire/staff/residents/{neighbour.pk}/").status_code == 404
