"""Bulk verification benchmark: `python -m bench.bulk_verify_bench [--certificates 20000] [--rows 10000] [--repeat 3]`.

Builds (once, kept in bench/data/bulk-<size>/) a demo data set of `--certificates` certificates, takes a supplier
list of `--rows` rows from it — 40 % by USCC, 30 % by certificate number, 20 % by exact name, 10 % by a name as
people write it (without the region prefix) — and measures `opendata.bulk_receipt.build_bulk_receipt` end to end
(matching, effective status with reasons, signing), against a baseline measured in the same run: the bare
set-wise look-ups of the same keys (organizations by USCC and by name, certificates by number, 500 keys per
IN list, rows fetched) — the least any exact matcher must read. Also timed: the receipt's JSON, XLSX and PDF.
`map_names` is how many certificates the receipt's state-map proof covers. Every figure is given by the wall clock and by CPU time (`time.process_time`): on a shared, loaded machine the
process waits for a core most of the wall time, and CPU time is what an idle machine's wall time would approach.
`phases_cpu_s`: the CPU of one more receipt by phase (matching and verdicts; the state proof, and within it the
latest events and the multiproof; the rest is JSON and signature). `--spread` draws the list's rows from certificates all over the data set (distinct holders, as a real list
has) instead of the first `2 × rows` certificates (few holders, each named on several rows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from certbridge.certificates.models import Certificate
from certbridge.db import make_engine, make_sessionmaker, read_session
from certbridge.kit.chinese_text import normalize_name
from certbridge.opendata.bulk_documents import receipt_pdf, receipt_xlsx
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.registry.models import Organization
from certbridge.settings import Settings

DATA = Path(__file__).resolve().parent / "data"


def dataset(size: int) -> Settings:
    """Return settings of a demo data set of `size` certificates, building it the first time."""
    folder = DATA / f"bulk-{size}"
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'certbridge.db'}",
                        secret_key="bench-secret", instance_name="bench.local")
    if not (folder / "certbridge.db").exists():
        from certbridge.demo.dataset import build_dataset

        build_dataset(settings, size=size, seed=7, as_of=date(2026, 12, 1))
    return settings


def supplier_list(session, rows: int, *, spread: bool = False) -> list[ListRow]:
    """Return a list of `rows` rows drawn from the data set (USCC, number, exact and written-as-people-do names)."""
    rng = random.Random(11)
    stmt = select(Certificate.number, Organization.uscc, Organization.name).join(
        Organization, Organization.id == Certificate.organization_id)
    if spread:  # certificate ids drawn at random over the whole table
        top = session.scalar(select(func.max(Certificate.id)))
        ids = sorted({rng.randint(1, top) for _ in range(rows * 2)})
        certs = [c for i in range(0, len(ids), 500)
                 for c in session.execute(stmt.where(Certificate.id.in_(ids[i:i + 500])))]
    else:
        certs = list(session.execute(stmt.limit(rows * 2)))
    out = []
    for i in range(rows):
        number, uscc, name = certs[rng.randrange(len(certs))]
        k = i % 10
        if k < 4:
            out.append(ListRow(i + 2, uscc=uscc or ""))
        elif k < 7:
            out.append(ListRow(i + 2, number=number))
        elif k < 9:
            out.append(ListRow(i + 2, name=name))
        else:
            out.append(ListRow(i + 2, name=name[2:] if len(name) > 6 else name))
    return out


def baseline(session, rows: list[ListRow]) -> None:
    """Read the same keys set-wise, with no matching logic: the floor of any exact matcher."""
    def chunks(values):
        values = sorted(values)
        return [values[i:i + 500] for i in range(0, len(values), 500)]

    for part in chunks({r.uscc for r in rows if r.uscc}):
        session.execute(select(Organization.id, Organization.search_name).where(Organization.uscc.in_(part))).all()
    for part in chunks({r.number for r in rows if r.number}):
        session.execute(select(Certificate).where(Certificate.number.in_(part))).all()
    for part in chunks({normalize_name(r.name) for r in rows if r.name}):
        session.execute(select(Organization.id).where(Organization.search_name.in_(part))).all()


def _timed(fn, *args, **kwargs):
    """Return (result, wall seconds, CPU seconds) of a call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def phase_timers() -> dict[str, float]:
    """Wrap the receipt's phases — matching and verdicts, the state proof, and within it the latest events and the
    multiproof — so each one's CPU seconds add up in the returned dict; the rest of a receipt's CPU is its JSON and
    signature. For the breakdown of one extra receipt only: the figures reported are those of unwrapped calls."""
    from certbridge.kit import state_multiproof
    from certbridge.opendata import bulk_map_proof, bulk_receipt

    phases = {"verify_rows": (bulk_receipt, "verify_rows"), "state": (bulk_receipt, "build_state"),
              "state.latest_events": (bulk_map_proof, "_latest_certificates"),
              "state.multiproof": (state_multiproof, "build")}
    spent: dict[str, float] = {}
    for name, (owner, attr) in phases.items():
        fn = getattr(owner, attr, None)
        if fn is None:  # a tree without this phase (an older main)
            continue
        spent[name] = 0.0

        def timed(*args, _fn=fn, _name=name, **kwargs):
            start = time.process_time()
            try:
                return _fn(*args, **kwargs)
            finally:
                spent[_name] += time.process_time() - start
        setattr(owner, attr, timed)
    return spent


