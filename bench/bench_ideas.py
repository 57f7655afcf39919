"""`make bench-ideas`: server time of the ideas list with 10,000 ideas, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_ideas.py [--databases sqlite,postgres] [--ideas 10000]
                                          [--requests 200]

For each database it builds (once) a council, "Benchshire", with 10,000 ideas and needs
spread over three years, twenty wards and eight topics, in every status, with supports
and comments counted as the verbs keep them (``support_count``, ``comment_count``,
``last_activity_at``), and 2% merged into others. The rows are written with
``bulk_create`` in a dedicated database: ``var/bench/ideas-sqlite/ideas.sqlite3`` and the
PostgreSQL database ``moothall_bench_ideas`` (``MOOTHALL_BENCH_IDEAS_POSTGRES_URL``). A
database already holding that many ideas is reused.

Then, in-process with ``django.test.Client`` (no network, no web server: the time is the
server's own, from the request entering Django to the response leaving it), after a
warm-up, it requests the list with each sort (newest, most supported, recently active),
with each filter (topic, ward, status, kind, and two combined), deep pages, and one
idea's page, and reports p50 and p95 and the queries each page runs.

Each database runs in its own process (Django's settings are per process). The last line
printed is one JSON object: ``ideas``, ``sqlite_list_p95_ms``, ``postgres_list_p95_ms``
(the worst list case on each), the target, and the figures per case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
POSTGRES_URL = os.environ.get(
    "MOOTHALL_BENCH_IDEAS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/moothall_bench_ideas"
)
COUNCIL = "benchshire"
TARGET_MS = 100.0
SEED = 1_0000
BATCH = 2000


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def stats(times: list[float]) -> dict[str, float]:
    ms = [t * 1000 for t in times]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


def _log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')  # the name is ours, from the URL above


# --- The worker: one database, one process ---------------------------------------------------


def build(count: int) -> dict[str, Any]:
    """Benchshire with ``count`` ideas, unless it is already there."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from moothall.accounts.models import User
    from moothall.councils.models import Council, Topic, Ward
    from moothall.ideas.models import Idea

    council = Council.objects.filter(slug=COUNCIL).first()
    if council is not None and Idea.objects.filter(council=council).count() == count:
        return {"reused": True}
    _log(f"building {count:,} ideas")
    started, cpu = time.monotonic(), time.process_time()
    rng = random.Random(SEED)
    now = timezone.now()
    with transaction.atomic():
        if council is not None:
            Idea.objects.filter(council=council).update(merged_into=None)
            Idea.objects.filter(council=council).delete()
            council.delete()
        council = Council.objects.create(
            name="Benchshire District Council",
            short_name="Benchshire",
            slug=COUNCIL,
            tier=Council.Tier.DISTRICT,
            gss_code="E07999990",
        )
        wards = Ward.objects.bulk_create(
            [
                Ward(council=council, name=f"Ward {n}", slug=f"ward-{n}", gss_code=f"E0599{n:04d}")
                for n in range(20)
            ]
        )
        names = [
            "Parks and green spaces",
            "Roads and transport",
            "Housing",
            "Bins and recycling",
            "Community and leisure",
            "Environment and climate",
            "Safer streets",
            "Health and wellbeing",
        ]
        topics = Topic.objects.bulk_create(
            [Topic(council=council, name=name, slug=slugify(name)) for name in names]
        )
        existing = {u.email: u for u in User.objects.filter(email__endswith="@bench.example")}
        missing = [
            User(email=f"person{n}@bench.example", name=f"Person {n}")
            for n in range(500)
            if f"person{n}@bench.example" not in existing
        ]
        User.objects.bulk_create(missing)
        people = list(User.objects.filter(email__endswith="@bench.example"))
        statuses = (
            ["new"] * 40
            + ["under_consideration"] * 20
            + ["accepted"] * 10
            + ["in_progress"] * 10
            + ["done"] * 10
            + ["not_taken_forward"] * 10
        )
        words = [
            "bench",
            "bin",
            "road",
            "path",
            "park",
            "tree",
            "light",
            "bus",
            "school",
            "pool",
            "library",
            "market",
        ]
        rows = []
        for n in range(count):
            created = now - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            active = created + (now - created) * rng.random() ** 3
            status = rng.choice(statuses)
            rows.append(
                Idea(
                    council=council,
                    author=rng.choice(people),
                    kind="need" if rng.random() < 0.3 else "idea",
                    title=f"{rng.choice(words).title()} {rng.choice(words)} number {n}",
                    body="A " + " ".join(rng.choice(words) for _ in range(60)) + ".",
                    topic=rng.choice(topics) if rng.random() < 0.9 else None,
                    ward=rng.choice(wards) if rng.random() < 0.7 else None,
                    status=status,
                    status_reason="Because." if status == "not_taken_forward" else "",
                    # Supports follow a long tail: most ideas have a few, some have hundreds.
                    support_count=int(rng.paretovariate(1.2)) - 1,
                    comment_count=int(rng.expovariate(0.3)),
                    created_at=created,
                    last_activity_at=active,
                )
            )
        for i in range(0, len(rows), BATCH):
            Idea.objects.bulk_create(rows[i : i + BATCH])
        ids = list(Idea.objects.filter(council=council).values_list("pk", flat=True))
        merged = rng.sample(ids, count // 50)
        chosen = set(merged)
        targets = [pk for pk in ids if pk not in chosen]
        for pk in merged:
            Idea.objects.filter(pk=pk).update(
                status="merged", merged_into_id=rng.choice(targets), support_count=0
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "reused": False,
        "build_s": round(time.monotonic() - started, 1),
        "build_cpu_s": round(time.process_time() - cpu, 1),
    }


def measure(database: str, requests: int, warmup: int, budget: float) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from moothall.councils.models import Council, Topic, Ward
    from moothall.ideas.models import Idea

    rng = random.Random(SEED)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    council = Council.objects.get(slug=COUNCIL)
    client = Client()
    topics = list(Topic.objects.filter(council=council).values_list("slug", flat=True))
    wards = list(Ward.objects.filter(council=council).values_list("slug", flat=True))
    listed = Idea.objects.filter(council=council).exclude(status="merged").count()
    last_page = max(1, math.ceil(listed / 20))
    base = f"/{COUNCIL}/ideas/"
    statuses = ["new", "under_consideration", "accepted", "in_progress", "done"]

    def sorted_urls(sort: str) -> list[str]:
        return [f"{base}?sort={sort}"] + [
            f"{base}?sort={sort}&page={rng.randint(2, 50)}" for _ in range(20)
        ]

    cases: dict[str, list[str]] = {
        "list: newest": sorted_urls("newest"),
        "list: most supported": sorted_urls("supported"),
        "list: recently active": sorted_urls("active"),
        "list: by topic": [
            f"{base}?topic={t}&sort={s}" for t in topics for s in ("newest", "supported")
        ],
        "list: by ward": [f"{base}?ward={w}&sort=active" for w in wards],
        "list: by status": [f"{base}?status={s}&sort=supported" for s in statuses],
        "list: by kind": [f"{base}?kind={k}&sort=newest" for k in ("idea", "need")],
        "list: ward, topic and status": [
            f"{base}?ward={rng.choice(wards)}&topic={rng.choice(topics)}&status={rng.choice(statuses)}"
            for _ in range(30)
        ],
        "list: deep pages": [
            f"{base}?sort={rng.choice(['newest', 'supported', 'active'])}"
            f"&page={rng.randint(last_page // 2, last_page)}"
            for _ in range(30)
        ],
    }
    sample = rng.sample(
        list(
            Idea.objects.filter(council=council).exclude(status="merged").values_list("pk", "title")
        ),
        100,
    )
    from django.utils.text import slugify

    cases["idea page"] = [f"{base}{pk}-{slugify(title)[:60]}/" for pk, title in sample]

    def timed(url: str) -> float:
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"{database}: {url} answered {response.status_code}")
        return elapsed

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    result: dict[str, Any] = {"database": database, "listed": listed, "cases": {}}
    for name, urls in cases.items():
        _log(f"{database}: {name} ({len(set(urls))} distinct URLs, {requests} requests)")
        order = [urls[i % len(urls)] for i in range(requests)]
        rng.shuffle(order)
        for url in order[:warmup]:
            timed(url)
        times, worst, slowest = [], -1.0, ""
        started = time.monotonic()
        for url in order:
            elapsed = timed(url)
            times.append(elapsed)
            if elapsed > worst:
                worst, slowest = elapsed, url
            if time.monotonic() - started > budget and len(times) >= 20:
                _log(f"{database}: stopped after {len(times)} requests (time budget)")
                break
        result["cases"][name] = {
            **stats(times),
            "distinct": len(set(urls)),
            "queries": max(queries(u) for u in urls[:5]),
            "slowest_url": slowest,
        }
    return result


