"""The ASGI process as deployed (uvicorn, the example environment's DATABASE_POOL) keeps
PostgreSQL's connections within its pool however many visitors come at once.

Under ASGI each request's Django code runs in a thread of its own, and a connection kept
open with CONN_MAX_AGE belongs to the thread that opened it: without the pool every
request opened another, left to the garbage collector, and 64 visitors at once ran
PostgreSQL out of connections ("too many clients"; a quarter of the requests failed).
uvicorn serves from a subprocess on the test database; PostgreSQL only.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests import factories
from tests.petitions.test_crash import database_url
from tests.services import free_port

pytestmark = pytest.mark.django_db(transaction=True)

UVICORN = Path(sys.executable).with_name("uvicorn")
ROOT = Path(__file__).resolve().parents[2]
POOL_MAX = 4
VISITORS = 32


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's: a server subprocess shares the test database")


def _backends(url: str, name: str) -> int:
    """Connections to the test database other than the asking one."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()
    return int(row[0]) if row else 0


def test_many_visitors_at_once_share_the_pool(tmp_path):
    council = factories.CouncilFactory()
    factories.WardFactory.create_batch(3, council=council)
    name = connection.settings_dict["NAME"]
    url = database_url()
    baseline = _backends(url, name)  # the test's own connections
    port = free_port()
    (tmp_path / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moothall.settings",
        "DATABASE_URL": url,
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MAX": str(POOL_MAX),
        "CONN_MAX_AGE": "60",  # what the example environment set before: the pool replaces it
        "MOOTHALL_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - uvicorn from our own venv
            [
                *(str(UVICORN), "moothall.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        path = f"/{council.slug}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                probe.request("GET", path, headers={"Host": "127.0.0.1"})
                assert probe.getresponse().status == 200, log.read_text()[-2000:]
                probe.close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("uvicorn did not start:\n" + log.read_text()[-2000:])
                time.sleep(0.2)

        statuses: list[int] = []
        most = [0]
        done = threading.Event()

        def visit() -> None:
            for _ in range(3):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                statuses.append(conn.getresponse().status)
                conn.close()

        def watch() -> None:
            while not done.is_set():
                most[0] = max(most[0], _backends(url, name) - baseline)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        visitors = [threading.Thread(target=visit) for _ in range(VISITORS)]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join(120)
        done.set()
        watcher.join(10)
        after = _backends(url, name) - baseline
    finally:
        server.terminate()
        server.wait(30)

    assert statuses == [200] * (3 * VISITORS), log.read_text()[-2000:]
    assert 0 < most[0] <= POOL_MAX
    assert after <= POOL_MAX
