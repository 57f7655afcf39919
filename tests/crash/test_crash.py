"""Crash test: SIGKILL the app and the task worker under load; nothing acknowledged is lost.

Real processes on 127.0.0.1: the app under granian (2 worker processes × 4 threads, as
deployed) and ``python -m moothall db_worker``, against a database of the test's own (a
SQLite file in WAL mode in a temporary folder, or, when the suite runs on PostgreSQL, a
separate database on the same server), with email written to files in that folder by a
slightly slow file backend (``tests/crash/mailbox.py``), so a kill can land mid-batch.

Residents with sessions drive every write path that exists over HTTP, at once: petition
signatures (the API) and their confirmation, idea supports and comments, participatory
budgeting ballots, deliberation votes and comments on a live meeting (the site's forms,
with their CSRF token).
Partway through, the app and the worker (each a whole process group) are killed with
SIGKILL, then started again, and the load carries on. A request the server never received
(connection refused) is sent again once it is back; one cut off after it was sent has an
unknown fate and is never repeated. Then the outbox sweep runs until the outbox is empty.

It checks that every acknowledged write is stored exactly once, that a write whose answer
was lost is stored at most once, that every queued email ends sent, and that each was
delivered at least once. Exactly once is not promised: a worker killed between handing a
message to the provider and marking it sent leaves it ``sending``; the sweep gives it back
(after OUTBOX_STUCK_AFTER_SECONDS) and it is sent again. So the test also checks that an
email delivered twice is one the sweep took back (its row says it was interrupted).
"""

from __future__ import annotations

import contextlib
import email
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.services import free_port, web_server_command

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS = 60
CLIENTS = 8
KILL_AFTER = 140  # acknowledged writes before the crash
READY_WAIT = 90.0
DRAIN_WAIT = 120.0  # at most; it stops as soon as the outbox is empty
CSRF = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for the cookie


@dataclass
class Crash:
    folder: Path
    env: dict[str, str]
    port: int
    app: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> Any:
        done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "tests.crash.scene", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        log = open(self.folder / "app.log", "ab")  # noqa: SIM115 - closed with the process
        self.app = subprocess.Popen(  # noqa: S603
            web_server_command(self.port, workers=2, threads=4),
            env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        wlog = open(self.folder / "worker.log", "ab")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "moothall", "db_worker", "--interval", "0.2",
             "--no-startup-delay", "--no-reload"],
            env=self.env, cwd=ROOT, stdout=wlog, stderr=wlog, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline:
            assert self.app.poll() is None, (self.folder / "app.log").read_text()[-3000:]
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the app did not start")

    def kill(self) -> None:
        """SIGKILL the app and the worker: each whole process group (granian's workers)."""
        for process in (self.app, self.worker):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@dataclass
class Write:
    kind: str
    key: Any  # what identifies it in the database
    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    ok: tuple[int, ...]
    outcome: str = "pending"  # acknowledged, refused, unknown


