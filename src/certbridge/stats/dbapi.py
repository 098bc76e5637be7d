"""The fold's statements through the DB-API: the session's connection without SQLAlchemy's per-statement handling.

A fold in a write's transaction or a batch runs a dozen small statements; building and compiling ORM statements,
and SQLAlchemy's result handling, cost more than running them.
"""

from __future__ import annotations

from typing import Any, Iterable

import orjson
from sqlalchemy.orm import Session

_CHUNK = 500


class _Rows(list):
    """A driver cursor's rows, with the few result helpers the fold uses."""

    def scalar(self) -> Any:
        return self[0][0] if self else None

    def first(self) -> Any:
        return self[0] if self else None

    def all(self) -> list:
        return self


class _Driver:
    """The session's DB-API connection, in the session's transaction: `exec_driver_sql` without SQLAlchemy's
    per-statement result handling (a fold in a write's transaction runs about fifteen small statements, and that
    handling cost more than running them)."""

    def __init__(self, session: Session):
        conn = session.connection()
        self.dbapi = conn.connection.dbapi_connection
        self.sqlite = conn.dialect.name == "sqlite"
        self.dialect = conn.dialect

    def exec_driver_sql(self, sql: str, params: Any = ()) -> _Rows:
        """Run one statement (a list of parameter tuples: once per tuple); return its rows."""
        cur = self.dbapi.cursor()
        try:
            if isinstance(params, list):
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params)
            return _Rows(cur.fetchall() if cur.description is not None else ())
        finally:
            cur.close()


def driver(session: Session) -> tuple[_Driver, str]:
    """Return the session's connection (through the driver) and its parameter mark, after flushing ORM rows.

    The fold runs in the transaction that signs each write's checkpoint, so its statements go through the driver:
    building and compiling ORM statements cost more than running them.
    """
    session.flush()
    conn = _Driver(session)
    return conn, "?" if conn.sqlite else "%s"


def _select_in(session: Session, sql: str, keys: list, *after: Any) -> Iterable[tuple]:
    """Run `sql` (its IN list written `({in})`, further marks `{m}`) for keys in chunks; yield the rows."""
    conn, mark = driver(session)
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        yield from conn.exec_driver_sql(sql.format(in_=", ".join([mark] * len(part)), m=mark), (*part, *after))


def _json(value: Any) -> Any:
    """Return a JSON column's value as read through the driver (text on SQLite, parsed on PostgreSQL)."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value
