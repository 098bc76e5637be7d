"""One leader per job name among every process on one database: who runs each background loop.

An `Elector` answers "may this process run job X now?". On PostgreSQL it holds session-level advisory locks
(`pg_try_advisory_lock`, one 64-bit key per job name) on one dedicated autocommit connection of its own; on a
SQLite file, an exclusive `fcntl.flock` on a lock file per job name next to the database. Either way the
operating system or the server releases the lock when its holder dies (the connection closes, the file
descriptor goes with the process), so a follower polling every few seconds takes over within that time.
A database in memory has a single process by definition: every name is granted.

Every call blocks (it may talk to the database): call it from a worker thread, never on the event loop.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
ALIVE_CHECK_SECONDS = 0.5  # the jobs of one process share one liveness check of the lock's connection


def lock_key(name: str) -> int:
    """Return the signed 64-bit advisory-lock key of a job name (stable across processes and versions)."""
    return int.from_bytes(hashlib.sha256(b"certbridge-leader:" + name.encode()).digest()[:8], "big", signed=True)


class Elector:
    """Grant each job name to one process at a time; subclasses say how the lock is held."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.held: set[str] = set()
        self._alive_at = -1e9

    def try_lead(self, name: str) -> bool:
        """Take the lock of `name` if nobody holds it; tell whether this process now leads it."""
        with self._lock:
            if name in self.held:
                return True
            if self._acquire(name):
                self.held.add(name)
                return True
            return False

    def still_leading(self, name: str) -> bool:
        """Tell whether this process still holds the lock of `name` (False once its connection was lost)."""
        with self._lock:
            if name in self.held and time.monotonic() - self._alive_at >= ALIVE_CHECK_SECONDS:
                if self._alive():
                    self._alive_at = time.monotonic()
                    return True
                log.warning("leader lock connection lost: giving up %s", ", ".join(sorted(self.held)))
                self._drop_all()
            return name in self.held

    def resign(self, name: str, *, close_if_idle: bool = False) -> None:
        """Release the lock of `name` (a no-op if not held); then, if asked and nothing is held, close."""
        with self._lock:
            if name in self.held:
                self.held.discard(name)
                self._release(name)
            if close_if_idle and not self.held:
                self._drop_all()

    def close(self) -> None:
        """Release every lock and the resources holding them."""
        with self._lock:
            self._drop_all()

    def _acquire(self, name: str) -> bool:  # pragma: no cover - overridden
        return True

    def _release(self, name: str) -> None:
        pass

    def _alive(self) -> bool:
        return True

    def _drop_all(self) -> None:
        for name in list(self.held):
            self._release(name)
        self.held.clear()


class FileElector(Elector):
    """Leader locks as `flock`s on `<database file>.leader-<job>` files (SQLite: every process on this host)."""

    def __init__(self, database: Path) -> None:
        super().__init__()
        self.database = database
        self._fds: dict[str, int] = {}

    def path(self, name: str) -> Path:
        """Return the lock file of a job name."""
        return self.database.with_name(f"{self.database.name}.leader-{name}")

    def _acquire(self, name: str) -> bool:
        fd = os.open(self.path(name), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # for an operator: who leads
        self._fds[name] = fd
        return True

    def _release(self, name: str) -> None:
        fd = self._fds.pop(name, None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class AdvisoryElector(Elector):
    """Leader locks as PostgreSQL session-level advisory locks on one dedicated connection."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._conn: Any = None

    def _connection(self):
        if self._conn is None or self._conn.closed:
            import psycopg

            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                         application_name="certbridge-leader")
        return self._conn

    def _acquire(self, name: str) -> bool:
        try:
            if self.held and not self._alive():
                self._drop_all()
            row = self._connection().execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
        except Exception:  # the server is away: nobody leads from here until it is back
            log.warning("could not reach PostgreSQL for the leader lock of %s", name, exc_info=True)
            self._disconnect()
            return False
        return bool(row and row[0])

    def _release(self, name: str) -> None:
        if self._conn is None or self._conn.closed:
            return
        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
        except Exception:
            self._disconnect()  # closing the session releases whatever it held

    def _alive(self) -> bool:
        if self._conn is None or self._conn.closed:
            return False
        try:
            self._conn.execute("SELECT 1")
            return True
        except Exception:
            self._disconnect()
            return False

    def _disconnect(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None

    def _drop_all(self) -> None:
        super()._drop_all()
        self._disconnect()


def elector_for(engine: Any) -> Elector:
    """Return the elector that suits an SQLAlchemy engine's database (PostgreSQL, SQLite file, or memory)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return AdvisoryElector(url.set(drivername="postgresql").render_as_string(hide_password=False))
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return FileElector(Path(database).resolve())
    return Elector()


__all__ = ["AdvisoryElector", "Elector", "FileElector", "elector_for", "lock_key"]
