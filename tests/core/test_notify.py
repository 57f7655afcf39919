"""GOV.UK Notify as the email backend, against a stand-in Notify API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db.models import F

from moothall.core import mail as outbox
from moothall.core.models import OutboxMessage
from moothall.core.notify import NotifyEmailBackend

REPO = Path(__file__).resolve().parents[2]
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"moothall_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
CREATED = {
    "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
    "reference": None,
    "content": {"subject": "s", "body": "b", "from_email": "moothall@notifications.service.gov.uk"},
    "uri": "https://api.notifications.service.gov.uk/v2/notifications/740e5834",
    "template": {"id": TEMPLATE_ID, "version": 1, "uri": "https://example"},
}
TEAM_ONLY = {
    "status_code": 400,
    "errors": [
        {
            "error": "BadRequestError",
            "message": "Can't send to this recipient using a team-only API key",
        }
    ],
}


class StandInNotify(BaseHTTPRequestHandler):
    """Records each request and answers with the server's ``reply`` (status, JSON)."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        status, payload = self.server.reply
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def notify(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # only ever this machine
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInNotify)
    server.requests = []
    server.reply = (201, CREATED)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "moothall.core.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def template(settings, tmp_path):
    folder = tmp_path / "templates" / "test"
    folder.mkdir(parents=True)
    (folder / "news_subject.txt").write_text("News from {{ council }}\n")
    (folder / "news_body.txt").write_text("The bins are late.\nStop: {{ unsubscribe_url }}\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.SITE_URL = "https://moothall.example"
    return "test/news"


def queue(template, capture):
    with capture(execute=True):
        outbox.queue_email(
            "rita.resident@example.org",
            template,
            {"council": "Mootshire"},
            unsubscribe_url="/unsubscribe/abc/",
        )
    return OutboxMessage.objects.get()


@pytest.mark.django_db
def test_an_email_goes_to_notify_with_its_subject_and_body_as_personalisation(
    notify, template, django_capture_on_commit_callbacks
):
    message = queue(template, django_capture_on_commit_callbacks)

    [request] = notify.requests
    assert request["path"] == "/v2/notifications/email"
    scheme, token = request["headers"]["Authorization"].split(" ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert (scheme, claims["iss"]) == ("Bearer", SERVICE_ID)
    assert isinstance(claims["iat"], int)
    assert request["json"] == {
        "email_address": "rita.resident@example.org",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "News from Mootshire",
            "body": "The bins are late.\nStop: https://moothall.example/unsubscribe/abc/\n",
        },
        "one_click_unsubscribe_url": "https://moothall.example/unsubscribe/abc/",
    }
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "payload", "error"),
    [
        (
            500,
            {
                "status_code": 500,
                "errors": [{"error": "Exception", "message": "Internal server error"}],
            },
            "NotifyError: Notify answered 500: Exception: Internal server error",
        ),
        (
            503,
            {"status_code": 503, "errors": [{"error": "Unavailable", "message": "Try later"}]},
            "NotifyError: Notify answered 503: Unavailable: Try later",
        ),
        (
            400,
            TEAM_ONLY,
            "NotifyError: Notify answered 400: BadRequestError: Can't send to this recipient using a team-only API key",
        ),
    ],
)
def test_an_error_from_notify_keeps_the_message_pending_with_the_error_until_a_retry_sends_it(
    notify, template, django_capture_on_commit_callbacks, status, payload, error
):
    notify.reply = (status, payload)

    message = queue(template, django_capture_on_commit_callbacks)

    assert (message.status, message.attempts, message.last_error) == ("pending", 1, error)
    assert message.next_attempt_at == message.claimed_at + dt.timedelta(minutes=1)

    notify.reply = (201, CREATED)
    two_minutes = dt.timedelta(minutes=2)  # pass, as far as the outbox can tell
    OutboxMessage.objects.update(
        next_attempt_at=F("next_attempt_at") - two_minutes,
        enqueued_at=F("enqueued_at") - two_minutes,
        claimed_at=F("claimed_at") - two_minutes,
    )
    assert outbox.sweep().enqueued == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(notify.requests) == 2


@pytest.mark.django_db
def test_an_unreachable_notify_keeps_the_message_pending(
    settings, notify, template, django_capture_on_commit_callbacks
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"

    message = queue(template, django_capture_on_commit_callbacks)

    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("NotifyError: Notify could not be reached: ")
    assert "Connection refused" in message.last_error, message.last_error


def test_each_recipient_is_one_notification_to_a_bare_address(notify):
    message = EmailMessage(
        "Agenda published",
        "Read it online.",
        to=["Rita Resident <rita.resident@example.org>"],
        bcc=["clerk@example.org"],
    )

    assert NotifyEmailBackend().send_messages([message]) == 1

    assert [r["json"]["email_address"] for r in notify.requests] == [
        "rita.resident@example.org",
        "clerk@example.org",
    ]
    assert all("one_click_unsubscribe_url" not in r["json"] for r in notify.requests)


def test_failing_silently_counts_nothing_sent_instead_of_raising(notify):
    notify.reply = (500, {})
    message = EmailMessage("Subject", "Body", to=["rita.resident@example.org"])
    assert NotifyEmailBackend(fail_silently=True).send_messages([message]) == 0
    assert NotifyEmailBackend().send_messages([]) == 0


def settings_with(tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GOVUK_NOTIFY_", "EMAIL_")) and k not in {"DATABASE_URL", "DEBUG"}
    }
    clean.update(MOOTHALL_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import moothall.settings as s; print(s.EMAIL_BACKEND); print(s.GOVUK_NOTIFY_BASE_URL)",
        ],
        capture_output=True,
        text=True,
        env=clean,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_notify_is_the_backend_when_its_key_and_template_are_set(tmp_path):
    result = settings_with(
        tmp_path,
        GOVUK_NOTIFY_API_KEY=API_KEY,
        GOVUK_NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
        GOVUK_NOTIFY_BASE_URL="https://notify.example",
        EMAIL_HOST="smtp.example",
    )
    assert result.stdout.splitlines() == [
        "moothall.core.notify.NotifyEmailBackend",
        "https://notify.example",
    ], result.stderr


def test_without_notify_the_existing_email_settings_apply(tmp_path):
    assert settings_with(tmp_path).stdout.splitlines() == [
        "django.core.mail.backends.console.EmailBackend",
        "https://api.notifications.service.gov.uk",
    ]
    assert settings_with(tmp_path, EMAIL_HOST="smtp.example").stdout.splitlines()[0] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


def test_a_notify_key_without_a_template_fails_loudly(tmp_path):
    result = settings_with(tmp_path, GOVUK_NOTIFY_API_KEY=API_KEY)
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: GOV.UK Notify needs both GOVUK_NOTIFY_API_KEY and "
        "GOVUK_NOTIFY_TEMPLATE_ID"
    ) in result.stderr
