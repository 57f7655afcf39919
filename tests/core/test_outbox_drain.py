"""Compact outbox messages (rendered when sent) and the drain that sends due messages in
batches; the rules of tests/core/test_outbox.py hold for them too."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone, translation

from moothall.core import mail as outbox
from moothall.core.models import OutboxMessage
from moothall.core.tasks import deliver_email, deliver_outbox
from tests.core.test_outbox import BODY, SUBJECT, Failing, time_passes

BUILDER = "tests.core.test_outbox_drain.build"
BUILT: list[list[dict]] = []


def build(contexts):
    """The test builder: a name per id; id 0 stands for something deleted since."""
    BUILT.append(contexts)
    return [{"name": f"Person {c['person']}"} if c["person"] else None for c in contexts]


@pytest.fixture(autouse=True)
def _fresh():
    BUILT.clear()


@pytest.fixture
def template(settings, tmp_path):
    """``test/hello`` as in test_outbox.py."""
    folder = tmp_path / "templates" / "test"
    folder.mkdir(parents=True)
    (folder / "hello_subject.txt").write_text(SUBJECT)
    (folder / "hello_body.txt").write_text(BODY)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.SITE_URL = "https://moothall.example"
    return "test/hello"


@pytest.fixture
def provider_down(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FlakyBackend"
    Failing.calls = 0
    Failing.remaining = 1_000
    yield Failing
    Failing.remaining = 0


def compact(template, to="rita.resident@example.org", person=1):
    return outbox.queue_compact_email(to, template, builder=BUILDER, context={"person": person})


@pytest.mark.django_db
def test_a_compact_message_is_rendered_when_sent_in_the_language_it_was_queued_in(
    template, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        translation.override("cy"),
    ):
        message = compact(template)
        assert (message.subject, message.body, message.language) == ("", "", "cy")
        assert mail.outbox == []

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["rita.resident@example.org"], "Hello Person 1 (cy)")
    ]
    assert mail.outbox[0].body == "Dear Person 1,\nSee https://moothall.example/news/.\n\n"
    message.refresh_from_db()
    # What was sent is kept on the row, as for any message.
    assert (message.status, message.subject) == ("sent", "Hello Person 1 (cy)")
    assert message.body == mail.outbox[0].body


@pytest.mark.django_db
def test_a_rolled_back_compact_message_is_never_sent(template, django_capture_on_commit_callbacks):
    def verb_that_fails_after_queueing():
        with transaction.atomic():
            compact(template)
            raise RuntimeError("the verb failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        verb_that_fails_after_queueing()
    assert (callbacks, OutboxMessage.objects.count(), mail.outbox) == ([], 0, [])


@pytest.mark.django_db
def test_a_compact_message_whose_subject_is_gone_is_failed_not_sent(template):
    message = compact(template, person=0)
    assert outbox.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("failed", outbox.GONE)
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_drain_sends_every_due_message_in_batches_each_once(template):
    outbox.queue_email("plain@example.org", template, {"name": "Pat"})
    queued = [compact(template, to=f"p{n}@example.org", person=n) for n in range(1, 6)]
    later = compact(template, to="later@example.org")
    OutboxMessage.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    busy = compact(template, to="busy@example.org")
    OutboxMessage.objects.filter(pk=busy.pk).update(status="sending", claimed_at=timezone.now())

    assert outbox.drain(batch=2) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["plain@example.org", *(f"p{n}@example.org" for n in range(1, 6))]
    )
    # The builder ran once per batch, not once per message.
    assert [len(call) for call in BUILT] == [1, 2, 2]
    assert OutboxMessage.objects.filter(status="sent").count() == 6
    assert OutboxMessage.objects.get(pk=later.pk).status == "pending"
    assert OutboxMessage.objects.get(pk=busy.pk).status == "sending"
    assert OutboxMessage.objects.get(to="p3@example.org").subject == "Hello Person 3 (en-gb)"
    # Nothing left to do: a second drain, or a stray task, sends nothing again.
    assert outbox.drain() == 0
    assert deliver_email.enqueue(queued[0].pk).return_value == "skipped"
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_a_failing_provider_during_a_drain_backs_off_like_a_single_delivery(
    template, provider_down
):
    message = compact(template)
    assert outbox.drain() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == "ConnectionRefusedError: the provider is down"
    assert message.next_attempt_at == message.claimed_at + outbox.BACKOFF[0]
    assert message.subject == ""  # rendered again when it is sent
    assert outbox.drain() == 0  # not due yet
    assert provider_down.calls == 1

    time_passes(dt.timedelta(minutes=2))
    provider_down.remaining = 0
    assert outbox.drain() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert [m.to for m in mail.outbox] == [["rita.resident@example.org"]]


@pytest.mark.django_db
def test_the_last_failed_attempt_in_a_drain_fails_the_message(template, provider_down):
    message = compact(template)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.drain() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)


@pytest.mark.django_db
def test_a_compact_message_whose_drain_was_lost_is_sent_by_the_sweep(template):
    message = compact(template)  # never committed in a test: nothing asked for delivery
    time_passes(outbox.REENQUEUE_AFTER + dt.timedelta(minutes=1))
    assert outbox.sweep().enqueued == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert mail.outbox[0].subject == "Hello Person 1 (en-gb)"


class DeferringBackend:
    """Stands for the database backend: it runs tasks later, so they are only counted."""

    supports_defer = True
    queued: list[dt.datetime | None] = []


class Deferred:
    def __init__(self, run_after=None):
        self.run_after = run_after

    def enqueue(self):
        DeferringBackend.queued.append(self.run_after)


@pytest.fixture
def deferring(monkeypatch):
    DeferringBackend.queued = []
    monkeypatch.setattr(type(deliver_outbox), "get_backend", lambda self: DeferringBackend())
    monkeypatch.setattr(
        type(deliver_outbox),
        "using",
        lambda self, run_after=None, **kw: Deferred(run_after),
    )
    monkeypatch.setattr(outbox, "_drain_runs_at", 0.0)
    clock = [1000.0]
    monkeypatch.setattr(outbox.time, "monotonic", lambda: clock[0])
    return clock


def test_with_a_backend_that_runs_tasks_later_one_drain_is_asked_for_per_window(deferring):
    before = timezone.now()
    for _ in range(50):
        outbox.request_delivery([1])
    assert len(DeferringBackend.queued) == 1
    run_after = DeferringBackend.queued[0]
    assert run_after >= before + dt.timedelta(seconds=outbox.DRAIN_DELAY)

    deferring[0] += outbox.DRAIN_DELAY - 0.01  # still before that drain runs: it sends these
    outbox.request_delivery([2])
    assert len(DeferringBackend.queued) == 1
    deferring[0] += 0.02  # that drain may have started: ask for another
    outbox.request_delivery([3])
    assert len(DeferringBackend.queued) == 2


def test_a_failure_to_ask_for_a_drain_lets_the_next_message_ask_again(deferring, monkeypatch):
    def broken(self):
        raise ConnectionError("the task queue is unreachable")

    working = Deferred.enqueue
    monkeypatch.setattr(Deferred, "enqueue", broken)
    with pytest.raises(ConnectionError):  # on_commit(robust=True) logs it, the request is done
        outbox.request_delivery([1])
    monkeypatch.setattr(Deferred, "enqueue", working)
    outbox.request_delivery([2])  # at once, not after the window
    assert len(DeferringBackend.queued) == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database answers 'table is locked' to a second thread; "
    "PostgreSQL runs it",
)
@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_share_the_messages_and_send_each_once(settings, tmp_path):
    settings.SITE_URL = "https://moothall.example"
    rows = [OutboxMessage(to=f"p{n}@example.org", subject=f"Hi {n}", body="") for n in range(60)]
    OutboxMessage.objects.bulk_create(rows)
    start = threading.Barrier(2)
    sent: list[int] = []

    def worker():
        try:
            start.wait()
            sent.append(outbox.drain(batch=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent) == 60
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{n}@example.org" for n in range(60))
    assert OutboxMessage.objects.filter(status="sent").count() == 60
