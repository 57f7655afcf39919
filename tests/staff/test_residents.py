from __future__ import annotations

import pytest

from moothall.accounts.models import User
from tests import factories
from tests.staff import html


@pytest.fixture
def signed_in_officer(client, officer):
    client.force_login(officer)
    return client


# --- The list and search -------------------------------------------------------


def test_an_officer_sees_the_people_who_live_in_the_area(
    signed_in_officer, council, resident, neighbour
):
    factories.UserFactory(email="ben@example.org", name="Ben Baker", postcode="MH1 1AA")

    response = signed_in_officer.get("/mootshire/staff/residents/")

    assert response.status_code == 200
    assert html.h1(response) == "Residents"
    assert response.context["council"] == council
    assert "2 people found" in html.main_text(response)
    assert html.table_rows(response) == [
        ["Ben Baker", "ben@example.org", "MH1 1AA", "Postcode in the area"],
        ["Rita Resident", "rita.resident@example.org", "MH1 1AA", "Postcode in the area"],
    ]


def test_searching_by_part_of_a_name(signed_in_officer, resident, area):
    factories.UserFactory(email="ben@example.org", name="Ben Baker", postcode="MH1 1AA")

    response = signed_in_officer.get("/mootshire/staff/residents/", {"q": "rita"})

    assert html.table_rows(response) == [
        ["Rita Resident", "rita.resident@example.org", "MH1 1AA", "Postcode in the area"]
    ]
    assert ("Rita Resident", f"/mootshire/staff/residents/{resident.pk}/") in html.links(response)


def test_searching_part_of_an_email_does_not_find_people_outside_the_area(
    signed_in_officer, neighbour
):
    response = signed_in_officer.get("/mootshire/staff/residents/", {"q": "nina"})

    assert html.table_rows(response) == []
    assert "Nobody matches “nina”." in html.main_text(response)


def test_an_exact_email_finds_someone_outside_the_area_with_a_link_to_their_record(
    signed_in_officer, neighbour
):
    response = signed_in_officer.get(
        "/mootshire/staff/residents/", {"q": "Nina.Neighbour@example.org"}
    )

    # Where she lives is for staff of her own council: the postcode itself is not shown.
    assert html.table_rows(response) == [
        ["Nina Neighbour", "nina.neighbour@example.org", "–", "Postcode not in the area"]
    ]
    assert "MH9" not in html.main_text(response)
    assert (
        "Nina Neighbour",
        f"/mootshire/staff/residents/{neighbour.pk}/?email=nina.neighbour%40example.org",
    ) in html.links(response)


def test_a_verified_resident_is_marked_as_such(signed_in_officer, council, resident, area):
    factories.ResidentVerificationFactory(user=resident, council=council)

    response = signed_in_officer.get("/mootshire/staff/residents/")

    assert html.table_rows(response)[0][3] == "Verified resident"


def test_a_search_that_is_too_long_gets_a_clear_error(signed_in_officer, resident, area):
    response = signed_in_officer.get("/mootshire/staff/residents/", {"q": "x" * 255})

    assert response.status_code == 200
    assert html.title(response).startswith("Error: Residents")
    assert html.error_summary(response) == [
        "Ensure this value has at most 254 characters (it has 255)."
    ]
    assert html.error_links(response) == ["#id_q"]
    assert html.table_rows(response) == []


def test_a_search_with_a_null_character_is_refused_without_an_error_page(
    signed_in_officer, resident, area
):
    response = signed_in_officer.get("/mootshire/staff/residents/", {"q": "rita\x00"})

    assert response.status_code == 200
    assert html.error_summary(response) == ["Null characters are not allowed."]


@pytest.mark.parametrize("page", ["2", "0", "999", "abc", "-1"])
def test_any_page_number_gives_a_page(signed_in_officer, resident, area, page):
    response = signed_in_officer.get("/mootshire/staff/residents/", {"page": page})

    assert response.status_code == 200
    assert len(html.table_rows(response)) == 1


def test_the_list_is_paginated_25_to_a_page(signed_in_officer, area):
    User.objects.bulk_create(
        User(email=f"person{n:02d}@example.org", name=f"Person {n:02d}", postcode="MH1 1AA")
        for n in range(30)
    )

    first = signed_in_officer.get("/mootshire/staff/residents/")
    second = signed_in_officer.get("/mootshire/staff/residents/", {"page": "2"})

    assert len(html.table_rows(first)) == 25
    assert [row[0] for row in html.table_rows(second)] == [
        "Person 25",
        "Person 26",
        "Person 27",
        "Person 28",
        "Person 29",
    ]
    assert "Page 1 of 2" in html.main_text(first)
    assert ("Next page", "?page=2") in html.links(first)


def test_pagination_keeps_the_search(signed_in_officer, area):
    User.objects.bulk_create(
        User(email=f"smith{n:02d}@example.org", name=f"Sam Smith {n:02d}", postcode="MH1 1AA")
        for n in range(26)
    )

    response = signed_in_officer.get("/mootshire/staff/residents/", {"q": "smith"})

    assert ("Next page", "?q=smith&page=2") in html.links(response)