class Load:
    """Sends writes from CLIENTS threads; a write refused at connect waits for the app."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.acknowledged = 0
        self.lock = threading.Lock()

    def send(self, write: Write) -> None:
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.connect()
            except (ConnectionRefusedError, ConnectionResetError):
                # The app is down (refused), or was killed with this connection still in its
                # listening socket's queue (reset): nothing was sent; try again later.
                time.sleep(0.2)
                continue
            try:
                connection.request(write.method, write.path, body=write.body, headers=write.headers)
                status = connection.getresponse().status
            except (OSError, http.client.HTTPException):
                write.outcome = "unknown"  # sent, answer lost: never sent again
                return
            finally:
                connection.close()
            if status in write.ok:
                write.outcome = "acknowledged"
                with self.lock:
                    self.acknowledged += 1
            elif status >= 500:
                write.outcome = "unknown"  # the app died mid-request
            else:
                write.outcome = f"refused {status}"
            return


def form(session: str, fields: list[tuple[str, Any]]) -> tuple[bytes, dict[str, str]]:
    body = urlencode([*fields, ("csrfmiddlewaretoken", CSRF)]).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "Host": "127.0.0.1",
    }
    return body, headers


def writes(scene: dict[str, Any]) -> list[Write]:
    council, found = scene["council"], []
    for n, person in enumerate(scene["people"]):
        session, user = person["session"], person["id"]
        address = f"signer{n}@crash.example.org"
        sign = {
            "name": f"Signer {n}",
            "email": address,
            "postcode": scene["postcode"],
            "basis": "lives",
            "declaration": True,
        }
        found.append(
            Write(
                "signature", address, "POST",
                f"/api/v1/councils/{council}/petitions/{scene['petition']}/signatures",
                json.dumps(sign).encode(), {"Content-Type": "application/json"}, (202,),
            )
        )  # fmt: skip
        idea = f"/{council}/ideas/{scene['idea']}/"
        found.append(Write("support", user, "POST", idea + "support/", *form(session, []), (302,)))
        text = f"Crash comment {n}: the benches should face the pond."
        found.append(
            Write("comment", text, "POST", idea + "comments/",
                  *form(session, [("body", text)]), (302,))
        )  # fmt: skip
        ballot = f"/{council}/budgets/{scene['process']}/vote/{scene['budget']}/"
        found.append(
            Write("ballot", user, "POST", ballot,
                  *form(session, [("choices", scene["project"]), ("action", "submit")]), (302,))
        )  # fmt: skip
        said = f"Crash live comment {n}: can we hear the chair?"
        found.append(
            Write("live_comment", said, "POST",
                  f"/{council}/meetings/{scene['meeting']}/live/comment",
                  *form(session, [("text", said)]), (302,))
        )  # fmt: skip
        statement = scene["statements"][n % len(scene["statements"])]
        vote = f"/{council}/deliberations/{scene['conversation']}/vote/"
        found.append(
            Write("vote", (user, statement), "POST", vote,
                  *form(session, [("statement", statement), ("value", 1)]), (302,))
        )  # fmt: skip
    random.Random(8).shuffle(found)
    return found


def confirmations(tokens: list[str]) -> list[Write]:
    return [
        Write(
            "confirm", token, "POST", "/api/v1/signatures/confirm",
            json.dumps({"token": token}).encode(), {"Content-Type": "application/json"}, (200,),
        )
        for token in tokens
    ]  # fmt: skip


def delivered(folder: Path) -> Counter[str]:
    """How many emails each address was sent, from the file backend's files."""
    found: Counter[str] = Counter()
    for file in folder.glob("*.log"):
        for chunk in file.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                found[email.message_from_string(chunk.strip())["To"]] += 1
    return found


