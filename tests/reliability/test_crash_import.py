"""A large import killed with SIGKILL at random moments leaves all of the file or none, and re-runs cleanly.

The import runs as the real CLI (`certbridge import 00126 file.csv`) in a subprocess, three times killed —
early (still starting), late (just after it is seen writing) and at a random moment around that — each time
from a seeded RNG (CERTBRIDGE_CRASH_SEED explores others). After each kill the database must be sound, hold
all of the file or none of it, and its ledger must verify; then the import runs to the end, and once more to
show a re-run changes nothing.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from certbridge.kit.uscc import generate_uscc
from tests.reliability.conftest import Instance, assert_database_sound, assert_ledger_verifies

ROWS = 2000
PREFIX = "00126Q27"
HOLDER = "北海市可靠"
SEED = int(os.environ.get("CERTBRIDGE_CRASH_SEED", "7305"))


def import_file(tmp_path: Path, rows: int, seed: int, taken: set[str]) -> Path:
    """Write a CSV of `rows` new certificates for body A, each for a new holder, and return its path."""
    rng = random.Random(seed)
    issued = date.today() - timedelta(days=30)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "scope",
                     "issued_on", "audit_start_on", "auditors"])
    codes: set[str] = set()
    while len(codes) < rows:  # one new holder per row: no code drawn twice or already registered
        code = generate_uscc(rng, region="450502")
        if code not in taken:
            codes.add(code)
    for i, code in enumerate(sorted(codes, key=lambda _: rng.random())):
        writer.writerow([f"{PREFIX}{i:06d}R0M", "QMS", "GB/T 19001", "2016", f"{HOLDER}{i}号测试有限公司", code, "电子元器件的生产", issued.isoformat(),
                         (issued - timedelta(days=9)).isoformat(),
                         rng.choice(["2021-N1QMS-1000001", "2022-N1QMS-1000002"])])
    path = tmp_path / "certificates.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def imported(instance: Instance) -> dict[str, int]:
    """Count what the file put in the database: certificates, their holders, import batches."""
    engine = instance.engine()
    try:
        with engine.connect() as conn:
            return {
                "certificates": conn.execute(text("SELECT count(*) FROM certificate WHERE number LIKE :p"),
                                             {"p": PREFIX + "%"}).scalar(),
                "holders": conn.execute(text("SELECT count(*) FROM organization WHERE name LIKE :p"),
                                        {"p": HOLDER + "%"}).scalar(),
                "batches": conn.execute(text("SELECT count(*) FROM import_batch")).scalar(),
            }
    finally:
        engine.dispose()


class WritingProbe:
    """Tell, from outside the process, when the import has started writing.

    PostgreSQL: its transaction has an xid (it wrote a row). SQLite: the WAL file grew (pages of the write
    transaction spilled from the cache, or its commit is being appended).
    """

    def __init__(self, instance: Instance) -> None:
        self.sqlite = instance.database_url.startswith("sqlite")
        if self.sqlite:
            self.wal = Path(instance.database_url.removeprefix("sqlite:///") + "-wal")
            self.before = self._wal_size()
        else:
            self.engine = instance.engine().execution_options(isolation_level="AUTOCOMMIT")

    def _wal_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0

    def writing(self) -> bool:
        """True once the import has been seen writing."""
        if self.sqlite:
            return self._wal_size() > self.before
        with self.engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")).scalar())

    def close(self) -> None:
        """Let go of the probe's connection."""
        if not self.sqlite:
            self.engine.dispose()


@dataclass
class Kill:
    """What one kill hit."""

    outcome: str  # "killed" (the import was still running) or "finished" (it had already exited)
    at: float  # seconds from start to the kill
    writing_at: float | None  # when it was first seen writing, if it was


def kill_import(instance: Instance, path: Path, *, after: float | None = None,
                when_writing: float | None = None) -> Kill:
    """Start the import and SIGKILL it `after` seconds, or `when_writing` seconds after it is seen writing."""
    probe = WritingProbe(instance) if when_writing is not None else None
    started = time.monotonic()
    process = instance.start("import", "00126", str(path))
    writing_at = None
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if after is not None and elapsed >= after:
                break
            if probe is not None and probe.writing():
                writing_at = elapsed
                time.sleep(when_writing)
                break
            if elapsed > 120:
                raise AssertionError("the import neither finished nor started writing within 120 s")
            time.sleep(0.002 if probe is not None and probe.sqlite else 0.05)
        outcome = "killed" if process.poll() is None else "finished"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return Kill(outcome, time.monotonic() - started, writing_at)
    finally:
        if probe is not None:
            probe.close()


def assert_all_or_none(instance: Instance, note: str) -> dict[str, int]:
    """The database is sound and holds either every row of the file or none of them."""
    assert_database_sound(instance)
    counts = imported(instance)
    none = counts == {"certificates": 0, "holders": 0, "batches": 0}
    everything = counts["certificates"] == counts["holders"] == ROWS and counts["batches"] >= 1
    assert none or everything, f"{note}: half an import {counts}"
    return counts


def test_an_import_killed_at_random_moments_is_all_or_nothing_and_reruns_idempotently(instance, world, tmp_path):
    rng = random.Random(SEED)
    path = import_file(tmp_path, ROWS, SEED, taken=set(world.uscc.values()))
    # Early: within the first 0.6 s the interpreter is still starting, nothing can be written yet. Late: at a
    # random moment just after the import is seen writing (validation is over, rows are going in). Then one
    # at a random moment between 0.3 W and 1.3 W (W = when writing was seen): anywhere from validation to
    # after the commit. Timings vary with the machine's load, so only what the kill left is asserted.
    kills = [("early", kill_import(instance, path, after=rng.uniform(0.1, 0.6)))]
    check_after_kill(instance, *kills[-1])
    kills.append(("late", kill_import(instance, path, when_writing=rng.uniform(0.0, 0.15))))
    check_after_kill(instance, *kills[-1])
    w = kills[-1][1].writing_at or kills[-1][1].at
    kills.append(("random", kill_import(instance, path, after=w * rng.uniform(0.3, 1.3))))
    check_after_kill(instance, *kills[-1])
    assert kills[0][1].outcome == "killed"

    first = instance.run("import", "00126", str(path))
    assert first.returncode == 0, first.stdout + first.stderr
    assert assert_all_or_none(instance, "after a full run")["certificates"] == ROWS
    again = instance.run("import", "00126", str(path))
    assert again.returncode == 0 and f"created 0 · 未变 unchanged {ROWS}" in again.stdout, again.stdout + again.stderr
    assert assert_all_or_none(instance, "after a re-run")["certificates"] == ROWS
    assert_ledger_verifies(instance)


def check_after_kill(instance: Instance, name: str, kill: Kill) -> None:
    """After a kill: sound database, all or none of the file, a ledger that verifies."""
    note = f"seed {SEED}, {name} kill at {kill.at:.2f}s ({kill.outcome}, seen writing at {kill.writing_at})"
    counts = assert_all_or_none(instance, note)
    print(note, counts)
    assert_ledger_verifies(instance)
