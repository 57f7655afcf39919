"""Opinion mapping: this engine against red-dwarf, on the same inputs in the same run.

`make bench-opinions` (or ``.venv/bin/python bench/bench_opinions.py``). Inputs: the three
shared Polis conversations (``../shared/data/polis``) and a generated conversation of
10,000 participants × 2,000 statements with about 100 votes each (about one million
votes; four opinion groups; seeded, see ``moothall.deliberation.engine.synthetic``).

Our time is wall-clock seconds from the raw vote arrays (changed votes included) to the
finished analysis as JSON: ``VoteTable.from_arrays`` + ``analyse`` + ``to_json``, in
``polis`` mode (the headline) and in ``improved`` mode. red-dwarf (PyPI ``red-dwarf``, its
Polis pipeline ``reddwarf.implementations.polis.run_pipeline``) gets the same votes with
changed votes already resolved (last vote per pair; not timed, in its favour) and the same
moderated-out and meta statements; its time is that one call. Each side's figure is the
best of ``--repeat`` runs (one run of red-dwarf on the generated input, which takes
long). red-dwarf runs in a child process (``--red-dwarf-python`` chooses the interpreter,
by default this one), so it never shares a heap or threads with our runs.

Wall-clock time is the headline (as the targets are set); CPU time is printed beside it,
because on a shared machine the wall clock of a single-threaded run mostly measures the
load. Also printed, for context: the adjusted Rand index of each side's groups against Polis'
own ``group-id`` (real conversations) or against the generating groups (synthetic).

The last line is one JSON object: ``million_votes_s`` (polis mode on the generated input),
``million_votes_improved_s``, ``min_speedup_vs_red_dwarf`` (smallest red-dwarf time /
our polis-mode time over all inputs), ``min_speedup_vs_red_dwarf_improved``, and per input
figures. Options: ``--participants``, ``--statements``, ``--votes-per-participant``,
``--seed``, ``--repeat``, ``--no-red-dwarf``, ``--red-dwarf-python``,
``--red-dwarf-timeout``.
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

SHARED = Path(os.environ.get("MOOTHALL_SHARED_DATA", ROOT.parent / "shared" / "data")) / "polis"
CONVERSATIONS = ("bg2050-volunteers", "brexit-consensus", "scoop-hivemind.biodiversity")


# red-dwarf, in a child process -------------------------------------------------------------


def red_dwarf_worker(path: str, repeat: int) -> None:
    """Run red-dwarf on the votes saved at ``path``; print one JSON line."""
    import warnings

    warnings.filterwarnings("ignore")
    from reddwarf.implementations.polis import run_pipeline

    data = np.load(path)
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": int(t)}
        for p, s, v, t in zip(
            data["participants"].tolist(),
            data["statements"].tolist(),
            data["values"].tolist(),
            data["timestamps"].tolist(),
            strict=True,
        )
    ]
    mod_out = data["excluded"].tolist()
    meta = data["meta"].tolist()
    best = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run_pipeline(
            votes=votes, mod_out_statement_ids=mod_out, meta_statement_ids=meta, random_state=0
        )
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    assert result is not None
    frame = result.participants_df
    clusters = frame["cluster_id"]
    missing = clusters.isna().tolist()  # not clustered
    labels = {
        str(pid): (None if absent else int(cluster))
        for pid, cluster, absent in zip(
            frame.index.tolist(), clusters.tolist(), missing, strict=True
        )
    }
    print(json.dumps({"seconds": best, "cpu": best_cpu, "groups": labels}), flush=True)


def run_red_dwarf(
    python: str, table: Any, excluded: list[int], meta: list[int], repeat: int, timeout: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-opinions-") as folder:
        path = Path(folder) / "votes.npz"
        stamps = table.timestamps if table.timestamps is not None else np.zeros(table.n_votes)
        np.savez(
            path,
            participants=table.participants[table.rows],
            statements=table.statements[table.cols],
            values=table.values.astype(np.int64),
            timestamps=np.asarray(stamps, dtype=np.int64),
            excluded=np.asarray(excluded, dtype=np.int64),
            meta=np.asarray(meta, dtype=np.int64),
        )
        command = [python, __file__, "--red-dwarf-worker", str(path), "--repeat", str(repeat)]
        try:
            done = subprocess.run(  # noqa: S603 (our own script)
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return {"seconds": timeout, "finished": False, "error": f"stopped after {timeout} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"seconds": None, "finished": False, "error": last}
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    answer["finished"] = True
    return answer


# Ours --------------------------------------------------------------------------------------


def time_ours(
    arrays: tuple[np.ndarray, ...], mode: str, excluded: list[int], meta: list[int], repeat: int
) -> tuple[float, float, Any]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs, and the last result."""
    from moothall.deliberation.engine import VoteTable, analyse

    best = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        table = VoteTable.from_arrays(*arrays)
        result = analyse(table, mode, meta_statements=meta, excluded_statements=excluded)
        result.to_json()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu, result


