"""The replica's figures for the capacity model (docs/scaling.md): CPU per public read on each side, and lag.

    uv run --no-sync python -m bench.replica_bench --size 20000 --backend postgresql --reuse [--seconds 8]

On a PostgreSQL data set built by `bench.run`'s generator, a streaming replica is started with
scripts/make_replica.py and one app process (`bench.servers app`) is served with CERTBRIDGE_REPLICA_URL. wrk
loads it at 4 connections with verifications, then name searches. Measured per request, from /proc: the app
process's CPU, and the replica cluster's CPU (its postmaster and every backend) — the two numbers a capacity
plan multiplies. The same loads are run against a second app process without a replica (reads on the primary)
for a same-run ratio of the app's CPU (what the routing costs). Then the replication lag: 100 writes through the
API, each followed by polling the replica until it has replayed the write's LSN.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def cluster_cpu(data_dir: Path) -> float:
    """Return the CPU seconds used so far by a cluster's postmaster and its children (the backends)."""
    from bench.http_load import cpu_seconds

    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = cpu_seconds(postmaster)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            # utime + stime + the reaped children's (a backend that exited counts in its parent's cutime)
            total += (int(fields[11]) + int(fields[12])) / __import__("os").sysconf("SC_CLK_TCK")
    return total


def load(port: int, paths: list[str], pid: int, data_dir: Path | None, seconds: int) -> dict:
    """Run wrk at 4 connections; return throughput and CPU µs per request of the app and of the replica."""
    from bench import http_load

    http_load.run_load(port, paths, connections=4, seconds=2)  # warm-up
    app0, db0 = http_load.cpu_seconds(pid), cluster_cpu(data_dir) if data_dir else 0.0
    result = http_load.run_load(port, paths, connections=4, seconds=seconds)
    app1, db1 = http_load.cpu_seconds(pid), cluster_cpu(data_dir) if data_dir else 0.0
    n = max(result.requests, 1)
    return {"rps": result.rps, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms,
            "app_cpu_us": (app1 - app0) / n * 1e6, "replica_cpu_us": (db1 - db0) / n * 1e6, "errors": result.errors}


def lag(port: int, token: str, user_id: int, replica_url: str, writes: int) -> dict:
    """Write through the API (new API keys: one row and its event each); time until the replica has replayed
    each write's LSN."""
    import httpx
    import psycopg

    from certbridge.replicas import parse_lsn

    waits = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as http, \
            psycopg.connect(replica_url, autocommit=True) as replica:
        for i in range(writes):
            r = http.post(f"/api/v1/users/{user_id}/keys", json={"name": f"lag-{i}"})  # a small write
            lsn = parse_lsn((r.headers.get("certbridge-write-lsn") or "").partition(".")[0])  # "<LSN>.<signature>"
            assert r.status_code < 400 and lsn, r.text
            started = time.perf_counter()
            while parse_lsn(replica.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()[0]) < lsn:
                time.sleep(0.0005)
            waits.append((time.perf_counter() - started) * 1000)
    waits.sort()
    return {"writes": writes, "p50_ms": statistics.median(waits), "p95_ms": waits[int(len(waits) * 0.95) - 1],
            "max_ms": waits[-1]}


