"""`make bench-meetings`: server time of the meetings pages and of search, on the demo archive.

    .venv/bin/python bench/bench_meetings.py [--databases sqlite,postgres] [--requests 200]

For each database it builds (once) the demo archive: ten years of Brackenford District
Council's meetings (about 2,500 meetings, 25,000 agenda items, 10,000 documents), in a
dedicated database: ``var/bench/sqlite/meetings.sqlite3`` and the PostgreSQL database
``moothall_bench`` (``MOOTHALL_BENCH_POSTGRES_URL``). A database already holding the
archive at the generator's version is reused as it is.

Then, in-process with ``django.test.Client`` (no network, no web server: the time is the
server's own, from the request entering Django to the response leaving it), after a
warm-up, it requests each page many times over varied objects and reports p50 and p95:
the council's meetings calendar, a meeting page, a body page, a councillor page, and the
search page with several shapes of query (the search function alone is timed too).

Each database runs in its own process (Django's settings are per process). The last line
printed is one JSON object: ``page_p95_ms`` (the worst page on the worst database),
``search_p95_ms`` (the worst query shape), the targets, and the figures per database.
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
    "MOOTHALL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/moothall_bench"
)
COUNCIL = "brackenford"
PAGE_TARGET_MS = 100.0
SEARCH_TARGET_MS = 50.0
SEED = 20_26

# Several shapes of query, each with varied words so no single plan or cache decides.
SEARCH_SHAPES: dict[str, list[str]] = {
    "one word": [
        "recycling",
        "allotments",
        "homelessness",
        "licence",
        "flooding",
        "parking",
        "museum",
        "biodiversity",
        "CCTV",
        "budget",
    ],
    "two words": [
        "affordable housing",
        "garden waste",
        "car parking",
        "food hygiene",
        "planning appeal",
        "street drinking",
        "solar panels",
        "council tax",
        "play area",
        "bus services",
    ],
    "phrase": [
        '"tree preservation order"',
        '"premises licence"',
        '"housing land supply"',
        '"climate emergency"',
        '"section 106"',
        '"temporary accommodation"',
        '"conservation area"',
        '"electric vehicle charging"',
        '"public spaces protection order"',
        '"community infrastructure levy"',
    ],
    "prefix": [
        "regen*",
        "recycl*",
        "licen*",
        "flood*",
        "allot*",
        "conserv*",
        "tempor*",
        "pedestr*",
        "electr*",
        "treas*",
    ],
    "boolean NOT": [
        "parking -residents",
        "housing NOT homelessness",
        "licence -alcohol",
        "waste -garden",
        "planning NOT appeal",
        "grants -community",
        "tree -oak",
        "budget -capital",
        "noise NOT music",
        "flood -Environment",
    ],
    "OR": [
        "bins OR recycling",
        "potholes OR highways",
        "museum OR heritage",
        "CCTV OR antisocial",
        "pool OR leisure",
        "toilets OR litter",
        "cycle OR walking",
        "allotments OR parks",
        "fraud OR audit",
        "taxi OR hackney",
    ],
    "body and dates": [
        "application",
        "report",
        "licence",
        "council",
        "decision",
        "housing",
        "approved",
        "refused",
        "resolved",
        "minutes",
    ],
}


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


# --- The worker: one database, one process ---------------------------------------------------


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')  # the name is ours, from the URL above


def _log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def prepare(database: str) -> dict[str, Any]:
    """Migrate, and build the archive (and its search index) unless it is already there."""
    from django.core.management import call_command
    from django.db import connection

    from moothall.councils.models import Council
    from moothall.meetings.demo_data import GENERATOR_VERSION, built_version, rebuild_search
    from moothall.search.models import IndexEntry

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    council = Council.objects.filter(slug=COUNCIL).first()
    built = built_version(council) if council else None
    info: dict[str, Any] = {"generator_version": GENERATOR_VERSION, "reused": True}
    if built != GENERATOR_VERSION:
        _log(f"{database}: building the demo archive (generator version {GENERATOR_VERSION})")
        info["reused"] = False
        cpu = time.process_time()
        call_command("demo", verbosity=1, stdout=sys.stderr)
        info["build_s"] = round(time.monotonic() - started, 1)
        info["build_cpu_s"] = round(time.process_time() - cpu, 1)
        council = Council.objects.get(slug=COUNCIL)
    elif not IndexEntry.objects.filter(council=council).exists():
        _log(f"{database}: the archive is there, its search index is not: rebuilding it")
        _log(rebuild_search(council))
    assert council is not None
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute or two of a bulk load: without statistics
        # the planner guesses a handful of rows and picks the wrong index for search.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        info["vacuum_analyze"] = True
    return info


def measure(database: str, requests: int, warmup: int, budget: float) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from moothall.councils.models import Council, Councillor
    from moothall.meetings.models import Body, Meeting
    from moothall.search.query import search

    rng = random.Random(SEED)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    council = Council.objects.get(slug=COUNCIL)
    client = Client()

    meetings = list(
        Meeting.objects.filter(council=council).order_by("pk").values_list("pk", flat=True)
    )
    bodies = list(Body.objects.filter(council=council).values_list("slug", "pk"))
    councillors = [
        (c.pk, c.person.slug or "councillor")
        for c in Councillor.objects.filter(council=council).select_related("person")
    ]
    past_pages = max(1, Meeting.objects.filter(council=council).count() // 25)
    calendar = [f"/{COUNCIL}/meetings/", f"/{COUNCIL}/meetings/?when=past"]
    calendar += [f"/{COUNCIL}/meetings/?body={slug}" for slug, _ in bodies]
    calendar += [f"/{COUNCIL}/meetings/?when=past&body={slug}" for slug, _ in bodies]
    calendar += [
        f"/{COUNCIL}/meetings/?when=past&page={rng.randint(2, past_pages)}" for _ in range(40)
    ]
    pages: dict[str, list[str]] = {
        "calendar": calendar,
        "meeting": [f"/{COUNCIL}/meetings/{pk}/" for pk in rng.sample(meetings, 200)],
        "body": [f"/{COUNCIL}/bodies/{slug}/" for slug, _ in bodies],
        "councillor": [f"/{COUNCIL}/councillors/{pk}-{slug}/" for pk, slug in councillors],
    }

    years = sorted({m.year for m in Meeting.objects.filter(council=council).dates("start", "year")})
    body_ids = [pk for _, pk in bodies]

    def search_case(shape: str, query: str) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"q": query, "council": COUNCIL}
        if shape == "body and dates":
            year = rng.choice(years[:-1] or years)
            params.update(
                body=rng.choice(body_ids),
                date_from=dt.date(year, 1, 1).isoformat(),
                date_to=dt.date(year + 1, 6, 30).isoformat(),
            )
        from urllib.parse import urlencode

        return f"/search/?{urlencode(params)}", params

    def timed(url: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"{database}: {url} answered {response.status_code}")
        return elapsed, len(response.content)

    def run(urls: list[str]) -> tuple[list[float], str, int]:
        order = [urls[i % len(urls)] for i in range(requests)]
        rng.shuffle(order)
        for url in order[:warmup]:
            timed(url)
        times, slowest, worst, size = [], "", -1.0, 0
        started = time.monotonic()
        for url in order:
            elapsed, size = timed(url)
            times.append(elapsed)
            if elapsed > worst:
                worst, slowest = elapsed, url
            if time.monotonic() - started > budget and len(times) >= 20:
                _log(f"{database}: stopped after {len(times)} requests (time budget)")
                break
        return times, slowest, size

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    result: dict[str, Any] = {"database": database, "pages": {}, "search": {}}
    for name, urls in pages.items():
        _log(f"{database}: {name} ({len(urls)} distinct URLs, {requests} requests)")
        times, slowest, _ = run(urls)
        result["pages"][name] = {
            **stats(times),
            "distinct": len(set(urls)),
            "queries": max(queries(u) for u in urls[:5]),
            "slowest_url": slowest,
        }
    for shape, words in SEARCH_SHAPES.items():
        _log(f"{database}: search, {shape}")
        cases = [search_case(shape, q) for q in words for _ in range(3)]
        times, slowest, _ = run([url for url, _ in cases])
        function_times: list[float] = []
        order = [cases[i % len(cases)][1] for i in range(len(times))]
        started = time.monotonic()
        for n, params in enumerate(order[:warmup] + order):
            arguments = {k: v for k, v in params.items() if k not in ("q", "date_from", "date_to")}
            for key in ("date_from", "date_to"):
                if key in params:
                    arguments[key] = dt.date.fromisoformat(params[key])
            t0 = time.perf_counter()
            found = search(params["q"], limit=20, **arguments)
            function_times.append(time.perf_counter() - t0)
            if time.monotonic() - started > budget and n >= warmup + 20:
                break
        function_times = function_times[warmup:]
        result["search"][shape] = {
            **stats(times),
            "function_p50_ms": stats(function_times)["p50_ms"],
            "function_p95_ms": stats(function_times)["p95_ms"],
            "queries": queries(cases[0][0]),
            "last_total": found.total,
            "slowest_url": slowest,
        }
    return result


def worker(database: str, requests: int, warmup: int, budget: float) -> None:
    import django

    django.setup()
    from django.db import connection

    info = prepare(database)
    result = measure(database, requests, warmup, budget)
    result["build"] = info
    result["engine"] = connection.vendor
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
    var = BENCH_DIR / database
    (var / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise wants STATIC_ROOT
    env.update(
        DJANGO_SETTINGS_MODULE="moothall.settings",
        MOOTHALL_VAR_DIR=str(var),
        HTTPS="false",
        DEBUG="false",
        # The archive is read only: tasks queued while building it need no worker here.
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        # Static URLs without collectstatic's manifest (a dictionary lookup either way).
        STATIC_MANIFEST="false",
    )
    env.pop("MEDIA_ROOT", None)
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var / 'meetings.sqlite3'}"
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
        f"{'queries':>7} {'target':>7} {'p95/target':>10}"
    ]
    for result in results:
        db = result["database"]
        for name, row in result["pages"].items():
            ratio = row["p95_ms"] / PAGE_TARGET_MS
            lines.append(
                f"{db:10} {'page: ' + name:30} {row['n']:>5} {row['p50_ms']:>8.1f} "
                f"{row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} {row['queries']:>7} "
                f"{PAGE_TARGET_MS:>7.0f} {ratio:>10.2f}"
            )
        for shape, row in result["search"].items():
            ratio = row["p95_ms"] / SEARCH_TARGET_MS
            lines.append(
                f"{db:10} {'search: ' + shape:30} {row['n']:>5} {row['p50_ms']:>8.1f} "
                f"{row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} {row['queries']:>7} "
                f"{SEARCH_TARGET_MS:>7.0f} {ratio:>10.2f}"
            )
            lines.append(
                f"{db:10} {'  (search() alone)':30} {'':>5} {row['function_p50_ms']:>8.1f} "
                f"{row['function_p95_ms']:>8.1f}"
            )
    return lines


def summary(results: list[dict[str, Any]], requests: int) -> dict[str, Any]:
    pages = [
        (row["p95_ms"], f"{r['database']} {name}")
        for r in results
        for name, row in r["pages"].items()
    ]
    searches = [
        (row["p95_ms"], f"{r['database']} {shape}")
        for r in results
        for shape, row in r["search"].items()
    ]
    page_p95, page_worst = max(pages)
    search_p95, search_worst = max(searches)
    return {
        "page_p95_ms": page_p95,
        "page_worst": page_worst,
        "search_p95_ms": search_p95,
        "search_worst": search_worst,
        "targets": {"page_p95_ms": PAGE_TARGET_MS, "search_p95_ms": SEARCH_TARGET_MS},
        "page_ratio": round(page_p95 / PAGE_TARGET_MS, 2),
        "search_ratio": round(search_p95 / SEARCH_TARGET_MS, 2),
        "requests_per_case": requests,
        "machine": machine(),
        "date": dt.date.today().isoformat(),
        "databases": {
            r["database"]: {
                "engine_version": r["engine_version"],
                "page_p95_ms": max(row["p95_ms"] for row in r["pages"].values()),
                "search_p95_ms": max(row["p95_ms"] for row in r["search"].values()),
                "pages": r["pages"],
                "search": r["search"],
                "build": r["build"],
            }
            for r in results
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="seconds a case may take before it stops early (at least 20 requests)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.requests, args.warmup, args.budget)
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
    print(f"Meetings benchmark, {dt.date.today()}, {machine()}")
    print("\n".join(table(results)))
    print(json.dumps(summary(results, args.requests)))


if __name__ == "__main__":
    main()
