"""Test harness: every test gets its own database cloned from a migrated, seeded template.

The backend comes from CERTBRIDGE_TEST_BACKEND (sqlite, the default, or postgresql). PostgreSQL tests use
CERTBRIDGE_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test) and create throwaway
databases from a template, so several test runs can share one server.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from certbridge.app import create_app
from certbridge.credit.scoring import follow_events
from certbridge.db import make_engine, make_sessionmaker, write_session
from certbridge.migrate import upgrade
from certbridge.risk.compute import follow_log
from certbridge.settings import Settings
from tests.world import World, build_world

BACKEND = os.environ.get("CERTBRIDGE_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("CERTBRIDGE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_report_header(config):
    return f"certbridge test backend: {BACKEND}"


# A module that names one of these may pick its database itself (its own engine, server or demo on the backend).
_BACKEND_AWARE = ("BACKEND", "PG_URL", "postgres", "database_url", "make_engine", "servers", "demo_settings")


def _touches_no_database(item, sources: dict) -> bool:
    """Tell whether a test can meet no database: no template fixture, and its module never picks a backend."""
    if "template" in getattr(item, "fixturenames", ()):
        return False
    path = str(item.path)
    if path not in sources:
        sources[path] = Path(path).read_text(encoding="utf-8")
    return not any(word in sources[path] for word in _BACKEND_AWARE)


def pytest_collection_modifyitems(session, config, items):
    """On the PostgreSQL pass, leave out the tests that touch no database or are marked `once_on_sqlite`: they ran,
    identically, on SQLite."""
    if BACKEND != "postgresql":
        return
    sources: dict[str, str] = {}
    keep, once = [], []
    for item in items:
        sqlite_only = item.get_closest_marker("once_on_sqlite") is not None or _touches_no_database(item, sources)
        (once if sqlite_only else keep).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = keep
        config._certbridge_sqlite_only = len(once)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = getattr(config, "_certbridge_sqlite_only", 0)
    if count:
        terminalreporter.write_line(
            f"PostgreSQL pass: {count} tests were left out; they ran on the SQLite pass: those that touch no database "
            "(pure functions, documents, catalogs) and those marked once_on_sqlite (the authorization matrix's refusals, the offline API documents, the phone layout).")


def _pg_admin():
    return make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


class _Dropper:
    """Drops finished PostgreSQL test databases on a thread of its own.

    `DROP DATABASE` waits for a checkpoint (0.5–1.3 s on the CI machine), which used to be a third of the
    PostgreSQL pass; a test now hands its database over and goes on. At most `BACKLOG` copies wait, so the
    disk never fills with them, and the session joins the thread before it drops what is left.
    """

    BACKLOG = 6

    def __init__(self) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue(self.BACKLOG)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def drop(self, name: str) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="drop-test-databases", daemon=True)
                self.thread.start()
        self.queue.put(name)  # blocks while BACKLOG copies wait

    def _run(self) -> None:
        admin = _pg_admin()
        try:
            while (name := self.queue.get()) is not None:
                try:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception:  # noqa: BLE001 - the session's final sweep drops what is left by prefix
                    pass
        finally:
            admin.dispose()

    def close(self) -> None:
        with self.lock:
            if self.thread is not None:
                self.queue.put(None)
                self.thread.join()
                self.thread = None


_DROPPER = _Dropper()


def copy_database(source_url: str, *, prefix: str, target: Path):
    """Yield the URL of a fresh copy of `source_url`; PostgreSQL copies are dropped afterwards (in the background).

    PostgreSQL: `CREATE DATABASE <prefix>_<random> TEMPLATE <source>`; SQLite: a file copy to `target`.
    """
    if BACKEND == "postgresql":
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source_url.rsplit("/", 1)[1]}"'))
        finally:
            admin.dispose()
        try:
            yield _pg_url(name)
        finally:
            _DROPPER.drop(name)
    else:
        shutil.copyfile(Path(source_url.removeprefix("sqlite:///")), target)
        yield f"sqlite:///{target}"


def seed_database(engine) -> World:
    """Migrate an empty database and seed the world; return its ids and tokens."""
    upgrade(engine)
    with write_session(make_sessionmaker(engine)) as session:
        world = build_world(session)
    with write_session(make_sessionmaker(engine)) as session:
        # As a running instance would be: credit and risk have read the world's events. Otherwise every test's
        # first write would fold all of them again (~0.1 s a test).
        follow_events(session)
        follow_log(session)
    return world


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """Build the migrated, seeded template database once per test session."""
    prefix = f"cbt_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if BACKEND == "postgresql":
        admin = _pg_admin()
        name = prefix + "_tpl"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    engine = make_engine(url)
    world = seed_database(engine)
    if BACKEND == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    yield {"url": url, "world": world, "prefix": prefix}
    if BACKEND == "postgresql":
        _DROPPER.close()
        with admin.connect() as conn:
            rows = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": prefix + "%"})
            for (db,) in list(rows):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(template, tmp_path):
    """Return the URL of a fresh copy of the template for this test."""
    yield from copy_database(template["url"], prefix=template["prefix"], target=tmp_path / "certbridge.db")


@pytest.fixture
def world(template) -> World:
    """Return the seeded world's ids and API tokens."""
    return template["world"]


def with_environment(settings: Settings) -> Settings:
    """Return the same settings read again, so CERTBRIDGE_* variables a test set now apply to what it left unset."""
    return Settings(**{name: getattr(settings, name) for name in settings.model_fields_set})


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """Return settings for an instance on this test's database."""
    # Named, so expectations can quote the origin; tests/ledger/test_instance_name.py covers the unset default.
    return Settings(data_dir=tmp_path / "data", database_url=database_url, secret_key="test-secret-key",
                    instance_name="certbridge.local")


@pytest.fixture
def app(settings):
    """Return the application for this test's instance."""
    application = create_app(settings)
    # No daily status sweep in the test's app: a test sweeps when it means to. Certificates issued with the
    # world's 2025 dates are overdue for surveillance today, and a sweep ten seconds into a slow test would
    # suspend and withdraw them under it (tests of the sweep itself start it: tests/security/test_background_off.py).
    application.state.status_sweep = False
    application.state.risk_daily = False  # the same for the daily risk recompute (tests/risk/test_daily.py starts it)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app):
    """Return an HTTP client for the app."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def sessions(app):
    """Return the app's session factory, for tests that call services directly."""
    return app.state.sessions


@pytest.fixture
def shared_dir() -> Path:
    """Return the shared/ folder with the official test vectors; fail (never skip) if missing."""
    if not SHARED.is_dir():
        pytest.fail(f"shared test data not found at {SHARED}")
    return SHARED
