"""The profile page: your details, your postcode and the councils it tells us about."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.accounts.models import ResidentVerification, User
from moothall.accounts.residents import update_profile
from moothall.core.models import AuditEntry
from moothall.councils.postcodes import InvalidPostcode, is_valid_postcode
from tests import factories


@pytest.fixture
def area(db):
    """Mootshire county and Moot Vale district, each with a ward covering MH1 1AA."""
    county = factories.CouncilFactory(
        name="Mootshire County Council",
        short_name="Mootshire",
        slug="mootshire",
        tier="county",
        gss_code="E10000901",
    )
    district = factories.CouncilFactory(
        name="Moot Vale District Council",
        short_name="Moot Vale",
        slug="moot-vale",
        tier="district",
        gss_code="E07000901",
    )
    factories.WardFactory(
        council=county, name="Moothampton Division", slug="moothampton", gss_code="E58000901"
    )
    factories.WardFactory(council=district, name="Castle Ward", slug="castle", gss_code="E05000901")
    factories.PostcodeFactory(
        postcode="MH1 1AA",
        ward_gss="E05000901",
        division_gss="E58000901",
        district_gss="E07000901",
        county_gss="E10000901",
    )
    return county, district


def h1_of(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert len(headings) == 1, headings
    return " ".join(headings[0].split())


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.DOTALL)
    assert match is not None, f"no #{element_id}"
    return " ".join(match.group(1).split())


def council_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="govuk-table" id="councils">(.*?)</table>', html, re.DOTALL)
    assert table is not None
    body = table.group(1).split("<tbody", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        for row in rows
    ]


# --- Seeing the page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_sees_their_email_name_postcode_and_councils(client, resident, area):
    client.force_login(resident)

    response = client.get("/accounts/profile/")

    html = response.content.decode()
    assert response.status_code == 200
    assert h1_of(html) == "Your account"
    assert text_of(html, "account-email") == "rita.resident@example.org"
    assert 'name="name" type="text" value="Rita Resident"' in html
    assert 'name="postcode" type="text" value="MH1 1AA"' in html
    assert council_rows(html) == [
        ["Mootshire County Council", "Moothampton Division", "Postcode in the council’s area"],
        ["Moot Vale District Council", "Castle Ward", "Postcode in the council’s area"],
    ]
    assert '<a class="govuk-link" href="/mootshire/">Mootshire County Council</a>' in html
    assert '<a class="govuk-link" href="/moot-vale/wards/castle/">Castle Ward</a>' in html


@pytest.mark.django_db
def test_a_verified_resident_sees_that_standing_at_that_council_only(client, resident, area):
    county, _district = area
    ResidentVerification.objects.create(
        user=resident,
        council=county,
        method=ResidentVerification.Method.LETTER,
        reason="Code posted to the address came back.",
    )
    client.force_login(resident)

    html = client.get("/accounts/profile/").content.decode()

    assert council_rows(html) == [
        ["Mootshire County Council", "Moothampton Division", "Verified resident"],
        ["Moot Vale District Council", "Castle Ward", "Postcode in the council’s area"],
    ]


@pytest.mark.django_db
def test_a_postcode_we_do_not_know_is_named_as_missing_from_the_directory(client, area):
    person = factories.UserFactory(email="una.known@example.org", postcode="MH9 9ZZ")
    client.force_login(person)

    html = client.get("/accounts/profile/").content.decode()

    assert text_of(html, "councils-unknown") == (
        "MH9 9ZZ is not in our postcode directory, so we cannot tell which councils serve it yet."
    )
    assert 'id="councils"' not in html


@pytest.mark.django_db
def test_without_a_postcode_the_page_asks_for_one(client):
    person = factories.UserFactory(email="nia.newcomer@example.org", postcode="")
    client.force_login(person)

    html = client.get("/accounts/profile/").content.decode()

    assert text_of(html, "councils-none") == (
        "Add your postcode to see the councils and wards that serve you."
    )


@pytest.mark.django_db
def test_the_page_says_mfa_is_off_and_links_to_turn_it_on(client, resident):
    client.force_login(resident)

    html = client.get("/accounts/profile/").content.decode()

    assert text_of(html, "account-mfa") == "Off"
    assert (
        '<a class="govuk-link" href="/accounts/2fa/">Turn on'
        '<span class="govuk-visually-hidden"> two-factor authentication</span></a>'
    ) in html


@pytest.mark.django_db
def test_the_page_says_mfa_is_on_for_an_officer(client, officer):
    client.force_login(officer)

    html = client.get("/accounts/profile/").content.decode()

    assert text_of(html, "account-mfa") == "On"
    assert (
        '<a class="govuk-link" href="/accounts/2fa/">Manage'
        '<span class="govuk-visually-hidden"> two-factor authentication</span></a>'
    ) in html


@pytest.mark.django_db
def test_a_resident_without_a_password_is_offered_to_set_one(client, resident):
    resident.set_unusable_password()
    resident.save()
    client.force_login(resident)

    html = client.get("/accounts/profile/").content.decode()

    assert text_of(html, "account-password") == "Not set: you sign in with a code we email you"
    assert '<a class="govuk-link" href="/accounts/password/set/">Set a password</a>' in html


@pytest.mark.django_db
def test_the_profile_page_takes_a_fixed_number_of_queries(
    client, resident, area, django_assert_max_num_queries
):
    client.force_login(resident)

    with django_assert_max_num_queries(11):  # 10, and one for the roles list
        response = client.get("/accounts/profile/")

    assert response.status_code == 200


# --- Changing details ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_saves_a_new_name_and_a_postcode_typed_untidily(client, resident, area):
    client.force_login(resident)

    response = client.post("/accounts/profile/", {"name": "Rita Rees", "postcode": " mh1 1aa "})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    resident.refresh_from_db()
    assert (resident.name, resident.postcode) == ("Rita Rees", "MH1 1AA")
    page = client.get("/accounts/profile/").content.decode()
    assert "Your details have been saved." in page


@pytest.mark.django_db
def test_saving_writes_an_audit_entry_naming_the_changed_fields_but_not_the_postcode(
    client, resident
):
    client.force_login(resident)

    client.post("/accounts/profile/", {"name": "Rita Rees", "postcode": "sw1a2aa"})

    entry = AuditEntry.objects.get()
    assert entry.action == "profile.updated"
    assert entry.actor == resident
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(resident.pk))
    assert entry.details == {"fields": ["name", "postcode"]}
    assert "SW1A" not in str(entry.details)
    assert "SW1A" not in entry.target_repr


@pytest.mark.django_db
def test_saving_nothing_new_writes_nothing(client, resident):
    client.force_login(resident)

    response = client.post("/accounts/profile/", {"name": "Rita Resident", "postcode": "mh11aa"})

    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0
    assert "Nothing has changed." in client.get("/accounts/profile/").content.decode()


@pytest.mark.django_db
def test_a_resident_can_clear_their_postcode(client, resident):
    client.force_login(resident)

    client.post("/accounts/profile/", {"name": "Rita Resident", "postcode": ""})

    resident.refresh_from_db()
    assert resident.postcode == ""
    assert AuditEntry.objects.get().details == {"fields": ["postcode"]}


@pytest.mark.django_db
def test_a_malformed_postcode_gets_a_govuk_error_and_nothing_is_saved(client, resident):
    client.force_login(resident)

    response = client.post("/accounts/profile/", {"name": "Rita Rees", "postcode": "QX1 1AA"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Your account" in html
    assert '<li><a href="#id_postcode">Enter a real postcode, like SW1A 1AA</a></li>' in html
    assert (
        '<p id="id_postcode-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter a real postcode, like SW1A 1AA</p>'
    ) in html
    assert 'name="postcode" type="text" value="QX1 1AA"' in html
    resident.refresh_from_db()
    assert (resident.name, resident.postcode) == ("Rita Resident", "MH1 1AA")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_well_formed_postcode_missing_from_the_directory_is_saved(client, resident, area):
    client.force_login(resident)

    client.post("/accounts/profile/", {"name": "Rita Resident", "postcode": "mh9 9zz"})

    resident.refresh_from_db()
    assert resident.postcode == "MH9 9ZZ"
    html = client.get("/accounts/profile/").content.decode()
    assert text_of(html, "councils-unknown").startswith("MH9 9ZZ is not in our postcode directory")


@pytest.mark.django_db
def test_a_name_that_is_too_long_is_refused(client, resident):
    client.force_login(resident)

    response = client.post("/accounts/profile/", {"name": "R" * 201, "postcode": "MH1 1AA"})

    assert '<li><a href="#id_name">Name must be 200 characters or fewer.</a></li>' in (
        response.content.decode()
    )
    resident.refresh_from_db()
    assert resident.name == "Rita Resident"


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(postcode=st.text(max_size=40), name=st.text(max_size=250))
def test_whatever_is_typed_the_page_answers_and_keeps_a_tidy_record(
    client, resident, postcode, name
):
    client.force_login(resident)

    response = client.post("/accounts/profile/", {"name": name, "postcode": postcode})

    assert response.status_code in (200, 302)
    resident.refresh_from_db()
    assert resident.postcode == "" or is_valid_postcode(resident.postcode)
    assert len(resident.name) <= 200


# --- The verb -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_profile_refuses_a_malformed_postcode_before_writing_anything(resident):
    with pytest.raises(InvalidPostcode):
        update_profile(resident, name="Someone Else", postcode="not a postcode")

    stored = User.objects.get(pk=resident.pk)
    assert (stored.name, stored.postcode) == ("Rita Resident", "MH1 1AA")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_update_profile_returns_the_changed_fields_and_updates_the_object(resident):
    changed = update_profile(resident, name="  Rita Rees ", postcode="MH1 1AA")

    assert changed == ["name"]
    assert resident.name == "Rita Rees"
    assert User.objects.get(pk=resident.pk).name == "Rita Rees"


def test_the_profile_links_a_staff_member_to_each_back_office_they_may_use(
    client, officer, council
):
    client.force_login(officer)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200
    assert "Officer at Mootshire County Council" in response.text
    assert 'href="/mootshire/staff/"' in response.text
    assert "Mootshire staff area" in response.text


def test_the_profile_links_a_councillor_to_their_public_page(client, councillor_user):
    client.force_login(councillor_user)

    response = client.get("/accounts/profile/")

    seat = councillor_user.roles.get().councillor
    assert "Councillor at Mootshire County Council" in response.text
    assert f'href="{seat.get_absolute_url()}"' in response.text
    assert "staff area" not in response.text


def test_a_resident_without_roles_sees_no_roles_section(client, resident):
    client.force_login(resident)

    response = client.get("/accounts/profile/")

    assert "Your roles" not in response.text
