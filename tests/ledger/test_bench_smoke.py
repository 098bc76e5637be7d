"""The ledger benchmark runs end to end at N=1000, so it cannot rot (no timing is asserted)."""

from __future__ import annotations

import uuid

from bench.ledger_bench import run, table
from certbridge.kit.merkle import stored_hash_count
from tests.conftest import BACKEND, PG_URL


def test_ledger_bench_runs_at_a_thousand_events(tmp_path):
    result = run(1000, backend=BACKEND, append=300, batch=100, seconds=0.2, seed=uuid.uuid4().int % 10**6,
                 data_dir=tmp_path / "bench", pg_url=PG_URL.rsplit("/", 1)[0] + "/postgres")
    assert result["build"]["events"] == 1000 and result["build"]["stored_hashes"] == stored_hash_count(1000)
    assert result["proofs"]["tree_size"] == 1000 + 2 * 300  # the fast path, then two appended halves
    for figure in ("append_events_per_second", "record_events_per_second", "integrate_events_per_second",
                   "baseline_executemany_per_second"):
        assert result["append"][figure] > 0
    assert result["proofs"]["inclusion_proofs_per_second"] > 0 and result["proofs"]["consistency_proofs_per_second"] > 0
    assert "inclusion proofs/s at 1,600" in table(result)
