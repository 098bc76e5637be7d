"""The backup file: a tar (gzip-compressed for .tar.gz/.tgz) holding manifest.json first, then the database
copy and the data-directory state, each listed in the manifest with its size and SHA-256.

manifest.json: format, certbridge version, creation time, backend and server/tool versions, schema revision,
instance name, the log's size and root hash, the row count of every table, and the files.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from certbridge.errors import InvalidInput, RuleViolation

FORMAT = "certbridge-backup/1"
MANIFEST = "manifest.json"
SUFFIXES = (".tar.gz", ".tgz", ".tar")


def certbridge_version() -> str:
    """Return the installed certbridge version."""
    try:
        return version("certbridge")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "unknown"


def database_facts(conn: Connection) -> dict[str, Any]:
    """Read what a restore must find again: schema revision, log size and root, rows per table."""
    from certbridge.tables import metadata

    revision = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    events = conn.execute(text("SELECT count(*) FROM ledger_event")).scalar() or 0
    tree = conn.execute(text("SELECT size, root_hash FROM ledger_tree WHERE id = 1")).first()
    checkpoint = conn.execute(text("SELECT size FROM ledger_checkpoint ORDER BY id DESC LIMIT 1")).scalar()
    counts = {t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar() for t in metadata.sorted_tables}
    return {"schema_revision": revision,
            "ledger": {"events": events, "tree_size": tree.size if tree else 0,
                       "root_hash": base64.b64encode(bytes(tree.root_hash)).decode() if tree else "",
                       "latest_checkpoint_size": checkpoint},
            "counts": dict(sorted(counts.items()))}


def table_counts(conn: Connection, names: list[str]) -> dict[str, int | None]:
    """Count the rows of the named tables (None for a table that does not exist)."""
    from sqlalchemy import inspect

    present = set(inspect(conn).get_table_names())
    return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() if n in present else None for n in names}


def check_output(out: Path) -> None:
    """Refuse an output name without a known suffix, or one that exists already."""
    if not out.name.endswith(SUFFIXES):
        raise InvalidInput("backup.output_suffix", field="output", path=str(out))
    if out.exists():
        raise RuleViolation("backup.output_exists", path=str(out))


def write_archive(out: Path, manifest: dict[str, Any], members: list[tuple[str, Path]]) -> None:
    """Write manifest.json then every member to `out` (via a .partial file renamed at the end)."""
    mode = "w" if out.name.endswith(".tar") else "w:gz"
    partial = out.with_name(out.name + ".partial")
    kwargs = {} if mode == "w" else {"compresslevel": 1}  # the database dominates; speed over ratio
    try:
        with tarfile.open(partial, mode, **kwargs) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o644, int(os.path.getmtime(members[0][1]))
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        partial.chmod(0o600)  # it holds private keys
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise InvalidInput("backup.archive_unreadable", field="archive", path=str(archive), detail=str(exc)) from None


def read_manifest(archive: Path) -> dict[str, Any]:
    """Return a backup's manifest (refusing files that are not certbridge backups)."""
    with _open(archive) as tar:
        try:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read().decode("utf-8")) if member else {}
        except (KeyError, ValueError, tarfile.TarError):
            manifest = {}
    if manifest.get("format") != FORMAT:
        raise InvalidInput("backup.archive_format", field="archive", path=str(archive),
                           found=str(manifest.get("format", "-")))
    return manifest


def extract(archive: Path, into: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """Extract the files the manifest lists into `into`, checking every size and checksum."""
    from certbridge.backup.state_files import sha256_file

    wanted = {f["path"]: f for f in manifest["files"]}
    with _open(archive) as tar:
        try:
            for member in tar:
                if member.name in wanted and member.isfile():
                    tar.extract(member, into, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise InvalidInput("backup.archive_unreadable", field="archive", path=str(archive),
                               detail=str(exc)) from None
    out = {}
    for name, entry in wanted.items():
        path = into / name
        if not path.is_file():
            raise RuleViolation("backup.member_missing", member=name)
        found = sha256_file(path)
        if found != entry["sha256"]:
            raise RuleViolation("backup.checksum", member=name, expected=entry["sha256"][:16], found=found[:16])
        out[name] = path
    return out
