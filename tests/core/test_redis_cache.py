"""With REDIS_URL set, the cache (and so allauth's rate limits) lives in Redis.

Uses the Redis at MOOTHALL_TEST_REDIS_URL (default redis://127.0.0.1:6379/15).
CI starts one and sets MOOTHALL_REQUIRE_REDIS; elsewhere a missing Redis skips
these tests with a clear reason instead of failing the suite.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.services import require_redis

REDIS_URL = os.environ.get("MOOTHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> str:
    return require_redis(REDIS_URL)


def test_with_redis_url_set_the_cache_is_shared_through_redis(redis_url, tmp_path):
    script = (
        "from django.conf import settings; from django.core.cache import cache;"
        "print(settings.CACHES['default']['BACKEND']);"
        "cache.set('moothall-test-key', 'kept in redis', 30);"
        "print(cache.get('moothall-test-key'))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "REDIS_URL": redis_url,
        "MOOTHALL_VAR_DIR": str(tmp_path),
        "CACHE_KEY_PREFIX": "moothall-test",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "moothall", "shell", "--no-imports", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )

    assert result.stdout.splitlines() == [
        "django.core.cache.backends.redis.RedisCache",
        "kept in redis",
    ], result.stderr
    client = redis.Redis.from_url(redis_url)
    keys = client.keys("moothall-test:*moothall-test-key")
    assert len(keys) == 1
    client.delete(*keys)
