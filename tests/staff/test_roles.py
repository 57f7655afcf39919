"""The roles page: a council admin lists, grants and revokes roles at their council."""

from __future__ import annotations

import pytest
from django.utils import dateformat, timezone

from moothall.accounts.models import Role
from moothall.core.models import AuditEntry
from tests import factories
from tests.staff import html


@pytest.fixture
def signed_in_admin(client, council_admin):
    client.force_login(council_admin)
    return client


@pytest.fixture
def newcomer(db):
    return factories.UserFactory(email="nell.newcomer@example.org", name="Nell Newcomer")


def test_the_roles_page_lists_who_holds_a_role_here(
    signed_in_admin, council, officer, councillor_user, outsider
):
    response = signed_in_admin.get("/mootshire/staff/roles/")

    assert response.status_code == 200
    assert html.h1(response) == "Roles"
    assert response.context["council"] == council
    seat = councillor_user.roles.get().councillor
    today = dateformat.format(timezone.localtime(), "j M Y")
    assert html.table_rows(response) == [
        ["Ada Admin ada.admin@example.org", "Council administrator", today, ""],
        [
            "Chris Councillor cllr.chris@example.org",
            f"Councillor Chris Councillor ({seat.ward.name})",
            today,
            "Revoke the role Councillor of Chris Councillor",
        ],
        [
            "Olive Officer olive.officer@example.org",
            "Officer",
            today,
            "Revoke the role Officer of Olive Officer",
        ],
    ]


def test_the_grant_form_offers_this_councils_councillors_only(
    signed_in_admin, council, other_council, councillor_user
):
    factories.CouncillorFactory(council=other_council, person__name="Elsie Elsewhere")

    response = signed_in_admin.get("/mootshire/staff/roles/")

    page = response.content.decode()
    assert "Chris Councillor (" in page
    assert "Elsie Elsewhere" not in page
    assert (
        '<select class="govuk-select" id="id_councillor" name="councillor" aria-describedby="id_councillor-hint">'
        in page
    )


def test_a_council_admin_grants_an_officer_role(signed_in_admin, council, council_admin, newcomer):
    response = signed_in_admin.post(
        "/mootshire/staff/roles/",
        {"email": "Nell.Newcomer@example.org", "kind": "officer", "reason": "New starter"},
        follow=True,
    )

    assert response.redirect_chain == [("/mootshire/staff/roles/", 302)]
    assert html.banners(response) == ["Nell Newcomer now has the role “Officer”."]
    role = Role.objects.get(user=newcomer)
    assert (role.council, role.kind, role.granted_by) == (council, "officer", council_admin)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.details["reason"]) == ("role.granted", "New starter")


def test_a_council_admin_grants_a_councillor_role_linked_to_their_record(
    signed_in_admin, council, newcomer
):
    seat = factories.CouncillorFactory(council=council, person__name="Nell Newcomer")

    response = signed_in_admin.post(
        "/mootshire/staff/roles/",
        {"email": "nell.newcomer@example.org", "kind": "councillor", "councillor": seat.pk},
    )

    assert response.status_code == 302
    assert Role.objects.get(user=newcomer).councillor == seat


def test_a_councillor_chosen_for_another_kind_of_role_is_ignored(
    signed_in_admin, council, newcomer
):
    seat = factories.CouncillorFactory(council=council)

    signed_in_admin.post(
        "/mootshire/staff/roles/",
        {"email": "nell.newcomer@example.org", "kind": "moderator", "councillor": seat.pk},
    )

    assert Role.objects.get(user=newcomer).councillor is None


