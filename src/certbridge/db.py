"""Engine, metadata and the unit-of-work: the caller owns the transaction, services only flush."""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Engine, Executable, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store aware UTC datetimes the same way on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(timezone.utc)")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite returns naive values
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable across backends."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


# Per connection (a server holds up to 15 pooled ones and one loop reader): the page cache is private memory,
# so it is kept small; B-tree interior pages of the hot indexes fit in it, leaves come from the OS page cache.
# No memory mapping: mapped pages count in the process's RSS once touched, in every connection that touched
# them (1 GB each before), and point lookups measured no faster with it.
SQLITE_CACHE_KIB = 16384
SQLITE_MMAP_BYTES = 0


def make_engine(url: str, *, busy_timeout_ms: int = 30_000, echo: bool = False) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL uses psycopg 3."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Autocommit off in the driver, transactions driven by SQLAlchemy; BEGIN IMMEDIATE
            # below so two writers queue on the lock instead of failing with "database is locked".
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk before the writer is answered, so an acknowledged change survives a
            # power failure too, not only a killed process (NORMAL in WAL mode may lose the last commits).
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            _sqlite_memory_pragmas(cur)
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_memory_pragmas(cur) -> None:
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")


def open_sqlite_reader(engine: Engine):
    """Open a DBAPI connection of its own for reads made on the event loop, or None where that cannot work.

    Same file and memory settings as the pool's connections, but read-only and with no busy wait (a caller
    told "database is locked" goes the pooled way instead of stalling the loop). None for PostgreSQL and for
    in-memory SQLite (a separate connection would see a different, empty database).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    conn = engine.dialect.loaded_dbapi.connect(*cargs, **{**cparams, "check_same_thread": False, "timeout": 0})
    conn.isolation_level = None  # each statement reads its own snapshot; no transaction is left open
    cur = conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA busy_timeout=0")
    _sqlite_memory_pragmas(cur)
    cur.close()
    return conn


# How many connections the event loop verifies on (PostgreSQL): a few, so the loop prepares the next answer
# while the server works on earlier ones; more only add backends competing for the same cores.
ASYNC_READERS = 4


class AsyncReaders:
    """A few psycopg `AsyncConnection`s for reads made on the event loop (PostgreSQL): the loop never waits on I/O.

    Opened when first needed, with the engine's own connect arguments; autocommit (each statement reads its own
    snapshot, no transaction is left open) and read-only. A connection found dropped (server restart,
    `pg_terminate_backend`, an idle timeout) is replaced and the statement run once more on the new one.
    Bound to the event loop that made it (`loop`).
    """

    def __init__(self, engine: Engine, size: int):
        self.loop = asyncio.get_running_loop()
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._idle: asyncio.LifoQueue = asyncio.LifoQueue()  # the last one used first: under light load, one
        for _ in range(size):
            self._idle.put_nowait(None)  # a slot not connected yet (under the connected ones)

    async def run(self, work):
        """Return `await work(connection)` on an idle connection; once more on a fresh one if it was dropped."""
        import psycopg

        conn = await self._idle.get()
        try:
            for attempt in (1, 2):
                if conn is None or conn.closed:
                    conn = await self._connect()
                try:
                    return await work(conn)
                except psycopg.OperationalError:
                    if not conn.closed or attempt == 2:
                        raise
        finally:
            self._idle.put_nowait(self._reusable(conn))

    async def _connect(self):
        import psycopg

        cargs, cparams = self._connect_args
        conn = await psycopg.AsyncConnection.connect(*cargs, **{**cparams, "autocommit": True})
        try:
            await conn.execute("SET default_transaction_read_only = on")
        except BaseException:
            conn.pgconn.finish()
            raise
        return conn

    def _reusable(self, conn):
        """Return the connection if it is idle and usable, else close it and return None (an empty slot)."""
        from psycopg.pq import TransactionStatus

        if conn is None:
            return None
        if self.loop is None or conn.info.transaction_status != TransactionStatus.IDLE:
            # Closed readers, a dropped connection, or a statement still in flight (its request was cancelled):
            # never hand it out again.
            conn.pgconn.finish()
            return None
        return conn

    def close(self) -> None:
        """Close the idle connections now and the ones in use when they are given back."""
        self.loop = None
        while not self._idle.empty():
            conn = self._idle.get_nowait()
            if conn is not None:
                conn.pgconn.finish()  # synchronous, so readers left on a finished loop can be closed too


def open_async_readers(engine: Engine) -> AsyncReaders | None:
    """Return loop-bound async readers for a PostgreSQL engine (call on the event loop), or None for SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    return AsyncReaders(engine, ASYNC_READERS)


# --- statements compiled once, run on the driver: the hot read paths (verify, search) --------------------

class Compiled(NamedTuple):
    """A statement compiled once for a dialect, with what turns named values into the driver's arguments."""

    sql: str
    order: tuple[str, ...] | None  # positional parameter names in order (None: the driver takes names)
    constants: dict[str, Any]  # values fixed at compile time (e.g. an IN list's items), in the driver's form
    pick: Callable[[dict[str, Any]], Any] | None  # operator.itemgetter over `order`: values → positional tuple


_COMPILED: dict[tuple, Compiled] = {}


