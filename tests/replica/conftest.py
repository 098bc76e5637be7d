"""A real streaming replica of the test server, built for the replica tests (PostgreSQL pass only).

scripts/make_replica.py does the work (the same steps docs/operations.md gives for development): it lets the
primary take replication connections from 127.0.0.1 if it does not yet (an idempotent pg_hba.conf line and a
reload), takes a base backup into a temporary directory and starts it on a free port, streaming.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import BACKEND, PG_URL

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_replica.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_replica", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReplicaServer:
    """The running replica: its base URL, and how to pause, resume, stop and start it."""

    def __init__(self, script, data_dir: Path, url: str):
        self.script, self.data_dir, self.url = script, data_dir, url

    def sql(self, statement: str):
        with psycopg.connect(self.url + "/postgres", autocommit=True, connect_timeout=3) as conn:
            return conn.execute(statement).fetchone()

    def replayed(self) -> int:
        """The replica's replay position, as an integer LSN."""
        from certbridge.replicas import parse_lsn

        return parse_lsn(self.sql("SELECT pg_last_wal_replay_lsn()::text")[0])

    def catch_up(self, timeout: float = 90.0) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        from certbridge.replicas import parse_lsn

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            target = parse_lsn(conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0])
        deadline = time.monotonic() + timeout
        while self.replayed() < target:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.02)

    def pause(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def stop(self) -> None:
        self.script.stop_replica(self.data_dir, remove=False)

    def start(self) -> None:
        self.script._as_postgres([str(self.script.BIN / "pg_ctl"), "-D", str(self.data_dir), "-l",
                                  str(self.data_dir / "server.log"), "-w", "start"])


@pytest.fixture(scope="module")
def replica_server():
    """Start a streaming replica of the test server for the module's tests; stop and remove it after them.

    Not for the whole session: a replica of the whole server replays every other test's WAL (each test database
    is a copy of the template, ~12 MB of WAL) for as long as it runs, which costs the rest of the pass time.
    """
    if BACKEND != "postgresql":
        pytest.skip("a streaming replica needs the PostgreSQL pass (CERTBRIDGE_TEST_BACKEND=postgresql)")
    script = _script()
    # Directly under the temporary directory: the postgres user must reach it (pytest's own are root-only).
    parent = Path(tempfile.mkdtemp(prefix=f"cb-replica-{os.getpid()}-"))
    parent.chmod(0o711)
    data_dir = parent / "data"
    url = script.make_replica(PG_URL.rsplit("/", 1)[0] + "/postgres", data_dir, _free_port())
    server = ReplicaServer(script, data_dir, url)
    yield server
    script.stop_replica(data_dir)
    parent.rmdir()
