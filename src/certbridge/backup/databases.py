"""The database half of a backup: a consistent copy while the server writes, and its restore, per backend.

SQLite: the online backup API in one step, which reads one snapshot (WAL mode: writers carry on).
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the manifest's facts are read in that
transaction and `pg_dump -Fc --snapshot` dumps exactly the same state. The client tools must be of the
server's major version.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, make_url, text

from certbridge.db import make_engine
from certbridge.errors import RuleViolation


def backend_of(url: str) -> str:
    """Return "sqlite" or "postgresql" for a database URL."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_path(url: str) -> Path:
    """Return the file of a SQLite URL."""
    return Path(make_url(url).database or "")


# ---------------------------------------------------------------- SQLite


def sqlite_snapshot(db_file: Path, dest: Path) -> str:
    """Copy a live SQLite database to `dest` as one consistent snapshot; return the SQLite version."""
    if not db_file.exists():
        raise RuleViolation("backup.no_database", path=str(db_file))
    source = sqlite3.connect(db_file, timeout=60)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # pages=-1: the whole copy in one step, under one read snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        return sqlite3.sqlite_version
    finally:
        target.close()
        source.close()


def sqlite_tables(db_file: Path) -> list[str]:
    """Return the tables of a SQLite file (none if it does not exist)."""
    if not db_file.exists() or db_file.stat().st_size == 0:
        return []
    conn = sqlite3.connect(db_file)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    finally:
        conn.close()


def sqlite_replace(db_file: Path, copy: Path) -> None:
    """Put a restored copy in place of the database file (and drop its stale -wal/-shm)."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(db_file) + suffix).unlink(missing_ok=True)
    shutil.move(str(copy), str(db_file))


# ---------------------------------------------------------------- PostgreSQL


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq URI without the password, and the environment that carries the password."""
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return parsed.set(password=None).render_as_string(hide_password=False), env


def server_major(conn: Connection) -> int:
    """Return the PostgreSQL server's major version (15 for 15.x)."""
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


def tool_major(tool: Path) -> int:
    """Return the major version a PostgreSQL client tool reports (`pg_dump (PostgreSQL) 15.20` → 15)."""
    out = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\)\s*(\d+)", out) or re.search(r"(\d+)\.\d+", out)
    return int(match.group(1)) if match else 0


def find_tool(name: str, server: int, pg_bin: Path | None) -> Path:
    """Return the client tool of the server's major version: --pg-bin, the versioned Debian path, or PATH."""
    candidates = [pg_bin / name] if pg_bin else [Path(f"/usr/lib/postgresql/{server}/bin/{name}")]
    if not pg_bin and shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    tool = next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)
    if tool is None:
        raise RuleViolation("backup.pg_tool_missing", tool=name, server=server)
    client = tool_major(tool)
    if client != server:
        raise RuleViolation("backup.pg_version_mismatch", tool=str(tool), client=client, server=server)
    return tool


def run_tool(tool: Path, args: list[str], env: dict[str, str]) -> None:
    """Run a client tool; raise with its message if it fails."""
    done = subprocess.run([str(tool), *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuleViolation("backup.pg_tool_failed", tool=tool.name, code=done.returncode,
                            detail=(done.stderr or done.stdout).strip()[-1500:])


@contextmanager
def pg_snapshot(url: str) -> Iterator[tuple[Connection, str]]:
    """Open a REPEATABLE READ transaction and yield it with its exported snapshot id (valid while open)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                yield conn, snapshot
    finally:
        engine.dispose()


def pg_dump(url: str, dest: Path, *, snapshot: str, tool: Path) -> None:
    """Dump the database as it was in `snapshot`, in pg_dump's custom format."""
    uri, env = libpq(url)
    run_tool(tool, ["--format=custom", f"--snapshot={snapshot}", "--no-owner", f"--file={dest}",
                    f"--dbname={uri}"], env)


def pg_ensure_database(url: str) -> None:
    """Create the target database if it does not exist (connecting to the `postgres` database)."""
    parsed = make_url(url)
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).scalar()
            if not exists:
                name = parsed.database.replace('"', '""')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


def pg_tables(conn: Connection) -> list[str]:
    """Return the user tables of a PostgreSQL database."""
    return list(conn.execute(text("SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN "
                                  "('pg_catalog', 'information_schema') ORDER BY 1")).scalars())


def pg_wipe(conn: Connection) -> None:
    """Drop everything in the public schema (restore --force), so the dump lands in an empty database."""
    conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
    conn.exec_driver_sql("CREATE SCHEMA public")


def pg_restore(url: str, dump: Path, *, tool: Path) -> None:
    """Restore a custom-format dump into an empty database, all or nothing."""
    uri, env = libpq(url)
    run_tool(tool, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                    f"--dbname={uri}", str(dump)], env)
