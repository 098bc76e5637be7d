"""A PostgreSQL streaming replica for public reads, with the writer reading its own writes on the primary.

`Replica` holds the replica's engine, its last known state (up, replay LSN, lag) and, per client, the primary's
WAL position after that client's last write. A public read goes to the replica only when the replica is up, no
further behind than `max_lag_seconds`, and has replayed past the reader's last write; otherwise to the primary.
The state is read from the replica at most every `STATUS_SECONDS` (in a worker thread, or on the event loop
over an async connection), never on the loop synchronously. A cached replay LSN is a lower bound of the real
one (replay only moves forward), so a stale state can only send a writer to the primary, never show it the past.

A public answer names the latest checkpoint of the database that answered. That size is remembered per database
(`checkpoint_for`) instead of read by a second statement on every read: on the replica until its replay position
moves, on the primary until this process signs a checkpoint (`forget_checkpoints`), and on either for at most
`CHECKPOINT_SECONDS` (a checkpoint another process signed). Checkpoints only grow and the size is read before the
answer's data, so a remembered size is still true — the answer reflects at least that checkpoint — just possibly
not the newest for that long.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from certbridge.db import ASYNC_READERS, AsyncReaders, make_engine, make_sessionmaker

STATUS_SECONDS = 0.25  # how old the replica's known state may be before it is read again
DOWN_RETRY_SECONDS = 2.0  # a replica found down is not asked again sooner
CHECKPOINT_SECONDS = STATUS_SECONDS  # how long a database's latest checkpoint size is reused at most
MAX_CLIENTS = 100_000  # clients remembered with a recent write (the oldest forgotten first)

# Up, the WAL position replayed, and how far behind the primary's last transaction it is (0 when it has
# replayed all it received: an idle primary makes no lag).
STATUS_SQL = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
    "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")
STATUS_SQL_RAW = str(STATUS_SQL)
CHECKPOINT_SQL = "SELECT max(size) FROM ledger_checkpoint"
PRIMARY_LSN_SQL = "SELECT pg_current_wal_lsn()::text"


def parse_lsn(value: str | None) -> int:
    """Return a PostgreSQL LSN ("16/B374D848") as an integer (0 for None or an unreadable value)."""
    if not value:
        return 0
    high, _, low = value.partition("/")
    try:
        return (int(high, 16) << 32) | int(low, 16)
    except ValueError:
        return 0


def format_lsn(value: int) -> str:
    """Return an integer LSN in PostgreSQL's form."""
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def client_key(credential: str) -> str:
    """Return the key a client's writes are remembered under: a hash, never the credential itself."""
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ReplicaState:
    """What the replica last said about itself, and when (time.monotonic())."""

    up: bool
    replay_lsn: int
    lag_seconds: float
    checked: float


UNKNOWN = ReplicaState(False, 0, math.inf, -math.inf)


class Replica:
    """A streaming replica: its engine and sessions, its last known state, the clients' recent writes."""

    def __init__(self, url: str, *, max_lag_seconds: float, sticky_seconds: float):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        self.max_lag_seconds = max_lag_seconds
        self.sticky_seconds = sticky_seconds
        self.state = UNKNOWN
        self.readers = None  # the loop's async connections to the replica (certificates.api.loop_readers)
        self._writes: dict[str, tuple[int, float]] = {}  # client key -> (primary LSN after its write, when)
        self._lock = threading.Lock()
        # "replica" / "primary" -> (latest checkpoint size there, when read, the replica's known replay LSN then)
        self._checkpoints: dict[str, tuple[int | None, float, int]] = {}

    # --- the replica's state ---------------------------------------------------------------------------

    def stale(self) -> bool:
        """Tell whether the known state is too old to decide on (a down replica is asked less often)."""
        age = time.monotonic() - self.state.checked
        return age > (STATUS_SECONDS if self.state.up else DOWN_RETRY_SECONDS)

    def refresh(self) -> ReplicaState:
        """Read the replica's state now (blocking: call in a worker thread); a failure marks it down."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(STATUS_SQL).one()
            return self.note(row)
        except Exception:  # noqa: BLE001 - any failure to answer means: read from the primary
            return self.mark_down()

    def note(self, row) -> ReplicaState:
        """Keep the state a status query returned: (in recovery, replay LSN text, lag seconds)."""
        in_recovery, replay, lag = row
        self.state = ReplicaState(bool(in_recovery), parse_lsn(replay), float(lag or 0), time.monotonic())
        return self.state

    def mark_down(self) -> ReplicaState:
        """Remember that the replica failed to answer (reads go to the primary until it is asked again)."""
        self.state = ReplicaState(False, 0, math.inf, time.monotonic())
        return self.state

    def current(self) -> ReplicaState:
        """Return the replica's state, read again when stale (blocking: call in a worker thread)."""
        return self.refresh() if self.stale() else self.state

    def serves(self, needed_lsn: int, state: ReplicaState | None = None) -> bool:
        """Tell whether a read needing the primary's position `needed_lsn` may go to the replica."""
        state = state or self.state
        return state.up and state.lag_seconds <= self.max_lag_seconds and state.replay_lsn >= needed_lsn

    # --- the latest checkpoint of each database ---------------------------------------------------------------

    def known_checkpoint(self, source: str) -> tuple[bool, int | None]:
        """Return (known, size): the remembered latest checkpoint of "replica" or "primary", if still current."""
        held = self._checkpoints.get(source)
        if held is None or time.monotonic() - held[1] > CHECKPOINT_SECONDS:
            return False, None
        if source == "replica" and held[2] != self.state.replay_lsn:  # the replica has replayed more since
            return False, None
        return True, held[0]

    def keep_checkpoint(self, source: str, size: int | None) -> int | None:
        """Remember the latest checkpoint size just read from "replica" or "primary"; return it."""
        self._checkpoints[source] = (size, time.monotonic(), self.state.replay_lsn)
        return size

    def forget_checkpoints(self) -> None:
        """Forget the remembered sizes: this process has just signed a checkpoint."""
        self._checkpoints = {}

    def checkpoint_for(self, source: str, session: Session) -> int | None:
        """Return the latest checkpoint size of the database `session` reads ("replica" or "primary")."""
        known, size = self.known_checkpoint(source)
        return size if known else self.keep_checkpoint(source, checkpoint_size(session))

    # --- the clients' writes -------------------------------------------------------------------------------

    def remember_write(self, key: str, lsn: int) -> None:
        """Remember the primary's position after a client's write (its reads follow it until replayed)."""
        now = time.monotonic()
        with self._lock:
            held = self._writes.pop(key, None)
            self._writes[key] = (max(lsn, held[0] if held else 0), now)
            while len(self._writes) > MAX_CLIENTS:
                self._writes.pop(next(iter(self._writes)))

    def needed_lsn(self, key: str | None) -> int:
        """Return the position a client's reads must see (0: none), for at most `sticky_seconds` after its write."""
        if key is None:
            return 0
        held = self._writes.get(key)
        if held is None:
            return 0
        if time.monotonic() - held[1] > self.sticky_seconds:
            with self._lock:
                self._writes.pop(key, None)
            return 0
        return held[0]

    def close(self) -> None:
        """Close the replica's connections."""
        if self.readers is not None:
            self.readers.close()
        self.engine.dispose()


