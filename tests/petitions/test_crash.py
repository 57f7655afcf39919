"""The app is killed (SIGKILL, master and workers) while people sign and confirm; it comes
back, and nothing acknowledged is lost or counted twice.

granian serves the app, as in production, from a subprocess on the test database (the
test commits its scene with ``transaction=True``, so the subprocess sees it). Threads sign
over HTTP, each person trying again after a failure as someone would press the button
again; the whole process group is killed while they do, and again while they follow
their confirmation links. Then: everyone whose request was acknowledged (2xx/3xx)
has exactly one signature; every acknowledged confirmation counts, once; the live tally
equals an exact recount.

PostgreSQL only (it is what production runs, and SQLite would have the subprocess and the
test fight over one file).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from moothall.petitions import domain
from moothall.petitions.models import Petition, PetitionScheme, Signature
from tests import factories
from tests.services import free_port, web_server_command

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
RUN_BETWEEN_KILLS = 1.2  # seconds of load before each kill, and after the last restart


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the crash test runs on PostgreSQL: a server subprocess shares the test DB")


# --- The server --------------------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


class Server:
    """granian (as moothall-web@ runs it) in its own process group, so that one SIGKILL
    takes its main process and its workers."""

    def __init__(self, var_dir: Path, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.timeline: list[str] = []
        self.started = time.monotonic()
        self.log = var_dir / "granian.log"
        (var_dir / "static").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "moothall.settings",
            "DATABASE_URL": database_url(),
            "MOOTHALL_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        }

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - granian from our own venv
                web_server_command(self.port, workers=2, threads=4),
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self, path: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                self.fail(f"granian exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    conn.close()
                    self.timeline.append(f"up {time.monotonic() - self.started:.1f}s")
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        self.fail("granian did not answer within 30 s")

    def fail(self, why: str) -> None:
        self.stop()
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        pytest.fail(f"the app did not start: {why}\n{tail}")

    def kill(self) -> None:
        """SIGKILL to the whole process group: no clean shutdown, no finished requests."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.timeline.append(f"killed {time.monotonic() - self.started:.1f}s")
        # The workers die with the master (same group); wait until the port is free.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- The people --------------------------------------------------------------------------


@dataclass
class Outcomes:
    acknowledged: set[str] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, key: str) -> None:
        with self.lock:
            self.acknowledged.add(key)

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures[what] += 1


class Door:
    """How a signature is sent: the API (JSON) when it is there, else the site's form."""

    def __init__(self, petition: Petition) -> None:
        self.petition = petition
        council = petition.council.slug
        try:
            self.path = reverse(
                "api:petition_signatures", kwargs={"slug": council, "id": petition.pk}
            )
            self.api = True
        except NoReverseMatch:
            self.path = reverse(
                "public:petition_sign", kwargs={"council": council, "pk": petition.pk}
            )
            self.api = False
        self.page = petition.get_absolute_url()

    def send(self, conn: http.client.HTTPConnection, email: str, csrf: dict[str, str]) -> int:
        fields = {
            "name": "Sam Signer",
            "email": email,
            "postcode": "MH1 1AA",
            "basis": "lives",
        }
        if self.api:
            body = json.dumps({**fields, "declaration": True, "wants_updates": False})
            conn.request("POST", self.path, body, {"Content-Type": "application/json"})
        else:
            if not csrf:
                conn.request("GET", self.page)
                answer = conn.getresponse()
                page = answer.read().decode()
                cookie = answer.getheader("Set-Cookie") or ""
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                secret = re.search(r"csrftoken=([^;]+)", cookie)
                if not token or not secret:
                    raise ConnectionError("no CSRF token on the petition page")
                csrf.update(token=token.group(1), cookie=secret.group(1))
            body = urlencode({**fields, "declaration": "on", "csrfmiddlewaretoken": csrf["token"]})
            conn.request(
                "POST",
                self.path,
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf['cookie']}",
                },
            )
        answer = conn.getresponse()
        answer.read()
        return answer.status


def keep_signing(
    port: int, door: Door, thread: int, stop: threading.Event, outcomes: Outcomes
) -> None:
    """Sign as one new person after another; after a failure, the same person tries again."""
    n = 0
    conn: http.client.HTTPConnection | None = None
    csrf: dict[str, str] = {}
    while not stop.is_set():
        email = f"signer{thread}-{n}@example.org"
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status = door.send(conn, email, csrf)
        except (OSError, http.client.HTTPException) as exc:
            outcomes.failed(type(exc).__name__)
            if conn is not None:
                conn.close()
            conn, csrf = None, {}
            time.sleep(0.05)
            continue  # the same person, again
        if 200 <= status < 400:
            outcomes.ok(email)
            n += 1
        else:
            outcomes.failed(f"HTTP {status}")
            time.sleep(0.05)
    if conn is not None:
        conn.close()


