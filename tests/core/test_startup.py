"""Long-running processes settle: the web entry points and the task worker load the views
and freeze what they loaded, so the garbage collector's full collections walk only what
the work made since."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moothall.settings",
        "MOOTHALL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT / "src"),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


REPORT = (
    "import gc, sys; "
    "print(gc.get_freeze_count(), len(gc.get_objects()), 'moothall.staff.meeting_views' in sys.modules)"
)


@pytest.mark.parametrize("entry", ["moothall.wsgi", "moothall.asgi"])
def test_a_web_entry_point_loads_the_views_and_freezes_them(entry, tmp_path):
    frozen, tracked, views = run(f"import {entry}; {REPORT}", tmp_path)
    assert views == "True"  # the URLconf was loaded before freezing
    assert int(frozen) > 100_000
    assert int(tracked) < int(frozen) / 10


def test_the_task_worker_settles_when_its_first_task_starts(tmp_path):
    before, _, views_before = run(f"import django; django.setup(); {REPORT}", tmp_path)
    assert (before, views_before) == ("0", "False")
    frozen, tracked, views = run(
        "import django; django.setup(); "
        "from django_tasks.signals import task_started; "
        "task_started.send_robust(sender=None, task_result=None); "
        "task_started.send_robust(sender=None, task_result=None); " + REPORT,
        tmp_path,
    )
    assert views == "True"
    assert int(frozen) > 100_000
    assert int(tracked) < int(frozen) / 10
