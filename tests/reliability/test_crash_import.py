"""A large import killed with SIGKILL at random moments leaves all of the file or none, and re-runs cleanly.

The import runs as the real CLI (`certbridge import 00126 file.csv`) in its own process, killed three times —
early, in the middle and late (just after it is seen writing), at moments drawn from a seeded RNG
(CERTBRIDGE_CRASH_SEED explores others). After each kill the database must be sound, hold all of the file or
none of it, and its ledger must verify; then the import runs to the end, and once more to show a re-run
changes nothing. The killed imports are forked from a parent that already imported the code
(tests/reliability/warm_cli.py), so no kill is wasted on the interpreter's start-up.
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
from tests.reliability.conftest import Instance, Warm, alive, assert_database_sound, assert_ledger_verifies

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


def kill_import(instance: Instance, warm: Warm, path: Path, *, after: float | None = None,
                when_writing: float | None = None) -> Kill:
    """Start the import and SIGKILL it `after` seconds, or `when_writing` seconds after it is seen writing."""
    probe = WritingProbe(instance) if when_writing is not None else None
    started = time.monotonic()
    pid = warm.run("import", "00126", str(path))
    writing_at = None
    try:
        while alive(pid):
            elapsed = time.monotonic() - started
            if after is not None and elapsed >= after:
                break
            if probe is not None and probe.writing():
                writing_at = elapsed
                time.sleep(when_writing)
                break
            if elapsed > 300:
                raise AssertionError("the import neither finished nor started writing within 300 s")
            time.sleep(0.001 if probe is not None and probe.sqlite else 0.05)
        outcome = "killed" if alive(pid) else "finished"
        if outcome == "killed":
            os.kill(pid, signal.SIGKILL)
        while alive(pid):
            time.sleep(0.01)
        return Kill(outcome, time.monotonic() - started, writing_at)
    finally:
        if alive(pid):  # the loop above failed: do not leave the import running
            os.kill(pid, signal.SIGKILL)
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


def test_an_import_killed_at_random_moments_is_all_or_nothing_and_reruns_idempotently(instance, warm, world,
                                                                                     tmp_path):
    rng = random.Random(SEED)
    path = import_file(tmp_path, ROWS, SEED, taken=set(world.uscc.values()))
    # The imports are forked from a parent that already loaded the code, so they start working at once. A dry
    # run (it validates and writes everything, then rolls back) tells how long one takes: T. Then kills early
    # (reading and checking the file), in the middle (checking or writing the rows), and late: just after the
    # import is seen writing (on PostgreSQL its rows are going in; on SQLite its commit is reaching the WAL).
    # Load changes timings, so beyond the early kill only the all-or-nothing outcome is asserted.
    t0 = time.monotonic()
    dry = warm.run("import", "--dry-run", "00126", str(path))
    while alive(dry):
        time.sleep(0.02)
    t = time.monotonic() - t0
    kills = [("early", kill_import(instance, warm, path, after=rng.uniform(0.05, 0.3) * t))]
    check_after_kill(instance, *kills[-1])
    kills.append(("middle", kill_import(instance, warm, path, after=rng.uniform(0.3, 0.95) * t)))
    check_after_kill(instance, *kills[-1])
    kills.append(("late", kill_import(instance, warm, path, when_writing=rng.uniform(0.0, 0.05))))
    check_after_kill(instance, *kills[-1])
    assert kills[0][1].outcome == "killed"

    if imported(instance)["certificates"] == 0:  # no kill came late enough: run it to the end
        assert kill_import(instance, warm, path, after=300).outcome == "finished"
    assert assert_all_or_none(instance, "after a full run")["certificates"] == ROWS
    # The re-run is the plain CLI (`python -m certbridge.cli.main import …`), its exit code and report checked.
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
