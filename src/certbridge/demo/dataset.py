"""Build a demo data set into a data directory, or recognise the one already there.

A data set is described by `demo.json` beside the database (size, seed, as-of date, generator version).
SQLite data sets are built into `certbridge.db.building` and renamed when complete, so a half-built file is
never mistaken for a data set. Certificates go through `certificates.bulk` in chunks, made and written
by parallel lanes (`demo.lanes`); what is cheaper to build after the load (`demo.loading`) is set aside
and rebuilt. `demo.json` also records the seconds of each build phase.
"""

from __future__ import annotations

import json
import shutil
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import event, func, select

from certbridge.certificates.bulk import load_rules, next_positions
from certbridge.db import make_engine, make_sessionmaker, utcnow, write_session
from certbridge.demo import loading
from certbridge.demo.ledger_tree import TreeBuilder, write_hashes
from certbridge.demo.ledger_tree import finish as finish_tree
from certbridge.demo.lanes import IN_PROCESS_BELOW, LoadPlan, load_in_lanes, load_inline
from certbridge.demo.licensing import build_licensing
from certbridge.demo.feeds import build_feeds_demo
from certbridge.demo.oversight import build_oversight
from certbridge.demo.opendata import build_opendata_demo
from certbridge.demo.international import build_international
from certbridge.demo.qidata import build_qidata
from certbridge.demo.stats import build_stats
from certbridge.demo.risk import build_risk
from certbridge.demo.reference import load_reference
from certbridge.demo.registries import create_registries
from certbridge.ledger.store import read_leaf_hashes
from certbridge.migrate import upgrade
from certbridge.settings import Settings

GENERATOR_VERSION = 3
# Data sets an older generator made are reused as they are: other rows from the same seed than this
# generator would draw, but complete and valid (version 1: one generating process, before the lanes;
# version 2: the same certificates as 3, without the supervision and credit data — rebuild to see it).
REUSABLE_VERSIONS = frozenset({1, 2, 3})
MANIFEST = "demo.json"

Progress = Callable[[str, int, int], None]


@dataclass
class DatasetInfo:
    """What `demo.json` records about a data set."""

    size: int
    seed: int
    as_of: str
    generator_version: int
    database: str
    built_at: str
    seconds: float
    counts: dict[str, int]
    phases: dict[str, float] = field(default_factory=dict)  # seconds per build phase (older manifests: none)


class DatasetConflict(Exception):
    """The data directory holds something else than the data set asked for."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)


def manifest_path(settings: Settings) -> Path:
    """Return where a data directory describes its demo data set."""
    return settings.data_dir / MANIFEST


def read_manifest(settings: Settings) -> DatasetInfo | None:
    """Return the data set recorded in the data directory, if any."""
    path = manifest_path(settings)
    if not path.exists():
        return None
    return DatasetInfo(**json.loads(path.read_text(encoding="utf-8")))


def _database_label(settings: Settings) -> str:
    url = settings.resolved_database_url()
    return "sqlite:" + Path(url.removeprefix("sqlite:///")).name if url.startswith("sqlite") else url.split("@")[-1]


def check_existing(settings: Settings, *, size: int, seed: int, as_of: date | None) -> DatasetInfo | None:
    """Return the data set to reuse, None if there is none, or raise if the directory holds another one."""
    info = read_manifest(settings)
    url = settings.resolved_database_url()
    db_file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None
    if info is None:
        if db_file is not None and db_file.exists():
            raise DatasetConflict("demo.not_a_demo", path=str(db_file))
        return None
    if db_file is not None and not db_file.exists():
        return None
    same = (info.size, info.seed) == (size, seed) and info.generator_version in REUSABLE_VERSIONS and (
        as_of is None or info.as_of == as_of.isoformat()) and info.database == _database_label(settings)
    if not same:
        raise DatasetConflict("demo.other_dataset", size=info.size, seed=info.seed, as_of=info.as_of)
    return info


def remove_dataset(settings: Settings) -> None:
    """Delete a demo data set's SQLite files and manifest (PostgreSQL databases are left to their owner)."""
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    manifest_path(settings).unlink(missing_ok=True)
    (settings.data_dir / "demo-accounts.json").unlink(missing_ok=True)
    shutil.rmtree(settings.resolved_bulk_dir(), ignore_errors=True)  # the bulk files of the data set replaced


