#!/usr/bin/env python3
"""Make a PostgreSQL streaming replica of a local primary, for development and the replica tests.

    python3 scripts/make_replica.py --primary postgresql://postgres@127.0.0.1:5432/postgres \\
        --dir /tmp/cb-replica --port 5433          # then CERTBRIDGE_REPLICA_URL=postgresql://...:5433/<db>
    python3 scripts/make_replica.py --dir /tmp/cb-replica --stop

What it does (docs/operations.md "A read replica"):
1. makes sure the primary takes replication connections from 127.0.0.1: `wal_level` must be `replica` or
   `logical` and `max_wal_senders` > 0 (a restart would be needed otherwise: it refuses and says so); if
   `pg_hba.conf` has no `replication` line for 127.0.0.1 it appends `host replication all 127.0.0.1/32 trust`
   and reloads the configuration (idempotent; needs to be run where the primary's files are, as root or postgres);
2. `pg_basebackup -R -X stream` into the directory (standby.signal and primary_conninfo written by -R);
3. starts it with `pg_ctl` on the given port (as the `postgres` user when run as root), and waits until it
   answers and streams.
Standard library and psql only, so that tests, CI (root) and a developer's shell use the same steps.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HBA_LINE = "host replication all 127.0.0.1/32 trust"


def _as_postgres(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL binary, as the postgres user when we are root (the server refuses to run as root)."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


def _psql(url: str, sql: str) -> str:
    out = subprocess.run([str(BIN / "psql"), url, "-XAtqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def allow_replication(primary_url: str) -> None:
    """Make the primary accept replication connections from 127.0.0.1 (idempotent)."""
    wal_level = _psql(primary_url, "SHOW wal_level")
    senders = int(_psql(primary_url, "SHOW max_wal_senders"))
    if wal_level not in ("replica", "logical") or senders < 1:
        raise SystemExit(f"the primary has wal_level={wal_level}, max_wal_senders={senders}: set wal_level=replica "
                         "and max_wal_senders>=2 in postgresql.conf and restart it")
    rules = _psql(primary_url, "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) "
                               "AND (address IS NULL OR address IN ('127.0.0.1', 'all', '0.0.0.0'))")
    if int(rules) > 0:
        return
    hba = Path(_psql(primary_url, "SHOW hba_file"))
    text = hba.read_text()
    if HBA_LINE not in text:
        hba.write_text(text.rstrip("\n") + f"\n# added by certbridge scripts/make_replica.py\n{HBA_LINE}\n")
    _psql(primary_url, "SELECT pg_reload_conf()")
    for _ in range(50):  # the reload is asynchronous
        if int(_psql(primary_url, "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)")):
            return
        time.sleep(0.05)


def make_replica(primary_url: str, data_dir: Path, port: int, *, timeout: float = 60.0) -> str:
    """Base-backup the primary into `data_dir`, start it on `port` streaming from it; return its base URL."""
    allow_replication(primary_url)
    parts = urlsplit(primary_url)
    data_dir = Path(data_dir)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, mode=0o700)
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(data_dir, pg.pw_uid, pg.pw_gid)
    _as_postgres([str(BIN / "pg_basebackup"), "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
                  "-U", parts.username or "postgres", "-D", str(data_dir), "-R", "-X", "stream", "-c", "fast",
                  "--no-sync"])
    # Its own port, socket directory and settings; the primary's configuration files stay the primary's.
    with open(data_dir / "postgresql.auto.conf", "a") as conf:
        conf.write(f"\nport = {port}\nunix_socket_directories = '{data_dir}'\nlisten_addresses = '127.0.0.1'\n"
                   "hot_standby = on\nhot_standby_feedback = on\nmax_connections = 100\nfsync = off\n"
                   "shared_buffers = 32MB\nwal_receiver_status_interval = 1\n")
    for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        if not (data_dir / name).exists():  # Debian keeps them in /etc: give the copy minimal ones
            (data_dir / name).write_text({"pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n"}
                                         .get(name, ""))
            if os.geteuid() == 0:
                os.chown(data_dir / name, pg.pw_uid, pg.pw_gid)
    _as_postgres([str(BIN / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log"), "-w",
                  "-t", str(int(timeout)), "start"])
    url = f"postgresql://{parts.username or 'postgres'}@127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _psql(url + "/postgres", "SELECT status FROM pg_stat_wal_receiver") == "streaming":
                return url
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the replica in {data_dir} did not start streaming; see {data_dir / 'server.log'}")


def stop_replica(data_dir: Path, *, remove: bool = True) -> None:
    """Stop the replica in `data_dir` (fast shutdown) and, by default, remove its files."""
    data_dir = Path(data_dir)
    if (data_dir / "postmaster.pid").exists():
        try:
            _as_postgres([str(BIN / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"])
        except subprocess.CalledProcessError:
            pass
    if remove:
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--primary", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--dir", required=True, type=Path, help="the replica's data directory (replaced)")
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--stop", action="store_true", help="stop the replica in --dir and remove it")
    args = parser.parse_args(argv)
    if args.stop:
        stop_replica(args.dir)
        return 0
    url = make_replica(args.primary, args.dir, args.port)
    print(f"replica streaming at {url}/<database>; stop it with: {sys.argv[0]} --dir {args.dir} --stop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