def open_replica(settings) -> Replica | None:
    """Return the configured replica, or None when there is none (every read goes to the primary)."""
    url = settings.replica_url
    if not url:
        return None
    return Replica(url, max_lag_seconds=settings.replica_max_lag_seconds,
                   sticky_seconds=settings.replica_sticky_seconds)


def checkpoint_signed(replica: Replica | None) -> None:
    """Tell the replica's reads (if one is configured) that this process has just signed a checkpoint."""
    if replica is not None:
        replica.forget_checkpoints()


def public_read_session(replica: Replica, needed_lsn: int) -> Session | None:
    """Return a session on the replica for a public read needing `needed_lsn`, or None: read from the primary.

    Blocking (a worker thread): the state may be read again, and the connection is opened here so that a replica
    gone since it was last asked sends this read to the primary instead of failing it.
    """
    if not replica.serves(needed_lsn, replica.current()):
        return None
    session = replica.sessions()
    try:
        session.connection()
    except Exception:  # noqa: BLE001 - stopped, restarted, unreachable: the primary answers
        session.close()
        replica.mark_down()
        return None
    return session


def primary_lsn(engine: Engine) -> int:
    """Return the primary's current WAL position (blocking): every transaction committed so far is before it."""
    with engine.connect() as conn:
        return parse_lsn(conn.exec_driver_sql(PRIMARY_LSN_SQL).scalar())


def checkpoint_size(session: Session) -> int | None:
    """Return the size of the latest checkpoint the session's database holds (None: none yet)."""
    return session.execute(text(CHECKPOINT_SQL)).scalar()


def loop_readers(replica: Replica) -> AsyncReaders:
    """Return the replica's async connections for reads on the running event loop (made again for a new loop)."""
    readers = replica.readers
    if readers is None or readers.loop is not asyncio.get_running_loop():
        if readers is not None:
            readers.close()  # made on another, finished event loop (a test client's, say)
        readers = replica.readers = AsyncReaders(replica.engine, ASYNC_READERS)
    return readers


async def _status(conn):
    cursor = await conn.execute(STATUS_SQL_RAW)
    return await cursor.fetchone()


def _with_checkpoint(replica: Replica, source: str, work):
    """Return `work` preceded, on the same connection, by the database's latest checkpoint size (unless known)."""

    async def run(conn):
        known, size = replica.known_checkpoint(source)
        if not known:
            cursor = await conn.execute(CHECKPOINT_SQL)
            size = replica.keep_checkpoint(source, (await cursor.fetchone())[0])
        return await work(conn), size

    return run


async def read_on_loop(replica: Replica, needed_lsn: int, primary: AsyncReaders, work):
    """Return (`await work(connection)`, "replica" or "primary", that database's latest checkpoint size) for a
    public read made on the event loop.

    The replica's state is read again (awaited) when stale; the replica answers if it serves `needed_lsn`, the
    primary if it does not or fails (then the replica counts as down until it is asked again). The checkpoint
    size is read before `work`, so the answer reflects at least that checkpoint.
    """
    import psycopg

    readers = loop_readers(replica)
    if replica.stale():
        try:
            replica.note(await readers.run(_status))
        except (psycopg.Error, OSError):
            replica.mark_down()
    if replica.serves(needed_lsn):
        try:
            result, size = await readers.run(_with_checkpoint(replica, "replica", work))
            return result, "replica", size
        except (psycopg.OperationalError, OSError):
            replica.mark_down()
    result, size = await primary.run(_with_checkpoint(replica, "primary", work))
    return result, "primary", size
