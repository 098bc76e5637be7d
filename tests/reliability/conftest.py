"""Crash and concurrency harness: real `certbridge` processes on this test's database, killed for real.

Every test gets its own database (the suite's per-test copy of the migrated, seeded template) and data
directory. The CLI and the server run as their own processes with CERTBRIDGE_* in their environment, so a
SIGKILL hits a real process holding real locks; the checks afterwards open the database the way an operator
would (integrity check, `certbridge ledger integrate` and `verify`). Processes that are killed and started
again are forked from a parent that has already imported the code (warm_cli.py), so a restart costs the
command's own work rather than seconds of imports. The tests are marked `slow` and run in the normal suite.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from certbridge.db import make_engine

REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    """One certbridge instance: its database URL, data directory and the environment its processes get."""

    database_url: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        """Return the argv of `certbridge <args>` run with this interpreter."""
        return [sys.executable, "-m", "certbridge.cli.main", *args]

    def start(self, *args: str, **kwargs) -> subprocess.Popen:
        """Start `certbridge <args>` in the background."""
        with open(self.data_dir / f"{args[0]}-{time.monotonic_ns()}.log", "wb") as log:  # the child keeps its copy
            return subprocess.Popen(self.command(*args), env=self.env, cwd=REPO, stdout=log,
                                    stderr=subprocess.STDOUT, **kwargs)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `certbridge <args>` to completion and return its result (text output)."""
        return subprocess.run(self.command(*args), env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=timeout)

    def engine(self):
        """Return a fresh engine on the database (the caller disposes of it)."""
        return make_engine(self.database_url)


@pytest.fixture
def instance(database_url, tmp_path) -> Instance:
    """Return this test's instance: the per-test database copy and a data directory for keys and logs."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {**os.environ, "CERTBRIDGE_DATABASE_URL": database_url, "CERTBRIDGE_DATA_DIR": str(data_dir),
           "CERTBRIDGE_SECRET_KEY": "test-secret-key", "CERTBRIDGE_LANG": "en", "COLUMNS": "200",
           "PYTHONUNBUFFERED": "1"}
    return Instance(database_url=database_url, data_dir=data_dir, env=env)


def alive(pid: int) -> bool:
    """Tell whether a process we started (directly or through a warm parent) still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Warm:
    """A parent process that has imported the code and forks `certbridge …` commands on demand (warm_cli.py)."""

    def __init__(self, instance: Instance) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.reliability.warm_cli", str(instance.data_dir)],
                                        env=instance.env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout.readline().strip() == "ready", "the warm server parent did not start"

    def run(self, *args: str, env: dict[str, str] | None = None) -> int:
        """Fork `certbridge <args>` (with `env` added to its environment); return its pid (exit status not kept)."""
        request = {"args": list(args), "env": env} if env else list(args)
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        """End the parent (the commands it forked are killed by their owners)."""
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


class Server:
    """`certbridge serve` in a subprocess on a fixed port, so it can be killed and started again.

    Given a Warm parent, the server processes are forked from it (tests/reliability/warm_cli.py), so a
    restart costs the server's own start-up only, not the interpreter's imports.
    """

    def __init__(self, instance: Instance, port: int | None = None, *, warm: Warm | None = None) -> None:
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pid: int | None = None
        self.process: subprocess.Popen | None = None  # a cold server's process
        self.warm = warm

    def alive(self) -> bool:
        """Tell whether the server process is running."""
        return self.pid is not None and alive(self.pid)

    def start(self, timeout: float = 120) -> Server:
        """Start the server and wait until it answers."""
        return self.launch().wait_ready(timeout)

    def launch(self) -> Server:
        """Start the server process without waiting for it."""
        if self.warm is not None:
            self.pid = self.warm.run("serve", "--port", str(self.port))
        else:
            self.process = self.instance.start("serve", "--port", str(self.port))
            self.pid = self.process.pid
        return self

    def wait_ready(self, timeout: float = 120) -> Server:
        """Wait until the launched server answers HTTP."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None or not self.alive():
                raise AssertionError("certbridge serve exited before it answered")
            try:
                if httpx.get(self.url + "/api/v1/ledger/keys", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError("certbridge serve did not answer in time")

    def kill(self) -> None:
        """SIGKILL the server: no shutdown hooks, no rollback, like a power cut to the process."""
        if not self.alive():
            return
        os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def servers(instance):
    """Return a factory of servers on this instance (warm=True: forked from one pre-imported parent).

    Every server is killed after the test.
    """
    made: list[Server] = []
    parent: list[Warm] = []

    def make(port: int | None = None, *, warm: bool = False) -> Server:
        if warm and not parent:
            parent.append(Warm(instance))
        server = Server(instance, port, warm=parent[0] if warm else None)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill()
    for warm in parent:
        warm.close()


@pytest.fixture
def warm(instance):
    """Return a pre-imported parent that forks `certbridge …` commands; ended after the test."""
    parent = Warm(instance)
    yield parent
    parent.close()


def assert_database_sound(instance: Instance) -> None:
    """The database opens and, on SQLite, `PRAGMA integrity_check` and the foreign-key check are clean."""
    engine = instance.engine()
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.execute(text("SELECT count(*) FROM ledger_event")).scalar() > 0
    finally:
        engine.dispose()


def cli(instance: Instance, *args: str):
    """Run `certbridge <args>` in this process (the same Typer app, a fresh engine) and return the Result."""
    from certbridge.cli.main import app as cli_app

    env = {k: v for k, v in instance.env.items() if k.startswith("CERTBRIDGE_") or k == "COLUMNS"}
    result = CliRunner().invoke(cli_app, list(args), env=env)
    gc.collect()  # the command's engine is unreachable now: close its connections before the next kill
    return result


def assert_ledger_verifies(instance: Instance) -> None:
    """`certbridge ledger integrate` (hash what is pending) then `certbridge ledger verify` both succeed."""
    integrated = cli(instance, "ledger", "integrate")
    assert integrated.exit_code == 0, integrated.output
    verified = cli(instance, "ledger", "verify")
    assert verified.exit_code == 0, verified.output
    assert "All checks passed" in verified.output, verified.output
