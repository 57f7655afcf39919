"""Marking someone as a verified resident, and withdrawing it, through the back-office."""

from __future__ import annotations

import pytest

from moothall.accounts.models import ResidentVerification
from moothall.core.models import AuditEntry
from tests import factories
from tests.staff import html


@pytest.fixture
def signed_in_officer(client, officer):
    client.force_login(officer)
    return client


# --- Verifying -----------------------------------------------------------------


def test_the_form_asks_how_and_what_was_checked(signed_in_officer, resident, area):
    response = signed_in_officer.get(f"/mootshire/staff/residents/{resident.pk}/verify/")

    assert response.status_code == 200
    assert html.h1(response) == "Mark as verified resident"
    page = response.content.decode()
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in page
    assert 'id="id_method_0" name="method" type="radio" value="letter"' in page
    assert 'id="id_method_1" name="method" type="radio" value="in_person"' in page
    assert 'id="id_method_2" name="method" type="radio" value="phone"' in page
    assert 'value="sso"' not in page
    assert '<textarea class="govuk-textarea" id="id_reason" name="reason"' in page


def test_an_officer_marks_a_resident_as_verified(
    signed_in_officer, council, officer, resident, area
):
    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/",
        {"method": "in_person", "reason": "Saw a council tax bill for MH1 1AA"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/mootshire/staff/residents/{resident.pk}/", 302)]
    assert html.banners(response) == ["Rita Resident is now a verified resident of Mootshire."]
    assert html.summary(response)["Eligibility here"] == "Verified resident"
    verification = ResidentVerification.objects.get()
    assert (verification.user, verification.council, verification.verified_by) == (
        resident,
        council,
        officer,
    )
    assert (verification.method, verification.reason) == (
        "in_person",
        "Saw a council tax bill for MH1 1AA",
    )
    assert list(AuditEntry.objects.values_list("action", "actor", "council")) == [
        ("resident.verified", officer.pk, council.pk)
    ]


def test_verifying_without_a_reason_or_method_shows_the_errors_and_writes_nothing(
    signed_in_officer, resident, area
):
    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/", {"reason": "   "}
    )

    assert response.status_code == 200
    assert html.title(response) == "Error: Mark as verified resident – Mootshire – Moothall"
    assert html.error_summary(response) == [
        "Choose how you checked where they live.",
        "Enter what you checked.",
    ]
    assert html.error_links(response) == ["#id_method_0", "#id_reason"]
    assert html.field_errors(response) == {
        "id_method": "Error: Choose how you checked where they live.",
        "id_reason": "Error: Enter what you checked.",
    }
    assert ResidentVerification.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_made_up_method_is_refused(signed_in_officer, resident, area):
    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/",
        {"method": "sso", "reason": "Trust me"},
    )

    assert html.error_summary(response) == ["Choose how you checked where they live."]
    assert ResidentVerification.objects.count() == 0


def test_the_reason_is_kept_when_the_form_comes_back_with_an_error(
    signed_in_officer, resident, area
):
    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/", {"reason": "Seen <b>ID</b>"}
    )

    assert ">Seen &lt;b&gt;ID&lt;/b&gt;</textarea>" in response.content.decode()


def test_verifying_someone_already_verified_says_so(signed_in_officer, council, resident, area):
    factories.ResidentVerificationFactory(user=resident, council=council)

    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/",
        {"method": "phone", "reason": "Phoned them"},
    )

    assert response.status_code == 200
    assert html.error_summary(response) == ["This person is already a verified resident here."]
    assert ResidentVerification.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_someone_outside_the_area_is_verified_through_their_exact_email(
    signed_in_officer, council, neighbour
):
    url = f"/mootshire/staff/residents/{neighbour.pk}/verify/?email=nina.neighbour%40example.org"

    response = signed_in_officer.post(url, {"method": "in_person", "reason": "Has just moved in"})

    assert response.status_code == 302
    assert response["Location"] == f"/mootshire/staff/residents/{neighbour.pk}/"
    assert ResidentVerification.objects.get().user == neighbour
    # Once verified here, their record is found without the email.
    assert signed_in_officer.get(response["Location"]).status_code == 200


