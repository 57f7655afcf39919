"""The Django admin is for platform staff; council staff are kept to their back-office."""

from __future__ import annotations

import pytest

from moothall.accounts.models import Role, User
from moothall.core.audit import record
from moothall.core.models import AuditEntry
from tests import factories


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/admin/", "Site administration"),
        ("/admin/accounts/user/", "Select user to change"),
        ("/admin/accounts/role/", "Select role to view"),
        ("/admin/accounts/residentverification/", "Select resident verification to view"),
        ("/admin/core/auditentry/", "Select audit entry to view"),
    ],
)
def test_a_platform_admin_can_open_the_admin_changelists(
    admin_client, officer, resident, council, url, heading
):
    factories.ResidentVerificationFactory(user=resident, council=council)
    record("role.granted", actor=officer, council=council)

    response = admin_client.get(url)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_the_user_list_searches_by_email_and_name(admin_client, resident, officer):
    response = admin_client.get("/admin/accounts/user/", {"q": "rita"})

    assert [user.email for user in response.context["cl"].result_list] == [
        "rita.resident@example.org"
    ]


def test_a_platform_admin_adds_a_user_by_email_alone(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"email": "New.Person@Example.org", "usable_password": "false"},
    )

    user = User.objects.get(email="new.person@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"
    assert user.has_usable_password() is False


def test_adding_a_user_whose_email_exists_in_another_case_is_refused(admin_client, resident):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"email": "RITA.resident@example.org", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "email": ["An account with this email address already exists."]
    }
    assert User.objects.filter(email__iexact="rita.resident@example.org").count() == 1


def test_a_users_page_shows_their_roles_and_no_password_field(admin_client, officer):
    response = admin_client.get(f"/admin/accounts/user/{officer.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="email"' in page
    assert 'name="password"' not in page
    assert 'name="username"' not in page
    assert "Olive Officer — Officer at Mootshire" in page


def test_granting_a_role_in_the_admin_goes_through_the_audited_verb(
    admin_client, platform_admin, council, resident
):
    response = admin_client.post(
        "/admin/accounts/role/add/",
        {
            "user": resident.pk,
            "council": council.pk,
            "kind": "moderator",
            "councillor": "",
            "reason": "Covering the summer",
        },
    )

    role = Role.objects.get(user=resident)
    assert response.status_code == 302
    assert (role.council, role.kind, role.granted_by) == (council, "moderator", platform_admin)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.details["reason"]) == (
        "role.granted",
        platform_admin,
        "Covering the summer",
    )


def test_a_councillor_role_without_a_record_is_refused_in_the_admin(
    admin_client, council, resident
):
    response = admin_client.post(
        "/admin/accounts/role/add/",
        {"user": resident.pk, "council": council.pk, "kind": "councillor", "councillor": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Choose the councillor record this person's role belongs to."
    ]
    assert Role.objects.filter(user=resident).count() == 0


def test_deleting_a_role_in_the_admin_revokes_it_through_the_audited_verb(
    admin_client, platform_admin, officer
):
    role = officer.roles.get()

    response = admin_client.post(f"/admin/accounts/role/{role.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert officer.roles.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.details["reason"]) == (
        "role.revoked",
        platform_admin,
        "Revoked in the Django admin.",
    )


def test_roles_cannot_be_edited_in_place(admin_client, officer):
    role = officer.roles.get()

    response = admin_client.post(
        f"/admin/accounts/role/{role.pk}/change/",
        {"user": officer.pk, "council": role.council_id, "kind": "council_admin"},
    )

    assert response.status_code == 403
    assert officer.roles.get().kind == "officer"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/core/auditentry/add/",
        "/admin/accounts/residentverification/add/",
    ],
)
def test_nobody_adds_audit_entries_or_verifications_in_the_admin(admin_client, url):
    assert admin_client.get(url).status_code == 403


def test_an_audit_entry_cannot_be_changed_or_deleted(admin_client, officer, council):
    entry = record("resident.verified", actor=officer, council=council, method="phone")

    view = admin_client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    change = admin_client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"action": "x"})
    delete = admin_client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert (change.status_code, delete.status_code) == (403, 403)
    entry.refresh_from_db()
    assert entry.action == "resident.verified"


def test_a_verification_cannot_be_deleted_in_the_admin(admin_client, resident, council):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)

    response = admin_client.post(
        f"/admin/accounts/residentverification/{verification.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["officer", "council_admin", "resident"])
def test_council_staff_and_residents_are_sent_to_the_admin_login(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_a_signed_in_officer_is_refused_by_the_admin_login(client, officer):
    client.force_login(officer)

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_signing_in_to_the_admin_goes_through_the_sites_sign_in_and_its_mfa(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_login_form_does_not_accept_a_password_alone(client, db):
    User.objects.create_superuser("root@example.org", "a long enough password")

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root@example.org", "password": "a long enough password"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302
