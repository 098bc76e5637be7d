"""The whole-history fold: every figure rebuilt from the log set-wise, when the statistics are empty or far behind.

`fold.refold` re-folds the certificates a batch of events touches, reading each batch's certificates, holders and
their stored rows by key: right for the few certificates a write touches, about a millisecond a certificate for a
whole history. When the statistics start from nothing (cursor at 0) or are far behind (more than
`WHOLE_FOLD_EVENTS` events and more than a quarter of the log), `fold_step` folds the whole log instead:

1. the organizations' events in one ordered scan (by subject, then log order), each folded to its dated regions,
   the record it merged into and its industry (`fold.organization_facts`);
2. the certificates' events in one ordered scan, each certificate folded as it ends (`timeline.fold_certificate`)
   and its fold written to `stats_certificate` in batches;
3. `stats_certificate` read back in holder order, each holder's rows computed once (`contributions.holder_rows`,
   at the holder's own places, keyed by the region's chain), its basis written to `stats_holder`, and the rows
   summed in memory — spread to every region and written to `stats_delta` in key order with one `executemany`
   each time the sum holds `FLUSH_ROWS` figure-days (a register of millions is summed in parts).

The result is exactly what `refold` of every certificate gives (the tests compare them on random histories), with
no per-certificate statements: scans by key range, batched inserts. `recompute.figures_from_log` uses the same
scans and holder rows, kept in memory instead of stored.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.stats.contributions import (
    ALL_DELTA_DEPTHS,
    STOCK_ALL_DELTA_DEPTHS,
    STOCK_DELTA_DEPTHS,
    STOCKS,
    certificate_rows,
    organization_rows,
)
from certbridge.stats.dbapi import _json, driver
from certbridge.stats.fold import (
    CHAIN,
    Folder,
    _upsert,
    cursor,
    fold_to_checkpoint,
    latest_checkpoint,
    organization_facts,
    placed,
    span_rows,
    SPAN_INSERT,
    year_sums,
)
from certbridge.stats.timeline import fold_certificate

WHOLE_FOLD_EVENTS = 20_000  # behind by more than this (and a quarter of the log): fold the whole log instead
PAGE = 20_000  # rows read per statement of a scan
BATCH = 5_000  # rows written per executemany
FLUSH_ROWS = 2_000_000  # chain-keyed figure-days summed in memory before they are written
FOLD_CACHE_KIB = 262_144  # SQLite's page cache, PostgreSQL's work_mem, while the whole fold runs
_EMPTY_ORG = {"places": [], "merged_into": None, "industry": ""}
PROGRESS: dict[str, int] = {}  # a whole fold running in this process: how many certificates it has folded


def whole_fold_wanted(folded_to: int, size: int) -> bool:
    """Tell whether folding to `size` from `folded_to` is cheaper as one fold of the whole log."""
    behind = size - folded_to
    return behind > 0 and (folded_to == 0 or (behind > WHOLE_FOLD_EVENTS and behind * 4 > size))


def fold_step(session: Session, *, whole: bool = False) -> dict[str, Any] | None:
    """Bring the statistics to the latest checkpoint: the whole log folded set-wise when they are empty or far
    behind (or `whole`), else the events since the cursor re-folded in proportion (`fold.fold_to_checkpoint`)."""
    size, root = latest_checkpoint(session)
    at = cursor(session)
    if not (whole and size > 0) and not whole_fold_wanted(at.size, size):
        return fold_to_checkpoint(session)
    done = fold_whole(session, size)
    at.size, at.root_hash = size, root
    at.folded_at = utcnow()
    session.flush()
    return {"size": size, "whole": True, **done}


def scan(session: Session, sql: str, params: tuple, key_at: int = 0) -> Iterator[tuple[Any, list[tuple]]]:
    """Yield (key, rows) for each key of an ordered scan, read a page at a time by key range.

    `sql` selects rows ordered by the key (column `key_at`) and takes the lowest key as its last parameter
    (`key >= mark`) and ends with `LIMIT {limit}`; a page's last key may be cut off, so it is read again with the
    next page (a key with more rows than a page doubles the page)."""
    conn, _mark = driver(session)
    low, limit = params[-1], PAGE
    while True:
        rows = conn.exec_driver_sql(sql.format(limit=limit), (*params[:-1], low))
        if len(rows) < limit:
            for key, group in groupby(rows, key=lambda r: r[key_at]):
                yield key, list(group)
            return
        last = rows[-1][key_at]
        whole = [r for r in rows if r[key_at] != last]
        if not whole:
            limit *= 2
            continue
        for key, group in groupby(whole, key=lambda r: r[key_at]):
            yield key, list(group)
        low = last


def subjects(session: Session, subject_type: str, below: int) -> Iterator[tuple[str, list[dict]]]:
    """Yield (subject id, its parsed events in log order) for every subject of a type, below a tree size."""
    _conn, mark = driver(session)
    sql = (f"SELECT subject_id, body FROM ledger_event WHERE subject_type = {mark} AND seq < {mark} "
           f"AND subject_id >= {mark} ORDER BY subject_id, seq LIMIT {{limit}}")
    for key, rows in scan(session, sql, (subject_type, below, "")):
        yield key, [json.loads(body) for _k, body in rows]


def load_organizations(session: Session, folder: Folder) -> None:
    """Give the folder every organization's facts below its tree size, from one scan of their events."""
    for key, events in subjects(session, "organization", folder.below):
        if key.isdigit():
            folder.orgs[int(key)] = organization_facts(events)


