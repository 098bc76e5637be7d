"""Verify over HTTP, several source trees compared in the same run (issue #15: ≤ 10 % slower from the verdict).

Each tree serves the same data set (`bench.servers app`, rate limits off, as `bench.run` serves it), started
with that tree's `certbridge` first on the path; the trees alternate `--rounds` times. One measurement sends
`--requests` look-ups of sampled certificate numbers (`GET /api/v1/verify?number=…`, JSON) over `--clients`
keep-alive connections, after a warm-up pass over the same numbers, and reports:

- **server CPU per request** (user + system time of the server process across the timed pass ÷ requests) —
  what a verify costs the server, and the figure that stays meaningful on a loaded machine;
- the client-side p50 / p99 latency (wall clock: on a shared machine, mostly scheduler noise).

Background work is switched off in the servers (`CERTBRIDGE_BACKGROUND_WORK=false`; trees that predate the
setting ignore it) so their periodic loops do not count as request cost.

    uv run --no-sync python -m bench.verify_http_trees --data-dir DIR --size N \\
        --src /tmp/base/src --src src [--rounds 3] [--requests 3000] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from pathlib import Path

from bench import http_load
from bench.verify_inprocess import alternate

ROOT = Path(__file__).resolve().parents[1]


def _numbers(data_dir: Path, count: int, seed: int) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(data_dir / "certbridge.db")
    try:
        numbers = [row[0] for row in conn.execute("SELECT number FROM certificate")]
    finally:
        conn.close()
    return random.Random(seed).sample(numbers, min(count, len(numbers)))


def _pass(port: int, paths: list[str], clients: int) -> list[float]:
    """Send every path once over `clients` connections; return the latencies in ms."""
    import httpx

    latencies: list[float] = []
    lock = threading.Lock()

    def worker(part: list[str]) -> None:
        local = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for path in part:
                started = time.perf_counter()
                answer = client.get(path)
                local.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {answer.status_code} {answer.text[:200]}")
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(paths[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies)


def measure(tree: str, args: argparse.Namespace, paths: list[str]) -> dict:
    """Serve the data set from one tree, warm it up, time one pass; return CPU per request and latencies."""
    env = {"CERTBRIDGE_DATA_DIR": str(args.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false", "CERTBRIDGE_BACKGROUND_WORK": "false",
           "PYTHONPATH": os.pathsep.join([str(Path(tree).resolve()), str(ROOT)])}
    port = http_load.free_port()
    proc, _ = http_load.start_server("app", env, port)
    try:
        _pass(port, paths, args.clients)  # warm-up: caches, first-use analysis, page cache
        before = http_load.cpu_seconds(proc.pid)
        latencies = _pass(port, paths, args.clients)
        cpu = http_load.cpu_seconds(proc.pid) - before
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"cpu_us": cpu / len(paths) * 1e6, "p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--src", action="append", default=[], help="a source tree (repeat; the first is the base)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    trees = args.src or [str(ROOT / "src")]
    from bench.run import dataset

    dataset(args.size, backend="sqlite", seed=args.seed, reuse=True, data_dir=args.data_dir, pg_url="")
    paths = [f"/api/v1/verify?number={n}" for n in _numbers(args.data_dir, args.requests, args.seed)]
    runs = alternate(trees, args.rounds, lambda tree: measure(tree, args, paths), lambda r: (
        f"server CPU {r['cpu_us']:.0f} µs/request; p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms"))
    base = statistics.median(r["cpu_us"] for r in runs[trees[0]])
    print("\n| tree | server CPU per request, per round (µs) | p50 per round (ms) | median CPU ÷ first tree's |")
    print("|---|---|---|---|")
    for tree in trees:
        cpus = [r["cpu_us"] for r in runs[tree]]
        p50s = [r["p50_ms"] for r in runs[tree]]
        print(f"| {tree} | {', '.join(f'{c:.0f}' for c in cpus)} | {', '.join(f'{p:.2f}' for p in p50s)} "
              f"| {statistics.median(cpus) / base:.2f} × |")


if __name__ == "__main__":
    main()
