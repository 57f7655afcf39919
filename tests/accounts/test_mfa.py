"""Two-factor authentication: staff are sent to set it up; anyone may; codes at sign-in."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache

from tests import factories

PASSWORD = "a long walk by the river"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def app_code(secret: str) -> str:
    """The code an authenticator app shows now (waiting out the last second of a period)."""
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def h1_of(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert len(headings) == 1, headings
    return " ".join(headings[0].split())


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


@pytest.fixture
def new_officer(council):
    """An officer whose role was just granted: no MFA yet."""
    user = with_password(factories.UserFactory(email="nell.new@example.org", name="Nell New"))
    factories.RoleFactory(user=user, council=council, kind="officer")
    return user


@pytest.mark.django_db
def test_a_new_officer_is_sent_to_set_up_an_authenticator_app(client, new_officer):
    sign_in(client, "nell.new@example.org")

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    html = page.content.decode()
    assert page.status_code == 200
    assert h1_of(html) == "Set up an authenticator app"
    assert "Your role needs two-factor authentication. Set it up to carry on." in html
    assert re.search(
        r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="QR code for your '
        r'authenticator app. If you cannot scan it, use the setup key below."',
        html,
    )
    secret = client.session["mfa.totp.secret"]
    assert f'<code id="totp-secret">{secret}</code>' in html
    assert '<label class="govuk-label govuk-label--s" for="id_code">Code from your app</label>' in (
        html
    )
    assert (
        '<button type="submit" class="govuk-button" data-module="govuk-button">'
        "Turn on two-factor authentication</button>"
    ) in html


@pytest.mark.django_db
def test_an_officer_turns_on_mfa_with_a_code_from_their_app_and_gets_recovery_codes(
    client, new_officer
):
    sign_in(client, "nell.new@example.org")
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]

    response = client.post("/accounts/2fa/totp/activate/", {"code": app_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert sorted(
        Authenticator.objects.filter(user=new_officer).values_list("type", flat=True)
    ) == [
        "recovery_codes",
        "totp",
    ]
    codes_page = client.get("/accounts/2fa/recovery-codes/")
    html = codes_page.content.decode()
    assert h1_of(html) == "Recovery codes"
    assert "You have 10 of 10 recovery codes left." in html
    assert len(re.findall(r"<li><code>[0-9a-z]{8}</code></li>", html)) == 10
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_app_code_is_refused_with_an_error_summary(client, new_officer):
    sign_in(client, "nell.new@example.org")
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    wrong = f"{(int(app_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/2fa/totp/activate/", {"code": wrong})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<li><a href="#id_code">Incorrect code.</a></li>' in html
    assert "<title>Error: Set up an authenticator app" in html
    assert f'<code id="totp-secret">{secret}</code>' in html
    assert Authenticator.objects.filter(user=new_officer).count() == 0


@pytest.mark.django_db
def test_a_person_with_mfa_enters_an_app_code_after_their_password(client, council):
    user = with_password(factories.UserFactory(email="olive.officer@example.org"))
    factories.RoleFactory(user=user, council=council, kind="officer")
    totp = factories.give_mfa(user)
    secret = decrypt(totp.instance.data["secret"])

    response = sign_in(client, "olive.officer@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.session.get(SESSION_KEY) is None
    page = client.get("/accounts/2fa/authenticate/")
    assert h1_of(page.content.decode()) == "Enter your authentication code"

    response = client.post("/accounts/2fa/authenticate/", {"code": app_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_a_recovery_code_can_stand_in_for_the_app_code(client):
    user = with_password(factories.UserFactory(email="olive.officer@example.org"))
    factories.give_mfa(user)
    recovery = RecoveryCodes.activate(user)
    first_code = recovery.get_unused_codes()[0]
    sign_in(client, "olive.officer@example.org")

    response = client.post("/accounts/2fa/authenticate/", {"code": first_code})

    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    stored = Authenticator.objects.get(pk=recovery.instance.pk)
    assert len(RecoveryCodes(stored).get_unused_codes()) == 9


@pytest.mark.django_db
def test_a_wrong_code_at_sign_in_is_refused(client):
    user = with_password(factories.UserFactory(email="olive.officer@example.org"))
    totp = factories.give_mfa(user)
    secret = decrypt(totp.instance.data["secret"])
    sign_in(client, "olive.officer@example.org")
    wrong = f"{(int(app_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<li><a href="#id_code">Incorrect code.</a></li>' in html
    assert client.session.get(SESSION_KEY) is None


@pytest.mark.django_db
def test_the_mfa_page_tells_a_resident_it_is_off(client, resident):
    client.force_login(resident)

    html = client.get("/accounts/2fa/").content.decode()

    assert h1_of(html) == "Two-factor authentication"
    assert '<strong class="govuk-tag govuk-tag--grey">Off</strong>' in html
    assert 'href="/accounts/2fa/totp/activate/">Set up an authenticator app</a>' in html


@pytest.mark.django_db
def test_the_mfa_page_tells_an_officer_it_is_on(client, officer):
    RecoveryCodes.activate(officer)
    client.force_login(officer)

    html = client.get("/accounts/2fa/").content.decode()

    assert '<strong class="govuk-tag govuk-tag--green">On</strong>' in html
    assert 'href="/accounts/2fa/totp/deactivate/">Turn off</a>' in html
    assert "You have 10 of 10 recovery codes left." in html


@pytest.mark.django_db
def test_setting_up_mfa_long_after_signing_in_first_asks_the_person_to_confirm_it_is_them(
    client, resident
):
    with_password(resident)
    client.force_login(resident)  # no record of a recent sign-in in this session

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    page = client.get(response["Location"])
    assert h1_of(page.content.decode()) == "Confirm it is you"

    response = client.post(
        "/accounts/reauthenticate/", {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"}
    )
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


@pytest.mark.django_db
def test_an_officer_who_signed_in_by_code_goes_straight_to_setting_up_the_app(client, council):
    user = factories.UserFactory(email="nell.new@example.org")
    user.set_unusable_password()
    user.save()
    factories.RoleFactory(user=user, council=council, kind="officer")
    client.post("/accounts/login/code/", {"email": "nell.new@example.org"})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE)
    assert code is not None
    client.post("/accounts/login/code/confirm/", {"action": "verify", "code": code.group(1)})

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/accounts/2fa/totp/activate/", 302)]
    assert h1_of(response.content.decode()) == "Set up an authenticator app"
    assert len(mail.outbox) == 1  # no second code just to prove who they are


@pytest.mark.django_db
def test_an_officer_who_signed_in_more_than_five_minutes_ago_must_confirm_it_is_them(
    client, new_officer
):
    sign_in(client, "nell.new@example.org")
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    records[-1]["at"] -= 301
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
