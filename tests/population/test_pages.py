"""The population pages: staff load figures (role × action), the public see them, and a
petition's signatures are set against them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.asserts import assertRedirects

from moothall.core.models import AuditEntry
from moothall.petitions.models import Signature
from moothall.population import rules
from moothall.population.models import WardPopulation
from tests import factories
from tests.population.html import tables
from tests.population.scene import GOOD_CSV, build_area
from tests.staff import html

pytestmark = pytest.mark.django_db

STAFF = "/mootshire/staff/population/"
ROLES = [
    "resident",
    "councillor_user",
    "moderator",
    "officer",
    "council_admin",
    "outsider",
    "platform_admin",
]
MAY_MANAGE = {"officer", "council_admin", "platform_admin"}


def upload(client: Client, text: str | bytes, **fields: str):
    data = text.encode() if isinstance(text, str) else text
    payload = {"mode": "replace", "source": "", "year": ""} | fields
    payload["file"] = SimpleUploadedFile("wards.csv", data, content_type="text/csv")
    return client.post(STAFF, payload)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_load_figures_role_by_action(request, client, council, role):
    build_area(council, figures=False)
    person = request.getfixturevalue(role)
    client.force_login(person)
    may = role in MAY_MANAGE

    assert rules.allowed(person, council, rules.Step.MANAGE) is may
    assert rules.allowed(person, council, rules.Step.SEE) is True
    assert client.get(STAFF).status_code == (200 if may else 403)
    assert client.get(STAFF + "population.csv").status_code == (200 if may else 403)
    assert upload(client, GOOD_CSV).status_code == (302 if may else 403)
    assert WardPopulation.objects.exists() is may


def test_staff_without_two_factor_authentication_may_not_load(client, council):
    build_area(council, figures=False)
    officer = factories.UserFactory(email="new.officer@example.org")
    factories.RoleFactory(user=officer, council=council, kind="officer")
    client.force_login(officer)

    assert client.get(STAFF).status_code in (302, 403)
    assert upload(client, GOOD_CSV).status_code in (302, 403)
    assert not WardPopulation.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, council):
    assertRedirects(
        client.get(STAFF), f"/accounts/login/?next={STAFF}", fetch_redirect_response=False
    )


def test_an_officer_loads_a_file_and_sees_the_figures_per_ward(client, council, officer):
    build_area(council, figures=False)
    client.force_login(officer)

    response = upload(client, GOOD_CSV, source="Census 2021", year="2021")

    assertRedirects(response, STAFF, fetch_redirect_response=False)
    page = client.get(STAFF)
    assert html.banners(page) == ["Loaded 8 figures for 2 wards: 7,790 residents."]
    found = tables(page.content.decode())
    assert found["Residents by ward and sex"] == [
        ["Abbey (E05000001)", "1,300", "1,190", "2,490"],
        ["Brook (E05000002)", "2,700", "2,600", "5,300"],
        ["All wards", "4,000", "3,790", "7,790"],
    ]
    assert found["Residents by ward and age band"][0] == [
        "Abbey",
        "0",
        "1,990",
        "0",
        "0",
        "0",
        "0",
        "0",
        "500",
    ]
    assert html.summary(page)["Source"] == "Census 2021 (2021)"
    entry = AuditEntry.objects.get(action="population.imported")
    assert (entry.actor, entry.details["source"]) == (officer, "Census 2021")


def test_a_bad_file_is_listed_in_the_error_summary_and_nothing_changes(client, council, officer):
    area = build_area(council)
    client.force_login(officer)
    before = WardPopulation.objects.count()

    response = upload(
        client, "ward_name,age_band,sex,count\nAbbey,16_24,female,-1\nNowhere,x,male,2\n"
    )

    assert response.status_code == 400
    assert html.error_summary(response) == [
        "The file was not loaded; nothing was changed.",
        "Line 2: the count must be a whole number of 0 or more, not “-1”.",
        "Line 3: no ward is called “Nowhere”.",
        "Line 3: “x” is not an age band (use one like 16_24 or “16 to 24”).",
    ]
    assert html.error_links(response) == ["#id_file"] * 4
    assert html.title(response).startswith("Error:")
    assert WardPopulation.objects.count() == before
    assert WardPopulation.objects.get(ward=area.abbey, age_band="16_24", sex="female").count == 1000


def test_a_form_without_a_file_says_so(client, council, officer):
    client.force_login(officer)
    response = client.post(STAFF, {"mode": "replace", "year": "next year"})

    assert response.status_code == 400
    assert html.error_summary(response) == [
        "Choose a CSV file to upload.",
        "Enter a year like 2021.",
    ]


def test_the_figures_download_in_the_import_format(client, council, officer):
    build_area(council)
    client.force_login(officer)

    response = client.get(STAFF + "population.csv")

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "ward_code,ward_name,age_band,sex,count"
    assert lines[1] == "E05000001,Abbey,16_24,female,1000"
    assert len(lines) == 9


def test_the_public_page_shows_the_figures(client, council):
    build_area(council)

    response = client.get("/mootshire/population/")

    assert response.status_code == 200
    found = tables(response.content.decode())
    assert found["Residents by ward"][-1] == ["All wards", "8,000", "8,000", "16,000"]
    assert found["Residents by age band"][1] == ["16 to 24", "4,000", "4,000", "8,000"]


def test_the_public_page_says_when_there_are_no_figures(client, council):
    response = client.get("/mootshire/population/")
    assert "has not published population figures yet" in html.main_text(response)
    assert client.get("/nowhere/population/").status_code == 404


# --- A petition's signatures against the population ------------------------------------


def petition_with_signatures(council, area, resident, moderator, **counts: int):
    from tests.public.petitions_scene import build_scene, publish

    scene = build_scene(council, resident, moderator, moderator)
    petition = publish(scene)
    wards = {"abbey": area.abbey, "brook": area.brook, "none": None}
    rows = []
    for key, count in counts.items():
        for n in range(count):
            rows.append(
                Signature(
                    petition=petition,
                    name="Sam",
                    email=f"{key}{n}@example.org",
                    email_key=f"{key}{n}@example.org",
                    ward=wards[key],
                    status=Signature.Status.CONFIRMED,
                )
            )
    Signature.objects.bulk_create(rows)
    return petition


def test_a_petitions_signatures_per_thousand_residents_by_ward(
    client, council, resident, moderator
):
    area = build_area(council)
    petition = petition_with_signatures(
        council, area, resident, moderator, abbey=40, brook=30, none=12
    )

    response = client.get(f"/mootshire/petitions/{petition.pk}/who-signed/")

    assert response.status_code == 200
    assert html.h1(response) == "Who signed, against who lives here"
    found = tables(response.content.decode())
    ward_rows = found["Participants by ward"]
    assert ["Abbey", "40", "4,000", "10.0"] in ward_rows
    assert ["Brook", "30", "12,000", "2.5"] in ward_rows
    assert ward_rows[-2:] == [
        ["Ward not known or outside the council’s wards", "12", "", ""],
        ["All wards", "82", "16,000", "5.1"],
    ]
    assert "Participants by age" not in found  # petitions do not ask


def test_a_petition_with_few_signatures_in_a_ward_shows_fewer_than_ten(
    client, council, resident, moderator
):
    area = build_area(council)
    petition = petition_with_signatures(council, area, resident, moderator, abbey=40, brook=4)

    found = tables(client.get(f"/mootshire/petitions/{petition.pk}/who-signed/").content.decode())

    assert ["Brook", "fewer than 10", "12,000", "not shown"] in found["Participants by ward"]
    # 4 + 0 outside would be 44 - 40: Abbey is hidden as well.
    assert ["Abbey", "fewer than 10", "4,000", "not shown"] in found["Participants by ward"]


def test_an_unpublished_petition_has_no_page(client, council, resident, moderator):
    from tests.public.petitions_scene import build_scene, draft

    area = build_area(council)
    scene = build_scene(council, resident, moderator, moderator)
    petition = draft(scene)

    assert client.get(f"/mootshire/petitions/{petition.pk}/who-signed/").status_code == 404
    assert client.get("/mootshire/petitions/999999/who-signed/").status_code == 404
    assert area  # the figures exist; the petition does not show