def test_granting_a_role_someone_already_has_says_so(signed_in_admin, officer):
    response = signed_in_admin.post(
        "/mootshire/staff/roles/",
        {"email": "olive.officer@example.org", "kind": "officer"},
        follow=True,
    )

    assert html.banners(response) == ["Olive Officer already had the role “Officer”."]
    assert officer.roles.count() == 1
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "errors", "links"),
    [
        (
            {},
            ["Enter the email address they sign in with.", "Choose a role."],
            ["#id_email", "#id_kind_0"],
        ),
        (
            {"email": "not-an-email", "kind": "mayor"},
            [
                "Enter an email address in the correct format, like name@example.com.",
                "Choose a role.",
            ],
            ["#id_email", "#id_kind_0"],
        ),
        (
            {"email": "nobody@example.org", "kind": "officer"},
            ["Nobody has an account with this email address. Ask them to create one first."],
            ["#id_email"],
        ),
        (
            {"email": "nell.newcomer@example.org", "kind": "councillor"},
            ["Choose the councillor record this person's role belongs to."],
            ["#id_councillor"],
        ),
        (
            {"email": "nell.newcomer@example.org", "kind": "councillor", "councillor": "abc"},
            ["Choose a councillor of this council."],
            ["#id_councillor"],
        ),
        (
            {"email": "ada.admin@example.org", "kind": "officer"},
            ["You cannot change your own roles."],
            ["#id_email"],
        ),
    ],
    ids=["empty", "malformed", "no-account", "no-councillor", "bad-councillor", "self"],
)
def test_bad_grants_show_clear_errors_and_write_nothing(
    signed_in_admin, newcomer, data, errors, links
):
    response = signed_in_admin.post("/mootshire/staff/roles/", data)

    assert response.status_code == 200
    assert html.title(response) == "Error: Roles – Mootshire – Moothall"
    assert html.error_summary(response) == errors
    assert html.error_links(response) == links
    assert Role.objects.count() == 1  # the admin's own
    assert AuditEntry.objects.count() == 0


def test_a_councillor_of_another_council_cannot_be_linked(signed_in_admin, other_council, newcomer):
    elsewhere = factories.CouncillorFactory(council=other_council)

    response = signed_in_admin.post(
        "/mootshire/staff/roles/",
        {"email": "nell.newcomer@example.org", "kind": "councillor", "councillor": elsewhere.pk},
    )

    assert html.error_summary(response) == ["Choose a councillor of this council."]
    assert newcomer.roles.count() == 0


def test_granting_a_role_to_a_deactivated_account_is_refused(signed_in_admin, newcomer):
    newcomer.is_active = False
    newcomer.save()

    response = signed_in_admin.post(
        "/mootshire/staff/roles/", {"email": "nell.newcomer@example.org", "kind": "officer"}
    )

    assert html.error_summary(response) == [
        "This account has been deactivated, so it cannot be given a role."
    ]
    assert newcomer.roles.count() == 0


# --- Revoking ------------------------------------------------------------------


def test_a_council_admin_revokes_a_role_with_a_reason(signed_in_admin, council, officer):
    role = officer.roles.get()

    page = signed_in_admin.get(f"/mootshire/staff/roles/{role.pk}/revoke/")
    response = signed_in_admin.post(
        f"/mootshire/staff/roles/{role.pk}/revoke/", {"reason": "Left the council"}, follow=True
    )

    assert html.h1(page) == "Revoke the role “Officer”"
    assert response.redirect_chain == [("/mootshire/staff/roles/", 302)]
    assert html.banners(response) == ["Olive Officer no longer has the role “Officer”."]
    assert officer.roles.count() == 0
    assert list(AuditEntry.objects.values_list("action", "details__reason")) == [
        ("role.revoked", "Left the council")
    ]


def test_revoking_a_role_without_a_reason_shows_an_error(signed_in_admin, officer):
    role = officer.roles.get()

    response = signed_in_admin.post(f"/mootshire/staff/roles/{role.pk}/revoke/", {"reason": " "})

    assert response.status_code == 200
    assert html.error_summary(response) == ["Enter why you are revoking this role."]
    assert officer.roles.count() == 1


def test_a_council_admin_cannot_revoke_their_own_role(signed_in_admin, council_admin):
    role = council_admin.roles.get()

    response = signed_in_admin.post(f"/mootshire/staff/roles/{role.pk}/revoke/", {"reason": "x"})

    assert response.status_code == 403
    assert council_admin.roles.count() == 1


def test_a_role_at_another_council_is_not_found_here(signed_in_admin, outsider):
    role = outsider.roles.get()

    response = signed_in_admin.post(f"/mootshire/staff/roles/{role.pk}/revoke/", {"reason": "x"})

    assert response.status_code == 404
    assert outsider.roles.count() == 1


def test_the_roles_page_runs_a_fixed_number_of_queries(
    signed_in_admin, council, django_assert_max_num_queries
):
    for n in range(30):
        seat = factories.CouncillorFactory(council=council)
        factories.RoleFactory(council=council, kind="councillor", councillor=seat)
        factories.RoleFactory(council=council, kind="officer", user__name=f"Officer {n:02d}")

    with django_assert_max_num_queries(10):
        response = signed_in_admin.get("/mootshire/staff/roles/")

    assert len(html.table_rows(response)) == 50
