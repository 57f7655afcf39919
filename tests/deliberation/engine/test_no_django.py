"""The engine stands alone: importing and running it never imports Django."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from moothall.deliberation.engine import VoteTable, analyse, read_polis_folder, choose_next
from moothall.deliberation.engine import synthetic  # noqa: F401
result = analyse(VoteTable.from_arrays([0, 1, 2], [0, 0, 1], [1, -1, 0]), "improved")
result.to_json()
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(",".join(loaded) or "none")
"""


def test_importing_and_running_the_engine_does_not_import_django():
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "none"
