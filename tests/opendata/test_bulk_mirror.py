"""Daily bulk files: a mirror rebuilt from a full day plus the next day's delta equals the source; a tampered
file or manifest is refused."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import date

import pytest

from certbridge.db import read_session
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.journal import log_size
from certbridge.ledger.proofs import log_verifier_keys
from certbridge.opendata.feeds.bulk_build import build_day
from certbridge.opendata.feeds.bulk_tables import TABLES, table_rows
from certbridge.opendata.feeds.mirror import MirrorRefused, rebuild
from tests.opendata.conftest import issue_certificate, suspend

DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 2)


@pytest.fixture
def two_days(client, world, sessions, settings):
    """Build day 1, change things, build day 2; return the bulk folder and the log keys."""
    first = issue_certificate(client, world, "00126Q26001R0M/4701")
    build_day(sessions, settings=settings, on=DAY1)
    suspend(client, world, first["id"])
    issue_certificate(client, world, "00126Q26001R0M/4702")
    build_day(sessions, settings=settings, on=DAY2)
    with read_session(sessions) as session:
        keys = log_verifier_keys(session)
    return settings.resolved_bulk_dir(), keys


def _source(sessions):
    with read_session(sessions) as session:
        size = log_size(session)
        return {t: [canonical_bytes(r).decode() for r in table_rows(session, t, size=size)] for t in TABLES}


def test_mirror_from_full_and_delta_equals_the_source(two_days, sessions, tmp_path, client):
    folder, keys = two_days
    manifest = (folder / DAY2.isoformat() / "manifest.txt").read_text()
    assert "licence CC-BY-4.0" in manifest and "previous " in manifest
    delta = [json.loads(line) for line in gzip.open(folder / DAY2.isoformat() / "delta-certificates.jsonl.gz", "rt")]
    assert sorted(d["row"]["number"] for d in delta) == ["00126Q26001R0M/4701", "00126Q26001R0M/4702"]
    out = tmp_path / "mirror.sqlite"
    last = rebuild(folder, out, verifier_keys=keys)
    assert last.day == DAY2.isoformat()
    db = sqlite3.connect(out)
    mirrored = {t: [text for _, text in sorted(db.execute(f"SELECT id, row FROM {t}").fetchall(),
                                               key=lambda r: (isinstance(r[0], str), r[0]))] for t in TABLES}
    db.close()
    assert mirrored == _source(sessions)
    suspended = [json.loads(r) for r in mirrored["certificates"] if json.loads(r)["number"].endswith("4701")]
    assert suspended[0]["status"] == "suspended"
    # served over HTTP under immutable names
    r = client.get(f"/bulk/{DAY2.isoformat()}/full-certificates.csv.gz")
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert r.content == (folder / DAY2.isoformat() / "full-certificates.csv.gz").read_bytes()
    assert client.get("/bulk/2026-12-02/secret.key").status_code == 404


def test_a_tampered_file_is_refused(two_days, tmp_path):
    folder, keys = two_days
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    path = copy / DAY2.isoformat() / "delta-certificates.jsonl.gz"
    rows = gzip.open(path, "rt").read().replace("suspended", "valid")
    path.write_bytes(gzip.compress(rows.encode(), mtime=0))
    with pytest.raises(MirrorRefused, match="SHA-256"):
        rebuild(copy, tmp_path / "m.sqlite", verifier_keys=keys)
    assert not (tmp_path / "m.sqlite").exists()


def test_a_tampered_manifest_is_refused(two_days, tmp_path):
    folder, keys = two_days
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    manifest = copy / DAY1.isoformat() / "manifest.txt"
    text = manifest.read_text()
    line = next(line for line in text.splitlines() if line.startswith("table certificates"))
    manifest.write_text(text.replace(line, line.replace(" 1 ", " 2 ")))
    with pytest.raises(MirrorRefused, match="signature"):
        rebuild(copy, tmp_path / "m.sqlite", verifier_keys=keys)


def test_a_day_is_built_once(two_days, sessions, settings, client, world):
    folder, _ = two_days
    before = (folder / DAY2.isoformat() / "manifest.txt").read_bytes()
    issue_certificate(client, world, "00126Q26001R0M/4703")
    build_day(sessions, settings=settings, on=DAY2)
    assert (folder / DAY2.isoformat() / "manifest.txt").read_bytes() == before


def test_cli_builds_the_files_and_checks_the_mirror_against_the_log(client, world, settings, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from certbridge.cli.main import app as cli

    issue_certificate(client, world, "00126Q26001R0M/4704")
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_INSTANCE_NAME", settings.instance_name)
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")
    runner = CliRunner()
    r = runner.invoke(cli, ["bulk-files", "--day", "2026-12-03"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "copy.sqlite"
    r = runner.invoke(cli, ["mirror", str(settings.resolved_bulk_dir()), str(out)])
    assert r.exit_code == 0, r.output
    assert "every check passed" in r.output
    assert sqlite3.connect(out).execute("SELECT count(*) FROM certificates").fetchone() == (1,)
    r = runner.invoke(cli, ["bulk-files", "--day", "3 December"])
    assert r.exit_code == 2 and "not a YYYY-MM-DD date" in r.output
