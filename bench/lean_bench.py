"""Verify and name search over HTTP against bare endpoints, with and without the lean path (issue 23).

`python -m bench.lean_bench --size N [--backend sqlite|postgresql] [--reuse] [--seconds S] [--rounds R]`

On one demo data set (bench.run's `dataset()`), R rounds each start, one after the other, the three servers of
bench/servers.py — `baseline` (bare Starlette: one primary-key lookup; the name search's own query), `app`
(certbridge, lean path in front) and `app-full` (certbridge without its lean path: the full stack) — all on
uvicorn with httptools, rate limits and background work off, and load each with wrk: verify at 32 and 4 connections, name search
(2–8 characters, top 20) at 4 and 32. Rounds alternate the servers so a change in the machine's load falls on
all three. For every load it records requests/s, p50/p99 and the **server's CPU time per request** read from
/proc around the load (user + system of the server process: on a loaded machine the figure that still means
something). Ratios are same-round: app ÷ baseline by throughput, and baseline CPU ÷ app CPU (the throughput
ratio of a CPU-bound server); the medians over the rounds are reported. Loopback only, bounded in time.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
from datetime import date
from urllib.parse import quote

from bench import http_load
from bench.run import DATA, dataset, dataset_parser, machine, samples

SERVERS = ("baseline", "app", "app-full")
LOADS = (("verify", 32), ("verify", 4), ("search", 4), ("search", 32))


def paths(settings, seed: int, count: int) -> dict[str, dict[str, list[str]]]:
    """Return the request paths per server and kind: the same numbers, ids and terms for every server."""
    from certbridge.db import make_engine, make_sessionmaker, read_session

    engine = make_engine(settings.resolved_database_url())
    factory = make_sessionmaker(engine)
    try:
        sample = samples(lambda: read_session(factory), random.Random(seed), count)
    finally:
        engine.dispose()
    terms = [t for items in sample["terms"].values() for t in items]
    random.Random(1).shuffle(terms)
    app = {"verify": [f"/api/v1/verify?number={quote(n)}" for n in sample["numbers"]],
           "search": [f"/api/v1/certificates?q={quote(t)}&limit=20" for t in terms]}
    return {"baseline": {"verify": [f"/pk?id={i}" for i in sample["ids"]],
                         "search": [f"/search?q={quote(t)}" for t in terms]},
            "app": app, "app-full": app}


def one_server(which: str, env: dict[str, str], kinds: dict[str, list[str]], seconds: int) -> dict:
    """Start one server, warm it up, run every load; return the figures of each."""
    port = http_load.free_port()
    proc, _ = http_load.start_server(which, env, port)
    out = {}
    try:
        for kind in ("verify", "search"):
            http_load.run_load(port, kinds[kind], connections=4, seconds=2)  # warm-up: caches, lazy routes
        for kind, connections in LOADS:
            before = http_load.cpu_seconds(proc.pid)
            load = os.getloadavg()[0]
            r = http_load.run_load(port, kinds[kind], connections=connections, seconds=seconds)
            cpu_us = (http_load.cpu_seconds(proc.pid) - before) / max(r.requests, 1) * 1e6
            out[f"{kind}_{connections}"] = {"rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "cpu_us": cpu_us,
                                            "requests": r.requests, "errors": r.errors, "load": load,
                                            "tool": r.tool}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


def main() -> None:
    """Parse arguments, run the rounds, print the table and save the figures."""
    parser = dataset_parser(__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default=",".join(SERVERS), help="Comma-separated subset of " + ",".join(SERVERS))
    args = parser.parse_args()
    settings, _ = dataset(args.size, backend=args.backend, seed=args.seed, reuse=args.reuse, data_dir=args.data_dir,
                          pg_url=args.pg_url)
    by_server = paths(settings, args.seed, args.samples)
    # No background work (integration, folds, warm-ups run in the server's threads and would count in its CPU
    # time), no per-client limit (one loopback client stands for many).
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false", "CERTBRIDGE_BACKGROUND_WORK": "false"}
    if settings.database_url:
        env["CERTBRIDGE_DATABASE_URL"] = settings.database_url
    http_load.prime_bytecode(env)
    if not settings.database_url:  # SQLite: the file in the page cache for every server alike, not for the last one
        with open(settings.data_dir / "certbridge.db", "rb") as db:
            while db.read(1 << 24):
                pass
    servers = args.servers.split(",")
    result = {"size": args.size, "backend": args.backend, "machine": machine(), "date": date.today().isoformat(),
              "seconds": args.seconds, "rounds": []}
    for number in range(args.rounds):
        order = servers if number % 2 == 0 else list(reversed(servers))  # alternate who goes first
        figures = {}
        for which in order:
            figures[which] = one_server(which, env, by_server[which], args.seconds)
            print(json.dumps({"round": number, "server": which, **figures[which]}), flush=True)
        result["rounds"].append(figures)
    rows = ["| load | server | requests/s (median) | p50 / p99 ms | CPU µs/request (median; per round) | "
            "÷ baseline: throughput | ÷ baseline: CPU |", "|---|---|---|---|---|---|---|"]
    summary = {}
    for kind, connections in LOADS:
        key = f"{kind}_{connections}"
        for which in servers:
            runs = [r[which][key] for r in result["rounds"]]
            rps = statistics.median(x["rps"] for x in runs)
            cpu = statistics.median(x["cpu_us"] for x in runs)
            ratio_rps = ratio_cpu = "—"
            if which != "baseline" and "baseline" in servers:
                ratio_rps = statistics.median(r[which][key]["rps"] / r["baseline"][key]["rps"] for r in result["rounds"])
                ratio_cpu = statistics.median(r["baseline"][key]["cpu_us"] / r[which][key]["cpu_us"]
                                              for r in result["rounds"])
                summary[f"{which}/{key}"] = {"throughput": ratio_rps, "cpu": ratio_cpu}
                ratio_rps, ratio_cpu = f"**{ratio_rps:.2f} ×**", f"**{ratio_cpu:.2f} ×**"
            each = ", ".join(f"{x['cpu_us']:,.0f}" for x in runs)
            rows.append(f"| {kind}, {connections} conn. | {which} | {rps:,.0f} | "
                        f"{statistics.median(x['p50_ms'] for x in runs):.1f} / "
                        f"{statistics.median(x['p99_ms'] for x in runs):.1f} | {cpu:,.0f} ({each}) | "
                        f"{ratio_rps} | {ratio_cpu} |")
    loads = [x["load"] for r in result["rounds"] for s in r.values() for x in s.values()]
    result["summary"] = summary
    result["load_average"] = [min(loads), max(loads)]
    print(f"certbridge over HTTP against bare endpoints — {args.backend}, {args.size:,} certificates, "
          f"{args.rounds} rounds × {args.seconds} s a load; load average {min(loads):.1f}–{max(loads):.1f} "
          f"during the loads\n{result['machine']}")
    print("\n".join(rows))
    DATA.mkdir(exist_ok=True)
    out = DATA / f"lean-{args.backend}-{args.size}.json"
    out.write_text(json.dumps(result, indent=1, default=str))
    print(f"\nfigures saved to {out}")
    sys.exit(1 if any(x["errors"] for r in result["rounds"] for s in r.values() for x in s.values()) else 0)


if __name__ == "__main__":
    main()
