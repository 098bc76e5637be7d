"""Where a bulk import's CPU goes: `python -m bench.import_stages --data-dir DIR [--database-url URL] [--rows 5000]
[--repeat 1]`.

Runs `bench.run.bench_import` on an existing data set (built by `bench.run` or `certbridge demo`) with the
import's stages wrapped in CPU-time counters (`time.process_time`), and prints microseconds of CPU per CSV row
for each (averaged over `--repeat` alternated rounds), beside the import's total and the physical-limit
baseline's (the same rows inserted raw). Stages nest: `issue_drafts` contains `prepare_batch` and `write_batch`;
`prepare_batch` contains `encode_plain` and the event-data templates (`organization_registered`,
`certificate_issued_state`, `audit_state`); `write_batch` contains `_insert` (the organization, name,
certificate and audit rows) and `append_prepared` (the ledger events). Wrapping adds a little time per call,
so read the shares, not the sum.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import time
from pathlib import Path


def measure(data_dir: Path, database_url: str | None, rows: int, repeat: int = 1) -> dict:
    """Import `rows` CSV rows (rolled back) `repeat` times with the stages counted; return µs of CPU per row for each."""
    import certbridge.certificates.bulk as bulk
    import certbridge.certificates.importer as importer
    from bench.run import bench_import
    from certbridge.db import make_engine, make_sessionmaker
    from certbridge.settings import Settings

    spent: dict[str, float] = {}

    def wrap(module, name: str) -> None:
        original = getattr(module, name, None)
        if original is None:  # a stage an older tree does not have (compared against one)
            return

        @functools.wraps(original)
        def counted(*args, **kwargs):
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start

        setattr(module, name, counted)

    for module, name in ((importer, "read_table"), (importer, "draft_from_row"), (importer, "_existing_certificates"),
                         (importer, "issue_drafts"), (bulk, "validate_uscc"), (bulk, "load_rules"),
                         (bulk, "prepare_batch"), (bulk, "validate_specs"), (bulk, "normalize_name"),
                         (bulk, "name_bigrams"), (bulk, "encode_plain"), (bulk, "organization_registered"),
                         (bulk, "certificate_issued_state"), (bulk, "audit_state"), (bulk, "write_batch"), (bulk, "_insert"),
                         (bulk, "append_prepared"), (bulk, "_check_unique_in_database"),
                         (importer, "_import")):
        wrap(module, name)
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key="bench")
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url()))
    load = os.getloadavg()
    result = bench_import(sessions, rows, random.Random(2026), repeat=repeat)
    return {"rows": rows, "repeat": repeat, "cpu_us_per_row": {k: round(v * 1e6 / rows / repeat, 1) for k, v in
                                             sorted(spent.items(), key=lambda item: -item[1])},
            "import_cpu_us_per_row": round(1e6 / result["import_cpu_rows_per_s"], 1),
            "physical_cpu_us_per_row": round(1e6 / result["physical_cpu_rows_per_s"], 1),
            "load_average": [round(x, 2) for x in load]}


def main() -> None:
    """Run from the command line and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1, help="alternated rounds (stages: the mean; totals: the median)")
    args = parser.parse_args()
    print(json.dumps(measure(args.data_dir, args.database_url, args.rows, args.repeat), indent=2))


if __name__ == "__main__":
    main()
