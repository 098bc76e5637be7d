"""Throughput of `certbridge serve --workers 2` against `--workers 1`, measured in the same run.

`python -m bench.workers_bench --size N [--reuse] [--seconds S] [--connections C] [--rounds R]`

On one demo data set (bench.run's `dataset()`), starts the real `certbridge serve` with 1 worker, drives the
load_bench mix (verify hits and misses, verify by holder, name search) with wrk for S seconds, stops it, then
does the same with 2 workers; R rounds alternate 1 and 2 so a change in the machine's load affects both. The
figure is the ratio of the medians, requests/s with 2 workers over 1 (≈ 2 on an idle machine with ≥ 2 free
cores and a database that is not the bottleneck). Rate limits are off (one loopback client stands for many).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench import http_load
from bench.load_bench import STATUS_LUA, mixed, preflight, request_paths
from bench.run import DATA, dataset, dataset_parser, machine

ROOT = Path(__file__).resolve().parents[1]


def start_serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """Start `certbridge serve --workers N` and wait until it answers."""
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "certbridge.cli.main", "serve", "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT, env=http_load.server_env(env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                time.sleep(1.0 if workers > 1 else 0)  # the other workers finish their start-up
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("serve did not answer within 180 s")


def one_run(env, load, workers: int, *, seconds: int, connections: int, paths) -> dict:
    """Serve with `workers` processes, check the answers, warm up, load for `seconds`; return wrk's figures."""
    port = http_load.free_port()
    proc = start_serve(env, port, workers)
    try:
        accepted = {s for counts in preflight(port, paths, per_kind=10).values() for s in counts}
        http_load.run_load(port, load, connections=connections, seconds=2, script=STATUS_LUA)
        r = http_load.run_load(port, load, connections=connections, seconds=seconds, script=STATUS_LUA)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    errors = r.socket_errors + sum(n for status, n in r.statuses.items() if status not in accepted)
    return {"workers": workers, "rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "errors": errors,
            "tool": r.tool, "statuses": r.statuses}


def main() -> None:
    """Parse arguments, alternate 1 and 2 workers, print the ratio and save the figures."""
    parser = dataset_parser(__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    settings, _ = dataset(args.size, backend=args.backend, seed=args.seed, reuse=args.reuse,
                          data_dir=args.data_dir, pg_url=args.pg_url)
    paths = request_paths(settings, seed=args.seed, count=args.samples)
    load = mixed(paths, random.Random(args.seed))
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false"}
    if settings.database_url:
        env["CERTBRIDGE_DATABASE_URL"] = settings.database_url
    runs = []
    for _ in range(args.rounds):
        for workers in (1, 2):
            runs.append(one_run(env, load, workers, seconds=args.seconds, connections=args.connections, paths=paths))
            print(json.dumps(runs[-1]), flush=True)
    one = statistics.median(r["rps"] for r in runs if r["workers"] == 1)
    two = statistics.median(r["rps"] for r in runs if r["workers"] == 2)
    result = {"size": args.size, "backend": args.backend, "machine": machine(), "date": date.today().isoformat(),
              "load_avg_before": os.getloadavg(), "connections": args.connections, "seconds": args.seconds,
              "runs": runs, "rps_1": one, "rps_2": two, "ratio": two / one}
    print(f"serve --workers: {args.backend}, {args.size:,} certificates, {args.connections} connections, "
          f"{args.seconds} s × {args.rounds} rounds — 1 worker {one:,.0f} req/s, 2 workers {two:,.0f} req/s, "
          f"**ratio {two / one:.2f}**; errors {sum(r['errors'] for r in runs)}")
    DATA.mkdir(exist_ok=True)
    (DATA / f"workers-{args.backend}-{args.size}.json").write_text(json.dumps(result, indent=1, default=str))
    sys.exit(1 if any(r["errors"] for r in runs) else 0)


if __name__ == "__main__":
    main()
