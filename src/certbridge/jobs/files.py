"""Result files of background jobs (exports): written under <data_dir>/exports, handed out only through the job.

A job writes its file under a temporary name and renames it when complete, so a download never sees half a
file; an interrupted or failed job leaves nothing behind. The name carries the job id and a random part and is
recorded in the job's result; `result_file` accepts only names of that shape, so a result can never point
outside the folder. Files older than `KEEP_DAYS` are removed when the next export starts.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FOLDER = "exports"
KEEP_DAYS = 7
NAME = re.compile(r"^job-\d+-[0-9a-f]{16}\.(xlsx|csv|jsonl)$")


def _folder(data_dir: Path) -> Path:
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep_old(data_dir: Path, *, keep_days: int = KEEP_DAYS) -> int:
    """Remove result files (and leftovers) older than `keep_days`; return how many."""
    cutoff = time.time() - keep_days * 86400
    count = 0
    for path in _folder(data_dir).glob("job-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                count += 1
        except FileNotFoundError:
            continue
    return count


@contextmanager
def result_file(data_dir: Path, job_id: int, suffix: str) -> Iterator[Path]:
    """Yield a temporary path to write a job's file to; on success it is renamed to its final name.

    The final name (job-<id>-<random><suffix>) is `final_name(path)`; on an error the partial file is removed.
    """
    name = f"job-{int(job_id)}-{secrets.token_hex(8)}{suffix}"
    folder = _folder(data_dir)
    partial = folder / f"{name}.part"
    try:
        yield partial
        partial.rename(folder / name)
    finally:
        partial.unlink(missing_ok=True)


def final_name(partial: Path) -> str:
    """Return the name a path yielded by `result_file` has once complete."""
    return partial.name.removesuffix(".part")


def find_result(data_dir: Path, name: object) -> Path | None:
    """Return the path of a job's result file by its recorded name, or None if it is not (or no longer) there."""
    if not isinstance(name, str) or not NAME.match(name):
        return None
    path = data_dir / FOLDER / name
    return path if path.is_file() else None