def certificate_folds(session: Session, folder: Folder) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield (certificate, holder, fold) for every certificate with a status below the folder's tree size (the
    folder holds every organization: `load_organizations`)."""
    for key, events in subjects(session, "certificate", folder.below):
        fold = fold_certificate(events, folder.context, folder.kinds)
        if fold:
            holder = folder.holder_of(fold["organization_id"])
            folder.orgs.setdefault(holder, _EMPTY_ORG)  # a holder without events: no places, no facts
            yield int(key), holder, fold


def _clear(session: Session) -> None:
    conn, _mark = driver(session)
    session.info.pop("stats_live", None)  # (live.MEMO)
    for table in ("stats_delta", "stats_year", "stats_span", "stats_pending", "stats_holder", "stats_certificate"):
        conn.exec_driver_sql(f"DELETE FROM {table}")


def fold_whole(session: Session, below: int) -> dict[str, Any]:
    """Replace every folded row with one fold of the whole log below a tree size; return what was folded."""
    conn, _mark = driver(session)
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar() if conn.sqlite else None
    if cache is not None:  # the GROUP BY's sorter and the ordered inserts keep more in memory (SQLite)
        conn.exec_driver_sql(f"PRAGMA cache_size=-{FOLD_CACHE_KIB}")
    else:  # PostgreSQL: the GROUP BY sorts in memory (this transaction only)
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{FOLD_CACHE_KIB // 1024}MB'")
    try:
        return _fold_whole(session, below, _Laps())
    finally:
        PROGRESS.clear()
        if cache is not None:
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


class _Laps:
    """CPU seconds of the fold's parts (this process: the SQLite engine included, not a PostgreSQL server)."""

    def __init__(self) -> None:
        self.at, self.cpu = time.process_time(), {}

    def __call__(self, name: str) -> None:
        now = time.process_time()
        self.cpu[name], self.at = round(now - self.at, 3), now


def _fold_whole(session: Session, below: int, lap: _Laps) -> dict[str, Any]:
    _clear(session)
    folder = Folder(session, below)
    load_organizations(session, folder)
    lap("organizations")
    batch: list[tuple] = []
    certificates = 0
    for cid, holder, fold in certificate_folds(session, folder):
        batch.append((cid, holder, fold["body_id"], json.dumps(fold)))
        certificates += 1
        if len(batch) >= BATCH:
            PROGRESS["certificates"] = certificates
            _upsert(session, "stats_certificate", ("certificate_id", "holder_id", "body_id", "folded"), batch)
            batch = []
    _upsert(session, "stats_certificate", ("certificate_id", "holder_id", "body_id", "folded"), batch)
    lap("certificates")
    _conn, mark = driver(session)
    rows_table = Rows(session)
    sql = (f"SELECT holder_id, folded, certificate_id FROM stats_certificate WHERE holder_id >= {mark} "
           "ORDER BY holder_id, certificate_id LIMIT {limit}")
    bases: list[tuple[int, str]] = []
    holders = 0
    for holder, rows in scan(session, sql, (-(2 ** 62),)):
        basis = folder.basis(holder)
        placement = placed(basis)
        folds = [_json(f) for _h, f, _c in rows]
        rows_table.add_holder(folds, placement)
        for (_h, _f, cid), fold in zip(rows, folds, strict=True):
            rows_table.add_spans(span_rows(cid, holder, fold, placement, rows_table.conn.sqlite))
        bases.append((holder, json.dumps(basis)))
        holders += 1
        if len(bases) >= BATCH:
            _upsert(session, "stats_holder", ("holder_id", "basis"), bases)
            bases = []
    _upsert(session, "stats_holder", ("holder_id", "basis"), bases)
    lap("holders")
    written = rows_table.finish()
    lap("delta_rows")
    return {"certificates": certificates, "holders": holders, "rows": written, "cpu_seconds": lap.cpu}


