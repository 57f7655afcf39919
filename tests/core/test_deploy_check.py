"""Security headers and cookies on real responses, under production-like settings.

A separate process reads the settings from the environment as production does (HTTPS on,
DEBUG off, a real secret key, a real host name), migrates a fresh SQLite database and
answers requests to the site and the API; the test reads what came back.
`make deploy-check` (part of `make test`) runs Django's deployment checklist the same way.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOST = "moothall.example.gov.uk"

SCRIPT = """
import json
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from moothall.accounts.models import User

call_command("migrate", verbosity=0)
user = User.objects.create_user(email="olive@example.org", password="a long walk by the river")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

def seen(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
            }
            for name, morsel in response.cookies.items()
        },
    }

client = Client(HTTP_HOST="THE_HOST")
found = {
    "plain_http": seen(client.get("/councils/")),
    "html": seen(client.get("/accounts/login/", secure=True)),
    "api": seen(client.get("/api/v1/councils", secure=True)),
    "sign_in": seen(client.post(
        "/accounts/login/",
        {"login": "olive@example.org", "password": "a long walk by the river"},
        secure=True,
    )),
    "language": seen(client.post("/i18n/setlang/", {"language": "cy"}, secure=True)),
}
print("RESULT" + json.dumps(found))
""".replace("THE_HOST", HOST)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    var = tmp_path_factory.mktemp("production")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "REDIS_URL", "HTTPS"}
    }
    env.update(
        MOOTHALL_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        STATIC_MANIFEST="false",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "moothall", "shell", "--no-imports", "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def test_plain_http_is_sent_to_https(production):
    answer = production["plain_http"]
    assert answer["status"] == 301
    assert answer["headers"]["Location"] == f"https://{HOST}/councils/"


@pytest.mark.parametrize("page", ["html", "api"])
def test_every_response_carries_the_security_headers(production, page):
    answer = production[page]
    headers = answer["headers"]

    assert answer["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    policy = dict(
        [*directive.split(" ", 1), ""][:2]
        for directive in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert not re.search(r"unsafe-(inline|eval)", headers["Content-Security-Policy"])


def test_the_api_json_is_not_sniffed_as_anything_else(production):
    assert production["api"]["headers"]["Content-Type"] == "application/json; charset=utf-8"


def test_every_cookie_is_secure_and_hidden_from_scripts(production):
    cookies = {
        **production["html"]["cookies"],
        **production["sign_in"]["cookies"],
        **production["language"]["cookies"],
    }

    assert production["sign_in"]["status"] == 302  # signed in: a session cookie was set
    assert set(cookies) >= {"csrftoken", "sessionid", "django_language"}
    for name, cookie in cookies.items():
        assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}, name
