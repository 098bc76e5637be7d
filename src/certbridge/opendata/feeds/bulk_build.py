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
import hashlib
import json
import os
import shutil
import sqlite3
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session
from certbridge.errors import RuleViolation
from certbridge.kit.signed_note import sign
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.journal import log_size
from certbridge.ledger.keys import log_origin, log_signer
from certbridge.ledger.proofs import latest_checkpoint, served_note
from certbridge.opendata.feeds import bulk_parts
from certbridge.opendata.feeds.bulk_files import Assembler, part_items
from certbridge.opendata.feeds.bulk_parts import GZIP_LEVEL, write_range, write_rows
from certbridge.opendata.feeds.bulk_tables import TABLES, changed_ids, columns, dictionary, table_rows
from certbridge.opendata.feeds.bulk_workers import Workers, can_start
from certbridge.settings import Settings

FORMAT_LINE = "certbridge bulk files v1"
LICENCE = "CC-BY-4.0 https://creativecommons.org/licenses/by/4.0/"
MANIFEST = "manifest.txt"
CHECKPOINT = "checkpoint.txt"
_SNAPSHOT_TRIES = 5  # writes between integration and the snapshot move the head: integrate again


def previous_day(folder: Path, on: date) -> tuple[date, int] | None:
    """Return the latest day before `on` with a manifest and the checkpoint size it reflects."""
    days = sorted((p.name for p in folder.iterdir() if p.is_dir() and (p / MANIFEST).exists()
                   and p.name < on.isoformat()), reverse=True) if folder.is_dir() else []
    for name in days:
        for line in (folder / name / MANIFEST).read_text(encoding="utf-8").splitlines():
            if line.startswith("checkpoint "):
                return date.fromisoformat(name), int(line.split()[1])
    return None


def _database(sessions: sessionmaker[Session]) -> dict[str, str] | None:
    """Where worker processes connect: a SQLite file or a PostgreSQL URL; None for an in-memory database."""
    url = sessions.kw["bind"].url
    if url.get_backend_name() == "sqlite":
        return {"sqlite": url.database} if url.database not in (None, "", ":memory:") else None
    return {"postgresql": url.set(drivername="postgresql").render_as_string(hide_password=False)}


def _snapshot(sessions: sessionmaker[Session], settings: Settings, *, lock: str | None):
    """Open the build's read transaction at a log size equal to the latest signed checkpoint.

    `lock` (a SQLite file): take its write lock first and keep it (returned) until the workers joined."""
    for _ in range(_SNAPSHOT_TRIES):
        integrate_pending(sessions, settings=settings)
        held = None
        if lock is not None:
            held = sqlite3.connect(lock, isolation_level=None, timeout=30)
            held.execute("BEGIN IMMEDIATE")  # writes nothing: no commit can land until the workers read
        ctx = read_session(sessions)
        session = ctx.__enter__()
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        cp = latest_checkpoint(session)
        if cp.size == log_size(session):
            return ctx, session, cp, held
        ctx.__exit__(None, None, None)
        if held is not None:
            held.close()
    raise RuleViolation("feeds.log_moving")


def _processes(sessions: sessionmaker[Session], settings: Settings, processes: int | None) -> int:
    """How many processes write the parts: one when every table fits in one part (starting more costs more)."""
    wanted = processes or settings.bulk_files_processes or os.cpu_count() or 1
    if wanted > 1:
        with read_session(sessions) as session:
            if max(session.scalar(select(func.max(model.id))) or 0 for model, _ in TABLES.values()
                   if model is not None) <= bulk_parts.PART_IDS:
                return 1
    return wanted


def build_day(sessions: sessionmaker[Session], *, settings: Settings, on: date, processes: int | None = None,
              on_table=None) -> Path:
    """Build (once) the bulk files of day `on` and return their folder.

    `processes`: how many processes write the parts (default: the setting); the files are the same whatever it is.
    `on_table(table, rows, {file name: bytes})` is called as each table's four files are complete (the bench).
    """
    root = settings.resolved_bulk_dir()
    target = root / on.isoformat()
    if (target / MANIFEST).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".{on.isoformat()}.{os.getpid()}.tmp"
    parts = root / f".{on.isoformat()}.{os.getpid()}.parts"
    for folder in (work, parts):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    try:
        lines, digests = _build(sessions, settings, on, work, parts, _processes(sessions, settings, processes),
                                on_table)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    (work / "dictionary.json").write_text(json.dumps({"licence": LICENCE, "tables": dictionary()},
                                                     ensure_ascii=False, indent=1), encoding="utf-8")
    for name in (CHECKPOINT, "dictionary.json"):
        data = (work / name).read_bytes()
        digests[name] = (hashlib.sha256(data).hexdigest(), len(data))
    lines += [f"file {digest} {size} {name}" for name, (digest, size) in sorted(digests.items())]
    (work / MANIFEST).write_text(sign("\n".join(lines) + "\n", [log_signer(settings)]), encoding="utf-8")
    try:
        work.rename(target)
    except OSError:  # another process built the day first: keep its files, they are the day's names
        shutil.rmtree(work, ignore_errors=True)
    return target


def _build(sessions, settings, on: date, work: Path, parts: Path, processes: int, on_table):
    """Write every table's files into `work` from one snapshot; return the manifest's lines so far and the files'
    (SHA-256, bytes)."""
    previous = previous_day(settings.resolved_bulk_dir(), on)
    start = previous[1] if previous else 0
    database = _database(sessions)
    spread = processes > 1 and database is not None and can_start()
    with ExitStack() as stack:
        workers = stack.enter_context(Workers(processes, database, parts, GZIP_LEVEL)) if spread else None
        if workers is not None:
            workers.wait_connected()
        ctx, session, cp, held = _snapshot(sessions, settings, lock=database.get("sqlite") if spread else None)
        stack.callback(ctx.__exit__, None, None, None)
        if held is not None:
            stack.callback(held.close)
        dialect = session.get_bind().dialect.name
        if workers is not None:
            token = session.scalar(text("SELECT pg_export_snapshot()")) if dialect == "postgresql" else None
            workers.join_snapshot(token, cp.size)
            if held is not None:
                held.close()  # every worker reads the snapshot: writers may go on
        lines = [FORMAT_LINE, f"origin {log_origin(settings)}", f"date {on.isoformat()}",
                 f"checkpoint {cp.size} {base64.b64encode(cp.root_hash).decode('ascii')}", f"previous {start}",
                 f"licence {LICENCE}"]
        (work / CHECKPOINT).write_text(served_note(session, cp), encoding="utf-8")
        changed = changed_ids(session, start=start, end=cp.size) if start else None  # first day: every row
        items = part_items(session, dialect, changed)
        files = Assembler(work, parts, items, on_table)
        decisions = table_rows(session, "decisions", size=cp.size)
        wanted = None if changed is None else changed["decisions"]
        if workers is not None:
            workers.submit(items)
            files.add(write_rows(decisions, wanted, columns("decisions"), parts, "decisions"))
            workers.collect(len(items), files.add)
        else:
            conn = session.connection().connection.driver_connection
            for plan, part in items:
                files.add(write_range(conn, plan, part, parts, named_cursor=dialect == "postgresql"))
            files.add(write_rows(decisions, wanted, columns("decisions"), parts, "decisions"))
    lines += [f"table {table} {rows} {digest}" for table, (rows, digest) in files.tables().items()]
    return lines, files.digests


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
