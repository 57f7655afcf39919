"""The email outbox: queued in the verb's transaction, sent after commit by a task, retried."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django_tasks.backends.immediate import ImmediateBackend

from moothall.core import mail as outbox
from moothall.core.models import OutboxMessage
from moothall.core.tasks import deliver_email, sweep_outbox

SUBJECT = "{% load i18n %}{% get_current_language as lang %}Hello {{ name }} ({{ lang }})\n"
BODY = (
    "Dear {{ name }},\nSee {{ site_url }}/news/.\n"
    "{% if unsubscribe_url %}Stop these emails: {{ unsubscribe_url }}{% endif %}\n"
)


@pytest.fixture
def template(settings, tmp_path):
    """A plain email template, ``test/hello``, beside the project's own."""
    folder = tmp_path / "templates" / "test"
    folder.mkdir(parents=True)
    (folder / "hello_subject.txt").write_text(SUBJECT)
    (folder / "hello_body.txt").write_text(BODY)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.SITE_URL = "https://moothall.example"
    return "test/hello"


class Failing:
    """How many sends the flaky backend below refuses before it lets mail through."""

    remaining = 0
    calls = 0


class FlakyBackend(LocmemBackend):
    """The locmem backend, behind a provider that is down for ``Failing.remaining`` sends."""

    def send_messages(self, messages):
        Failing.calls += 1
        if Failing.remaining:
            Failing.remaining -= 1
            raise ConnectionRefusedError("the provider is down")
        return super().send_messages(messages)


