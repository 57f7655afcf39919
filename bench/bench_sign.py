"""Signatures per second over real HTTP, against PostgreSQL with durable commits.

`make bench-sign`. A fresh database (``moothall_bench_sign``) is migrated and filled with
one council (wards, postcodes, a petition scheme), one hot petition and 200 others, all
open. The app is served as in production (``moothall-web@``): granian (by default 2
worker processes × 8 threads: one process per core), DEBUG off, behind a (pretend) proxy
that adds X-Forwarded-For, database connections from a pool in each process
(``DATABASE_POOL``, as the example environment sets), the database task backend with one
``db_worker`` delivering the outbox (to Django's dummy email backend: nothing leaves the
machine). A load generator (asyncio, many keep-alive
connections) then

1. signs the hot petition (every request a new person),
2. signs the 200 other petitions at random,
3. follows every confirmation link (GET /<council>/petitions/confirm/<token>/, the link in
   the email; tokens are read from the database),

counting only acknowledged requests (2xx/3xx). Between the warm-up and the measured
phases the warm-up's emails are left to be sent (:func:`settle`) and the database is
analysed, as autovacuum keeps a live one (:func:`analyse`).
The raw rate is measured next to the signing phases, so that both see the machine at the
same speed (a shared machine's speed drifts by half within minutes): once just before them
and twice just after, each time with the app up but idle (its background work done), the
same number of rows of the same shape go straight into ``petitions_signature`` (its
indexes and constraints) with psycopg: one INSERT per transaction, committed, from as many
connections as the server has threads (16 by default, whichever server ran), fresh rows
each time, into a second hot petition and 200 others of their own (so that the app's flood
counts, its confirmation links and the checks never see them). The raw rate is the best of
the three. Printed: each phase's rate and latencies, the raw rate, the ratio
signatures/s ÷ raw inserts/s, where the CPU went, and last a JSON line.

Options: ``--door api|form`` (the API's POST …/signatures, or the site's form with its
CSRF token), ``--server granian|gunicorn|uvicorn`` (gunicorn's gthread workers, which
served pages and the API until 28 November 2026; uvicorn: the ASGI app serving every request,
as deployed before 28 November 2026; ``--workers`` processes), ``--workers``,
``--worker-class sync|gthread``, ``--threads``,
``--clients``, ``--hot``, ``--many``, ``--petitions``, ``--no-task-worker``,
``--profile`` (queries per request, in-process, then stop), ``--wsgi module:app`` (serve
a variant, to measure a change before making it). The PostgreSQL URL is
``MOOTHALL_BENCH_SIGN_POSTGRES_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from harness import free_port, log, machine, stop

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "sign"
POSTGRES_URL = os.environ.get(
    "MOOTHALL_BENCH_SIGN_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/moothall_bench_sign",
)
COUNCIL = "benchford"
COUNCIL_GSS = "E07999001"
WARDS = 24
POSTCODES_PER_WARD = 40
SEED = 20261101
TARGET_PER_S = 500
TARGET_RATIO = 0.15
RAW_RUNS_BEFORE, RAW_RUNS_AFTER = 1, 2  # around the signing phases; the raw rate is the best
# Most people sign from a big webmail provider; the rest from a domain of their own.
DOMAINS = ["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


# --- Settings the app and this script share --------------------------------------------


def environment(*, task_worker: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    (VAR / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise wants STATIC_ROOT
    env.update(
        DJANGO_SETTINGS_MODULE="moothall.settings",
        MOOTHALL_VAR_DIR=str(VAR),
        DATABASE_URL=POSTGRES_URL,
        DEBUG="false",
        HTTPS="false",  # plain http on 127.0.0.1; TLS is the proxy's work
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Behind a proxy, the signer's address is the last X-Forwarded-For entry: the load
        # generator sends one per signer, so the abuse flags see many people, not one.
        BEHIND_PROXY="true",
        TRUSTED_PROXY_COUNT="1",
        # Each process's requests borrow connections from its pool, as the example
        # environment (deploy/moothall.env.example) sets.
        DATABASE_POOL="true",
        # The outbox as deployed (database task backend), delivering to nowhere.
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        # The write rate limits are off: the in-process captures post from one address.
        RATE_LIMITS="off",
    )
    for name in ("GOVUK_NOTIFY_API_KEY", "GOVUK_NOTIFY_TEMPLATE_ID", "EMAIL_HOST", "REDIS_URL"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


# --- The database ------------------------------------------------------------------------


def postgres_settings() -> dict[str, str]:
    import psycopg

    names = (
        "server_version",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "full_page_writes",
        "commit_delay",
        "shared_buffers",
        "max_connections",
    )
    with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres") as conn:
        rows = conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(names)],
        ).fetchall()
    return dict(sorted(rows))


def fresh_database() -> None:
    import psycopg

    name = POSTGRES_URL.rsplit("/", 1)[1]
    server = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # our own name, from the URL
        conn.execute(f'CREATE DATABASE "{name}"')


def settle(timeout: float = 120.0) -> None:
    """Wait for the background work so far (confirmation emails, and the emails to signers
    when a petition crossed a threshold) to be done: after the warm-up, so that the measured
    phases count only theirs; after the signing phases, so that the raw inserts have the
    machine as they had it before them."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT (SELECT COUNT(*) FROM core_outboxmessage "
                "WHERE status IN ('pending', 'sending')) + (SELECT COUNT(*) FROM "
                "django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING'))"
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.25)
    log(f"the background work was not done within {timeout:.0f} s; going on")