def compiled_once(dialect, key: tuple, build: Callable[[], Executable], *, inline_constants: bool = False) -> Compiled:
    """Return the statement `build` makes, compiled for a dialect the first time `key` is asked for.

    `inline_constants`: write the values fixed at compile time (texts and integers: an IN list's items, literals of
    the statement) into the SQL itself, so that a run binds only the values given to it (binding, and on PostgreSQL
    adapting and sending, costs per value; the busiest statement, verify's, has 17 constants and 4 values).
    """
    found = _COMPILED.get((dialect.name, *key))
    if found is None:
        compiled = build().compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        order = tuple(compiled.positiontup) if compiled.positional else None
        constants = {k: _driver_value(dialect, v) for k, v in compiled.params.items() if v is not None}
        sql = compiled.string
        if inline_constants and dialect.name == "sqlite" and order:
            sql, order = _inlined(sql, order, constants)
            constants = {k: v for k, v in constants.items() if k in order}  # what is left to bind
        elif inline_constants and dialect.name == "postgresql" and order is None:
            sql, constants = _inlined_named(sql, constants)
        pick = None
        if order:
            getter = operator.itemgetter(*order)
            pick = getter if len(order) > 1 else (lambda values, _get=getter: (_get(values),))
        found = _COMPILED[(dialect.name, *key)] = Compiled(sql, order, constants, pick)
    return found


def _literal(value: Any) -> str | None:
    """Return a constant text or integer as an SQL literal (None for any other value: it stays bound)."""
    if type(value) is str:
        return "'" + value.replace("'", "''") + "'"
    if type(value) is int:
        return str(value)
    return None


def _inlined_named(sql: str, constants: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`_inlined` for psycopg's named parameters (`%(name)s`, a literal "%" written "%%"): the SQL with the constant
    texts and integers written in, and the constants left to bind. Unchanged when the SQL holds quoted text."""
    if "'" in sql or '"' in sql:
        return sql, constants
    left = {}
    for name, value in constants.items():
        literal = _literal(value)
        if literal is None:
            left[name] = value
        else:
            sql = sql.replace(f"%({name})s", literal.replace("%", "%%"))
    return sql, left


def _inlined(sql: str, order: tuple[str, ...], constants: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Return SQLite SQL with its constant texts and integers written in as literals, and the names left to bind.

    Only when every "?" of the SQL is a parameter (no quoted text in it where one could hide); else unchanged.
    """
    pieces = sql.split("?")
    if "'" in sql or '"' in sql or len(pieces) != len(order) + 1:
        return sql, order
    out, left = [pieces[0]], []
    for name, piece in zip(order, pieces[1:]):
        literal = _literal(constants.get(name))
        if literal is None:
            out.append("?")
            left.append(name)
        else:
            out.append(literal)
        out.append(piece)
    return "".join(out), tuple(left)


def _driver_value(dialect, value: Any) -> Any:
    """Return a value as the driver takes it: dates as ISO text on SQLite (what SQLAlchemy's Date type binds)."""
    return value.isoformat() if type(value) is date and dialect.name == "sqlite" else value


def driver_arguments(dialect, compiled: Compiled, values: dict[str, Any]) -> tuple[str, tuple | dict[str, Any]]:
    """Return a compiled statement's SQL and its values in the driver's form (dates as ISO text on SQLite).

    On the hot read paths: each value is converted once, however often the statement names it, and the
    positional tuple is picked in C (`operator.itemgetter`).
    """
    if dialect.name == "sqlite":
        for k, v in values.items():
            if type(v) is date:
                values = {k: v.isoformat() if type(v) is date else v for k, v in values.items()}
                break
    merged = {**compiled.constants, **values} if compiled.constants else values
    if compiled.order is None:
        return compiled.sql, merged
    return compiled.sql, compiled.pick(merged) if compiled.pick else ()


def run_compiled(session: Session, compiled: Compiled, values: dict[str, Any], *,
                 plan_per_value: bool = False) -> list[tuple]:
    """Run a compiled statement on a session's connection, inside its transaction, seeing its changes.

    `plan_per_value`: on PostgreSQL, never reuse a prepared generic plan (when the values decide the plan).
    """
    driver, dialect = session_driver(session)
    sql, args = driver_arguments(dialect, compiled, values)
    options = {"prepare": False} if plan_per_value and dialect.name == "postgresql" else {}
    return driver.execute(sql, args, **options).fetchall()


_DRIVER = "certbridge.driver"  # session.info key: (root transaction, its DBAPI connection, dialect)


def session_driver(session: Session) -> tuple[Any, Any]:
    """Return the DBAPI connection of the session's transaction and its dialect, what the session changed flushed.

    Remembered per transaction (a root transaction keeps one connection for its life): asking the session for its
    connection, and whether it has changes, costs more than the hot reads' statements themselves.
    """
    session.flush()  # what this session changed must be in the answer (returns at once when clean)
    held = session.info.get(_DRIVER)
    if held is None or held[0] is not session.get_transaction():
        conn = session.connection()
        held = session.info[_DRIVER] = (session.get_transaction(), conn.connection.driver_connection, conn.dialect)
    return held[1], held[2]


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory bound to an engine."""
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session for a unit of work that writes: commit on success, roll back on error."""
    session = factory()
    if session.get_bind().dialect.name == "sqlite":
        # Take the write lock at BEGIN so read-then-write never deadlocks into SQLITE_BUSY.
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session that only reads."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
