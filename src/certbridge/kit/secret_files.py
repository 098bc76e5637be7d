"""Files that hold a secret or a fixed name: written once, atomically, readable by their owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_exclusive(path: Path, text: str) -> bool:
    """Write a 0600 file only if none exists, atomically; tell whether we wrote it.

    The text goes to a temporary file first (synced), which is then hard-linked to `path`: when another
    process got there first, the link fails and that process's file wins, never a mix of the two.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
