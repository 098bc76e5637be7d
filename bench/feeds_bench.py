"""Change-feed throughput and the daily full bulk file's build time (issue #20, part B).

Builds (or reuses) a demo data set of N certificates with this tree, then measures, in the same run:

- feed: every log event read through `changes.read_items` (pages of 1,000, as `GET /api/v1/feed` and the SSE
  stream read them), against the baseline of the same pages read as raw driver rows (no item building);
- full file: `bulk_build.build_day` for a first day (its delta holds every row) and the day after (integrate, snapshot, every table to CSV + JSON Lines gzip, delta, signed
  manifest), against the baseline of reading the same tables' rows alone (`bulk_tables.table_rows`).

- with `--http` (`--http-events N`: only the first N): the same feed through a real server (`bench.servers app`, uvicorn, one worker, rate limits off)
  — every page of `GET /api/v1/feed?limit=1000` and the whole `GET /api/v1/feed/stream?until_caught_up=true`
  Server-Sent Events stream, read with httpx — in events/s of wall time and of the server's CPU time (from /proc:
  on a loaded machine the CPU figure is what one idle core would give), against the in-process `read_items`
  rate of the same run.

Reported as rates and as ratios to their baselines; the 10 M-certificate figure is a linear extrapolation.

    uv run --no-sync python -m bench.feeds_bench [--size 20000] [--reuse] [--http] [--skip-files]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from datetime import date
from pathlib import Path

# Imported in the functions: the daily files' worker processes (spawned) import this module again as their
# __main__, and should pay for what a worker needs, not for the whole bench.
PAGE_MAX = 1000  # certbridge.opendata.feeds.changes.PAGE_MAX (checked in main)


def bench_feed(sessions) -> dict:
    """Read the whole log as feed items and as raw rows; return events/s of each."""
    from certbridge.db import read_session
    from certbridge.ledger.journal import log_size
    from certbridge.opendata.feeds.changes import read_items

    with read_session(sessions) as session:
        size = log_size(session)
        started, after = time.perf_counter(), -1
        while True:
            rows = session.connection().exec_driver_sql(
                "SELECT seq, public, body, leaf_hash FROM ledger_event WHERE seq > ? ORDER BY seq LIMIT ?"
                if session.get_bind().dialect.name == "sqlite" else
                "SELECT seq, public, body, leaf_hash FROM ledger_event WHERE seq > %s ORDER BY seq LIMIT %s",
                (after, PAGE_MAX)).all()
            if not rows:
                break
            after = rows[-1][0]
        raw = time.perf_counter() - started
        started, cpu, after, count = time.perf_counter(), time.process_time(), -1, 0
        while True:
            items = read_items(session, after=after, limit=PAGE_MAX)
            if not items:
                break
            count += len(items)
            after = items[-1]["seq"]
        feed, feed_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"events": size, "feed_per_s": count / feed, "raw_per_s": size / raw, "ratio": feed / raw,
            "feed_cpu_per_s": count / feed_cpu}


def _start(env: dict[str, str], port: int, deadline_s: float = 900):
    """Start `bench.servers app` and wait for its first answer (a loaded machine can take minutes)."""
    import subprocess
    import sys

    import httpx

    from bench import http_load

    proc = subprocess.Popen([sys.executable, "-m", "bench.servers", "app", str(port)],
                            cwd=Path(__file__).resolve().parents[1], env=http_load.server_env(env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.perf_counter() + deadline_s
    while time.perf_counter() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/feed?limit=1", timeout=5).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app server did not answer")


def bench_feed_http(settings, events: int) -> dict:
    """Read the feed's first `events` events from a served instance, as JSON pages and as one SSE stream (its
    connection closed once that many arrived); return events/s."""
    import httpx

    from bench import http_load

    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": settings.secret_key,
           "CERTBRIDGE_DATABASE_URL": settings.resolved_database_url(), "CERTBRIDGE_RATE_LIMIT_ENABLED": "false"}
    http_load.prime_bytecode(env)
    port = http_load.free_port()
    proc = _start(env, port)
    out = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            client.get("/api/v1/feed", params={"limit": 10})  # warm-up
            server, wall, cpu = http_load.cpu_seconds(proc.pid), time.perf_counter(), time.process_time()
            after, count, pages, size = -1, 0, 0, 0
            while True:
                page = client.get("/api/v1/feed", params={"after": after, "limit": PAGE_MAX})
                page.raise_for_status()
                body = page.json()
                count += len(body["items"])
                pages += 1
                size, after = body["log_size"], body["next_after"]
                if body["complete"] or not body["items"] or count >= events:
                    break
            out["json"] = {"events": count, "pages": pages, "wall_s": time.perf_counter() - wall,
                           "server_cpu_s": http_load.cpu_seconds(proc.pid) - server,
                           "client_cpu_s": time.process_time() - cpu}
            server, wall, cpu = http_load.cpu_seconds(proc.pid), time.perf_counter(), time.process_time()
            count = 0
            with client.stream("GET", "/api/v1/feed/stream", params={"until_caught_up": "true"}) as stream:
                stream.raise_for_status()
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        count += 1
                        if count >= events:
                            break
            out["sse"] = {"events": count, "wall_s": time.perf_counter() - wall,
                          "server_cpu_s": http_load.cpu_seconds(proc.pid) - server,
                          "client_cpu_s": time.process_time() - cpu}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for part in out.values():
        part["per_s_wall"] = part["events"] / part["wall_s"]
        part["per_s_server_cpu"] = part["events"] / part["server_cpu_s"]
    out["log_size"] = size
    return out


def bench_full_file(sessions, settings) -> dict:
    """Build one day's files; return seconds, against reading the same rows alone."""
    from certbridge.db import read_session
    from certbridge.ledger.journal import log_size
    from certbridge.opendata.feeds.bulk_build import build_day
    from certbridge.opendata.feeds.bulk_tables import TABLES, table_rows

    with read_session(sessions) as session:
        size = log_size(session)
        started = time.perf_counter()
        rows = {t: sum(1 for _ in table_rows(session, t, size=size)) for t in TABLES}
        read = time.perf_counter() - started
    read_cpu = time.process_time()
    with read_session(sessions) as session:
        sum(1 for t in TABLES for _ in table_rows(session, t, size=size))
    read_cpu = time.process_time() - read_cpu
    shutil.rmtree(settings.resolved_bulk_dir(), ignore_errors=True)
    started, cpu = time.perf_counter(), time.process_time()
    folder = build_day(sessions, settings=settings, on=date(2026, 12, 7))
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    total = sum(p.stat().st_size for p in folder.iterdir())
    started, cpu = time.perf_counter(), time.process_time()  # the next day: full files again, an empty delta
    build_day(sessions, settings=settings, on=date(2026, 12, 8))
    next_day, next_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"rows": rows, "build_s": build, "read_s": read, "ratio": build / read, "bytes": total,
            "next_day_s": next_day, "extrapolated_10m_s": next_day * 10_000_000 / max(rows["certificates"], 1),
            "build_cpu_s": build_cpu, "next_day_cpu_s": next_cpu, "read_cpu_s": read_cpu,
            "extrapolated_10m_cpu_s": next_cpu * 10_000_000 / max(rows["certificates"], 1)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def next_day(sessions, settings, on: date, processes: int | None = None) -> dict:
    """Build one more day's files after the days already there; return its wall and CPU seconds (this process's
    and its worker processes') and rows; print each table's files as they are complete."""
    from certbridge.opendata.feeds.bulk_build import MANIFEST, build_day

    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()

    def done(table: str, rows: int, sizes: dict[str, int]) -> None:
        print(f"  {time.perf_counter() - started:7.1f} s  {table}: {rows:,} rows; "
              + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())), flush=True)

    folder = build_day(sessions, settings=settings, on=on, processes=processes, on_table=done)
    wall, spent = time.perf_counter() - started, time.process_time() - cpu
    workers = _children_cpu() - children
    manifest = (folder / MANIFEST).read_text(encoding="utf-8") if (folder / MANIFEST).exists() else ""
    rows = {line.split()[1]: int(line.split()[2]) for line in manifest.splitlines() if line.startswith("table ")}
    return {"wall_s": wall, "cpu_s": spent, "workers_cpu_s": workers, "rows": rows,
            "bytes": sum(p.stat().st_size for p in folder.iterdir())}


