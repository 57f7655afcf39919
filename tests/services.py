"""The real services some tests talk to. CI starts them and sets MOOTHALL_REQUIRE_*; a
missing one then fails the test, while elsewhere it skips it."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
import redis


def require_redis(url: str) -> str:
    """``url`` when a Redis answers there; otherwise fail (in CI) or skip."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("MOOTHALL_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required but not reachable at {url}: {error}")
        pytest.skip(f"no Redis at {url}")
    return url


def require_program(name: str, *, required_by: str, also: tuple[str, ...] = ()) -> str:
    """The path of the program ``name`` (on PATH, or at one of the paths in ``also``);
    when it is missing, fail where the environment variable ``required_by`` is set (CI),
    else skip."""
    found = shutil.which(name) or next((path for path in also if Path(path).exists()), None)
    if found is None:
        if os.environ.get(required_by):
            pytest.fail(f"{name} is required ({required_by}) but is not installed")
        pytest.skip(f"{name} is not installed here")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def web_server_command(port: int, *, workers: int, threads: int) -> list[str]:
    """The app served as ``moothall-web@`` serves it (granian, WSGI, HTTP/1), on 127.0.0.1."""
    return [
        sys.executable,
        *("-m", "granian", "--interface", "wsgi", "moothall.wsgi:application"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(workers), "--blocking-threads", str(threads)),
        *("--http", "1", "--no-ws", "--log-level", "warning"),
    ]
