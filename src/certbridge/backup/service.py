"""`certbridge backup` / `certbridge restore`: one archive in, the same instance out, verified.

Backup order: the data-directory files first, then the database snapshot. A key rotation racing the backup
then leaves either the old state, or a pending `<purpose>.key.new` the next start finishes or drops
(ledger/keys.py) — never a database that knows a key the archive lacks.

Restore refuses a database that holds tables, or data-directory files that differ, unless `force`; checks
every checksum before it writes anything; then runs `ledger verify` and compares the log's size and root hash,
the row count of every table and the signing keys with the manifest.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from certbridge.backup import archive, databases, state_files
from certbridge.db import make_engine, make_sessionmaker, read_session, utcnow
from certbridge.errors import RuleViolation
from certbridge.settings import Settings

DUMP_NAMES = {"sqlite": "database/certbridge.db", "postgresql": "database/certbridge.pgdump"}


@dataclass
class BackupResult:
    """What `create_backup` wrote."""

    path: Path
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    """What `restore_backup` did and found: the verification report and any difference from the manifest."""

    manifest: dict[str, Any]
    target: str
    report: Any = None
    mismatches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the restored instance verifies and matches the manifest."""
        return not self.mismatches and (self.report is None or self.report.ok)


def _label(url: str) -> str:
    if databases.backend_of(url) == "sqlite":
        return str(databases.sqlite_path(url))
    return url.split("@")[-1]


