"""Where finished list verifications wait to be downloaded: one JSON file per list under the data directory.

A list verified from the page runs as a background job; its receipt is kept as `<data_dir>/bulk-receipts/<token>.json`
for whoever holds the unguessable link (the uploader), so its JSON, XLSX and PDF can be downloaded later
without an account. Receipts older than `KEEP_DAYS` are removed when a new one is stored.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

import orjson

from certbridge.errors import NotFound
from certbridge.settings import Settings

KEEP_DAYS = 7
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


def _folder(settings: Settings) -> Path:
    folder = Path(settings.data_dir) / "bulk-receipts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_token() -> str:
    """Return a fresh unguessable token for a list verification."""
    return secrets.token_urlsafe(18)


def _path(settings: Settings, token: str, kind: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise NotFound("bulk.not_found", id=(token or "")[:40])
    return _folder(settings) / f"{token}.{kind}.json"


def mark_started(settings: Settings, token: str, job_id: int) -> None:
    """Remember which job verifies the list behind a token."""
    _path(settings, token, "job").write_text(json.dumps({"job_id": job_id}), encoding="utf-8")


def started_job(settings: Settings, token: str) -> int:
    """Return the job id of a token, or raise NotFound."""
    path = _path(settings, token, "job")
    if not path.exists():
        raise NotFound("bulk.not_found", id=token)
    return int(json.loads(path.read_text(encoding="utf-8"))["job_id"])


def store_receipt(settings: Settings, token: str, receipt: dict[str, Any]) -> None:
    """Keep a finished receipt for its token (written whole, then renamed), and drop week-old ones."""
    path = _path(settings, token, "receipt")
    partial = path.with_suffix(".part")
    partial.write_bytes(orjson.dumps(receipt))
    partial.replace(path)
    cutoff = time.time() - KEEP_DAYS * 86400
    for old in _folder(settings).glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def stored_receipt(settings: Settings, token: str) -> dict[str, Any] | None:
    """Return the receipt of a token, or None while it is not finished."""
    path = _path(settings, token, "receipt")
    return orjson.loads(path.read_bytes()) if path.exists() else None
