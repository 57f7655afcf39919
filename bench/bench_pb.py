"""Participatory budgeting results: this engine against pabutools, in the same run.

`make bench-pb` (or ``.venv/bin/python bench/bench_pb.py``). Inputs: every shared Pabulib
file (``../shared/data/pabulib``) and a generated election of 100,000 voters × 200 projects
(seeded; project popularity skewed like real ones — Pareto weights —, 1–15 approvals per
voter, costs spread log-uniformly from 5,000 to 600,000, budget 30% of the total cost).

For each input: greedy, Equal Shares without completion, and Equal Shares with the
completion (the file's own rule where it is an Equal Shares one, else ``equalshares/add1``).
pabutools computes the same three: ``greedy_utilitarian_welfare`` and
``method_of_equal_shares`` with cost satisfaction (equalshares.net's utilities), and for the
completion its own ``exhaustion_by_budget_increase`` with a step of one currency unit per
voter — a *different* completion (it stops as soon as the outcome is exhaustive), so only
its time is compared, not its outcome. pabutools is slow: each of its runs is a separate
process stopped after ``--pabutools-timeout`` seconds (a stopped run counts as that many
seconds, so its speed-up is a lower bound, printed with ``>``). Times are wall-clock seconds
of the rule alone (reading the file and building the election are not counted); this
engine's runs under a second are the best of three. The engine's compiled loop is built (or
read from numba's cache) on its first call, timed apart (``kernel_warmup_s``).

The last line is one JSON object: ``mes_shared_max_s`` (Equal Shares with completion, the
slowest shared file), ``mes_100k_s``, ``min_speedup_vs_pabutools`` (over every run, a
stopped pabutools run counting as its time limit: a lower bound),
``min_speedup_finished_only`` (over the runs pabutools finished) and the other figures.
Options: ``--pabutools-timeout SECONDS`` (default 90), ``--no-pabutools``, ``--voters``,
``--projects``, ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from moothall.budgeting.engine import (  # noqa: E402
    Election,
    PbFile,
    PbProject,
    PbVote,
    compute,
    kernel,
    read_pb,
    save_pb,
)
from moothall.budgeting.engine.rules import warm_up  # noqa: E402

SHARED = Path(os.environ.get("MOOTHALL_SHARED_DATA", ROOT.parent / "shared" / "data")) / "pabulib"


def generate_pb(voters: int, projects: int, seed: int) -> PbFile:
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.2, projects) + 0.05
    popularity /= popularity.sum()
    costs = np.round(np.exp(rng.uniform(np.log(5_000), np.log(600_000), projects)), -2)
    sizes = rng.integers(1, 16, voters)
    logp = np.log(popularity)
    votes = []
    for start in range(0, voters, 10_000):
        rows = min(10_000, voters - start)
        # Weighted sampling without replacement (Gumbel top-k).
        top = np.argsort(-(logp + rng.gumbel(size=(rows, projects))), axis=1)[:, :15]
        for offset, (row, k) in enumerate(zip(top, sizes[start : start + rows], strict=True)):
            chosen = [str(p) for p in row[:k].tolist()]
            voter = str(start + offset + 1)
            votes.append(PbVote(voter, chosen, None, {"voter_id": voter, "vote": ",".join(chosen)}))
    budget = int(costs.sum() * 0.3)
    meta = {
        "description": "Generated election (bench/bench_pb.py)",
        "country": "Nowhere",
        "unit": "Generated",
        "instance": str(seed),
        "num_projects": str(projects),
        "num_votes": str(voters),
        "budget": str(budget),
        "vote_type": "approval",
        "rule": "equalshares/add1",
        "experimental": "1",
    }
    from decimal import Decimal

    pb_projects = [
        PbProject(str(i), Decimal(int(c)), {"project_id": str(i), "cost": str(int(c))})
        for i, c in enumerate(costs)
    ]
    return PbFile(meta, ["project_id", "cost"], pb_projects, ["voter_id", "vote"], votes)


def timed(function: Any, repeat: int = 3) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    best = time.perf_counter() - start
    if best < 1.0:
        for _ in range(repeat - 1):
            start = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - start)
    return best, result


# ------------------------------------------------------------------ pabutools, in a child


def pabutools_worker(path: str, what: str, timeout: float) -> None:
    import signal

    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(path)

    def stop(_signal: int, _frame: Any) -> None:
        print(json.dumps({"seconds": timeout, "finished": False}), flush=True)
        os._exit(0)

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    if what == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif what == "mes":
        result = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    else:
        result = exhaustion_by_budget_increase(
            instance,
            profile,
            rule=method_of_equal_shares,
            rule_params={"sat_class": Cost_Sat},
            budget_step=profile.num_ballots(),
        )
    seconds = time.perf_counter() - start
    signal.setitimer(signal.ITIMER_REAL, 0)
    selected = sorted(p.name for p in result)
    print(json.dumps({"seconds": seconds, "finished": True, "selected": selected}))


def pabutools(path: Path, what: str, timeout: float) -> tuple[float, bool, list[str] | None]:
    """(seconds, finished?, selected) of one pabutools run in its own process."""
    done = subprocess.run(  # noqa: S603 (this script, as a child)
        [sys.executable, __file__, "--pabutools-worker", str(path), what, str(timeout)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    if not data["finished"]:
        return timeout, False, None
    return data["seconds"], True, data["selected"]


# ------------------------------------------------------------------ main


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "load": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pabutools-timeout", type=float, default=90.0)
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    info = machine()
    print(f"Machine: {info['nproc']} CPUs, {info['cpu']}, load {info['load']}")

    inputs: list[tuple[str, Path, PbFile]] = []
    for path in sorted(SHARED.glob("*.pb")):
        inputs.append((path.stem, path, read_pb(path)))
    workdir = Path(tempfile.mkdtemp(prefix="bench-pb-"))
    generated = generate_pb(args.voters, args.projects, args.seed)
    generated_path = workdir / "generated.pb"
    save_pb(generated, generated_path)
    name_100k = f"generated {args.voters:,} × {args.projects}"
    inputs.append((name_100k, generated_path, generated))

    # The compiled loop is built (or read from numba's cache) on its first call: timed here,
    # apart, so that the figures below are the rule's own.
    start = time.perf_counter()
    warm_up()
    warmup_s = time.perf_counter() - start
    compiled = sum(kernel.run.stats.cache_misses.values()) > 0
    how = "compiled" if compiled else "read from numba's cache"
    print(f"Equal Shares loop {how} on its first call: {warmup_s:.2f} s (not in the figures)")

    rows: list[dict[str, Any]] = []
    header = f"{'input':<40} {'rule':<28} {'engine s':>9} {'pabutools s':>12} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for name, path, pb in inputs:
        election = Election.from_pb(pb)
        own = pb.rule if pb.rule and pb.rule.startswith("equalshares/") else "equalshares/add1"
        for label, rule, what in (
            ("greedy", "greedy", "greedy"),
            ("equalshares", "equalshares", "mes"),
            (own, own, "completion"),
        ):
            seconds, outcome = timed(lambda rule=rule, election=election: compute(election, rule))
            row: dict[str, Any] = {
                "input": name,
                "rule": label,
                "engine_s": seconds,
                "selected": len(outcome.selected),
                "spent": float(outcome.spent),
            }
            if outcome.runs:
                row["mes_runs"] = outcome.runs  # Equal Shares runs the completion needed
            if not args.no_pabutools:
                ref_s, finished, ref = pabutools(path, what, args.pabutools_timeout)
                row["pabutools_s"] = ref_s
                row["pabutools_finished"] = finished
                row["speedup"] = ref_s / seconds
                if finished and what != "completion" and ref is not None:
                    row["same_as_pabutools"] = sorted(outcome.selected) == ref
            rows.append(row)
            ref_text = ""
            speed_text = ""
            if "pabutools_s" in row:
                mark = "" if row["pabutools_finished"] else ">"
                ref_text = f"{mark}{row['pabutools_s']:.2f}"
                speed_text = f"{mark}{row['speedup']:.0f}×"
                if row.get("same_as_pabutools") is False:
                    speed_text += " (differs!)"
            print(
                f"{name[:40]:<40} {label:<28} {seconds:>9.3f} {ref_text:>12} {speed_text:>9}",
                flush=True,
            )

    completion = [r for r in rows if r["rule"].startswith("equalshares/")]
    shared = [r for r in completion if r["input"] != name_100k]
    summary: dict[str, Any] = {
        "mes_shared_max_s": round(max(r["engine_s"] for r in shared), 4) if shared else None,
        "mes_100k_s": round(next(r["engine_s"] for r in completion if r["input"] == name_100k), 4),
        "mes_plain_100k_s": round(
            next(
                r["engine_s"]
                for r in rows
                if r["input"] == name_100k and r["rule"] == "equalshares"
            ),
            4,
        ),
        "greedy_100k_s": round(
            next(r["engine_s"] for r in rows if r["input"] == name_100k and r["rule"] == "greedy"),
            4,
        ),
        "mes_plain_shared_max_s": round(
            max(
                r["engine_s"]
                for r in rows
                if r["rule"] == "equalshares" and r["input"] != name_100k
            ),
            4,
        ),
        "min_speedup_vs_pabutools": round(min(r["speedup"] for r in rows), 2)
        if not args.no_pabutools
        else None,
        "min_speedup_finished_only": round(
            min(r["speedup"] for r in rows if r["pabutools_finished"]), 2
        )
        if not args.no_pabutools and any(r["pabutools_finished"] for r in rows)
        else None,
        "pabutools_timeout_s": None if args.no_pabutools else args.pabutools_timeout,
        "pabutools_all_finished": None
        if args.no_pabutools
        else all(r["pabutools_finished"] for r in rows),
        "same_as_pabutools": None
        if args.no_pabutools
        else all(r.get("same_as_pabutools", True) for r in rows),
        "kernel_warmup_s": round(warmup_s, 3),
        "kernel_compiled": compiled,
        "nproc": info["nproc"],
        "load_start": info["load"],
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "runs": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows
        ],
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--pabutools-worker":
        pabutools_worker(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        main()