def build_dataset(settings: Settings, *, size: int, seed: int, as_of: date, progress: Progress | None = None,
                  accounts: Callable | None = None, stats: bool = True) -> DatasetInfo:
    """Create the database, load reference data, registries and `size` certificates; return the manifest.

    `stats=False` leaves the statistics to the server's background fold (`demo.stats.build_stats`)."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    mark = [started]

    def phase_done(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    report = progress or (lambda phase, done, total: None)
    settings.ensure_data_dir()
    url = settings.resolved_database_url()
    final = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None
    if final is not None:
        building = final.with_name(final.name + ".building")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{building}"
    engine = make_engine(url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    event.listen(engine, "connect", lambda dbapi_conn, _rec: _tune(dbapi_conn, engine.dialect.name))
    sessions = make_sessionmaker(engine)
    report("schema", 0, 1)
    upgrade(engine)
    from certbridge.certificates.models import Certificate

    with write_session(sessions) as session:
        if session.scalar(select(func.count()).select_from(Certificate)):
            raise DatasetConflict("demo.database_not_empty", database=_database_label(settings))
        load_reference(session)
        snapshot = create_registries(session, rng=random.Random(f"{seed}:registries"), size=size, as_of=as_of)
    report("registries", 1, 1)
    phase_done("schema_and_registries")
    tree = TreeBuilder()
    with write_session(sessions) as session:
        start = next_positions(session)
        rules = load_rules(session)
        # The registries' events are the tree's first leaves; the lanes' chunks follow them.
        write_hashes(session, tree.append([h for _, h in read_leaf_hashes(session, 0, start.seq)]))
    aside = loading.set_aside_indexes(engine)
    plan = LoadPlan(url=url, busy_timeout_ms=settings.sqlite_busy_timeout_ms, snapshot=snapshot, rules=rules,
                    size=size, seed=seed, as_of=as_of, at=utcnow(), dialect=engine.dialect.name)
    written = [0]

    def chunk_written(certificates: int) -> None:
        written[0] += certificates
        report("certificates", written[0], size)

    if size < IN_PROCESS_BELOW:
        blocks = load_inline(plan, sessions, start, tree, chunk_written)
    else:
        engine.dispose()  # the lanes open their own connections
        blocks = load_in_lanes(plan, start, tree, chunk_written)
    with write_session(sessions) as session:
        for block in blocks:
            write_hashes(session, block)
        finish_tree(session, tree)
    phase_done("certificates")
    steps = len(aside.statements) + int(aside.rebuild_fts)
    done = [0]

    def step() -> None:
        done[0] += 1
        report("indexes", done[0], steps)

    loading.restore_indexes(engine, aside, step)
    phase_done("indexes")
    report("oversight", 0, 1)
    oversight = build_oversight(sessions, seed=seed, as_of=as_of)  # after the certificates: their output is unchanged
    oversight |= build_opendata_demo(sessions, seed=seed, data_dir=settings.data_dir)
    oversight |= build_qidata(sessions, seed=seed, as_of=as_of)  # standards, PT, grades, classes (demo/qidata.py)
    oversight |= build_risk(sessions, seed=seed, as_of=as_of)  # complaints, signals, warnings, a consumer alert
    oversight |= build_international(sessions, as_of=as_of)  # a foreign body, accredited certificates, zone, brand
    report("oversight", 1, 1)
    phase_done("supervision_and_credit")
    made_accounts = accounts(sessions, snapshot) if accounts else None
    licensing = build_licensing(sessions, as_of=as_of) if made_accounts else {}  # filed by the demo applicant
    report("ledger", 0, 1)
    # The tree holds every event of the load; hash the accounts' events and sign a checkpoint now, so the
    # first `serve` answers at once.
    from certbridge.ledger.integrate import integrate_pending

    integrate_pending(sessions, settings=settings)
    report("ledger", 1, 1)
    # The statistics on an ordinary connection: the load's (`_tune`) keeps temporary tables in memory, where the
    # whole fold would set aside every row it sums before the GROUP BY (`stats/whole.py`).
    plain = make_engine(url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        oversight |= build_stats(make_sessionmaker(plain), settings=settings, as_of=as_of, fold=stats)
    finally:
        plain.dispose()
    phase_done("accounts_and_checkpoint")
    oversight |= build_feeds_demo(sessions, settings=settings, accounts=made_accounts, on=as_of)  # watch, bulk files
    phase_done("watches_and_bulk_files")
    counts = _counts(sessions) | oversight | licensing
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()
    engine.dispose()
    if final is not None:
        for suffix in ("-wal", "-shm"):
            Path(str(final) + suffix).unlink(missing_ok=True)
        building.replace(final)
    info = DatasetInfo(size=size, seed=seed, as_of=as_of.isoformat(), generator_version=GENERATOR_VERSION,
                       database=_database_label(settings), built_at=utcnow().isoformat(timespec="seconds"),
                       seconds=round(time.perf_counter() - started, 1), counts=counts, phases=phases)
    if made_accounts is not None:
        path = settings.data_dir / "demo-accounts.json"
        path.write_text(json.dumps(made_accounts, ensure_ascii=False, indent=2), encoding="utf-8")
        path.chmod(0o600)
    manifest_path(settings).write_text(json.dumps(asdict(info), ensure_ascii=False, indent=2), encoding="utf-8")
    return info


def _tune(dbapi_conn, dialect: str) -> None:
    loading.tune_connection(dbapi_conn, dialect)


def _counts(sessions) -> dict[str, int]:
    from certbridge.certificates.models import Audit, Certificate
    from certbridge.ledger.journal import LedgerHead
    from certbridge.registry.models import CertificationBody, Organization, Person

    with write_session(sessions) as session:
        out = {"certificates": session.scalar(select(func.count()).select_from(Certificate)) or 0,
               "valid": session.scalar(select(func.count()).select_from(Certificate)
                                       .where(Certificate.status == "valid")) or 0,
               "organizations": session.scalar(select(func.count()).select_from(Organization)) or 0,
               "bodies": session.scalar(select(func.count()).select_from(CertificationBody)) or 0,
               "people": session.scalar(select(func.count()).select_from(Person)) or 0,
               "audits": session.scalar(select(func.count()).select_from(Audit)) or 0,
               "events": session.scalar(select(LedgerHead.size)) or 0}
    return out