def test_the_residents_list_runs_a_fixed_number_of_queries(
    signed_in_officer, council, officer, area, django_assert_max_num_queries
):
    people = User.objects.bulk_create(
        User(email=f"person{n:02d}@example.org", name=f"Person {n:02d}", postcode="MH1 1AA")
        for n in range(40)
    )
    for person in people[:10]:
        factories.ResidentVerificationFactory(user=person, council=council, verified_by=officer)

    with django_assert_max_num_queries(8):
        response = signed_in_officer.get("/mootshire/staff/residents/")

    assert len(html.table_rows(response)) == 25


# --- One resident's page -------------------------------------------------------


def test_a_residents_page_shows_their_details_and_eligibility(
    signed_in_officer, council, resident, area
):
    response = signed_in_officer.get(f"/mootshire/staff/residents/{resident.pk}/")

    assert response.status_code == 200
    assert html.h1(response) == "Rita Resident"
    assert response.context["council"] == council
    details = html.summary(response)
    assert details["Email address"] == "rita.resident@example.org"
    assert details["Postcode"] == "MH1 1AA – in this council's area"
    assert details["Eligibility here"] == "Postcode in the council’s area"
    assert ("Mark as verified resident", f"/mootshire/staff/residents/{resident.pk}/verify/") in (
        html.links(response)
    )
    assert "No verifications at this council." in html.main_text(response)


def test_a_residents_page_shows_their_verification_history(
    signed_in_officer, council, officer, council_admin, resident, area
):
    factories.ResidentVerificationFactory(
        user=resident,
        council=council,
        method="phone",
        reason="Confirmed the address by phone",
        verified_by=council_admin,
        created_at="2025-01-10T10:00:00Z",
        revoked_at="2025-03-01T10:00:00Z",
        revoked_by=officer,
        revocation_reason="Wrong flat number",
    )
    current = factories.ResidentVerificationFactory(
        user=resident,
        council=council,
        reason="Saw a council tax bill",
        verified_by=officer,
        created_at="2025-04-02T10:00:00Z",
    )

    response = signed_in_officer.get(f"/mootshire/staff/residents/{resident.pk}/")

    assert html.summary(response)["Eligibility here"] == "Verified resident"
    assert html.table_rows(response) == [
        [
            "2 Apr 2025",
            "Checked in person by an officer by Olive Officer",
            "Saw a council tax bill",
            "Active",
        ],
        [
            "10 Jan 2025",
            "Checked by phone by an officer by Ada Admin",
            "Confirmed the address by phone",
            "Revoked on 1 Mar 2025 by Olive Officer: Wrong flat number",
        ],
    ]
    assert "Verified on 2 April 2025: Checked in person by an officer." in html.main_text(response)
    assert (
        "Revoke verification",
        f"/mootshire/staff/verifications/{current.pk}/revoke/",
    ) in html.links(response)


def test_a_resident_at_another_council_shows_only_this_councils_history(
    signed_in_officer, council, other_council, neighbour
):
    factories.ResidentVerificationFactory(user=neighbour, council=other_council, reason="There")
    factories.ResidentVerificationFactory(
        user=neighbour, council=council, reason="Here", revoked_at="2025-01-01T00:00:00Z"
    )

    response = signed_in_officer.get(f"/mootshire/staff/residents/{neighbour.pk}/")

    assert [row[2] for row in html.table_rows(response)] == ["Here"]
    assert html.summary(response)["Postcode"] == "Postcode not in the area"
    assert "MH9" not in html.main_text(response)


def test_someone_outside_the_area_is_not_found_without_their_email(signed_in_officer, neighbour):
    response = signed_in_officer.get(f"/mootshire/staff/residents/{neighbour.pk}/")

    assert response.status_code == 404


def test_someone_outside_the_area_is_found_with_their_exact_email(signed_in_officer, neighbour):
    response = signed_in_officer.get(
        f"/mootshire/staff/residents/{neighbour.pk}/", {"email": "nina.neighbour@example.org"}
    )

    assert response.status_code == 200
    assert html.h1(response) == "Nina Neighbour"
    assert html.summary(response)["Postcode"] == "Postcode not in the area"
    assert "MH9 9ZZ" not in response.content.decode()
    assert (
        "Mark as verified resident",
        f"/mootshire/staff/residents/{neighbour.pk}/verify/?email=nina.neighbour%40example.org",
    ) in html.links(response)


def test_an_unknown_resident_is_not_found(signed_in_officer, council):
    assert signed_in_officer.get("/mootshire/staff/residents/999999999/").status_code == 404


def test_a_huge_resident_id_is_not_found_rather_than_an_error(signed_in_officer, council):
    response = signed_in_officer.get(f"/mootshire/staff/residents/{10**30}/")

    assert response.status_code == 404


def test_an_officer_looking_at_their_own_record_is_told_they_cannot_verify_themselves(
    client, council, officer, area
):
    officer.postcode = "MH1 1AA"
    officer.save()
    client.force_login(officer)

    response = client.get(f"/mootshire/staff/residents/{officer.pk}/")

    assert "You cannot verify yourself." in html.main_text(response)
    assert "Mark as verified resident" not in [label for label, _ in html.links(response)]