def worker(database: str, count: int, requests: int, warmup: int, budget: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    info = build(count)
    result = measure(database, requests, warmup, budget)
    result["build"] = info
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        result["engine_version"] = str(cursor.fetchone()[0])
    print(json.dumps(result))


# --- The parent: one worker per database, then the table -------------------------------------


def environment(database: str) -> dict[str, str]:
    env = dict(os.environ)
    var = BENCH_DIR / f"ideas-{database}"
    (var / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise wants STATIC_ROOT
    env.update(
        DJANGO_SETTINGS_MODULE="moothall.settings",
        MOOTHALL_VAR_DIR=str(var),
        HTTPS="false",
        DEBUG="false",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        STATIC_MANIFEST="false",
    )
    env.pop("MEDIA_ROOT", None)
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var / 'ideas.sqlite3'}"
    else:
        _ensure_postgres_database(POSTGRES_URL)
        env["DATABASE_URL"] = POSTGRES_URL
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        found = subprocess.run(["lscpu"], capture_output=True, text=True, check=False)  # noqa: S607
        for line in found.stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{'database':10} {'what':30} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'queries':>7} {'p95/target':>10}"
    ]
    for result in results:
        for name, row in result["cases"].items():
            lines.append(
                f"{result['database']:10} {name:30} {row['n']:>5} {row['p50_ms']:>8.1f} "
                f"{row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} {row['queries']:>7} "
                f"{row['p95_ms'] / TARGET_MS:>10.2f}"
            )
    return lines


