"""Delivery delay of a live meeting's events to many server-sent-event clients.

`make bench-live`. A fresh database (SQLite in ``var/bench/live/``, or PostgreSQL with
``--postgres``) gets one council, one committee and a meeting with its agenda published.
The app is served as in production: uvicorn (``moothall.asgi:application``), DEBUG off,
fan-out through Redis pub/sub (``REDIS_URL``, the local server, a channel prefix of this
run's own), by default one worker. Then

1. ``--clients`` (2,000) clients open the meeting's stream
   (GET /<council>/meetings/<id>/live/events) on raw asyncio sockets, a few at a time,
   and keep it open;
2. once every client is subscribed, the clerk (this process, through the verbs of
   ``moothall.live.domain``) starts the meeting and then, ``--events`` times, every
   ``--interval`` seconds, moves to the next agenda item or posts on the live blog;
3. each client records when each event reaches it.

The delay of an event at a client runs from just before the clerk's verb is called (the
verb's transaction, the commit, the publish, Redis, the fan-out in the server, the
network, and the client's own parsing) to the moment the client has read the event.
Printed: connect time, p50/p95/max delay, clients that received every event, the server's
CPU, memory and threads; last a JSON line.

Options: ``--clients``, ``--events``, ``--interval``, ``--workers``, ``--no-redis``
(in-process fan-out: one worker only), ``--postgres`` (``MOOTHALL_BENCH_LIVE_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import free_port, log, machine, stop

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "live"
POSTGRES_URL = os.environ.get(
    "MOOTHALL_BENCH_LIVE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/moothall_bench_live"
)
REDIS_URL = os.environ.get("MOOTHALL_BENCH_LIVE_REDIS_URL", "redis://127.0.0.1:6379/0")
COUNCIL = "benchford"
TARGET_P95_S = 1.0
CONNECT_CONCURRENCY = 64
CONNECT_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 15.0


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    (VAR / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise wants STATIC_ROOT
    env.update(
        DJANGO_SETTINGS_MODULE="moothall.settings",
        MOOTHALL_VAR_DIR=str(VAR),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # Pub/sub channels are shared by every user of the Redis server: ours alone.
        LIVE_CHANNEL_PREFIX=f"bench-live:{os.getpid()}:",
        DEBUG="false",
        HTTPS="false",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def raise_open_files(wanted: int) -> int:
    """Each client is a socket here and one in the server: lift the soft limit (the
    server, started after, inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- The database and the meeting ------------------------------------------------------


def fresh_database(postgres: bool) -> str:
    if not postgres:
        shutil.rmtree(VAR, ignore_errors=True)
        VAR.mkdir(parents=True)
        return f"sqlite:///{VAR / 'db.sqlite3'}"
    import psycopg

    name = POSTGRES_URL.rsplit("/", 1)[1]
    server = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # our own name, from the URL
        conn.execute(f'CREATE DATABASE "{name}"')
    VAR.mkdir(parents=True, exist_ok=True)
    return POSTGRES_URL


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "moothall", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def build(items: int) -> int:
    """A council, a committee, and a meeting tonight with ``items`` agenda items, its
    agenda published. Returns the meeting's id."""
    from django.utils import timezone

    from moothall.councils.models import Council
    from moothall.meetings.models import AgendaItem, Body, Meeting

    council = Council.objects.create(
        name="Benchford District Council",
        short_name="Benchford",
        slug=COUNCIL,
        tier=Council.Tier.DISTRICT,
        gss_code="E07999002",
    )
    body = Body.objects.create(council=council, name="Planning Committee", slug="planning")
    now = timezone.now()
    meeting = Meeting.objects.create(
        council=council, body=body, start=now, venue="Council Chamber", agenda_published_at=now
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            title=f"Application {n + 1}",
            kind="report",
            number=str(n + 1),
            sort_key=f"{n:04d}.",
            position=n,
        )
        for n in range(items)
    )
    return meeting.pk


# --- The server ------------------------------------------------------------------------


