"""Worker processes that write the parts of a day's bulk files, every one reading the build's own snapshot.

The building process fixes the snapshot, then the workers join it:

- PostgreSQL: the builder's REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`); each
  worker opens a REPEATABLE READ, READ ONLY transaction and imports it (`SET TRANSACTION SNAPSHOT`), so it sees
  exactly the builder's data.
- SQLite has no snapshot to hand over. The builder holds the write lock (`BEGIN IMMEDIATE` on a connection of
  its own, which writes nothing) from before it reads the checkpoint until every worker has started its read
  transaction; no write can commit in between, so every reader's snapshot is the builder's. Writers wait for
  that moment only (the workers are started and connected before the lock is taken), not for the build.

Either way each worker then reads the log's size in its transaction and the build refuses to go on unless it
is the checkpoint's size: no event past the checkpoint is in any file. Workers are started with "spawn" (a
clean interpreter: the builder may be a server with threads) and take parts from one queue until it is empty.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
from pathlib import Path
from typing import Any

from certbridge.errors import RuleViolation
from certbridge.opendata.feeds.bulk_parts import write_range

_LOG_SIZE = "SELECT size FROM ledger_head WHERE id = 1"
_START_S = 600.0  # how long a worker may take to start (a loaded machine: an interpreter, imports, a connection)
_JOIN_S = 20.0  # how long the workers may take to read the snapshot: SQLite writers wait that long on the lock,
# under their busy timeout (30 s), and the build gives up rather than make them fail


def connect(database: dict[str, Any]):
    """Open a driver connection to the build's database (`{"sqlite": path}` or `{"postgresql": conninfo}`)."""
    if "sqlite" in database:
        conn = sqlite3.connect(database["sqlite"], isolation_level=None, timeout=30)
        conn.execute("PRAGMA query_only=ON")
        return conn
    import psycopg

    return psycopg.connect(database["postgresql"])


def begin(conn, database: dict[str, Any], snapshot: str | None) -> int:
    """Start the read transaction of the build's snapshot on `conn`; return the log size it sees."""
    if "sqlite" in database:
        conn.execute("BEGIN")
        return conn.execute(_LOG_SIZE).fetchone()[0]
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    if not snapshot or not all(c.isalnum() or c == "-" for c in snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # takes no parameter; the id is checked above
    return conn.execute(_LOG_SIZE).fetchone()[0]


def _work(database, folder, level, control, tasks, results) -> None:
    try:
        conn = connect(database)
        results.put(("connected", None))
        snapshot = control.recv()
        if snapshot is False:  # the build stopped before it began
            return
        results.put(("ready", begin(conn, database, snapshot)))
        while True:
            task = tasks.get()
            if task is None:
                break
            plan, part = task
            results.put(("done", write_range(conn, plan, part, Path(folder), level=level,
                                              named_cursor="postgresql" in database)))
        conn.rollback()
        conn.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the builder, which stops the build
        first = (str(exc).strip().splitlines() or [""])[0]  # PostgreSQL's messages go on with the statement
        results.put(("failed", f"{type(exc).__name__}: {first}"))


def can_start() -> bool:
    """Whether this process may start workers (a daemonic process may have no children)."""
    return not multiprocessing.current_process().daemon


class Workers:
    """A few spawned processes writing parts; use as a context manager (they are stopped on leaving)."""

    def __init__(self, count: int, database: dict[str, Any], folder: Path, level: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.tasks, self.results = ctx.Queue(), ctx.Queue()
        self.controls, self.procs = [], []
        for _ in range(count):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_work, args=(database, str(folder), level, theirs, self.tasks, self.results),
                               daemon=True)
            proc.start()
            self.controls.append(mine)
            self.procs.append(proc)
        self.joined = False

    def _next(self, timeout: float):
        waited, poll = 0.0, min(5.0, timeout)
        while True:
            try:
                kind, value = self.results.get(timeout=poll)
                break
            except queue.Empty:
                waited += poll
                dead = [p.exitcode for p in self.procs if p.exitcode not in (None, 0)]
                if dead or waited >= timeout:
                    reason = f"exit code {dead[0]}" if dead else f"no answer in {timeout:.0f} s"
                    raise RuleViolation("feeds.bulk_worker_failed", reason=reason) from None
        if kind == "failed":
            raise RuleViolation("feeds.bulk_worker_failed", reason=value)
        return kind, value

    def wait_connected(self) -> None:
        """Wait until every worker has its connection (before the builder takes any lock)."""
        for _ in self.procs:
            self._next(_START_S)

    def join_snapshot(self, snapshot: str | None, size: int) -> None:
        """Hand every worker the snapshot, wait until all read it, and check they see the log at `size`."""
        for control in self.controls:
            control.send(snapshot)
        self.joined = True
        sizes = [self._next(_JOIN_S)[1] for _ in self.procs]
        if any(seen != size for seen in sizes):
            raise RuleViolation("feeds.bulk_snapshot_differs", size=size, seen=max(sizes))

    def submit(self, items: list[tuple[dict, dict]]) -> None:
        """Queue every (plan, part) to write; the workers stop when the queue is empty."""
        for item in items:
            self.tasks.put(item)
        for _ in self.procs:
            self.tasks.put(None)

    def collect(self, count: int, on_done) -> None:
        """Call on_done(result) in the builder as each of `count` parts is written."""
        for _ in range(count):
            on_done(self._next(24 * 3600.0)[1])

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if not self.joined:
            for control in self.controls:
                try:
                    control.send(False)
                except OSError:  # that worker is gone already
                    pass
        for proc in self.procs:
            proc.join(timeout=0 if exc[0] else 30)
            if proc.is_alive():
                proc.terminate()
                proc.join()