def summary(results: list[dict[str, Any]], count: int, requests: int) -> dict[str, Any]:
    out: dict[str, Any] = {"ideas": count}
    for result in results:
        lists = {k: v for k, v in result["cases"].items() if k.startswith("list")}
        worst = max(lists.items(), key=lambda item: item[1]["p95_ms"])
        out[f"{result['database']}_list_p95_ms"] = worst[1]["p95_ms"]
        out[f"{result['database']}_list_worst"] = worst[0]
        out[f"{result['database']}_idea_page_p95_ms"] = result["cases"]["idea page"]["p95_ms"]
    out.update(
        target_p95_ms=TARGET_MS,
        requests_per_case=requests,
        machine=machine(),
        date=dt.date.today().isoformat(),
        databases={
            r["database"]: {
                "engine_version": r["engine_version"],
                "listed": r["listed"],
                "build": r["build"],
                "cases": r["cases"],
            }
            for r in results
        },
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds a case may take before stopping"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.ideas, args.requests, args.warmup, args.budget)
        return
    results = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if database not in ("sqlite", "postgres"):
            raise SystemExit(f"unknown database {database!r}: use sqlite and/or postgres")
        command = [
            sys.executable,
            __file__,
            "--worker",
            database,
            "--ideas",
            str(args.ideas),
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
            "--budget",
            str(args.budget),
        ]
        done = subprocess.run(  # noqa: S603 - this script, with our own arguments
            command, env=environment(database), stdout=subprocess.PIPE, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"the {database} run failed (exit {done.returncode})")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"Ideas benchmark, {dt.date.today()}, {args.ideas:,} ideas, {machine()}")
    print("\n".join(table(results)))
    print(json.dumps(summary(results, args.ideas, args.requests)))


if __name__ == "__main__":
    main()
