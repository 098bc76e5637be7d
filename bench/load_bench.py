"""Sustained HTTP load on verification and search: `python -m bench.load_bench --size N --seconds S [--reuse]`.

Starts a real `certbridge` server (bench.servers, uvicorn, one worker) on a demo data set (bench.run's
`dataset()`), checks once what every sampled request answers, then drives a fixed mix for S seconds with wrk
(32 connections, loopback only) in consecutive windows:

* verify by number, hits (40 %) and misses (20 %)  — GET /api/v1/verify?number=…
* verify by holder USCC (20 %)                      — GET /api/v1/verify/holder/{uscc}
* name search, 2–8 characters, top 20 (20 %)        — GET /api/v1/certificates?q=…&limit=20

Each window reports requests/s, p50 and p99 (wrk's histogram) and the answers by status; the server's RSS is
sampled throughout. An error is a socket error (connect, read, write, timeout) or a status the pre-flight did
not see for that kind of request (a 5xx, a 429, a 404 where a hit was expected …). Exit 1 on any error.
Per-client rate limits are switched off: one loopback client stands for many real ones.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

from bench import http_load
from bench.run import DATA, dataset, dataset_parser, machine, samples

MIX = {"verify_hit": 4, "verify_miss": 2, "holder": 2, "search": 2}  # weights out of 10

# wrk: the paths rotation of http_load.LUA, plus answers counted by status across threads.
STATUS_LUA = http_load.LUA + r"""
local threads = {}
statuses = {}
setup = function(thread) threads[#threads + 1] = thread end
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local merged, parts = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do merged[k] = (merged[k] or 0) + v end
  end
  for k, v in pairs(merged) do parts[#parts + 1] = string.format('"%d": %d', k, v) end
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "seconds": %f, "errors": %d, "socket_errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), table.concat(parts, ", ")))
end
"""


def request_paths(settings, *, seed: int, count: int) -> dict[str, list[str]]:
    """Return sampled request paths per kind: existing numbers, made-up numbers, holders, name fragments."""
    from sqlalchemy import select, text

    from certbridge.db import make_engine, make_sessionmaker, read_session
    from certbridge.registry.models import Organization

    rng = random.Random(seed)
    engine = make_engine(settings.resolved_database_url())
    factory = make_sessionmaker(engine)
    try:
        sample = samples(lambda: read_session(factory), rng, count)
        with read_session(factory) as session:
            top = session.scalar(text("SELECT max(id) FROM organization")) or 1
            usccs = list(session.scalars(select(Organization.uscc).where(
                Organization.id.in_([rng.randint(1, top) for _ in range(count // 2)]), Organization.uscc.is_not(None))))
    finally:
        engine.dispose()
    misses = [f"99999Q{rng.randint(10, 26)}{rng.randint(0, 999_999):06d}R0M" for _ in range(max(20, count // 4))]
    terms = [t for items in sample["terms"].values() for t in items]
    return {
        "verify_hit": [f"/api/v1/verify?number={quote(n)}" for n in sample["numbers"]],
        "verify_miss": [f"/api/v1/verify?number={quote(n)}" for n in misses],
        "holder": [f"/api/v1/verify/holder/{quote(u)}" for u in usccs],
        "search": [f"/api/v1/certificates?q={quote(t)}&limit=20" for t in terms],
    }


def preflight(port: int, paths: dict[str, list[str]], *, per_kind: int = 40) -> dict[str, dict[str, int]]:
    """GET a few paths of each kind once and return their statuses; hits and searches must answer 200."""
    import httpx

    seen: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for kind, items in paths.items():
            if not items:
                raise RuntimeError(f"no sample paths for {kind}: is the data set empty?")
            counts: dict[str, int] = {}
            for path in items[:per_kind]:
                status = str(client.get(path).status_code)
                counts[status] = counts.get(status, 0) + 1
            seen[kind] = counts
    for kind in ("verify_hit", "search"):
        if set(seen[kind]) != {"200"}:
            raise RuntimeError(f"pre-flight: {kind} answered {seen[kind]}, expected only 200")
    if set(seen["verify_miss"]) - {"200", "404"}:
        raise RuntimeError(f"pre-flight: verify_miss answered {seen['verify_miss']}, expected 200/404 (not found)")
    return seen


def mixed(paths: dict[str, list[str]], rng: random.Random, total: int = 4000) -> list[str]:
    """Return `total` paths drawn in the MIX proportions, shuffled."""
    weight = sum(MIX.values())
    out = []
    for kind, share in MIX.items():
        items = paths[kind]
        out += [items[i % len(items)] for i in range(total * share // weight)]
    rng.shuffle(out)
    return out


class RssSampler(threading.Thread):
    """Record the server's RSS (and its private part) every `every` seconds until stopped."""

    def __init__(self, pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.started = pid, every, time.perf_counter()
        self.points: list[tuple[float, float, float]] = []
        self._halt = threading.Event()

    def sample(self) -> None:
        """Take one reading now."""
        self.points.append((time.perf_counter() - self.started, http_load.rss_mb(self.pid),
                            http_load.rss_mb(self.pid, "RssAnon")))

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.sample()

    def stop(self) -> None:
        """Stop sampling after one last reading."""
        self._halt.set()
        self.join()
        self.sample()


def window_errors(statuses: dict[str, int], accepted: set[str], socket_errors: int) -> int:
    """Count answers with a status the pre-flight never saw, plus socket errors."""
    return socket_errors + sum(n for status, n in statuses.items() if status not in accepted)


def run_sustained(size: int, *, backend: str = "sqlite", seed: int = 2026, reuse: bool = False,
                  data_dir: Path | None = None, seconds: int = 300, window: int = 30, connections: int = 32,
                  samples_count: int = 2000, force_fallback: bool = False,
                  pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> dict:
    """Serve a data set, load it for `seconds` in windows, and return every figure (see the module doc)."""
    settings, build_s = dataset(size, backend=backend, seed=seed, reuse=reuse, data_dir=data_dir, pg_url=pg_url)
    paths = request_paths(settings, seed=seed, count=samples_count)
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false"}
    if settings.database_url:
        env["CERTBRIDGE_DATABASE_URL"] = settings.database_url
    result = {"size": size, "backend": backend, "seed": seed, "build_s": build_s, "machine": machine(),
              "date": date.today().isoformat(), "connections": connections, "seconds": seconds,
              "window_s": window, "mix": MIX, "windows": []}
    port = http_load.free_port()
    proc, result["startup_s"] = http_load.start_server("app", env, port)
    sampler = RssSampler(proc.pid, every=max(1.0, min(10.0, window / 3)))
    try:
        result["preflight"] = preflight(port, paths)
        accepted = {s for counts in result["preflight"].values() for s in counts}
        load = mixed(paths, random.Random(seed))
        warm = http_load.run_load(port, load, connections=connections, seconds=min(5, window),
                                  force_fallback=force_fallback, script=STATUS_LUA)
        result["warmup"] = warm.__dict__
        sampler.start()
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            length = max(1, min(window, round(seconds - (time.perf_counter() - started))))
            r = http_load.run_load(port, load, connections=connections, seconds=length,
                                   force_fallback=force_fallback, script=STATUS_LUA)
            result["windows"].append({**r.__dict__, "at_s": round(time.perf_counter() - started, 1),
                                      "rss_mb": http_load.rss_mb(proc.pid),
                                      "error_count": window_errors(r.statuses, accepted, r.socket_errors)})
        result["elapsed_s"] = time.perf_counter() - started
    finally:
        if sampler.is_alive():
            sampler.stop()
        proc.terminate()
        proc.wait(timeout=30)
    result["rss"] = sampler.points
    windows = result["windows"]
    total = sum(w["requests"] for w in windows)
    result["summary"] = {
        "tool": windows[0]["tool"], "requests": total, "rps": total / result["elapsed_s"],
        "p50_ms_median_window": statistics.median(w["p50_ms"] for w in windows),
        "p99_ms_worst_window": max(w["p99_ms"] for w in windows),
        "p99_ms_median_window": statistics.median(w["p99_ms"] for w in windows),
        "errors": sum(w["error_count"] for w in windows),
        "statuses": {s: sum(w["statuses"].get(s, 0) for w in windows)
                     for s in sorted({s for w in windows for s in w["statuses"]})},
        "rss_first_mb": sampler.points[0][1] if sampler.points else None,
        "rss_max_mb": max(p[1] for p in sampler.points) if sampler.points else None,
        "rss_last_mb": sampler.points[-1][1] if sampler.points else None,
        "rss_anon_last_mb": sampler.points[-1][2] if sampler.points else None,
    }
    return result


def report(result: dict) -> str:
    """Render the run as Markdown: one row per window, then the totals."""
    s = result["summary"]
    lines = ["| window ends at | requests/s | p50 | p99 | answers by status | errors | RSS |",
             "|---:|---:|---:|---:|---|---:|---:|"]
    for w in result["windows"]:
        answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(w["statuses"].items()))
        lines.append(f"| {w['at_s']:.0f} s | {w['rps']:,.0f} | {w['p50_ms']:.1f} ms | {w['p99_ms']:.1f} ms | "
                     f"{answers} | {w['error_count']} | {w['rss_mb']:.0f} MB |")
    answers = ", ".join(f"{k}: {v:,}" for k, v in s["statuses"].items())
    lines += [
        "",
        f"**total**: {s['requests']:,} requests in {result['elapsed_s']:.0f} s = **{s['rps']:,.0f} requests/s**; "
        f"p50 {s['p50_ms_median_window']:.1f} ms (median of windows), p99 {s['p99_ms_median_window']:.1f} ms "
        f"(median of windows; worst window {s['p99_ms_worst_window']:.1f} ms); answers {answers}; "
        f"**errors {s['errors']}**.",
        f"RSS of the serving process: {s['rss_first_mb']:.0f} MB at the start of the load, max "
        f"{s['rss_max_mb']:.0f} MB, {s['rss_last_mb']:.0f} MB at the end ({s['rss_anon_last_mb']:.0f} MB private, "
        f"without mapped database pages); {len(result['rss'])} samples.",
        f"load generator: {s['tool']}, {result['connections']} connections; pre-flight statuses per kind: "
        + "; ".join(f"{k} {v}" for k, v in result["preflight"].items()),
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the report, save the figures; exit 1 if any request failed."""
    parser = dataset_parser(__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=300, help="Duration of the sustained load (after warm-up)")
    parser.add_argument("--window", type=int, default=30, help="Seconds per reported window")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    result = run_sustained(args.size, backend=args.backend, seed=args.seed, reuse=args.reuse,
                           data_dir=args.data_dir, seconds=args.seconds, window=args.window,
                           connections=args.connections, samples_count=args.samples, pg_url=args.pg_url)
    print(f"certbridge sustained load — {result['backend']}, {result['size']:,} certificates, {result['machine']}, "
          f"{result['date']}")
    print(report(result))
    DATA.mkdir(exist_ok=True)
    out = DATA / f"load-{result['backend']}-{result['size']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"\nfigures saved to {out}")
    sys.exit(1 if result["summary"]["errors"] else 0)


if __name__ == "__main__":
    main()
