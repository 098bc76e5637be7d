"""The full recompute's transaction reads and writes the whole register: on SQLite it runs with a large page cache
(no dirty page spilled into the WAL mid-transaction) and gives the connection its usual cache back afterwards,
also when it fails, so a pooled connection does not keep gigabytes; on PostgreSQL (the server's buffers) it
changes nothing and the recompute runs the same."""

from __future__ import annotations

import pytest

from certbridge.db import SQLITE_CACHE_KIB, write_session
from certbridge.risk.compute import recompute_all
from certbridge.risk.models import RiskCursor
from certbridge.risk.state import BULK_CACHE_KIB, bulk_cache
from tests.risk.conftest import TODAY


def _cache_kib(db) -> int | None:
    if db.get_bind().dialect.name != "sqlite":
        return None
    return -db.connection().exec_driver_sql("PRAGMA cache_size").scalar_one()


def test_the_bulk_cache_is_given_back_after_the_recompute_and_after_a_failure(sessions, world):
    sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    with write_session(sessions) as db:
        assert _cache_kib(db) == (SQLITE_CACHE_KIB if sqlite else None)
        with pytest.raises(RuntimeError):
            with bulk_cache(db):
                assert _cache_kib(db) == (BULK_CACHE_KIB if sqlite else None)
                raise RuntimeError("the recompute failed")
        assert _cache_kib(db) == (SQLITE_CACHE_KIB if sqlite else None)
        recompute_all(db, today=TODAY)
        assert _cache_kib(db) == (SQLITE_CACHE_KIB if sqlite else None)
        assert db.get(RiskCursor, 1).recomputed_on == TODAY
