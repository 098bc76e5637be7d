"""Ledger benchmark: `python -m bench.ledger_bench --events N [--backend sqlite|postgresql]`.

Measures, on a log of N events:

* durable append: `record_events` in batches, each batch its own committed transaction, then
  `integrate` (hash into the tree + sign a checkpoint), as the app does after every write request;
  split into its two halves, against a baseline of a raw DBAPI executemany of the very same rows
  into the same table (the database's own write ceiling, nothing hashed or signed);
* proofs: inclusion and consistency proofs per second from the stored-hash table (one thread, one
  read session, the engine's hash cache warm as in a running server), against a baseline of the
  database alone answering the same number of uncached stored-hash reads per proof.

The database is opened by the app's own `db.make_engine`, so appends are as durable as the app's: on
SQLite WAL with `synchronous=FULL` (every commit is on disk before it returns), on PostgreSQL its defaults
(`synchronous_commit=on`).

Building a big log through `record_events` would take hours and measure nothing new, so the first N
leaves take a fast path: synthetic leaf hashes go straight through the integration code
(`extend_tree`) into `ledger_hash`, the tree row and the log head are set to N, and no event rows
are written below N. Proofs and appends on top of it behave exactly as on a real log of N events
(only `ledger verify` would object: the events below N do not exist).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import time
from pathlib import Path

from sqlalchemy import insert, text, update

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
BUILD_CHUNK = 500_000


def _database(events: int, *, backend: str, seed: int, data_dir: Path, pg_url: str) -> str:
    """Create an empty database for the run and return its URL."""
    from certbridge.db import make_engine

    if backend == "postgresql":
        name = f"certbridge_ledger_bench_{events}_{seed}"
        admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return pg_url.rsplit("/", 1)[0] + "/" + name
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"ledger-{events}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def drop_database(url: str, pg_url: str) -> None:
    """Drop a PostgreSQL bench database (SQLite files stay in bench/data, which is not committed)."""
    from certbridge.db import make_engine

    if not url.startswith("postgresql"):
        return
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def synthetic_leaf(i: int) -> bytes:
    """Return the i-th synthetic leaf hash of the fast path."""
    return hashlib.sha256(b"\x00certbridge-bench-" + i.to_bytes(8, "big")).digest()


def build_tree(sessions, events: int) -> dict:
    """Fast path: hash N synthetic leaves into ledger_hash through the integration code; set tree and head."""
    from certbridge.db import write_session
    from datetime import datetime, timezone

    from certbridge.ledger.journal import LedgerEvent, LedgerHead
    from certbridge.ledger.integrate import extend_tree, root_from_frontier
    from certbridge.ledger.models import LedgerTree
    from certbridge.ledger.store import append_hashes

    started, frontier, size, rows_written = time.perf_counter(), {}, 0, 0
    while size < events:
        n = min(BUILD_CHUNK, events - size)
        rows, frontier = extend_tree(size, frontier, [synthetic_leaf(size + i) for i in range(n)])
        with write_session(sessions) as session:
            append_hashes(session, rows)
        size, rows_written = size + n, rows_written + len(rows)
    root = root_from_frontier(size, frontier)
    with write_session(sessions) as session:
        session.execute(update(LedgerTree).where(LedgerTree.id == 1).values(size=size, root_hash=root))
        session.execute(insert(LedgerHead).values(id=1, size=size))
        if size:  # the event writer refuses to append after a missing event: give the synthetic tail one row
            session.execute(insert(LedgerEvent).values(
                seq=size - 1, type="bench.synthetic", subject_type="bench", subject_id="0", actor="bench",
                at=datetime.now(timezone.utc), public=False, body="{}", leaf_hash=synthetic_leaf(size - 1)))
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE ledger_hash")  # what autovacuum would have done by now
    seconds = time.perf_counter() - started
    return {"events": events, "stored_hashes": rows_written, "seconds": round(seconds, 1),
            "leaves_per_second": round(events / seconds) if seconds else None}


def event_drafts(count: int, start: int, rng: random.Random):
    """Return `count` realistic certificate events (the shape certificate.issued carries)."""
    from certbridge.ledger.journal import EventDraft

    drafts = []
    for i in range(count):
        n = start + i
        state = {
            "number": f"00126Q{n:08d}R0M/4500", "body_id": 1 + n % 1200, "organization_id": 1 + n % 900_000,
            "scheme_code": rng.choice(["QMS", "EMS", "OHSMS", "CCC"]), "standard_id": 1, "status": "valid",
            "status_reason": None, "status_changed_on": "2025-03-01", "suspended_until": None,
            "issued_on": "2025-03-01", "expires_on": "2028-02-29", "cycle": 1, "previous_id": None,
            "holder_name": f"北海市海城区示例电子有限公司{n}", "holder_address": "广西北海市海城区北京路 1 号",
            "region_code": "450502", "scope": "电子元器件的设计和生产", "scope_en": None, "product": None,
            "certification_mode": None, "last_surveillance_on": None,
            "sites": [], "audits": [{"kind": "initial", "method": "FS01", "start_on": "2025-02-20",
                                     "end_on": "2025-02-21", "auditors": [[1, "2021-N1QMS-1000001", "leader"]]}],
        }
        drafts.append(EventDraft("certificate.issued", "certificate", str(10_000_000 + n), "user:3:cb_a",
                                 {"state": state}))
    return drafts


def measure_append(sessions, settings, *, count: int, batch: int, rng: random.Random) -> dict:
    """Append `count` events in committed batches: end to end, each half alone, and the raw baseline."""
    from certbridge.db import write_session
    from certbridge.ledger.journal import event_body, leaf_hash, log_size, record_events
    from certbridge.ledger.integrate import integrate_pending

    with write_session(sessions) as session:
        start = log_size(session)
    integrate_pending(sessions, settings=settings)  # keys and the first checkpoint, outside the timing

    # Wall-clock rates are the figures; this process's CPU time is kept beside them because on a shared
    # machine the wall clock also counts the time other processes held the cores.
    drafts = event_drafts(count, start, rng)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, count, batch):
        with write_session(sessions) as session:
            record_events(session, drafts[i:i + batch])
        integrate_pending(sessions, settings=settings)
    end_to_end, end_to_end_cpu = time.perf_counter() - t0, time.process_time() - c0

    drafts = event_drafts(count, start + count, rng)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, count, batch):
        with write_session(sessions) as session:
            record_events(session, drafts[i:i + batch])
    record_only, record_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    integrate_pending(sessions, settings=settings, max_leaves=batch)
    integrate_only, integrate_cpu = time.perf_counter() - t0, time.process_time() - c0

    # Baseline: the same kind of rows, bodies and hashes computed beforehand, inserted by the driver alone.
    with write_session(sessions) as session:
        base = log_size(session) + 1_000_000  # beyond the head: nothing reads these rows
    from datetime import datetime, timezone

    at = datetime.now(timezone.utc)
    sqlite = settings.resolved_database_url().startswith("sqlite")
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at  # the `at` value record_events stores
    rows = []
    for offset, draft in enumerate(event_drafts(count, start + 2 * count, rng)):
        seq = base + offset
        body = event_body(seq, draft, at)
        rows.append((seq, draft.type, draft.subject_type, draft.subject_id, draft.actor, stamp, True,
                     body.decode("utf-8"), leaf_hash(body)))
    raw = sessions.kw["bind"].raw_connection()
    try:
        mark = "?" if sqlite else "%s"
        sql = ("INSERT INTO ledger_event (seq, type, subject_type, subject_id, actor, at, public, body, leaf_hash) "
               f"VALUES ({', '.join([mark] * 9)})")
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, count, batch):
            cur = raw.cursor()
            if sqlite:
                cur.execute("BEGIN IMMEDIATE")
            cur.executemany(sql, rows[i:i + batch])
            raw.commit() if not sqlite else cur.execute("COMMIT")
            cur.close()
        baseline, baseline_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        raw.close()
    return {
        "events": count, "batch": batch,
        "append_events_per_second": round(count / end_to_end),
        "record_events_per_second": round(count / record_only),
        "integrate_events_per_second": round(count / integrate_only),
        "baseline_executemany_per_second": round(count / baseline),
        "ratio_to_baseline": round(baseline / end_to_end, 3),
        "cpu": {"append_events_per_second": round(count / end_to_end_cpu),
                "record_events_per_second": round(count / record_cpu),
                "integrate_events_per_second": round(count / integrate_cpu),
                "baseline_executemany_per_second": round(count / baseline_cpu)},
    }


def measure_proofs(sessions, *, seconds: float, rng: random.Random) -> dict:
    """Inclusion and consistency proofs per second at the current size, and the database-alone baseline."""
    from certbridge.db import read_session
    from certbridge.kit.merkle import tree_hash, verify_consistency, verify_inclusion
    from certbridge.ledger.models import LedgerTree
    from certbridge.ledger.proofs import Prover
    from certbridge.ledger.store import HashStore, warm_cache

    out = {}
    with read_session(sessions) as session:
        tree = session.get(LedgerTree, 1)
        size, root = tree.size, tree.root_hash
        t0 = time.perf_counter()
        out["warm_cache_hashes"] = warm_cache(session, size)  # as a running server does at startup
        out["warm_cache_seconds"] = round(time.perf_counter() - t0, 2)
        prover = Prover(session)
        # Correctness first: a sample of proofs must verify against the tree's root.
        for _ in range(20):
            i = rng.randrange(size)
            verify_inclusion(HashStore(session).read([_leaf_index(i)])[0], i, size, prover.inclusion(i, size), root)
        old = rng.randrange(1, size)
        verify_consistency(old, size, prover.consistency(old, size), tree_hash(old, prover.read), root)
        hashes_per_proof = []
        for name, make in (("inclusion", lambda: prover.inclusion(rng.randrange(size), size)),
                           ("consistency", lambda: prover.consistency(rng.randrange(1, size), size))):
            count, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                proof = make()
                count += 1
                if name == "inclusion" and count <= 200:
                    hashes_per_proof.append(len(proof))
            out[f"{name}_proofs_per_second"] = round(count / (time.perf_counter() - t0))
        # Baseline: the database alone, reading as many random stored hashes per query as a proof needs.
        per_query = round(sum(hashes_per_proof) / len(hashes_per_proof))
        end = _leaf_index(size - 1)
        store = HashStore(session)
        count, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            store._query(sorted({rng.randrange(end) for _ in range(per_query)}))
            count += 1
        out["baseline_raw_reads_per_second"] = round(count / (time.perf_counter() - t0))
        out["hashes_per_inclusion_proof"] = per_query
        out["inclusion_ratio_to_baseline"] = round(out["inclusion_proofs_per_second"] / out["baseline_raw_reads_per_second"], 3)
        out["tree_size"] = size
    return out


def _leaf_index(i: int) -> int:
    from certbridge.kit.merkle import stored_hash_index

    return stored_hash_index(0, i)


def run(events: int, *, backend: str = "sqlite", append: int = 100_000, batch: int = 1000, seconds: float = 5.0,
        seed: int = 1, data_dir: Path | None = None, pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres",
        keep: bool = False) -> dict:
    """Run the whole ledger benchmark and return its figures."""
    from certbridge.db import make_engine, make_sessionmaker
    from certbridge.migrate import upgrade
    from certbridge.settings import Settings

    data_dir = data_dir or DATA / f"ledger-{backend}-{events}"
    url = _database(events, backend=backend, seed=seed, data_dir=data_dir, pg_url=pg_url)
    settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench", instance_name="bench.local")
    engine = make_engine(url)
    rng = random.Random(seed)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        result = {"backend": backend, "machine": f"{platform.machine()} {os.cpu_count()} cores",
                  "load_average": round(os.getloadavg()[0], 2), "build": build_tree(sessions, events)}
        result["append"] = measure_append(sessions, settings, count=append, batch=batch, rng=rng)
        result["proofs"] = measure_proofs(sessions, seconds=seconds, rng=rng)
    finally:
        engine.dispose()
        if not keep:
            drop_database(url, pg_url)
    return result


def table(result: dict) -> str:
    """Render the figures as a Markdown table."""
    a, p, b = result["append"], result["proofs"], result["build"]
    rows = [
        ("fast-path build (leaves/s into ledger_hash)", f"{b['leaves_per_second']:,}", f"{b['seconds']} s for "
                                                                                      f"{b['stored_hashes']:,} hashes"),
        (f"durable append, record_events + integrate, batches of {a['batch']} (events/s)",
         f"{a['append_events_per_second']:,}", f"{a['ratio_to_baseline']} × raw executemany"),
        ("… record_events alone (events/s)", f"{a['record_events_per_second']:,}", ""),
        ("… integrate alone (events/s)", f"{a['integrate_events_per_second']:,}", ""),
        ("baseline: raw executemany of the same rows (rows/s)", f"{a['baseline_executemany_per_second']:,}", "1"),
        ("same four rates by this process's CPU time (append / record / integrate / baseline)",
         " / ".join(f"{a['cpu'][k]:,}" for k in ("append_events_per_second", "record_events_per_second",
                                                 "integrate_events_per_second", "baseline_executemany_per_second")),
         ""),
        (f"inclusion proofs/s at {p['tree_size']:,}", f"{p['inclusion_proofs_per_second']:,}",
         f"{p['inclusion_ratio_to_baseline']} × raw reads"),
        (f"consistency proofs/s at {p['tree_size']:,}", f"{p['consistency_proofs_per_second']:,}", ""),
        (f"baseline: uncached reads of {p['hashes_per_inclusion_proof']} random stored hashes (queries/s)",
         f"{p['baseline_raw_reads_per_second']:,}", "1"),
        ("hash cache warmed before the proofs (top-of-tree hashes)", f"{p['warm_cache_hashes']:,}",
         f"{p['warm_cache_seconds']} s"),
    ]
    lines = ["| figure | value | vs baseline |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {ratio} |" for name, value, ratio in rows]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, required=True, help="Log size to measure at")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--append", type=int, default=100_000, help="Events appended in the append test")
    parser.add_argument("--batch", type=int, default=1000, help="Events per transaction")
    parser.add_argument("--seconds", type=float, default=5.0, help="Seconds per proof measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server (admin database) for --backend postgresql")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards")
    parser.add_argument("--json", action="store_true", help="Also print the raw figures as JSON")
    args = parser.parse_args()
    result = run(args.events, backend=args.backend, append=args.append, batch=args.batch, seconds=args.seconds,
                 seed=args.seed, pg_url=args.pg_url, keep=args.keep)
    print(table(result))
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