def follow_links(
    port: int, paths: list[str], stop: threading.Event, outcomes: Outcomes, lock: threading.Lock
) -> None:
    """Follow confirmation links from a shared list; a failed one goes back on the list."""
    conn: http.client.HTTPConnection | None = None
    while not stop.is_set():
        with lock:
            if not paths:
                break
            path = paths.pop()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as exc:
            outcomes.failed(type(exc).__name__)
            if conn is not None:
                conn.close()
            conn = None
            with lock:
                paths.insert(0, path)
            time.sleep(0.05)
            continue
        if 200 <= answer.status < 400:
            outcomes.ok(path)
        else:
            outcomes.failed(f"HTTP {answer.status}")
            with lock:
                paths.insert(0, path)
    if conn is not None:
        conn.close()


# --- The test ----------------------------------------------------------------------------


@pytest.fixture
def petition(council, resident) -> Petition:
    council.gss_code = "E10000099"
    council.save()
    factories.WardFactory(council=council, name="North", gss_code="E05000001")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=False)
    petition = domain.start_petition(
        resident, council, title="Save the library", action="Keep it open."
    )
    return domain.submit_petition(resident, petition)


def test_killing_the_app_mid_load_loses_no_acknowledged_signature_and_counts_none_twice(
    petition, tmp_path
):
    server = Server(tmp_path, free_port())
    door = Door(petition)
    server.start()
    try:
        server.wait_until_up(door.page)

        # Signing, with a kill in the middle.
        signed = Outcomes()
        stop = threading.Event()
        signers = [
            threading.Thread(target=keep_signing, args=(server.port, door, i, stop, signed))
            for i in range(THREADS)
        ]
        for thread in signers:
            thread.start()
        time.sleep(RUN_BETWEEN_KILLS)
        acknowledged_before_kill = len(signed.acknowledged)
        server.kill()
        server.start()
        server.wait_until_up(door.page)
        time.sleep(RUN_BETWEEN_KILLS)
        stop.set()
        for thread in signers:
            thread.join()

        # Confirming, with one kill; links that failed are followed again.
        council = petition.council.slug
        tokens = dict(Signature.objects.filter(petition=petition).values_list("email_key", "token"))
        paths = [
            reverse("public:petition_confirm", kwargs={"council": council, "token": token})
            for token in tokens.values()
        ]
        confirmed = Outcomes()
        lock = threading.Lock()
        stop = threading.Event()
        followers = [
            threading.Thread(target=follow_links, args=(server.port, paths, stop, confirmed, lock))
            for _ in range(THREADS)
        ]
        for thread in followers:
            thread.start()
        time.sleep(0.5)
        server.kill()
        server.start()
        server.wait_until_up(door.page)
        for thread in followers:
            thread.join(timeout=60)
        stop.set()
    finally:
        server.stop()
    print(  # shown with -s: what the test went through
        f"signed {len(signed.acknowledged)}, {acknowledged_before_kill} before the kill, "
        f"signing failures {dict(signed.failures)}, confirmed {len(confirmed.acknowledged)}, "
        f"confirm failures {dict(confirmed.failures)}, timeline {server.timeline}"
    )

    # The kill happened under load: people were acknowledged before and after it.
    assert 0 < acknowledged_before_kill < len(signed.acknowledged)
    assert signed.failures, "no request failed: the kill missed the load"

    # Every acknowledged person signed exactly once; nobody signed twice.
    people = Counter(
        Signature.objects.filter(petition=petition).values_list("email_key", flat=True)
    )
    missing = [email for email in signed.acknowledged if people[email] != 1]
    assert missing == []
    assert not (
        Signature.objects.filter(petition=petition)
        .values("email_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )

    # Every link was followed in the end, and each signature counts once.
    assert paths == []
    assert len(confirmed.acknowledged) == len(tokens)
    total = Signature.objects.filter(petition=petition, status="confirmed").count()
    assert total == len(tokens)
    assert domain.live_count(petition) == total
    assert domain.recount_petition(petition.pk) == total
    assert domain.live_count(petition) == total
