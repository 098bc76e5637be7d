"""Evidence attached to complaints: size and type limits, stored content-addressed under the data directory.

A file is kept once at `<data_dir>/evidence/<first two hex>/<sha256>` whatever its name; the type is read
from the file's first bytes (JPEG, PNG, PDF), never from the name the sender gave it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from certbridge.errors import InvalidInput

MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


@dataclass(frozen=True)
class EvidenceFile:
    """One accepted attachment: where its bytes live and what it is."""

    sha256: str
    filename: str
    content_type: str
    size: int


def sniff(data: bytes) -> str | None:
    """Return the content type the bytes start with, None if it is not an accepted type."""
    for magic, kind in SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def evidence_path(data_dir: Path, sha256: str) -> Path:
    """Return where a file with this digest is kept."""
    return Path(data_dir) / "evidence" / sha256[:2] / sha256


def store_evidence(data_dir: Path, files: list[tuple[str, bytes]]) -> list[EvidenceFile]:
    """Check every file against the limits, then keep each once by its SHA-256; return what was stored."""
    files = [(name, data) for name, data in files if name or data]
    if len(files) > MAX_FILES:
        raise InvalidInput("complaint.too_many_files", field="evidence", max=MAX_FILES)
    checked = []
    for name, data in files:
        name = os.path.basename(name or "evidence")[:200] or "evidence"
        if not data:
            raise InvalidInput("complaint.file_empty", field="evidence", name=name)
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInput("complaint.file_too_large", field="evidence", name=name, max_mb=MAX_FILE_BYTES // 2**20)
        kind = sniff(data)
        if kind is None:
            raise InvalidInput("complaint.file_type", field="evidence", name=name)
        checked.append((name, data, kind))
    stored = []
    for name, data, kind in checked:
        digest = hashlib.sha256(data).hexdigest()
        path = evidence_path(data_dir, digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        stored.append(EvidenceFile(digest, name, kind, len(data)))
    return stored
