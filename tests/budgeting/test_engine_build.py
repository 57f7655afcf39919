"""The result engine's compiled loop is built when migrations run, into the cache the
settings name, so that no officer's request pays for building it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db.models.signals import post_migrate

from moothall.budgeting.apps import _build_engine

SCRIPT = """
import django
django.setup()
from moothall.budgeting.apps import _build_engine
from moothall.budgeting.engine import kernel
assert not kernel.run.signatures
_build_engine()
print(len(kernel.run.signatures))
"""


def test_migrations_build_the_engine():
    config = apps.get_app_config("budgeting")
    uid = "moothall.budgeting.engine"
    assert post_migrate.disconnect(sender=config, dispatch_uid=uid)  # it was connected
    post_migrate.connect(_build_engine, sender=config, dispatch_uid=uid)


def test_the_engine_is_built_into_the_cache_the_settings_name(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moothall.settings",
        "MOOTHALL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("NUMBA_CACHE_DIR", None)  # the settings' own choice: MOOTHALL_VAR_DIR/numba
    done = subprocess.run(  # noqa: S603  (this interpreter, our script)
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert list((tmp_path / "numba").rglob("*.nbi"))  # cached for the next process
