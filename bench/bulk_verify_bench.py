"""Bulk verification benchmark: `python -m bench.bulk_verify_bench [--certificates 20000] [--rows 10000] [--repeat 3]`.

Builds (once, kept in bench/data/bulk-<size>/) a demo data set of `--certificates` certificates, takes a supplier
list of `--rows` rows from it — 40 % by USCC, 30 % by certificate number, 20 % by exact name, 10 % by a name as
people write it (without the region prefix) — and measures `opendata.bulk_receipt.build_bulk_receipt` end to end
(matching, effective status with reasons, signing), against a baseline measured in the same run: the bare
set-wise look-ups of the same keys (organizations by USCC and by name, certificates by number, 500 keys per
IN list, rows fetched) — the least any exact matcher must read. Also timed: the receipt's JSON, XLSX and PDF.
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

from sqlalchemy import select

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


def supplier_list(session, rows: int) -> list[ListRow]:
    """Return a list of `rows` rows drawn from the data set (USCC, number, exact and written-as-people-do names)."""
    rng = random.Random(11)
    certs = list(session.execute(select(Certificate.number, Organization.uscc, Organization.name).join(
        Organization, Organization.id == Certificate.organization_id).limit(rows * 2)))
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


def main() -> None:
    """Run the benchmark and print a JSON line of results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = dataset(args.certificates)
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url()))
    with read_session(sessions) as session:
        rows = supplier_list(session, args.rows)
    timings, floors = [], []
    for _ in range(args.repeat):
        with read_session(sessions) as session:
            started = time.perf_counter()
            baseline(session, rows)
            floors.append(time.perf_counter() - started)
        with read_session(sessions) as session:
            started = time.perf_counter()
            receipt = build_bulk_receipt(session, settings=settings, rows=rows, list_name="bench")
            timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    json.dumps(receipt, ensure_ascii=False)
    json_s = time.perf_counter() - started
    started = time.perf_counter()
    receipt_xlsx(receipt)
    xlsx_s = time.perf_counter() - started
    started = time.perf_counter()
    receipt_pdf(receipt)
    pdf_s = time.perf_counter() - started
    best, floor = min(timings), min(floors)
    print(json.dumps({"certificates": args.certificates, "rows": args.rows, "summary": receipt["summary"],
                      "verify_s": [round(t, 3) for t in timings], "baseline_s": [round(t, 3) for t in floors],
                      "ratio_best": round(best / floor, 1), "median_verify_s": round(statistics.median(timings), 3),
                      "json_s": round(json_s, 3), "xlsx_s": round(xlsx_s, 2), "pdf_s": round(pdf_s, 2),
                      "load": os.getloadavg(), "python": platform.python_version()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
