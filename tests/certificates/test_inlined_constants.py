"""db.compiled_once(inline_constants=True): a statement's constants written into its SQL find the same rows.

Verify's statement is compiled this way (its 17 constants no longer bound, adapted and sent on every run); here a
statement with awkward constants (a quote, a percent sign, an IN list, an integer, a boolean, a date) runs both
ways on the test backend's real database (SQLite, or PostgreSQL through psycopg's named parameters).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, and_, bindparam, select

from certbridge.db import compiled_once, driver_arguments, make_engine

ROWS = [(1, "O'Brien 50%", "a", True, date(2026, 1, 1)), (2, "O'Brien 50%", "b", False, date(2026, 1, 1)),
        (3, "plain", "a", True, date(2026, 1, 1)), (4, "O'Brien 50%", "c", True, date(2025, 1, 1)),
        (5, "O'Brien 50%", "a", True, date(2027, 1, 1))]


def _statement():
    table = Table("inlined_probe", MetaData(), Column("id", Integer, primary_key=True), Column("name", String),
                  Column("kind", String), Column("flag", Boolean), Column("issued", Date))
    return select(table.c.id).where(and_(
        table.c.name == "O'Brien 50%", table.c.kind.in_(["a", "c"]), table.c.flag == True,  # noqa: E712
        table.c.issued <= bindparam("day", None), table.c.id >= bindparam("least", None), table.c.id != 99,
        table.c.issued >= date(2025, 6, 1))).order_by(table.c.id)


def test_inlined_constants_find_the_same_rows(database_url):
    engine = make_engine(database_url)
    dialect = engine.dialect
    bound = compiled_once(dialect, ("test_inlined", "bound"), _statement)
    inlined = compiled_once(dialect, ("test_inlined", "inline"), _statement, inline_constants=True)
    assert "O''Brien 50" in inlined.sql and "O''Brien" not in bound.sql
    assert "'a'" in inlined.sql and "'c'" in inlined.sql
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("CREATE TABLE inlined_probe (id INTEGER PRIMARY KEY, name VARCHAR, kind VARCHAR, flag BOOLEAN, "
                     "issued DATE)")
        mark = "?" if dialect.name == "sqlite" else "%s"
        for row in ROWS:
            conn.execute(f"INSERT INTO inlined_probe VALUES ({', '.join([mark] * 5)})",
                         row if dialect.name != "sqlite" else (*row[:4], row[4].isoformat()))
        for day, least in ((date(2026, 6, 1), 0), (date(2026, 6, 1), 2), (date(2028, 1, 1), 0), (date(2024, 1, 1), 0)):
            values = {"day": day, "least": least}
            found = [list(conn.execute(*driver_arguments(dialect, c, values)).fetchall()) for c in (bound, inlined)]
            assert [tuple(r) for r in found[0]] == [tuple(r) for r in found[1]]
        rows = conn.execute(*driver_arguments(dialect, inlined, {"day": date(2028, 1, 1), "least": 0})).fetchall()
        assert [tuple(r) for r in rows] == [(1,), (5,)]
    finally:
        raw.close()
        engine.dispose()