def analyse() -> None:
    """Table statistics as a live database has them. Autovacuum analyses a table once a
    tenth of it has changed, but only every minute or so: without this, the whole run would
    use the plans each connection made in the warm-up on tables that were empty when last
    analysed (measured: 0.3 ms more of PostgreSQL's CPU per signature, the flood counts
    reading a petition's every signature through its plain petition index)."""
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute("ANALYZE")


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "moothall", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


@dataclass
class Scene:
    hot: int
    others: list[int]
    warmup: int
    postcodes: list[str]
    raw_hot: int  # the raw inserts' own petitions, shaped as the app's
    raw_others: list[int]


def postcode(ward: int, n: int) -> str:
    letters = INWARD_LETTERS
    return f"BF{ward + 1} {n % 10}{letters[(n // 10) % 20]}{letters[(n // 200) % 20]}"


def build(petitions: int) -> Scene:
    """The council, its wards and postcodes, the scheme, and the open petitions (through
    the verbs, as a resident and the scheme would make them)."""
    from django.db import connection

    from moothall.accounts.models import User
    from moothall.councils.models import Council, Postcode, Ward
    from moothall.petitions import domain
    from moothall.petitions.models import PetitionScheme

    council = Council.objects.create(
        name="Benchford District Council",
        short_name="Benchford",
        slug=COUNCIL,
        tier=Council.Tier.DISTRICT,
        gss_code=COUNCIL_GSS,
    )
    Ward.objects.bulk_create(
        Ward(council=council, name=f"Ward {w + 1}", slug=f"ward-{w + 1}", gss_code=f"E05999{w:03d}")
        for w in range(WARDS)
    )
    codes = [postcode(w, n) for w in range(WARDS) for n in range(POSTCODES_PER_WARD)]
    Postcode.objects.bulk_create(
        Postcode(
            postcode=code,
            ward_gss=f"E05999{int(code[2:].split()[0]) - 1:03d}",
            district_gss=COUNCIL_GSS,
        )
        for code in codes
    )
    # The default scheme's thresholds (10 / 500 / 1,000): the hot petition crosses all
    # three while its links are followed, with their obligations and emails.
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=False)
    ids = []
    # The hot one, the others, the warm-up's; then the raw inserts' hot one and others.
    for n in range(2 * petitions + 3):
        # One creator each: the scheme takes only a few petitions a day from one person.
        creator = User.objects.create_user(email=f"creator{n}@benchford.example", name="Creator")
        title = "Hot: keep the swimming pool open" if n == 0 else f"Petition number {n}"
        petition = domain.start_petition(
            creator, council, title=title, action="Do the thing this petition asks."
        )
        ids.append(domain.submit_petition(creator, petition).pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Scene(
        hot=ids[0],
        others=ids[1 : petitions + 1],
        warmup=ids[petitions + 1],
        postcodes=codes,
        raw_hot=ids[petitions + 2],
        raw_others=ids[petitions + 3 :],
    )


def profile(scene: Scene) -> dict[str, Any]:
    """Queries (and their SQL) for one sign request through each door and one confirmation,
    in-process with Django's test client: the request, minus the network and the server."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from moothall.petitions.models import Signature

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    found: dict[str, Any] = {}

    def capture(name: str, call: Any) -> None:
        for _ in range(3):  # warm: the last of three is measured
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = call()
                elapsed = time.perf_counter() - t0
        found[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "ms": round(elapsed * 1000, 1),
            "sql": [q["sql"][:160] for q in captured.captured_queries],
        }

    counter = iter(range(10**6))

    def api_sign() -> Any:
        n = next(counter)
        return client.post(
            f"/api/v1/councils/{COUNCIL}/petitions/{scene.warmup}/signatures",
            data=json.dumps(sign_fields(n, scene.postcodes[n % len(scene.postcodes)], "p")),
            content_type="application/json",
        )

    def form_sign() -> Any:
        n = next(counter)
        fields = sign_fields(n, scene.postcodes[n % len(scene.postcodes)], "f")
        return client.post(
            f"/{COUNCIL}/petitions/{scene.warmup}/sign/", form_data(fields, csrf_token="")
        )

    def confirm() -> Any:
        token = (
            Signature.objects.filter(petition_id=scene.warmup, status="pending")
            .values_list("token", flat=True)
            .first()
        )
        return client.get(f"/{COUNCIL}/petitions/confirm/{token}/")

    capture("api_sign", api_sign)
    client = Client(HTTP_X_FORWARDED_FOR="198.51.100.8")  # the test client skips CSRF
    capture("form_sign", form_sign)
    capture("confirm", confirm)
    return found


# --- Requests --------------------------------------------------------------------------


def sign_fields(n: int, code: str, tag: str) -> dict[str, Any]:
    rng = random.Random(n * 7919 + len(tag))
    if rng.random() < 0.85:
        email = f"signer.{tag}{n}@{rng.choice(DOMAINS)}"
    else:  # a domain of one's own: nobody else signs from it
        email = f"me@{tag}{n}.example.org"
    return {
        "name": f"Signer {tag}{n}",
        "email": email,
        "postcode": code,
        "basis": "lives",
        "declaration": True,
        "wants_updates": rng.random() < 0.7,
    }


def form_data(fields: dict[str, Any], csrf_token: str) -> dict[str, str]:
    data = {k: str(v) for k, v in fields.items() if k not in ("declaration", "wants_updates")}
    data["declaration"] = "on"
    if fields["wants_updates"]:
        data["wants_updates"] = "on"
    if csrf_token:
        data["csrfmiddlewaretoken"] = csrf_token
    return data


def random_ip(rng: random.Random) -> str:
    # A pool of 60,000 addresses: now and then two signers share one, as households do.
    n = rng.randrange(60_000)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 + 1 if n % 256 < 255 else 1}"


@dataclass
class Job:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None  # form door: the CSRF token is added per connection


def sign_jobs(door: str, petitions: list[int], count: int, tag: str, scene: Scene) -> list[Job]:
    rng = random.Random(f"{SEED}-{tag}")
    jobs = []
    for n in range(count):
        petition = petitions[n % len(petitions)] if len(petitions) == 1 else rng.choice(petitions)
        fields = sign_fields(n, rng.choice(scene.postcodes), tag)
        headers = {"X-Forwarded-For": random_ip(rng)}
        if door == "api":
            body = json.dumps(fields).encode()
            headers["Content-Type"] = "application/json"
            jobs.append(
                Job(
                    "POST",
                    f"/api/v1/councils/{COUNCIL}/petitions/{petition}/signatures",
                    body,
                    headers,
                )
            )
        else:
            jobs.append(
                Job(
                    "POST",
                    f"/{COUNCIL}/petitions/{petition}/sign/",
                    headers=headers,
                    form=form_data(fields, ""),
                )
            )
    return jobs


def pending_tokens(petitions: list[int]) -> list[str]:
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        rows = conn.execute(
            "SELECT token FROM petitions_signature WHERE petition_id = ANY(%s) "
            "AND status = 'pending' ORDER BY id",
            [petitions],
        ).fetchall()
    tokens = [row[0] for row in rows]
    random.Random(SEED).shuffle(tokens)
    return tokens


# --- The load generator: a small HTTP/1.1 client on asyncio streams ---------------------
# httpx is not among the project's dependencies; a thread per connection with http.client
# would spend the shared two cores on the GIL. This client does keep-alive, Content-Length
# bodies and "Connection: close" (gunicorn's sync workers), which is all the app sends.


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: bench-sign"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readline()
        if not status_line:
            self.close()
            raise ConnectionResetError("closed before answering")
        status = int(status_line.split()[1])
        answer: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            answer[name] = value
        length = int(answer.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if answer.get("connection", "").lower() == "close":
            self.close()
        return status, answer, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Phase:
    name: str
    requests: int = 0
    ok: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    busy: float = 0.0

    @property
    def per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "ok": self.ok,
            "errors": self.requests - self.ok,
            "seconds": round(self.seconds, 2),
            "per_s": round(self.per_s, 1),
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p95_ms": round(self.percentile(95) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
            "statuses": dict(self.statuses),
            "cpu_ms_per_ok": {k: round(v * 1000 / max(self.ok, 1), 2) for k, v in self.cpu.items()},
            "machine_busy": self.busy,
        }


async def csrf_token(conn: Connection, page: str) -> str:
    status, _headers, content = await conn.request("GET", page)
    if status != 200:
        raise RuntimeError(f"GET {page} answered {status}")
    marker = b'name="csrfmiddlewaretoken" value="'
    start = content.index(marker) + len(marker)
    return content[start : content.index(b'"', start)].decode()


async def run_phase(name: str, jobs: list[Job], port: int, clients: int, page: str) -> Phase:
    phase = Phase(name, requests=len(jobs))
    queue = iter(jobs)

    async def client() -> None:
        conn = Connection(port)
        token = ""
        for job in queue:
            body, headers = job.body, dict(job.headers)
            if job.form is not None:
                if not token or "csrftoken" not in conn.cookies:
                    token = await csrf_token(conn, page)
                body = urlencode({**job.form, "csrfmiddlewaretoken": token}).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            t0 = time.perf_counter()
            try:
                status, _h, _c = await conn.request(job.method, job.path, body, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                phase.statuses[type(exc).__name__] += 1
                conn.close()
                continue
            phase.latencies.append(time.perf_counter() - t0)
            phase.statuses[str(status)] += 1
            if 200 <= status < 400:
                phase.ok += 1
        conn.close()

    with CpuMeter() as meter:
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        phase.seconds = time.perf_counter() - started
    phase.cpu, phase.busy = meter.result, meter.busy
    return phase


# --- Where the CPU went --------------------------------------------------------------------


def _ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _processes(*patterns: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if any(pattern in command for pattern in patterns):
                found.append(int(entry))
    return found


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


# The app server the load meets (--server): its processes are the first CPU group.
SERVER = "granian"
# What their command lines contain: uvicorn's worker processes are started by
# multiprocessing's spawn, whose command line names no uvicorn.
SERVER_PROCESSES = {
    "granian": ("bin/granian",),
    "gunicorn": ("gunicorn",),
    "uvicorn": ("bin/uvicorn", "multiprocessing.spawn"),
}


class CpuMeter:
    """CPU seconds spent, by process group: the app server (master and workers), the task
    worker, PostgreSQL's backends for this database, PostgreSQL's shared background
    writers (WAL writer, checkpointer, background writer: other databases' work counts
    there too) and this load generator. Per process, so that none is counted twice."""

    def groups(self) -> dict[str, list[int]]:
        name = POSTGRES_URL.rsplit("/", 1)[1]
        return {
            SERVER: _processes(*SERVER_PROCESSES[SERVER]),
            "task_worker": _processes("moothall db_worker"),
            "postgres": _processes(f" {name} "),
            "postgres_shared": _processes("walwriter", "checkpointer", "background writer"),
            "load_generator": [os.getpid()],
        }

    def _sample(self) -> dict[str, dict[int, int]]:
        return {group: {p: _ticks(p) for p in pids} for group, pids in self.groups().items()}

    def __enter__(self) -> CpuMeter:
        self.hz = os.sysconf("SC_CLK_TCK")
        self.before = self._sample()
        self.machine_before = _machine_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        after = self._sample()
        busy = _machine_ticks()
        self.result: dict[str, float] = {}
        for group, ticks in after.items():
            earlier = self.before.get(group, {})
            spent = sum(max(0, t - earlier.get(pid, 0)) for pid, t in ticks.items())
            self.result[group] = spent / self.hz
        total = busy[1] - self.machine_before[1]
        self.busy = round((busy[0] - self.machine_before[0]) / total, 3) if total else 0.0


# --- The server ------------------------------------------------------------------------


def start_server(
    env: dict[str, str], port: int, workers: int, worker_class: str, threads: int, app: str
) -> subprocess.Popen[bytes]:
    if SERVER == "uvicorn":
        command = [
            str(Path(sys.executable).with_name("uvicorn")),
            "moothall.asgi:application",
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *("--log-level", "warning", "--no-access-log", "--backlog", "2048"),
        ]
    elif SERVER == "granian":  # as moothall-web@ runs it, with one process per core
        command = [
            str(Path(sys.executable).with_name("granian")),
            *("--interface", "wsgi", app, "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--blocking-threads", str(threads)),
            *("--http", "1", "--no-ws", "--http1-header-read-timeout", "60000"),
            *("--backlog", "2048", "--log-level", "warning"),
        ]
    else:
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            *(app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--worker-class", worker_class, "--threads", str(threads)),
            *("--backlog", "2048", "--keep-alive", "30", "--timeout", "60"),
            *("--log-level", "warning"),
        ]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603


def wait_until_up(port: int, path: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{SERVER} exited ({server.returncode}) before answering")
        try:
            status = asyncio.run(Connection(port).request("GET", path))[0]
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{SERVER} did not answer within 60 s")


# --- Straight into PostgreSQL ------------------------------------------------------------


def raw_rows(petitions: list[int], count: int, tag: str, scene: Scene) -> list[tuple[Any, ...]]:
    """Rows like the ones a sign request writes (same columns, same kind of values)."""
    import secrets

    from moothall.petitions.domain import email_key

    rng = random.Random(f"{SEED}-{tag}")
    ward_ids = ward_map()
    rows = []
    for n in range(count):
        petition = petitions[0] if len(petitions) == 1 else rng.choice(petitions)
        fields = sign_fields(n, rng.choice(scene.postcodes), tag)
        key = email_key(fields["email"])
        address = random_ip(rng)
        now = dt.datetime.now(dt.UTC)
        rows.append(
            (
                petition,
                fields["name"],
                fields["email"],
                key,
                key.rpartition("@")[2],
                fields["postcode"],
                ward_ids[fields["postcode"]],
                "lives",
                "online",
                False,
                "pending",
                secrets.token_urlsafe(24),
                fields["wants_updates"],
                address,
                address,  # source: an IPv4 address is its own
                False,
                "[]",
                now,
                now,
            )
        )
    return rows


def ward_map() -> dict[str, int]:
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        wards: dict[str, int] = dict(
            conn.execute(
                "SELECT w.gss_code, w.id FROM councils_ward w JOIN councils_council c "
                "ON c.id = w.council_id WHERE c.slug = %s",
                [COUNCIL],
            ).fetchall()
        )
        codes = conn.execute(
            "SELECT postcode, ward_gss FROM councils_postcode WHERE district_gss = %s",
            [COUNCIL_GSS],
        ).fetchall()
    return {code: wards[gss] for code, gss in codes}


RAW_INSERT = (
    "INSERT INTO petitions_signature (petition_id, name, email, email_key, email_domain, "
    "postcode, ward_id, basis, channel, is_sponsor, status, token, wants_updates, ip_address, "
    "source, flagged, flag_reasons, created_at, last_emailed_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def raw_inserts(rows: list[tuple[Any, ...]], connections: int) -> Phase:
    import psycopg

    phase = Phase("raw inserts", requests=len(rows))
    lock = threading.Lock()
    pending = list(reversed(rows))
    start = threading.Barrier(connections + 1)
    # The connections stay open until the CPU meter has read their server processes: all
    # rows are in when every thread reaches ``finished``; they close once ``metered``.
    finished = threading.Barrier(connections + 1)
    metered = threading.Event()
    latencies: list[float] = []

    def work() -> None:
        try:
            insert()
        except BaseException:
            # A failed connection must not leave the others waiting at a barrier forever.
            start.abort()
            finished.abort()
            metered.set()
            raise

    def insert() -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:  # each INSERT commits
            conn.execute("SELECT 1")
            start.wait()
            while True:
                with lock:
                    if not pending:
                        break
                    row = pending.pop()
                t0 = time.perf_counter()
                conn.execute(RAW_INSERT, row)
                latencies.append(time.perf_counter() - t0)
            finished.wait()
            metered.wait()

    threads = [threading.Thread(target=work) for _ in range(connections)]
    for thread in threads:
        thread.start()
    with CpuMeter() as meter:
        start.wait()
        started = time.perf_counter()
        finished.wait()
        phase.seconds = time.perf_counter() - started
    metered.set()
    for thread in threads:
        thread.join()
    phase.cpu, phase.busy = meter.result, meter.busy
    phase.latencies = latencies
    phase.ok = len(latencies)
    phase.statuses["inserted"] = len(latencies)
    return phase


# --- Checks after the run ----------------------------------------------------------------


def check_counts(petitions: list[int]) -> dict[str, int]:
    """Every confirmed signature is counted once: the live tally of each petition equals
    the count of its confirmed signatures; no person signed a petition twice."""
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        tallies: dict[int, int] = dict(
            conn.execute(
                "SELECT petition_id, SUM(count) FROM petitions_signaturetally "
                "WHERE petition_id = ANY(%s) GROUP BY petition_id",
                [petitions],
            ).fetchall()
        )
        confirmed: dict[int, int] = dict(
            conn.execute(
                "SELECT petition_id, COUNT(*) FROM petitions_signature WHERE status = 'confirmed' "
                "AND petition_id = ANY(%s) GROUP BY petition_id",
                [petitions],
            ).fetchall()
        )
        duplicates = conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM petitions_signature WHERE petition_id = ANY(%s) "
            "GROUP BY petition_id, email_key HAVING COUNT(*) > 1) d",
            [petitions],
        ).fetchone()
        rows = conn.execute(
            "SELECT COUNT(*) FROM petitions_signature WHERE petition_id = ANY(%s)", [petitions]
        ).fetchone()
        outbox: dict[str, int] = dict(
            conn.execute("SELECT status, COUNT(*) FROM core_outboxmessage GROUP BY status")
        )
    mismatched = len(
        [p for p in set(tallies) | set(confirmed) if tallies.get(p, 0) != confirmed.get(p, 0)]
    )
    return {
        "signature_rows": int(rows[0]) if rows else 0,
        "confirmed": int(sum(confirmed.values())),
        "counted": int(sum(tallies.values())),
        "petitions_miscounted": mismatched,
        "duplicate_people": int(duplicates[0]) if duplicates else 0,
        "outbox_sent": int(outbox.get("sent", 0)),
        "outbox_waiting": int(sum(v for k, v in outbox.items() if k != "sent")),
    }


# --- The run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--door", choices=["api", "form", "auto"], default="auto")
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn", "uvicorn"],
        default="granian",
        help="granian (WSGI), as moothall-web@ serves; gunicorn's threads (WSGI), as it served "
        "before; uvicorn: the ASGI app for everything",
    )
    # One process per core, threads to overlap the waits on PostgreSQL (round trips and the
    # commit's flush): measured best on two cores (docs/benchmarks.md).
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default="gthread", help="gunicorn's"
    )
    parser.add_argument("--threads", type=int, default=8, help="per worker (granian, gthread)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent connections")
    parser.add_argument("--hot", type=int, default=4000, help="signatures on the hot petition")
    parser.add_argument("--many", type=int, default=4000, help="signatures across the others")
    parser.add_argument("--petitions", type=int, default=200, help="petitions besides the hot one")
    parser.add_argument("--no-task-worker", action="store_true", help="no db_worker during load")
    parser.add_argument("--profile", action="store_true", help="queries per request, then stop")
    parser.add_argument(
        "--wsgi",
        default="moothall.wsgi:application",
        help="the WSGI app the server serves (to measure a change before making it)",
    )
    args = parser.parse_args()
    global SERVER
    SERVER = args.server
    threads = args.threads if args.worker_class == "gthread" and SERVER != "uvicorn" else 1
    layout = {
        "granian": f"{args.workers} workers × {threads} threads",
        "gunicorn": f"{args.workers} {args.worker_class} workers × {threads} threads",
        "uvicorn": f"{args.workers} workers (ASGI: a thread per request)",
    }[SERVER]

    env = environment()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    settings_seen = postgres_settings()
    log("PostgreSQL: " + ", ".join(f"{k}={v}" for k, v in settings_seen.items()))
    log(f"fresh database {POSTGRES_URL.rsplit('/', 1)[1]}: migrating")
    fresh_database()
    migrate(env)
    import django

    django.setup()
    from django.db import connections
    from django.urls import NoReverseMatch, reverse

    log(f"building the council and {args.petitions + 1} open petitions")
    scene = build(args.petitions)
    door = args.door
    if door == "auto":
        try:
            reverse("api:petition_signatures", kwargs={"slug": COUNCIL, "id": scene.hot})
            door = "api"
        except NoReverseMatch:
            door = "form"
    if args.profile:
        found = profile(scene)
        for name, row in found.items():
            print(f"{name}: {row['status']}, {row['queries']} queries, {row['ms']} ms in-process")
            for sql in row["sql"]:
                print(f"    {sql}")
        print(json.dumps({k: {x: y for x, y in v.items() if x != "sql"} for k, v in found.items()}))
        return
    connections.close_all()

    # As many connections as the server's threads (whichever server ran): the same baseline.
    raw_threads = args.threads if args.worker_class == "gthread" else 1
    raw_connections = min(args.workers * raw_threads, args.clients)
    raw_runs: list[Phase] = []

    def raw_run() -> None:
        run = len(raw_runs)
        rows = raw_rows([scene.raw_hot], args.hot, f"rh{run}", scene) + raw_rows(
            scene.raw_others, args.many, f"rm{run}", scene
        )
        log(
            f"raw {run + 1}/{RAW_RUNS_BEFORE + RAW_RUNS_AFTER}: {len(rows)} single-row "
            f"INSERTs, each committed, over {raw_connections} connections (the app idle)"
        )
        raw_runs.append(raw_inserts(rows, raw_connections))

    port = free_port()
    server = start_server(env, port, args.workers, args.worker_class, threads, args.wsgi)
    worker = None
    try:
        page = f"/{COUNCIL}/petitions/{scene.hot}-hot-keep-the-swimming-pool-open/"
        wait_until_up(port, page, server)
        if not args.no_task_worker:
            worker = subprocess.Popen(
                [sys.executable, "-m", "moothall", "db_worker", "--no-reload", "-v", "0"],
                env=env,
                cwd=ROOT,
                start_new_session=True,
            )
        log(f"{SERVER} on :{port}: {layout}; {args.clients} clients; door: {door}")
        warm = max(200, 4 * args.workers * threads)
        asyncio.run(
            run_phase(
                "warm-up",
                sign_jobs(door, [scene.warmup], warm, "w", scene),
                port,
                args.clients,
                page,
            )
        )
        warm_tokens = pending_tokens([scene.warmup])
        asyncio.run(
            run_phase(
                "warm-up confirm",
                [Job("GET", f"/{COUNCIL}/petitions/confirm/{t}/") for t in warm_tokens],
                port,
                args.clients,
                page,
            )
        )
        if worker is not None:
            settle()
        for _ in range(RAW_RUNS_BEFORE):
            raw_run()
        analyse()
        log(f"hot petition: {args.hot} signatures")
        hot = asyncio.run(
            run_phase(
                "sign: hot petition",
                sign_jobs(door, [scene.hot], args.hot, "h", scene),
                port,
                args.clients,
                page,
            )
        )
        log(f"{args.petitions} petitions: {args.many} signatures")
        many = asyncio.run(
            run_phase(
                f"sign: {args.petitions} petitions",
                sign_jobs(door, scene.others, args.many, "m", scene),
                port,
                args.clients,
                page,
            )
        )
        if worker is not None:
            settle()  # the signatures' emails sent: the raw inserts have the machine
        for _ in range(RAW_RUNS_AFTER):
            raw_run()
        measured = [scene.hot, *scene.others]
        tokens = pending_tokens(measured)
        log(f"following {len(tokens)} confirmation links")
        confirm = asyncio.run(
            run_phase(
                "confirm",
                [Job("GET", f"/{COUNCIL}/petitions/confirm/{t}/") for t in tokens],
                port,
                args.clients,
                page,
            )
        )
    finally:
        stop(server)
        stop(worker)
    counts = check_counts(measured)

    raw = max(raw_runs, key=lambda phase: phase.per_s)

    signed_ok = hot.ok + many.ok
    sign_seconds = hot.seconds + many.seconds
    signatures_per_s = signed_ok / sign_seconds if sign_seconds else 0.0
    ratio = signatures_per_s / raw.per_s if raw.per_s else 0.0
    errors = sum(p.requests - p.ok for p in (hot, many, confirm))
    print(f"Signing benchmark, {dt.date.today()}, {machine()}")
    print("PostgreSQL " + ", ".join(f"{k}={v}" for k, v in settings_seen.items()))
    print(
        f"{SERVER}: {layout}, "
        f"{args.clients} client connections, door: {door}, "
        f"task worker: {'no' if args.no_task_worker else 'one db_worker'}"
    )
    header = (
        f"{'phase':26} {'requests':>8} {'ok':>6} {'errors':>6} {'s':>6} {'per s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  CPU ms per ok request"
    )
    print(header)
    for phase in (hot, many, confirm, raw):
        s = phase.summary()
        cpu = ", ".join(f"{k} {v}" for k, v in s["cpu_ms_per_ok"].items())
        print(
            f"{phase.name:26} {s['requests']:>8} {s['ok']:>6} {s['errors']:>6} "
            f"{s['seconds']:>6.1f} {s['per_s']:>7.1f} {s['p50_ms']:>7.1f} {s['p95_ms']:>7.1f} "
            f"{s['p99_ms']:>7.1f}  {cpu}; machine busy {s['machine_busy']:.0%}"
        )
    print(
        "raw runs (inserts/s): before signing "
        + ", ".join(f"{phase.per_s:.1f}" for phase in raw_runs[:RAW_RUNS_BEFORE])
        + "; after "
        + ", ".join(f"{phase.per_s:.1f}" for phase in raw_runs[RAW_RUNS_BEFORE:])
    )
    print(
        f"signatures/s {signatures_per_s:.1f} (target {TARGET_PER_S}); raw inserts/s "
        f"{raw.per_s:.1f}; ratio {ratio:.3f} (target {TARGET_RATIO})"
    )
    print("after the run: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(
        json.dumps(
            {
                "signatures_per_s": round(signatures_per_s, 1),
                "confirmations_per_s": round(confirm.per_s, 1),
                "raw_inserts_per_s": round(raw.per_s, 1),
                "raw_runs_per_s": [round(phase.per_s, 1) for phase in raw_runs],
                "ratio": round(ratio, 3),
                "errors": errors,
                "workers": args.workers,
                "server": SERVER,
                "worker_class": {"granian": "wsgi", "gunicorn": args.worker_class}.get(
                    SERVER, "asgi"
                ),
                "threads": threads,
                "clients": args.clients,
                "door": door,
                "task_worker": not args.no_task_worker,
                "wsgi": args.wsgi,
                "targets": {"signatures_per_s": TARGET_PER_S, "ratio": TARGET_RATIO},
                "phases": {p.name: p.summary() for p in (hot, many, confirm, raw)},
                "checks": counts,
                "postgres": settings_seen,
                "machine": machine(),
                "load_average": os.getloadavg()[0],
                "date": dt.date.today().isoformat(),
            }
        )
    )


if __name__ == "__main__":
    main()