def main() -> None:
    """Run the benchmark and print a JSON line of results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spread", action="store_true", help="rows from certificates all over the data set")
    args = parser.parse_args()
    settings = dataset(args.certificates)
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url()))
    with read_session(sessions) as session:
        rows = supplier_list(session, args.rows, spread=args.spread)
    timings, floors = [], []
    for _ in range(args.repeat):
        with read_session(sessions) as session:
            floors.append(_timed(baseline, session, rows)[1:])
        with read_session(sessions) as session:
            receipt, *took = _timed(build_bulk_receipt, session, settings=settings, rows=rows, list_name="bench")
            timings.append(took)
    spent = phase_timers()  # one more receipt, with its phases timed (not among the figures above)
    with read_session(sessions) as session:
        took = _timed(build_bulk_receipt, session, settings=settings, rows=rows, list_name="bench")[2]
    phases = {name: round(t, 3) for name, t in spent.items()} | {"whole": round(took, 3)}
    try:  # what the API answers with (a tree from before receipt_json: Starlette's JSONResponse encoding)
        from certbridge.opendata.bulk_documents import receipt_json
    except ImportError:
        def receipt_json(r):
            return json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    docs = {name: [round(t, 2) for t in _timed(fn, receipt)[1:]] for name, fn in (
        ("json", receipt_json), ("xlsx", receipt_xlsx), ("pdf", receipt_pdf))}
    best, floor = min(t[1] for t in timings), min(f[1] for f in floors)
    print(json.dumps({"certificates": args.certificates, "rows": args.rows, "spread": args.spread,
                      "holders": len({r["organization"]["id"] for r in receipt["rows"] if r["organization"]}),
                      "summary": receipt["summary"], "format": receipt["format"],
                      "map_names": len((receipt["state"] or {}).get("certificates") or {}),
                      "map_proof_bytes": len(receipt["state"]["map_proof"]) * 3 // 4 if receipt["state"] else 0,
                      "verify_wall_s": [round(t[0], 3) for t in timings],
                      "verify_cpu_s": [round(t[1], 3) for t in timings],
                      "baseline_wall_s": [round(f[0], 3) for f in floors],
                      "baseline_cpu_s": [round(f[1], 3) for f in floors],
                      "ratio_cpu_best": round(best / floor, 1), "phases_cpu_s": phases, "median_verify_cpu_s": round(statistics.median(
                          t[1] for t in timings), 3), "documents_wall_cpu_s": docs,
                      "load": os.getloadavg(), "python": platform.python_version()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
