"""The real services some tests talk to. CI starts them and sets MOOTHALL_REQUIRE_*; a
missing one then fails the test, while elsewhere it skips it."""

from __future__ import annotations

import os

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