def start_server(
    env: dict[str, str], port: int, workers: int, profile: str = ""
) -> subprocess.Popen[bytes]:
    # Under cProfile (one worker): where the server's time goes, written when it stops.
    runner = [sys.executable, "-m", "cProfile", "-o", profile, "-m", "uvicorn"] if profile else []
    command = [
        *(runner or [str(Path(sys.executable).with_name("uvicorn"))]),
        "moothall.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--backlog",
        "4096",
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "2",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603


async def get_status(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    line = await reader.readline()
    writer.close()
    return int(line.split()[1])


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited ({server.returncode}) before answering")
        try:
            if asyncio.run(get_status(port, "/static/moothall/live.js")) in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("uvicorn did not answer within 60 s")


def server_processes(pid: int) -> list[int]:
    found = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def usage(pids: list[int]) -> dict[str, float]:
    """CPU seconds, resident memory (MB) and threads of the server's processes."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = rss = threads = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / tick
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                threads += int(line.split()[1])
    return {"cpu_s": cpu, "rss_mb": rss, "threads": threads}


# --- The clients ---------------------------------------------------------------------


EVENT_ID = re.compile(rb"\nid: (\d+)\n|^id: (\d+)\n")


class Client(asyncio.Protocol):
    """One EventSource, as cheap as a client can be (a protocol, no coroutine per read):
    the GET, then every event's id and when it arrived. The server writes each event as
    one chunk, so an event's ``id:`` line is never split by the chunked framing; JSON
    escapes line breaks, so ``\nid: N\n`` cannot occur inside an event's data."""

    def __init__(self, n: int, path: str) -> None:
        self.n = n
        self.path = path
        self.subscribed = asyncio.Event()
        self.closed = asyncio.Event()
        self.received: dict[int, float] = {}
        self.failed = ""
        self.head = True
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buffer += data
        if self.head:
            if b"\r\n\r\n" not in self.buffer:
                return
            if not self.buffer.startswith(b"HTTP/1.1 200"):
                self.fail(self.buffer.split(b"\r\n", 1)[0].decode())
                return
            self.head = False
        if not self.subscribed.is_set() and b"retry:" in self.buffer:
            # The first chunk (retry:) is written once the stream has subscribed.
            self.subscribed.set()
        for match in EVENT_ID.finditer(self.buffer):
            self.received.setdefault(int(match.group(1) or match.group(2)), now)
        # Keep a tail: an "id:" line may be split between two reads (a match found
        # again is ignored: the first arrival counts).
        self.buffer = self.buffer[-40:]

    def fail(self, reason: str) -> None:
        self.failed = reason
        self.subscribed.set()
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.failed and not self.closed.is_set():
            self.failed = f"connection lost: {exc}" if exc else "the server ended the stream"
        self.subscribed.set()
        self.closed.set()


async def run_clients(
    port: int,
    path: str,
    count: int,
    clerk: Any,
    pids: list[int],
) -> tuple[list[Client], float, dict[int, float], dict[str, float]]:
    loop = asyncio.get_running_loop()
    clients = [Client(n, path) for n in range(count)]
    t_connect = time.monotonic()

    async def connect(client: Client, gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                await loop.create_connection(lambda: client, "127.0.0.1", port)
                await client.subscribed.wait()
            except OSError as error:
                client.failed = f"{type(error).__name__}: {error}"
                client.subscribed.set()

    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            await asyncio.gather(*(connect(c, gate) for c in clients))
    except TimeoutError:
        log("not every client subscribed in time; carrying on with those that did")
    connect_s = time.monotonic() - t_connect
    connected = [c for c in clients if c.subscribed.is_set() and not c.failed]
    log(f"{len(connected)} of {count} clients subscribed in {connect_s:.1f} s")
    at_connected = usage(pids)
    sent = await asyncio.to_thread(clerk)
    last = max(sent)
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while time.monotonic() < deadline:
        if all(last in c.received for c in connected):
            break
        await asyncio.sleep(0.05)
    for client in clients:
        client.closed.set()  # our doing: not a failure
        if hasattr(client, "transport"):
            client.transport.close()
    return connected, connect_s, sent, at_connected


def the_clerk(meeting_id: int, events: int, interval: float, verb_s: list[float]) -> Any:
    """The clerk's evening: start, then alternately the next item and a blog post.
    Returns {seq: time just before the verb was called}."""

    def work() -> dict[int, float]:
        from moothall.core.text import render_markdown
        from moothall.live import domain
        from moothall.live.models import LiveMeeting
        from moothall.meetings.models import Meeting

        meeting = Meeting.objects.select_related("council").get(pk=meeting_id)
        # The clerk's process is warm, as a server's is after its first request: modules
        # imported, the Markdown renderer built, the database connection open.
        render_markdown("**warm**")
        LiveMeeting.objects.filter(meeting_id=meeting_id).exists()
        sent: dict[int, float] = {}
        for n in range(events):
            t0 = time.time()
            if n == 0:
                domain.start_live(None, meeting)
            elif n % 2:
                domain.next_item(None, meeting)
            else:
                domain.post_blog(None, meeting, text=f"Update {n}: the committee is **debating**.")
            seq = LiveMeeting.objects.filter(meeting_id=meeting_id).values_list(
                "last_seq", flat=True
            )[0]
            sent[seq] = t0
            verb_s.append(time.time() - t0)
            time.sleep(max(0.0, interval - (time.time() - t0)))
        return sent

    return work


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- The run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20, help="clerk's actions (events)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between actions")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--no-redis", action="store_true", help="in-process fan-out")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--profile", default="", help="profile the server (cProfile) into FILE")
    args = parser.parse_args()
    if args.no_redis and args.workers != 1:
        raise SystemExit("without Redis the events reach one process only: use --workers 1")

    open_files = raise_open_files(2 * args.clients + 256)
    if open_files < args.clients + 256:
        raise SystemExit(f"only {open_files} open files allowed: too few for {args.clients}")
    database_url = fresh_database(args.postgres)
    redis_url = "" if args.no_redis else REDIS_URL
    env = environment(database_url, redis_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    log(f"fresh database ({'PostgreSQL' if args.postgres else 'SQLite'}): migrating")
    migrate(env)
    import django

    django.setup()
    from django.db import connections

    items = args.events // 2 + 2
    meeting_id = build(items)
    connections.close_all()
    path = f"/{COUNCIL}/meetings/{meeting_id}/live/events"

    port = free_port()
    server = start_server(env, port, args.workers, args.profile)
    try:
        wait_until_up(port, server)
        pids = server_processes(server.pid)
        log(
            f"uvicorn on :{port}, {args.workers} worker(s), fan-out "
            f"{'Redis' if redis_url else 'in-process'}; {args.clients} clients"
        )
        before = usage(pids)
        verb_s: list[float] = []
        clerk = the_clerk(meeting_id, args.events, args.interval, verb_s)
        t_start = time.monotonic()
        connected, connect_s, sent, at_connected = asyncio.run(
            run_clients(port, path, args.clients, clerk, pids)
        )
        wall = time.monotonic() - t_start
        after = usage(pids)
    finally:
        stop(server)
        connections.close_all()

    failures: dict[str, int] = {}
    for c in connected:
        if c.failed:  # lost its connection after it had subscribed
            failures[c.failed] = failures.get(c.failed, 0) + 1
    if len(connected) < args.clients:
        failures["not subscribed"] = args.clients - len(connected)
    delays = [
        c.received[seq] - t0 for c in connected for seq, t0 in sent.items() if seq in c.received
    ]
    missed = sum(1 for c in connected for seq in sent if seq not in c.received)
    complete = sum(1 for c in connected if all(seq in c.received for seq in sent))
    per_event = {
        seq: percentile([c.received[seq] - t0 for c in connected if seq in c.received], 0.95)
        for seq, t0 in sorted(sent.items())
    }
    p50, p95 = percentile(delays, 0.5), percentile(delays, 0.95)
    top = max(delays) if delays else 0.0
    cpu_s = after["cpu_s"] - before["cpu_s"]
    event_cpu_s = after["cpu_s"] - at_connected["cpu_s"]
    deliveries = sum(len(c.received) for c in connected)

    print(f"Live stream benchmark, {dt.date.today()}, {machine()}")
    fan_out = "Redis pub/sub" if redis_url else "in-process"
    print(
        f"uvicorn: {args.workers} worker(s); fan-out: {fan_out}; "
        f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; open files {open_files}"
    )
    print(
        f"clients: {args.clients} asked, {len(connected)} subscribed in {connect_s:.1f} s "
        f"({len(connected) / connect_s if connect_s else 0:.0f}/s)"
        + (f"; failures: {failures}" if failures else "")
    )
    print(f"events: {len(sent)} (clerk: start, then next item / blog post every {args.interval} s)")
    print(
        f"delay from the verb to the client: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {top * 1000:.0f} ms (target p95 < {TARGET_P95_S:.0f} s)"
    )
    print("the clerk's verb (ms): " + " ".join(f"{v * 1000:.0f}" for v in verb_s))
    print("p95 per event (ms): " + " ".join(f"{v * 1000:.0f}" for v in per_event.values()))
    print(
        f"clients that received every event: {complete} of {len(connected)}; "
        f"missed (client, event) pairs: {missed}"
    )
    print(
        f"server: {cpu_s:.1f} CPU s over {wall:.1f} s (connect + events), "
        f"of which {event_cpu_s:.1f} s while the clerk worked "
        f"({event_cpu_s / deliveries * 1e6 if deliveries else 0:.0f} µs per delivered event), "
        f"{after['rss_mb']:.0f} MB resident, {after['threads']:.0f} threads at the end; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        json.dumps(
            {
                "clients": len(connected),
                "clients_asked": args.clients,
                "p50_delay_s": round(p50, 4),
                "p95_delay_s": round(p95, 4),
                "max_delay_s": round(top, 4),
                "missed_events": missed,
                "clients_with_every_event": complete,
                "events": len(sent),
                "verb_p50_s": round(percentile(verb_s, 0.5), 4),
                "interval_s": args.interval,
                "connect_s": round(connect_s, 2),
                "workers": args.workers,
                "fan_out": "redis" if redis_url else "in-process",
                "database": "postgresql" if args.postgres else "sqlite",
                "server_cpu_s": round(cpu_s, 1),
                "server_event_cpu_s": round(event_cpu_s, 1),
                "server_rss_mb": round(after["rss_mb"]),
                "server_threads": int(after["threads"]),
                "failures": failures,
                "target_p95_s": TARGET_P95_S,
                "machine": machine(),
                "load_average": os.getloadavg()[0],
                "date": dt.date.today().isoformat(),
            }
        )
    )


if __name__ == "__main__":
    main()
