"""Ledger append and proofs, before against after, alternated in one run on one big SQLite log.

`python -m bench.ledger_ab --before DIR --db FILE [--rounds 2] [--append 50000] [--seconds 3]`

DIR is an exported source tree of the code to compare against (`git archive <commit> | tar -x -C DIR`); FILE an
existing log built by `bench.ledger_bench --events N` (kept in bench/data). Each round runs the before code and
this tree's code, one after the other, each in a fresh process on the same database: `measure_append` (record_events
+ integrate in committed batches, each half alone, and the raw executemany baseline of the same rows) and
`measure_proofs` (the hash cache warmed as a server does, then inclusion and consistency proofs for a few seconds,
and the raw read of as many random stored hashes). On a shared machine compare the CPU-time rates and the
same-run ratios: the wall clock also counts the time other processes held the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, os, random, sys, time
from bench.ledger_bench import measure_append, measure_proofs
from certbridge.db import make_engine, make_sessionmaker
from certbridge.settings import Settings
db, count, batch, seconds, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
url = "sqlite:///" + db
settings = Settings(data_dir=os.path.dirname(db), database_url=url, secret_key="bench", instance_name="bench.local")
engine = make_engine(url)
sessions = make_sessionmaker(engine)
rng = random.Random(seed)
out = {"load_before": os.getloadavg()[0]}
out["append"] = measure_append(sessions, settings, count=count, batch=batch, rng=rng)
out["proofs"] = measure_proofs(sessions, seconds=seconds, rng=rng)
out["load_after"] = os.getloadavg()[0]
print(json.dumps(out))
"""


def run_one(src: Path, db: Path, *, count: int, batch: int, seconds: float, seed: int) -> dict:
    """Run the measurements with the code of `src` in a fresh process; return its figures."""
    env = {**os.environ, "PYTHONPATH": f"{src / 'src'}{os.pathsep}{src}"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(count), str(batch), str(seconds), str(seed)],
                          env=env, cwd=src, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


FIGURES = (("append", "append_events_per_second"), ("append", "record_events_per_second"),
           ("append", "integrate_events_per_second"), ("append", "baseline_executemany_per_second"),
           ("append", "ratio_to_baseline"), ("cpu", "append_events_per_second"), ("cpu", "record_events_per_second"),
           ("cpu", "integrate_events_per_second"), ("cpu", "baseline_executemany_per_second"),
           ("proofs", "inclusion_proofs_per_second"), ("proofs", "consistency_proofs_per_second"),
           ("proofs", "baseline_raw_reads_per_second"), ("proofs", "inclusion_ratio_to_baseline"),
           ("proofs", "warm_cache_hashes"), ("proofs", "warm_cache_seconds"))


def _figure(result: dict, part: str, name: str):
    return result["append"]["cpu"][name] if part == "cpu" else result[part][name]


def main() -> None:
    """Alternate before and after; print every run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="Exported source tree of the code before")
    parser.add_argument("--db", type=Path, required=True, help="SQLite log built by bench.ledger_bench")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--append", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for round_ in range(args.rounds):
        for label, src in (("before", args.before), ("after", ROOT)):
            result = run_one(src.resolve(), args.db.resolve(), count=args.append, batch=args.batch,
                             seconds=args.seconds, seed=round_ + 1)
            runs[label].append(result)
            print(label, round_, json.dumps(result), flush=True)
    print("\n| figure | before (median) | after (median) | after ÷ before |\n|---|---:|---:|---:|")
    for part, name in FIGURES:
        b = statistics.median(_figure(r, part, name) for r in runs["before"])
        a = statistics.median(_figure(r, part, name) for r in runs["after"])
        label = f"{name} (CPU time)" if part == "cpu" else name
        print(f"| {label} | {b:,} | {a:,} | {a / b:.2f} |" if b else f"| {label} | {b} | {a} | |")
    loads = [r[k] for rs in runs.values() for r in rs for k in ("load_before", "load_after")]
    print(f"\nload average during the runs: {min(loads):.1f}–{max(loads):.1f}")


if __name__ == "__main__":
    main()
