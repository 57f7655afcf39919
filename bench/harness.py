"""What the benchmarks that run a real server share: logging, the machine's description,
a free port, and stopping a server's whole process group."""

from __future__ import annotations

import datetime as dt
import os
import platform
import signal
import socket
import subprocess
import sys


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a server started in its own process group (workers included)."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
