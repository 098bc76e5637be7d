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

The N subjects take a fast path (synthetic keys and values folded through the same `kit.state_map.apply`
and chunk table in batches of 200,000), which is also the rate an upgraded instance folds its old log at.
Events in the append half are half updates of existing subjects and half new ones.
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
    """Fold N synthetic subjects into the map, a committed batch at a time."""
    from certbridge.db import write_session
    from certbridge.kit.state_map import apply
    from certbridge.ledger.state_map import ChunkTable

    t0 = time.perf_counter()
    for start in range(0, keys, PREFILL_CHUNK):
        with write_session(sessions) as session:
            table = ChunkTable(session)
            apply(table, [(_key(i), _value(i)) for i in range(start, min(keys, start + PREFILL_CHUNK))])
            table.flush()
    seconds = time.perf_counter() - t0
    with write_session(sessions) as session:
        chunks = session.connection().exec_driver_sql("SELECT count(*) FROM ledger_map_chunk").scalar()
    return {"keys": keys, "seconds": round(seconds, 1), "keys_per_second": round(keys / seconds) if seconds else None,
            "chunks": chunks}


def measure_fold(sessions, *, keys: int, count: int, batch: int, rng: random.Random) -> dict:
    """Fold `count` events into the map in committed batches: half updates, half new subjects."""
    from certbridge.db import write_session
    from certbridge.kit.state_map import apply
    from certbridge.ledger.state_map import ChunkTable

    fresh = iter(range(keys, keys + count))
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, count, batch):
        n = min(batch, count - start)
        changes = [(_key(rng.randrange(keys)), _value(start, 1)) if j % 2 else (_key(next(fresh)), _value(start))
                   for j in range(n)]
        with write_session(sessions) as session:
            table = ChunkTable(session)
            apply(table, changes)
            table.flush()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"events": count, "batch": batch, "fold_events_per_second": round(count / seconds),
            "cpu_fold_events_per_second": round(count / cpu) if cpu else None}


def measure_proofs(sessions, *, keys: int, seconds: float, rng: random.Random) -> dict:
    """Map proofs per second for random subjects (present and absent), verified first, and their sizes."""
    from certbridge.db import read_session
    from certbridge.kit.state_map import encode_proof, prove, verify
    from certbridge.ledger.state_map import ChunkTable

    with read_session(sessions) as session:
        table = ChunkTable(session)
        root_chunk = table.get_many([b""])[b""]
        from certbridge.kit.state_map import chunk_hash

        root = chunk_hash(root_chunk)
        sizes = []
        for _ in range(200):  # correctness and sizes first
            i = rng.randrange(keys)
            proof = prove(table, _key(i))
            assert verify(root, _key(i), proof) is not None
            sizes.append(len(encode_proof(proof)))
        done, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(100):
                prove(table, _key(rng.randrange(keys * 2)))  # half of these are absence proofs
            done += 100
        rate = done / (time.perf_counter() - t0)
    return {"proofs_per_second": round(rate), "proof_bytes_median": int(statistics.median(sizes)),
            "proof_bytes_max": max(sizes)}


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
        seed: int = 1, pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> dict:
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
        build_tree(sessions, keys)  # a log of N events under the map, as ledger_bench builds it
        result["prefill"] = prefill(sessions, keys)
        # the baseline first: the durable append alone (the map is behind this synthetic log, so no fold runs)
        result["append"] = measure_append(sessions, settings, count=events, batch=batch, rng=rng)
        result["fold"] = measure_fold(sessions, keys=keys, count=events, batch=batch, rng=rng)
        append, fold = result["append"]["append_events_per_second"], result["fold"]["fold_events_per_second"]
        combined = 1 / (1 / append + 1 / fold)
        result["with_map"] = {"append_events_per_second": round(combined), "ratio_to_append": round(combined / append, 3)}
        result["proofs"] = measure_proofs(sessions, keys=keys, seconds=seconds, rng=rng)
        result["multiproof"] = measure_multiproof(sessions, keys=keys, rng=rng)
        result["stapled"] = measure_stapled(sessions, keys=keys, rng=rng, seconds=min(seconds, 2.0))
    finally:
        engine.dispose()
        drop_database(url, pg_url)
    return result


def table(result: dict) -> str:
    """Render the figures as a Markdown table."""
    p, a, f, w, q = result["prefill"], result["append"], result["fold"], result["with_map"], result["proofs"]
    st = result["stapled"]
    rows = [
        (f"prefill: subjects folded into an empty map (subjects/s, {p['keys']:,} → {p['chunks']:,} chunks)",
         f"{p['keys_per_second']:,}", ""),
        (f"baseline: durable append, record_events + integrate, batches of {a['batch']} (events/s)",
         f"{a['append_events_per_second']:,}", "1"),
        ("map fold alone, same batches (events/s)", f"{f['fold_events_per_second']:,}", ""),
        ("durable append with the map (events/s, both halves in sequence)", f"{w['append_events_per_second']:,}",
         f"{w['ratio_to_append']} × append"),
        ("status (map) proofs/s, half present half absent", f"{q['proofs_per_second']:,}", ""),
        ("encoded map proof, median / max (bytes)", f"{q['proof_bytes_median']} / {q['proof_bytes_max']}", ""),
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
    args = parser.parse_args()
    result = run(args.keys, backend=args.backend, events=args.events, batch=args.batch, seconds=args.seconds,
                 seed=args.seed, pg_url=args.pg_url)
    print(table(result))
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
