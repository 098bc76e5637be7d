"""The data directory's state besides the database: what an instance needs to carry on after a restore.

* `keys/` — the Ed25519 signing keys (log, witness, credential), retired keys and any pending rotation;
  without them the restored log could not sign another checkpoint, nor credentials be issued.
* `session.key` — signs sign-in sessions (unless CERTBRIDGE_SECRET_KEY is set).
* `demo.json`, `demo-accounts.json` — the description of a demo data set and its accounts, when present.
* the working-day override file (CERTBRIDGE_WORKDAY_OVERRIDES), when configured.

Archive names: `data/<path inside the data directory>` and `settings/workday-overrides.toml`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from certbridge.errors import RuleViolation
from certbridge.settings import Settings

TOP_FILES = ("session.key", "demo.json", "demo-accounts.json")
SECRET_PREFIXES = ("data/keys/", "data/session.key", "data/demo-accounts.json")
WORKDAYS = "settings/workday-overrides.toml"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def collect(settings: Settings) -> list[tuple[str, Path]]:
    """Return (archive name, file) for every piece of state the data directory holds."""
    root = settings.data_dir
    found: list[tuple[str, Path]] = []
    keys = root / "keys"
    if keys.is_dir():
        found += [(f"data/{p.relative_to(root).as_posix()}", p) for p in sorted(keys.rglob("*"))
                  if p.is_file() and not p.name.endswith(".tmp")]
    found += [(f"data/{name}", root / name) for name in TOP_FILES if (root / name).is_file()]
    if settings.workday_overrides and settings.workday_overrides.is_file():
        found.append((WORKDAYS, settings.workday_overrides))
    return found


def destination(settings: Settings, name: str) -> Path:
    """Return where an archived file goes back to (workday overrides land in the data directory)."""
    if name == WORKDAYS:
        return settings.data_dir / "workday-overrides.toml"
    rel = Path(name.removeprefix("data/"))
    if rel.is_absolute() or ".." in rel.parts:
        raise RuleViolation("backup.archive_format", path=name, found=name)
    return settings.data_dir / rel


def conflicts(settings: Settings, files: dict[str, Path]) -> list[str]:
    """Return the destinations that exist with other contents than the archived files."""
    clash = []
    for name, extracted in files.items():
        target = destination(settings, name)
        if target.exists() and sha256_file(target) != sha256_file(extracted):
            clash.append(str(target))
    return clash


def put_back(settings: Settings, files: dict[str, Path]) -> list[Path]:
    """Write the archived files into the data directory (keys 0600 in 0700 folders); return where."""
    written = []
    for name, extracted in sorted(files.items()):
        target = destination(settings, name)
        secret = name.startswith(SECRET_PREFIXES)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if secret else 0o755)
        if secret:
            for folder in target.relative_to(settings.data_dir).parents:
                if folder != Path("."):
                    (settings.data_dir / folder).chmod(0o700)
        tmp = target.with_name(f".{target.name}.restore.tmp")
        tmp.write_bytes(extracted.read_bytes())
        tmp.chmod(0o600 if secret else 0o644)
        os.replace(tmp, target)
        written.append(target)
    return written
