"""Build a day's bulk files: every public table in full, the rows changed since the previous day, and a
manifest naming the checkpoint they reflect and the SHA-256 of every file, signed with the log key.

Files go to `<bulk dir>/<YYYY-MM-DD>/`, written under a temporary name and renamed into place, so a day's
names are immutable: a day already built is never rebuilt. Everything is read in one snapshot (SQLite's read
transaction; PostgreSQL REPEATABLE READ) whose log size equals the latest signed checkpoint, so the rows are
exactly the state the checkpoint's events produce. gzip headers carry no time, so equal content gives equal
bytes. The manifest is a C2SP signed note:

    certbridge bulk files v1
    origin <log origin>
    date <YYYY-MM-DD>
    checkpoint <size> <root hash, base64>
    previous <size of the previous day's checkpoint; 0 on the first day>
    licence CC-BY-4.0 https://creativecommons.org/licenses/by/4.0/
    table <name> <rows> <SHA-256 of its uncompressed full JSON Lines file>
    file <SHA-256> <bytes> <file name>
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session
from certbridge.errors import RuleViolation
from certbridge.kit.signed_note import sign
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.journal import log_size
from certbridge.ledger.keys import log_origin, log_signer
from certbridge.ledger.proofs import latest_checkpoint, served_note
from certbridge.opendata.feeds.bulk_tables import TABLES, changed_ids, columns, dictionary, row_bytes, table_rows
from certbridge.settings import Settings

FORMAT_LINE = "certbridge bulk files v1"
LICENCE = "CC-BY-4.0 https://creativecommons.org/licenses/by/4.0/"
MANIFEST = "manifest.txt"
CHECKPOINT = "checkpoint.txt"
_SNAPSHOT_TRIES = 5  # writes between integration and the snapshot move the head: integrate again


class _GzipWriter:
    """A gzip file with a running SHA-256 of its uncompressed bytes."""

    def __init__(self, path: Path) -> None:
        self.raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        # level 6 (zlib's default) instead of gzip's 9: a third of the time, files a few per cent larger
        self.gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=6)
        self.digest = hashlib.sha256()
        self.rows = 0

    def write(self, data: bytes) -> None:
        self.gz.write(data)
        self.digest.update(data)

    def close(self) -> None:
        self.gz.close()
        self.raw.close()


class _CsvLines:
    """CSV rows rendered in batches into one buffer (one writer, not one per row)."""

    def __init__(self, out: _GzipWriter) -> None:
        self.out, self.buf = out, io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\n")

    def add(self, values: list[Any]) -> None:
        self.writer.writerow(["" if v is None else v for v in values])
        if self.buf.tell() > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.out.write(self.buf.getvalue().encode("utf-8"))
        self.buf.seek(0)
        self.buf.truncate()


def _write_table(folder: Path, prefix: str, table: str, rows, *, delta: bool) -> tuple[int, str]:
    cols = columns(table)
    jsonl, csvf = _GzipWriter(folder / f"{prefix}-{table}.jsonl.gz"), _GzipWriter(folder / f"{prefix}-{table}.csv.gz")
    lines = _CsvLines(csvf)
    lines.add((["op"] if delta else []) + cols)
    count, batch = 0, []
    try:
        for op, row in rows:
            count += 1
            if delta:
                line = {"op": op, "row": row} if op == "upsert" else {"op": op, "id": row["id"]}
                batch.append(row_bytes(line))
                lines.add([op] + [row.get(c) if op == "upsert" else (row["id"] if c == "id" else None) for c in cols])
            else:
                batch.append(row_bytes(row))
                lines.add([row[c] for c in cols])
            if len(batch) >= 1000:
                jsonl.write(b"".join(batch))
                batch.clear()
        jsonl.write(b"".join(batch))
        lines.flush()
    finally:
        jsonl.close()
        csvf.close()
    return count, jsonl.digest.hexdigest()


def _delta_rows(session: Session, table: str, ids: set[Any], size: int):
    found = {row["id"]: row for row in table_rows(session, table, size=size, ids=ids)}
    for ident in sorted(ids, key=lambda v: (isinstance(v, str), v)):
        yield ("upsert", found[ident]) if ident in found else ("delete", {"id": ident})


def previous_day(folder: Path, on: date) -> tuple[date, int] | None:
    """Return the latest day before `on` with a manifest and the checkpoint size it reflects."""
    days = sorted((p.name for p in folder.iterdir() if p.is_dir() and (p / MANIFEST).exists()
                   and p.name < on.isoformat()), reverse=True) if folder.is_dir() else []
    for name in days:
        for line in (folder / name / MANIFEST).read_text(encoding="utf-8").splitlines():
            if line.startswith("checkpoint "):
                return date.fromisoformat(name), int(line.split()[1])
    return None


def _snapshot(sessions: sessionmaker[Session], settings: Settings):
    for _ in range(_SNAPSHOT_TRIES):
        integrate_pending(sessions, settings=settings)
        ctx = read_session(sessions)
        session = ctx.__enter__()
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        cp = latest_checkpoint(session)
        if cp.size == log_size(session):
            return ctx, session, cp
        ctx.__exit__(None, None, None)
    raise RuleViolation("feeds.log_moving")


def build_day(sessions: sessionmaker[Session], *, settings: Settings, on: date) -> Path:
    """Build (once) the bulk files of day `on` and return their folder."""
    root = settings.resolved_bulk_dir()
    target = root / on.isoformat()
    if (target / MANIFEST).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".{on.isoformat()}.{os.getpid()}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    previous = previous_day(root, on)
    start = previous[1] if previous else 0
    ctx, session, cp = _snapshot(sessions, settings)
    try:
        lines = [FORMAT_LINE, f"origin {log_origin(settings)}", f"date {on.isoformat()}",
                 f"checkpoint {cp.size} {base64.b64encode(cp.root_hash).decode('ascii')}", f"previous {start}",
                 f"licence {LICENCE}"]
        (work / CHECKPOINT).write_text(served_note(session, cp), encoding="utf-8")
        changed = changed_ids(session, start=start, end=cp.size)
        for table in TABLES:
            count, digest = _write_table(work, "full", table, (("upsert", r) for r in
                                                               table_rows(session, table, size=cp.size)), delta=False)
            lines.append(f"table {table} {count} {digest}")
            _write_table(work, "delta", table, _delta_rows(session, table, changed[table], cp.size), delta=True)
    finally:
        ctx.__exit__(None, None, None)
    (work / "dictionary.json").write_text(json.dumps({"licence": LICENCE, "tables": dictionary()},
                                                     ensure_ascii=False, indent=1), encoding="utf-8")
    for path in sorted(work.iterdir()):
        data = path.read_bytes()
        lines.append(f"file {hashlib.sha256(data).hexdigest()} {len(data)} {path.name}")
    (work / MANIFEST).write_text(sign("\n".join(lines) + "\n", [log_signer(settings)]), encoding="utf-8")
    try:
        work.rename(target)
    except OSError:  # another process built the day first: keep its files, they are the day's names
        shutil.rmtree(work, ignore_errors=True)
    return target


def build_daily(sessions: sessionmaker[Session], *, settings: Settings, on: date) -> Path:
    """Build the bulk files of a day (the scheduled job and the CLI)."""
    return build_day(sessions, settings=settings, on=on)


def list_days(settings: Settings) -> list[str]:
    """Return the days whose bulk files are built, newest first."""
    root = settings.resolved_bulk_dir()
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                   and (p / MANIFEST).exists()), reverse=True)