def create_backup(settings: Settings, out: Path, *, pg_bin: Path | None = None) -> BackupResult:
    """Write a consistent backup of the instance's database and data-directory state to `out`."""
    archive.check_output(out)
    url = settings.resolved_database_url()
    backend = databases.backend_of(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".certbridge-backup-", dir=out.parent))
    try:
        files = state_files.collect(settings)
        staged = []
        for name, path in files:  # before the database: see the module docstring
            copy = work / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            staged.append((name, copy))
        dump = work / DUMP_NAMES[backend]
        dump.parent.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            sqlite_version = databases.sqlite_snapshot(databases.sqlite_path(url), dump)
            engine = create_engine(f"sqlite:///{dump}")
            try:
                with engine.connect() as conn:
                    facts = archive.database_facts(conn)
            finally:
                engine.dispose()
            server = {"server_version": f"SQLite {sqlite_version}", "tool": "sqlite3 online backup API"}
        else:
            with databases.pg_snapshot(url) as (conn, snapshot):
                major = databases.server_major(conn)
                tool = databases.find_tool("pg_dump", major, pg_bin)
                server_version = conn.exec_driver_sql("SHOW server_version").scalar()
                facts = archive.database_facts(conn)
                databases.pg_dump(url, dump, snapshot=snapshot, tool=tool)
            server = {"server_version": f"PostgreSQL {server_version}", "server_major": major,
                      "tool": f"pg_dump {databases.tool_major(tool)} ({tool})"}
        members = [(DUMP_NAMES[backend], dump), *staged]
        manifest = {
            "format": archive.FORMAT, "certbridge_version": archive.certbridge_version(),
            "created_at": utcnow().isoformat(timespec="seconds"), "backend": backend, "database": server,
            "instance_name": settings.instance_name, "public_url": settings.public_url, **facts,
            "files": [{"path": name, "bytes": path.stat().st_size, "sha256": state_files.sha256_file(path)}
                      for name, path in members],
        }
        archive.write_archive(out, manifest, members)
        return BackupResult(out, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _target_problem(url: str, backend: str) -> str | None:
    """Describe why the target database is not empty, or return None."""
    if backend == "sqlite":
        tables = databases.sqlite_tables(databases.sqlite_path(url))
    else:
        databases.pg_ensure_database(url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                tables = databases.pg_tables(conn)
        finally:
            engine.dispose()
    if not tables:
        return None
    return f"{len(tables)} tables: {', '.join(tables[:5])}{' …' if len(tables) > 5 else ''}"


def restore_backup(settings: Settings, source: Path, *, force: bool = False, replay: bool = True,
                   pg_bin: Path | None = None, progress=None) -> RestoreResult:
    """Restore a backup into this instance's (empty) database and data directory, then verify it."""
    manifest = archive.read_manifest(source)
    url = settings.resolved_database_url()
    backend = databases.backend_of(url)
    if manifest["backend"] != backend:
        raise RuleViolation("backup.backend_mismatch", archive=manifest["backend"], target=backend)
    if "instance_name" not in settings.model_fields_set and not (settings.data_dir / "keys").exists():
        settings.instance_name = manifest["instance_name"]  # an unnamed, empty target takes the archive's name
    if manifest["instance_name"] != settings.instance_name:
        raise RuleViolation("backup.instance_mismatch", archive=manifest["instance_name"],
                            target=settings.instance_name)
    tool = None
    if backend == "postgresql":
        databases.pg_ensure_database(url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                tool = databases.find_tool("pg_restore", databases.server_major(conn), pg_bin)
        finally:
            engine.dispose()
    work = Path(tempfile.mkdtemp(prefix=".certbridge-restore-", dir=settings.ensure_data_dir()))
    try:
        extracted = archive.extract(source, work, manifest)
        dump = extracted.pop(DUMP_NAMES[backend])
        problem = _target_problem(url, backend)
        if problem and not force:
            raise RuleViolation("backup.target_not_empty", detail=problem)
        clash = state_files.conflicts(settings, extracted)
        if clash and not force:
            raise RuleViolation("backup.target_files_differ", path=clash[0])
        if backend == "sqlite":
            databases.sqlite_replace(databases.sqlite_path(url), dump)
        else:
            if problem:
                engine = make_engine(url)
                try:
                    with engine.begin() as conn:
                        databases.pg_wipe(conn)
                finally:
                    engine.dispose()
            databases.pg_restore(url, dump, tool=tool)
        state_files.put_back(settings, extracted)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = RestoreResult(manifest, _label(url))
    if state_files.WORKDAYS in manifest_names(manifest):
        result.notes.append(("backup.workdays_note", {"path": str(state_files.destination(settings,
                                                                                          state_files.WORKDAYS))}))
    verify_restored(settings, result, replay=replay, progress=progress)
    return result


def manifest_names(manifest: dict[str, Any]) -> set[str]:
    """Return the archive names a manifest lists."""
    return {f["path"] for f in manifest["files"]}


def verify_restored(settings: Settings, result: RestoreResult, *, replay: bool = True, progress=None) -> None:
    """Run `ledger verify` on the restored database and compare it, its rows and its keys with the manifest."""
    from certbridge.ledger.keys import PURPOSES, active_key, key_path, local_verifier_key
    from certbridge.ledger.verify import verify_everything
    from certbridge.migrate import alembic_config

    expected = result.manifest
    engine = make_engine(settings.resolved_database_url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with read_session(make_sessionmaker(engine)) as session:
            report = verify_everything(session, progress, replay=replay)
            result.report = report
            facts = archive.database_facts(session.connection())
            counts = archive.table_counts(session.connection(), list(expected["counts"]))
            for purpose in PURPOSES:
                recorded = active_key(session, purpose)
                if recorded is not None and key_path(settings, purpose).exists():
                    local = local_verifier_key(settings, purpose)
                    if local != recorded.verifier_key:
                        result.mismatches.append(("backup.mismatch", {"what": f"key {purpose}",
                                                                      "expected": recorded.verifier_key,
                                                                      "found": local}))
    finally:
        engine.dispose()
    ledger = expected["ledger"]
    for what, want, have in (("ledger events", ledger["events"], report.events),
                             ("ledger tree size", ledger["tree_size"], report.tree_size),
                             ("ledger root hash", ledger["root_hash"], facts["ledger"]["root_hash"]),
                             ("schema revision", expected["schema_revision"], facts["schema_revision"])):
        if want != have:
            result.mismatches.append(("backup.mismatch", {"what": what, "expected": want, "found": have}))
    for table, want in expected["counts"].items():
        if counts[table] != want:
            result.mismatches.append(("backup.mismatch", {"what": f"rows in {table}", "expected": want,
                                                          "found": counts[table]}))
    from alembic.script import ScriptDirectory

    heads = sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    if facts["schema_revision"] != heads:
        result.notes.append(("backup.schema_note", {"archive": ", ".join(facts["schema_revision"]),
                                                    "code": ", ".join(heads)}))


def root_hex(manifest: dict[str, Any]) -> str:
    """Return the manifest's root hash as hex, for people comparing it by eye."""
    return base64.b64decode(manifest["ledger"]["root_hash"]).hex() if manifest["ledger"]["root_hash"] else "-"
