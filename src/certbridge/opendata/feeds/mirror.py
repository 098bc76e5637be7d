"""Rebuild a read-only copy (one SQLite file) from bulk files — a full day plus the deltas of the days after
it — and check it: every manifest's signature by the log key, every file's SHA-256 and size, each day's
checkpoint note signed and equal to its manifest line, the days chained (each delta starts at the previous
day's checkpoint), and at the end every table's row count and digest equal to the last manifest's.

Any difference refuses the copy with the reason (MirrorRefused); nothing half-built is left behind.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from certbridge.kit import signed_note
from certbridge.kit.checkpoint import parse_checkpoint
from certbridge.opendata.feeds.bulk_build import CHECKPOINT, FORMAT_LINE, MANIFEST
from certbridge.opendata.feeds.bulk_lines import row_line
from certbridge.opendata.feeds.bulk_tables import TABLES, columns


class MirrorRefused(Exception):
    """The bulk files do not check out; the message says which and why."""


@dataclass
class Manifest:
    """A day's manifest, its signature checked."""

    day: str
    size: int
    root_hash: str
    previous: int
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)


def read_manifest(folder: Path, verifier_keys: list[str]) -> Manifest:
    """Read a day's manifest, refusing a bad signature, a tampered file or a checkpoint that does not match."""
    try:
        note = signed_note.open((folder / MANIFEST).read_bytes(), [signed_note.Verifier(k) for k in verifier_keys])
    except (OSError, ValueError) as exc:
        raise MirrorRefused(f"{folder.name}: manifest signature not valid ({exc})") from exc
    lines = note.text.splitlines()
    if not lines or lines[0] != FORMAT_LINE:
        raise MirrorRefused(f"{folder.name}: not a certbridge bulk manifest")
    m = Manifest(day=folder.name, size=-1, root_hash="", previous=0)
    for line in lines[1:]:
        word, _, rest = line.partition(" ")
        parts = rest.split()
        if word == "checkpoint":
            m.size, m.root_hash = int(parts[0]), parts[1]
        elif word == "previous":
            m.previous = int(parts[0])
        elif word == "table":
            m.tables[parts[0]] = (int(parts[1]), parts[2])
        elif word == "file":
            m.files[parts[2]] = (parts[0], int(parts[1]))
    for name, (digest, size) in m.files.items():
        path = folder / name
        data = path.read_bytes() if path.is_file() else None
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != digest:
            raise MirrorRefused(f"{folder.name}/{name}: file missing or its SHA-256 differs from the manifest")
    try:
        cp_note = signed_note.open((folder / CHECKPOINT).read_bytes(),
                                   [signed_note.Verifier(k) for k in verifier_keys])
        cp = parse_checkpoint(cp_note.text)
    except (OSError, ValueError) as exc:
        raise MirrorRefused(f"{folder.name}: checkpoint not valid ({exc})") from exc
    if cp.size != m.size or base64.b64encode(cp.root_hash).decode("ascii") != m.root_hash:
        raise MirrorRefused(f"{folder.name}: the signed checkpoint is not the one the manifest names")
    return m


def _lines(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _create(db: sqlite3.Connection) -> None:
    for table in TABLES:
        cols = columns(table)
        db.execute(f"CREATE TABLE {table} (id PRIMARY KEY, {', '.join(c for c in cols if c != 'id')}, row TEXT)")
    db.execute("CREATE TABLE mirror_meta (key TEXT PRIMARY KEY, value TEXT)")


def _upsert(db: sqlite3.Connection, table: str, row: dict) -> None:
    cols = columns(table)
    db.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}, row) VALUES ({', '.join('?' * (len(cols) + 1))})",
               [row.get(c) for c in cols] + [row_line(row)[:-1]])


def table_digest(db: sqlite3.Connection, table: str) -> tuple[int, str]:
    """Return a mirrored table's row count and the SHA-256 of its rows as canonical JSON Lines in id order."""
    digest, count = hashlib.sha256(), 0
    rows = db.execute(f"SELECT id, row FROM {table}").fetchall()
    for _, text in sorted(rows, key=lambda r: (isinstance(r[0], str), r[0])):
        digest.update(text.encode("utf-8") + b"\n")
        count += 1
    return count, digest.hexdigest()


def rebuild(source: Path, out: Path, *, verifier_keys: list[str]) -> Manifest:
    """Rebuild a read-only SQLite copy at `out` from the oldest full day in `source` and the deltas after it."""
    days = sorted(p for p in source.iterdir() if p.is_dir() and (p / MANIFEST).exists()) if source.is_dir() else []
    if not days:
        raise MirrorRefused(f"{source}: no day with a manifest")
    manifests = [read_manifest(day, verifier_keys) for day in days]
    for before, after in zip(manifests, manifests[1:], strict=False):
        if after.previous != before.size:
            raise MirrorRefused(f"{after.day}: its delta starts at {after.previous}, the day before ends at {before.size}")
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        with db:  # one transaction, committed when the block ends
            _fill(db, days, manifests)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, out)
    out.chmod(0o444)
    return manifests[-1]


def _fill(db: sqlite3.Connection, days: list[Path], manifests: list[Manifest]) -> None:
    """Load the first day in full, apply the deltas after it, and compare every table with the last manifest."""
    _create(db)
    for table in TABLES:
        for row in _lines(days[0] / f"full-{table}.jsonl.gz"):
            _upsert(db, table, row)
    for day in days[1:]:
        for table in TABLES:
            for change in _lines(day / f"delta-{table}.jsonl.gz"):
                if change["op"] == "upsert":
                    _upsert(db, table, change["row"])
                else:
                    db.execute(f"DELETE FROM {table} WHERE id = ?", (change["id"],))
    last = manifests[-1]
    for table in TABLES:
        if table_digest(db, table) != last.tables.get(table):
            raise MirrorRefused(f"{last.day}: rebuilt table {table} differs from the manifest "
                                f"(rows and digest {table_digest(db, table)} vs {last.tables.get(table)})")
    db.executemany("INSERT INTO mirror_meta VALUES (?, ?)", [
        ("day", last.day), ("checkpoint_size", str(last.size)), ("root_hash", last.root_hash),
        ("source_days", ",".join(m.day for m in manifests))])
