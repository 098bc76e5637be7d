"""Case attachments stored content-addressed: <data_dir>/attachments/<aa>/<sha256>, with size and type limits.

The type is read from the file's first bytes, never trusted from the browser: PDF, PNG and JPEG only.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from certbridge.errors import InvalidInput

SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def sniff_type(data: bytes) -> str | None:
    """Return the content type a file's first bytes show (PDF, PNG, JPEG), or None."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def check_attachment(data: bytes, filename: str, *, max_bytes: int) -> str:
    """Refuse an empty, too large or unsupported file; return its content type."""
    if not data:
        raise InvalidInput("licensing_case.attachment_empty", field="attachment", name=filename)
    if len(data) > max_bytes:
        raise InvalidInput("licensing_case.attachment_too_large", field="attachment", name=filename,
                           max_mb=round(max_bytes / 1024 / 1024, 1))
    kind = sniff_type(data)
    if kind is None:
        raise InvalidInput("licensing_case.attachment_type", field="attachment", name=filename)
    return kind


def attachment_path(data_dir: Path, sha256: str) -> Path:
    """Return where a file with this SHA-256 is kept."""
    return Path(data_dir) / "attachments" / sha256[:2] / sha256


def store_attachment(data_dir: Path, data: bytes) -> str:
    """Store a file once under its SHA-256 (written atomically) and return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    path = attachment_path(data_dir, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return digest