def test_someone_outside_the_area_cannot_be_verified_by_id_alone(signed_in_officer, neighbour):
    response = signed_in_officer.post(
        f"/mootshire/staff/residents/{neighbour.pk}/verify/",
        {"method": "in_person", "reason": "Guessing"},
    )

    assert response.status_code == 404
    assert ResidentVerification.objects.count() == 0


def test_an_officer_cannot_verify_themselves(client, council, officer, area):
    officer.postcode = "MH1 1AA"
    officer.save()
    client.force_login(officer)

    response = client.post(
        f"/mootshire/staff/residents/{officer.pk}/verify/",
        {"method": "in_person", "reason": "I live here"},
    )

    assert response.status_code == 403
    assert ResidentVerification.objects.count() == 0


def test_a_moderator_cannot_open_the_form(client, council, moderator, resident, area):
    client.force_login(moderator)

    response = client.get(f"/mootshire/staff/residents/{resident.pk}/verify/")

    assert response.status_code == 403


# --- Revoking ------------------------------------------------------------------


@pytest.fixture
def verification(council, council_admin, resident, area):
    return factories.ResidentVerificationFactory(
        user=resident,
        council=council,
        verified_by=council_admin,
        created_at="2025-04-02T10:00:00Z",
    )


def test_the_revoke_page_asks_for_a_reason(signed_in_officer, verification):
    response = signed_in_officer.get(f"/mootshire/staff/verifications/{verification.pk}/revoke/")

    assert response.status_code == 200
    assert html.h1(response) == "Revoke verification"
    assert "Verified on 2 April 2025: Checked in person by an officer." in html.main_text(response)


def test_an_officer_revokes_a_verification(
    signed_in_officer, council, officer, resident, verification
):
    response = signed_in_officer.post(
        f"/mootshire/staff/verifications/{verification.pk}/revoke/",
        {"reason": "Moved to Elsewhere"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/mootshire/staff/residents/{resident.pk}/", 302)]
    assert html.banners(response) == [
        "Rita Resident is no longer a verified resident of Mootshire."
    ]
    assert html.summary(response)["Eligibility here"] == "Postcode in the council’s area"
    verification.refresh_from_db()
    assert (verification.revoked_by, verification.revocation_reason) == (
        officer,
        "Moved to Elsewhere",
    )
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "resident.verification_revoked"
    ]


def test_revoking_without_a_reason_shows_an_error_and_changes_nothing(
    signed_in_officer, verification
):
    response = signed_in_officer.post(
        f"/mootshire/staff/verifications/{verification.pk}/revoke/", {"reason": ""}
    )

    assert response.status_code == 200
    assert html.error_summary(response) == ["Enter why you are withdrawing this verification."]
    verification.refresh_from_db()
    assert verification.revoked_at is None
    assert AuditEntry.objects.count() == 0


def test_a_revoked_verification_cannot_be_revoked_again(
    signed_in_officer, officer, resident, verification
):
    signed_in_officer.post(
        f"/mootshire/staff/verifications/{verification.pk}/revoke/",
        {"reason": "Moved"},
        follow=True,  # read the success message, as the officer would
    )

    response = signed_in_officer.post(
        f"/mootshire/staff/verifications/{verification.pk}/revoke/",
        {"reason": "Moved again"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/mootshire/staff/residents/{resident.pk}/", 302)]
    assert html.banners(response) == ["That verification has already been revoked."]
    verification.refresh_from_db()
    assert verification.revocation_reason == "Moved"
    assert AuditEntry.objects.count() == 1


def test_a_verification_at_another_council_is_not_found_here(
    signed_in_officer, other_council, resident
):
    elsewhere = factories.ResidentVerificationFactory(user=resident, council=other_council)

    response = signed_in_officer.post(
        f"/mootshire/staff/verifications/{elsewhere.pk}/revoke/", {"reason": "Not ours"}
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None


def test_an_officer_cannot_revoke_their_own_verification(client, council, officer):
    own = factories.ResidentVerificationFactory(user=officer, council=council)
    client.force_login(officer)

    response = client.post(f"/mootshire/staff/verifications/{own.pk}/revoke/", {"reason": "Hm"})

    assert response.status_code == 403
    own.refresh_from_db()
    assert own.revoked_at is None
