"""`certbridge backup` / `certbridge restore`: a backup taken while a client writes restores to an instance whose
log verifies and whose data equals the snapshot; refusals leave the target untouched."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from certbridge.app import create_app
from certbridge.cli.main import app as cli_app
from certbridge.db import make_engine
from certbridge.errors import RuleViolation
from certbridge.settings import Settings
from tests.conftest import BACKEND, _pg_admin, _pg_url, copy_database
from tests.world import certificate_payload


def run(settings: Settings, *args, lang: str = "en"):
    """Run `certbridge …` in-process against an instance's settings."""
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_LANG": lang, "COLUMNS": "200"}
    if "instance_name" in settings.model_fields_set:  # else the instance is unnamed, as a fresh one is
        env["CERTBRIDGE_INSTANCE_NAME"] = settings.instance_name
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=env)


@pytest.fixture
def empty_target(tmp_path):
    """Return a factory of settings for a fresh instance with no database yet (PostgreSQL: dropped afterwards)."""
    made: list[str] = []

    def make(name: str = "restored", **overrides) -> Settings:
        data_dir = tmp_path / name
        if BACKEND == "postgresql":
            db = f"cbrestore_{uuid.uuid4().hex[:10]}"
            made.append(db)
            return Settings(data_dir=data_dir, database_url=_pg_url(db), secret_key="x", **overrides)
        return Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'certbridge.db'}", secret_key="x",
                        **overrides)

    yield make
    if made:
        admin = _pg_admin()
        with admin.connect() as conn:
            for db in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def rows(url: str, sql: str) -> list[tuple]:
    """Return every row of a query on a database."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


@pytest.fixture
def writer(client, world):
    """Start a thread issuing certificates through the API until stopped; yields (issued numbers, stop)."""
    issued: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    started = threading.Event()

    def write():
        for n in range(1, 900):
            if stop.is_set():
                break
            number = f"00126Q26{n:03d}R0M/4500"
            r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                            json=certificate_payload(world, number=number))
            (issued if r.status_code == 201 else failures).append(number if r.status_code == 201 else r.text)
            if len(issued) >= 3:
                started.set()
        started.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    assert started.wait(120)
    yield issued, stop
    stop.set()
    thread.join(120)
    assert not failures, failures


def test_backup_while_writing_restores_a_verified_copy_equal_to_the_snapshot(client, settings, writer, empty_target,
                                                                             tmp_path):
    issued, stop = writer
    archives = []
    for i in range(2):  # two backups while the writer keeps issuing
        out = tmp_path / f"backup-{i}.tar.gz"
        result = run(settings, "backup", out)
        assert result.exit_code == 0, result.output
        assert "Backed up to" in result.output and "data/keys/log.key" in result.output
        archives.append(out)
    stop.set()
    written_before_stop = len(issued)
    assert written_before_stop >= 3

    manifest = manifest_of(archives[-1])
    assert manifest["backend"] == BACKEND and manifest["schema_revision"]
    assert {f["path"] for f in manifest["files"]} >= {"data/keys/log.key", "data/keys/credential.key"}
    ledger = manifest["ledger"]
    assert 0 < ledger["tree_size"] <= ledger["events"]

    target = empty_target()
    restored = run(target, "restore", archives[-1])
    assert restored.exit_code == 0, restored.output
    root_hex = base64.b64decode(ledger["root_hash"]).hex()
    assert f"The log verifies: {ledger['events']} events, tree size {ledger['tree_size']}, root {root_hex}" \
        in restored.output

    # The restored log is a prefix of the live one, and the restored certificates equal the live rows.
    source, copy = settings.resolved_database_url(), target.resolved_database_url()
    restored_events = rows(copy, "SELECT seq, leaf_hash FROM ledger_event ORDER BY seq")
    assert len(restored_events) == ledger["events"]
    assert rows(source, f"SELECT seq, leaf_hash FROM ledger_event WHERE seq < {ledger['events']} ORDER BY seq") \
        == restored_events
    cert_sql = "SELECT id, number, status, version, holder_name, issued_on FROM certificate ORDER BY id"
    restored_certs = rows(copy, cert_sql)
    assert len(restored_certs) == manifest["counts"]["certificate"]
    live = {r[0]: r for r in rows(source, cert_sql)}
    assert all(live[r[0]] == r for r in restored_certs)
    for name in ("log.key", "credential.key", "witness.key"):
        assert (target.data_dir / "keys" / name).read_bytes() == (settings.data_dir / "keys" / name).read_bytes()
        assert (target.data_dir / "keys" / name).stat().st_mode & 0o077 == 0

    # The restored instance carries on: it answers for what it held, and signs new checkpoints with its keys.
    application = create_app(target)
    try:
        with TestClient(application) as restored_client:
            number = restored_certs[-1][1]
            assert restored_client.get("/api/v1/verify", params={"number": number}).json()["outcome"] != "not_found"
    finally:
        application.state.engine.dispose()
    assert run(target, "ledger", "verify").exit_code == 0


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(client, settings, template, empty_target,
                                                                     tmp_path):
    out = tmp_path / "backup.tar"
    assert run(settings, "backup", out).exit_code == 0
    assert run(settings, "backup", out).exit_code == 1  # never overwrites an archive

    # Another instance's database (the seeded template without this test's writes) is not empty.
    copies = copy_database(template["url"], prefix=f"{template['prefix']}_bk", target=tmp_path / "other.db")
    other_url = next(copies)
    target = empty_target("other").model_copy(update={"database_url": other_url})
    before = rows(other_url, "SELECT count(*) FROM ledger_event")
    try:
        refused = run(target, "restore", out)
        assert refused.exit_code == 1
        assert "The target database is not empty" in refused.output and "--force" in refused.output
        zh = run(target, "restore", out, lang="zh")
        assert zh.exit_code == 1 and "目标数据库不是空的" in zh.output and "--force" in zh.output
        assert rows(other_url, "SELECT count(*) FROM ledger_event") == before  # untouched

        forced = run(target, "restore", out, "--force")
        assert forced.exit_code == 0, forced.output
        assert "The log verifies" in forced.output
        assert rows(other_url, "SELECT count(*) FROM ledger_event") == [(manifest_of(out)["ledger"]["events"],)]
    finally:
        copies.close()


def test_restore_refuses_other_keys_another_instance_name_and_a_damaged_archive(client, settings, empty_target,
                                                                                tmp_path):
    out = tmp_path / "backup.tar.gz"
    assert run(settings, "backup", out).exit_code == 0

    renamed = run(empty_target("renamed", instance_name="other.example"), "restore", out)
    assert renamed.exit_code == 1 and "CERTBRIDGE_INSTANCE_NAME=certbridge.local" in renamed.output

    target = empty_target("keys")
    (target.data_dir / "keys").mkdir(parents=True)
    (target.data_dir / "keys" / "log.key").write_text("someone else's key\n")
    refused = run(target, "restore", out)
    assert refused.exit_code == 1 and "already holds a different" in refused.output and "log.key" in refused.output
    assert (target.data_dir / "keys" / "log.key").read_text() == "someone else's key\n"

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(out) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == "data/keys/log.key":
                data = data.replace(data[-10:-1], b"A" * 9)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    fresh = empty_target("fresh")
    broken = run(fresh, "restore", damaged)
    assert broken.exit_code == 1 and "Checksum of data/keys/log.key" in broken.output
    assert not (fresh.data_dir / "keys" / "log.key").exists()

    assert run(fresh, "restore", tmp_path / "missing.tar.gz").exit_code == 1


def test_postgres_tools_of_another_major_version_are_refused_by_name(tmp_path):
    from certbridge.backup.databases import find_tool
    from certbridge.i18n.catalog import render

    fake = tmp_path / "bin"
    fake.mkdir()
    tool = fake / "pg_dump"
    tool.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 14.9'\n")
    tool.chmod(0o755)
    with pytest.raises(RuleViolation) as refused:
        find_tool("pg_dump", 15, fake)
    message = refused.value.message("en")
    assert "version 14" in message and "server is 15" in message and "/usr/lib/postgresql/15/bin" in message
    assert "主版本不一致" in refused.value.message("zh")
    with pytest.raises(RuleViolation) as missing:
        find_tool("pg_restore", 15, fake)
    assert "pg_restore" in missing.value.message("en")
    assert render("backup.pg_tool_missing", "en", tool="pg_restore", server=15).startswith("pg_restore")