def ari(reference: dict[int, int | None], groups: dict[int, int | None]) -> float:
    from moothall.deliberation.engine import adjusted_rand_index

    placed = [pid for pid, g in reference.items() if g is not None]
    return adjusted_rand_index(
        np.array([reference[pid] for pid in placed]),
        np.array([-1 if groups.get(pid) is None else groups[pid] for pid in placed]),
    )


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--votes-per-participant", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=2050)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-red-dwarf", action="store_true")
    parser.add_argument("--red-dwarf-python", default=sys.executable)
    parser.add_argument("--red-dwarf-timeout", type=float, default=900.0)
    parser.add_argument("--red-dwarf-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.red_dwarf_worker:
        red_dwarf_worker(args.red_dwarf_worker, args.repeat)
        return

    from moothall.deliberation.engine import VoteTable, read_polis_folder
    from moothall.deliberation.engine.synthetic import synthetic_conversation

    info = machine()
    print(f"Machine: {info['nproc']} CPUs, {info['cpu']}, load {info['load']}")
    inputs: list[tuple[str, tuple[Any, ...], list[int], list[int], dict[int, Any]]] = []
    for name in CONVERSATIONS:
        export = read_polis_folder(SHARED / name)
        inputs.append(
            (
                name,
                export.vote_arrays(),
                sorted(export.moderated_out()),
                sorted(export.meta_statements()),
                export.group_ids(),
            )
        )
    synthetic = synthetic_conversation(
        args.participants, args.statements, args.votes_per_participant, seed=args.seed
    )
    truth = {pid: int(g) for pid, g in enumerate(synthetic.truth.tolist())}
    label = f"synthetic {args.participants:,} × {args.statements:,}"
    inputs.append(
        (
            label,
            (synthetic.participants, synthetic.statements, synthetic.values, synthetic.timestamps),
            [],
            [],
            truth,
        )
    )

    figures: dict[str, dict[str, Any]] = {}
    header = (
        f"{'input':<34}{'votes':>10}{'polis s':>10}{'improved s':>12}"
        f"{'red-dwarf s':>13}{'ratio':>8}{'ratio impr.':>12}"
    )
    print(header)
    for name, arrays, excluded, meta, reference in inputs:
        table = VoteTable.from_arrays(*arrays)
        row: dict[str, Any] = {"votes": int(arrays[0].size), "pairs": table.n_votes}
        for mode in ("polis", "improved"):
            seconds, cpu, result = time_ours(arrays, mode, excluded, meta, args.repeat)
            row[f"{mode}_s"] = round(seconds, 4)
            row[f"{mode}_cpu_s"] = round(cpu, 4)
            row[f"{mode}_groups"] = result.n_groups
            row[f"{mode}_ari"] = round(ari(reference, result.groups_by_participant()), 4)
        if not args.no_red_dwarf:
            repeat = 1 if name.startswith("synthetic") else args.repeat
            rd = run_red_dwarf(
                args.red_dwarf_python, table, excluded, meta, repeat, args.red_dwarf_timeout
            )
            row["red_dwarf_s"] = None if rd["seconds"] is None else round(rd["seconds"], 4)
            row["red_dwarf_finished"] = rd["finished"]
            if rd.get("cpu") is not None:
                row["red_dwarf_cpu_s"] = round(rd["cpu"], 4)
            if rd.get("error"):
                row["red_dwarf_error"] = rd["error"]
            if rd.get("groups"):
                groups = {int(k): v for k, v in rd["groups"].items()}
                row["red_dwarf_groups"] = len({g for g in groups.values() if g is not None})
                row["red_dwarf_ari"] = round(ari(reference, groups), 4)
            if row["red_dwarf_s"]:
                row["speedup"] = round(row["red_dwarf_s"] / row["polis_s"], 1)
                row["speedup_improved"] = round(row["red_dwarf_s"] / row["improved_s"], 1)
        figures[name] = row
        rd_text = "—" if row.get("red_dwarf_s") is None else f"{row['red_dwarf_s']:.3f}"
        if row.get("red_dwarf_finished") is False and row.get("red_dwarf_s"):
            rd_text = ">" + rd_text
        print(
            f"{name:<34}{row['votes']:>10,}{row['polis_s']:>10.3f}{row['improved_s']:>12.3f}"
            f"{rd_text:>13}{row.get('speedup', '—')!s:>8}{row.get('speedup_improved', '—')!s:>12}"
        )
    print()
    print("CPU seconds (process time; red-dwarf's includes its BLAS threads):")
    for name, row in figures.items():
        rd_cpu = row.get("red_dwarf_cpu_s")
        print(
            f"  {name:<32} polis {row['polis_cpu_s']:.3f}, improved {row['improved_cpu_s']:.3f}, "
            f"red-dwarf {'—' if rd_cpu is None else f'{rd_cpu:.3f}'}"
        )
    print()
    print("Groups found and adjusted Rand index against Polis' group-id (synthetic: the truth):")
    for name, row in figures.items():
        theirs = (
            f"red-dwarf {row['red_dwarf_groups']} groups, ARI {row['red_dwarf_ari']:.4f}"
            if "red_dwarf_ari" in row
            else "red-dwarf —"
        )
        print(
            f"  {name:<32} polis {row['polis_groups']} groups, ARI {row['polis_ari']:.4f}; "
            f"improved {row['improved_groups']} groups, ARI {row['improved_ari']:.4f}; {theirs}"
        )
    synthetic_row = figures[label]
    speedups = [row["speedup"] for row in figures.values() if "speedup" in row]
    speedups_improved = [row["speedup_improved"] for row in figures.values() if "speedup" in row]
    complete = len(speedups) == len(figures)
    summary = {
        "million_votes_s": synthetic_row["polis_s"],
        "million_votes_improved_s": synthetic_row["improved_s"],
        "million_votes_cpu_s": synthetic_row["polis_cpu_s"],
        "million_votes_improved_cpu_s": synthetic_row["improved_cpu_s"],
        "synthetic_votes": synthetic_row["votes"],
        "min_speedup_vs_red_dwarf": min(speedups) if complete else None,
        "min_speedup_vs_red_dwarf_improved": min(speedups_improved) if complete else None,
        "inputs": figures,
        "nproc": info["nproc"],
        "load_start": info["load"],
        "load_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
