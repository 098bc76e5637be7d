"""The benchmark code runs end to end at a tiny size, so it cannot rot (no timing is asserted)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import text

from bench.run import run, table
from certbridge.db import make_engine
from tests.conftest import BACKEND, PG_URL


ADMIN_URL = PG_URL.rsplit("/", 1)[0] + "/postgres"


@contextmanager
def bench_seed():
    """Yield a fresh seed for a 300-certificate bench data set; drop its PostgreSQL database afterwards."""
    seed = int(uuid.uuid4().int % 10**6)
    try:
        yield seed
    finally:
        if BACKEND == "postgresql":
            admin = make_engine(ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "certbridge_bench_300_{seed}" WITH (FORCE)'))
            admin.dispose()


def test_bench_runs_at_tiny_size_and_prints_every_figure(tmp_path):
    with bench_seed() as seed:
        result = run(300, backend=BACKEND, seed=seed, data_dir=tmp_path / "data", seconds=1, samples_count=60,
                     import_rows=15, force_fallback=True, pg_url=ADMIN_URL)
    http = result["http"]
    assert http["app"]["requests"] > 0 and http["baseline"]["requests"] > 0
    assert http["app"]["errors"] == 0 and http["search"]["errors"] == 0
    assert http["app"]["tool"].startswith("httpx-loop")  # the smoke never needs wrk
    assert set(result["search"]) == set(range(2, 9))
    assert result["import_rows_per_s"] > 0 and 0 < result["import_ratio"]
    rendered = table(result)
    for label in ("verify over HTTP", "at 4 conn.", "Little's law", "server CPU per request", "search 2 chars",
                  "bulk CSV import", "RSS", "start-up"):
        assert label in rendered


def test_sustained_load_bench_runs_at_tiny_size_and_counts_unexpected_answers_as_errors(tmp_path):
    from bench.load_bench import report, run_sustained, window_errors

    with bench_seed() as seed:
        result = run_sustained(300, backend=BACKEND, seed=seed, data_dir=tmp_path / "data", seconds=2, window=1,
                               samples_count=60, force_fallback=True, pg_url=ADMIN_URL)
    summary = result["summary"]
    assert summary["requests"] > 0 and summary["errors"] == 0
    assert set(summary["statuses"]) <= {"200", "404"} and len(result["windows"]) >= 1
    assert set(result["preflight"]) == {"verify_hit", "verify_miss", "holder", "search"}
    assert summary["rss_max_mb"] > 0
    rendered = report(result)
    for label in ("requests/s", "p99", "errors 0", "RSS of the serving process"):
        assert label in rendered
    # A 5xx, a 429 or a socket error is an error; statuses the pre-flight saw are not.
    assert window_errors({"200": 50, "404": 3}, {"200", "404"}, 0) == 0
    assert window_errors({"200": 50, "500": 2, "429": 1}, {"200", "404"}, 4) == 7
