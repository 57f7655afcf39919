"""Every back-office page keeps to the CSP and answers any input without a server error."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.accounts.models import ResidentVerification
from tests import factories


@pytest.fixture
def pages(council, resident, officer, area):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)
    return [
        "/mootshire/staff/",
        "/mootshire/staff/residents/",
        "/mootshire/staff/residents/?q=rita",
        f"/mootshire/staff/residents/{resident.pk}/",
        f"/mootshire/staff/residents/{officer.pk}/verify/",
        f"/mootshire/staff/verifications/{verification.pk}/revoke/",
        "/mootshire/staff/roles/",
        f"/mootshire/staff/roles/{officer.roles.get().pk}/revoke/",
        "/mootshire/staff/audit/",
    ]


def test_no_page_has_inline_script_or_style(client, council_admin, pages):
    client.force_login(council_admin)

    for url in pages:
        page = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], url
        assert re.findall(r"\sstyle=", page) == [], url
        assert re.findall(r"\son[a-z]+=", page) == [], url


def test_every_page_has_one_main_heading(client, council_admin, pages):
    client.force_login(council_admin)

    for url in pages:
        assert client.get(url).content.decode().count("<h1") == 1, url


_ANY_TEXT = st.text(max_size=300)
_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(query=_ANY_TEXT, page=_ANY_TEXT, email=_ANY_TEXT)
def test_searching_never_fails(client, officer, resident, area, query, page, email):
    client.force_login(officer)

    listing = client.get("/mootshire/staff/residents/", {"q": query, "page": page})
    record = client.get(f"/mootshire/staff/residents/{resident.pk}/", {"email": email})

    assert listing.status_code == 200
    assert record.status_code == 200


@_SETTINGS
@given(method=_ANY_TEXT, reason=_ANY_TEXT)
def test_verifying_never_fails(client, council, officer, resident, area, method, reason):
    client.force_login(officer)
    ResidentVerification.objects.filter(user=resident).delete()

    response = client.post(
        f"/mootshire/staff/residents/{resident.pk}/verify/", {"method": method, "reason": reason}
    )

    assert response.status_code in (200, 302)
    assert ResidentVerification.objects.count() == (1 if response.status_code == 302 else 0)


@_SETTINGS
@given(email=_ANY_TEXT, kind=_ANY_TEXT, councillor=_ANY_TEXT, reason=_ANY_TEXT)
def test_granting_never_fails(client, council_admin, resident, email, kind, councillor, reason):
    client.force_login(council_admin)

    response = client.post(
        "/mootshire/staff/roles/",
        {"email": email, "kind": kind, "councillor": councillor, "reason": reason},
    )

    assert response.status_code in (200, 302)


@_SETTINGS
@given(email=st.sampled_from(["rita.resident@example.org", "RITA.RESIDENT@example.org"]),
       kind=st.sampled_from(["officer", "moderator", "council_admin"]),
       reason=_ANY_TEXT)  # fmt: skip
def test_valid_grants_always_succeed(client, council_admin, resident, email, kind, reason):
    client.force_login(council_admin)

    data = {"email": email, "kind": kind, "reason": reason}

    response = client.post("/mootshire/staff/roles/", data)

    if "\x00" in reason:  # refused by the form, with a message
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert resident.roles.filter(kind=kind).exists()