def main() -> None:
    """Build or reuse the data set, start a replica, measure, print a Markdown table and save JSON."""
    import importlib.util

    from bench import http_load
    from bench.run import DATA, dataset, dataset_parser, machine, samples
    from certbridge.db import make_engine, make_sessionmaker

    parser = dataset_parser(__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--writes", type=int, default=100)
    args = parser.parse_args()
    settings, _ = dataset(args.size, backend="postgresql", seed=args.seed, reuse=args.reuse,
                          data_dir=args.data_dir, pg_url=args.pg_url)
    engine = make_engine(settings.database_url)
    sample = samples(make_sessionmaker(engine), random.Random(args.seed), args.samples)
    with engine.connect() as conn:
        user_id, token = _writer(conn)
    engine.dispose()
    spec = importlib.util.spec_from_file_location("make_replica", ROOT / "scripts" / "make_replica.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    parent = Path(tempfile.mkdtemp(prefix="cb-replica-bench-"))
    parent.chmod(0o711)
    data_dir = parent / "data"
    base = script.make_replica(args.pg_url, data_dir, http_load.free_port())
    replica_url = f"{base}/{settings.database_url.rsplit('/', 1)[1]}"
    verify = [f"/api/v1/verify?number={quote(n)}" for n in sample["numbers"]]
    search = [f"/api/v1/certificates?q={quote(t)}&limit=20" for items in sample["terms"].values() for t in items]
    random.Random(1).shuffle(search)
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false", "CERTBRIDGE_DATABASE_URL": settings.database_url}
    out = {"size": args.size, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        http_load.prime_bytecode(env)
        for label, extra, watched in (("replica", {"CERTBRIDGE_REPLICA_URL": replica_url}, data_dir),
                                      ("primary", {}, None)):
            port = http_load.free_port()
            proc, _ = http_load.start_server("app", {**env, **extra}, port)
            try:
                import httpx

                probe = httpx.get(f"http://127.0.0.1:{port}{verify[0]}")
                out[f"{label}_read_from"] = probe.headers.get("certbridge-read-from", "primary (no replica)")
                out[f"{label}_verify"] = load(port, verify, proc.pid, watched, args.seconds)
                out[f"{label}_search"] = load(port, search, proc.pid, watched, args.seconds)
                if label == "replica":
                    out["lag"] = lag(port, token, user_id, replica_url, args.writes)
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            print(label, json.dumps({k: v for k, v in out.items() if k.startswith(label)}), flush=True)
    finally:
        script.stop_replica(data_dir)
        parent.rmdir()
    print(table(out))
    DATA.mkdir(exist_ok=True)
    (DATA / f"replica-{args.size}.json").write_text(json.dumps(out, indent=2))


def _writer(conn) -> tuple[int, str]:
    """Return a regulator's user id and a fresh API key of it (the user made once: the data set has no users)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from certbridge.auth.service import create_api_key, create_user
    from certbridge.principal import SYSTEM

    with Session(bind=conn) as session:
        user_id = session.execute(text("SELECT id FROM app_user WHERE username = 'replica-bench'")).scalar()
        if user_id is None:
            user_id = create_user(session, principal=SYSTEM, username="replica-bench", display_name="bench",
                                  role="regulator").id
        token = create_api_key(session, principal=SYSTEM, user_id=user_id, name="replica-bench").token
        session.commit()
    return user_id, token


def table(out: dict) -> str:
    """Return the figures as a Markdown table."""
    rows = [f"replica bench — {out['size']:,} certificates, {out['machine']}, {out['date']}",
            f"public reads answered from: {out['replica_read_from']} (with a replica), "
            f"{out['primary_read_from']} (without)", "",
            "| load (wrk, 4 connections) | requests/s | p50 / p99 ms | app CPU µs/request | replica CPU µs/request |",
            "|---|---|---|---|---|"]
    for label in ("replica", "primary"):
        for what in ("verify", "search"):
            m = out[f"{label}_{what}"]
            db = f"{m['replica_cpu_us']:.0f}" if label == "replica" else "—"
            rows.append(f"| {what}, reads on the {label} | {m['rps']:.0f} | {m['p50_ms']:.1f} / {m['p99_ms']:.1f} | "
                        f"{m['app_cpu_us']:.0f} | {db} |")
    for what in ("verify", "search"):
        ratio = out[f"replica_{what}"]["app_cpu_us"] / max(out[f"primary_{what}"]["app_cpu_us"], 1)
        rows.append(f"| {what}: app CPU with the replica ÷ without | {ratio:.2f} × | | | |")
    lag_ = out["lag"]
    rows += ["", f"replication lag after a write through the API ({lag_['writes']} writes): p50 "
                 f"{lag_['p50_ms']:.1f} ms, p95 {lag_['p95_ms']:.1f} ms, max {lag_['max_ms']:.1f} ms"]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
