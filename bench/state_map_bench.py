"""State-map benchmark: `python -m bench.state_map_bench --keys N [--backend sqlite|postgresql]`.

Measures, on a map of N subjects (ledger/state_map.py, kit/state_map.py) in the app's own database:

* the map's cost on the durable append path: folding a batch of events into the map (read the chunks on
  the changed paths, re-hash them, upsert them, in one committed transaction), against the ledger's own
  durable append (`record_events` + `integrate`, from bench/ledger_bench.py) measured in the same run
  on the same database — the ratio is what the map adds to every write;
* status proofs: map proofs per second from the chunk table (one read session), and their encoded size;
* stapled status proofs (ledger/stapled.py) in their v1 form (`CBS1:`): their size in a map of N subjects, and
  encodings per second (the v2 form, `CBS2:`, is measured at 1 M and 10 M by bench/stapled_size_bench.py);
* a bulk receipt's multiproof (kit/state_multiproof.py) for 1,000 present and 100 absent names: its size
  against the single proofs it replaces, and names proven / checked per CPU second.

The N subjects take the path a demo's bulk load and an upgrade from before the map take: the map is built
whole (`kit.state_map.build_chunks`, `ledger.state_map.write_built`) from synthetic sorted entries; the same run
first folds up to 100,000 of them incrementally (the old way) as the subjects/s baseline. Events in the fold
half are half updates of existing subjects and half new ones, folded by `ledger.state_map.apply_changes` (the
engine's cache of upper chunks, as the integrator does).

`--before REV` also loads kit/state_map.py as it was at git revision REV and alternates, batch by batch, its
fold and proofs with today's, on the same database: CPU-time ratios that do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

from bench.ledger_bench import DATA, _database, build_tree, drop_database, measure_append

PREFILL_CHUNK = 200_000


def _key(i: int) -> bytes:
    from certbridge.kit.state_map import subject_key

    return subject_key(f"certificate:bench:{i:09d}")


def _value(i: int, version: int = 0) -> bytes:
    return hashlib.sha256(f"{i}:{version}".encode()).digest()


def prefill(sessions, keys: int) -> dict:
    """Build the map of N synthetic subjects whole, as a demo or an upgrade does; the same run first folds up to
    100,000 of them incrementally into the empty table (the baseline), then builds all N from scratch."""
    from certbridge.db import write_session
    from certbridge.kit.state_map import apply
    from certbridge.ledger.state_map import ChunkTable, encoded_chunks, write_built

    base = min(keys, 100_000)
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, base, PREFILL_CHUNK):
        with write_session(sessions) as session:
            table = ChunkTable(session)
            apply(table, [(_key(i), _value(i)) for i in range(start, min(base, start + PREFILL_CHUNK))])
            table.flush()
    fold_wall, fold_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    items = sorted(_key(i) + _value(i) for i in range(keys))
    c1 = time.process_time()
    root, rows = encoded_chunks(items)
    del items
    c2 = time.process_time()
    with write_session(sessions) as session:
        write_built(session, keys, root, rows)  # the map's position: N events (the synthetic log's size)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    with write_session(sessions) as session:
        chunks = session.connection().exec_driver_sql("SELECT count(*) FROM ledger_map_chunk").scalar()
    return {"keys": keys, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "keys_per_second": round(keys / seconds) if seconds else None,
            "keys_per_cpu_second": round(keys / cpu) if cpu else None,
            "phases_cpu": {"entries": round(c1 - c0, 1), "build_and_encode": round(c2 - c1, 1),
                           "write": round(cpu - (c2 - c0), 1)},
            "incremental_keys": base, "incremental_keys_per_second": round(base / fold_wall) if fold_wall else None,
            "incremental_keys_per_cpu_second": round(base / fold_cpu) if fold_cpu else None,
            "chunks": chunks}


def _old_kit(rev: str):
    """Load kit/state_map.py as it was at git revision `rev`, as a module of its own."""
    import subprocess
    import types

    source = subprocess.run(["git", "show", f"{rev}:src/certbridge/kit/state_map.py"], check=True,
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent).stdout
    module = types.ModuleType("state_map_before")
    module.__dict__["__name__"] = "state_map_before"
    import sys

    sys.modules["state_map_before"] = module
    exec(compile(source, f"{rev}:kit/state_map.py", "exec"), module.__dict__)
    return module


BEFORE_TABLE = "bench_map_chunk_before"


def _copy_for_old(sessions, old) -> None:
    """Give the old code a chunk table of its own, in its own format (no inner hashes before the code that keeps
    a cache of upper chunks, `ChunkCache`, which also stores them): both maps then take the same changes, each
    reads only chunks it wrote itself, and their roots must stay equal."""
    from certbridge.db import write_session

    with write_session(sessions) as session:
        conn = session.connection()
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {BEFORE_TABLE}")
        blob = "BLOB" if conn.dialect.name == "sqlite" else "BYTEA"
        conn.exec_driver_sql(f"CREATE TABLE {BEFORE_TABLE} (path {blob} PRIMARY KEY, chunk {blob} NOT NULL)")
        keep = hasattr(old, "ChunkCache")
        rows = [(bytes(p), bytes(c) if keep else _bare(bytes(c)))
                for p, c in conn.exec_driver_sql("SELECT path, chunk FROM ledger_map_chunk")]
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        cur = conn.connection.driver_connection.cursor()
        for start in range(0, len(rows), 100_000):
            cur.executemany(f"INSERT INTO {BEFORE_TABLE} (path, chunk) VALUES ({mark}, {mark})",
                            rows[start:start + 100_000])
        cur.close()


class _OldTable:
    """The old code's chunk store: the before-table, read and written with the old module's codec."""

    def __init__(self, session, old) -> None:
        conn = session.connection()
        self.raw, self.old = conn.connection.driver_connection, old
        self.mark = "?" if conn.dialect.name == "sqlite" else "%s"
        self.pending: dict[bytes, bytes] = {}

    def get_many(self, paths):
        out = {}
        cur = self.raw.cursor()
        try:
            cur.execute(f"SELECT path, chunk FROM {BEFORE_TABLE} WHERE path IN ({', '.join([self.mark] * len(paths))})",
                        paths)
            for path, chunk in cur.fetchall():
                out[bytes(path)] = self.old.decode_chunk(bytes(chunk))
        finally:
            cur.close()
        return out

    def put(self, path, chunk) -> None:
        self.pending[path] = self.old.encode_chunk(chunk)

    def flush(self) -> None:
        m = self.mark
        cur = self.raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {BEFORE_TABLE} (path, chunk) VALUES ({m}, {m}) "
                            f"ON CONFLICT (path) DO UPDATE SET chunk = excluded.chunk", list(self.pending.items()))
        finally:
            cur.close()
        self.pending.clear()


def _bare(data: bytes) -> bytes:
    """A stored chunk without the inner hashes stored after its entries, as the old code wrote and reads them."""
    bitmap, pos = int.from_bytes(data[:2], "big"), 2
    for i in range(16):
        if bitmap >> i & 1:
            pos += 65 if data[pos] == 76 else 33  # b"L"
    return data[:pos]


def measure_fold(sessions, *, keys: int, count: int, batch: int, rng: random.Random, old=None) -> dict:
    """Fold `count` events into the map in committed batches (half updates, half new subjects), as the integrator
    does (`apply_changes`: map position read, chunks, position written). With `old` (a module from `_old_kit`),
    each batch is also folded by the old code into its own copy of the map (`_copy_for_old`), in alternating
    order, one transaction each: CPU time per event for both, and the two roots checked equal."""
    from certbridge.db import write_session
    from certbridge.ledger.state_map import apply_changes, map_position

    fresh = iter(range(keys, keys + count + batch))
    cpu = {"new": 0.0, "old": 0.0}
    old_state = None
    if old is not None and hasattr(old, "ChunkCache"):
        with write_session(sessions) as session:
            old_state = {"root": map_position(session)[1], "cache": old.ChunkCache()}
    seconds, done = 0.0, 0
    for number, start in enumerate(range(-batch, count, batch)):  # the first batch warms up, uncounted
        n = min(batch, count - start)
        changes = dict((_key(rng.randrange(keys)), _value(start, 1)) if j % 2 else (_key(next(fresh)), _value(start))
                       for j in range(n))
        roots = {}
        for mode in (["new", "old"] if number % 2 else ["old", "new"]) if old is not None else ["new"]:
            w0, c0 = time.perf_counter(), time.process_time()
            with write_session(sessions) as session:
                if mode == "new":
                    size, root = map_position(session)
                    roots[mode] = apply_changes(session, changes, size, root)
                else:
                    table = _OldTable(session, old)
                    if old_state is not None:  # the old code's own cache of upper chunks, as the integrator uses it
                        old_state["root"] = roots[mode] = old.apply(table, changes, root=old_state["root"],
                                                                    cache=old_state["cache"])
                    else:
                        roots[mode] = old.apply(table, changes)
                    table.flush()
            if start >= 0:
                cpu[mode] += time.process_time() - c0
                if mode == "new":
                    seconds += time.perf_counter() - w0
        if old is not None:
            assert roots["new"] == roots["old"], "the old and new code disagree on a root"
        done += n if start >= 0 else 0
    out = {"events": done, "batch": batch, "fold_events_per_second": round(done / seconds),
           "cpu_fold_events_per_second": round(done / cpu["new"]) if cpu["new"] else None}
    if old is not None:
        out["before_cpu_fold_events_per_second"] = round(done / cpu["old"]) if cpu["old"] else None
        out["cpu_ratio_before_to_after"] = round(cpu["old"] / cpu["new"], 2)
    return out


def measure_proofs(sessions, *, keys: int, seconds: float, rng: random.Random, old=None) -> dict:
    """Map proofs per second for random subjects (half present, half absent), verified first, and their sizes.

    CPU time per proof against a same-run baseline: a raw read of the same rows (the up-to-17 chunk paths of the
    key, one indexed query, bytes not decoded). With `old`, the old `prove` alternates with today's.
    """
    from certbridge.db import read_session
    from certbridge.kit.state_map import chunk_path, encode_proof, prove, verify
    from certbridge.ledger.state_map import ChunkTable, map_position

    with read_session(sessions) as session:
        table = ChunkTable(session)
        _, root = map_position(session)
        sizes = []
        for _ in range(200):  # correctness and sizes first
            i = rng.randrange(keys)
            proof = prove(table, _key(i))
            assert verify(root, _key(i), proof) is not None
            sizes.append(len(encode_proof(proof)))
        old_table = _OldTable(session, old) if old is not None else None

        def raw(key):
            nibbles = chunk_path(key)
            paths = [nibbles[:d] for d in range(17)]
            cur = table.raw.cursor()
            cur.execute(f"SELECT path, chunk FROM ledger_map_chunk WHERE path IN ({', '.join([table.mark] * 17)})",
                        paths)
            cur.fetchall()
            cur.close()

        modes = {"new": lambda k: prove(table, k), "raw": raw}
        if old is not None and hasattr(old, "ChunkCache"):  # its own cache, warmed as it goes, and the root
            old_root = old.chunk_hash(old_table.get_many([b""])[b""])
            old_cache = old.ChunkCache()
            modes["old"] = lambda k: old.prove(old_table, k, root=old_root, cache=old_cache)
        elif old is not None:
            modes["old"] = lambda k: old.prove(old_table, k)
        cpu = dict.fromkeys(modes, 0.0)
        done = dict.fromkeys(modes, 0)
        t0 = time.perf_counter()
        wall_new = 0.0
        while time.perf_counter() - t0 < seconds * len(modes):
            for mode, run in modes.items():
                asked = [_key(rng.randrange(keys * 2)) for _ in range(100)]  # half of these are absence proofs
                w0, c0 = time.perf_counter(), time.process_time()
                for key in asked:
                    run(key)
                cpu[mode] += time.process_time() - c0
                if mode == "new":
                    wall_new += time.perf_counter() - w0
                done[mode] += 100
    out = {"proofs_per_second": round(done["new"] / wall_new), "proofs_per_cpu_second": round(done["new"] / cpu["new"]),
           "raw_reads_per_cpu_second": round(done["raw"] / cpu["raw"]),
           "proof_bytes_median": int(statistics.median(sizes)), "proof_bytes_max": max(sizes)}
    if old is not None:
        out["before_proofs_per_cpu_second"] = round(done["old"] / cpu["old"])
    return out


def measure_multiproof(sessions, *, keys: int, present: int = 1000, absent: int = 100, rounds: int = 3,
                       rng: random.Random) -> dict:
    """A bulk receipt's state-map multiproof (kit/state_multiproof.py) for `present` subjects and `absent` names:
    its size against the single proofs it replaces, and how fast it is made (from the chunk table) and checked."""
    from certbridge.db import read_session
    from certbridge.kit import state_multiproof as mp
    from certbridge.kit.state_map import chunk_hash, encode_proof, prove, subject_key
    from certbridge.ledger.state_map import ChunkTable

    made = checked = 0.0
    with read_session(sessions) as session:
        table = ChunkTable(session)
        root = chunk_hash(table.get_many([b""])[b""])
        for _ in range(rounds):
            asked = [_key(i) for i in rng.sample(range(keys), present)] + [
                subject_key(f"certificate:nobody:{rng.random()}") for _ in range(absent)]
            t0 = time.process_time()
            proofs = {k: prove(table, k) for k in asked}
            data = mp.combine(proofs)
            t1 = time.process_time()
            values = mp.verify(root, asked, data)
            checked += time.process_time() - t1
            made += t1 - t0
            assert sum(v is not None for v in values.values()) == present
        singles = sum(len(encode_proof(p)) for p in proofs.values())
    names = rounds * (present + absent)
    return {"present": present, "absent": absent, "bytes": len(data), "single_proofs_bytes": singles,
            "bytes_per_name": round(len(data) / (present + absent)),
            "names_per_cpu_second_made": round(names / made) if made else None,
            "names_per_cpu_second_checked": round(names / checked) if checked else None}


_ISSUE_STATE = {  # a typical certificate's issue event state (the shape certificates/snapshots.py writes)
    "audits": [{"auditors": [[1, "2021-N1QMS-1000001", "leader"]], "end_on": "2025-02-21", "kind": "initial",
                "method": "FS01", "start_on": "2025-02-20"}], "body_id": 1, "certification_mode": None, "cycle": 1,
    "expires_on": "2028-03-01", "holder_address": "广西北海市海城区北京路 1 号", "holder_name": "北海市海城区示例电子有限公司",
    "issued_on": "2025-03-01", "last_surveillance_on": None, "number": "00126Q26001R0M/4500", "organization_id": 1,
    "previous_id": None, "product": None, "region_code": "450502", "scheme_code": "QMS", "scope": "电子元器件的设计和生产",
    "scope_en": None, "sites": [], "standard_id": 1, "status": "valid", "status_changed_on": "2025-03-01",
    "status_reason": None, "suspended_until": None}
_BODY_STATE = {"code": "00126", "approval_number": "CNCA-R-2002-126", "name": "北海示例认证有限公司", "name_en": None,
               "uscc": "91450500MA5L000000", "foreign_invested": False, "region_code": "450500",
               "address": "广西北海市海城区", "status": "approved", "status_reason": None, "approved_on": "2020-01-01",
               "valid_until": "2030-01-01", "fields": ["QMS"]}


def _event(seq: int, kind: str, subject: tuple[str, int], state: dict, prev) -> str:
    from certbridge.kit.canonical_json import canonical_bytes

    return canonical_bytes({"actor": "user:3:cb_a/key:4857bb87de9f", "at": "2026-12-07T03:02:36.530433Z",
                            "data": {"state": state}, "prev": prev, "seq": seq,
                            "subject": {"id": str(subject[1]), "type": subject[0]}, "type": kind, "v": 1}).decode()


def measure_stapled(sessions, *, keys: int, rng: random.Random, seconds: float) -> dict:
    """The size of a stapled status proof (ledger/stapled.py) in a map of N subjects and a log of N events.

    Map proofs are real (this map); event bodies have the shape the app writes; the checkpoint is a real
    signed note with one witness cosignature line; inclusion hashes are random (their size is what counts).
    Two certificates: just issued (no inclusion proof: the map commits to its only event), and suspended
    (the issue event keeps an inclusion proof of ceil(log2 N) hashes). Also: encodings per second.
    """
    import base64
    import math

    from certbridge.db import read_session
    from certbridge.kit.state_map import encode_proof, prove
    from certbridge.ledger import stapled
    from certbridge.ledger.state_map import ChunkTable

    note = ("bench.local/log\n%d\n%s\ncertbridge-state-map/v1 %s\ncertbridge-time 1796000000\n\n"
            "\u2014 bench.local/log AbCdEf%s\n\u2014 witness.example/witness GhIjKl%s\n"
            % (keys, base64.b64encode(os.urandom(32)).decode(), base64.b64encode(os.urandom(32)).decode(),
               base64.b64encode(os.urandom(64)).decode(), base64.b64encode(os.urandom(72)).decode()))
    depth = max(1, math.ceil(math.log2(keys)))
    with read_session(sessions) as session:
        table = ChunkTable(session)
        cert_proof = base64.b64encode(encode_proof(prove(table, _key(rng.randrange(keys))))).decode()
        body_proof = base64.b64encode(encode_proof(prove(table, _key(rng.randrange(keys))))).decode()
    inclusion = [base64.b64encode(os.urandom(32)).decode() for _ in range(depth)]
    issue = _event(keys - 50, "certificate.issued", ("certificate", 1), _ISSUE_STATE, None)
    suspend = _event(keys - 10, "certificate.suspended", ("certificate", 1),
                     {"status": "suspended", "status_reason": "监督审核发现严重不符合", "status_changed_on": "2026-12-07",
                      "suspended_until": "2027-06-07"}, keys - 50)
    body = {"format": "certbridge-status-proof/v1", "name": "body:00126", "present": True, "checkpoint": note,
            "tree_size": keys, "map_proof": body_proof,
            "events": [_event(3, "body.approved", ("body", 1), _BODY_STATE, None)], "inclusion_proofs": [[]]}

    def proof(events, inclusions):
        return {"format": stapled.FORMAT_V1, "valid_days": 7, "name": "certificate:00126:00126Q26001R0M/4500",
                "present": True, "checkpoint": note, "tree_size": keys, "map_proof": cert_proof, "events": events,
                "inclusion_proofs": inclusions, "body_proof": body}

    issued, suspended = proof([issue], [[]]), proof([issue, suspend], [inclusion, []])
    sizes = {}
    for label, p in (("issued", issued), ("suspended", suspended)):
        text = stapled.encode(p)
        sizes[label] = {"bytes": stapled.packed_size(text), "qr_chars": len(text)}
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        stapled.decode(stapled.encode(suspended))
        done += 1
    return {**sizes, "inclusion_hashes": depth, "encode_decode_per_second": round(done / (time.perf_counter() - t0))}


def run(keys: int, *, backend: str = "sqlite", events: int = 20_000, batch: int = 1000, seconds: float = 5.0,
        seed: int = 1, pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres", before: str | None = None,
        only_map: bool = False) -> dict:
    """Run the state-map benchmark and return its figures."""
    from certbridge.db import make_engine, make_sessionmaker
    from certbridge.migrate import upgrade
    from certbridge.settings import Settings

    data_dir = DATA / f"statemap-{backend}-{keys}"
    url = _database(keys, backend=backend, seed=seed, data_dir=data_dir, pg_url=pg_url)
    settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench", instance_name="bench.local")
    engine = make_engine(url)
    rng = random.Random(seed)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        result = {"backend": backend, "machine": f"{platform.machine()} {os.cpu_count()} cores",
                  "load_average": round(os.getloadavg()[0], 2)}
        t0, c0 = time.perf_counter(), time.process_time()
        build_tree(sessions, keys)  # a log of N events under the map, as ledger_bench builds it
        result["log_build"] = {"seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(time.process_time() - c0, 1)}
        result["prefill"] = prefill(sessions, keys)
        old = _old_kit(before) if before else None
        if old is not None:
            _copy_for_old(sessions, old)
        from certbridge.db import read_session
        from certbridge.ledger.state_map import warm_cache

        with read_session(sessions) as session:  # the upper levels, as a running server has them
            result["cache_warmed_chunks"] = warm_cache(session)
        # the baseline first: the durable append alone (its events name no registry row, so its folds are empty)
        result["append"] = measure_append(sessions, settings, count=events, batch=batch, rng=rng)
        result["fold"] = measure_fold(sessions, keys=keys, count=events, batch=batch, rng=rng, old=old)
        a, f = result["append"], result["fold"]
        combined = 1 / (1 / a["append_events_per_second"] + 1 / f["fold_events_per_second"])
        cpu_append = a.get("cpu", {}).get("append_events_per_second")
        result["with_map"] = {"append_events_per_second": round(combined),
                              "ratio_to_append": round(combined / a["append_events_per_second"], 3)}
        if cpu_append:
            result["with_map"]["cpu_fold_to_append"] = round(cpu_append / f["cpu_fold_events_per_second"], 3)
            if old is not None:
                result["with_map"]["before_cpu_fold_to_append"] = round(
                    cpu_append / f["before_cpu_fold_events_per_second"], 3)
        result["proofs"] = measure_proofs(sessions, keys=keys, seconds=seconds, rng=rng, old=old)
        result["load_average_end"] = round(os.getloadavg()[0], 2)
        if not only_map:
            result["multiproof"] = measure_multiproof(sessions, keys=keys, rng=rng)
            result["stapled"] = measure_stapled(sessions, keys=keys, rng=rng, seconds=min(seconds, 2.0))
    finally:
        engine.dispose()
        drop_database(url, pg_url)
    return result


def table(result: dict) -> str:
    """Render the figures as a Markdown table."""
    p, a, f, w, q = result["prefill"], result["append"], result["fold"], result["with_map"], result["proofs"]
    rows = [
        (f"map built whole: subjects/s (wall; per CPU s), {p['keys']:,} → {p['chunks']:,} chunks",
         f"{p['keys_per_second']:,}; {p['keys_per_cpu_second']:,}",
         f"{round(p['keys_per_cpu_second'] / p['incremental_keys_per_cpu_second'], 1)} × folding "
         f"{p['incremental_keys']:,} into an empty map ({p['incremental_keys_per_cpu_second']:,}/CPU s)"),
        ("  CPU s: entries / build + encode / write", " / ".join(str(v) for v in p["phases_cpu"].values()), ""),
        (f"baseline: durable append, record_events + integrate, batches of {a['batch']} (events/s; per CPU s)",
         f"{a['append_events_per_second']:,}; {a['cpu']['append_events_per_second']:,}", "1"),
        ("map fold alone, same batches (events/s; per CPU s)",
         f"{f['fold_events_per_second']:,}; {f['cpu_fold_events_per_second']:,}",
         f"fold CPU = {w.get('cpu_fold_to_append')} × append CPU"),
    ]
    if "before_cpu_fold_events_per_second" in f:
        rows.append(("  the same folds by the code before, alternated batch by batch (per CPU s)",
                     f"{f['before_cpu_fold_events_per_second']:,}",
                     f"fold CPU = {w.get('before_cpu_fold_to_append')} × append CPU; "
                     f"after is {f['cpu_ratio_before_to_after']} × faster"))
    rows += [
        ("durable append with the map (events/s, both halves in sequence, wall)", f"{w['append_events_per_second']:,}",
         f"{w['ratio_to_append']} × append"),
        ("status (map) proofs, half present half absent (per s wall; per CPU s)",
         f"{q['proofs_per_second']:,}; {q['proofs_per_cpu_second']:,}",
         f"raw read of the same rows: {q['raw_reads_per_cpu_second']:,}/CPU s"),
    ]
    if "before_proofs_per_cpu_second" in q:
        rows.append(("  the same proofs by the code before, alternated (per CPU s)",
                     f"{q['before_proofs_per_cpu_second']:,}",
                     f"after is {round(q['proofs_per_cpu_second'] / q['before_proofs_per_cpu_second'], 1)} × faster"))
    rows.append(("encoded map proof, median / max (bytes)", f"{q['proof_bytes_median']} / {q['proof_bytes_max']}", ""))
    st = result.get("stapled")
    if st:
        rows += [
            ("stapled status proof, just issued / suspended (bytes compressed; QR text chars)",
             f"{st['issued']['bytes']} / {st['suspended']['bytes']}",
             f"{st['issued']['qr_chars']} / {st['suspended']['qr_chars']} chars (40-L holds 4,296)"),
            ("stapled proof encode + decode (per s)", f"{st['encode_decode_per_second']:,}", ""),
        ]
    m = result.get("multiproof")
    if m:
        rows += [
            (f"bulk-receipt multiproof, {m['present']:,} present + {m['absent']} absent names (bytes; per name)",
             f"{m['bytes']:,}; {m['bytes_per_name']}",
             f"{round(m['bytes'] / m['single_proofs_bytes'], 3)} × the single proofs ({m['single_proofs_bytes']:,})"),
            ("multiproof names made / checked per CPU second", f"{m['names_per_cpu_second_made']:,} / "
             f"{m['names_per_cpu_second_checked']:,}", ""),
        ]
    lines = ["| figure | value | vs baseline |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {ratio} |" for name, value, ratio in rows]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, required=True, help="Subjects in the map (and events in the log)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--events", type=int, default=20_000, help="Events appended and folded")
    parser.add_argument("--batch", type=int, default=1000, help="Events per transaction")
    parser.add_argument("--seconds", type=float, default=5.0, help="Seconds of proof generation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", action="store_true", help="Also print the raw figures as JSON")
    parser.add_argument("--before", help="A git revision whose kit/state_map.py to alternate with today's")
    parser.add_argument("--only-map", action="store_true", help="Skip the multiproof and stapled-proof figures")
    args = parser.parse_args()
    result = run(args.keys, backend=args.backend, events=args.events, batch=args.batch, seconds=args.seconds,
                 seed=args.seed, pg_url=args.pg_url, before=args.before, only_map=args.only_map)
    print(table(result))
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
