"""db.compiled_once(inline_constants=True): a statement's constants written into its SQL find the same rows.

Verify's statement is compiled this way on SQLite (its 17 constants no longer bound on every run); here a statement
with awkward constants (a quote, an IN list, an integer, a boolean, a date) runs both ways on a real SQLite database.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, and_, bindparam, select
from sqlalchemy.dialects import sqlite

from certbridge.db import compiled_once, driver_arguments

ROWS = [(1, "O'Brien", "a", 1, "2026-01-01"), (2, "O'Brien", "b", 0, "2026-01-01"), (3, "plain", "a", 1, "2026-01-01"),
        (4, "O'Brien", "c", 1, "2025-01-01"), (5, "O'Brien", "a", 1, "2027-01-01")]


def _statement():
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String),
                  Column("kind", String), Column("flag", Boolean), Column("issued", Date))
    return select(table.c.id).where(and_(
        table.c.name == "O'Brien", table.c.kind.in_(["a", "c"]), table.c.flag == True,  # noqa: E712
        table.c.issued <= bindparam("day", None), table.c.id >= bindparam("least", None), table.c.id != 99,
        table.c.issued >= date(2025, 6, 1))).order_by(table.c.id)


def test_inlined_constants_find_the_same_rows():
    dialect = sqlite.dialect()
    bound = compiled_once(dialect, ("test_inlined", "bound"), _statement)
    inlined = compiled_once(dialect, ("test_inlined", "inline"), _statement, inline_constants=True)
    assert "'O''Brien'" in inlined.sql and "'a', 'c'" in inlined.sql and "'O''Brien'" not in bound.sql
    assert set(inlined.order) < set(bound.order) and {"day", "least"} <= set(inlined.order)
    conn = sqlite3.connect(":memory:")
    conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, flag BOOLEAN, issued DATE)')
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", ROWS)
    for day, least in ((date(2026, 6, 1), 0), (date(2026, 6, 1), 2), (date(2028, 1, 1), 0), (date(2024, 1, 1), 0)):
        values = {"day": day, "least": least}
        found = [conn.execute(*driver_arguments(dialect, c, values)).fetchall() for c in (bound, inlined)]
        assert found[0] == found[1]
    assert conn.execute(*driver_arguments(dialect, inlined, {"day": date(2028, 1, 1), "least": 0})).fetchall() == [
        (1,), (5,)]