@pytest.fixture
def crash(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GOVUK_"))}
    database = settings.DATABASES["default"]
    postgres = database["ENGINE"] == "django.db.backends.postgresql"
    if postgres:
        import psycopg

        name = "moothall_durability_crash"
        server = {
            "host": database["HOST"] or "127.0.0.1",
            "port": database["PORT"] or 5432,
            "user": database["USER"] or "postgres",
            "password": database["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        password = f":{server['password']}" if server["password"] else ""
        url = f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    (tmp_path / "static").mkdir()
    (tmp_path / "mail").mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE="moothall.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        DATABASE_URL=url,
        MOOTHALL_VAR_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        SECRET_KEY=secrets.token_urlsafe(40),
        DEBUG="false",
        HTTPS="false",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="127.0.0.1",
        RATE_LIMITS="off",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="tests.crash.mailbox.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        OUTBOX_STUCK_AFTER_SECONDS="3",
        OUTBOX_REENQUEUE_AFTER_SECONDS="3",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "moothall", "migrate", "--noinput", "-v", "0"],
        env=env, cwd=ROOT, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    crash = Crash(folder=tmp_path, env=env, port=free_port())
    try:
        yield crash
    finally:
        crash.kill()
        if postgres:
            with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_killed_app_and_worker_lose_no_acknowledged_write_and_no_email(crash):
    scene = crash.run("build", str(RESIDENTS))
    crash.start()
    load = Load(crash.port)
    batch = writes(scene)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        sent = [pool.submit(load.send, write) for write in batch]
        while load.acknowledged < KILL_AFTER and not all(f.done() for f in sent):
            time.sleep(0.05)
        killed_at = load.acknowledged
        crash.kill()  # requests in flight are cut off: their fate is unknown
        crash.start()  # meanwhile connections are refused: those requests are sent again
        for future in sent:
            future.result()
    assert 0 < killed_at < len(batch), "the crash did not happen in the middle of the load"

    # Confirm every signature the database holds (their tokens are in the emailed links).
    confirm = confirmations(crash.run("tokens"))
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(load.send, confirm))

    # The worker and the sweep (what the scheduler queues every minute) empty the outbox.
    deadline = time.monotonic() + DRAIN_WAIT
    while True:
        state = crash.run("check")
        waiting = [m for m in state["outbox"] if m[2] != "sent"]
        if not waiting or time.monotonic() > deadline:
            break
        crash.run("sweep")
        time.sleep(2)
    crash.kill()

    outcomes = Counter(w.outcome for w in [*batch, *confirm])
    assert set(outcomes) <= {"acknowledged", "unknown"}, outcomes
    residents = {person["id"] for person in scene["people"]}
    # The writes the load made (the scene's own petition creator and idea proposer aside).
    stored: dict[str, Counter[Any]] = {
        "signature": Counter(e for e, *_ in state["signatures"] if e.startswith("signer")),
        "support": Counter(u for u in state["supports"] if u in residents),
        "comment": Counter(state["comments"]),
        "live_comment": Counter(state["live_comments"]),
        "ballot": Counter(state["ballots"]),
        "vote": Counter((user, statement) for user, statement, _v in state["votes"]),
    }
    for write in batch:
        count = stored[write.kind][write.key]
        if write.outcome == "acknowledged":
            assert count == 1, (write.kind, write.key, count)
        else:
            assert count <= 1, (write.kind, write.key, count)
    # Nothing was stored that nobody sent.
    sent_keys = {kind: {w.key for w in batch if w.kind == kind} for kind in stored}
    for kind, counts in stored.items():
        assert set(counts) <= sent_keys[kind], kind
    # Each ballot holds the one project chosen.
    assert sorted(state["ballot_choices"]) == sorted(
        [v, scene["project"]] for v in state["ballots"]
    )
    status_of = {token: status for _e, status, token in state["signatures"]}
    for write in confirm:
        if write.outcome == "acknowledged":
            assert status_of[write.key] == "confirmed", write.key

    # Every queued email was sent, and delivered at least once; twice only when the sweep
    # took it back from a killed worker.
    assert waiting == [], f"{len(waiting)} emails not sent: {waiting[:3]}"
    mail = delivered(crash.folder / "mail")
    expected = Counter(to for _pk, to, *_ in state["outbox"])
    # Each stored signature queued its confirmation email.
    assert all(expected[address] >= 1 for address in stored["signature"])
    interrupted = {to for _pk, to, _s, _a, error in state["outbox"] if "Interrupted" in error}
    for to, count in expected.items():
        assert mail[to] >= count, f"{to}: {mail[to]} delivered of {count}"
        if mail[to] > count:
            assert to in interrupted, f"{to} delivered {mail[to]} times, never interrupted"
    print(  # the numbers, for whoever reads the output
        f"writes {len(batch)}, killed after {killed_at} acknowledged, outcomes {dict(outcomes)},"
        f" emails {len(state['outbox'])}, delivered {sum(mail.values())},"
        f" interrupted {len(interrupted)}"
    )
