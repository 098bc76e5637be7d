"""Verify in-process, several source trees compared in the same run (issue #15: ≤ 10 % slower from the verdict).

Each tree is measured in a fresh interpreter (`--src PATH` puts that tree's `certbridge` first on the path) on
the same data set, the trees alternated `--rounds` times so load on the machine falls on all of them alike.
One measurement: the numbers `bench.run` samples (2,000 by default), each verified once as a warm-up and once
timed — `verify_number` plus its public view in Chinese (`verification_view`), what an API answer costs
before its JSON — next to the same facts read by one SQL statement (`bench.run`'s prototype), the run's
yardstick for how loaded the machine was. Reported: the median and p99 of each, per tree and round, and each
tree's median of medians as a ratio to the first tree's.

    uv run --no-sync python -m bench.verify_inprocess --data-dir DIR --size N \\
        --src /tmp/base/src --src src [--rounds 3] [--samples 2000]

The data set is the one `bench.run --size N --data-dir DIR` builds (built here when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(data_dir: Path, size: int, samples_count: int, seed: int) -> dict:
    """Measure the tree this interpreter imports `certbridge` from (run in a child process)."""
    import random

    from bench.run import _pct, bench_verify_prototype, samples
    from certbridge.certificates.verification import verify_number

    try:
        from certbridge.certificates.presenters import verification_view
    except ImportError:  # trees before 2026-12-06 kept it in views_model
        from certbridge.certificates.views_model import verification_view
    from certbridge.db import make_engine, make_sessionmaker, read_session
    from certbridge.settings import Settings

    settings = Settings(data_dir=data_dir, secret_key="bench")  # the data set is built by the parent
    engine = make_engine(settings.resolved_database_url())
    factory = make_sessionmaker(engine)

    def sessions():
        return read_session(factory)

    sample = samples(sessions, random.Random(seed), samples_count)
    with sessions() as session:  # bench.run.bench_verify's loop, with this tree's verification_view
        for n in sample["numbers"]:
            verification_view(verify_number(session, n), "zh")
        times = []
        for n in sample["numbers"]:
            t = time.perf_counter()
            verification_view(verify_number(session, n), "zh")
            times.append((time.perf_counter() - t) * 1e6)
    out = {"verify_p50_us": _pct(times, 50), "verify_p99_us": _pct(times, 99)}
    out.update(bench_verify_prototype(sessions, sample["numbers"]))
    engine.dispose()
    import certbridge

    out["tree"] = str(Path(certbridge.__file__).resolve().parents[1])
    return out


def measure(src: str, args: argparse.Namespace) -> dict:
    """Run one measurement of a source tree in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(src).resolve()), str(ROOT)]))
    cmd = [sys.executable, "-m", "bench.verify_inprocess", "--child", "--data-dir", str(args.data_dir),
           "--size", str(args.size), "--samples", str(args.samples), "--seed", str(args.seed)]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternate(trees: list[str], rounds: int, measure_one, describe) -> dict[str, list[dict]]:
    """Measure every tree once a round, `rounds` times, in turn (so load on the machine falls on all alike);
    print each result as `describe` words it; return each tree's results in round order."""
    runs: dict[str, list[dict]] = {t: [] for t in trees}
    for round_no in range(rounds):
        for tree in trees:
            result = measure_one(tree)
            runs[tree].append(result)
            print(f"round {round_no + 1} {tree}: {describe(result)}", flush=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--src", action="append", default=[], help="a source tree (repeat; the first is the base)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.data_dir, args.size, args.samples, args.seed)))
        return
    trees = args.src or [str(ROOT / "src")]
    from bench.run import dataset

    dataset(args.size, backend="sqlite", seed=args.seed, reuse=True, data_dir=args.data_dir, pg_url="")
    runs = alternate(trees, args.rounds, lambda tree: measure(tree, args), lambda r: (
        f"verify p50 {r['verify_p50_us']:.1f} µs p99 {r['verify_p99_us']:.1f} µs; "
        f"statement p50 {r['verify_sql_p50_us']:.1f} µs"))
    base = statistics.median(r["verify_p50_us"] for r in runs[trees[0]])
    print("\n| tree | verify p50 per round (µs) | p99 per round (µs) | statement p50 (µs) | median p50 ÷ first tree's |")
    print("|---|---|---|---|---|")
    for tree in trees:
        p50s = [r["verify_p50_us"] for r in runs[tree]]
        p99s = [r["verify_p99_us"] for r in runs[tree]]
        sql = [r["verify_sql_p50_us"] for r in runs[tree]]
        print(f"| {tree} | {_join(p50s)} | {_join(p99s, 0)} | {_join(sql)} | {statistics.median(p50s) / base:.2f} × |")


def _join(values: list[float], digits: int = 1) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)

if __name__ == "__main__":
    main()
