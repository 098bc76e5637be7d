"""certbridge benchmark: `python -m bench.run --size N [--backend sqlite|postgresql] [--reuse]`.

Builds (or reuses) a demo data set of N certificates and measures the hot paths. Every figure that has a
baseline is reported as a ratio to that baseline, measured in the same run on the same machine:

* verification over HTTP vs a bare Starlette endpoint doing one primary-key lookup on the same database,
  same uvicorn settings, same load generator (wrk, 32 connections);
* name search vs a raw FTS5 trigram query (SQLite) or a raw pg_trgm LIKE (PostgreSQL) on the same data;
* bulk CSV import, end to end, vs a raw insert of **the rows the import writes** into the same tables (same
  indexes, triggers and row counts per table; multi-row VALUES on SQLite, COPY on PostgreSQL; one transaction,
  rolled back) — the physical limit — and, as before, vs a raw executemany of the CSV's rows into a bare table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def dataset(size: int, *, backend: str, seed: int, reuse: bool, data_dir: Path | None, pg_url: str):
    """Return settings for a data set of `size` certificates, building it unless one is there."""
    from certbridge.demo.dataset import build_dataset, check_existing
    from certbridge.settings import Settings

    if backend == "postgresql":
        from certbridge.db import make_engine

        name = f"certbridge_bench_{size}_{seed}"
        admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if exists and not reuse:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or not reuse:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        settings = Settings(data_dir=data_dir or DATA / f"postgresql-{size}-{seed}",
                            database_url=pg_url.rsplit("/", 1)[0] + "/" + name, secret_key="bench")
    else:
        settings = Settings(data_dir=data_dir or DATA / f"sqlite-{size}-{seed}", secret_key="bench")
    if reuse and check_existing(settings, size=size, seed=seed, as_of=None) is not None:
        return settings, None
    if not reuse:
        from certbridge.demo.dataset import remove_dataset

        remove_dataset(settings)
    started = time.perf_counter()
    build_dataset(settings, size=size, seed=seed, as_of=date.today())
    return settings, time.perf_counter() - started


def samples(sessions, rng: random.Random, count: int) -> dict:
    """Pick certificate numbers, ids and name substrings of 2–8 characters that exist in the data."""
    from certbridge.certificates.models import Certificate
    from certbridge.registry.models import Organization

    with sessions() as session:
        top = session.scalar(text("SELECT max(id) FROM certificate")) or 1
        ids = [rng.randint(1, top) for _ in range(count)]
        numbers = list(session.scalars(select(Certificate.number).where(Certificate.id.in_(ids))))
        org_top = session.scalar(text("SELECT max(id) FROM organization")) or 1
        names = list(session.scalars(select(Organization.search_name).where(
            Organization.id.in_([rng.randint(1, org_top) for _ in range(count)]))))
    terms = {}
    for length in range(2, 9):
        picked = []
        for name in names:
            # Skip the place prefix so the term is a trade name or industry word, as people type them.
            body = name[3:] if len(name) > length + 3 else name
            if len(body) >= length:
                start = rng.randint(0, len(body) - length)
                picked.append(body[start : start + length])
        terms[length] = picked[: max(20, count // 10)]
    return {"ids": ids, "numbers": numbers, "terms": terms}


def bench_verify(sessions, numbers: list[str]) -> dict:
    """Time verify_number (and its public view) in-process."""
    from certbridge.certificates.verification import verify_number
    from certbridge.certificates.presenters import verification_view

    with sessions() as session:
        for n in numbers:  # warm-up: the same pages cached for this and for the prototype timed after it
            verification_view(verify_number(session, n), "zh")
        times = []
        for n in numbers:
            t = time.perf_counter()
            verification_view(verify_number(session, n), "zh")
            times.append((time.perf_counter() - t) * 1e6)
    return {"verify_p50_us": _pct(times, 50), "verify_p99_us": _pct(times, 99)}


PROTOTYPE_VERIFY = (
    "SELECT c.id, c.number, c.status, c.status_reason, c.status_changed_on, c.suspended_until, c.scheme_code, "
    "c.issued_on, c.expires_on, c.cycle, c.scope, c.holder_name, c.organization_id, c.region_code, b.id, b.code, "
    "b.name, b.approval_number, b.status, o.uscc, EXISTS (SELECT 1 FROM restriction r WHERE r.subject_type = "
    "'organization' AND r.subject_id = c.organization_id AND r.kind IN ('dishonesty_list', 'permanent_exit') AND "
    "r.starts_on <= {p} AND (r.ends_on IS NULL OR r.ends_on >= {p}) AND (r.lifted_on IS NULL OR r.lifted_on > {p})) "
    "FROM certificate c JOIN certification_body b ON b.id = c.body_id LEFT JOIN organization o ON o.id = "
    "c.organization_id WHERE c.number = {p} ORDER BY c.id")


def bench_verify_prototype(sessions, numbers: list[str]) -> dict:
    """Time the same facts fetched by one SQL statement: the floor a Core verify path could reach."""
    with sessions() as session:
        conn = session.connection()
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        sql = PROTOTYPE_VERIFY.format(p=mark)
        raw = conn.connection.driver_connection
        today = date.today().isoformat()
        times = []
        for n in numbers:
            t = time.perf_counter()
            raw.execute(sql, (today, today, today, n)).fetchall()
            times.append((time.perf_counter() - t) * 1e6)
    return {"verify_sql_p50_us": _pct(times, 50), "verify_sql_p99_us": _pct(times, 99)}


def bench_search(sessions, terms: dict[int, list[str]], dialect: str) -> dict:
    """Time the search box (top 20 public summaries, as the API builds them) per query length, and the raw
    index query beside it."""
    from certbridge.certificates.queries import CertificateFilter, search_public_views
    from certbridge.certificates.presenters import with_meaning

    out = {}
    with sessions() as session:
        for length, items in terms.items():
            ours, raw = [], []
            for term in items:
                t = time.perf_counter()
                [with_meaning(v, "zh") for v in search_public_views(session, CertificateFilter(q=term), limit=20)]
                ours.append((time.perf_counter() - t) * 1000)
                if length >= 3:
                    t = time.perf_counter()
                    if dialect == "sqlite":
                        session.execute(text("SELECT rowid FROM organization_fts WHERE organization_fts MATCH :q "
                                             "LIMIT 20"), {"q": '"' + term.replace('"', '""') + '"'}).all()
                    else:
                        # Planned for its own pattern, as the search's rounds are (`prepare=False`): once psycopg
                        # prepares a repeated statement, PostgreSQL may switch to a generic plan blind to the
                        # pattern (a 1 ms query measured 50 ms in one run that way).
                        session.connection().connection.driver_connection.execute(
                            "SELECT id FROM organization WHERE search_name LIKE %s LIMIT 20", (f"%{term}%",),
                            prepare=False).fetchall()
                    raw.append((time.perf_counter() - t) * 1000)
            out[length] = {"p95_ms": _pct(ours, 95), "raw_p95_ms": _pct(raw, 95) if raw else None}
    return out


def _server_cpu(conn) -> float:
    """CPU seconds the PostgreSQL backend serving `conn` has used so far (from /proc: a server on this machine);
    0 on SQLite, whose work is this process's own CPU time."""
    if conn.dialect.name != "postgresql":
        return 0.0
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_import(sessions, rows: int, rng: random.Random, *, repeat: int = 1) -> dict:
    """Import a CSV end to end (rolled back), then insert the very rows it wrote raw (rolled back), alternately.

    The physical-limit baseline: the import's rows (organizations, identifiers, name bigrams, certificates,
    audits, auditors, ledger events — captured from the batch the import wrote) inserted into the same tables
    with the same indexes and triggers, in one transaction, by COPY (PostgreSQL) or multi-row VALUES (SQLite),
    with nothing parsed, validated or encoded. `import_ratio` = baseline time ÷ import time. The old
    baseline is kept beside it: executemany of the CSV's rows into a bare text table (`bare_ratio`). 10,000
    rows by default: at 1,000 the import's fixed costs (authorization, loading the rules, the uniqueness
    probes) were a quarter to a third of its time. Wall-clock and CPU-time figures are medians of `repeat`
    alternated rounds; the CPU-time ratios are the ones to read on a loaded machine (on PostgreSQL the total one,
    which adds the server backend's CPU time).
    """
    import statistics

    from certbridge.certificates import bulk
    from certbridge.certificates.importer import COLUMN_ALIASES, import_certificates
    from certbridge.db import write_session
    from certbridge.kit.uscc import generate_uscc
    from certbridge.principal import SYSTEM
    from certbridge.registry.models import CertificationBody, Person, PersonRegistration

    with sessions() as session:
        body = session.scalars(select(CertificationBody).where(CertificationBody.code == "00101")).one()
        regs = list(session.scalars(select(PersonRegistration.number).join(Person).where(Person.body_id == body.id)))
    columns = ["number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "scope",
               "issued_on", "audit_start_on", "auditors"]
    issued = date.today() - timedelta(days=30)
    table = [[f"{body.code}Q99{i:06d}R0M", "QMS", "GB/T 19001", "2016", f"北海市基准{i}号测试有限公司",
              generate_uscc(rng, region="450502"), "电子元器件的生产", issued.isoformat(),
              (issued - timedelta(days=9)).isoformat(), rng.choice(regs)] for i in range(rows)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(table)
    data = buffer.getvalue().encode("utf-8")
    assert set(columns) <= set(COLUMN_ALIASES)
    written: list = []
    original_write = bulk.write_batch

    def capture(session, **kwargs):
        written.append(kwargs["batch"].rows)
        return original_write(session, **kwargs)

    timings: dict[str, list[tuple[float, float, float]]] = {"import": [], "physical": [], "bare": []}
    per_table: dict[str, int] = {}
    for _ in range(repeat):
        written.clear()
        bulk.write_batch = capture
        try:
            with write_session(sessions) as session:
                server = _server_cpu(session.connection())
                t, cpu = time.perf_counter(), time.process_time()
                report = import_certificates(session, principal=SYSTEM, body_id=body.id, filename="bench.csv",
                                             data=data)
                timings["import"].append((time.perf_counter() - t, time.process_time() - cpu,
                                          _server_cpu(session.connection()) - server))
                session.rollback()
        finally:
            bulk.write_batch = original_write
        if report.errors or report.created != rows or len(written) != 1:
            raise RuntimeError(f"bench import rows were refused or not written in one batch: {report.errors[:3]}")
        batch_rows = written[0]
        tables = [(bulk._ROW_KEYS.get(k, k), k) for k in ("organization", "organization_identifier", "name_gram",
                                                          "certificate", "certificate_site", "audit",
                                                          "audit_auditor", "restriction", "ledger_event")]
        per_table = {name: len(batch_rows[key]) for name, key in tables}
        with write_session(sessions) as session:
            conn = session.connection()
            server = _server_cpu(conn)
            t, cpu = time.perf_counter(), time.process_time()
            for name, key in tables:
                bulk.insert_rows(conn, name, batch_rows[key])  # the import's own raw insert, nothing else
            timings["physical"].append((time.perf_counter() - t, time.process_time() - cpu, _server_cpu(conn) - server))
            session.rollback()
        with write_session(sessions) as session:
            conn = session.connection()
            conn.exec_driver_sql("CREATE TABLE bench_bare (" + ", ".join(f"{c} TEXT" for c in columns) + ")")
            marks = ", ".join("?" if conn.dialect.name == "sqlite" else "%s" for _ in columns)
            server = _server_cpu(conn)
            t, cpu = time.perf_counter(), time.process_time()
            conn.exec_driver_sql(f"INSERT INTO bench_bare VALUES ({marks})", [tuple(r) for r in table])
            timings["bare"].append((time.perf_counter() - t, time.process_time() - cpu, _server_cpu(conn) - server))
            session.rollback()
    wall = {k: statistics.median(w for w, _, _ in v) for k, v in timings.items()}
    cpu = {k: statistics.median(c for _, c, _ in v) for k, v in timings.items()}
    both = {k: statistics.median(c + server for _, c, server in v) for k, v in timings.items()}
    # On PostgreSQL most of a COPY's work is the server's: `*_total_cpu_*` adds the backend's CPU time (read
    # from /proc) to this process's, the figure to compare on a loaded machine. On SQLite the two are equal.
    return {"import_rows": rows, "import_repeat": repeat, "import_rows_written": per_table,
            "import_rows_per_s": rows / wall["import"], "import_cpu_rows_per_s": rows / cpu["import"],
            "import_total_cpu_rows_per_s": rows / both["import"],
            "physical_rows_per_s": rows / wall["physical"], "physical_cpu_rows_per_s": rows / cpu["physical"],
            "physical_total_cpu_rows_per_s": rows / both["physical"],
            "import_ratio": wall["physical"] / wall["import"], "import_cpu_ratio": cpu["physical"] / cpu["import"],
            "import_total_cpu_ratio": both["physical"] / both["import"],
            "raw_rows_per_s": rows / wall["bare"], "raw_cpu_rows_per_s": rows / cpu["bare"],
            "bare_ratio": wall["bare"] / wall["import"], "bare_cpu_ratio": cpu["bare"] / cpu["import"],
            "bare_total_cpu_ratio": both["bare"] / both["import"]}


def _load_with_cpu(pid: int, port: int, paths: list[str], **load) -> tuple:
    """Run a load; return its result and the server's CPU microseconds per request (robust to a busy machine)."""
    from bench import http_load

    before = http_load.cpu_seconds(pid)
    result = http_load.run_load(port, paths, **load)
    return result, (http_load.cpu_seconds(pid) - before) / max(result.requests, 1) * 1e6


def bench_http(settings, sample: dict, *, seconds: int, force_fallback: bool) -> dict:
    """Serve certbridge and the bare baseline in turn and load each with the same generator."""
    from bench import http_load

    # Per-client rate limits are a policy, not capacity: one loopback client stands for many real ones.
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "bench",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false"}
    if settings.database_url:
        env["CERTBRIDGE_DATABASE_URL"] = settings.database_url
    out = {}
    http_load.prime_bytecode(env)
    port = http_load.free_port()
    proc, startup = http_load.start_server("app", env, port)
    try:
        out["startup_s"] = startup
        out["startup_cpu_s"] = http_load.cpu_seconds(proc.pid)  # what the start cost, whatever the machine's load
        verify_paths = [f"/api/v1/verify?number={quote(n)}" for n in sample["numbers"]]
        http_load.run_load(port, verify_paths, seconds=2, force_fallback=force_fallback)  # warm-up
        out["app"], out["app_cpu_us"] = _load_with_cpu(proc.pid, port, verify_paths, seconds=seconds,
                                                       force_fallback=force_fallback)
        # At 32 connections latency is mostly queueing (mean = connections / throughput); at 4 it is service time.
        out["app_4"] = http_load.run_load(port, verify_paths, connections=4, seconds=seconds,
                                          force_fallback=force_fallback)
        search_paths = [f"/api/v1/certificates?q={quote(t)}&limit=20" for items in sample["terms"].values()
                        for t in items]
        random.Random(1).shuffle(search_paths)
        out["search"] = http_load.run_load(port, search_paths, connections=4, seconds=seconds,
                                           force_fallback=force_fallback)
        out["rss_mb"] = http_load.rss_mb(proc.pid)
        out["rss_anon_mb"] = http_load.rss_mb(proc.pid, "RssAnon")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    port = http_load.free_port()
    proc, _ = http_load.start_server("baseline", env, port)
    try:
        pk_paths = [f"/pk?id={i}" for i in sample["ids"]]
        http_load.run_load(port, pk_paths, seconds=2, force_fallback=force_fallback)
        out["baseline"], out["baseline_cpu_us"] = _load_with_cpu(proc.pid, port, pk_paths, seconds=seconds,
                                                                 force_fallback=force_fallback)
        out["baseline_4"] = http_load.run_load(port, pk_paths, connections=4, seconds=seconds,
                                               force_fallback=force_fallback)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return out


def run(size: int, *, backend: str = "sqlite", seed: int = 2026, reuse: bool = False, data_dir: Path | None = None,
        seconds: int = 10, samples_count: int = 2000, import_rows: int = 10_000, force_fallback: bool = False,
        pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> dict:
    """Run every benchmark and return the figures."""
    from certbridge.db import make_engine, make_sessionmaker, read_session

    settings, build_s = dataset(size, backend=backend, seed=seed, reuse=reuse, data_dir=data_dir, pg_url=pg_url)
    engine = make_engine(settings.resolved_database_url())
    factory = make_sessionmaker(engine)

    def sessions():
        return read_session(factory)

    rng = random.Random(seed)
    sample = samples(sessions, rng, samples_count)
    result = {"size": size, "backend": backend, "seed": seed, "build_s": build_s, "machine": machine(),
              "date": date.today().isoformat()}
    result.update(bench_verify(sessions, sample["numbers"]))
    result.update(bench_verify_prototype(sessions, sample["numbers"]))
    result["search"] = bench_search(sessions, sample["terms"], engine.dialect.name)
    result.update(bench_import(factory, import_rows, rng))
    engine.dispose()
    http = bench_http(settings, sample, seconds=seconds, force_fallback=force_fallback)
    result["http"] = {k: (v.__dict__ if hasattr(v, "__dict__") else v) for k, v in http.items()}
    return result


def machine() -> str:
    """Describe this machine in one line."""
    import os

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (f"{os.cpu_count()} cores {cpu}, {mem} GiB, Python {platform.python_version()}, {platform.system()}, "
            f"load average {' '.join(load)} before measuring")


def table(result: dict) -> str:
    """Render the figures as a Markdown table (ratios next to their baselines)."""
    h = result["http"]
    app, base, search = h["app"], h["baseline"], h["search"]
    rows = [
        ("verify over HTTP, requests/s (32 conn.)", f"{app['rps']:.0f}", f"{base['rps']:.0f} bare PK endpoint",
         f"{app['rps'] / base['rps']:.2f} ×", "≥ 0.6 ×"),
        ("verify over HTTP, p99 (32 conn.)", f"{app['p99_ms']:.1f} ms", f"{base['p99_ms']:.1f} ms", "", "≤ 10 ms"),
        ("  Little's law: mean latency = 32 / requests/s", f"{32000 / app['rps']:.1f} ms",
         f"{32000 / base['rps']:.1f} ms", "", ""),
    ]
    if "app_cpu_us" in h:
        rows.append(("  server CPU per request (32 conn.)", f"{h['app_cpu_us']:.0f} µs",
                     f"{h['baseline_cpu_us']:.0f} µs", f"{h['baseline_cpu_us'] / h['app_cpu_us']:.2f} ×", ""))
    if "app_4" in h:
        app4, base4 = h["app_4"], h["baseline_4"]
        rows += [
            ("verify over HTTP at 4 conn., requests/s", f"{app4['rps']:.0f}", f"{base4['rps']:.0f} bare PK endpoint",
             f"{app4['rps'] / base4['rps']:.2f} ×", ""),
            ("verify over HTTP at 4 conn., p50 / p99", f"{app4['p50_ms']:.1f} / {app4['p99_ms']:.1f} ms",
             f"{base4['p50_ms']:.1f} / {base4['p99_ms']:.1f} ms", "", "≤ 10 ms"),
        ]
    rows += [
        ("verify in-process, p50 / p99", f"{result['verify_p50_us']:.0f} / {result['verify_p99_us']:.0f} µs", "", "",
         "p99 ≤ 100 µs"),
        ("  same facts by one SQL statement (prototype), p50 / p99",
         f"{result['verify_sql_p50_us']:.0f} / {result['verify_sql_p99_us']:.0f} µs", "", "", ""),
    ]
    for length, s in result["search"].items():
        ratio = f"{s['p95_ms'] / s['raw_p95_ms']:.1f} ×" if s["raw_p95_ms"] else ""
        raw = f"{s['raw_p95_ms']:.2f} ms raw index" if s["raw_p95_ms"] else ""
        rows.append((f"search {length} chars, top 20, p95 in-process", f"{s['p95_ms']:.2f} ms", raw, ratio,
                     "≤ 20 ms" + ("; ≤ 2 × raw" if int(length) >= 3 else "")))
    rows += [
        ("search over HTTP (mixed 2–8 chars, 4 conn.), p95", f"{search['p95_ms']:.1f} ms", "", "", "≤ 30 ms"),
        ("bulk CSV import end to end, rows/s", f"{result['import_rows_per_s']:.0f}",
         f"{result['physical_rows_per_s']:.0f} the same rows raw into the same tables",
         f"{result['import_ratio']:.3f} × ({result['import_total_cpu_ratio']:.3f} × by CPU)", "≥ 0.5 ×"),
        ("… against the old one-row baseline", f"{result['import_rows_per_s']:.0f}",
         f"{result['raw_rows_per_s']:.0f} raw executemany into a bare table", f"{result['bare_ratio']:.3f} ×",
         "≥ 0.25 ×"),
        ("serving process RSS after load (private, without mapped DB pages)",
         f"{h['rss_mb']:.0f} MB ({h.get('rss_anon_mb', 0):.0f} MB)", "", "", "≤ 300 MB"),
        ("start-up to first answer (CPU time of the server until then)",
         f"{h['startup_s']:.2f} s ({h.get('startup_cpu_s', 0):.2f} s)", "", "", "≤ 2 s"),
    ]
    lines = ["| what | measured | baseline (same run) | ratio | target |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    lines.append(f"\nload generator: {app['tool']}; errors: app {app['errors']}, baseline {base['errors']}, "
                 f"search {search['errors']}")
    return "\n".join(lines)


def dataset_parser(description: str) -> argparse.ArgumentParser:
    """Return a parser with the arguments every benchmark shares: the data set and the PostgreSQL server."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="Reuse the data set of this size and seed if present")
    parser.add_argument("--data-dir", type=Path, help="Data directory (default bench/data/<backend>-<size>-<seed>)")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return parser


def main() -> None:
    """Parse arguments, run, print the table and save the figures as JSON."""
    parser = dataset_parser(__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="Duration of each HTTP load run")
    parser.add_argument("--import-rows", type=int, default=10_000,
                        help="CSV lines in the import test (enough that fixed costs do not dominate)")
    args = parser.parse_args()
    result = run(args.size, backend=args.backend, seed=args.seed, reuse=args.reuse, data_dir=args.data_dir,
                 seconds=args.seconds, samples_count=args.samples, import_rows=args.import_rows, pg_url=args.pg_url)
    print(f"certbridge bench — {result['backend']}, {result['size']:,} certificates, {result['machine']}, "
          f"{result['date']}" + (f", data set built in {result['build_s']:.0f} s" if result["build_s"] else ""))
    print(table(result))
    DATA.mkdir(exist_ok=True)
    out = DATA / f"result-{result['backend']}-{result['size']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    print(f"\nfigures saved to {out}")


if __name__ == "__main__":
    main()