@pytest.fixture
def provider_down(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FlakyBackend"
    Failing.calls = 0
    Failing.remaining = 1_000
    yield Failing
    Failing.remaining = 0


def queue(template, to="rita.resident@example.org", **kwargs):
    outbox.queue_email(to, template, {"name": "Rita"}, **kwargs)
    return OutboxMessage.objects.latest("pk")


@pytest.mark.django_db
def test_an_email_is_stored_in_the_transaction_and_sent_only_after_commit(
    template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue(template)
        assert (message.status, message.to, message.attempts) == (
            "pending",
            "rita.resident@example.org",
            0,
        )
        assert mail.outbox == []

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["rita.resident@example.org"], "Hello Rita (en-gb)")
    ]
    assert mail.outbox[0].body == "Dear Rita,\nSee https://moothall.example/news/.\n\n"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing(template, django_capture_on_commit_callbacks):
    def verb_that_fails_after_queueing():
        with transaction.atomic():
            queue(template)
            raise RuntimeError("the verb failed after queueing its email")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        verb_that_fails_after_queueing()

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_each_recipient_gets_their_own_message_rendered_at_once_in_the_current_language(
    template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override("cy"):
        outbox.queue_email(
            ["a@example.org", "b@example.org", "a@example.org", ""],
            template,
            {"name": "Rhian"},
        )

    assert sorted((m.to, m.subject) for m in mail.outbox) == [
        (["a@example.org"], "Hello Rhian (cy)"),
        (["b@example.org"], "Hello Rhian (cy)"),
    ]
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_nobody_to_write_to_queues_nothing(template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.queue_email([], template, {})
    assert (callbacks, OutboxMessage.objects.count()) == ([], 0)


@pytest.mark.django_db
def test_an_unsubscribe_link_adds_one_click_headers_and_the_footer(
    template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(
            template,
            unsubscribe_url="/notifications/unsubscribe/abc123/",
            reply_to="relay+xyz@moothall.example",
            headers={"X-Moothall-Kind": "notification"},
        )

    sent = mail.outbox[0].message()
    assert (
        sent["List-Unsubscribe"] == "<https://moothall.example/notifications/unsubscribe/abc123/>"
    )
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Reply-To"] == "relay+xyz@moothall.example"
    assert sent["X-Moothall-Kind"] == "notification"
    assert sent["To"] == "rita.resident@example.org"
    assert mail.outbox[0].body.endswith(
        "Stop these emails: https://moothall.example/notifications/unsubscribe/abc123/\n"
    )


@pytest.mark.django_db
def test_without_an_unsubscribe_link_there_are_no_list_headers(
    template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(template)
    sent = mail.outbox[0].message()
    assert (sent["List-Unsubscribe"], sent["List-Unsubscribe-Post"], sent["Reply-To"]) == (
        None,
        None,
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"reply_to": "a@example.org\nBcc: everyone@example.org"},
        {"headers": {"X-Kind": "a\r\nBcc: everyone@example.org"}},
        {"unsubscribe_url": "https://moothall.example/u/\nBcc: x"},
        {"to": "a@example.org\nBcc: everyone@example.org"},
    ],
)
def test_a_line_break_in_a_header_is_refused_before_anything_is_stored(template, kwargs):
    with pytest.raises(ValueError, match="line break"):
        queue(template, **kwargs)
    assert not OutboxMessage.objects.exists()


def time_passes(delta):
    """Move every outbox timestamp back by ``delta``: as if that much time had gone by."""
    OutboxMessage.objects.update(
        **{
            field: F(field) - delta
            for field in ("created_at", "next_attempt_at", "enqueued_at", "claimed_at")
        }
    )


@pytest.mark.django_db
def test_a_failing_provider_keeps_the_message_and_a_later_retry_sends_it_exactly_once(
    template, provider_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(template)  # the request that queued it does not see the failure

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == "ConnectionRefusedError: the provider is down"
    assert message.next_attempt_at == message.claimed_at + dt.timedelta(minutes=1)
    assert mail.outbox == []

    # Not due yet: neither a stray task nor the sweep tries again.
    assert outbox.deliver(message.pk) == "skipped"
    assert outbox.sweep().enqueued == 0
    assert provider_down.calls == 1

    time_passes(dt.timedelta(minutes=2))
    provider_down.remaining = 0  # the provider is back
    summary = outbox.sweep()

    assert summary.enqueued == 1
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    # Later sweeps and duplicate tasks leave a sent message alone.
    time_passes(dt.timedelta(hours=3))
    assert outbox.sweep().enqueued == 0
    assert outbox.deliver(message.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_retries_back_off_and_after_the_last_attempt_the_message_is_failed(template, provider_down):
    message = queue(template)
    now = timezone.now()
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        result = outbox.deliver(message.pk, now=now)
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert (result, message.status) == ("retry", "pending")
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert (result, message.status) == ("failed", "failed")
    assert waits == list(outbox.BACKOFF)
    assert waits[:4] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
    ]
    assert outbox.sweep(now=now + dt.timedelta(days=7)).enqueued == 0
    assert provider_down.calls == outbox.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_message_stuck_in_sending_is_reclaimed_and_sent(template):
    stuck = queue(template)
    recent = queue(template, to="someone@example.org")
    now = timezone.now()
    # Two workers took these; the first was killed mid-send 20 minutes ago, the
    # second is still sending (5 minutes is within a slow send's rights).
    OutboxMessage.objects.filter(pk=stuck.pk).update(
        status="sending", attempts=1, claimed_at=now - dt.timedelta(minutes=20)
    )
    OutboxMessage.objects.filter(pk=recent.pk).update(
        status="sending", attempts=1, claimed_at=now - dt.timedelta(minutes=5)
    )

    summary = outbox.sweep(now=now)

    assert (summary.reclaimed, summary.enqueued) == (1, 1)
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert stuck.last_error.startswith("Interrupted")
    assert recent.status == "sending"


@pytest.mark.django_db
def test_a_stuck_message_on_its_last_attempt_is_failed_not_sent_again(template):
    message = queue(template)
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", attempts=outbox.MAX_ATTEMPTS, claimed_at=now - dt.timedelta(hours=1)
    )
    summary = outbox.sweep(now=now)
    message.refresh_from_db()
    assert (summary.failed, summary.reclaimed, message.status) == (1, 0, "failed")
    assert mail.outbox == []


class SecondWorkerBackend(LocmemBackend):
    """While the first worker is sending, a second worker is handed the same message."""

    second_results: list[str] = []

    def send_messages(self, messages):
        message_id = OutboxMessage.objects.get(status="sending").pk
        self.second_results.append(outbox.deliver(message_id))
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_second_worker_given_a_message_being_sent_leaves_it_alone(template, settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.SecondWorkerBackend"
    SecondWorkerBackend.second_results = []
    message = queue(template)

    assert outbox.deliver(message.pk) == "sent"
    assert SecondWorkerBackend.second_results == ["skipped"]
    assert len(mail.outbox) == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database answers 'table is locked' to a second thread "
    "at once instead of waiting, as a file database in WAL mode does; PostgreSQL runs it",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_message_send_it_once():
    message = OutboxMessage.objects.create(to="rita.resident@example.org", subject="Hi", body="")
    start = threading.Barrier(2)
    results: list[str] = []

    def worker():
        try:
            start.wait()
            results.append(outbox.deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failure_to_enqueue_after_commit_never_reaches_the_request_and_the_sweep_recovers(
    template, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("the task queue is unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(ImmediateBackend, "enqueue", broken)
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(template)

    assert mail.outbox == []
    time_passes(dt.timedelta(minutes=1))
    assert outbox.sweep().enqueued == 0  # its task may simply not have run yet
    time_passes(outbox.REENQUEUE_AFTER)
    summary = outbox.sweep()
    assert summary.enqueued == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_task_reports_what_it_did(template):
    queue(template)  # never committed in a test: its task never ran
    time_passes(dt.timedelta(hours=1))
    result = sweep_outbox.enqueue()
    assert result.return_value == {"reclaimed": 0, "failed": 0, "enqueued": 1}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivery_task_for_a_message_that_is_gone_does_nothing():
    assert deliver_email.enqueue(123456).return_value == "skipped"


@pytest.mark.django_db
def test_old_sent_and_failed_messages_are_purged_and_the_rest_kept(template):
    now = timezone.now()
    rows = {}
    for name, status, age in [
        ("old-sent", "sent", dt.timedelta(days=31)),
        ("new-sent", "sent", dt.timedelta(days=29)),
        ("old-failed", "failed", dt.timedelta(days=91)),
        ("new-failed", "failed", dt.timedelta(days=60)),
        ("old-pending", "pending", dt.timedelta(days=200)),
    ]:
        rows[name] = OutboxMessage.objects.create(
            to=f"{name}@example.org", subject=name, body="", status=status, created_at=now - age
        )
    assert outbox.purge(now=now) == 2
    assert sorted(OutboxMessage.objects.values_list("subject", flat=True)) == [
        "new-failed",
        "new-sent",
        "old-pending",
    ]


@pytest.mark.django_db
def test_platform_staff_read_the_outbox_in_the_admin_but_cannot_change_it(
    client, platform_admin, template
):
    message = queue(template)
    client.force_login(platform_admin)

    listing = client.get("/admin/core/outboxmessage/")
    detail = client.get(f"/admin/core/outboxmessage/{message.pk}/change/")

    assert listing.status_code == 200
    assert "rita.resident@example.org" in listing.content.decode()
    assert detail.status_code == 200
    assert "Dear Rita," in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/core/outboxmessage/add/").status_code == 403
    assert client.post(f"/admin/core/outboxmessage/{message.pk}/delete/").status_code == 403
    assert client.get("/admin/core/scheduledjob/").status_code == 200
