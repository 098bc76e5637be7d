"""Draw benchmark: `python -m bench.draw_bench [--objects 1000000] [--inspectors 10000] [--repeat 3] [--before SRC]`.

Measures the verifiable 双随机 draw (supervision/drawing.run_draw: rank every object by HMAC-SHA256 within
its credit class, take the quota, then walk a keyed permutation of the inspector pool for each drawn object,
skipping conflicts) on synthetic inputs, against a baseline measured in the same run: HMAC-SHA256 every
object key and sort the digests — the least any keyed-hash ranking must do. Also reported: the SHA-256 of
the inputs' canonical JSON (what the commitment step hashes), which is paid once per draw at commit time.

Two scenarios over the same objects: the plan's default ratios by class (A 5 %, B 10 %, C 30 %, D 70 %) on
a plausible class mix, and DOMAIN.md's "5 % everywhere" default.

Every figure is a median of `repeat` runs, by the wall clock and by this process's CPU time, and each ratio is
against the baseline's median in the same run. `--before SRC` also loads `supervision/drawing.py` from another
source tree (e.g. a `git archive` of main) and runs it alternately with this one on the same inputs and seeds,
checking that both give the same outputs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import json
import platform
import random
import statistics
import time
from pathlib import Path

from certbridge.supervision.drawing import FORMAT, KeyedHash, digest_of, run_draw

CLASS_MIX = (("A", 0.20), ("B", 0.55), ("C", 0.18), ("D", 0.07))
PLAN_RATIOS = {"A": "0.05", "B": "0.10", "C": "0.30", "D": "0.70"}
FLAT_RATIOS = {"A": "0.05", "B": "0.05", "C": "0.05", "D": "0.05"}


def synthetic_inputs(objects: int, inspectors: int, *, seed: int = 20261121) -> dict:
    """Return draw inputs: objects with classes, an inspector pool, declared conflicts and a few bars."""
    rng = random.Random(seed)
    weights = [w for _, w in CLASS_MIX]
    classes = rng.choices([c for c, _ in CLASS_MIX], weights=weights, k=objects)
    conflicts = {(f"person:{rng.randrange(1, inspectors + 1)}", f"organization:{rng.randrange(1, objects + 1)}")
                 for _ in range(inspectors * 2)}
    barred = {f"person:{rng.randrange(1, inspectors + 1)}" for _ in range(max(1, inspectors // 200))}
    return {
        "format": FORMAT, "draw": {"bench": True}, "ratios": dict(PLAN_RATIOS), "default_ratio": "0.05",
        "counts": {}, "inspectors_per_object": 2, "max_tasks_per_inspector": None,
        "objects": [[f"organization:{i}", classes[i - 1]] for i in range(1, objects + 1)],
        "excluded_objects": [], "inspectors": [f"person:{i}" for i in range(1, inspectors + 1)],
        "conflicts": sorted([[i, o, "declared_relationship"] for i, o in conflicts]
                            + [[i, "*", "barred"] for i in barred]),
    }


def _timed(fn) -> tuple[tuple[float, float], object]:
    """Run fn; return ((wall seconds, CPU seconds), its value)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - start, time.process_time() - cpu), value


def baseline_hash_sort(keys: list[str], seed: bytes) -> tuple[float, float]:
    """Time HMAC-SHA256 of every key plus a sort of the digests (the floor of any keyed-hash ranking)."""
    mac = KeyedHash(seed)
    seconds, _ = _timed(lambda: sorted(mac(b"object\x00" + k.encode("utf-8")) for k in keys))
    return seconds


def _load_drawing(src: str):
    """Load supervision/drawing.py from another source tree as a module of its own."""
    path = Path(src) / "certbridge" / "supervision" / "drawing.py"
    spec = importlib.util.spec_from_file_location("drawing_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _median(runs: list[tuple[float, float]], which: int) -> float:
    return statistics.median(r[which] for r in runs)


def measure(objects: int = 1_000_000, inspectors: int = 10_000, repeat: int = 3, seed: int = 20261121,
            before: str | None = None) -> dict:
    """Run the benchmark and return its figures (medians over `repeat` runs, wall and CPU seconds)."""
    inputs = synthetic_inputs(objects, inspectors, seed=seed)
    keys = [k for k, _ in inputs["objects"]]
    rng = random.Random(seed)
    seeds = [rng.randbytes(32) for _ in range(repeat)]
    draws = {"after": run_draw}
    if before:
        draws["before"] = _load_drawing(before).run_draw
    load_start = os.getloadavg()
    baseline_runs: list[tuple[float, float]] = []
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    outputs: dict[tuple[str, str], dict] = {}
    for s in seeds:  # alternate: baseline, then each scenario with each version, seed by seed
        baseline_runs.append(baseline_hash_sort(keys, s))
        for name, ratios in (("plan_ratios", PLAN_RATIOS), ("five_percent", FLAT_RATIOS)):
            inputs["ratios"] = dict(ratios)
            for version, draw in draws.items():
                seconds, out = _timed(lambda d=draw, s=s: d(inputs, s))
                runs.setdefault((name, version), []).append(seconds)
                if s == seeds[0]:
                    outputs[(name, version)] = out
    baseline_wall, baseline_cpu = _median(baseline_runs, 0), _median(baseline_runs, 1)
    scenarios = {}
    for (name, version), timings in runs.items():
        out = outputs[(name, version)]
        if version == "before":
            assert digest_of(out) == digest_of(outputs[(name, "after")]), "before and after draw differently"
        figures = {
            "seconds": round(_median(timings, 0), 3), "cpu_seconds": round(_median(timings, 1), 3),
            "ratio_to_baseline": round(_median(timings, 0) / baseline_wall, 2),
            "cpu_ratio_to_baseline": round(_median(timings, 1) / baseline_cpu, 2),
            "drawn": len(out["selected"]),
            "inspector_assignments": sum(len(s["inspectors"]) for s in out["selected"]),
            "exclusions": sum(len(s["excluded"]) for s in out["selected"]) + len(out["pool_excluded"]),
            "shortfalls": len(out["shortfalls"]),
        }
        scenarios[name if version == "after" else f"{name}_before"] = figures
    inputs["ratios"] = dict(PLAN_RATIOS)
    (digest_seconds, _), _ = _timed(lambda: digest_of(inputs))
    return {
        "objects": objects, "inspectors": inspectors, "conflicts": len(inputs["conflicts"]), "repeat": repeat,
        "baseline_hash_sort_seconds": round(baseline_wall, 3), "baseline_hash_sort_cpu_seconds": round(baseline_cpu, 3),
        "scenarios": scenarios, "inputs_digest_seconds": round(digest_seconds, 3),
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]},
        "python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(),
    }


def main() -> None:
    """Run from the command line and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="another source tree's src/ whose draw runs alternately with this one")
    args = parser.parse_args()
    print(json.dumps(measure(args.objects, args.inspectors, args.repeat, before=args.before), ensure_ascii=False,
                     indent=2))


if __name__ == "__main__":
    main()
