"""Draw benchmark: `python -m bench.draw_bench [--objects 1000000] [--inspectors 10000] [--repeat 3]`.

Measures the verifiable 双随机 draw (supervision/drawing.run_draw: rank every object by HMAC-SHA256 within
its credit class, take the quota, then walk a keyed permutation of the inspector pool for each drawn object,
skipping conflicts) on synthetic inputs, against a baseline measured in the same run: HMAC-SHA256 every
object key and sort the digests — the least any keyed-hash ranking must do. Also reported: the SHA-256 of
the inputs' canonical JSON (what the commitment step hashes), which is paid once per draw at commit time.

Two scenarios over the same objects: the plan's default ratios by class (A 5 %, B 10 %, C 30 %, D 70 %) on
a plausible class mix, and DOMAIN.md's "5 % everywhere" default.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time

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


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def baseline_hash_sort(keys: list[str], seed: bytes) -> float:
    """Time HMAC-SHA256 of every key plus a sort of the digests (the floor of any keyed-hash ranking)."""
    mac = KeyedHash(seed)
    seconds, _ = _timed(lambda: sorted(mac(b"object\x00" + k.encode("utf-8")) for k in keys))
    return seconds


def measure(objects: int = 1_000_000, inspectors: int = 10_000, repeat: int = 3, seed: int = 20261121) -> dict:
    """Run the benchmark and return its figures (seconds are medians over `repeat` runs)."""
    inputs = synthetic_inputs(objects, inspectors, seed=seed)
    keys = [k for k, _ in inputs["objects"]]
    rng = random.Random(seed)
    seeds = [rng.randbytes(32) for _ in range(repeat)]
    baseline = statistics.median(baseline_hash_sort(keys, s) for s in seeds)
    scenarios = {}
    for name, ratios in (("plan_ratios", PLAN_RATIOS), ("five_percent", FLAT_RATIOS)):
        inputs["ratios"] = dict(ratios)
        runs = [_timed(lambda s=s: run_draw(inputs, s)) for s in seeds]
        outputs = runs[0][1]
        scenarios[name] = {
            "seconds": round(statistics.median(t for t, _ in runs), 3),
            "ratio_to_baseline": round(statistics.median(t for t, _ in runs) / baseline, 2),
            "drawn": len(outputs["selected"]),
            "inspector_assignments": sum(len(s["inspectors"]) for s in outputs["selected"]),
            "exclusions": sum(len(s["excluded"]) for s in outputs["selected"]) + len(outputs["pool_excluded"]),
            "shortfalls": len(outputs["shortfalls"]),
        }
    inputs["ratios"] = dict(PLAN_RATIOS)
    digest_seconds, _ = _timed(lambda: digest_of(inputs))
    return {
        "objects": objects, "inspectors": inspectors, "conflicts": len(inputs["conflicts"]), "repeat": repeat,
        "baseline_hash_sort_seconds": round(baseline, 3), "scenarios": scenarios,
        "inputs_digest_seconds": round(digest_seconds, 3),
        "python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(),
    }


def main() -> None:
    """Run from the command line and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.objects, args.inspectors, args.repeat), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
