from io import StringIO

import pytest
from django.core.management import call_command

from moothall.accounts.models import Role, User
from moothall.accounts.rules import has_mfa
from moothall.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_a_site_served_over_https_never_gets_the_demo_accounts(settings):
    settings.HTTPS = True

    output = run_demo()

    assert "demo_accounts: skipped: demo accounts are made only for a local http demo" in output
    # The demo's invented residents (authors of ideas, letter writers) have no password:
    # nobody can sign in as anyone on a public site.
    assert not [user.email for user in User.objects.all() if user.has_usable_password()]
    assert not User.objects.filter(email__endswith="@mootshire.example").exists()
    assert not User.objects.filter(email="admin@moothall.example").exists()


def test_a_local_demo_has_accounts_for_each_side_of_the_site(settings, client):
    settings.HTTPS = False

    output = run_demo()

    assert "password 'moothall-demo'; staff authenticator key MOOTHALLDEMOKEYS" in output
    roles = sorted(
        Role.objects.values_list("user__email", "council__slug", "kind", "councillor__source_id")
    )
    assert roles == [
        ("council-admin@mootshire.example", "mootshire", "council_admin", None),
        ("councillor@mootshire.example", "mootshire", "councillor", "mootshire-1"),
        ("officer@mootshire.example", "mootshire", "officer", None),
    ]
    assert has_mfa(User.objects.get(email="officer@mootshire.example"))
    assert not has_mfa(User.objects.get(email="resident@mootshire.example"))
    assert AuditEntry.objects.filter(action="role.granted").count() == 3
    assert client.login(email="resident@mootshire.example", password="moothall-demo")


def test_running_the_demo_again_grants_nothing_new(settings):
    settings.HTTPS = False
    run_demo()

    run_demo()

    # The five accounts one can sign in with, once each (the invented residents of the
    # ideas and letters demo steps have no password).
    assert sorted(u.email for u in User.objects.all() if u.has_usable_password()) == [
        "admin@moothall.example",
        "council-admin@mootshire.example",
        "councillor@mootshire.example",
        "officer@mootshire.example",
        "resident@mootshire.example",
    ]
    assert Role.objects.count() == 3
    assert AuditEntry.objects.filter(action="role.granted").count() == 3


def test_the_published_authenticator_key_signs_a_demo_officer_in(settings, client):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    settings.HTTPS = False
    run_demo()
    code = format_hotp_value(hotp_value("MOOTHALLDEMOKEYS", int(time.time()) // 30))

    client.post(
        "/accounts/login/", {"login": "officer@mootshire.example", "password": "moothall-demo"}
    )
    response = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert response.status_code == 302
    assert client.get("/mootshire/staff/").status_code == 200