def main() -> None:
    """Run the feed and bulk-file benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=2026, help="the data set's seed (bench/data/bulk-N has seed 7)")
    parser.add_argument("--http", action="store_true", help="also read the feed through a served instance")
    parser.add_argument("--skip-files", action="store_true", help="do not build the daily files")
    parser.add_argument("--http-events", type=int, default=10**9, help="read at most this many events over HTTP")
    parser.add_argument("--processes", type=int, default=None,
                        help="processes writing the files (default: CERTBRIDGE_BULK_FILES_PROCESSES, else one a core)")
    parser.add_argument("--next-day", type=date.fromisoformat, default=None,
                        help="only build this day's files after the days already built (a demo data set has its "
                             "as-of day's): the daily run of a large register, without the feed and first-day runs")
    args = parser.parse_args()
    from bench.run import dataset, machine
    from certbridge.db import make_engine, make_sessionmaker
    from certbridge.opendata.feeds import changes

    assert changes.PAGE_MAX == PAGE_MAX
    settings, built = dataset(args.size, backend="sqlite", seed=args.seed, reuse=args.reuse,
                              data_dir=args.data_dir or Path(f"/tmp/feeds-bench-{args.size}"), pg_url="")
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url()))
    print(f"machine: {machine()}; data set built in {built:.0f} s" if built else f"machine: {machine()}")
    if args.next_day:
        day = next_day(sessions, settings, args.next_day, args.processes)
        print(f"next day {args.next_day}: rows {day['rows']}; built in {day['wall_s']:.1f} s wall, "
              f"{day['cpu_s']:.1f} s CPU in this process + {day['workers_cpu_s']:.1f} s in its workers "
              f"({day['bytes'] / 1e6:.1f} MB); load average: {os.getloadavg()}")
        return
    feed = bench_feed(sessions)
    print(f"feed: {feed['events']:,} events; {feed['feed_per_s']:,.0f} items/s vs raw rows {feed['raw_per_s']:,.0f}/s "
          f"(feed/raw time ratio {feed['ratio']:.2f})")
    if args.http:
        served = bench_feed_http(settings, args.http_events)
        print(f"in-process read_items by CPU time: {feed['feed_cpu_per_s']:,.0f} items/s (same run, above)")
        for name, part in (("JSON pages of 1,000", served["json"]), ("SSE stream", served["sse"])):
            print(f"served feed, {name}: {part['events']:,} events in {part['wall_s']:.1f} s wall "
                  f"({part['per_s_wall']:,.0f}/s); server CPU {part['server_cpu_s']:.1f} s "
                  f"({part['per_s_server_cpu']:,.0f}/s), client CPU {part['client_cpu_s']:.1f} s")
    print(f"load average: {os.getloadavg()}")
    if args.skip_files:
        return
    full = bench_full_file(sessions, settings)
    print(f"full file: rows {full['rows']}; built in {full['build_s']:.1f} s ({full['bytes'] / 1e6:.1f} MB) vs "
          f"reading the rows {full['read_s']:.1f} s (ratio {full['ratio']:.1f}; the first day's delta holds every row); "
          f"next day (full + empty delta) {full['next_day_s']:.1f} s, ratio {full['next_day_s'] / full['read_s']:.1f}; "
          f"10 M certificates extrapolated from the next day: {full['extrapolated_10m_s'] / 60:.1f} min")
    print(f"CPU time: first day {full['build_cpu_s']:.1f} s, next day {full['next_day_cpu_s']:.1f} s, "
          f"reading the rows {full['read_cpu_s']:.1f} s "
          f"(next day / read {full['next_day_cpu_s'] / full['read_cpu_s']:.1f}); 10 M "
          f"certificates extrapolated from the next day's CPU time: {full['extrapolated_10m_cpu_s'] / 60:.1f} min")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