class Rows:
    """The holders' chain-keyed rows, summed in memory and set aside in a temporary table `FLUSH_ROWS` at a time;
    `finish` spreads them to every region of their chains, sums them and writes `stats_delta` in key order — one
    INSERT … SELECT … GROUP BY, sorted by the database, not in Python."""

    def __init__(self, session: Session):
        self.session = session
        self.conn, self.mark = driver(session)
        self.total: dict[tuple, int] = defaultdict(int)
        self.chains: set[str] = set()
        self.conn.exec_driver_sql("DROP TABLE IF EXISTS stats_whole_rows")
        self.conn.exec_driver_sql("DROP TABLE IF EXISTS stats_whole_chain")
        self.conn.exec_driver_sql("CREATE TEMP TABLE stats_whole_rows (measure VARCHAR(20), chain VARCHAR(40), "
                                  "dim VARCHAR(20), value VARCHAR(60), day VARCHAR(10), delta INTEGER)")
        self.conn.exec_driver_sql("CREATE TEMP TABLE stats_whole_chain (chain VARCHAR(40), region VARCHAR(12), "
                                  "depth INTEGER)")
        self.conn.exec_driver_sql("DROP TABLE IF EXISTS stats_whole_span")
        self.conn.exec_driver_sql("CREATE TEMP TABLE stats_whole_span AS SELECT * FROM stats_span WHERE 1 = 0")
        self.spans: list[tuple] = []

    def add_spans(self, rows: list[tuple]) -> None:
        """Add certificates' place rows (`fold.span_rows`), set aside until `finish` writes them in key order."""
        self.spans.extend(rows)
        if len(self.spans) >= BATCH * 10:
            self._flush_spans()

    def _flush_spans(self) -> None:
        if self.spans:
            self.conn.exec_driver_sql(SPAN_INSERT.replace("stats_span", "stats_whole_span").format(
                marks=", ".join([self.mark] * 12)), self.spans)
        self.spans = []

    def add_holder(self, certificates: list[dict[str, Any]], placement: tuple) -> None:
        """Add one holder's rows (`contributions.holder_rows`, summed straight into the total)."""
        total = self.total
        for cert in certificates:
            for key, n in certificate_rows(cert, *placement, flow_dims=False).items():
                total[key] += n
        for key, n in organization_rows(certificates, *placement).items():
            total[key] += n
        if len(total) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        marks = ", ".join([self.mark] * 6)
        rows = [(*key, n) for key, n in self.total.items() if n]
        for s in range(0, len(rows), 50_000):
            self.conn.exec_driver_sql(f"INSERT INTO stats_whole_rows VALUES ({marks})", rows[s:s + 50_000])
        self.chains.update(key[1] for key in self.total)
        self.total = defaultdict(int)

    def finish(self) -> int:
        """Write the summed rows to `stats_delta` (which must be empty); return how many were written."""
        self._flush()
        # each region whose figures are kept as deltas, with its depth (contributions.kept_as_delta)
        chains = [(chain, region, depth) for chain in sorted(self.chains)
                  for depth, region in enumerate(chain.split(CHAIN)) if depth < STOCK_ALL_DELTA_DEPTHS]
        self.conn.exec_driver_sql(f"INSERT INTO stats_whole_chain VALUES ({self.mark}, {self.mark}, {self.mark})",
                                  chains)
        day = "r.day" if self.conn.sqlite else "CAST(r.day AS DATE)"
        stocks = ", ".join(repr(m) for m in STOCKS)
        self.conn.exec_driver_sql(
            "INSERT INTO stats_delta (measure, region, dim, value, day, delta) "
            f"SELECT r.measure, c.region, r.dim, r.value, {day}, SUM(r.delta) FROM stats_whole_rows r "
            f"JOIN stats_whole_chain c ON c.chain = r.chain WHERE (r.dim = 'all' AND c.depth < {ALL_DELTA_DEPTHS}) "
            f"OR (r.measure IN ({stocks}) AND c.depth < {STOCK_DELTA_DEPTHS}) "
            f"OR (r.dim = 'all' AND r.measure IN ({stocks}) AND c.depth < {STOCK_ALL_DELTA_DEPTHS}) "
            "GROUP BY r.measure, c.region, r.dim, r.value, r.day "
            "HAVING SUM(r.delta) <> 0 ORDER BY r.measure, c.region, r.dim, r.value, r.day")
        written = self.conn.exec_driver_sql("SELECT count(*) FROM stats_delta").scalar()  # (cheap beside the insert)
        year_sums(self.session)
        self._flush_spans()
        columns = SPAN_INSERT[SPAN_INSERT.index("("):SPAN_INSERT.index(")") + 1]
        self.conn.exec_driver_sql(f"INSERT INTO stats_span {columns} SELECT {columns[1:-1]} FROM stats_whole_span "
                                  "ORDER BY chain, measure, start, certificate_id, part")
        written += self.conn.exec_driver_sql("SELECT count(*) FROM stats_span").scalar()
        for table in ("stats_whole_rows", "stats_whole_chain", "stats_whole_span"):
            self.conn.exec_driver_sql(f"DROP TABLE {table}")
        return int(written)
