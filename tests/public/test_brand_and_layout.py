"""The council's brand stylesheet, and the layout every public page shares."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from moothall.councils.models import Council
from tests.public.area import Area

pytestmark = pytest.mark.django_db


def test_the_brand_stylesheet_sets_the_councils_colour(client, area: Area):
    response = client.get("/lowdale/brand.css")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == ":root{--mh-brand:#2e5e3a}\n"
    assert response["Cache-Control"] == "public, max-age=86400"


def test_a_stored_colour_that_is_not_a_safe_hex_colour_is_never_echoed(client, area: Area):
    # Rows written around the model validation (an import, a shell) must not reach the CSS.
    Council.objects.filter(pk=area.district.pk).update(colour="red}*{x")
    Council.objects.filter(pk=area.parish.pk).update(colour="#ffff00")  # unreadable behind white

    assert client.get("/lowdale/brand.css").content.decode() == ":root{--mh-brand:#1d4f76}\n"
    assert client.get("/brookby/brand.css").content.decode() == ":root{--mh-brand:#1d4f76}\n"


def test_the_brand_stylesheet_of_an_unknown_council_is_not_found(client):
    assert client.get("/nowhere/brand.css").status_code == 404


def test_pages_in_a_councils_space_link_its_brand_stylesheet(client, area: Area):
    version = int(area.district.updated_at.timestamp())
    for url in [
        "/lowdale/",
        "/lowdale/councillors/",
        "/lowdale/wards/lowdale-central/",
        f"/lowdale/councillors/{area.cara.pk}-cara-cole/",
    ]:
        response = client.get(url)
        assertContains(
            response, f'<link rel="stylesheet" href="/lowdale/brand.css?v={version}">', html=True
        )
        assertContains(
            response,
            '<span class="govuk-header__product-name mh-header__name">Lowdale</span>',
            html=True,
        )


def test_pages_outside_any_council_do_not_link_a_brand_stylesheet(client, area: Area):
    for url in ["/", "/councils/", "/your-councils/?postcode=MH1+1AA"]:
        assertNotContains(client.get(url), "brand.css")


def _public_urls(area: Area) -> list[str]:
    return [
        "/",
        "/your-councils/?postcode=MH1+1AA",
        "/your-councils/?postcode=nonsense",
        "/your-councils/?postcode=MH9+9ZZ",
        "/councils/",
        "/mootshire/",
        "/mootshire/wards/mootford-north/",
        "/mootshire/councillors/",
        f"/mootshire/councillors/{area.ada.pk}-ada-lovelace/",
        f"/mootshire/councillors/{area.fred.pk}-fred-former/",
    ]


def test_no_public_page_has_inline_script_style_or_event_handlers(client, area: Area):
    for url in _public_urls(area):
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts, url
        assert all(" src=" in tag for tag in scripts), (url, scripts)
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "javascript:" not in html, url


def test_no_template_syntax_leaks_into_a_public_page(client, area: Area):
    for url in _public_urls(area):
        html = client.get(url).content.decode()
        assert not re.search(r"\{[#%]|[#%]\}|\{\{|\}\}", html), url


def test_every_public_page_offers_the_language_switcher(client, area: Area):
    for url in _public_urls(area):
        response = client.get(url)
        assertContains(response, '<form action="/i18n/setlang/" method="post"')
        assertContains(
            response,
            '<button type="submit" name="language" value="cy" '
            'class="mh-link-button govuk-language-navigation__link" lang="cy">Cymraeg</button>',
            html=True,
        )


def test_a_visitor_who_chooses_welsh_gets_pages_marked_as_welsh(area: Area):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/mootshire/")
    token = page.cookies["csrftoken"].value

    response = client.post(
        "/i18n/setlang/",
        {"language": "cy", "next": "/mootshire/", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == "/mootshire/"
    welsh = client.get("/mootshire/")
    assertContains(welsh, '<html lang="cy" class="govuk-template">')
    assertContains(
        welsh,
        '<button type="submit" name="language" value="en-gb" '
        'class="mh-link-button govuk-language-navigation__link" lang="en-GB">English</button>',
        html=True,
    )


def test_the_menu_marks_the_page_the_visitor_is_on(client, area: Area):
    response = client.get("/mootshire/councillors/")

    assertContains(
        response,
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        '<a class="govuk-service-navigation__link" href="/mootshire/councillors/" '
        'aria-current="page"><strong class="govuk-service-navigation__active-fallback">'
        "Councillors</strong></a></li>",
        html=True,
    )


def test_a_signed_in_resident_sees_their_account_in_the_menu(client, resident, area: Area):
    client.force_login(resident)

    response = client.get("/councils/")

    assertContains(
        response,
        '<a class="govuk-service-navigation__link" href="/accounts/profile/">Your account</a>',
        html=True,
    )
    assertContains(
        response,
        '<a class="govuk-service-navigation__link" href="/accounts/logout/">Sign out</a>',
        html=True,
    )
    assertNotContains(response, "Sign in")


def test_a_visitor_is_offered_sign_in(client, area: Area):
    response = client.get("/councils/")

    assertContains(
        response,
        '<a class="govuk-service-navigation__link" href="/accounts/login/">Sign in</a>',
        html=True,
    )
