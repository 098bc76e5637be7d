"""Daily bulk files written by several processes: one valid gzip file per table and format, byte-identical
whatever the number of processes, and every process reading the same snapshot while the log keeps growing."""

from __future__ import annotations

import csv
import gzip
import io
import threading
import time
import zlib
from datetime import date

import pytest

from certbridge.db import read_session
from certbridge.ledger.journal import log_size
from certbridge.errors import RuleViolation
from certbridge.opendata.feeds import bulk_files, bulk_parts, bulk_workers
from certbridge.opendata.feeds.bulk_build import build_day
from certbridge.opendata.feeds.bulk_lines import row_bytes
from certbridge.opendata.feeds.bulk_tables import TABLES, columns, table_rows
from tests.opendata.conftest import issue_certificate, suspend

DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 2)


def _members(data: bytes) -> int:
    count = 0
    while data:
        inflate = zlib.decompressobj(31)
        inflate.decompress(data)
        data = inflate.unused_data
        count += 1
    return count


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_files_are_the_same_bytes_whatever_the_number_of_processes(client, world, sessions, settings,
                                                                       monkeypatch):
    first = issue_certificate(client, world, "00126Q26001R0M/5701")
    for n in range(2, 6):
        issue_certificate(client, world, f"00126Q26001R0M/570{n}")
    monkeypatch.setattr(bulk_parts, "PART_IDS", 2)  # several parts a table, as 10 M certificates have
    builds = {}
    for processes in (1, 3):
        where = settings.model_copy(update={"bulk_files_dir": settings.data_dir / f"bulk-{processes}"})
        build_day(sessions, settings=where, on=DAY1, processes=processes)
        builds[processes] = where
    suspend(client, world, first["id"])
    for where in builds.values():
        build_day(sessions, settings=where, on=DAY2, processes=3 if where is builds[1] else 1)
    for day in (DAY1, DAY2):
        one, three = (_files(builds[p].resolved_bulk_dir() / day.isoformat()) for p in (1, 3))
        assert one.keys() == three.keys() and "manifest.txt" in one
        assert [name for name in one if one[name] != three[name]] == []
    folder = builds[3].resolved_bulk_dir() / DAY2.isoformat()
    with read_session(sessions) as session:
        size = log_size(session)
        rows = list(table_rows(session, "certificates", size=size))
    data = (folder / "full-certificates.jsonl.gz").read_bytes()
    assert _members(data) >= 3  # one gzip member a part, read as one file
    assert gzip.decompress(data) == b"".join(row_bytes(r) for r in rows)
    table = list(csv.reader(io.StringIO(gzip.decompress((folder / "full-certificates.csv.gz").read_bytes()).decode())))
    assert table[0] == columns("certificates") and len(table) == len(rows) + 1
    assert table[1:] == [["" if r[c] is None else str(r[c]) for c in columns("certificates")] for r in rows]
    delta = gzip.decompress((folder / "delta-certificates.csv.gz").read_bytes()).decode().splitlines()
    assert delta[0].startswith("op,id,number") and len(delta) == 2 and delta[1].startswith(f"upsert,{first['id']},")


def test_every_process_reads_the_checkpoint_s_snapshot_while_certificates_are_issued(client, world, sessions,
                                                                                     settings, monkeypatch):
    for n in range(1, 5):
        issue_certificate(client, world, f"00126Q26001R0M/580{n}")
    monkeypatch.setattr(bulk_parts, "PART_IDS", 1)
    join = bulk_workers.Workers.join_snapshot

    def join_late(self, snapshot, size):  # writers try to commit between the builder's snapshot and the workers'
        time.sleep(1.5)
        return join(self, snapshot, size)

    monkeypatch.setattr(bulk_workers.Workers, "join_snapshot", join_late)
    stop, issued = threading.Event(), []
    submit = bulk_workers.Workers.submit

    def submit_after_a_write(self, items):  # the lock is given back: a writer commits before the parts are written
        seen, deadline = len(issued), time.monotonic() + 60
        while len(issued) == seen and time.monotonic() < deadline:
            time.sleep(0.02)
        return submit(self, items)

    monkeypatch.setattr(bulk_workers.Workers, "submit", submit_after_a_write)

    def keep_writing():
        while not stop.is_set():
            issued.append(issue_certificate(client, world, f"00126Q26002R0M/{len(issued):04d}")["id"])

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(issued) < 2:  # the writes are under way before the build starts
            threading.Event().wait(0.05)
        before = len(issued)
        folder = build_day(sessions, settings=settings, on=DAY1, processes=2)
        during = len(issued) - before
    finally:
        stop.set()
        writer.join()
    manifest = (folder / "manifest.txt").read_text()
    size = int(next(line for line in manifest.splitlines() if line.startswith("checkpoint ")).split()[1])
    with read_session(sessions) as session:
        assert log_size(session) > size and during > 0  # certificates were issued while the files were written
        expected = {t: [row_bytes(r) for r in table_rows(session, t, size=size)] for t in ("decisions",)}
        in_log = {int(ident) for ident in session.connection().exec_driver_sql(
            "SELECT DISTINCT subject_id FROM ledger_event WHERE subject_type = 'certificate' AND seq < "
            f"{size}").scalars()}
    written = [line for line in gzip.decompress((folder / "full-certificates.jsonl.gz").read_bytes()).splitlines()]
    ids = [int(line.split(b'"id":')[1].split(b",")[0]) for line in written]
    assert ids == sorted(in_log)  # every certificate of the checkpoint, none issued after it
    assert set(issued) - set(ids)
    counts = {line.split()[1]: int(line.split()[2]) for line in manifest.splitlines() if line.startswith("table ")}
    assert counts["certificates"] == len(ids) and set(counts) == set(TABLES)
    assert gzip.decompress((folder / "full-decisions.jsonl.gz").read_bytes()) == b"".join(expected["decisions"])


def test_a_failing_worker_leaves_no_files_and_says_why(client, world, sessions, settings, monkeypatch):
    for n in range(1, 4):
        issue_certificate(client, world, f"00126Q26001R0M/590{n}")
    monkeypatch.setattr(bulk_parts, "PART_IDS", 1)
    plan = bulk_files.plan

    def broken(dialect, table):  # the workers are handed a statement their database refuses
        how = plan(dialect, table)
        return {**how, "sql": how["sql"].replace(" FROM ", " FROM no_such_table_", 1)}

    monkeypatch.setattr(bulk_files, "plan", broken)
    with pytest.raises(RuleViolation) as failed:
        build_day(sessions, settings=settings, on=DAY1, processes=2)
    assert failed.value.code == "feeds.bulk_worker_failed" and "no_such_table_" in str(failed.value.params)
    assert list(settings.resolved_bulk_dir().iterdir()) == []  # nothing half-written, no day listed
